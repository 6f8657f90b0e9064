/**
 * The cluster reader (server/src/cluster) against the test API server: the seed scenario end to end, paging,
 * metadata-only Secrets, and every expected fault — each must end as a clear problem in the snapshot, never a hang
 * or a crash, with everything else still read.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { takeSnapshot, type SnapshotOptions } from '../../server/src/cluster/snapshot';
import { diagnoseLive, namespacesOfInterest } from '../../server/src/core/live/diagnose';
import type { ClusterSnapshot } from '../../server/src/core/live/snapshot';
import { makeAnalysisOptions } from '../../server/src/core/model';
import type { FakeApiServer } from './fakeApiServer';
import { exampleWorkspace, startScenario, tempDir, traefikPod } from './scenario';

const token = 'sekret-token-4f9a1c';
const timeout = { timeout: 30_000 };

function problemCodes(s: ClusterSnapshot): string[] {
  return s.problems.map((p) => p.code);
}

describe('snapshot of the seed scenario', () => {
  let server: FakeApiServer;
  const tmp = tempDir();
  let kubeconfig: string;
  let snapshot: ClusterSnapshot;

  before(async () => {
    server = await startScenario({ token });
    kubeconfig = server.writeKubeconfig(tmp.dir);
    snapshot = await takeSnapshot({ kubeconfig, namespaces: namespacesOfInterest(exampleWorkspace().index) });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  test('reads every resource without a problem, with the kubeconfig\'s token', () => {
    assert.deepEqual(snapshot.problems, []);
    assert.equal(snapshot.context, 'fake');
    assert.equal(snapshot.server, server.url);
    assert.deepEqual(snapshot.namespaces, ['default', 'traefik']);
    assert.ok(server.requests.every((r) => r.authorization), 'every request carries the credentials');
    assert.equal(snapshot.discovery.gitVersion, 'v1.32.0');
    assert.deepEqual(snapshot.discovery.traefik.map((t) => t.group).sort(), ['traefik.containo.us', 'traefik.io']);
    assert.ok(snapshot.reads.every((r) => r.status === 'ok'), JSON.stringify(snapshot.reads.filter((r) => r.status !== 'ok')));
    assert.deepEqual(snapshot.pods.filter((p) => p.namespace === 'default').map((p) => p.labels.version), ['v1.2', 'v1.2']);
    assert.deepEqual(snapshot.services.find((s) => s.name === 'go-app')?.selector, { app: 'go-app', version: 'v1' });
    assert.deepEqual(snapshot.traefikObjects.map((o) => `${o.kind}/${o.name}`).sort(), ['IngressRoute/go-app-route', 'Middleware/strip-api']);
  });

  test('finds Traefik, its version arguments and the tail of its log', () => {
    assert.equal(snapshot.traefik.length, 1);
    const t = snapshot.traefik[0]!;
    assert.equal(t.image, 'docker.io/traefik:v3.1.2');
    assert.deepEqual(t.pods, [traefikPod]);
    assert.ok(t.args.includes('--providers.kubernetescrd.allowExternalNameServices=true'));
    assert.equal(snapshot.logs.length, 1);
    assert.match(snapshot.logs[0]!.lines.join('\n'), /kubernetes service not found: default\/go-ap/);
  });

  test('the endpoint slices are the controller\'s: none for go-app, the Traefik Pod for traefik', () => {
    const goApp = snapshot.endpointSlices.filter((s) => s.serviceName === 'go-app');
    assert.equal(goApp.length, 1);
    assert.deepEqual(goApp[0]!.endpoints, []);
    const traefik = snapshot.endpointSlices.find((s) => s.serviceName === 'traefik')!;
    assert.deepEqual(traefik.ports, [{ name: 'web', port: 8000, protocol: 'TCP' }]);
    assert.equal(traefik.endpoints[0]!.pod, traefikPod);
  });

  test('Secrets are requested as metadata only, and no Secret data or token is in the snapshot', () => {
    const secretRequests = server.requests.filter((r) => r.path.endsWith('/secrets'));
    assert.ok(secretRequests.length > 0);
    for (const r of secretRequests) assert.equal(r.accept, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    assert.deepEqual(snapshot.secrets.map((s) => s.name), ['go-app-tls']);
    const json = JSON.stringify(snapshot);
    assert.ok(!json.includes('U0VDUkVU'), 'no Secret data');
    assert.ok(!json.includes(token), 'no token');
  });

  test('the diagnosis of the seed scenario: live-no-endpoints with both label sets, Traefik\'s line quoted', () => {
    const ws = exampleWorkspace();
    const d = diagnoseLive(ws.index, snapshot, makeAnalysisOptions());
    const noEndpoints = d.findings.filter((f) => f.code === 'live-no-endpoints');
    assert.equal(noEndpoints.length, 2, 'the two routes that reach go-app\'s port');
    for (const f of noEndpoints) {
      assert.match(f.message, /selector \{app=go-app, version=v1\}/);
      assert.match(f.message, /\{app=go-app, version=v1\.2\}/);
    }
    const logLines = d.findings.filter((f) => f.code === 'live-traefik-error');
    assert.ok(logLines.some((f) => f.message.includes('ERR error="kubernetes service not found: default/go-ap" ingress=go-app-route')));
    assert.ok(logLines.some((f) => f.message.includes('middleware \\"default-auth@kubernetescrd\\" does not exist')));
    assert.deepEqual([...new Set(d.findings.map((f) => f.code))].sort(), ['live-no-endpoints', 'live-service-not-found', 'live-traefik-error']);
    assert.equal(d.report.traefik?.version, 'v3.1.2');
    assert.deepEqual(d.report.summary, { routes: 4, ok: 0, broken: 4, unknown: 0 });
    assert.deepEqual(JSON.parse(JSON.stringify(d.report)), d.report, 'the report is plain JSON');
  });
});

describe('paging and huge lists', () => {
  const pods = Array.from({ length: 1200 }, (_, i) => `---
apiVersion: v1
kind: Pod
metadata: { name: p-${String(i).padStart(4, '0')}, namespace: big, labels: { app: big } }
spec: { containers: [{ name: c, image: busybox }] }`).join('\n');
  let server: FakeApiServer;
  const tmp = tempDir();
  let kubeconfig: string;

  before(async () => {
    server = await startScenario({ seed: pods });
    kubeconfig = server.writeKubeconfig(tmp.dir);
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  test('lists are read page by page with limit/continue', timeout, async () => {
    const s = await takeSnapshot({ kubeconfig, namespaces: ['big'], pageSize: 500, traefikNamespace: 'big' });
    assert.equal(s.pods.length, 1200);
    assert.equal(new Set(s.pods.map((p) => p.name)).size, 1200);
    const pages = server.requests.filter((r) => r.path === '/api/v1/namespaces/big/pods');
    assert.equal(pages.length, 3);
    assert.deepEqual(pages.map((r) => r.query.limit), ['500', '500', '500']);
    assert.equal(pages[0]!.query.continue, undefined);
    assert.ok(pages[1]!.query.continue && pages[2]!.query.continue);
  });

  test('a list over the item cap is partial, says so, and the rest is still read', timeout, async () => {
    const s = await takeSnapshot({ kubeconfig, namespaces: ['big'], pageSize: 400, maxItemsPerList: 800, traefikNamespace: 'big' });
    assert.equal(s.pods.length, 800);
    const p = s.problems.find((x) => x.code === 'truncated')!;
    assert.match(p.message, /pods in namespace big: stopped after 800 items/);
    assert.equal(p.fatal, false);
    assert.equal(s.reads.find((r) => r.resource === 'pods')?.status, 'partial');
    assert.equal(s.reads.find((r) => r.resource === 'services')?.status, 'ok');
  });
});

describe('faults', () => {
  let server: FakeApiServer;
  const tmp = tempDir();
  let kubeconfig: string;
  const base = (extra: Partial<SnapshotOptions> = {}): SnapshotOptions => ({ kubeconfig, namespaces: ['default'], timeoutMs: 5_000, ...extra });

  before(async () => {
    server = await startScenario({ token });
    kubeconfig = server.writeKubeconfig(tmp.dir);
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  test('no kubeconfig', timeout, async () => {
    const empty = tempDir();
    try {
      const s = await takeSnapshot({ env: {}, homeDir: empty.dir });
      assert.deepEqual(problemCodes(s), ['no-kubeconfig']);
      assert.ok(s.problems[0]!.fatal);
      assert.match(s.problems[0]!.message, /No kubeconfig found \(looked for .*\.kube\/config\)/);
      const missing = await takeSnapshot({ env: { KUBECONFIG: join(empty.dir, 'nope') } });
      assert.match(missing.problems[0]!.message, /looked for .*nope/);
    } finally {
      empty.remove();
    }
  });

  test('KUBECONFIG with several files: the first file\'s current-context wins, missing files are skipped', timeout, async () => {
    const other = server.writeKubeconfig(tmp.dir, { context: 'second', file: 'second' });
    const s = await takeSnapshot({ env: { KUBECONFIG: [join(tmp.dir, 'missing'), other, kubeconfig].join(':') }, namespaces: ['default'] });
    assert.equal(s.context, 'second');
    assert.deepEqual(s.problems, []);
  });

  test('unknown context', timeout, async () => {
    const s = await takeSnapshot(base({ context: 'prod' }));
    assert.deepEqual(problemCodes(s), ['unknown-context']);
    assert.match(s.problems[0]!.message, /no context "prod" in the kubeconfig \(known contexts: fake\)/);
  });

  test('an unreadable kubeconfig is reported without quoting it (it may hold a token)', timeout, async () => {
    const bad = join(tmp.dir, 'bad-kubeconfig');
    writeFileSync(bad, `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${token}\n   bad: [indent\n`);
    const s = await takeSnapshot({ kubeconfig: bad });
    assert.deepEqual(problemCodes(s), ['bad-kubeconfig']);
    assert.ok(!s.problems[0]!.message.includes(token));
  });

  test('connection refused: one fatal problem, at once', timeout, async () => {
    const closed = await freePort();
    const cfg = server.writeKubeconfig(tmp.dir, { server: `http://127.0.0.1:${closed}`, file: 'refused' });
    const s = await takeSnapshot({ kubeconfig: cfg, namespaces: ['default'] });
    assert.deepEqual(problemCodes(s), ['unreachable']);
    assert.ok(s.problems[0]!.fatal);
    assert.match(s.problems[0]!.message, new RegExp(`Cannot connect to the API server http://127.0.0.1:${closed}: connection refused`));
  });

  test('TLS failure (https to a server that does not speak it)', timeout, async () => {
    const cfg = server.writeKubeconfig(tmp.dir, { server: server.url.replace('http:', 'https:'), file: 'tls' });
    const s = await takeSnapshot({ kubeconfig: cfg, namespaces: ['default'] });
    assert.deepEqual(problemCodes(s), ['tls']);
    assert.match(s.problems[0]!.message, /TLS with the API server https:\/\/127\.0\.0\.1:\d+ failed/);
  });

  test('401: the credentials are refused; reading stops after the first request', timeout, async () => {
    const cfg = server.writeKubeconfig(tmp.dir, { token: 'wrong', file: 'wrong-token' });
    const before = server.requests.length;
    const s = await takeSnapshot({ kubeconfig: cfg, namespaces: ['default'] });
    assert.deepEqual(problemCodes(s), ['unauthorized']);
    assert.match(s.problems[0]!.message, /refused the credentials of context "fake" \(401 Unauthorized\)/);
    assert.equal(server.requests.length - before, 1);
    assert.ok(!JSON.stringify(s).includes('wrong'), 'the token is not quoted');
  });

  test('403 on one resource: named in the problem, everything else read, the diagnosis says "unknown"', timeout, async () => {
    server.addFault({ path: '/api/v1/namespaces/default/pods', status: 403 });
    try {
      const s = await takeSnapshot(base());
      assert.deepEqual(problemCodes(s), ['forbidden']);
      const p = s.problems[0]!;
      assert.equal(p.resource, 'pods');
      assert.equal(p.namespace, 'default');
      assert.match(p.message, /Not allowed to list pods in namespace default \(403 Forbidden: pods is forbidden: User .* cannot list resource "pods"/);
      assert.ok(s.services.length > 0 && s.endpointSlices.length > 0);
      const d = diagnoseLive(exampleWorkspace().index, s, makeAnalysisOptions());
      const row = d.report.routes[0]!;
      assert.equal(row.backends[0]!.hops.at(-1)!.status, 'unknown');
      assert.ok(d.findings.some((f) => f.code === 'live-service-not-found'), 'what was read is still diagnosed');
    } finally {
      server.clearFaults();
    }
  });

  test('404 for a Traefik CRD that is not installed: "not served", no problem, live-crd-missing', timeout, async () => {
    const noCrds = await startScenario({ groups: ['apps', 'discovery.k8s.io', 'networking.k8s.io'] });
    try {
      const s = await takeSnapshot({ kubeconfig: noCrds.writeKubeconfig(tmp.dir, { file: 'no-crds' }), namespaces: ['default'] });
      assert.deepEqual(s.problems, []);
      assert.deepEqual(s.discovery.traefik, []);
      const d = diagnoseLive(exampleWorkspace().index, s, makeAnalysisOptions());
      // Traefik's log (read as usual) still names the Services, so its lines are quoted too.
      assert.deepEqual([...new Set(d.findings.map((f) => f.code))].sort(), ['live-crd-missing', 'live-no-endpoints', 'live-service-not-found', 'live-traefik-error']);
      assert.match(d.findings.find((f) => f.code === 'live-crd-missing')!.message, /does not serve ingressroutes\.traefik\.io: Traefik's CRDs are not installed/);
    } finally {
      await noCrds.close();
    }
    server.addFault({ path: '/apis/traefik.io/v1alpha1/namespaces/default/middlewares', status: 404 });
    try {
      const s = await takeSnapshot(base());
      assert.deepEqual(s.problems, []);
      assert.equal(s.reads.find((r) => r.resource === 'middlewares.traefik.io')?.status, 'not-served');
    } finally {
      server.clearFaults();
    }
  });

  test('500 on one list and a dropped connection on another: both reported, the rest read', timeout, async () => {
    server.addFault({ path: '/api/v1/namespaces/default/services', status: 500 });
    server.addFault({ path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', drop: true });
    try {
      const s = await takeSnapshot(base());
      assert.deepEqual(problemCodes(s).sort(), ['server-error', 'unreachable']);
      assert.match(s.problems.find((p) => p.code === 'server-error')!.message, /failed to list services in namespace default \(500: etcdserver: request timed out\)/);
      assert.match(s.problems.find((p) => p.code === 'unreachable')!.message, /dropped the connection during GET \/apis\/discovery\.k8s\.io\/v1\/namespaces\/default\/endpointslices/);
      assert.ok(s.problems.every((p) => !p.fatal));
      assert.ok(s.pods.length > 0 && s.traefikObjects.length > 0);
    } finally {
      server.clearFaults();
    }
  });

  test('latency under the timeout is fine; a hung request times out and the rest is read', timeout, async () => {
    server.addFault({ path: '/api/v1/namespaces/default/pods', latencyMs: 100 });
    server.addFault({ path: '/api/v1/namespaces/default/services', hang: true });
    try {
      const s = await takeSnapshot(base({ timeoutMs: 500 }));
      assert.deepEqual(problemCodes(s), ['timeout']);
      assert.match(s.problems[0]!.message, /did not answer GET \/api\/v1\/namespaces\/default\/services within 0\.5 s/);
      assert.ok(s.pods.length > 0);
    } finally {
      server.clearFaults();
    }
  });

  test('a server that stops answering: reading stops after three timeouts', timeout, async () => {
    server.addFault({ path: /^\/(api|apis)\/.+/, hang: true });
    try {
      const started = Date.now();
      const s = await takeSnapshot(base({ timeoutMs: 300 }));
      const fatal = s.problems.find((p) => p.fatal)!;
      assert.equal(fatal.code, 'timeout');
      assert.match(fatal.message, /3 requests timed out, so Route Doctor stopped reading/);
      assert.ok(Date.now() - started < 5_000, 'bounded by a few timeouts, not one per list');
    } finally {
      server.clearFaults();
    }
  });

  test('a server that ignores the metadata-only Accept header: the answer is dropped, no Secret data kept', timeout, async () => {
    const careless = await startScenario({ metadataLists: false });
    try {
      const s = await takeSnapshot({ kubeconfig: careless.writeKubeconfig(tmp.dir, { file: 'careless' }), namespaces: ['default'] });
      // Secrets and Certificates, in default and in Traefik's namespace: all asked for as metadata only.
      assert.deepEqual(problemCodes(s), ['not-acceptable', 'not-acceptable', 'not-acceptable', 'not-acceptable']);
      assert.ok(s.problems.some((p) => /^secrets in namespace default: the server ignored the metadata-only request \(it answered SecretList\), so the answer was dropped\.$/.test(p.message)));
      assert.deepEqual(s.certificates, []);
      assert.deepEqual(s.secrets, []);
      assert.ok(!JSON.stringify(s).includes('U0VDUkVU'));
    } finally {
      await careless.close();
    }
  });

  test('a cluster without EndpointSlices: Endpoints are read instead', timeout, async () => {
    const old = await startScenario({ groups: ['apps', 'networking.k8s.io', 'traefik.io'] });
    try {
      const s = await takeSnapshot({ kubeconfig: old.writeKubeconfig(tmp.dir, { file: 'old' }), namespaces: ['default'] });
      assert.deepEqual(s.problems, []);
      assert.equal(s.discovery.endpointSlices, false);
      assert.deepEqual(s.endpointSlices, []);
      assert.deepEqual(s.endpoints.find((e) => e.name === 'go-app'), { namespace: 'default', name: 'go-app', subsets: [] });
      assert.equal(s.endpoints.find((e) => e.name === 'traefik')?.subsets[0]?.addresses.length, 1);
      const d = diagnoseLive(exampleWorkspace().index, s, makeAnalysisOptions());
      assert.equal(d.findings.filter((f) => f.code === 'live-no-endpoints').length, 2);
    } finally {
      await old.close();
    }
  });

  test('Pods that are not ready: their readiness-probe events are read and quoted', timeout, async () => {
    const notReady = await startScenario({
      seed: `apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec: { selector: { app: api }, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: api-0, namespace: shop, labels: { app: api } }
spec: { containers: [{ name: api, image: api }] }
status: { phase: Running, podIP: 10.2.0.1, conditions: [{ type: Ready, status: "False", reason: ContainersNotReady }] }
---
apiVersion: v1
kind: Event
metadata: { name: api-0.1, namespace: shop }
involvedObject: { kind: Pod, name: api-0, namespace: shop }
reason: Unhealthy
type: Warning
count: 12
message: "Readiness probe failed: Get \\"http://10.2.0.1:8080/ready\\": dial tcp 10.2.0.1:8080: connect: connection refused"
`,
    });
    try {
      const s = await takeSnapshot({ kubeconfig: notReady.writeKubeconfig(tmp.dir, { file: 'not-ready' }), namespaces: ['shop'], traefikNamespace: 'shop' });
      assert.deepEqual(s.events.map((e) => [e.involvedName, e.count]), [['api-0', 12]]);
      const eventRequest = notReady.requests.find((r) => r.path === '/api/v1/namespaces/shop/events')!;
      assert.equal(eventRequest.query.fieldSelector, 'involvedObject.kind=Pod,reason=Unhealthy');
      const { analyzeSources } = await import('../../server/src/core/workspace');
      const ws = analyzeSources([{ file: 'r.yaml', text: 'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: { name: api, namespace: shop }\nspec:\n  routes:\n    - match: Host(`api`)\n      services: [{ name: api, port: 80 }]\n' }], makeAnalysisOptions());
      const f = diagnoseLive(ws.index, s, makeAnalysisOptions()).findings.find((x) => x.code === 'live-no-endpoints')!;
      assert.match(f.message, /none is ready: api-0 \(Running, ContainersNotReady, "Readiness probe failed: Get .*connection refused" ×12\)/);
    } finally {
      await notReady.close();
    }
  });

  test('cancellation stops at once, even with a request in flight', timeout, async () => {
    server.addFault({ path: '/api/v1/namespaces/default/pods', hang: true });
    try {
      const controller = new AbortController();
      const pending = takeSnapshot(base({ timeoutMs: 60_000, signal: controller.signal }));
      await server.waitForRequest(/^\/api\/v1\/namespaces\/default\/pods$/);
      const started = Date.now();
      controller.abort();
      const s = await pending;
      assert.ok(Date.now() - started < 1_000);
      assert.deepEqual(problemCodes(s), ['cancelled']);
      const already = await takeSnapshot(base({ signal: AbortSignal.abort() }));
      assert.deepEqual(problemCodes(already), ['cancelled']);
    } finally {
      server.clearFaults();
    }
  });
});

/** A port with nothing listening: bound, read, released. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

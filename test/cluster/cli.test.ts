/**
 * `route-doctor check --cluster`: the static findings and the live ones in one report, in each format, with the
 * exit codes CI relies on.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatLiveReport, runClusterCheck, splitClusterArgs } from '../../server/src/cli/cluster';
import { wantsCluster } from '../../server/src/cli/main';
import { parseArgs, usage } from '../../server/src/cli/main';
import { wikiChart, writeHelmStandIn } from '../helmStandIn';
import type { FakeApiServer } from './fakeApiServer';
import { exampleDir, startScenario, tempDir } from './scenario';

const cli = { parseArgs, usage };

describe('route-doctor check --cluster', () => {
  let server: FakeApiServer;
  const tmp = tempDir();
  let kubeconfig: string;

  before(async () => {
    server = await startScenario();
    kubeconfig = server.writeKubeconfig(tmp.dir);
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  test('arguments: --cluster and its options are taken out, the rest goes to the shared parser', () => {
    assert.ok(wantsCluster(['check', '--cluster', 'a']));
    assert.ok(!wantsCluster(['check', '--', '--cluster']));
    assert.deepEqual(splitClusterArgs(['check', '--cluster', '--context=kind', '--kubeconfig', '/k', '--request-timeout', '2.5s', '--cluster-namespaces', 'a, b', '--format', 'json', 'dir']), {
      rest: ['check', '--format', 'json', 'dir'],
      cluster: { context: 'kind', kubeconfig: '/k', timeoutMs: 2500, namespaces: ['a', 'b'] },
    });
    assert.throws(() => splitClusterArgs(['check', '--cluster', '--context']), /--context needs a value/);
    assert.throws(() => splitClusterArgs(['check', '--cluster', '--request-timeout=0']), /positive number of seconds/);
  });

  test('JSON: the live codes among the diagnostics, and the route report beside them', async () => {
    const r = await runClusterCheck(['check', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json', exampleDir], cli);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout) as { diagnostics: { code: string; file: string; range: { start: { line: number } } }[]; cluster: { routes: unknown[]; summary: unknown; context: string } };
    const codes = new Set(doc.diagnostics.map((d) => d.code));
    for (const code of ['service-not-found', 'live-no-endpoints', 'live-service-not-found', 'live-traefik-error']) assert.ok(codes.has(code), code);
    const noEndpoints = doc.diagnostics.filter((d) => d.code === 'live-no-endpoints').map((d) => `${d.file.split('/').pop()}:${d.range.start.line}`);
    assert.deepEqual(noEndpoints, ['ingressroute.yaml:13', 'ingressroute.yaml:35'], 'the same lines as the static service-no-endpoints');
    assert.equal(doc.cluster.context, 'fake');
    assert.equal(doc.cluster.routes.length, 4);
    assert.deepEqual(doc.cluster.summary, { routes: 4, ok: 0, broken: 4, unknown: 0 });
  });

  test('text: the findings, then one line per route and hop', async () => {
    const r = await runClusterCheck(['check', '--cluster', '--kubeconfig', kubeconfig, exampleDir], cli);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /ingressroute\.yaml:14:17: error \[live-no-endpoints\] Service default\/go-app has no ready endpoint for port "web" \(80\)/);
    assert.match(r.stdout, /Cluster "fake" \(http:\/\/127\.0\.0\.1:\d+\), Traefik v3\.1\.2 in traefik: 4 routes, 0 ok, 4 broken, 0 unknown/);
    assert.match(r.stdout, /go-app:80: Service ok → EndpointSlices BROKEN → Pods BROKEN\n\s+Its selector \{app=go-app, version=v1\} matches no Pod/);
  });

  test('SARIF carries the live findings too', async () => {
    const r = await runClusterCheck(['check', '--cluster', '--kubeconfig', kubeconfig, '--format', 'sarif', exampleDir], cli);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
    assert.ok(sarif.runs[0]!.results.some((x) => x.ruleId === 'live-no-endpoints'));
  });

  test('a cluster that cannot be read: exit 2, the reason on stderr, the static findings still printed', async () => {
    const r = await runClusterCheck(['check', '--cluster', '--kubeconfig', kubeconfig, '--context', 'nope', exampleDir], cli);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr, 'route-doctor: cluster: There is no context "nope" in the kubeconfig (known contexts: fake).\n');
    assert.match(r.stdout, /\[service-not-found\]/);
    assert.match(r.stdout, /4 routes, 0 ok, 0 broken, 4 unknown/);
  });

  test('--helm-render renders the charts for the static part too (helm is a stand-in script here, not real Helm)', async () => {
    const dir = join(tmp.dir, 'helm-workspace');
    for (const [file, text] of Object.entries(wikiChart)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    const helm = writeHelmStandIn();
    try {
      const plain = await runClusterCheck(['check', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json', dir], cli);
      const rendered = await runClusterCheck(['check', '--cluster', '--kubeconfig', kubeconfig, '--helm-render', '--helm-path', helm.path, '--format', 'json', dir], cli);
      const codes = (stdout: string) => (JSON.parse(stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code).filter((c) => !c.startsWith('live-'));
      assert.deepEqual(codes(plain.stdout), ['reference-unverified', 'reference-unverified']);
      assert.deepEqual(codes(rendered.stdout), ['service-not-found'], rendered.stderr);
      assert.equal(helm.invocations().length, 1);
    } finally {
      helm.dispose();
    }
  });

  test('usage errors and help', async () => {
    const bad = await runClusterCheck(['check', '--cluster', '--format', 'xml'], cli);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--format must be text, json or sarif/);
    const help = await runClusterCheck(['check', '--cluster', '--help'], cli);
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /--context NAME/);
  });

  test('formatLiveReport lists objects that exist only in the cluster', () => {
    const text = formatLiveReport({
      context: 'c', server: 's', takenAt: 't', problems: [], routes: [], summary: { routes: 0, ok: 0, broken: 0, unknown: 0 },
      clusterOnly: [{ kind: 'IngressRoute', namespace: 'default', name: 'legacy' }],
    });
    assert.match(text, /Only in the cluster: IngressRoute default\/legacy/);
  });
});

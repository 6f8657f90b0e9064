/**
 * The live comparison (core/live) on hand-made snapshots: no server, no network. Each test builds the cluster it
 * needs as plain data, like the one server/src/cluster/ would read.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { diagnoseLive, namespacesOfInterest } from '../../server/src/core/live/diagnose';
import { emptySnapshot, type ClusterSnapshot, type LivePod, type LiveService } from '../../server/src/core/live/snapshot';
import { parseImageVersion, parseProviderArgs, traefikLogErrors } from '../../server/src/core/live/traefik';
import { makeAnalysisOptions, type Finding } from '../../server/src/core/model';
import { analyzeSources } from '../../server/src/core/workspace';

const ingressRoute = `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: go-app-route
  namespace: default
spec:
  routes:
    - match: Host(\`go.local\`)
      kind: Rule
      services:
        - name: go-app
          port: 80
`;

const service = `apiVersion: v1
kind: Service
metadata:
  name: go-app
spec:
  selector:
    app: go-app
    version: v1
  ports:
    - name: web
      port: 80
      targetPort: http
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: go-app
spec:
  selector:
    matchLabels:
      app: go-app
  template:
    metadata:
      labels:
        app: go-app
        version: v1.2
    spec:
      containers:
        - name: go-app
          image: go-app:1.2
          ports:
            - name: http
              containerPort: 8080
`;

const routeSpec = { routes: [{ match: 'Host(`go.local`)', kind: 'Rule', services: [{ name: 'go-app', port: 80 }] }] };
const clusterService: LiveService = {
  namespace: 'default', name: 'go-app', labels: {}, type: 'ClusterIP', selector: { app: 'go-app', version: 'v1' },
  publishNotReadyAddresses: false, ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }],
};

function pod(name: string, labels: Record<string, string>, extra: Partial<LivePod> = {}): LivePod {
  return {
    namespace: 'default', name, labels, phase: 'Running', ready: true, podIP: '10.0.0.' + (name.length % 200), terminating: false,
    containers: [{ name: 'go-app', image: 'go-app:1.2', args: [], command: [], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    containerStatuses: [{ name: 'go-app', ready: true, restartCount: 0 }], ...extra,
  };
}

/** A snapshot of a cluster where everything in `default` was read, Traefik's CRDs are served and the route is deployed. */
function cluster(parts: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  const s = emptySnapshot('test', 'https://127.0.0.1:6443', '2025-01-01T00:00:00Z');
  s.namespaces = ['default'];
  s.discovery = {
    groups: { '': ['v1'], apps: ['v1'], 'discovery.k8s.io': ['v1'], 'traefik.io': ['v1alpha1'] },
    traefik: [{ group: 'traefik.io', version: 'v1alpha1', resources: ['ingressroutes', 'middlewares', 'traefikservices'] }],
    endpointSlices: true,
  };
  for (const resource of ['pods', 'services', 'endpointslices.discovery.k8s.io', 'deployments', 'statefulsets', 'daemonsets', 'ingressroutes.traefik.io', 'middlewares.traefik.io', 'traefikservices.traefik.io']) {
    s.reads.push({ resource, namespace: 'default', status: 'ok', items: 0 });
  }
  s.services = [clusterService];
  s.traefikObjects = [{ group: 'traefik.io', version: 'v1alpha1', kind: 'IngressRoute', namespace: 'default', name: 'go-app-route', labels: {}, spec: routeSpec }];
  s.endpointSlices = [{ namespace: 'default', name: 'go-app-abcde', serviceName: 'go-app', addressType: 'IPv4', ports: [], endpoints: [] }];
  s.pods = [pod('go-app-5d8f7c9b6-k2x7p', { app: 'go-app', version: 'v1.2', 'pod-template-hash': '5d8f7c9b6' })];
  return Object.assign(s, parts);
}

function diagnose(snapshot: ClusterSnapshot, files: Record<string, string> = { 'ingressroute.yaml': ingressRoute, 'service.yaml': service, 'deployment.yaml': deployment }) {
  const sources = Object.entries(files).map(([file, text]) => ({ file, text }));
  const ws = analyzeSources(sources, makeAnalysisOptions());
  const result = diagnoseLive(ws.index, snapshot, makeAnalysisOptions());
  const text = (f: Finding) => (files[f.file] ?? '').slice(f.span.start, f.span.end);
  return { ...result, text, codes: result.findings.map((f) => `${f.file}:${f.code}:${text(f)}`).sort() };
}

describe('live comparison', () => {
  test('selector matching no Pod: live-no-endpoints shows the selector and the real Pod labels', () => {
    const d = diagnose(cluster());
    assert.deepEqual(d.codes, ['ingressroute.yaml:live-no-endpoints:go-app']);
    const f = d.findings[0]!;
    assert.match(f.message, /app=go-app, version=v1\b/);
    assert.match(f.message, /app=go-app, version=v1\.2/);
    assert.match(f.message, /version is v1\.2, not v1/);
    assert.doesNotMatch(f.message, /pod-template-hash/, 'controller-generated labels are left out');
    assert.equal(f.data?.reason, 'no-match');
    assert.ok(f.related?.some((r) => r.file === 'service.yaml'), 'points at the Service selector');
    assert.ok(f.related?.some((r) => r.file === 'deployment.yaml'), 'points at the Pod template');
    const row = d.report.routes[0]!;
    assert.equal(row.status, 'broken');
    assert.deepEqual(row.backends[0]!.hops.map((h) => `${h.kind}:${h.status}`), ['Service:ok', 'EndpointSlices:broken', 'Pods:broken']);
  });

  test('a healthy chain gives no finding and an ok row', () => {
    const s = cluster({
      services: [{ ...clusterService, selector: { app: 'go-app' } }],
      endpointSlices: [{ namespace: 'default', name: 'go-app-abcde', serviceName: 'go-app', addressType: 'IPv4', ports: [{ name: 'web', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.9'], ready: true, serving: true }] }],
    });
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    assert.deepEqual(d.codes, []);
    assert.equal(d.report.routes[0]!.status, 'ok');
    assert.match(d.report.routes[0]!.backends[0]!.hops[1]!.reason, /10\.0\.0\.9:8080/);
    assert.deepEqual(d.report.summary, { routes: 1, ok: 1, broken: 0, unknown: 0 });
  });

  test('Pods not ready: the readiness-probe event is quoted', () => {
    const s = cluster({
      services: [{ ...clusterService, selector: { app: 'go-app' } }],
      pods: [pod('go-app-1', { app: 'go-app' }, { ready: false, notReadyReason: 'ContainersNotReady' })],
      events: [{ namespace: 'default', involvedKind: 'Pod', involvedName: 'go-app-1', reason: 'Unhealthy', type: 'Warning', count: 7, message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' }],
    });
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    assert.deepEqual(d.codes, ['ingressroute.yaml:live-no-endpoints:go-app']);
    assert.match(d.findings[0]!.message, /none is ready/);
    assert.match(d.findings[0]!.message, /Readiness probe failed: HTTP probe failed with statuscode: 503" ×7/);
    assert.equal(d.findings[0]!.data?.reason, 'not-ready');
  });

  test('named targetPort missing on the Pods', () => {
    const s = cluster({
      services: [{ ...clusterService, selector: { app: 'go-app' } }],
      pods: [pod('go-app-1', { app: 'go-app' }, { containers: [{ name: 'go-app', image: 'x', args: [], command: [], ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }] })],
    });
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    assert.deepEqual(d.codes, ['ingressroute.yaml:live-no-endpoints:go-app']);
    assert.match(d.findings[0]!.message, /targetPort "http" is not the name of a container port/);
    assert.match(d.findings[0]!.message, /web:8080/);
  });

  test('Service missing in the cluster: live-service-not-found with a suggestion', () => {
    const s = cluster({ services: [{ ...clusterService, name: 'go-app-svc' }] });
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    assert.deepEqual(d.codes, ['ingressroute.yaml:live-service-not-found:go-app']);
    assert.match(d.findings[0]!.message, /kubernetes service not found: default\/go-app/);
    assert.match(d.findings[0]!.message, /did you mean "go-app-svc"/i);
  });

  test('Service in the workspace but not applied: the hint says so', () => {
    const d = diagnose(cluster({ services: [] }));
    const f = d.findings.find((x) => x.code === 'live-service-not-found')!;
    assert.match(f.message, /defines it in service\.yaml.*not applied yet\? kubectl apply -f service\.yaml/);
  });

  test('IngressRoute not in the cluster: live-not-deployed at its name', () => {
    const d = diagnose(cluster({ traefikObjects: [] }), { 'ingressroute.yaml': ingressRoute });
    assert.ok(d.codes.includes('ingressroute.yaml:live-not-deployed:go-app-route'), d.codes.join());
    assert.equal(d.report.routes[0]!.ingressRoute.status, 'broken');
  });

  test('CRD not served: live-crd-missing at apiVersion (and the other group is named)', () => {
    const s = cluster({ traefikObjects: [] });
    s.discovery = { groups: { '': ['v1'], apps: ['v1'], 'traefik.containo.us': ['v1alpha1'] }, traefik: [{ group: 'traefik.containo.us', version: 'v1alpha1', resources: ['ingressroutes'] }], endpointSlices: true };
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    assert.ok(d.codes.includes('ingressroute.yaml:live-crd-missing:traefik.io/v1alpha1'), d.codes.join());
    assert.ok(!d.codes.some((c) => c.includes('live-not-deployed')));
    assert.match(d.findings.find((f) => f.code === 'live-crd-missing')!.message, /only traefik\.containo\.us is installed/);
  });

  test('drift: the cluster runs another selector, other Pod labels and other route services', () => {
    const s = cluster({
      services: [{ ...clusterService, selector: { app: 'go-app' } }],
      workloads: [{ kind: 'Deployment', namespace: 'default', name: 'go-app', labels: {}, selector: { app: 'go-app' }, templateLabels: { app: 'go-app', version: 'v1.1' }, containers: [{ name: 'go-app', image: 'go-app:1.1', args: [], command: [], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] }],
      traefikObjects: [{ group: 'traefik.io', version: 'v1alpha1', kind: 'IngressRoute', namespace: 'default', name: 'go-app-route', labels: {}, spec: { routes: [{ match: 'Host(`go.local`)', kind: 'Rule', services: [{ name: 'go-app-old', port: 80 }] }] } }],
      pods: [pod('go-app-1', { app: 'go-app', version: 'v1.1' })],
      endpointSlices: [{ namespace: 'default', name: 'go-app-abcde', serviceName: 'go-app', addressType: 'IPv4', ports: [{ name: 'web', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.9'], ready: true, serving: true }] }],
    });
    const d = diagnose(s);
    assert.deepEqual(d.codes.filter((c) => c.includes('live-drift')), [
      'deployment.yaml:live-drift:app: go-app\n        version: v1.2',
      'ingressroute.yaml:live-drift:services',
      'service.yaml:live-drift:app: go-app\n    version: v1',
    ]);
    const svcDrift = d.findings.find((f) => f.file === 'service.yaml')!;
    assert.match(svcDrift.message, /selects \{app=go-app\}; this file says \{app=go-app, version=v1\}. Not applied yet/);
    assert.match(d.findings.find((f) => f.file === 'ingressroute.yaml' && f.code === 'live-drift')!.message, /sends to go-app-old:80; this file says go-app:80/);
  });

  test('lists that could not be read give "unknown", never a finding', () => {
    const s = cluster();
    s.reads = s.reads.map((r) => (r.resource === 'services' ? { ...r, status: 'failed' } : r));
    s.problems.push({ code: 'forbidden', message: 'Not allowed to list services in namespace default (403 Forbidden).', resource: 'services', namespace: 'default', fatal: false });
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    assert.deepEqual(d.codes, []);
    const hop = d.report.routes[0]!.backends[0]!.hops[0]!;
    assert.equal(hop.status, 'unknown');
    assert.match(hop.reason, /Not allowed to list services/);
  });

  test('a snapshot that read nothing (fatal problem) gives no finding at all', () => {
    const s = emptySnapshot('test', 'https://127.0.0.1:6443', '2025-01-01T00:00:00Z');
    s.problems.push({ code: 'unreachable', message: 'connection refused', fatal: true });
    const d = diagnose(s);
    assert.deepEqual(d.codes, []);
    assert.equal(d.report.routes[0]!.status, 'unknown');
  });

  test('Traefik log lines are attributed to the reference they name and quoted once with a count', () => {
    const s = cluster();
    s.logs = [{
      namespace: 'traefik', pod: 'traefik-0', container: 'traefik', lines: [
        '2025-01-01T10:00:01Z ERR error="no servers found for default/go-app" ingress=go-app-route namespace=default providerName=kubernetescrd',
        '2025-01-01T10:00:31Z ERR error="no servers found for default/go-app" ingress=go-app-route namespace=default providerName=kubernetescrd',
        '2025-01-01T10:00:31Z ERR error="no servers found for default/go-app" ingress=other-route namespace=default providerName=kubernetescrd',
        '2025-01-01T10:00:31Z INF Configuration loaded',
      ],
    }];
    const d = diagnose(s, { 'ingressroute.yaml': ingressRoute });
    const logs = d.findings.filter((f) => f.code === 'live-traefik-error');
    assert.equal(logs.length, 1);
    assert.equal(d.text(logs[0]!), 'go-app');
    assert.match(logs[0]!.message, /2 times/);
    assert.match(logs[0]!.message, /ERR error="no servers found for default\/go-app" ingress=go-app-route/);
  });

  test('namespacesOfInterest: the workspace objects\' namespaces and explicit reference namespaces', () => {
    const ws = analyzeSources([{ file: 'a.yaml', text: ingressRoute.replace('port: 80', 'port: 80\n          namespace: backend') + '---\n' + service }], makeAnalysisOptions());
    assert.deepEqual(namespacesOfInterest(ws.index), ['backend', 'default']);
  });
});

describe('what the running Traefik tells', () => {
  test('image tags give the version', () => {
    assert.deepEqual(parseImageVersion('docker.io/traefik:v3.1.2'), { major: 3, minor: 1, patch: 2, text: 'v3.1.2' });
    assert.deepEqual(parseImageVersion('rancher/mirrored-library-traefik:2.10.5'), { major: 2, minor: 10, patch: 5, text: '2.10.5' });
    assert.equal(parseImageVersion('registry:5000/traefik'), undefined);
    assert.equal(parseImageVersion('traefik:latest'), undefined);
  });

  test('provider arguments (case-insensitive, bare booleans, lists)', () => {
    assert.deepEqual(parseProviderArgs([
      '--providers.kubernetescrd', '--providers.kubernetesCRD.allowCrossNamespace', '--providers.kubernetescrd.allowEmptyServices=false',
      '--providers.kubernetescrd.namespaces=a,b', '--providers.kubernetescrd.ingressclass', 'traefik-internal', '--log.level=DEBUG',
    ]), { allowCrossNamespace: true, allowEmptyServices: false, namespaces: ['a', 'b'], ingressClass: 'traefik-internal' });
  });

  test('log formats: v3 console, v2 logfmt, JSON; info lines are left out', () => {
    const s = emptySnapshot('t', 's', 'x');
    s.logs = [{ namespace: 'traefik', pod: 'p', container: 'traefik', lines: [
      '2025-01-01T10:00:01Z ERR Cannot create service error="service not found" ingress=tcp namespace=default',
      'time="2025-01-01T10:00:01Z" level=error msg="subset not found for default/go-app" ingress=go-app-route namespace=default providerName=kubernetescrd',
      '{"level":"warn","error":"middleware \\"default-auth@kubernetescrd\\" does not exist","routerName":"default-r-abc@kubernetescrd"}',
      '2025-01-01T10:00:01Z INF Starting provider',
    ] }];
    const entries = traefikLogErrors(s);
    assert.deepEqual(entries.map((e) => [e.level, e.text]), [
      ['error', 'service not found'],
      ['error', 'subset not found for default/go-app'],
      ['warning', 'middleware "default-auth@kubernetescrd" does not exist'],
    ]);
    assert.equal(entries[1]!.fields.ingress, 'go-app-route');
  });
});

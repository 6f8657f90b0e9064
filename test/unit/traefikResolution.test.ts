/**
 * Traefik's resolution rules, one behaviour per test: the findings Route Doctor reports for small manifests, with
 * their codes, severities, messages and data. Only Traefik's codes are looked at, so the Kubernetes checks that
 * run on the same manifests do not matter here.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/core/lineIndex';
import { makeAnalysisOptions, type Finding, type TraefikOptions } from '../../server/src/core/model';
import { closestNames, normalize } from '../../server/src/core/traefik/names';
import { analyzeSources } from '../../server/src/core/workspace';

const traefikCodes = new Set([
  'service-not-found', 'service-port-missing', 'service-port-not-found', 'cross-namespace-reference', 'cross-provider-reference',
  'external-name-not-allowed', 'service-no-endpoints', 'traefikservice-not-found', 'traefikservice-invalid', 'middleware-not-found',
  'middleware-invalid', 'tls-options-not-found', 'servers-transport-not-found', 'tls-secret-not-found', 'secret-not-found',
  'route-kind-missing', 'duplicate-match', 'rule-empty', 'parent-not-found', 'ingress-class-mismatch', 'namespace-not-watched',
  'invalid-value', 'route-without-service', 'tls-default-conflict',
]);

interface Reported extends Finding {
  /** 0-based line of the finding's start. */
  line: number;
}

function lint(text: string, options: Partial<TraefikOptions> = {}): Reported[] {
  const result = analyzeSources([{ file: 'm.yaml', text }], makeAnalysisOptions(options));
  const lines = new LineIndex(text);
  return (result.findings.get('m.yaml') ?? [])
    .filter((f) => traefikCodes.has(f.code))
    .map((f) => ({ ...f, line: lines.position(f.span.start).line }));
}

function codes(findings: readonly Reported[]): string[] {
  return findings.map((f) => `${f.line}:${f.severity}:${f.code}`);
}

/** An IngressRoute in namespace `ns` with one route per entry of `services` (YAML lines of a services list). */
function route(services: string, extra = '', ns = 'default'): string {
  return `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: r
  namespace: ${ns}
spec:
  routes:
    - match: Host(\`a.example.com\`)
${extra}      services:
${services}`;
}

const whoami = `---
apiVersion: v1
kind: Service
metadata:
  name: whoami
spec:
  selector:
    app: whoami
  ports:
    - name: web
      port: 80
      targetPort: 8080
`;

/** A workspace that is a copy of the cluster: whoami has a controller-written EndpointSlice. */
function slice(service: string, ports: string, endpoints: string): string {
  return `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${service}-abc
  labels:
    kubernetes.io/service-name: ${service}
addressType: IPv4
ports:
${ports}
endpoints:
${endpoints}
`;
}

const readyWhoami = slice('whoami', '  - name: web\n    port: 8080', '  - addresses: [10.0.0.1]\n    conditions:\n      ready: true');

test('Traefik names: Normalize joins runs of letters and digits with dashes', () => {
  assert.equal(normalize('default-test.route'), 'default-test-route');
  assert.equal(normalize('ns-multiple---hyphens'), 'ns-multiple-hyphens');
  assert.equal(normalize('-default-foo'), 'default-foo');
  assert.deepEqual(closestNames('go-ap', ['go-app', 'redis', 'go-api']), ['go-api', 'go-app']);
});

test('a valid reference, by port number and by port name, is silent', () => {
  assert.deepEqual(codes(lint(route('        - name: whoami\n          port: 80\n        - name: whoami\n          port: web\n') + whoami + readyWhoami)), []);
});

test('a misspelt Service: error on the name, with candidates and the candidate\'s location', () => {
  const [finding, ...rest] = lint(route('        - name: whoam\n          port: 80\n') + whoami);
  assert.equal(rest.length, 0);
  assert.equal(finding!.code, 'service-not-found');
  assert.equal(finding!.line, 9);
  assert.equal(finding!.message, 'Traefik drops this route (404): kubernetes service not found: default/whoam. Did you mean "whoami"?');
  assert.deepEqual(finding!.data, { serviceName: 'whoam', namespace: 'default', candidates: ['whoami'], otherNamespaces: [] });
  assert.equal(finding!.related?.[0]?.message, 'Service default/whoami');
});

test('a missing Service in a namespace the workspace holds no Service of is not reported: it comes from elsewhere', () => {
  assert.deepEqual(codes(lint(route('        - name: grafana\n          port: 80\n', '', 'monitoring') + whoami)), []);
});

test('the targetPort used as the route port: the message names the Service port to use', () => {
  const [finding] = lint(route('        - name: whoami\n          port: 8080\n') + whoami);
  assert.equal(finding!.code, 'service-port-not-found');
  assert.equal(finding!.line, 10);
  assert.match(finding!.message, /service port not found: 8080\. 8080 is the targetPort of Service whoami; use its port 80\.$/);
  assert.deepEqual(finding!.data?.['ports'], [{ port: 80, name: 'web', targetPort: 8080 }]);
});

test('a port name that does not exist suggests the nearest name', () => {
  const [finding] = lint(route('        - name: whoami\n          port: webb\n') + whoami);
  assert.match(finding!.message, /service port not found: webb\. Did you mean "web"\?$/);
});

test('ExternalName: an unlisted port number is accepted (with a note), a port name is not, and the option decides', () => {
  const external = `---
apiVersion: v1
kind: Service
metadata:
  name: ext
spec:
  type: ExternalName
  externalName: example.org
  ports:
    - name: https
      port: 443
`;
  const allowed = { allowExternalNameServices: true };
  assert.deepEqual(codes(lint(route('        - name: ext\n          port: 8443\n') + external, allowed)), ['10:warning:service-port-not-found']);
  assert.deepEqual(codes(lint(route('        - name: ext\n          port: http\n') + external, allowed)), ['10:error:service-port-not-found']);
  assert.deepEqual(codes(lint(route('        - name: ext\n          port: 443\n') + external)), ['9:error:external-name-not-allowed']);
});

test('cross-namespace references: refused while allowCrossNamespace is off, accepted when on', () => {
  const other = whoami.replace('name: whoami\n', 'name: whoami\n  namespace: other\n');
  const text = route('        - name: whoami\n          namespace: other\n          port: 80\n') + other;
  assert.deepEqual(codes(lint(text)), ['10:error:cross-namespace-reference']);
  assert.deepEqual(codes(lint(text, { allowCrossNamespace: true })), []);
});

test('name@provider: a kind Service reference looks the name up literally; crossProviderNamespaces refuses @ names', () => {
  assert.deepEqual(codes(lint(route('        - name: whoami@kubernetescrd\n          port: 80\n') + whoami)), ['9:error:service-not-found']);
  const ts = route('        - name: api@internal\n          kind: TraefikService\n');
  assert.deepEqual(codes(lint(ts)), []);
  assert.deepEqual(codes(lint(ts, { crossProviderNamespaces: ['other'] })), ['9:error:cross-provider-reference']);
  assert.deepEqual(codes(lint(ts, { crossProviderNamespaces: ['default'] })), []);
});

test('EndpointSlices decide in a cluster copy: HTTP takes endpoints that do not say they are not serving', () => {
  const unstated = slice('whoami', '  - name: web\n    port: 8080', '  - addresses: [10.0.0.1]');
  assert.deepEqual(codes(lint(route('        - name: whoami\n          port: 80\n') + whoami + unstated)), []);
  const notServing = slice('whoami', '  - name: web\n    port: 8080', '  - addresses: [10.0.0.1]\n    conditions:\n      serving: false');
  assert.deepEqual(codes(lint(route('        - name: whoami\n          port: 80\n') + whoami + notServing)), ['9:error:service-no-endpoints']);
});

test('an EndpointSlice port without a name never matches a named Service port', () => {
  const unnamed = slice('whoami', '  - port: 8080', '  - addresses: [10.0.0.1]\n    conditions:\n      ready: true');
  const [finding] = lint(route('        - name: whoami\n          port: 80\n') + whoami + unnamed);
  assert.equal(finding!.code, 'service-no-endpoints');
  assert.match(finding!.message, /^Traefik drops this route \(404\): no servers found for default\/whoami\. Traefik matches endpoint ports by name/);
});

test('allowEmptyServices keeps a route without servers: a warning that it answers 503', () => {
  const empty = slice('whoami', '  - name: web\n    port: 8080', '  []');
  const [finding] = lint(route('        - name: whoami\n          port: 80\n') + whoami + empty, { allowEmptyServices: true });
  assert.equal(finding!.severity, 'warning');
  assert.match(finding!.message, /answers 503/);
});

test('a Service without endpoint objects in a namespace that is not a cluster copy is not judged from their absence', () => {
  const elsewhere = whoami.replace('name: whoami\n', 'name: whoami\n  namespace: apps\n');
  const text = route('        - name: whoami\n          port: 80\n', '', 'apps') + elsewhere + readyWhoami + whoami;
  assert.deepEqual(codes(lint(text)), []);
});

test('Kubernetes mirrors the Endpoints of a selector-less Service into EndpointSlices (v3)', () => {
  const manual = `---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  ports:
    - name: pg
      port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: db
subsets:
  - notReadyAddresses:
      - ip: 10.0.0.9
    ports:
      - name: pg
        port: 5432
`;
  assert.deepEqual(codes(lint(route('        - name: db\n          port: 5432\n') + manual)), ['9:error:service-no-endpoints']);
  assert.deepEqual(codes(lint(route('        - name: db\n          port: 5432\n') + manual.replace('notReadyAddresses', 'addresses'))), []);
});

test('Traefik v2 keeps an HTTP route whose Endpoints have no ready address (503), and reads no EndpointSlices', () => {
  const endpoints = `---
apiVersion: v1
kind: Endpoints
metadata:
  name: whoami
subsets:
  - notReadyAddresses:
      - ip: 10.0.0.1
    ports:
      - name: web
        port: 8080
`;
  const v2Route = route('        - name: whoami\n          port: 80\n', '      kind: Rule\n');
  assert.deepEqual(codes(lint(v2Route + whoami + endpoints, { version: 'v2' })), ['10:warning:service-no-endpoints']);
  // Only the Endpoints of another Service: the ready EndpointSlice of whoami does not count for v2.
  const otherEndpoints = endpoints.replace(/whoami/g, 'other') + whoami.replace(/whoami/g, 'other');
  const [missing] = lint(v2Route + whoami + readyWhoami + otherEndpoints, { version: 'v2' });
  assert.equal(missing!.code, 'service-no-endpoints');
  assert.match(missing!.message, /endpoints not found for default\/whoami/);
});

test('TCP: one failing service among several degrades the route (warning); a lone failing service disables it', () => {
  const tcp = (services: string) => `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata:
  name: t
spec:
  routes:
    - match: HostSNI(\`*\`)
      services:
${services}`;
  const good = '        - name: whoami\n          port: 80\n';
  const bad = '        - name: whoam\n          port: 80\n';
  assert.deepEqual(codes(lint(tcp(good + bad) + whoami + readyWhoami)), ['10:warning:service-not-found']);
  const [alone] = lint(tcp(bad) + whoami + readyWhoami);
  assert.equal(alone!.severity, 'error');
  assert.match(alone!.message, /^Traefik keeps this TCP router without its service, so it is disabled at runtime: service not found\./);
});

test('TCP requires ready endpoints: an endpoint that does not state readiness does not count', () => {
  const unstated = slice('whoami', '  - name: web\n    port: 8080', '  - addresses: [10.0.0.1]');
  const text = `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata:
  name: t
spec:
  routes:
    - match: HostSNI(\`*\`)
      services:
        - name: whoami
          port: 80
` + whoami + unstated;
  assert.deepEqual(codes(lint(text)), ['8:error:service-no-endpoints']);
});

test('nativeLB: a headless Service has no clusterIP; nodePortLB cannot work without cluster-scope resources', () => {
  const headless = whoami.replace('spec:\n', 'spec:\n  clusterIP: None\n');
  assert.deepEqual(codes(lint(route('        - name: whoami\n          port: 80\n          nativeLB: true\n') + headless)), ['11:error:invalid-value']);
  assert.deepEqual(codes(lint(route('        - name: whoami\n          port: 80\n') + headless, { nativeLBByDefault: true })), ['9:error:invalid-value']);
  const nodePort = whoami.replace('spec:\n', 'spec:\n  type: NodePort\n');
  const text = route('        - name: whoami\n          port: 80\n          nodePortLB: true\n') + nodePort;
  assert.deepEqual(codes(lint(text)), []);
  assert.deepEqual(codes(lint(text, { disableClusterScopeResources: true })), ['11:error:invalid-value']);
});

test('a Middleware referenced as <ns>-<name>@kubernetescrd resolves by Traefik id when cross-namespace is allowed', () => {
  const mw = `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: strip.prefix
  namespace: shared
spec:
  stripPrefix:
    prefixes: [/x]
`;
  const refer = (name: string) => route('        - name: whoami\n          port: 80\n', `      middlewares:\n        - name: ${name}\n`) + whoami + readyWhoami + mw;
  assert.deepEqual(codes(lint(refer('shared-strip-prefix@kubernetescrd'), { allowCrossNamespace: true })), []);
  assert.deepEqual(codes(lint(refer('shared-strip-prefix@kubernetescrd'))), ['9:error:cross-provider-reference']);
  assert.deepEqual(codes(lint(refer('shared-strip@kubernetescrd'), { allowCrossNamespace: true })), ['9:error:middleware-not-found']);
});

test('a chain that contains itself fails at runtime', () => {
  const text = route('        - name: whoami\n          port: 80\n', '      middlewares:\n        - name: loop\n') + whoami + readyWhoami + `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: loop
spec:
  chain:
    middlewares:
      - name: loop
`;
  const found = lint(text);
  assert.deepEqual(codes(found), ['9:error:middleware-not-found', '48:error:middleware-not-found']);
  assert.match(found[0]!.message, /recursion detected in middleware "default-loop@kubernetescrd"/);
});

test('Middleware secrets: a basic-auth Secret needs username and password; Helm release Secrets are invisible to Traefik', () => {
  const mw = (secret: string) => `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: auth
spec:
  basicAuth:
    secret: users
---
apiVersion: v1
kind: Secret
metadata:
  name: users
${secret}`;
  assert.deepEqual(codes(lint(mw('type: kubernetes.io/basic-auth\ndata:\n  username: YQ==\n  password: Yg==\n'))), []);
  assert.deepEqual(codes(lint(mw('type: kubernetes.io/basic-auth\ndata:\n  username: YQ==\n'))), ['6:error:middleware-invalid']);
  assert.deepEqual(codes(lint(mw('data:\n  a: YQ==\n  b: Yg==\n'))), ['6:error:middleware-invalid']);
  const [helm] = lint(mw('  labels:\n    owner: helm\ndata:\n  users: YQ==\n'));
  assert.equal(helm!.code, 'secret-not-found');
  assert.match(helm!.message, /Traefik does not read Secrets labelled owner=helm/);
});

test('Traefik v3 does not read traefik.containo.us objects: a reference to one fails and says why', () => {
  const text = route('        - name: whoami\n          port: 80\n', '      middlewares:\n        - name: strip\n') + whoami + readyWhoami + `---
apiVersion: traefik.containo.us/v1alpha1
kind: Middleware
metadata:
  name: strip
spec:
  stripPrefix:
    prefixes: [/x]
`;
  const [finding] = lint(text);
  assert.equal(finding!.code, 'middleware-not-found');
  assert.match(finding!.message, /Traefik v3 does not read the traefik\.containo\.us API group/);
  assert.deepEqual(codes(lint(text.replace('    - match', '    - match').replace(/      services:/, '      kind: Rule\n      services:'), { version: 'v2' })), []);
});

test('parentRefs: a child attached to a parent without services keeps the parent alive; a refused child does not', () => {
  const parent = `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: parent
  namespace: a
spec:
  routes:
    - match: Host(\`p.example.com\`)
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: child
  namespace: NS
spec:
  parentRefs:
    - name: parent
      namespace: a
  routes:
    - match: PathPrefix(\`/c\`)
      services:
        - name: api@internal
          kind: TraefikService
`;
  assert.deepEqual(codes(lint(parent.replace('NS', 'a'))), []);
  assert.deepEqual(codes(lint(parent.replace('NS', 'b'))), ['7:error:route-without-service', '17:error:cross-namespace-reference']);
  assert.deepEqual(codes(lint(parent.replace('NS', 'b'), { allowCrossNamespace: true })), []);
});

test('Traefik v2 needs kind: Rule; v3 does not', () => {
  const text = route('        - name: api@internal\n          kind: TraefikService\n');
  assert.deepEqual(codes(lint(text)), []);
  assert.deepEqual(codes(lint(text, { version: 'v2' })), ['7:error:route-kind-missing']);
});

test('ignored objects: no route errors for an IngressRoute of another class or outside the watched namespaces', () => {
  const text = route('        - name: missing\n          port: 80\n') + whoami;
  assert.deepEqual(codes(lint(text, { namespaces: ['prod'] })), ['4:information:namespace-not-watched']);
  const classed = text.replace('  namespace: default\n', '  namespace: default\n  annotations:\n    kubernetes.io/ingress.class: nginx\n');
  assert.deepEqual(codes(lint(classed)), ['6:information:ingress-class-mismatch']);
});

test('a route is re-analysed when an object its verdict depends on changes, even two references away', () => {
  const files = [
    { file: 'route.yaml', text: route('        - name: api@internal\n          kind: TraefikService\n', '      middlewares:\n        - name: auth\n') },
    { file: 'middleware.yaml', text: 'apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: auth\nspec:\n  basicAuth:\n    secret: users\n' },
    { file: 'secret.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: users\ndata:\n  users: YQ==\n' },
  ];
  const { analyzer, index } = analyzeSources(files, makeAnalysisOptions());
  const secret = index.getFile('secret.yaml');
  assert.deepEqual([...analyzer.dependents('secret.yaml', secret, secret)].sort(), ['middleware.yaml', 'route.yaml']);
});

test('plugin settings that name Secret values: the Secret and its key must exist', () => {
  const text = (urn: string) => `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: plugin
spec:
  plugin:
    auth:
      tokens:
        - ${urn}
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  token: YQ==
`;
  assert.deepEqual(codes(lint(text('urn:k8s:secret:creds:token'))), []);
  assert.deepEqual(codes(lint(text('urn:k8s:secret:creds:tokn'))), ['8:error:middleware-invalid']);
  assert.deepEqual(codes(lint(text('urn:k8s:secret:cred:token'))), ['8:error:secret-not-found']);
  assert.deepEqual(codes(lint(text('urn:k8s:secret:creds'))), ['8:error:middleware-invalid']);
});

test('TLS material: a missing CA Secret degrades a TLSOption, a missing default certificate skips the TLSStore', () => {
  const text = `apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata:
  name: mtls
spec:
  clientAuth:
    secretNames:
      - ca
      - missing-ca
---
apiVersion: traefik.io/v1alpha1
kind: TLSStore
metadata:
  name: default
spec:
  defaultCertificate:
    secretName: wildcard
---
apiVersion: v1
kind: Secret
metadata:
  name: ca
data:
  ca.crt: YQ==
`;
  const found = lint(text);
  assert.deepEqual(codes(found), ['8:warning:secret-not-found', '16:warning:secret-not-found']);
  assert.match(found[1]!.message, /Traefik skips the whole TLSStore/);
});

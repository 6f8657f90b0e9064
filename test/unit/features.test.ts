/**
 * The editor features of core/features on small workspaces: hovers, quick fixes (titles, which one is preferred,
 * which are withheld), go to definition, references, rename, completion, code lenses, and the YAML edit primitives
 * they are built on. The LSP wiring is tested in test/lsp/features.test.ts; golden files and the property test cover
 * the edits' exact text.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codeLenses } from '../../server/src/core/features/codeLens';
import { completionsAt } from '../../server/src/core/features/completion';
import { fixesFor } from '../../server/src/core/features/fixes';
import { hoverAt, type HoverContext, type LivePodsProvider } from '../../server/src/core/features/hover';
import { livePodsFromSnapshot } from '../../server/src/core/features/livePods';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from '../../server/src/core/features/navigation';
import { sha256Hex } from '../../server/src/core/features/sha256';
import { applyEdits, insertIntoMap, plainSafe, removePair, renderScalar, setPath, type TextEdit } from '../../server/src/core/features/yamlEdit';
import { LineIndex } from '../../server/src/core/lineIndex';
import { emptySnapshot, type LivePod } from '../../server/src/core/live/snapshot';
import { makeAnalysisOptions, type TraefikOptions, type YMap } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { asMap, get } from '../../server/src/core/parse/ynode';
import { analyzeSources, type SourceText } from '../../server/src/core/workspace';

function workspace(sources: SourceText[], options: Partial<TraefikOptions> = {}, livePods?: LivePodsProvider) {
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  const analysisOptions = makeAnalysisOptions(options);
  const result = analyzeSources(sources, analysisOptions);
  const ctx: HoverContext = {
    index: result.index,
    options: analysisOptions,
    textOf: (file) => texts.get(file),
    findingsOf: (file) => result.findings.get(file) ?? [],
    linkTo: (file, offset) => {
      const line = new LineIndex(texts.get(file)!).position(offset).line + 1;
      return { href: `file:///ws/${file}#L${line}`, label: `${file}:${line}` };
    },
    ...(livePods ? { livePods } : {}),
  };
  /** The offset `delta` characters into the `n`th occurrence of `needle` in `file`. */
  const at = (file: string, needle: string, delta = 0, n = 0): number => {
    const text = texts.get(file)!;
    let i = -1;
    for (let k = 0; k <= n; k++) i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `${needle} is in ${file}`);
    return i + delta;
  };
  const apply = (edits: readonly TextEdit[], file: string) => applyEdits(texts.get(file)!, edits.filter((e) => e.file === file));
  return { ctx, at, apply, findings: (file: string) => result.findings.get(file) ?? [] };
}

const example = (): SourceText[] => {
  const dir = join(__dirname, '..', '..', 'examples', 'go-app-404');
  return readdirSync(dir).map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
};

// ---- Hovers

test('hover on a service reference: the Service, its ports down to the container, the closest Pods, and why Traefik drops the route', () => {
  const w = workspace(example());
  const hover = hoverAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', '- name: go-app', 10));
  assert.ok(hover);
  const md = hover.markdown;
  assert.match(md, /\*\*Service\*\* `default\/go-app` · ClusterIP · \[service\.yaml:6\]\(file:\/\/\/ws\/service\.yaml#L6\)/);
  assert.match(md, /\| \*\*80 `web`\*\* ← \| `http` \| 8080 \|/, 'the referenced port, its targetPort and the container port');
  assert.match(md, /the selector `app=go-app,version=v1` matches no Pod template/);
  assert.match(md, /\| \*\*`version`\*\* ✗ \| `v1` \| `v1\.2` \|/, 'the differing key is marked, side by side');
  assert.match(md, /\| `app` \| `go-app` \| `go-app` \|/);
  assert.match(md, /Traefik\*\* does not serve this route:\n- ❌ Traefik drops this route \(404\): no servers found for default\/go-app/, 'the finding message is reused');
});

test('hover on a healthy service reference names the router and service Traefik builds, and the servers', () => {
  const sources = example().map((s) => (s.file === 'service.yaml' ? { ...s, text: s.text.replace('version: v1\n', 'version: v1.2\n') } : s));
  const w = workspace(sources);
  const md = hoverAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', '- name: go-app', 10))!.markdown;
  // Traefik's router key: <namespace>-<name>-<first 10 bytes of sha256(match) in hex>.
  const hash = sha256Hex('Host(`go.local`)').slice(0, 20);
  assert.ok(md.includes(`builds router \`default-go-app-route-${hash}@kubernetescrd\` → service \`default-go-app-80\``), md);
  assert.match(md, /\*\*Pods\*\* selected by `app=go-app,version=v1\.2`:\n- Deployment `go-app` · 2 replicas · `app=go-app,version=v1\.2` · \[deployment\.yaml:5\]/);
  assert.match(md, /Servers: the Pods of Deployment go-app on port 8080\./);
  assert.equal(sha256Hex('Host(`foo.com`) && PathPrefix(`/bar`)').slice(0, 20), '6b204d94623b3df4370c', 'the hash of Traefik\'s own test router default-test-route-6b204d94623b3df4370c');
});

test('hover lists live Pods when a cluster snapshot provides them', () => {
  const live: LivePodsProvider = {
    podsOf: (namespace, service) => (namespace === 'default' && service === 'go-app'
      ? [{ name: 'go-app-7d9-abcde', ready: true, ip: '10.1.2.3' }, { name: 'go-app-7d9-fghij', ready: false }]
      : undefined),
  };
  const w = workspace(example(), {}, live);
  const md = hoverAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', '- name: go-app', 10))!.markdown;
  assert.match(md, /\*\*Live Pods\*\* \(cluster snapshot\):\n- `go-app-7d9-abcde` · ready · 10\.1\.2\.3\n- `go-app-7d9-fghij` · not ready/);
});

test('live Pods of a snapshot: those the selector picks, or those the EndpointSlices name; none outside the snapshot', () => {
  const snapshot = emptySnapshot('test', 'https://127.0.0.1:6443', '2025-01-01T00:00:00Z');
  snapshot.namespaces = ['default'];
  const pod = (name: string, ip: string, labels: Record<string, string>, ready: boolean, terminating = false): LivePod => ({
    namespace: 'default', name, labels, phase: 'Running', ready, podIP: ip, terminating, containers: [], containerStatuses: [],
  });
  snapshot.pods.push(pod('web-1', '10.0.0.1', { app: 'web' }, true), pod('web-2', '10.0.0.2', { app: 'web' }, false), pod('web-old', '10.0.0.3', { app: 'web' }, true, true), pod('db-1', '10.0.0.4', { app: 'db' }, true));
  snapshot.services.push(
    { namespace: 'default', name: 'web', labels: {}, type: 'ClusterIP', selector: { app: 'web' }, publishNotReadyAddresses: false, ports: [] },
    { namespace: 'default', name: 'manual', labels: {}, type: 'ClusterIP', publishNotReadyAddresses: false, ports: [] },
  );
  snapshot.endpointSlices.push({ namespace: 'default', name: 'manual-x', serviceName: 'manual', addressType: 'IPv4', ports: [], endpoints: [{ addresses: ['10.0.0.4'], pod: 'db-1' }] });
  const live = livePodsFromSnapshot(snapshot);
  assert.deepEqual(live.podsOf('default', 'web'), [{ name: 'web-1', ready: true, ip: '10.0.0.1' }, { name: 'web-2', ready: false, ip: '10.0.0.2' }]);
  assert.deepEqual(live.podsOf('default', 'manual'), [{ name: 'db-1', ready: true, ip: '10.0.0.4' }]);
  assert.deepEqual(live.podsOf('default', 'gone'), [], 'a Service the snapshot lacks has no Pods');
  assert.equal(live.podsOf('other', 'web'), undefined, 'a namespace the snapshot did not read is unknown');
});

test('hover on a missing Service, a missing Middleware and an existing one', () => {
  const w = workspace(example());
  const missing = hoverAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', 'go-ap\n', 1))!;
  assert.match(missing.markdown, /\*\*Service\*\* `default\/go-ap` does not exist in the workspace\./);
  assert.match(missing.markdown, /Did you mean "go-app"\?/);
  const auth = hoverAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', 'name: auth', 7))!.markdown;
  assert.match(auth, /\*\*Middleware\*\* `default\/auth` does not exist in the workspace: Traefik looks up `default-auth@kubernetescrd`, which will not exist\./);
  assert.match(auth, /❌ .*middleware "default-auth@kubernetescrd" does not exist/);
  const strip = hoverAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', 'strip-api', 2))!.markdown;
  assert.match(strip, /\*\*Middleware\*\* `default\/strip-api` · \[middleware\.yaml:4\]\(file:\/\/\/ws\/middleware\.yaml#L4\) · Traefik id `default-strip-api@kubernetescrd`\n- stripPrefix\.prefixes: `\/api`/);
});

test('hover on a Service: its Pods, or the selector next to the closest labels, and the routes that use it', () => {
  const w = workspace(example());
  for (const needle of ['name: go-app', '  version: v1']) {
    const md = hoverAt(w.ctx, 'service.yaml', w.at('service.yaml', needle, 8))!.markdown;
    assert.match(md, /^\*\*Service\*\* `default\/go-app` · ClusterIP · selector `app=go-app,version=v1`/);
    assert.match(md, /\| \*\*`version`\*\* ✗ \| `v1` \| `v1\.2` \|/);
    assert.match(md, /\*\*Used by:\*\*\n- IngressRoute `go-app-route` routes 1, 3 and 4 · \[ingressroute\.yaml:14\]/);
  }
  assert.equal(hoverAt(w.ctx, 'service.yaml', w.at('service.yaml', 'targetPort')), undefined, 'nothing to explain elsewhere');
});

test('hover on Pod template labels: the Services that select them, or the Services that nearly do', () => {
  const w = workspace(example());
  const md = hoverAt(w.ctx, 'deployment.yaml', w.at('deployment.yaml', 'version: v1.2', 3))!.markdown;
  assert.match(md, /\*\*Pods of Deployment\*\* `go-app` · `app=go-app,version=v1\.2`/);
  assert.match(md, /\*\*Selected by:\*\* no Service of namespace `default`\.\n- Service `go-app` selects `app=go-app,version=v1`, which differs on `version`/);
  const fixed = workspace(example().map((s) => (s.file === 'service.yaml' ? { ...s, text: s.text.replace('version: v1\n', 'version: v1.2\n') } : s)));
  const healthy = hoverAt(fixed.ctx, 'deployment.yaml', fixed.at('deployment.yaml', 'version: v1.2', 3))!.markdown;
  assert.match(healthy, /\*\*Selected by:\*\*\n- Service `go-app`/);
  assert.match(healthy, /\*\*Reached by:\*\*\n- IngressRoute `go-app-route` route 1 via Service `go-app`/);
});

test('hover on TLS options, Secrets and TraefikServices says what they resolve to', () => {
  const w = workspace([{
    file: 'm.yaml', text: `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: web
spec:
  routes:
    - match: Host(\`a\`)
      kind: Rule
      services:
        - name: split
          kind: TraefikService
  tls:
    secretName: web-tls
    options:
      name: modern
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata:
  name: modern
spec:
  minVersion: VersionTLS13
---
apiVersion: v1
kind: Secret
metadata:
  name: web-tls
type: kubernetes.io/tls
data:
  tls.crt: c2VjcmV0
  tls.key: c2VjcmV0
---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata:
  name: split
spec:
  weighted:
    services:
      - name: web
        port: 80
`,
  }]);
  const option = hoverAt(w.ctx, 'm.yaml', w.at('m.yaml', 'name: modern', 7))!.markdown;
  assert.match(option, /\*\*TLSOption\*\* `default\/modern` · \[m\.yaml:20\].* · Traefik id `default-modern@kubernetescrd`\n- minVersion: `VersionTLS13`/);
  const secret = hoverAt(w.ctx, 'm.yaml', w.at('m.yaml', 'web-tls', 1))!.markdown;
  assert.match(secret, /\*\*Secret\*\* `default\/web-tls`.*\n- type: `kubernetes\.io\/tls`\n- keys: `tls\.crt`, `tls\.key`/);
  assert.ok(!secret.includes('c2VjcmV0'), 'never a secret value');
  const split = hoverAt(w.ctx, 'm.yaml', w.at('m.yaml', 'name: split', 7))!.markdown;
  assert.match(split, /\*\*TraefikService\*\* `default\/split`.*\n- weighted\.services\[0\]\.name: `web`/);
});

test('hover on an Ingress backend and an IngressRouteTCP service; an ignored object says so', () => {
  const app = readFileSync(join(__dirname, '..', 'fixtures', 'golden', 'fix-service-name', 'app.yaml'), 'utf8');
  const routes = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: traefik
  rules:
    - host: web.example.com
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: other
spec:
  ingressClassName: nginx
  defaultBackend:
    service:
      name: web
      port:
        number: 80
---
apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata:
  name: tcp
spec:
  routes:
    - match: HostSNI(\`*\`)
      services:
        - name: web
          port: 80
---
apiVersion: traefik.containo.us/v1alpha1
kind: IngressRoute
metadata:
  name: legacy
spec:
  routes:
    - match: Host(\`legacy\`)
      kind: Rule
      services:
        - name: web
          port: 80
`;
  const w = workspace([{ file: 'app.yaml', text: app }, { file: 'routes.yaml', text: routes }]);
  // The first "name: web" is the Ingress's own name; the references follow.
  const hover = (n: number) => hoverAt(w.ctx, 'routes.yaml', w.at('routes.yaml', 'name: web', 7, n + 1))!.markdown;
  assert.match(hover(0), /\| \*\*80 `http`\*\* ← \| `http` \| 8080 \|/, 'an Ingress port name picks the Service port of that name');
  assert.match(hover(0), /\*\*Traefik\*\* builds router `default-web-web-example-com-api@kubernetes` → service `default-web-http`\.\nServers: the Pods of Deployment web on port 8080\./);
  assert.match(hover(1), /\*\*Traefik\*\* ignores this Ingress: its ingress class is not one Traefik serves\./);
  assert.match(hover(2), /\*\*Traefik\*\* builds a TCP router for this route\.\nServers: the Pods of Deployment web on port 8080\./);
  assert.match(hover(3), /\*\*Traefik\*\* ignores this IngressRoute: Traefik v3 does not read the traefik\.containo\.us API group\./);
});

// ---- Quick fixes

test('quick fixes on the example: one per fault, preferred only when unambiguous, each with a suppression', () => {
  const w = workspace(example());
  const titles = (file: string, code: string) => w.findings(file).filter((f) => f.code === code).flatMap((f) => fixesFor(w.ctx, f)).map((f) => `${f.preferred ? '* ' : ''}${f.kind}: ${f.title}`);
  assert.deepEqual(titles('ingressroute.yaml', 'service-not-found'), [
    '* quickfix: Change to Service go-app',
    'suppress: Ignore service-not-found for this resource',
    'suppress: Ignore service-not-found on this line',
  ]);
  assert.deepEqual(titles('ingressroute.yaml', 'service-port-not-found').slice(0, 1), ['* quickfix: Use Service port 80 (targetPort http = 8080)']);
  assert.deepEqual(titles('service.yaml', 'selector-no-match').slice(0, 2), [
    'quickfix: Change the Service selector to match Deployment go-app',
    'quickfix: Set version: v1 on the pod template of Deployment go-app',
  ]);
  assert.deepEqual(titles('ingressroute.yaml', 'middleware-not-found'), [
    'suppress: Ignore middleware-not-found for this resource',
    'suppress: Ignore middleware-not-found on this line',
  ], 'no Middleware name is close to "auth"');
});

test('aligning labels on the Pod template is withheld when it would break the workload or another Service', () => {
  const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    version: v2
  ports:
    - port: 80
`;
  const deployment = (matchVersion: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web${matchVersion ? '\n      version: v1' : ''}
  template:
    metadata:
      labels:
        app: web
        version: v1
    spec:
      containers: [{name: web, image: web}]
`;
  const other = `apiVersion: v1
kind: Service
metadata:
  name: web-v1
spec:
  selector:
    version: v1
    app: web
  ports:
    - port: 80
`;
  const titles = (sources: SourceText[]) => {
    const w = workspace(sources);
    return w.findings('service.yaml').filter((f) => f.code === 'selector-no-match').flatMap((f) => fixesFor(w.ctx, f)).filter((f) => f.kind === 'quickfix').map((f) => f.title);
  };
  assert.deepEqual(titles([{ file: 'service.yaml', text: service }, { file: 'deployment.yaml', text: deployment(false) }]), [
    'Change the Service selector to match Deployment web', 'Set version: v2 on the pod template of Deployment web',
  ]);
  assert.deepEqual(titles([{ file: 'service.yaml', text: service }, { file: 'deployment.yaml', text: deployment(true) }]), [
    'Change the Service selector to match Deployment web',
  ], 'the Deployment\'s own selector pins version: v1');
  assert.deepEqual(titles([{ file: 'service.yaml', text: service }, { file: 'deployment.yaml', text: deployment(false) }, { file: 'other.yaml', text: other }]), [
    'Change the Service selector to match Deployment web',
  ], 'Service web-v1 selects the Pods by version: v1');
});

test('a Service of another namespace is offered only when Traefik allows cross-namespace references', () => {
  const sources = [{
    file: 'm.yaml', text: `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: r
  namespace: edge
spec:
  routes:
    - match: Host(\`a\`)
      kind: Rule
      services:
        - {name: api, port: 80}
---
apiVersion: v1
kind: Service
metadata:
  name: other
  namespace: edge
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: backend
spec:
  ports: [{port: 80}]
`,
  }];
  const titles = (options: Partial<TraefikOptions>) => {
    const w = workspace(sources, options);
    return w.findings('m.yaml').filter((f) => f.code === 'service-not-found').flatMap((f) => fixesFor(w.ctx, f)).filter((f) => f.kind === 'quickfix').map((f) => `${f.preferred ? '* ' : ''}${f.title}`);
  };
  assert.deepEqual(titles({}), []);
  assert.deepEqual(titles({ allowCrossNamespace: true }), ['* Set namespace: backend (Service backend/api exists)']);
  const w = workspace(sources, { allowCrossNamespace: true });
  const fix = w.findings('m.yaml').flatMap((f) => fixesFor(w.ctx, f))[0]!;
  assert.match(w.apply(fix.edits, 'm.yaml'), /- \{name: api, port: 80, namespace: backend\}/, 'a flow map stays a flow map');
});

// ---- Navigation

test('go to definition: from a reference to its object, from a selector to the Pod templates it selects', () => {
  const w = workspace(example().map((s) => (s.file === 'service.yaml' ? { ...s, text: s.text.replace('version: v1\n', 'version: v1.2\n') } : s)));
  const fromRef = definitionAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', '- name: go-app', 11));
  assert.deepEqual(fromRef, [{ file: 'service.yaml', span: { start: w.at('service.yaml', 'go-app'), end: w.at('service.yaml', 'go-app') + 6 } }]);
  const fromSelector = definitionAt(w.ctx, 'service.yaml', w.at('service.yaml', 'app: go-app', 5));
  assert.equal(fromSelector.length, 1);
  assert.equal(fromSelector[0]!.file, 'deployment.yaml');
  assert.equal(fromSelector[0]!.span.start, w.at('deployment.yaml', 'app: go-app', 0, 2), 'the Pod template labels');
  assert.deepEqual(definitionAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', 'go-ap\n', 1)), [], 'a Service that does not exist has no definition');
});

test('find references of a Service and of a Middleware, with or without the declaration', () => {
  const w = workspace(example());
  const refs = referencesAt(w.ctx, 'service.yaml', w.at('service.yaml', 'go-app', 2), true);
  assert.deepEqual(refs.map((r) => r.file), ['service.yaml', 'ingressroute.yaml', 'ingressroute.yaml', 'ingressroute.yaml']);
  const fromUse = referencesAt(w.ctx, 'ingressroute.yaml', w.at('ingressroute.yaml', '- name: go-app', 11), false);
  assert.equal(fromUse.length, 3, 'from a reference: the other references of the same Service');
  const strip = referencesAt(w.ctx, 'middleware.yaml', w.at('middleware.yaml', 'strip-api', 1), false);
  assert.deepEqual(strip.map((r) => r.file), ['ingressroute.yaml']);
});

const renameWorkspace = (): SourceText[] => [{
  file: 'm.yaml', text: `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: a
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: b
spec:
  ports: [{port: 80}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: r
  namespace: a
spec:
  routes:
    - match: Host(\`a\`)
      kind: Rule
      middlewares:
        - name: strip
        - name: a-strip@kubernetescrd
      services:
        - name: "web"
          port: 80
        - name: web
          namespace: b
          port: 80
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: strip
  namespace: a
spec:
  stripPrefix: {prefixes: [/a]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  namespace: a
  annotations:
    traefik.ingress.kubernetes.io/router.middlewares: a-strip@kubernetescrd,other@file
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web, port: {number: 80}}
`,
}];

test('rename a Service: its name and every reference that resolves to it, not those of another namespace', () => {
  const w = workspace(renameWorkspace(), { allowCrossNamespace: true });
  const offset = w.at('m.yaml', '"web"', 1);
  assert.deepEqual(prepareRenameAt(w.ctx, 'm.yaml', offset), { span: { start: offset, end: offset + 3 }, placeholder: 'web' }, 'the name without its quotes');
  const result = renameAt(w.ctx, 'm.yaml', offset, 'frontend');
  assert.ok('edits' in result);
  const renamed = w.apply(result.edits, 'm.yaml');
  assert.match(renamed, /name: frontend\n  namespace: a/);
  assert.match(renamed, /name: web\n  namespace: b/, 'the Service of namespace b keeps its name');
  assert.match(renamed, /- name: "frontend"\n {10}port: 80/, 'quoting kept');
  assert.match(renamed, /- name: web\n {10}namespace: b/, 'a reference to b/web is not touched');
  assert.match(renamed, /service: \{name: frontend, port: \{number: 80\}\}/, 'the Ingress backend');
  const after = analyzeSources([{ file: 'm.yaml', text: renamed }], makeAnalysisOptions({ allowCrossNamespace: true }));
  assert.deepEqual(after.findings.get('m.yaml')!.filter((f) => f.code === 'service-not-found'), []);
});

test('rename a Middleware updates plain names, Traefik ids and Ingress annotation entries', () => {
  const w = workspace(renameWorkspace());
  const result = renameAt(w.ctx, 'm.yaml', w.at('m.yaml', 'name: strip\n  namespace', 7), 'strip-prefix');
  assert.ok('edits' in result);
  const renamed = w.apply(result.edits, 'm.yaml');
  assert.match(renamed, /- name: strip-prefix\n {8}- name: a-strip-prefix@kubernetescrd/);
  assert.match(renamed, /router\.middlewares: a-strip-prefix@kubernetescrd,other@file/);
  assert.match(renamed, /kind: Middleware\nmetadata:\n {2}name: strip-prefix/);
});

test('rename refuses invalid names, existing names, kinds it does not handle and objects outside the workspace', () => {
  const w = workspace(renameWorkspace());
  const offset = w.at('m.yaml', 'name: web', 6);
  assert.deepEqual(renameAt(w.ctx, 'm.yaml', offset, 'Web_1'), { error: '"Web_1" is not a valid Service name: at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit.' });
  const taken = workspace([{ file: 'm.yaml', text: `${renameWorkspace()[0]!.text}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: a\n` }]);
  assert.deepEqual(renameAt(taken.ctx, 'm.yaml', offset, 'api'), { error: 'Service a/api already exists.' });
  assert.deepEqual(prepareRenameAt(w.ctx, 'm.yaml', w.at('m.yaml', 'name: legacy', 7)), { error: 'Route Doctor renames Services, Middlewares and TraefikServices, not Ingress objects.' });
  assert.deepEqual(prepareRenameAt(w.ctx, 'm.yaml', w.at('m.yaml', 'other@file', 1)), { error: 'Middleware other@file is not defined in the workspace, so Route Doctor cannot rename it.' });
  assert.equal(prepareRenameAt(w.ctx, 'm.yaml', w.at('m.yaml', 'pathType')), undefined);
});

// ---- Completion and code lenses

test('completion of Service names and of a Service\'s ports, also while the value is still empty', () => {
  const text = `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: r
spec:
  routes:
    - match: Host(\`a\`)
      kind: Rule
      services:
        - name: go
        - name: go-app
          port: 8
        - name: 'go-app'
          port:
`;
  const w = workspace([...example().filter((s) => s.file !== 'ingressroute.yaml'), { file: 'r.yaml', text }]);
  const names = completionsAt(w.ctx, 'r.yaml', w.at('r.yaml', 'name: go', 8));
  assert.deepEqual(names.map((c) => [c.label, c.newText, c.detail]), [['go-app', 'go-app', 'Service default/go-app · ClusterIP · ports 80']]);
  assert.deepEqual(names[0]!.span, { start: w.at('r.yaml', 'name: go', 6), end: w.at('r.yaml', 'name: go', 8) });
  const quoted = completionsAt(w.ctx, 'r.yaml', w.at('r.yaml', "'go-app'", 2));
  assert.equal(quoted[0]!.newText, "'go-app'", 'the quoting style is kept');
  const ports = completionsAt(w.ctx, 'r.yaml', w.at('r.yaml', 'port: 8', 7));
  assert.deepEqual(ports.map((c) => `${c.label}: ${c.detail}`), ['80: Service port web → targetPort http (8080)', 'web: Service port 80 → targetPort http (8080)']);
  const empty = completionsAt(w.ctx, 'r.yaml', w.at('r.yaml', 'port:\n', 5));
  assert.deepEqual(empty.map((c) => c.newText), [' 80', ' web'], 'right after the colon, a space goes first');
  const middlewares = workspace(example());
  assert.deepEqual(completionsAt(middlewares.ctx, 'ingressroute.yaml', middlewares.at('ingressroute.yaml', 'name: auth', 7)).map((c) => c.label), ['strip-api']);
});

test('a code lens on each Service counts the workloads it selects and the routes that use it', () => {
  const w = workspace(example());
  assert.deepEqual(codeLenses(w.ctx, 'service.yaml').map((l) => l.title), ['selects 0 workloads · 3 routes']);
  const fixed = workspace(example().map((s) => (s.file === 'service.yaml' ? { ...s, text: s.text.replace('version: v1\n', 'version: v1.2\n') } : s)));
  assert.deepEqual(codeLenses(fixed.ctx, 'service.yaml'), [{ span: { start: fixed.at('service.yaml', 'go-app'), end: fixed.at('service.yaml', 'go-app') + 6 }, title: 'selects 1 workload · 3 routes' }]);
  assert.deepEqual(codeLenses(w.ctx, 'ingressroute.yaml'), []);
});

// ---- Edit primitives

test('scalars keep their style, and are quoted only when the value needs it', () => {
  assert.equal(renderScalar('go-app', 'plain', false), 'go-app');
  assert.equal(renderScalar('go-app', 'double', false), '"go-app"');
  assert.equal(renderScalar("it's", 'single', false), "'it''s'");
  assert.equal(renderScalar(80, 'double', false), '80', 'a number is a number');
  for (const v of ['1.2', 'true', 'null', '', '- x', 'a: b', 'a #b', '*x', ' x']) assert.equal(plainSafe(v, false), false, v);
  assert.equal(renderScalar('1.2', 'plain', false), '"1.2"');
  assert.equal(plainSafe('a,b', false), true);
  assert.equal(plainSafe('a,b', true), false, 'a comma ends a plain scalar in a flow collection');
});

test('new keys take the map\'s indentation and style; removals take whole lines', () => {
  const text = 'a:\n    b: 1 # note\n    c:\n        d: 2\nflow: {x: 1}\nempty:\nlast: 1\n';
  const root = parseFile('t.yaml', `kind: Service\napiVersion: v1\n${text}`).resources[0]!.root;
  const shifted = (s: string) => `kind: Service\napiVersion: v1\n${s}`;
  const full = shifted(text);
  const a = asMap(get(root, 'a')) as YMap;
  assert.equal(applyEdits(full, [insertIntoMap('t', full, a, [{ path: ['e'], value: 'x y' }])!]), shifted('a:\n    b: 1 # note\n    c:\n        d: 2\n    e: x y\nflow: {x: 1}\nempty:\nlast: 1\n'));
  assert.equal(applyEdits(full, [insertIntoMap('t', full, a, [{ path: ['e', 'f'], value: 1 }], a.pairs[0])!]), shifted('a:\n    b: 1 # note\n    e:\n        f: 1\n    c:\n        d: 2\nflow: {x: 1}\nempty:\nlast: 1\n'));
  assert.equal(applyEdits(full, [insertIntoMap('t', full, asMap(get(root, 'flow'))!, [{ path: ['y', 'z'], value: '1' }])!]), shifted('a:\n    b: 1 # note\n    c:\n        d: 2\nflow: {x: 1, y: {z: "1"}}\nempty:\nlast: 1\n'));
  assert.equal(applyEdits(full, [setPath('t', full, root, ['empty', 'k'], 'v')!]), shifted('a:\n    b: 1 # note\n    c:\n        d: 2\nflow: {x: 1}\nempty:\n    k: v\nlast: 1\n'));
  assert.equal(applyEdits(full, [removePair('t', full, a, a.pairs[0]!)!]), shifted('a:\n    c:\n        d: 2\nflow: {x: 1}\nempty:\nlast: 1\n'));
  assert.equal(applyEdits(full, [removePair('t', full, a, a.pairs[1]!)!]), shifted('a:\n    b: 1 # note\nflow: {x: 1}\nempty:\nlast: 1\n'));
  const crlf = 'kind: Service\r\napiVersion: v1\r\nm:\r\n  a: 1\r\n';
  const crlfRoot = parseFile('t.yaml', crlf).resources[0]!.root;
  assert.equal(applyEdits(crlf, [insertIntoMap('t', crlf, asMap(get(crlfRoot, 'm'))!, [{ path: ['b'], value: 2 }])!]), 'kind: Service\r\napiVersion: v1\r\nm:\r\n  a: 1\r\n  b: 2\r\n');
});

test('quick fixes never edit values written as an alias or merged in with <<, only what is written where they point', () => {
  // The Service's selector is an alias of its own labels, and its port comes from a merge key: a fix that edited
  // those spans would write into `*labels` or `<<: *port`. The Deployment's Pod labels are written out, so the fix
  // that changes them stays.
  const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels: &labels
    app: web
    version: v1
spec:
  selector: *labels
  ports:
    - <<: &port {port: 80}
      targetPort: http
`;
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
        version: v2
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - name: http
              containerPort: 8080
`;
  const w = workspace([{ file: 'service.yaml', text: service }, { file: 'deployment.yaml', text: deployment }]);
  const findings = w.findings('service.yaml').filter((f) => f.code === 'selector-no-match');
  assert.equal(findings.length, 1, 'the aliased selector is read: app=web, version=v1 selects no Pods');
  const fixes = findings.flatMap((f) => fixesFor(w.ctx, f)).filter((f) => f.kind === 'quickfix');
  assert.deepEqual(fixes.map((f) => f.title), ['Set version: v1 on the pod template of Deployment web']);
  for (const fix of fixes) {
    for (const edit of fix.edits) assert.notEqual((edit.file === 'service.yaml' ? service : deployment)[edit.span.start], '*', fix.title);
  }
  assert.match(w.apply(fixes[0]!.edits, 'deployment.yaml'), /version: v1\n/);
});

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { IndexView } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { predictEndpointsFromWorkloads, type EndpointVerdict } from '../../server/src/core/k8s/endpoints';
import type { YMap } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { asMap, get, items, str } from '../../server/src/core/parse/ynode';

/** The index as checks see it (the Analyzer's view, without the dependency tracking). */
function view(index: WorkspaceIndex): IndexView {
  return {
    find: (kind, namespace, name) => index.find(kind, namespace, name),
    inNamespace: (kind, namespace) => index.inNamespace(kind, namespace),
    ofKind: (kind) => index.ofKind(kind),
    podTemplatesMatching: (namespace, selector) => index.podTemplatesMatching(namespace, selector).results,
  };
}

/** Indexes the files, then predicts for the Service named `svc` (its port named `port`, or its first port). */
function predict(files: Record<string, string>, svc = 'web', port?: string | null): { verdict: EndpointVerdict } {
  const index = new WorkspaceIndex();
  for (const [file, text] of Object.entries(files)) index.setFile(parseFile(file, text));
  const service = index.ofKind('Service').find((s) => s.name === svc);
  assert.ok(service, `Service ${svc} is indexed`);
  let servicePort: YMap | undefined;
  if (port !== null) {
    const ports = items(get(service.root, 'spec', 'ports')).map(asMap);
    servicePort = (port === undefined ? ports[0] : ports.find((p) => str(get(p, 'name')) === port)) ?? undefined;
  }
  return { verdict: predictEndpointsFromWorkloads(view(index), service, servicePort) };
}

function service(selector: string, ports = '[{name: http, port: 80, targetPort: http}]', extra = ''): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: ${selector}\n  ports: ${ports}\n${extra}`;
}

function deployment(name: string, labels: string, containers = '[{name: web, image: x, ports: [{name: http, containerPort: 8080}]}]', spec = ''): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n${spec}  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata:\n      labels: ${labels}\n    spec:\n      containers: ${containers}\n`;
}

function state(v: EndpointVerdict): string {
  return v.state === 'none' ? `none/${v.reason}` : v.state;
}

describe('endpoint prediction: selectors', () => {
  test('the README example: a differing value names the workload, both labels, and what Traefik does', () => {
    const svcText = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: go-app\n  namespace: default\nspec:\n  selector:\n    app: go-app\n    version: v1\n  ports:\n    - name: web\n      port: 80\n      targetPort: http\n';
    const deployText = deployment('go-app', '{app: go-app, version: v1.2}', '[{name: go-app, image: x, ports: [{name: http, containerPort: 8080}]}]');
    const { verdict } = predict({ 'service.yaml': svcText, 'deployment.yaml': deployText }, 'go-app');
    assert.equal(state(verdict), 'none/no-match');
    if (verdict.state !== 'none' || verdict.reason !== 'no-match') return;
    assert.equal(verdict.message, "Traefik finds no servers for default/go-app and drops this route (404): the Service selects app=go-app,version=v1 but Deployment go-app's Pods are labelled version=v1.2.");
    assert.equal(verdict.cause, "the Service selects app=go-app,version=v1 but Deployment go-app's Pods are labelled version=v1.2");
    assert.deepEqual(verdict.data, {
      serviceSelector: { app: 'go-app', version: 'v1' },
      workload: { kind: 'Deployment', namespace: 'default', name: 'go-app', file: 'deployment.yaml' },
      workloadLabels: { app: 'go-app', version: 'v1.2' },
      differing: [{ key: 'version', selector: 'v1', labels: 'v1.2' }],
      onlyMetadataLabelsMatch: false,
    });
    const [selectorRelated, labelsRelated] = verdict.related;
    assert.equal(selectorRelated!.file, 'service.yaml');
    assert.equal(svcText.slice(selectorRelated!.span.start, selectorRelated!.span.end), 'v1');
    assert.equal(labelsRelated!.file, 'deployment.yaml');
    assert.equal(deployText.slice(labelsRelated!.span.start, labelsRelated!.span.end), '{app: go-app, version: v1.2}');
  });

  test('a matching template gives servers', () => {
    assert.equal(state(predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web, v: "2"}') }).verdict), 'servers');
  });

  test('labels only on the workload\'s own metadata are called out', () => {
    const deploy = deployment('web', '{app: web}').replace('metadata: {name: web}', 'metadata: {name: web, labels: {app: web, tier: api}}');
    const { verdict } = predict({ 'a.yaml': service('{app: web, tier: api}'), 'b.yaml': deploy });
    assert.equal(state(verdict), 'none/no-match');
    if (verdict.state !== 'none' || verdict.reason !== 'no-match') return;
    assert.equal(verdict.data.onlyMetadataLabelsMatch, true);
    assert.deepEqual(verdict.data.differing, [{ key: 'tier', selector: 'api', labels: null }]);
    assert.match(verdict.cause, /Pods have no label tier \(only the Deployment's own metadata\.labels match/);
  });

  test('the closest workload is the one sharing a distinctive pair, and a Pod is named in the singular', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web-debug}\nspec: {containers: [{name: a, image: x}]}\n';
    const { verdict } = predict({
      'a.yaml': service('{app: web, track: stable}'),
      'b.yaml': deployment('api', '{app: api, track: stable}'),
      'c.yaml': pod.replace('{name: web-debug}', '{name: web-debug, labels: {app: web, track: canary}}'),
    });
    assert.equal(state(verdict), 'none/no-match');
    if (verdict.state !== 'none' || verdict.reason !== 'no-match') return;
    assert.equal(verdict.data.workload.name, 'web-debug');
    assert.equal(verdict.cause, 'the Service selects app=web,track=stable but Pod web-debug is labelled track=canary');
  });

  test('a workload named like the Service is evidence even without a shared pair', () => {
    const { verdict } = predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: webapp}') });
    assert.equal(state(verdict), 'none/no-match');
  });

  test('unknown when nothing in the namespace looks meant: no workloads, other namespaces, only shared keys', () => {
    assert.equal(state(predict({ 'a.yaml': service('{app: web}') }).verdict), 'unknown');
    const elsewhere = deployment('web', '{app: web}').replace('metadata: {name: web}', 'metadata: {name: web, namespace: other}');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}'), 'b.yaml': elsewhere }).verdict), 'unknown');
    const onlyShared = predict({
      'a.yaml': service('{app.kubernetes.io/name: redis, app.kubernetes.io/instance: shop, tier: cache}'),
      'b.yaml': deployment('frontend', '{app.kubernetes.io/name: frontend, app.kubernetes.io/instance: shop, tier: cache}'),
    });
    assert.equal(state(onlyShared.verdict), 'unknown');
  });

  test('unknown when the selector uses a label controllers add at runtime', () => {
    const { verdict } = predict({ 'a.yaml': service('{app: web, statefulset.kubernetes.io/pod-name: web-0}'), 'b.yaml': deployment('web', '{app: web}') });
    assert.equal(state(verdict), 'unknown');
  });

  test('unknown when a workload of the namespace has an unreadable template', () => {
    const rollout = 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: canary}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: canary}\n';
    assert.equal(state(predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: webapp}'), 'c.yaml': rollout }).verdict), 'unknown');
  });

  test('a kustomize patch completes its base: the union of their template labels can match', () => {
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata:\n      labels: {track: stable}\n';
    assert.equal(state(predict({ 'a.yaml': service('{app: web, track: stable}'), 'b.yaml': deployment('web', '{app: web}'), 'c.yaml': patch }).verdict), 'servers');
    const replicasOnly = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n';
    assert.equal(state(predict({ 'a.yaml': service('{app: web, track: stable}'), 'b.yaml': deployment('web', '{app: web}'), 'c.yaml': replicasOnly }).verdict), 'none/no-match',
      'a patch without a template does not hide its base\'s mismatch');
  });

  test('CronJob, Job and StatefulSet templates count', () => {
    const cron = 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: web}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: web}}\n        spec: {containers: [{name: a, image: x, ports: [{name: http, containerPort: 1}]}]}\n';
    assert.equal(state(predict({ 'a.yaml': service('{app: web}'), 'b.yaml': cron }).verdict), 'servers');
  });
});

describe('endpoint prediction: no selector, explicit endpoints, ExternalName', () => {
  const selectorless = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{name: http, port: 80}]\n';

  test('a Service without a selector has no managed endpoints', () => {
    const { verdict } = predict({ 'a.yaml': selectorless });
    assert.equal(state(verdict), 'none/no-selector');
    assert.ok(verdict.state === 'none' && verdict.message.startsWith('Traefik finds no servers for default/web and drops this route (404): Service default/web has no spec.selector'));
    assert.equal(state(predict({ 'a.yaml': service('{}') }).verdict), 'none/no-selector', 'an empty selector is no selector');
  });

  test('hand-written EndpointSlices or Endpoints leave the verdict to whoever reads them', () => {
    const slice = 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-x, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints: []\n';
    assert.equal(state(predict({ 'a.yaml': selectorless, 'b.yaml': slice }).verdict), 'unknown');
    const endpoints = 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets: []\n';
    assert.equal(state(predict({ 'a.yaml': selectorless, 'b.yaml': endpoints }).verdict), 'unknown');
    const otherSlice = slice.replace('service-name: web', 'service-name: api');
    assert.equal(state(predict({ 'a.yaml': selectorless, 'b.yaml': otherSlice }).verdict), 'none/no-selector');
  });

  test('another document of the same Service may carry the selector (a kustomize base)', () => {
    const index = new WorkspaceIndex();
    index.setFile(parseFile('patch.yaml', selectorless));
    index.setFile(parseFile('base.yaml', service('{app: web}')));
    const patch = index.getFile('patch.yaml')!.resources[0]!;
    assert.equal(state(predictEndpointsFromWorkloads(view(index), patch, undefined)), 'unknown');
  });

  test('ExternalName Services have no endpoints to predict', () => {
    const external = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: ExternalName, externalName: example.com}\n';
    assert.equal(state(predict({ 'a.yaml': external }, 'web', null).verdict), 'unknown');
  });
});

describe('endpoint prediction: target ports', () => {
  test('a named targetPort no selected container declares', () => {
    const { verdict } = predict({ 'a.yaml': service('{app: web}', '[{name: web, port: 80, targetPort: htp}]'), 'b.yaml': deployment('web', '{app: web}') });
    assert.equal(state(verdict), 'none/named-port-missing');
    if (verdict.state !== 'none' || verdict.reason !== 'named-port-missing') return;
    assert.equal(verdict.cause, 'the Service\'s port web (80) sends traffic to targetPort "htp", but no container of Deployment web\'s Pods declares a port named "htp" (declared: http/8080)');
    assert.equal(verdict.data.suggestion, 'http');
    assert.deepEqual(verdict.data.declaredPorts, [{ container: 'web', name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('the protocol must match too', () => {
    const { verdict } = predict({ 'a.yaml': service('{app: web}', '[{name: dns, port: 53, protocol: UDP, targetPort: http}]'), 'b.yaml': deployment('web', '{app: web}') });
    assert.equal(state(verdict), 'none/named-port-missing');
  });

  test('a sidecar\'s port, a number, or no port at all are fine', () => {
    const withSidecar = deployment('web', '{app: web}').replace('      containers:', '      initContainers: [{name: s, image: x, restartPolicy: Always, ports: [{name: metrics, containerPort: 9100}]}]\n      containers:');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}', '[{port: 9100, targetPort: metrics}]'), 'b.yaml': withSidecar }).verdict), 'servers');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}', '[{port: 80, targetPort: 8080}]'), 'b.yaml': deployment('web', '{app: web}', '[{name: a, image: x}]') }).verdict), 'servers');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}', '[{port: 80}]'), 'b.yaml': deployment('web', '{app: web}', '[{name: a, image: x}]') }).verdict), 'servers');
  });

  test('unknown when the containers cannot be read, or the name is a quoted number', () => {
    const patchOnly = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n';
    assert.equal(state(predict({ 'a.yaml': service('{app: web}', '[{port: 80, targetPort: htp}]'), 'b.yaml': patchOnly }).verdict), 'unknown');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}', '[{port: 80, targetPort: "8080"}]'), 'b.yaml': deployment('web', '{app: web}') }).verdict), 'unknown');
  });

  test('one matching workload with the port is enough', () => {
    const { verdict } = predict({
      'a.yaml': service('{tier: web}', '[{port: 80, targetPort: http}]'),
      'b.yaml': deployment('old', '{tier: web}', '[{name: a, image: x}]'),
      'c.yaml': deployment('new', '{tier: web}'),
    });
    assert.equal(state(verdict), 'servers');
  });
});

describe('endpoint prediction: readiness and replicas', () => {
  const probed = (probe: string) => `[{name: web, image: x, ports: [{name: http, containerPort: 8080}], ${probe}}]`;

  test('a readiness or startup probe on an undeclared port name keeps the Pods unready', () => {
    for (const probe of ['readinessProbe: {httpGet: {path: /, port: health}}', 'startupProbe: {tcpSocket: {port: health}}']) {
      const { verdict } = predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web}', probed(probe)) });
      assert.equal(state(verdict), 'none/never-ready', probe);
    }
    const { verdict } = predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web}', probed('readinessProbe: {httpGet: {path: /, port: health}}')) });
    assert.ok(verdict.state === 'none');
    assert.equal(verdict.cause, 'Deployment web\'s Pods never become ready: the readiness probe of container web uses port "health", which that container does not declare (declared: http/8080)');
  });

  test('liveness failures, numeric ports, publishNotReadyAddresses and a second ready workload do not make it unready', () => {
    const failing = probed('readinessProbe: {httpGet: {path: /, port: health}}');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web}', probed('livenessProbe: {httpGet: {path: /, port: health}}')) }).verdict), 'servers');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web}', probed('readinessProbe: {tcpSocket: {port: 9999}}')) }).verdict), 'servers');
    assert.equal(state(predict({ 'a.yaml': service('{app: web}', undefined, '  publishNotReadyAddresses: true\n'), 'b.yaml': deployment('web', '{app: web}', failing) }).verdict), 'servers');
    assert.equal(state(predict({ 'a.yaml': service('{tier: web}'), 'b.yaml': deployment('web', '{tier: web}', failing), 'c.yaml': deployment('api', '{tier: web}') }).verdict), 'servers');
  });

  test('replicas: 0 still has servers, flagged as scaled to zero', () => {
    const zero = predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web}', undefined, '  replicas: 0\n') }).verdict;
    assert.deepEqual(zero, { state: 'servers', scaledToZero: true });
    const three = predict({ 'a.yaml': service('{app: web}'), 'b.yaml': deployment('web', '{app: web}', undefined, '  replicas: 3\n') }).verdict;
    assert.deepEqual(three, { state: 'servers' });
  });
});

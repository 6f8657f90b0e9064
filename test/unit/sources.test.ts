/**
 * Sources the workspace does not spell out (core/sources): the provider options a repository sets for Traefik,
 * where they were read, how explicit settings override them, and unverified references as errors on request.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { Analyzer } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { makeAnalysisOptions } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { allChecks } from '../../server/src/core/rules';
import { discoverProviderOptions, isTraefikImage, isTraefikInstall } from '../../server/src/core/sources/providerOptions';
import type { RepositoryLayer } from '../../server/src/core/sources/repositoryLayer';
import { analyzeSources } from '../../server/src/core/workspace';

function resources(file: string, text: string) {
  return parseFile(file, text).resources;
}

const deployment = (image: string, args: string[], env = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: traefik
  namespace: traefik
spec:
  template:
    spec:
      containers:
        - name: traefik
          image: ${image}
          args:
${args.map((a) => `            - ${a}`).join('\n')}
${env}`;

const helmRelease = (values: string, version = '33.0.0') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: traefik
  namespace: traefik
spec:
  chart:
    spec:
      chart: traefik
      version: ${version}
  values:
${values}`;

describe('provider options found in the repository', () => {
  test('Traefik\'s Deployment: flags with and without a value, environment variables, the image tag', () => {
    const env = '          env:\n            - name: TRAEFIK_PROVIDERS_KUBERNETESCRD_ALLOWEMPTYSERVICES\n              value: "true"\n';
    const found = discoverProviderOptions(resources('traefik.yaml', deployment('docker.io/traefik:v2.11.3', [
      '--providers.kubernetescrd.allowCrossNamespace=true', '--providers.kubernetescrd.allowexternalnameservices', '--providers.kubernetescrd.namespaces=apps,infra',
    ], env)), []);
    assert.deepEqual(found.options, { allowCrossNamespace: true, allowExternalNameServices: true, allowEmptyServices: true, namespaces: ['apps', 'infra'], version: 'v2' });
    assert.equal(found.sources.allowCrossNamespace?.file, 'traefik.yaml');
    assert.equal(found.sources.allowCrossNamespace?.description, '--providers.kubernetescrd.allowCrossNamespace=true in Deployment traefik/traefik');
    assert.equal(found.sources.version?.description, 'image docker.io/traefik:v2.11.3 in Deployment traefik/traefik');
  });

  test('Helm values: a HelmRelease (the chart version gives the Traefik version), a k3s HelmChartConfig, a plain values file', () => {
    const release = discoverProviderOptions(resources('hr.yaml', helmRelease('    providers:\n      kubernetesCRD:\n        allowCrossNamespace: true\n        ingressClass: traefik-internal\n', '27.0.2')), []);
    assert.deepEqual(release.options, { allowCrossNamespace: true, ingressClass: 'traefik-internal', version: 'v2' });
    const k3s = discoverProviderOptions(resources('k3s.yaml', 'apiVersion: helm.cattle.io/v1\nkind: HelmChartConfig\nmetadata:\n  name: traefik\n  namespace: kube-system\nspec:\n  valuesContent: |-\n    image:\n      tag: v3.1.4\n    additionalArguments:\n      - --providers.kubernetescrd.allowEmptyServices=true\n'), []);
    assert.deepEqual(k3s.options, { allowEmptyServices: true, version: 'v3' });
    const values = parseFile('infrastructure/traefik/values.yaml', 'providers:\n  kubernetesCRD:\n    allowExternalNameServices: true\n');
    assert.equal(values.documents?.length, 1);
    const plain = discoverProviderOptions([], [{ file: values.file, root: values.documents![0]!.root }]);
    assert.deepEqual(plain.options, { allowExternalNameServices: true });
    assert.equal(plain.sources.allowExternalNameServices?.description, 'providers.kubernetesCRD.allowExternalNameServices in Helm values infrastructure/traefik/values.yaml');
  });

  test('several installations: an allow option any of them sets wins; namespaces and versions only when all agree', () => {
    const a = resources('a.yaml', deployment('traefik:v3.2', ['--providers.kubernetescrd.allowCrossNamespace=true', '--providers.kubernetescrd.namespaces=a']));
    const b = resources('b.yaml', helmRelease('    image:\n      tag: v2.11.0\n    providers:\n      kubernetesCRD:\n        allowCrossNamespace: false\n'));
    assert.deepEqual(discoverProviderOptions([...a, ...b], []).options, { allowCrossNamespace: true });
  });

  test('only Traefik itself is an installation', () => {
    assert.ok(isTraefikImage('traefik:v3.2'));
    assert.ok(isTraefikImage('ghcr.io/traefik/traefik:v3.2@sha256:abc'));
    assert.ok(isTraefikImage('rancher/mirrored-library-traefik:2.10.7'));
    assert.ok(!isTraefikImage('traefik/whoami:v1.10'));
    assert.ok(!isTraefikImage('ghcr.io/example/traefik-forward-auth:2'));
    assert.ok(!resources('w.yaml', deployment('traefik/whoami:v1.10', ['--port=80'])).some(isTraefikInstall));
  });
});

const crossNamespaceRoute = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: nas\n  namespace: infra\nspec:\n  selector:\n    app: nas\n  ports:\n    - port: 80\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: nas\n  namespace: apps\nspec:\n  routes:\n    - match: Host(`nas`)\n      services:\n        - name: nas\n          namespace: infra\n          port: 80\n';
const traefikValues = (allow: boolean) => helmRelease(`    providers:\n      kubernetesCRD:\n        allowCrossNamespace: ${allow}\n`);

describe('provider options in the analysis', () => {
  test('they apply unless the user set the option, and the layer tells where each came from', () => {
    const sources = [{ file: 'traefik.yaml', text: traefikValues(true) }, { file: 'route.yaml', text: crossNamespaceRoute }];
    const discovered = analyzeSources(sources, makeAnalysisOptions());
    assert.deepEqual(discovered.findings.get('route.yaml')!.map((f) => f.code), []);
    assert.equal((discovered.analyzer.layer as RepositoryLayer).providerOptions()?.sources.allowCrossNamespace?.file, 'traefik.yaml');
    const explicit = analyzeSources(sources, makeAnalysisOptions({ allowCrossNamespace: false }));
    assert.deepEqual(explicit.findings.get('route.yaml')!.map((f) => f.code), ['cross-namespace-reference']);
  });

  test('an edit of Traefik\'s installation re-analyses every route', () => {
    const index = new WorkspaceIndex();
    index.setFile(parseFile('traefik.yaml', traefikValues(true)));
    index.setFile(parseFile('route.yaml', crossNamespaceRoute));
    const analyzer = new Analyzer(index, makeAnalysisOptions(), allChecks);
    assert.deepEqual(analyzer.analyzeFile('route.yaml'), []);
    analyzer.analyzeFile('traefik.yaml');
    const before = index.getFile('traefik.yaml');
    const after = parseFile('traefik.yaml', traefikValues(false));
    index.setFile(after);
    assert.deepEqual([...analyzer.dependents('traefik.yaml', before, after)], ['route.yaml']);
    assert.deepEqual(analyzer.analyzeFile('route.yaml').map((f) => f.code), ['cross-namespace-reference']);
  });
});

describe('unverified references', () => {
  const files = [
    { file: 'release.yaml', text: 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: grafana\n  namespace: monitoring\nspec:\n  chart:\n    spec:\n      chart: grafana\n' },
    { file: 'route.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: loki\n  namespace: monitoring\nspec:\n  type: ExternalName\n  externalName: loki.lan\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: grafana\n  namespace: monitoring\nspec:\n  routes:\n    - match: Host(`grafana`)\n      services:\n        - name: grafana\n          port: 80\n' },
  ];

  test('are information naming the likely source, with where it is written', () => {
    const [finding] = analyzeSources(files, makeAnalysisOptions()).findings.get('route.yaml')!;
    assert.equal(finding?.code, 'reference-unverified');
    assert.equal(finding?.severity, 'information');
    assert.match(finding!.message, /^Service grafana may be created by HelmRelease monitoring\/grafana; not verified\./);
    assert.equal(finding?.data?.['originalCode'], 'service-not-found');
    assert.ok(finding?.related?.some((r) => r.file === 'release.yaml'));
  });

  test('are errors with unverifiedAsErrors', () => {
    const [finding] = analyzeSources(files, { ...makeAnalysisOptions(), unverifiedAsErrors: true }).findings.get('route.yaml')!;
    assert.equal(finding?.code, 'reference-unverified');
    assert.equal(finding?.severity, 'error');
  });

  test('an ApplicationSet\'s template parameters do not make it a Helm template', () => {
    const parsed = parseFile('appset.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: apps\n  namespace: argocd\nspec:\n  template:\n    metadata:\n      name: \'{{name}}\'\n');
    assert.deepEqual(parsed.resources.map((r) => r.kind), ['ApplicationSet']);
  });
});

/**
 * Helm charts rendered by a host (core/sources/chartRender.ts): which releases are planned, how helm's output becomes
 * a pseudo-file, and how the repository layer judges references once a chart's objects are known. The rendered text
 * here is written by hand the way `helm template` prints it; no helm runs in these tests.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { Analyzer } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { makeAnalysisOptions, type Finding } from '../../server/src/core/model';
import { parseFile, type ParsedFile } from '../../server/src/core/parse/parseFile';
import { allChecks } from '../../server/src/core/rules';
import {
  isRenderedChartFile, planChartRenders, readRenderedChart, renderedChartFile, renderedChartOf, type ChartRender,
} from '../../server/src/core/sources/chartRender';
import { analyzeParsed } from '../../server/src/core/workspace';

const chart = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;
const template = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  ports:\n    - port: 80\n';

function parsed(files: Record<string, string>): ParsedFile[] {
  return Object.entries(files).map(([file, text]) => parseFile(file, text));
}

function plan(files: Record<string, string>): ChartRender[] {
  return planChartRenders(parsed(files));
}

const helmRelease = (spec: string) => `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: wiki\n  namespace: flux-system\nspec:\n${spec}`;
const gitChart = '  chart:\n    spec:\n      chart: ./charts/wiki\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n';

describe('planning', () => {
  test('a chart nothing installs is one release named after the chart, in namespace default', () => {
    const [render, ...rest] = plan({ 'repo/charts/wiki/Chart.yaml': chart('wiki'), 'repo/charts/wiki/templates/service.yaml': template });
    assert.deepEqual(rest, []);
    assert.deepEqual(render, {
      file: 'repo/charts/wiki/Chart.yaml#helm-template:default:wiki', chartFile: 'repo/charts/wiki/Chart.yaml', chartDir: 'repo/charts/wiki',
      chartName: 'wiki', release: 'wiki', namespace: 'default', valuesFiles: [],
    });
    assert.ok(isRenderedChartFile(render!.file));
    assert.deepEqual(renderedChartOf(render!.file), { chartFile: 'repo/charts/wiki/Chart.yaml', namespace: 'default', release: 'wiki' });
  });

  test('subcharts are rendered by their parent, and library charts not at all', () => {
    const renders = plan({
      'charts/shop/Chart.yaml': chart('shop'),
      'charts/shop/charts/db/Chart.yaml': chart('db'),
      'charts/common/Chart.yaml': chart('common', 'type: library\n'),
    });
    assert.deepEqual(renders.map((r) => r.chartName), ['shop']);
  });

  test('a Flux HelmRelease of the local chart gives [targetNamespace-]name, its namespace and its values', () => {
    const [render, ...rest] = plan({
      'charts/wiki/Chart.yaml': chart('wiki'),
      'charts/wiki/values-prod.yaml': 'replicas: 2\n',
      'clusters/prod/wiki.yaml': helmRelease(`  targetNamespace: apps\n${gitChart}      valuesFiles:\n        - ./charts/wiki/values-prod.yaml\n  values:\n    service:\n      port: 8080\n      names: [a, b]\n`),
    });
    assert.deepEqual(rest, [], 'the chart is rendered for its installer only');
    assert.equal(render?.file, renderedChartFile('charts/wiki/Chart.yaml', 'apps', 'apps-wiki'));
    assert.equal(render?.installer, 'HelmRelease flux-system/wiki');
    assert.deepEqual(JSON.parse(render!.values!), { service: { port: 8080, names: ['a', 'b'] } });
    assert.deepEqual(render?.valuesFiles, ['charts/wiki/values-prod.yaml']);
    assert.equal(render?.problem, undefined);
  });

  test('a HelmRelease of a Helm repository installs no local chart; one with valuesFrom is not rendered faithfully', () => {
    const remote = plan({ 'charts/wiki/Chart.yaml': chart('wiki'), 'hr.yaml': helmRelease('  chart:\n    spec:\n      chart: wiki\n      sourceRef:\n        kind: HelmRepository\n        name: wiki\n') });
    assert.deepEqual(remote.map((r) => [r.release, r.namespace]), [['wiki', 'default']]);
    const [fromSecret] = plan({ 'charts/wiki/Chart.yaml': chart('wiki'), 'hr.yaml': helmRelease(`${gitChart}  valuesFrom:\n    - kind: Secret\n      name: wiki-values\n`) });
    assert.equal(fromSecret?.release, 'wiki');
    assert.equal(fromSecret?.namespace, 'flux-system');
    assert.match(fromSecret?.problem ?? '', /valuesFrom/);
  });

  test('an Argo CD Application source with the chart\'s path gives its release, destination and values', () => {
    const app = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: wiki\n  namespace: argocd\nspec:\n  destination:\n    namespace: web\n  source:\n    repoURL: https://git.example.com/infra.git\n    path: charts/wiki\n    helm:\n      releaseName: docs\n      valueFiles:\n        - values-web.yaml\n      valuesObject:\n        service:\n          port: 9000\n';
    const [render] = plan({ 'charts/wiki/Chart.yaml': chart('wiki'), 'charts/wiki/values-web.yaml': 'a: 1\n', 'apps/wiki.yaml': app });
    assert.deepEqual([render?.release, render?.namespace, render?.installer], ['docs', 'web', 'Application argocd/wiki']);
    assert.deepEqual(render?.valuesFiles, ['charts/wiki/values-web.yaml']);
    assert.deepEqual(JSON.parse(render!.values!), { service: { port: 9000 } });
    const [elsewhere] = plan({ 'charts/wiki/Chart.yaml': chart('wiki'), 'apps/wiki.yaml': app.replace('values-web.yaml', '$values/wiki/values.yaml') });
    assert.match(elsewhere?.problem ?? '', /\$values\/wiki\/values\.yaml comes from outside the workspace/);
  });

  test('a release name Helm refuses is a problem, not an argument for helm', () => {
    const [render] = plan({ 'charts/wiki/Chart.yaml': chart('wiki'), 'hr.yaml': helmRelease(`  releaseName: --post-renderer=/bin/sh\n${gitChart}`) });
    assert.match(render?.problem ?? '', /the release name "--post-renderer=\/bin\/sh" is not one Helm accepts/);
  });
});

describe('rendered output', () => {
  const render = plan({ 'charts/wiki/Chart.yaml': chart('wiki') })[0]!;
  const output = [
    '---', '# Source: wiki/templates/service.yaml', 'apiVersion: v1', 'kind: Service', 'metadata:', '  name: wiki-web', 'spec:', '  ports:', '    - port: 80',
    '---', '# Source: wiki/templates/other.yaml', 'apiVersion: v1', 'kind: Service', 'metadata:', '  name: wiki-admin', '  namespace: admin', 'spec:', '  ports:', '    - port: 80',
    '---', '# Source: wiki/templates/broken.yaml', 'apiVersion: v1', 'kind: Service', 'metadata: [', '',
  ].join('\n');

  test('objects without a namespace are in the release\'s, and nothing is reported on the pseudo-file', () => {
    const rendered = readRenderedChart({ ...render, namespace: 'web' }, output);
    assert.equal(rendered.file, render.file);
    assert.deepEqual(rendered.resources.map((r) => `${r.namespace}/${r.name}`), ['web/wiki-web', 'admin/wiki-admin']);
    assert.deepEqual(rendered.problems, []);
  });
});

/** The wiki chart, nothing installs it; routes in `default` (which has another Service) and in `other`. */
const workspace = {
  'charts/wiki/Chart.yaml': chart('wiki'),
  'charts/wiki/templates/service.yaml': template,
  'routes.yaml': [
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: homeassistant\nspec:\n  type: ExternalName\n  externalName: ha.lan',
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: search\n  namespace: other\nspec:\n  type: ExternalName\n  externalName: search.lan',
    'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: wiki\nspec:\n  routes:\n    - match: Host(`a`)\n      services:\n        - name: wiki-web\n          port: 80\n    - match: Host(`b`)\n      services:\n        - name: wiki-wbe\n          port: 80',
    'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: wiki\n  namespace: other\nspec:\n  routes:\n    - match: Host(`c`)\n      services:\n        - name: wiki-web\n          port: 80',
  ].join('\n---\n'),
};

/** The chart as helm renders it for release wiki in default, with a route of its own to a Service nobody creates. */
const renderedWiki = (release = 'wiki', namespace = 'default') => readRenderedChart(
  { ...plan({ 'charts/wiki/Chart.yaml': chart('wiki') })[0]!, file: renderedChartFile('charts/wiki/Chart.yaml', namespace, release), release, namespace },
  `---\n# Source: wiki/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${release}-web\nspec:\n  selector:\n    app: ${release}\n  ports:\n    - port: 80\n`
  + `---\n# Source: wiki/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${release}\nspec:\n  selector:\n    matchLabels:\n      app: ${release}\n  template:\n    metadata:\n      labels:\n        app: ${release}\n    spec:\n      containers:\n        - name: wiki\n          image: wiki:2.5\n`
  + `---\n# Source: wiki/templates/route.yaml\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: ${release}-internal\nspec:\n  routes:\n    - match: Host(\`d\`)\n      services:\n        - name: nowhere\n          port: 80\n`,
);

function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code} ${f.message.slice(0, 80)}`);
}

describe('judging references against a rendered chart', () => {
  test('without rendering, the chart may create the Service and its misspelling', () => {
    const findings = analyzeParsed(parsed(workspace), makeAnalysisOptions()).findings.get('routes.yaml')!;
    assert.deepEqual(findings.map((f) => f.code), ['reference-unverified', 'reference-unverified', 'reference-unverified']);
  });

  test('rendered, the Service resolves, the misspelling is not found, and the chart still may create it in other namespaces', () => {
    const result = analyzeParsed([...parsed(workspace), renderedWiki()], makeAnalysisOptions());
    const findings = result.findings.get('routes.yaml')!;
    assert.deepEqual(findings.map((f) => f.code), ['service-not-found', 'reference-unverified']);
    assert.match(findings[0]!.message, /kubernetes service not found: default\/wiki-wbe\. Did you mean "wiki-web"\?/);
    // Nothing installs the chart, so where else it goes is not known: its name still makes it a likely source there.
    assert.match(findings[1]!.message, /^Service other\/wiki-web may be created by Helm chart wiki/);
    // The rendered route to a missing Service is no finding: the pseudo-file has no editor file.
    assert.deepEqual(result.findings.get(renderedWiki().file), []);
  });

  test('a HelmRelease whose local chart was rendered creates what the render holds and nothing else', () => {
    const release = helmRelease(`  targetNamespace: other\n${gitChart}`);
    const files = { ...workspace, 'release.yaml': release };
    const before = analyzeParsed(parsed(files), makeAnalysisOptions()).findings.get('routes.yaml')!;
    assert.deepEqual(before.map((f) => f.code), ['reference-unverified', 'reference-unverified', 'reference-unverified']);
    const after = analyzeParsed([...parsed(files), renderedWiki('other-wiki', 'other')], makeAnalysisOptions()).findings.get('routes.yaml')!;
    // In `other` the release, named other-wiki, creates other-wiki-web and not wiki-web. In default, where nothing
    // installs the chart, the chart may still create both.
    assert.deepEqual(after.map((f) => f.code), ['reference-unverified', 'reference-unverified', 'service-not-found']);
    assert.match(after[2]!.message, /kubernetes service not found: other\/wiki-web\. Namespace other has no Service wiki-web; it has search, other-wiki-web\./);
  });

  test('adding and removing a render re-analyses exactly the files it changes, as a fresh analysis would', () => {
    const index = new WorkspaceIndex();
    for (const p of parsed(workspace)) index.setFile(p);
    const analyzer = new Analyzer(index, makeAnalysisOptions(), allChecks);
    for (const file of index.files()) analyzer.analyzeFile(file);
    const rendered = renderedWiki();
    const fresh = () => {
      const other = new Analyzer(index, makeAnalysisOptions(), allChecks);
      return summary(other.analyzeFile('routes.yaml'));
    };
    assert.ok(analyzer.dependents(rendered.file, undefined, rendered).has('routes.yaml'));
    index.setFile(rendered);
    assert.deepEqual(summary(analyzer.analyzeFile('routes.yaml')), fresh());
    assert.ok(analyzer.dependents(rendered.file, rendered, undefined).has('routes.yaml'));
    index.removeFile(rendered.file);
    analyzer.forget(rendered.file);
    const unrendered = analyzer.analyzeFile('routes.yaml');
    assert.deepEqual(summary(unrendered), fresh());
    assert.deepEqual(unrendered.map((f) => f.code), ['reference-unverified', 'reference-unverified', 'reference-unverified']);
  });
});

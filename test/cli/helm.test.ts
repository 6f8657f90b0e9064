/**
 * `route-doctor check --helm-render [--helm-path PATH]`: the Helm charts among the paths are rendered with
 * `helm template` and references are judged against their output. Real Helm is not available where these tests were
 * written, so helm is a stand-in script (test/helmStandIn.ts) that renders the simple test charts the same way.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../server/src/cli/main';
import { planChartRenders } from '../../server/src/core/sources/chartRender';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { helmTemplateArgs } from '../../server/src/host/helm';
import { wikiChart, writeHelmStandIn, type HelmStandIn } from '../helmStandIn';

interface JsonReport {
  resources: number;
  diagnostics: { file: string; code: string; severity: string; message: string }[];
}

let stand: HelmStandIn;
const dirs: string[] = [];

function workspace(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'route-doctor-cli-helm-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

function codes(report: JsonReport): string[] {
  return report.diagnostics.map((d) => `${d.file.split(/[\\/]/).slice(-2).join('/')} ${d.code}`);
}

before(() => {
  stand = writeHelmStandIn();
});

after(() => {
  stand.dispose();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A chart whose dependencies were never fetched: helm refuses to render it. */
const brokenChart = {
  'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\ndependencies:\n  - name: postgresql\n    version: 15.0.0\n    repository: https://charts.bitnami.com/bitnami\n',
  'charts/api/templates/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-http\nspec:\n  ports:\n    - port: 80\n',
  'routes/api.yaml': 'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: api\nspec:\n  routes:\n    - match: Host(`api.example.com`)\n      services:\n        - name: api-http\n          port: 80\n',
};

/** The wiki chart installed by a Flux HelmRelease into namespace apps, with its own values, and routes there. */
const releasedChart = {
  ...Object.fromEntries(Object.entries(wikiChart).filter(([file]) => file.startsWith('charts/'))),
  'clusters/prod/wiki.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: wiki\n  namespace: flux-system\nspec:\n  targetNamespace: apps\n  chart:\n    spec:\n      chart: ./charts/wiki\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n  values:\n    service:\n      port: 8080\n',
  'routes/wiki.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: search\n  namespace: apps\nspec:\n  type: ExternalName\n  externalName: search.lan\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: wiki\n  namespace: apps\nspec:\n  routes:\n    - match: Host(`wiki.example.com`)\n      services:\n        - name: apps-wiki-web\n          port: 8080\n    - match: Host(`wiki.example.org`)\n      services:\n        - name: apps-wiki-web\n          port: 3000\n',
};

describe('helm template arguments', () => {
  test('the release and the chart come after "--" and every value is one --flag=value argument', () => {
    const [render] = planChartRenders([parseFile('charts/wiki/Chart.yaml', wikiChart['charts/wiki/Chart.yaml']!)]);
    assert.deepEqual(helmTemplateArgs(render!, '/tmp/v.yaml'), ['template', '--namespace=default', '--values=/tmp/v.yaml', '--', 'wiki', 'charts/wiki']);
  });
});

describe('--helm-render (with a stand-in for helm, not real Helm)', () => {
  test('without --helm-render a Service only the chart creates is unverified, and so is a misspelling of it', async () => {
    const dir = workspace(wikiChart);
    const r = await runCli(['check', '--format', 'json', dir]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(codes(JSON.parse(r.stdout) as JsonReport), ['routes/wiki.yaml reference-unverified', 'routes/wiki.yaml reference-unverified']);
  });

  test('with --helm-render the Service the chart renders resolves, and the misspelling is not found with "Did you mean"', async () => {
    const dir = workspace(wikiChart);
    const calls = stand.invocations().length;
    const r = await runCli(['check', '--helm-render', '--helm-path', stand.path, '--format', 'json', dir]);
    assert.equal(r.stderr, '');
    assert.equal(r.exitCode, 1);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(codes(report), ['routes/wiki.yaml service-not-found']);
    assert.match(report.diagnostics[0]!.message, /kubernetes service not found: default\/wiki-wbe\. Did you mean "wiki-web"\?/);
    // A chart nothing installs is rendered as release <chart name> in namespace default.
    assert.deepEqual(stand.invocations().slice(calls), [['template', '--namespace=default', '--', 'wiki', join(dir, 'charts', 'wiki')]]);
    // The rendered objects are no resources of the workspace.
    assert.equal(report.resources, 3);
  });

  test('a HelmRelease of the local chart gives the release name, namespace and values', async () => {
    const dir = workspace(releasedChart);
    const unrendered = await runCli(['check', '--format', 'json', dir]);
    assert.deepEqual(codes(JSON.parse(unrendered.stdout) as JsonReport), ['routes/wiki.yaml reference-unverified', 'routes/wiki.yaml reference-unverified']);
    const calls = stand.invocations().length;
    const r = await runCli(['check', `--helm-render`, `--helm-path=${stand.path}`, '--format', 'json', dir]);
    assert.equal(r.stderr, '');
    // The release's values set port 8080: the route using 3000 names no port of the Service.
    assert.deepEqual(codes(JSON.parse(r.stdout) as JsonReport), ['routes/wiki.yaml service-port-not-found']);
    const [args] = stand.invocations().slice(calls);
    assert.deepEqual(args?.slice(0, 2), ['template', '--namespace=apps']);
    assert.match(args?.[2] ?? '', /^--values=.*route-doctor-helm-.*values\.yaml$/);
    assert.deepEqual(args?.slice(3), ['--', 'apps-wiki', join(dir, 'charts', 'wiki')]);
    assert.ok(!existsSync(dirname(args![2]!.slice('--values='.length))), 'the temporary values file is removed');
  });

  test('a chart helm cannot render stays unverified, with helm\'s first line on stderr once', async () => {
    const dir = workspace({ ...wikiChart, ...brokenChart });
    const r = await runCli(['check', '--helm-render', '--helm-path', stand.path, '--format', 'json', dir]);
    assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, r.stderr);
    assert.match(r.stderr, /^route-doctor: helm template failed for Helm chart api \(.*charts[\\/]api\), release api in namespace default: Error: An error occurred while checking for chart dependencies\. .*; its objects stay unverified\.\n$/);
    assert.deepEqual(codes(JSON.parse(r.stdout) as JsonReport), ['routes/api.yaml reference-unverified', 'routes/wiki.yaml service-not-found']);
  });

  test('without helm: one message for every chart, and the static checks report what they report without rendering', async () => {
    const dir = workspace({ ...wikiChart, ...brokenChart });
    const missing = join(dir, 'no-such-helm');
    const plain = await runCli(['check', '--format', 'json', dir]);
    const r = await runCli(['check', '--helm-render', '--helm-path', missing, '--format', 'json', dir]);
    assert.equal(r.stderr, `route-doctor: helm not found at '${missing}'; install Helm 3 or pass --helm-path; charts stay unverified.\n`);
    assert.equal(r.exitCode, plain.exitCode);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(plain.stdout));
  });

  test('the built CLI renders charts under a relative path', () => {
    const cli = join(__dirname, '..', '..', 'server', 'out', 'cli.js');
    if (!existsSync(cli)) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    const dir = workspace(wikiChart);
    const r = spawnSync(process.execPath, [cli, 'check', '--helm-render', '--helm-path', stand.path, '.'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^routes\/wiki\.yaml:\d+:\d+: error \[service-not-found\] .*Did you mean "wiki-web"\?/m);
    assert.doesNotMatch(r.stdout, /reference-unverified/);
  });
});

describe('flags', () => {
  test('--helm-path needs --helm-render, and the usage lists both', async () => {
    const r = await runCli(['check', '--helm-path', '/usr/local/bin/helm', '.']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /--helm-path is only used with --helm-render/);
    const help = await runCli(['--help']);
    assert.match(help.stdout, /--helm-render/);
    assert.match(help.stdout, /--helm-path PATH/);
  });
});

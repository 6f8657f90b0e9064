/**
 * The live cluster through the language server: the built server runs over stdio with KUBECONFIG pointing at the
 * Kubernetes-API-compatible test server (seeded with the README's example as applied, Pods and Traefik's log), and
 * is driven with `routeDoctor/diagnoseCluster` and `routeDoctor/listContexts` the way the extension drives it.
 * Also: the report view of that diagnosis, rendered in a light and a dark theme and screenshotted with headless
 * Chromium (test-results/live-report/), where Chromium is installed.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { renderReportHtml } from '../../client/src/reportHtml';
import { kubeconfigContexts, LiveDiagnostics } from '../../server/src/lsp/cluster';
import {
  diagnoseClusterRequest, listContextsRequest, objectLinkKey, routeLinkKey, untrustedClusterMessage,
  type DiagnoseClusterReport, type DiagnoseClusterResult, type ListContextsResult,
} from '../../server/src/protocol';
import type { FakeApiServer } from '../cluster/fakeApiServer';
import { exampleFiles, startScenario, tempDir } from '../cluster/scenario';
import { ensureServerBuilt, repoRoot, TempWorkspace, withCode, withServer, type LspClient } from './harness';

let fake: FakeApiServer;
const tmp = tempDir();
/** The diagnosis of the seed scenario, kept for the screenshots. */
let seedResult: DiagnoseClusterReport | undefined;

before(async () => {
  ensureServerBuilt();
  fake = await startScenario();
  // The spawned server inherits this environment: KUBECONFIG is the only way it is told where the cluster is.
  process.env.KUBECONFIG = fake.writeKubeconfig(tmp.dir);
});
after(async () => {
  await fake.close();
  tmp.remove();
});
afterEach(() => fake.clearFaults());

function exampleWorkspace(): TempWorkspace {
  return new TempWorkspace(Object.fromEntries(exampleFiles().map((f) => [basename(f.file), f.text])));
}

function diagnose(client: LspClient, params: Record<string, unknown> = {}): Promise<DiagnoseClusterResult> {
  return client.request<DiagnoseClusterResult>(diagnoseClusterRequest, { trusted: true, ...params });
}

function done(result: DiagnoseClusterResult): DiagnoseClusterReport {
  assert.equal(result.outcome, 'done', JSON.stringify(result));
  return result as DiagnoseClusterReport;
}

function live(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => String(d.code).startsWith('live-'));
}

function text(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

function lines(diagnostics: readonly Diagnostic[], code: string): number[] {
  return [...new Set(withCode(diagnostics, code).map((d) => d.range.start.line))].sort((a, b) => a - b);
}

describe('routeDoctor/diagnoseCluster', () => {
  test('publishes the live findings beside the static ones and returns the route report', async () => {
    const ws = exampleWorkspace();
    await withServer(ws, {}, async (client) => {
      const route = ws.uri('ingressroute.yaml');
      await client.waitForDiagnostics(route, 'the static findings', (d) => withCode(d, 'service-not-found').length > 0);
      const result = done(await diagnose(client));
      seedResult = result;

      const d = await client.waitForDiagnostics(route, 'the live findings', (x) => live(x).length > 0);
      assert.deepEqual(lines(d, 'live-no-endpoints'), [13, 35], 'at the service references, like the static service-no-endpoints');
      for (const message of withCode(d, 'live-no-endpoints').map(text)) {
        assert.match(message, /selector \{app=go-app, version=v1\} matches no Pod/);
        assert.match(message, /have \{app=go-app, version=v1\.2\} \(version is v1\.2, not v1\)/);
      }
      assert.deepEqual(lines(d, 'live-traefik-error'), [13, 21, 28, 33, 35]);
      assert.match(text(withCode(d, 'live-traefik-error').find((x) => x.range.start.line === 33)!), /middleware \\"default-auth@kubernetescrd\\" does not exist/);
      assert.deepEqual(lines(d, 'service-not-found'), [21], 'the static findings stay');
      assert.deepEqual(live(client.diagnostics(ws.uri('service.yaml')) ?? []), []);

      const row = result.report.routes[0]!;
      assert.equal(row.status, 'broken');
      assert.deepEqual(row.backends[0]!.hops.map((h) => `${h.kind}:${h.status}`), ['Service:ok', 'EndpointSlices:broken', 'Pods:broken']);
      assert.match(row.backends[0]!.hops[2]!.reason, /version is v1\.2, not v1/);
      assert.deepEqual({ ...result.summary, codes: undefined }, { routes: 4, ok: 0, broken: 4, unknown: 0, errors: 8, warnings: 0, files: 1, codes: undefined });
      assert.equal(result.summary.codes['live-no-endpoints'], 2);
      assert.deepEqual(result.problems, []);
      assert.equal(result.report.context, 'fake');
      assert.deepEqual(result.links[routeLinkKey(0)], { uri: route, line: 10, character: 13 });
      assert.deepEqual(result.links[objectLinkKey('Service', 'default/go-app')], { uri: ws.uri('service.yaml'), line: 5, character: 8 });
      assert.deepEqual(result.links[objectLinkKey('IngressRoute', 'default/go-app-route')], { uri: route, line: 3, character: 8 });
      assert.equal(result.links[objectLinkKey('Middleware', 'default/auth')], undefined, 'no workspace file defines it');
    });
  });

  test('a static re-analysis keeps a file\'s live findings; opening it keeps them; editing it drops them at once', async () => {
    const ws = exampleWorkspace();
    await withServer(ws, {}, async (client) => {
      const route = ws.uri('ingressroute.yaml');
      await client.waitForIdle();
      done(await diagnose(client));
      await client.waitForDiagnostics(route, 'the live findings', (d) => live(d).length > 0);

      // Fixing the selector in the editor re-analyses the route file: its static finding goes, the live one stays
      // (the cluster still runs the old selector).
      const service = exampleFiles().find((f) => f.file.endsWith('service.yaml'))!.text;
      client.open(ws.uri('service.yaml'), service);
      client.change(ws.uri('service.yaml'), service.replace('version: v1\n', 'version: v1.2\n'));
      const d = await client.waitForDiagnostics(route, 'the static service-no-endpoints gone', (x) => withCode(x, 'service-no-endpoints').length === 0);
      assert.deepEqual(lines(d, 'live-no-endpoints'), [13, 35]);

      const text = exampleFiles().find((f) => f.file.endsWith('ingressroute.yaml'))!.text;
      client.open(route, text);
      await client.waitFor('the opened document analysed', () => (client.publishedVersion(route) === 1 ? true : undefined));
      assert.deepEqual(lines(client.diagnostics(route)!, 'live-no-endpoints'), [13, 35], 'the same text: the findings still hold');

      client.change(route, `${text}# edited\n`);
      const edited = await client.waitForDiagnostics(route, 'the live findings dropped', (x) => live(x).length === 0);
      assert.deepEqual(lines(edited, 'service-not-found'), [21]);
    });
  });

  test('a fault (403 on Pods): the report is still produced, the problem names it, and the re-run replaces the live findings', async () => {
    const ws = exampleWorkspace();
    await withServer(ws, {}, async (client) => {
      const route = ws.uri('ingressroute.yaml');
      await client.waitForIdle();
      done(await diagnose(client));
      await client.waitForDiagnostics(route, 'the live findings', (d) => withCode(d, 'live-no-endpoints').length > 0);

      fake.addFault({ path: '/api/v1/namespaces/default/pods', status: 403 });
      const result = done(await diagnose(client));
      assert.deepEqual(result.problems.map((p) => `${p.code} ${p.resource} ${p.namespace} ${p.fatal}`), ['forbidden pods default false']);
      assert.match(result.problems[0]!.message, /Not allowed to list pods in namespace default \(403 Forbidden/);
      assert.equal(result.report.routes.length, 4);
      assert.deepEqual(result.report.routes[0]!.backends[0]!.hops.map((h) => `${h.kind}:${h.status}`), ['Service:ok', 'EndpointSlices:broken', 'Pods:unknown']);
      const d = await client.waitForDiagnostics(route, 'the re-run\'s live findings', (x) => !withCode(x, 'live-no-endpoints').some((f) => /version is v1\.2/.test(text(f))));
      assert.ok(withCode(d, 'live-traefik-error').length > 0, 'what did not need the Pods is still reported');
    });
  });

  test('cancelled while the API server delays: a cancelled result at once, and no live diagnostics', async () => {
    const ws = exampleWorkspace();
    await withServer(ws, {}, async (client) => {
      const route = ws.uri('ingressroute.yaml');
      await client.waitForIdle();
      fake.addFault({ path: '/api/v1/namespaces/default/pods', hang: true });
      // The requests of earlier tests are forgotten, so that the wait below is for this diagnosis's request.
      fake.requests.length = 0;
      const source = new CancellationTokenSource();
      const pending = client.request<DiagnoseClusterResult>(diagnoseClusterRequest, { trusted: true, timeoutMs: 120_000 }, source.token);
      await fake.waitForRequest(/^\/api\/v1\/namespaces\/default\/pods$/);
      const cancelledAt = performance.now();
      source.cancel();
      const result = await pending;
      const elapsed = performance.now() - cancelledAt;
      assert.deepEqual(result, { outcome: 'cancelled', message: 'The live diagnosis was cancelled.' });
      assert.ok(elapsed < 5000, `answered ${Math.round(elapsed)} ms after the cancellation, not after the request timeout`);

      // Cancelled before the server even dispatched it: the token it gets is cancelled already and never fires.
      const early = new CancellationTokenSource();
      const second = client.request<DiagnoseClusterResult>(diagnoseClusterRequest, { trusted: true, timeoutMs: 120_000 }, early.token);
      early.cancel();
      assert.equal((await second).outcome, 'cancelled');
      assert.deepEqual(live(client.diagnostics(route) ?? []), []);
    });
  });

  test('an untrusted workspace: refused, and the cluster is not contacted', async () => {
    const ws = exampleWorkspace();
    await withServer(ws, {}, async (client) => {
      await client.waitForIdle();
      const requests = fake.requests.length;
      assert.deepEqual(await diagnose(client, { trusted: false }), { outcome: 'refused', message: untrustedClusterMessage });
      assert.deepEqual(await client.request(diagnoseClusterRequest, {}), { outcome: 'refused', message: untrustedClusterMessage }, 'trust must be stated');
      assert.deepEqual(await client.request(listContextsRequest, { trusted: false }), { outcome: 'refused', message: untrustedClusterMessage });
      assert.equal(fake.requests.length, requests);
      assert.deepEqual(live(client.diagnostics(ws.uri('ingressroute.yaml')) ?? []), []);
    });
  });

  test('routeDoctor/listContexts: the kubeconfig\'s contexts, without credentials', async () => {
    const ws = exampleWorkspace();
    await withServer(ws, {}, async (client) => {
      const result = await client.request<ListContextsResult>(listContextsRequest, { trusted: true });
      assert.deepEqual(result, { outcome: 'done', contexts: [{ name: 'fake', cluster: 'fake-cluster', namespace: 'default' }], current: 'fake' });
      assert.doesNotMatch(JSON.stringify(result), /test-token/);
    });
  });
});

describe('kubeconfigContexts', () => {
  test('kubectl\'s loading rules: KUBECONFIG\'s files in order, missing ones skipped, the first name and current-context win', () => {
    const dir = join(tmp.dir, 'merge');
    const a = fake.writeKubeconfig(dir, { context: 'kind-dev', file: 'a' });
    const b = fake.writeKubeconfig(dir, { context: 'minikube', file: 'b' });
    const env = { KUBECONFIG: [join(dir, 'missing'), a, b, a].join(process.platform === 'win32' ? ';' : ':') };
    assert.deepEqual(kubeconfigContexts(env), {
      outcome: 'done',
      contexts: [{ name: 'kind-dev', cluster: 'kind-dev-cluster', namespace: 'default' }, { name: 'minikube', cluster: 'minikube-cluster', namespace: 'default' }],
      current: 'kind-dev',
    });
    assert.deepEqual(kubeconfigContexts({}, dir), {
      outcome: 'failed',
      message: `No kubeconfig found (looked for ${join(dir, '.kube', 'config')}). Set KUBECONFIG or create ~/.kube/config; minikube, kind and k3d write it for you.`,
    });
  });

  test('a broken kubeconfig is reported by line, without the excerpt the YAML parser would quote', () => {
    const file = join(tmp.dir, 'broken');
    writeFileSync(file, 'users:\n- name: u\n  user:\n    token: s3cr3t-token\n  : [\n');
    const result = kubeconfigContexts({ KUBECONFIG: file });
    assert.equal(result.outcome, 'failed');
    assert.doesNotMatch(JSON.stringify(result), /s3cr3t/);
    assert.match(JSON.stringify(result), /cannot be read \(YAML error on line \d+\)/);
  });
});

describe('LiveDiagnostics', () => {
  const file = join(tmp.dir, 'ws', 'route.yaml');
  const uri = pathToFileURL(file).toString();
  const diagnostic = (code: string): Diagnostic => ({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: code, code });
  const setup = (open: boolean) => {
    const sent: PublishDiagnosticsParams[] = [];
    const ld = new LiveDiagnostics((p) => sent.push(p), { uriOf: () => uri, isOpen: () => open });
    ld.publishStatic({ uri, diagnostics: [diagnostic('static')], version: 3 });
    ld.replace(new Map([[file, { diagnostics: [diagnostic('live-x')], text: 'a' }]]));
    return { sent, ld, codes: () => sent.at(-1)!.diagnostics.map((d) => d.code) };
  };

  test('live findings follow the static ones, survive a static re-publication, and are replaced by the next diagnosis', () => {
    const { sent, ld, codes } = setup(false);
    assert.deepEqual(sent.at(-1), { uri, version: 3, diagnostics: [diagnostic('static'), diagnostic('live-x')] });
    ld.publishStatic({ uri, diagnostics: [diagnostic('static2')] });
    assert.deepEqual(codes(), ['static2', 'live-x']);
    ld.replace(new Map());
    assert.deepEqual(codes(), ['static2']);
  });

  test('an edit drops them unless the text is the same; a change on disk only when the file is not open', () => {
    const closed = setup(false);
    closed.ld.edited(file, 'a');
    assert.deepEqual(closed.codes(), ['static', 'live-x']);
    closed.ld.changedOnDisk(join(tmp.dir, 'ws'));
    assert.deepEqual(closed.codes(), ['static']);
    const open = setup(true);
    open.ld.changedOnDisk(file);
    assert.deepEqual(open.codes(), ['static', 'live-x']);
    open.ld.edited(file, 'b');
    assert.deepEqual(open.codes(), ['static']);
  });

  test('a recorder tells which files changed while a diagnosis compared', () => {
    const { ld } = setup(false);
    const recorder = ld.record();
    ld.edited(file, 'b');
    assert.ok(recorder.changed(file, 'a'));
    assert.ok(!recorder.changed(file, 'b'));
    recorder.dispose();
    const next = ld.record();
    assert.ok(!next.changed(file, 'a'));
  });
});

/** The VS Code theme variables the report uses, as Light Modern and Dark Modern set them. */
const themes: Record<'light' | 'dark', Record<string, string>> = {
  light: {
    'font-family': '-apple-system, BlinkMacSystemFont, "Segoe UI", system-ui, Ubuntu, sans-serif', 'font-size': '13px', 'editor-font-family': 'Menlo, Consolas, "DejaVu Sans Mono", monospace',
    'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'descriptionForeground': '#3b3b3b', 'disabledForeground': '#61616180',
    'errorForeground': '#f85149', 'testing-iconPassed': '#388a34', 'charts-green': '#388a34', 'charts-red': '#e51400',
    'editorWarning-foreground': '#bf8803', 'widget-border': '#e5e5e5', 'editorWidget-background': '#f8f8f8',
    'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8', 'textPreformat-foreground': '#3b3b3b', 'focusBorder': '#005fb8',
  },
  dark: {
    'font-family': '-apple-system, BlinkMacSystemFont, "Segoe UI", system-ui, Ubuntu, sans-serif', 'font-size': '13px', 'editor-font-family': 'Menlo, Consolas, "DejaVu Sans Mono", monospace',
    'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'descriptionForeground': '#9d9d9d', 'disabledForeground': '#cccccc80',
    'errorForeground': '#f85149', 'testing-iconPassed': '#73c991', 'charts-green': '#89d185', 'charts-red': '#f14c4c',
    'editorWarning-foreground': '#cca700', 'widget-border': '#313131', 'editorWidget-background': '#202020',
    'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'textPreformat-foreground': '#d0d0d0', 'focusBorder': '#0078d4',
  },
};

const chromium = process.env.ROUTE_DOCTOR_CHROMIUM ?? '/usr/bin/chromium';

test('the report view of the seed diagnosis, screenshotted in a light and a dark theme', (t) => {
  assert.ok(seedResult, 'the first diagnosis ran');
  const out = join(repoRoot, 'test-results', 'live-report');
  mkdirSync(out, { recursive: true });
  const nonce = 'screenshot';
  for (const [name, variables] of Object.entries(themes)) {
    // VS Code sets the theme's variables on the webview's root element; the test page does it with a nonce'd style.
    const css = `:root { ${Object.entries(variables).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ')} }`;
    const html = renderReportHtml({ result: seedResult, nonce }).replace('</head>', `<style nonce="${nonce}">${css}</style>\n</head>`);
    writeFileSync(join(out, `${name}.html`), html);
  }
  if (!existsSync(chromium)) {
    t.skip(`${chromium} is not installed: the HTML is in ${out}, the screenshots were not taken`);
    return;
  }
  for (const name of Object.keys(themes)) {
    const png = join(out, `${name}.png`);
    const run = spawnSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1',
      `--user-data-dir=${join(tmp.dir, 'chromium')}`, '--window-size=1100,1420', `--screenshot=${png}`, pathToFileURL(join(out, `${name}.html`)).href,
    ], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(png), `${png} written`);
  }
});

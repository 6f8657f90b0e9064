/**
 * `routeDoctor.helm.render` in the language server: local charts are rendered with `helm template` only when the
 * client says the workspace is trusted, re-rendered when a chart's file changes, and dropped when the setting goes
 * off. Real Helm is not available where these tests were written, so helm is a stand-in script (test/helmStandIn.ts)
 * that renders the test chart the same way.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { FileChangeType, MessageType, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { changesAnalysis, helmRendering, normalizeSettings, readSettings } from '../../server/src/lsp/settings';
import { defaultSettings, workspaceTrustField } from '../../server/src/protocol';
import { wikiChart, writeHelmStandIn, type HelmStandIn } from '../helmStandIn';
import { ensureServerBuilt, TempWorkspace, withServer, type LspClient } from './harness';

let stand: HelmStandIn;

before(() => {
  ensureServerBuilt();
  stand = writeHelmStandIn();
});

after(() => stand.dispose());

function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function logged(client: LspClient, type: MessageType, pattern: RegExp): string[] {
  return client.logs.filter((l) => l.type === type && pattern.test(l.message)).map((l) => l.message);
}

const unverified = ['reference-unverified', 'reference-unverified'];

test('the helm settings: invalid values fall back to the defaults, and helm runs only with rendering on and trust', () => {
  assert.deepEqual(normalizeSettings({ helm: { render: 'yes', path: '  ' } }).helm, defaultSettings.helm);
  assert.deepEqual(normalizeSettings({ helm: { render: true, path: ' /opt/helm/bin/helm ' } }).helm, { render: true, path: '/opt/helm/bin/helm' });
  const on = { helm: { render: true, path: '/opt/helm' } };
  assert.equal(helmRendering(readSettings(on)), undefined, 'no trust field: untrusted');
  assert.equal(helmRendering(readSettings({ ...on, [workspaceTrustField]: 'true' })), undefined, 'only the value true is trust');
  assert.deepEqual(helmRendering(readSettings({ ...on, [workspaceTrustField]: true })), { path: '/opt/helm' });
  assert.equal(helmRendering(readSettings({ helm: { render: false }, [workspaceTrustField]: true })), undefined);
  // Rendering and trust change what is rendered, not the findings of the files as they are.
  assert.ok(!changesAnalysis(readSettings({}), readSettings({ ...on, [workspaceTrustField]: true })));
  assert.ok(changesAnalysis(readSettings({}), readSettings({ unverifiedAsErrors: true })));
});

test('trusted, with a stand-in for helm: the chart renders, re-renders when its values change, and leaves with the setting', async () => {
  const ws = new TempWorkspace(wikiChart);
  const route = ws.uri('routes/wiki.yaml');
  const settings = { helm: { render: true, path: stand.path }, [workspaceTrustField]: true };
  await withServer(ws, { settings }, async (client) => {
    const rendered = await client.waitForDiagnostics(route, 'the route judged against the rendered chart', (d) => same(codes(d), ['service-not-found']));
    assert.match(typeof rendered[0]!.message === 'string' ? rendered[0]!.message : rendered[0]!.message.value, /Did you mean "wiki-web"\?/);
    assert.equal(logged(client, MessageType.Info, /^Rendered Helm chart wiki \(.*charts[\\/]wiki\), release wiki in namespace default in \d+ ms: 2 objects, 2 of kinds Route Doctor reads\.$/).length, 1);

    // The chart's Service now listens on 4000: the route's port 3000 is none of its ports.
    ws.write('charts/wiki/values.yaml', 'service:\n  port: 4000\n');
    client.watchedFilesChanged([{ uri: ws.uri('charts/wiki/values.yaml'), type: FileChangeType.Changed }]);
    await client.waitForDiagnostics(route, 'the route judged against the chart rendered again', (d) => same(codes(d), ['service-port-not-found', 'service-not-found']));

    client.configure({ ...settings, helm: { render: false, path: stand.path } });
    await client.waitForDiagnostics(route, 'the chart unverified again once rendering is off', (d) => same(codes(d), unverified));
  });
});

test('untrusted: helm never runs until the client says the workspace is trusted', async () => {
  const ws = new TempWorkspace(wikiChart);
  const route = ws.uri('routes/wiki.yaml');
  const calls = stand.invocations().length;
  await withServer(ws, { settings: { helm: { render: true, path: stand.path } } }, async (client) => {
    await client.waitForIdle();
    await client.waitForDiagnostics(route, 'the static findings', (d) => same(codes(d), unverified));
    assert.equal(logged(client, MessageType.Info, /only in trusted workspaces; this workspace is not trusted, so its Helm charts stay unverified\.$/).length, 1);
    assert.equal(stand.invocations().length, calls, 'the stand-in for helm was never run');

    client.configure({ helm: { render: true, path: stand.path }, [workspaceTrustField]: true });
    await client.waitForDiagnostics(route, 'the chart rendered once trusted', (d) => same(codes(d), ['service-not-found']));
  });
});

test('without helm: one message, and the static checks still run', async () => {
  const ws = new TempWorkspace({ ...wikiChart, 'charts/blog/Chart.yaml': 'apiVersion: v2\nname: blog\nversion: 0.1.0\n' });
  const missing = ws.path('no-such-helm');
  const message = `helm not found at '${missing}'; install Helm 3 or set routeDoctor.helm.path; charts stay unverified.`;
  await withServer(ws, { settings: { helm: { render: true, path: missing }, [workspaceTrustField]: true } }, async (client) => {
    await client.waitFor('the message about helm', () => (logged(client, MessageType.Warning, /^helm not found/).length > 0 ? true : undefined));
    await client.waitForDiagnostics(ws.uri('routes/wiki.yaml'), 'the static findings', (d) => same(codes(d), unverified));
    // A change to a chart plans and tries again; the message is not repeated.
    ws.write('charts/wiki/values.yaml', 'service:\n  port: 4000\n');
    client.watchedFilesChanged([{ uri: ws.uri('charts/wiki/values.yaml'), type: FileChangeType.Changed }]);
    const statuses = client.statuses.length;
    await client.waitFor('the status after the second attempt', () => (client.statuses.length > statuses + 1 ? true : undefined));
    assert.deepEqual(logged(client, MessageType.Warning, /^helm not found/), [message]);
  });
});

/**
 * Hovers, code actions, definition, references, rename, completion and code lenses, end to end: the built server is
 * started over stdio on a copy of the example workspace and asked the way VS Code asks. Edits the server returns are
 * applied to the document as an editor would, and the test then waits for the diagnostics that follow.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type {
  CodeAction, CodeLens, CompletionItem, CompletionList, Hover, Location, MarkupContent, Range, TextEdit, WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/core/lineIndex';
import { ensureServerBuilt, repoRoot, TempWorkspace, withCode, withServer, type LspClient } from './harness';

before(() => ensureServerBuilt());

const exampleDir = join(repoRoot, 'examples', 'go-app-404');

function example(): { workspace: TempWorkspace; texts: Map<string, string> } {
  const texts = new Map(readdirSync(exampleDir).map((file) => [file, readFileSync(join(exampleDir, file), 'utf8')]));
  return { workspace: new TempWorkspace(Object.fromEntries(texts)), texts };
}

/** The position `delta` characters into the first occurrence of `needle`. */
function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} is in the text`);
  return new LineIndex(text).position(i + delta);
}

/** Applies LSP text edits to a text, as an editor applies a workspace edit. */
function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = edits.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  return edit?.changes?.[uri] ?? [];
}

async function ready(client: LspClient, workspace: TempWorkspace): Promise<void> {
  await client.waitForIdle();
  await client.waitForDiagnostics(workspace.uri('ingressroute.yaml'), 'the example\'s route diagnostics', (d) => withCode(d, 'service-not-found').length === 1);
}

test('hover over a service reference explains the chain, with links to files and lines', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const route = texts.get('ingressroute.yaml')!;
    const hover = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: workspace.uri('ingressroute.yaml') }, position: positionOf(route, '- name: go-app', 10),
    });
    assert.ok(hover);
    const markdown = (hover.contents as MarkupContent).value;
    assert.equal((hover.contents as MarkupContent).kind, 'markdown');
    assert.ok(markdown.includes(`[service.yaml:6](${workspace.uri('service.yaml')}#L6)`), markdown);
    assert.match(markdown, /\| \*\*`version`\*\* ✗ \| `v1` \| `v1\.2` \|/);
    assert.match(markdown, /no servers found for default\/go-app/);
    assert.deepEqual(hover.range, { start: positionOf(route, '- name: go-app', 8), end: positionOf(route, '- name: go-app', 14) });
    const none = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: workspace.uri('ingressroute.yaml') }, position: { line: 0, character: 2 } });
    assert.equal(none, null);
  });
});

test('a quick fix renames the typo\'d Service; applied, its diagnostic disappears and no new one appears on its line', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const uri = workspace.uri('ingressroute.yaml');
    const diagnostic = withCode(client.diagnostics(uri)!, 'service-not-found')[0]!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    assert.deepEqual(actions.map((a) => `${a.kind}${a.isPreferred ? '*' : ''}: ${a.title}`), [
      'quickfix*: Change to Service go-app',
      'quickfix: Ignore service-not-found for this resource',
      'quickfix: Ignore service-not-found on this line',
    ]);
    assert.equal(actions[0]!.diagnostics?.[0]?.code, 'service-not-found');
    const fixed = applyTextEdits(texts.get('ingressroute.yaml')!, editsFor(actions[0]!.edit, uri));
    assert.equal(fixed, texts.get('ingressroute.yaml')!.replace('name: go-ap\n', 'name: go-app\n'));
    client.open(uri, texts.get('ingressroute.yaml')!);
    client.change(uri, fixed);
    const after = await client.waitForDiagnostics(uri, 'service-not-found to disappear', (d) => withCode(d, 'service-not-found').length === 0);
    const onLine = after.filter((d) => d.range.start.line === diagnostic.range.start.line);
    // The route now reaches go-app, whose missing endpoints the other routes to it already report.
    assert.deepEqual(onLine.map((d) => d.code), ['service-no-endpoints']);
  });
});

test('aligning labels edits the Deployment in its own file', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const serviceUri = workspace.uri('service.yaml');
    const diagnostic = (await client.waitForDiagnostics(serviceUri, 'selector-no-match', (d) => withCode(d, 'selector-no-match').length === 1))[0]!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: serviceUri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ['quickfix'] } });
    const toService = actions.find((a) => a.title === 'Change the Service selector to match Deployment go-app')!;
    const toTemplate = actions.find((a) => a.title === 'Set version: v1 on the pod template of Deployment go-app')!;
    assert.deepEqual(Object.keys(toService.edit!.changes!), [serviceUri]);
    assert.deepEqual(Object.keys(toTemplate.edit!.changes!), [workspace.uri('deployment.yaml')]);
    const deploymentUri = workspace.uri('deployment.yaml');
    const relabelled = applyTextEdits(texts.get('deployment.yaml')!, editsFor(toTemplate.edit, deploymentUri));
    assert.equal(relabelled, texts.get('deployment.yaml')!.replace('version: v1.2', 'version: v1'));
    client.open(deploymentUri, texts.get('deployment.yaml')!);
    client.change(deploymentUri, relabelled);
    await client.waitForDiagnostics(serviceUri, 'the Service to select the Pods', (d, published) => published && withCode(d, 'selector-no-match').length === 0);
  });
});

test('"Fix all" applies only the unambiguous fixes of a file, as a source.fixAll action', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const uri = workspace.uri('ingressroute.yaml');
    const whole: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.deepEqual(actions.map((a) => `${a.kind}: ${a.title}`), ['source.fixAll.routeDoctor: Fix all auto-fixable problems']);
    const fixed = applyTextEdits(texts.get('ingressroute.yaml')!, editsFor(actions[0]!.edit, uri));
    assert.equal(fixed, texts.get('ingressroute.yaml')!.replace('name: go-ap\n', 'name: go-app\n').replace('port: 8080', 'port: 80'));
  });
});

test('go to definition and find references', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const route = texts.get('ingressroute.yaml')!;
    const service = texts.get('service.yaml')!;
    const definition = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: workspace.uri('ingressroute.yaml') }, position: positionOf(route, '- name: go-app', 10) });
    assert.deepEqual(definition, [{ uri: workspace.uri('service.yaml'), range: { start: positionOf(service, 'go-app'), end: positionOf(service, 'go-app', 6) } }]);
    const middleware = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: workspace.uri('ingressroute.yaml') }, position: positionOf(route, 'strip-api', 1) });
    assert.deepEqual(middleware.map((l) => l.uri), [workspace.uri('middleware.yaml')]);
    const references = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: workspace.uri('service.yaml') }, position: positionOf(service, 'go-app', 2), context: { includeDeclaration: true },
    });
    assert.deepEqual(references.map((l) => `${l.uri.split('/').pop()}:${l.range.start.line}`), ['service.yaml:5', 'ingressroute.yaml:13', 'ingressroute.yaml:27', 'ingressroute.yaml:35']);
  });
});

test('rename a Service across files, after prepareRename; an invalid name is refused', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const serviceUri = workspace.uri('service.yaml');
    const position = positionOf(texts.get('service.yaml')!, 'go-app', 3);
    const prepared = await client.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: serviceUri }, position });
    assert.equal(prepared.placeholder, 'go-app');
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: serviceUri }, position, newName: 'frontend' });
    assert.deepEqual(Object.keys(edit.changes!).sort(), [workspace.uri('ingressroute.yaml'), serviceUri].sort());
    const route = applyTextEdits(texts.get('ingressroute.yaml')!, editsFor(edit, workspace.uri('ingressroute.yaml')));
    assert.equal(route.match(/- name: frontend\n/g)?.length, 3);
    assert.ok(route.includes('- name: go-ap\n'), 'a reference to another Service is left alone');
    await assert.rejects(
      client.request('textDocument/rename', { textDocument: { uri: serviceUri }, position, newName: 'Front_End' }),
      /is not a valid Service name/,
    );
  });
});

test('completion offers Service names and ports; a code lens counts workloads and routes', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const uri = workspace.uri('ingressroute.yaml');
    const route = texts.get('ingressroute.yaml')!;
    const names = await client.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(route, 'go-ap\n', 5) });
    const nameItems = Array.isArray(names) ? names : names.items;
    assert.deepEqual(nameItems.map((i) => i.label), ['go-app']);
    assert.deepEqual((nameItems[0]!.textEdit as TextEdit).range, { start: positionOf(route, 'go-ap\n'), end: positionOf(route, 'go-ap\n', 5) });
    const ports = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: positionOf(route, 'port: 8080', 10) });
    assert.deepEqual(ports.map((i) => `${i.label} (${i.detail})`), ['80 (Service port web → targetPort http (8080))', 'web (Service port 80 → targetPort http (8080))']);
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: workspace.uri('service.yaml') } });
    assert.deepEqual(lenses.map((l) => `${l.range.start.line}: ${l.command?.title}`), ['5: selects 0 workloads · 3 routes']);
  });
});

test('requests answer for the text the editor shows, even right after an edit', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await ready(client, workspace);
    const uri = workspace.uri('service.yaml');
    client.open(uri, texts.get('service.yaml')!);
    const edited = texts.get('service.yaml')!.replace('version: v1\n', 'version: v1.2\n');
    client.change(uri, edited);
    // No wait for diagnostics: the hover itself must see the edit.
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(edited, 'go-app', 2) });
    assert.match((hover.contents as MarkupContent).value, /\*\*Pods\*\* selected by `app=go-app,version=v1\.2`:\n- Deployment `go-app`/);
  });
});

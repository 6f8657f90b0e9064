/**
 * Help inside Traefik rules and the clickable Service code lens, end to end over stdio: the hover on a matcher,
 * completion items as snippets with the range they replace, and the lens command with the JSON arguments the
 * client turns into `editor.action.showReferences` arguments.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  InsertTextFormat, type CodeLens, type CompletionItem, type Hover, type Location, type MarkupContent, type Position, type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/core/lineIndex';
import { commands } from '../../server/src/protocol';
import { ensureServerBuilt, repoRoot, TempWorkspace, withCode, withServer } from './harness';

before(() => ensureServerBuilt());

const exampleDir = join(repoRoot, 'examples', 'go-app-404');

function example(): { workspace: TempWorkspace; texts: Map<string, string> } {
  const texts = new Map(readdirSync(exampleDir).map((file) => [file, readFileSync(join(exampleDir, file), 'utf8')]));
  return { workspace: new TempWorkspace(Object.fromEntries(texts)), texts };
}

function positionOf(text: string, needle: string, delta = 0): Position {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} is in the text`);
  return new LineIndex(text).position(i + delta);
}

test('hover on a matcher and completion inside a rule, over LSP', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await client.waitForIdle();
    await client.waitForDiagnostics(workspace.uri('ingressroute.yaml'), 'the example\'s route diagnostics', (d) => withCode(d, 'service-not-found').length === 1);
    const uri = workspace.uri('ingressroute.yaml');
    const route = texts.get('ingressroute.yaml')!;
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(route, 'PathPrefix(`/api`)', 3) });
    assert.ok(hover);
    assert.match((hover.contents as MarkupContent).value, /^\*\*PathPrefix\*\* · HTTP matcher/);
    assert.deepEqual(hover.range, { start: positionOf(route, 'PathPrefix(`/api`)'), end: positionOf(route, 'PathPrefix(`/api`)', 10) });

    // Typing `&& ` after the first rule, as an editor would send it.
    const edited = route.replace('Host(`go.local`)\n', 'Host(`go.local`) && \n');
    client.open(uri, route);
    client.change(uri, edited);
    const at = positionOf(edited, 'Host(`go.local`) && \n', 20);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: at, context: { triggerKind: 1 } });
    const host = items.find((i) => i.label === 'Host');
    assert.ok(host, JSON.stringify(items.map((i) => i.label)));
    assert.equal(host.insertTextFormat, InsertTextFormat.Snippet);
    assert.equal(host.filterText, 'Host');
    assert.deepEqual(host.textEdit, { range: { start: at, end: at }, newText: 'Host(`$1`)' });
    assert.equal((host.documentation as MarkupContent).kind, 'markdown');
    assert.ok(!items.some((i) => i.label === 'HostHeader'), 'v3 syntax has no HostHeader');

    const hosts = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: positionOf(edited, 'go.local`) && Path', 2) });
    assert.deepEqual(hosts.map((i) => i.label), ['go.local']);
    assert.deepEqual((hosts[0]!.textEdit as TextEdit).range, { start: positionOf(edited, 'go.local`) && Path'), end: positionOf(edited, 'go.local`) && Path', 8) });
    assert.equal(hosts[0]!.insertTextFormat, undefined, 'a host is plain text');
  });
});

test('a Service code lens runs routeDoctor.showReferences with the lens position and the places it counts', async () => {
  const { workspace, texts } = example();
  await withServer(workspace, {}, async (client) => {
    await client.waitForIdle();
    const service = texts.get('service.yaml')!;
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: workspace.uri('service.yaml') } });
    assert.equal(lenses.length, 1);
    const command = lenses[0]!.command!;
    assert.equal(command.title, 'selects 0 workloads · 3 routes');
    assert.equal(command.command, commands.showReferences);
    const [uri, position, locations] = command.arguments as [string, Position, Location[]];
    assert.equal(uri, workspace.uri('service.yaml'));
    assert.deepEqual(position, positionOf(service, 'go-app'));
    assert.deepEqual(locations.map((l) => `${l.uri.split('/').pop()}:${l.range.start.line}`), ['ingressroute.yaml:13', 'ingressroute.yaml:27', 'ingressroute.yaml:35']);
  });
});

/**
 * The end-to-end scenarios of test/e2e, run inside desktop VS Code's extension host through the `vscode` API instead
 * of a browser: activation by the workspace's YAML files, the diagnostics of examples/go-app-404 compared with
 * `route-doctor check`, the selector fix clearing service-no-endpoints, and an untrusted workspace. Launched by
 * run.ts (`npm run test:vscode`), which bundles this file and picks the scenario with ROUTE_DOCTOR_SCENARIO.
 * VS Code calls run(); a rejection makes it exit with a non-zero code.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import * as vscode from 'vscode';
import { cliProblems, problemKeys, type Problem } from '../example';

const extensionId = 'route-doctor.route-doctor';
const timeoutMs = 60_000;
/**
 * The Node.js binary for the CLI, passed by the launcher: in desktop VS Code process.execPath is the editor's own
 * executable (in code-server's extension host it is Node.js).
 */
const node = process.env.ROUTE_DOCTOR_NODE ?? 'node';

/** Polls a condition until it returns a value; the `vscode` API has events for some of these, but not for all. */
async function until<T>(what: () => string, condition: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await delay(200);
  }
}

function folder(): vscode.Uri {
  const first = vscode.workspace.workspaceFolders?.[0];
  assert.ok(first, 'VS Code was started without a folder');
  return first.uri;
}

function file(name: string): vscode.Uri {
  return vscode.Uri.joinPath(folder(), name);
}

/** Route Doctor's diagnostics in the whole workspace, as the Problems panel would list them. */
function editorProblems(): Problem[] {
  const severities: Record<vscode.DiagnosticSeverity, Problem['severity']> = {
    [vscode.DiagnosticSeverity.Error]: 'error',
    [vscode.DiagnosticSeverity.Warning]: 'warning',
    [vscode.DiagnosticSeverity.Information]: 'info',
    [vscode.DiagnosticSeverity.Hint]: 'hint',
  };
  return vscode.languages.getDiagnostics().flatMap(([uri, diagnostics]) =>
    diagnostics
      .filter((d) => d.source === 'route-doctor')
      .map((d) => ({
        file: basename(uri.fsPath),
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        code: String(typeof d.code === 'object' ? d.code.value : d.code),
        severity: severities[d.severity],
      })),
  );
}

/**
 * Waits until the editor's diagnostics are exactly what the CLI reports for the folder now. The CLI is the one of the
 * extension under test (its folder is the checkout), since this file runs from a bundle elsewhere.
 */
async function waitForCliProblems(): Promise<Problem[]> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not loaded`);
  const expected = cliProblems(folder().fsPath, { node, cli: join(extension.extensionPath, 'server', 'out', 'cli.js') });
  const want = problemKeys(expected).join('\n');
  await until(
    () => `the diagnostics to match route-doctor check:\n${want}\nbut they are:\n${problemKeys(editorProblems()).join('\n')}`,
    () => (problemKeys(editorProblems()).join('\n') === want ? true : undefined),
  );
  return expected;
}

/** Opens a file in an editor and waits for an error diagnostic whose range covers exactly `text`. */
async function openAndWaitForError(name: string, text: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(file(name));
  await vscode.window.showTextDocument(document);
  await until(
    () => `an error under "${text}" in ${name}`,
    () => (vscode.languages.getDiagnostics(document.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error && document.getText(d.range) === text) ? true : undefined),
  );
}

async function activatesForYamlFiles(): Promise<void> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not loaded`);
  // No document is open yet: only the workspaceContains activation event can have started it.
  assert.equal(vscode.workspace.textDocuments.filter((d) => d.languageId === 'yaml').length, 0, 'a YAML document is already open');
  await until(() => `${extensionId} to activate`, () => (extension.isActive ? true : undefined));
}

async function squigglesAndMatchesCli(): Promise<void> {
  await openAndWaitForError('ingressroute.yaml', 'go-ap');
  const expected = await waitForCliProblems();
  assert.ok(expected.some((p) => p.code === 'service-not-found'), 'route-doctor check no longer reports the mistyped Service name');
}

async function selectorFixClearsNoEndpoints(): Promise<void> {
  assert.ok(editorProblems().some((p) => p.code === 'service-no-endpoints'), 'the example must start with service-no-endpoints');
  const document = await vscode.workspace.openTextDocument(file('service.yaml'));
  await vscode.window.showTextDocument(document);
  const line = Array.from({ length: document.lineCount }, (_, i) => document.lineAt(i)).find((l) => /^\s+version: v1$/.test(l.text));
  assert.ok(line, 'service.yaml has no `version: v1` selector line');
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, line.range.end, '.2');
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
  assert.ok(await document.save(), 'service.yaml was not saved');
  assert.match(readFileSync(document.uri.fsPath, 'utf8'), /version: v1\.2\n/);

  const expected = await waitForCliProblems();
  assert.ok(!expected.some((p) => p.code === 'service-no-endpoints'), 'route-doctor check still reports service-no-endpoints after the fix');
}

async function untrustedStillChecks(): Promise<void> {
  assert.equal(vscode.workspace.isTrusted, false, 'the workspace is trusted: run.ts must start this scenario with workspace trust enabled');
  await openAndWaitForError('ingressroute.yaml', 'go-ap');
  await waitForCliProblems();
}

const scenarios: Record<string, [string, () => Promise<void>][]> = {
  trusted: [
    ['activates because the folder contains YAML files', activatesForYamlFiles],
    ['errors under go-ap, and the diagnostics match route-doctor check', squigglesAndMatchesCli],
    ['fixing the selector and saving clears service-no-endpoints', selectorFixClearsNoEndpoints],
  ],
  untrusted: [['an untrusted workspace still gets the static diagnostics', untrustedStillChecks]],
};

/** Runs the scenario's steps in order, each going on from the last, and prints a line per step and a summary. */
export async function run(): Promise<void> {
  const name = process.env.ROUTE_DOCTOR_SCENARIO ?? '';
  const steps = scenarios[name];
  if (!steps) throw new Error(`unknown ROUTE_DOCTOR_SCENARIO "${name}"; one of: ${Object.keys(scenarios).join(', ')}`);
  let failed = 0;
  for (const [title, step] of steps) {
    try {
      await step();
      console.log(`ok - ${name}: ${title}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${name}: ${title}\n  ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`${name}: ${steps.length - failed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} of ${steps.length} ${name} steps failed`);
}

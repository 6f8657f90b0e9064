/**
 * The workspaces the end-to-end tests open (temporary copies of examples/), and what `route-doctor check` reports
 * for them, in the form the tests compare the editor with. The editor's problems are checked against the CLI rather
 * than against a hard-coded list, so the tests follow the checks as they grow. No editor or browser code here: the
 * code-server tests, the extension-host tests (test/e2e/vscode) and their launcher all use it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

/** A temporary folder holding a copy of examples/<name>, or the given files, so that tests can edit it freely. */
export function tempFolder(from: { example: string } | { files: Record<string, string> }): string {
  const dir = mkdtempSync(join(tmpdir(), 'route-doctor-e2e-ws-'));
  if ('example' in from) cpSync(join(repoRoot, 'examples', from.example), dir, { recursive: true });
  else for (const [name, text] of Object.entries(from.files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** One problem as an editor shows it or the CLI reports it; lines and columns start at 1. */
export interface Problem {
  /** Base name of the file: the examples the tests use keep their manifests in one folder. */
  file: string;
  line: number;
  column: number;
  code: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
}

/** A stable, readable form of a problem, for comparing lists in assertions. */
export function problemKey(p: Problem): string {
  return `${p.file}:${p.line}:${p.column} ${p.severity} ${p.code}`;
}

/** Sorted keys of a list of problems: equal lists give equal arrays, and a failing assertion shows both lists. */
export function problemKeys(problems: Problem[]): string[] {
  return problems.map(problemKey).sort();
}

/**
 * Runs `route-doctor check --format json` on a folder, by default this checkout's built server/out/cli.js with the
 * Node.js running the tests. Inside VS Code's extension host `node` must be given: process.execPath is the editor's
 * own executable there.
 */
export function cliProblems(folder: string, { node = process.execPath, cli = join(repoRoot, 'server', 'out', 'cli.js') } = {}): Problem[] {
  const result = spawnSync(node, [cli, 'check', '.', '--format', 'json'], { cwd: folder, encoding: 'utf8' });
  // Exit code 1 means "errors found", which the example is made to have; 2 is a usage or input error.
  if ((result.status !== 0 && result.status !== 1) || !result.stdout) {
    throw new Error(`${node} ${cli} check failed (exit ${result.status ?? result.error?.message}):\n${result.stderr}`);
  }
  const report = JSON.parse(result.stdout) as {
    diagnostics: { file: string; code: string; severity: string; range: { start: { line: number; character: number } } }[];
  };
  return report.diagnostics.map((d) => ({
    file: d.file.split(/[\\/]/).pop() ?? d.file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    code: d.code,
    severity: d.severity === 'error' || d.severity === 'warning' || d.severity === 'hint' ? d.severity : 'info',
  }));
}

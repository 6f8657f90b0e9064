/**
 * Tokenizes YAML the way VS Code does, with and without Route Doctor's Traefik rule injection grammar.
 *
 * The base grammar is VS Code's own YAML grammar (RedCMD's, used by every VS Code this extension supports). VS Code
 * does not publish it as a package of its own, but @codingame/monaco-vscode-yaml-default-extension ships VS Code's
 * built-in YAML extension unchanged; its manifest maps each scope name to a grammar file. The version is pinned exactly
 * in package.json so that the snapshots only change when someone moves it on purpose.
 *
 * The injection grammar is found through this repository's package.json `contributes.grammars`, so the test also
 * proves that the manifest entry (path, scope name, injectTo) is what VS Code needs to load it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

export const repoRoot = join(__dirname, '..', '..');

/** The subset of a `contributes.grammars` entry that a TextMate registry needs. */
export interface GrammarContribution {
  scopeName: string;
  path: string;
  language?: string;
  injectTo?: string[];
}

export interface Token {
  text: string;
  start: number;
  /** Scopes from outermost to innermost, without the root `source.yaml`. */
  scopes: string[];
}

export type TokenizedLine = { text: string; tokens: Token[] };

function grammarsOf(manifestPath: string, pathRoot: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
  const files = new Map<string, string>();
  for (const g of manifest.contributes?.grammars ?? []) files.set(g.scopeName, join(pathRoot, g.path));
  return files;
}

/** The `contributes.grammars` entries of this repository's package.json. */
export function ownGrammarContributions(): GrammarContribution[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
  return manifest.contributes?.grammars ?? [];
}

function yamlGrammarFiles(): Map<string, string> {
  const manifestPath = require.resolve('@codingame/monaco-vscode-yaml-default-extension/resources/package.json');
  // The manifest names its grammars `./syntaxes/<file>` as in VS Code's source tree; the package flattens them into
  // `resources/`, next to the manifest.
  const resources = dirname(manifestPath);
  const files = new Map<string, string>();
  for (const [scope, file] of grammarsOf(manifestPath, resources)) files.set(scope, join(resources, file.slice(file.lastIndexOf('/') + 1)));
  return files;
}

let onigLib: Promise<vsctm.IOnigLib> | undefined;
function loadOniguruma(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm);
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    };
  })();
  return onigLib;
}

/** Loads `source.yaml`, with the injections that package.json contributes to it when `withInjection` is set. */
export async function loadYamlGrammar(withInjection: boolean): Promise<vsctm.IGrammar> {
  const files = yamlGrammarFiles();
  const own = ownGrammarContributions();
  if (withInjection) for (const g of own) files.set(g.scopeName, join(repoRoot, g.path));
  const registry = new vsctm.Registry({
    onigLib: loadOniguruma(),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      return file === undefined ? null : vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
    // This mirrors what VS Code does with `injectTo`: the injection is offered to every grammar it names.
    getInjections: (scopeName) => (withInjection ? own.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName) : []),
  });
  const grammar = await registry.loadGrammar('source.yaml');
  if (grammar === null) throw new Error('VS Code’s YAML grammar could not be loaded');
  return grammar;
}

export function tokenize(grammar: vsctm.IGrammar, source: string): TokenizedLine[] {
  const lines: TokenizedLine[] = [];
  let state = vsctm.INITIAL;
  for (const text of source.split('\n')) {
    const result = grammar.tokenizeLine(text, state);
    state = result.ruleStack;
    lines.push({
      text,
      tokens: result.tokens.map((t) => ({ text: text.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes.slice(1) })),
    });
  }
  return lines;
}

/** One block per line: the line itself, then each token's text and scopes. */
export function formatSnapshot(lines: TokenizedLine[]): string {
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(`${String(i + 1).padStart(3)}| ${line.text}`);
    for (const t of line.tokens) out.push(`   ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`);
  });
  return `${out.join('\n')}\n`;
}

/**
 * The rule grammar (syntaxes/traefik-rule.injection.tmLanguage.json) must colour exactly what Traefik reads: for
 * every rule Traefik accepts, the matcher names, the operators `&&` `||` `!`, the parentheses, the commas and the
 * string arguments that the grammar scopes must be the tokens the Go scanner (rulelang/goScanner.ts) reads, at the
 * same places of the file. The parser's own tree is checked against the scanner too, so the three agree.
 *
 * Rules come from the YAML of test/fixtures and examples/ (route `match` values and the router.rule annotation),
 * exactly as written there, and from the valid rules of ../shared/conformance/traefik/rules.jsonl, each written in
 * every YAML scalar style that can hold it. Rules Traefik refuses are left out: the grammar deliberately leaves
 * misspelt names uncoloured, and an unterminated string may not swallow the rest of the line. The generic rules of
 * rules.jsonl are left out too: their matcher `m` is a stand-in of Traefik's parser tests, not a Traefik matcher.
 *
 * Rules in YAML flow mappings (`- {match: "Host(`a`)", …}`) have a test of their own, since the grammar highlights them
 * with rules of their own (the YAML grammar scopes them differently), and each rule of rules.jsonl is written in flow
 * mappings too.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import type { Resource, YScalar } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { asMap, asScalar, get, items } from '../../server/src/core/parse/ynode';
import { GoScanner } from '../../server/src/core/rulelang/goScanner';
import { matcherCalls, parseRule, type RuleNode, type RuleProtocol, type RuleSyntax, type TraefikVersion } from '../../server/src/core/rulelang/parser';
import { valueOffsetMap, valueRangeToFile } from '../../server/src/core/rulelang/valueOffsets';
import { loadYamlGrammar, repoRoot, tokenize, type TokenizedLine } from './textmate';

const rulesFile = join(repoRoot, '..', 'shared', 'conformance', 'traefik', 'rules.jsonl');
const ruleAnnotation = 'traefik.ingress.kubernetes.io/router.rule';

type Category = 'matcher' | 'operator' | 'paren' | 'comma' | 'string';

/** A token of one category, by its offsets in the file. */
interface Piece {
  category: Category;
  start: number;
  end: number;
}

const grammar = loadYamlGrammar(true);

/** The rule category of a grammar token's scopes, if it has one. */
function categoryOfScopes(scopes: readonly string[]): Category | undefined {
  if (scopes.includes('support.function.matcher.traefik-rule')) return 'matcher';
  if (scopes.includes('keyword.operator.logical.traefik-rule')) return 'operator';
  if (scopes.some((s) => s.startsWith('punctuation.section.parens.') && s.endsWith('.traefik-rule'))) return 'paren';
  if (scopes.includes('punctuation.separator.arguments.traefik-rule')) return 'comma';
  if (scopes.includes('string.quoted.other.backtick.traefik-rule') || scopes.includes('string.quoted.double.traefik-rule')) return 'string';
  return undefined;
}

/**
 * The grammar's pieces of a file. A string is several TextMate tokens (its quotes, its text, its escapes); the
 * adjacent ones are joined, since two strings can never touch in a valid rule.
 */
function grammarPieces(text: string, lines: readonly TokenizedLine[]): Piece[] {
  const pieces: Piece[] = [];
  let lineStart = 0;
  for (const line of lines) {
    for (const token of line.tokens) {
      const category = categoryOfScopes(token.scopes);
      if (!category) continue;
      const start = lineStart + token.start;
      const end = start + token.text.length;
      const last = pieces[pieces.length - 1];
      if (category === 'string' && last?.category === 'string' && last.end === start) last.end = end;
      else pieces.push({ category, start, end });
    }
    lineStart += line.text.length + 1;
  }
  assert.equal(lineStart - 1, text.length, 'the tokenized lines cover the text');
  return pieces;
}

/** A rule written in a YAML file. */
interface RuleSite {
  protocol: RuleProtocol;
  scalar: YScalar;
  rule: string;
  where: string;
  /** Written inside a YAML flow collection (`{match: …}`). */
  flow: boolean;
}

function ruleSites(file: string, text: string): RuleSite[] {
  const sites: RuleSite[] = [];
  const add = (r: Resource, protocol: RuleProtocol, scalar: YScalar | undefined, where: string, flow: boolean) => {
    // An alias (`match: *rule`) is not where its rule is written; and the grammar leaves a rule after an anchor
    // (`match: &rule Host(…)`) plain YAML, as README.md says.
    if (!scalar || typeof scalar.value !== 'string' || scalar.style === 'alias' || /&\S+[\t ]+$/.test(text.slice(text.lastIndexOf('\n', scalar.span.start) + 1, scalar.span.start))) return;
    sites.push({ protocol, scalar, rule: scalar.value, where: `${file} ${r.kind} ${r.name} ${where}`, flow });
  };
  for (const r of parseFile(file, text).resources) {
    if (r.kind === 'IngressRoute' || r.kind === 'IngressRouteTCP') {
      // A flow collection holds only flow collections, so the route's own map tells.
      items(get(r.root, 'spec', 'routes')).forEach((route, i) => add(r, r.kind === 'IngressRoute' ? 'http' : 'tcp', asScalar(get(route, 'match')), `route ${i + 1}`, asMap(route)?.flow ?? false));
    }
    if (r.kind === 'Ingress') {
      const annotations = get(r.root, 'metadata', 'annotations');
      add(r, 'http', asScalar(get(annotations, ruleAnnotation)), 'router.rule', asMap(annotations)?.flow ?? false);
    }
  }
  return sites;
}

/** What Traefik reads, by the Go scanner, as pieces of the file. */
function scannerPieces(text: string, site: RuleSite): Piece[] {
  const map = valueOffsetMap(text, site.scalar);
  assert.ok(map.exact, `${site.where}: the rule's characters can be placed in the file`);
  const { tokens } = GoScanner.tokenize(site.rule);
  const pieces: Piece[] = [];
  tokens.forEach((t, i) => {
    let category: Category | undefined;
    if (t.kind === 'IDENT' && tokens[i + 1]?.text === '(') category = 'matcher';
    else if (t.kind === 'OP' && ['&&', '||', '!'].includes(t.text)) category = 'operator';
    else if (t.kind === 'OP' && (t.text === '(' || t.text === ')')) category = 'paren';
    else if (t.kind === 'OP' && t.text === ',') category = 'comma';
    else if (t.kind === 'STRING') category = 'string';
    else if (t.kind === 'EOF' || t.kind === 'SEMICOLON') return;
    assert.ok(category, `${site.where}: a valid rule has no ${t.kind} token ${JSON.stringify(t.text)}`);
    pieces.push({ category, ...valueRangeToFile(map, site.scalar, t.start, t.end) });
  });
  return pieces;
}

/** The parser's matcher names and operators, as rule ranges, to hold against the scanner's. */
function parserRanges(root: RuleNode | undefined): string[] {
  const out = matcherCalls(root).map((c) => `matcher ${c.nameSpan.start}-${c.nameSpan.end}`);
  const walk = (node: RuleNode | undefined): void => {
    if (!node || node.kind === 'matcher') return;
    if (node.kind === 'not') {
      out.push(`operator ${node.span.start}-${node.span.start + 1}`);
      walk(node.operand);
      return;
    }
    out.push(`operator ${node.operatorSpan.start}-${node.operatorSpan.end}`);
    walk(node.left);
    walk(node.right);
  };
  walk(root);
  return out.sort();
}

function scannerRanges(rule: string): string[] {
  const { tokens } = GoScanner.tokenize(rule);
  return tokens.flatMap((t, i) => {
    if (t.kind === 'IDENT' && tokens[i + 1]?.text === '(') return [`matcher ${t.start}-${t.end}`];
    if (t.kind === 'OP' && ['&&', '||', '!'].includes(t.text)) return [`operator ${t.start}-${t.end}`];
    return [];
  }).sort();
}

const show = (text: string, pieces: readonly Piece[]) => pieces.map((p) => `${p.category} ${JSON.stringify(text.slice(p.start, p.end))}@${p.start}`);

/**
 * Compares grammar and scanner on the valid rules of a YAML text that `include` selects; returns the disagreements
 * and the number of rules compared.
 */
async function compare(
  file: string, text: string, valid: (site: RuleSite) => { valid: boolean; tree?: RuleNode }, include: (site: RuleSite) => boolean = (site) => !site.flow,
): Promise<{ mismatches: string[]; compared: number }> {
  const sites = ruleSites(file, text).filter(include).map((site) => ({ site, parsed: valid(site) })).filter((s) => s.parsed.valid);
  if (sites.length === 0) return { mismatches: [], compared: 0 };
  const fromGrammar = grammarPieces(text, tokenize(await grammar, text));
  const mismatches: string[] = [];
  for (const { site, parsed } of sites) {
    const { start, end } = site.scalar.span;
    const expected = show(text, scannerPieces(text, site));
    const actual = show(text, fromGrammar.filter((p) => p.start >= start && p.end <= end));
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      mismatches.push(`${site.where}: ${JSON.stringify(site.rule)}\n  grammar: ${actual.join(', ')}\n  scanner: ${expected.join(', ')}`);
    }
    const fromParser = parserRanges(parsed.tree);
    const fromScanner = scannerRanges(site.rule);
    if (JSON.stringify(fromParser) !== JSON.stringify(fromScanner)) mismatches.push(`${site.where}: parser ${fromParser.join(', ')} but scanner ${fromScanner.join(', ')}`);
  }
  return { mismatches, compared: sites.length };
}

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return yamlFilesUnder(p);
    return /\.ya?ml$/.test(e) ? [p] : [];
  });
}

/** Whether Traefik accepts a rule under any rule syntax and version: the grammar colours the names of all of them. */
function validAnywhere(site: RuleSite): { valid: boolean; tree?: RuleNode } {
  const settings: { syntax: RuleSyntax; traefik: TraefikVersion }[] = [{ syntax: 'v3', traefik: 'v3' }, { syntax: 'v2', traefik: 'v3' }, { syntax: 'v2', traefik: 'v2' }];
  for (const s of settings) {
    const result = parseRule(site.rule, { protocol: site.protocol, ...s });
    if (result.valid && !result.unchecked) return result;
  }
  return { valid: false };
}

const repositoryYaml = () => [...yamlFilesUnder(join(repoRoot, 'test', 'fixtures')), ...yamlFilesUnder(join(repoRoot, 'examples'))];

test('the grammar colours the tokens the scanner reads in every valid rule of test/fixtures and examples/', async (t) => {
  const files = repositoryYaml();
  const mismatches: string[] = [];
  let compared = 0;
  for (const path of files) {
    const result = await compare(relative(repoRoot, path), readFileSync(path, 'utf8'), validAnywhere);
    mismatches.push(...result.mismatches);
    compared += result.compared;
  }
  t.diagnostic(`${compared} valid rules compared in ${files.length} YAML files`);
  assert.ok(compared >= 20, `only ${compared} rules were found: the fixtures moved?`);
  assert.deepEqual(mismatches, []);
});

test('rules in YAML flow mappings of test/fixtures and examples/ are coloured too', async (t) => {
  const mismatches: string[] = [];
  let compared = 0;
  for (const path of repositoryYaml()) {
    const result = await compare(relative(repoRoot, path), readFileSync(path, 'utf8'), validAnywhere, (site) => site.flow);
    mismatches.push(...result.mismatches);
    compared += result.compared;
  }
  t.diagnostic(`${compared} valid rules in flow mappings compared`);
  assert.ok(compared >= 2, `only ${compared} rules in flow mappings were found: the fixtures moved?`);
  assert.deepEqual(mismatches, []);
});

interface RuleCase {
  rule: string;
  protocol: RuleProtocol | 'generic';
  syntax: RuleSyntax | 'n/a';
  traefik: TraefikVersion;
  valid: boolean;
}

/** A one-route document with the rule written as `value`, in a block mapping or, if `flow`, in a flow mapping. */
function routeDocument(protocol: RuleProtocol, value: string, flow = false): string {
  const route = flow
    ? [`    - {match: ${value}, services: [{name: web, port: 80}]}`]
    : [`    - match: ${value}`, '      services:', '        - name: web', '          port: 80'];
  return [
    'apiVersion: traefik.io/v1alpha1',
    `kind: ${protocol === 'http' ? 'IngressRoute' : 'IngressRouteTCP'}`,
    'metadata:',
    '  name: parity',
    'spec:',
    '  routes:',
    ...route,
    '',
  ].join('\n');
}

/** The rule in each YAML style; those that YAML would read back differently are dropped by the caller. */
function styles(rule: string): Record<string, string> {
  return {
    plain: rule,
    single: `'${rule.replace(/'/g, "''")}'`,
    // A JSON string is also a YAML double-quoted scalar.
    double: JSON.stringify(rule),
    literal: `|-\n        ${rule.split('\n').join('\n        ')}`,
    folded: `>-\n        ${rule}`,
  };
}

/** The rule in each YAML style that a flow mapping can hold: block scalars cannot stand in one. */
function flowStyles(rule: string): Record<string, string> {
  const { plain, single, double } = styles(rule);
  return { plain, single, double } as Record<string, string>;
}

test('the grammar colours the tokens the scanner reads in the valid rules of rules.jsonl, in every YAML style', async (t) => {
  if (!existsSync(rulesFile)) {
    t.skip(`did not run: ${rulesFile} is absent (the conformance data is kept in ../shared next to the repository)`);
    return;
  }
  const cases = readFileSync(rulesFile, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RuleCase)
    .filter((c) => c.valid && c.protocol !== 'generic');
  const mismatches: string[] = [];
  let compared = 0;
  for (const c of cases) {
    const protocol = c.protocol as RuleProtocol;
    const syntax: RuleSyntax = c.syntax === 'v2' ? 'v2' : 'v3';
    const renderings = [
      ...Object.entries(styles(c.rule)).map(([style, value]) => ({ style, flow: false, text: routeDocument(protocol, value) })),
      ...Object.entries(flowStyles(c.rule)).map(([style, value]) => ({ style: `flow ${style}`, flow: true, text: routeDocument(protocol, value, true) })),
    ];
    const written = { block: 0, flow: 0 };
    for (const { style, flow, text } of renderings) {
      // A style that cannot hold this rule (a plain scalar cannot start with `!`, a folded one keeps no line break, a
      // plain one in a flow mapping ends at a `,` `[` `]` `{` `}`) is skipped.
      if (ruleSites('parity.yaml', text)[0]?.rule !== c.rule) continue;
      written[flow ? 'flow' : 'block']++;
      const result = await compare(`rules.jsonl (${style})`, text, (site) => parseRule(site.rule, { protocol: site.protocol, syntax, traefik: c.traefik }), () => true);
      assert.equal(result.compared, 1, `${JSON.stringify(c.rule)} is valid for the parser too (test/conformance checks this)`);
      mismatches.push(...result.mismatches);
      compared += result.compared;
    }
    assert.ok(written.block >= 2 && written.flow >= 2, `${JSON.stringify(c.rule)} fits in at least the two quoted styles, in a block and in a flow mapping`);
  }
  t.diagnostic(`${cases.length} valid HTTP and TCP rules of rules.jsonl, ${compared} YAML renderings compared`);
  assert.deepEqual(mismatches, []);
});

/**
 * Tests of the Traefik rule injection grammar (syntaxes/traefik-rule.injection.tmLanguage.json) on top of VS Code's
 * YAML grammar. Every samples/*.yaml has a checked-in samples/*.scopes.txt snapshot of the scopes of each token;
 * run `UPDATE_SNAPSHOTS=1 node test/run.mjs test/grammar` to rewrite them after an intended change, and review the diff.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatSnapshot, loadYamlGrammar, ownGrammarContributions, repoRoot, tokenize, type Token, type TokenizedLine } from './textmate';

const samplesDir = join(__dirname, 'samples');
const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.yaml')).sort();
const updateSnapshots = process.env.UPDATE_SNAPSHOTS === '1';

const grammars = Promise.all([loadYamlGrammar(true), loadYamlGrammar(false)]);

/** Tokenizes a YAML text with the injection (`rule`) and with VS Code's YAML grammar alone (`base`). */
async function both(source: string): Promise<{ rule: TokenizedLine[]; base: TokenizedLine[] }> {
  const [withInjection, yamlOnly] = await grammars;
  return { rule: tokenize(withInjection, source), base: tokenize(yamlOnly, source) };
}

const readSample = (name: string) => readFileSync(join(samplesDir, name), 'utf8');
const isRuleScope = (scope: string) => scope.endsWith('.traefik-rule');
const touched = (line: TokenizedLine) => line.tokens.some((t) => t.scopes.some(isRuleScope));

function scopesAt(line: TokenizedLine, column: number): string[] {
  return line.tokens.find((t) => column >= t.start && column < t.start + t.text.length)?.scopes ?? [];
}

function isSubsequence(needle: string[], haystack: string[]): boolean {
  let found = 0;
  for (const scope of haystack) if (scope === needle[found]) found++;
  return found === needle.length;
}

/** The `occurrence`-th token whose text is `text` on the first line that contains `lineContaining`. */
function tokenAt(lines: TokenizedLine[], lineContaining: string, text: string, occurrence = 0): Token {
  const line = lines.find((l) => l.text.includes(lineContaining));
  assert.ok(line, `no line contains ${JSON.stringify(lineContaining)}`);
  const token = line.tokens.filter((t) => t.text === text)[occurrence];
  assert.ok(token, `no token ${JSON.stringify(text)} (#${occurrence}) on ${JSON.stringify(line.text)}; tokens: ${JSON.stringify(line.tokens.map((t) => t.text))}`);
  return token;
}

function assertScope(lines: TokenizedLine[], lineContaining: string, text: string, scope: string, occurrence = 0): void {
  const token = tokenAt(lines, lineContaining, text, occurrence);
  assert.ok(token.scopes.includes(scope), `${JSON.stringify(text)} on the line with ${JSON.stringify(lineContaining)} lacks ${scope}: ${token.scopes.join(' ')}`);
}

function assertNoRuleScope(lines: TokenizedLine[], lineContaining: string, text: string, occurrence = 0): void {
  const token = tokenAt(lines, lineContaining, text, occurrence);
  assert.ok(!token.scopes.some(isRuleScope), `${JSON.stringify(text)} on the line with ${JSON.stringify(lineContaining)} has rule scopes: ${token.scopes.join(' ')}`);
}

test('package.json contributes the injection grammar for source.yaml without a language', () => {
  const contributions = ownGrammarContributions();
  assert.equal(contributions.length, 1);
  const [grammar] = contributions;
  assert.ok(grammar);
  assert.equal(grammar.scopeName, 'traefik-rule.injection');
  assert.deepEqual(grammar.injectTo, ['source.yaml']);
  assert.equal(grammar.language, undefined);
  const file = JSON.parse(readFileSync(join(repoRoot, grammar.path), 'utf8')) as { scopeName: string; injectionSelector: string };
  assert.equal(file.scopeName, grammar.scopeName);
  assert.match(file.injectionSelector, /^L:source\.yaml /);
});

for (const name of samples) {
  test(`scopes of ${name} match the snapshot`, async () => {
    const { rule } = await both(readSample(name));
    const snapshotPath = join(samplesDir, name.replace(/\.yaml$/, '.scopes.txt'));
    const actual = formatSnapshot(rule);
    if (updateSnapshots) writeFileSync(snapshotPath, actual);
    assert.ok(existsSync(snapshotPath), `${snapshotPath} is missing: run with UPDATE_SNAPSHOTS=1 to create it`);
    // Report the first line that differs: a full diff of the whole snapshot would bury it.
    const expectedLines = readFileSync(snapshotPath, 'utf8').split('\n');
    const actualLines = actual.split('\n');
    const first = actualLines.findIndex((line, i) => line !== expectedLines[i]);
    const at = first >= 0 ? first : actualLines.length;
    assert.equal(actualLines[at], expectedLines[at], `${snapshotPath} line ${at + 1} differs (UPDATE_SNAPSHOTS=1 rewrites it)`);
  });

  test(`${name}: lines without a rule are unchanged, and rule values keep every YAML scope`, async () => {
    const { rule, base } = await both(readSample(name));
    rule.forEach((line, i) => {
      const baseLine = base[i];
      assert.ok(baseLine);
      // A block scalar's header line carries no rule scope itself, but the rule's scopes start on the next line.
      const next = rule[i + 1];
      const blockHeader = next !== undefined && touched(next) && !next.tokens.some((t) => t.scopes.includes('punctuation.separator.map.value.yaml'));
      if (!touched(line) && !blockHeader) {
        assert.deepEqual(line.tokens, baseLine.tokens, `line ${i + 1} ${JSON.stringify(line.text)} changed although it holds no rule`);
        return;
      }
      // Everything up to and including the key's `:` is the YAML grammar's, untouched. That is the last `:` before the
      // rule: a flow mapping can hold other keys before it, and on a continuation line the `:` of a later key follows it.
      const ruleStart = line.tokens.find((t) => t.scopes.some(isRuleScope))?.start ?? line.text.length;
      let colon = -1;
      baseLine.tokens.forEach((t, k) => {
        if (t.start < ruleStart && t.scopes.includes('punctuation.separator.map.value.yaml')) colon = k;
      });
      if (colon >= 0) assert.deepEqual(line.tokens.slice(0, colon + 1), baseLine.tokens.slice(0, colon + 1), `the key on line ${i + 1} changed`);
      // In the value, every character keeps all of the YAML grammar's scopes, in order, so that themes still see the
      // YAML string, escape, comment and block scalar scopes; the injection may only add scopes between them.
      for (let c = 0; c < line.text.length; c++) {
        const ours = scopesAt(line, c);
        const yaml = scopesAt(baseLine, c);
        assert.ok(isSubsequence(yaml, ours), `line ${i + 1} column ${c + 1} ${JSON.stringify(line.text[c])}: YAML gives ${yaml.join(' ')}, but with the injection it is ${ours.join(' ')}`);
      }
    });
  });
}

test('ingressroute.yaml: rules in plain, quoted and block scalars get rule scopes', async () => {
  const { rule } = await both(readSample('ingressroute.yaml'));
  const plain = 'Host(`shop.example.com`) && PathPrefix(`/api`)';
  assertNoRuleScope(rule, plain, 'match');
  assertScope(rule, plain, 'match', 'entity.name.tag.yaml');
  assertScope(rule, plain, 'Host', 'support.function.matcher.traefik-rule');
  assertScope(rule, plain, 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, plain, '&&', 'keyword.operator.logical.traefik-rule');
  assertScope(rule, plain, '(', 'punctuation.section.parens.begin.traefik-rule');
  assertScope(rule, plain, ')', 'punctuation.section.parens.end.traefik-rule');
  assertScope(rule, plain, '`', 'punctuation.definition.string.begin.traefik-rule');
  assertScope(rule, plain, 'shop.example.com', 'string.quoted.other.backtick.traefik-rule');
  assertScope(rule, plain, '#', 'comment.line.number-sign.yaml');
  assertNoRuleScope(rule, plain, '#');

  const double = 'PathRegexp(`^/[a-z]+';
  assertScope(rule, double, '"', 'string.quoted.double.yaml', 0);
  assertScope(rule, double, '"', 'punctuation.definition.string.end.yaml', 1);
  assertScope(rule, double, '||', 'keyword.operator.logical.traefik-rule');
  assertScope(rule, double, 'PathRegexp', 'support.function.matcher.traefik-rule');
  assertScope(rule, double, '(', 'punctuation.section.parens.begin.traefik-rule', 1);
  assertScope(rule, double, '\\\\', 'constant.character.escape.yaml');
  assertScope(rule, double, '\\\\', 'string.quoted.other.backtick.traefik-rule');

  const single = "!Method(`POST`)";
  assertScope(rule, single, "'", 'string.quoted.single.yaml', 0);
  assertScope(rule, single, '!', 'keyword.operator.logical.traefik-rule');
  assertScope(rule, single, 'Method', 'support.function.matcher.traefik-rule');
  assertScope(rule, single, ',', 'punctuation.separator.arguments.traefik-rule');
  assertScope(rule, single, '"', 'string.quoted.double.traefik-rule');
  assertScope(rule, single, "''", 'constant.character.escape.single-quote.yaml');

  assertScope(rule, 'match: >-', '>', 'keyword.control.flow.block-scalar.folded.yaml');
  assertScope(rule, 'match: >-', '-', 'storage.modifier.chomping-indicator.yaml', 1);
  assertScope(rule, '(Query(`debug`', 'Query', 'support.function.matcher.traefik-rule');
  assertScope(rule, '(Query(`debug`', 'ClientIP', 'support.function.matcher.traefik-rule');
  assertScope(rule, '(Query(`debug`', 'Query', 'meta.embedded.block.traefik-rule');
  assertScope(rule, 'match: |', '|', 'keyword.control.flow.block-scalar.literal.yaml');
  assertScope(rule, '&& HeaderRegexp', '&&', 'keyword.operator.logical.traefik-rule');
  assertScope(rule, '&& HeaderRegexp', 'HeaderRegexp', 'support.function.matcher.traefik-rule');
  assertNoRuleScope(rule, 'name: shop-debug', 'shop-debug');

  assertScope(rule, 'HostSNI(`db', 'HostSNI', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'HostSNI(`db', 'HostSNIRegexp', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'ALPN(`h2`)', 'ALPN', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'ALPN(`h2`)', '\\"', 'string.quoted.double.traefik-rule', 0);
  assertScope(rule, 'ALPN(`h2`)', '192.168.0.0/16', 'string.quoted.double.traefik-rule');
  assertNoRuleScope(rule, 'passthrough: true', 'true');
});

test('annotations.yaml: the router.rule annotation is a rule, other annotations are not', async () => {
  const { rule } = await both(readSample('annotations.yaml'));
  assertScope(rule, 'router.rule: Host', 'Host', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'router.rule: Host', 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, '"traefik.ingress.kubernetes.io/router.rule"', 'HOST', 'support.function.matcher.traefik-rule');
  assertNoRuleScope(rule, 'router.entrypoints', 'websecure');
  assertNoRuleScope(rule, 'router.priority', '42');
});

test('edge-cases.yaml: v2 matchers, escapes, block headers and rules being typed', async () => {
  const { rule } = await both(readSample('edge-cases.yaml'));
  const v2 = 'Headers(`X-A`';
  for (const name of ['Headers', 'headersregexp', 'HOSTHEADER', 'Hostregexp']) assertScope(rule, v2, name, 'support.function.matcher.traefik-rule');

  const escapes = 'Path("/a';
  for (const escape of ['\\t', '\\x41', '\\u00e9']) assertScope(rule, escapes, escape, 'constant.character.escape.traefik-rule');
  assertScope(rule, escapes, '\\q', 'invalid.illegal.unknown-escape.traefik-rule');
  assertScope(rule, escapes, '\\"', 'constant.character.escape.traefik-rule');

  // A misspelt matcher is not a matcher; an unclosed call still highlights what is there.
  const typo = 'Hots(`typo';
  assert.ok(!tokenAt(rule, typo, 'Hots').scopes.includes('support.function.matcher.traefik-rule'));
  assertScope(rule, typo, 'Host', 'support.function.matcher.traefik-rule');

  // YAML ends a plain scalar at ` #`, even inside backticks, and so does the highlighting.
  assertScope(rule, '#not-a-string', '#', 'comment.line.number-sign.yaml');
  assertNoRuleScope(rule, '#not-a-string', '#');

  // An unterminated backtick must not swallow the closing quote of the YAML scalar.
  assertScope(rule, '`unterminated', '"', 'punctuation.definition.string.end.yaml', 1);
  assertNoRuleScope(rule, '`unterminated', '"', 1);

  assertScope(rule, 'match: |2-', '2', 'constant.numeric.indentation-indicator.yaml');
  assertScope(rule, 'match: |2-', '#', 'comment.line.number-sign.yaml');
  assertScope(rule, 'PathPrefix(`/v1`)', 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, '|| PathPrefix(`/v2`)', 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'Host(`eof.example.com`)', 'Host', 'support.function.matcher.traefik-rule');

  // Multi-line plain and quoted scalars carry the rule over to their continuation lines.
  assertScope(rule, 'PathPrefix(`/continued`)', 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'PathPrefix(`/continued`)', 'PathPrefix', 'string.unquoted.plain.out.yaml');
  assertScope(rule, 'PathPrefix(`/continued`)', '#', 'comment.line.number-sign.yaml');
  assertNoRuleScope(rule, 'a comment line after the rule', '#');
  assertNoRuleScope(rule, 'kind: Rule', 'Rule');
  assertScope(rule, 'Path(`/quoted-continued`)', 'Path', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'Path(`/quoted-continued`)', '"', 'punctuation.definition.string.end.yaml');
});

test('flow-mappings.yaml: rules in flow mappings get rule scopes inside the YAML grammar\'s own scalars', async () => {
  const { rule } = await both(readSample('flow-mappings.yaml'));
  const double = 'flow.example.com';
  assertScope(rule, double, 'Host', 'support.function.matcher.traefik-rule');
  assertScope(rule, double, 'Host', 'meta.flow.pair.value.yaml');
  assertScope(rule, double, 'Host', 'string.quoted.double.yaml');
  assertScope(rule, double, 'PathRegexp', 'support.function.matcher.traefik-rule');
  assertScope(rule, double, '^/v[0-9]{1,2}/', 'string.quoted.other.backtick.traefik-rule');
  assertScope(rule, double, '"', 'punctuation.definition.string.end.yaml', 1);
  assertNoRuleScope(rule, double, '"', 1);
  assertNoRuleScope(rule, double, ',');
  assertNoRuleScope(rule, double, 'Rule');
  assertNoRuleScope(rule, double, 'web');

  // A plain rule after another key: the flow scalar's scope is kept, and it ends at the `,` and `}` of the mapping.
  const plain = 'plain.example.com';
  assertScope(rule, plain, 'Host', 'support.function.matcher.traefik-rule');
  assertScope(rule, plain, 'Host', 'string.unquoted.plain.in.yaml');
  assertScope(rule, plain, '!', 'keyword.operator.logical.traefik-rule');
  assertScope(rule, plain, ',', 'punctuation.separator.mapping.yaml');
  assertNoRuleScope(rule, plain, ',');
  assertNoRuleScope(rule, plain, '5');

  assertScope(rule, 'Method(`GET`)', 'Header', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'Method(`GET`)', "''", 'constant.character.escape.single-quote.yaml');
  assertScope(rule, 'Method(`GET`)', ',', 'punctuation.separator.arguments.traefik-rule');
  assertScope(rule, 'json.example.com', 'HOST', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'json.example.com', '\\"', 'string.quoted.double.traefik-rule', 0);

  // YAML ends a flow plain scalar at a `,` even between backticks, and at a ` #` comment; so does the highlighting.
  assertScope(rule, '`a.example.com`, `b.example.com`', ',', 'punctuation.separator.mapping.yaml');
  assertNoRuleScope(rule, '`a.example.com`, `b.example.com`', '`b.example.com`)');
  assertScope(rule, 'comment.example.com', '#', 'comment.line.number-sign.yaml');
  assertNoRuleScope(rule, 'comment.example.com', '#');

  assertScope(rule, 'PathPrefix(`/plain`)', 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'PathPrefix(`/plain`)', ',', 'punctuation.separator.mapping.yaml');
  assertNoRuleScope(rule, 'PathPrefix(`/plain`)', ',');
  assertScope(rule, 'PathPrefix(`/quoted`)', 'PathPrefix', 'support.function.matcher.traefik-rule');
  assertScope(rule, 'Path(`/a: b`)', ':', 'invalid.illegal.multiline-key.yaml', 1);
  assertScope(rule, 'HostSNI(`db.example.com`)', 'HostSNI', 'support.function.matcher.traefik-rule', 0);
  assertScope(rule, 'HostSNI(`db.example.com`)', 'HostSNI', 'support.function.matcher.traefik-rule', 1);
  assertScope(rule, 'router.rule: Host', 'Host', 'support.function.matcher.traefik-rule');

  // Block mappings after flow ones are unaffected; flow values that hold no rule, and rules in other strings, stay YAML.
  assertScope(rule, 'block.after.flow.example.com', 'Host', 'string.unquoted.plain.out.yaml');
  assertScope(rule, 'block.after.flow.example.com', 'Host', 'support.function.matcher.traefik-rule');
  assertNoRuleScope(rule, 'not.a.rule', 'see match: Host(`not.a.rule`)');
  for (const text of ['kube.*', 'Host(`other.key`)', 'Host']) assertNoRuleScope(rule, 'middlewares:', text);
});

test('not-traefik.yaml: no token gets a rule scope', async () => {
  const { rule } = await both(readSample('not-traefik.yaml'));
  const lines = rule.filter(touched).map((l) => l.text);
  assert.deepEqual(lines, []);
});

test('every matcher is recognised in its four spellings and in no other', async () => {
  const documented = [
    'Host', 'HostRegexp', 'Path', 'PathPrefix', 'PathRegexp', 'Method', 'Header', 'HeaderRegexp', 'Query', 'QueryRegexp',
    'ClientIP', 'HostSNI', 'HostSNIRegexp', 'ALPN', 'Headers', 'HeadersRegexp', 'HostHeader',
  ];
  const spellings = (name: string) => {
    const lower = name.toLowerCase();
    return [name, lower, name.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1)];
  };
  // Swapping the case of every letter gives a spelling Traefik rejects (`hOST`, `pATHpREFIX`) for each name.
  const swapped = (name: string) => [...name].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  const accepted = documented.flatMap(spellings);
  const rejected = documented.map(swapped).filter((s) => !accepted.includes(s));
  const source = [...accepted, ...rejected].map((name) => `- match: ${name}(\`x\`)`).join('\n');
  const { rule } = await both(source);
  rule.forEach((line, i) => {
    const name = i < accepted.length ? accepted[i] : rejected[i - accepted.length];
    assert.ok(name);
    const token = line.tokens.find((t) => t.text === name);
    assert.ok(token, `no token ${name} on ${line.text}`);
    assert.equal(token.scopes.includes('support.function.matcher.traefik-rule'), i < accepted.length, `${name}: ${token.scopes.join(' ')}`);
  });
});

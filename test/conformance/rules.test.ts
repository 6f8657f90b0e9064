/**
 * Conformance of the rule parser with Traefik, on the data in ../shared/conformance/traefik (see its README):
 *  - rules.jsonl: Traefik's own rule tests; the parser must report an error exactly when Traefik refuses the rule
 *    for that protocol, syntax and Traefik version. Agreement is printed; anything below 100% fails.
 *  - fixtures/**: every `match` of Traefik's provider fixtures must parse, except where the case says Traefik refuses
 *    the rule (`invalid-rule`), and except routes the provider drops before any rule is parsed (an empty match, or
 *    Traefik 2's `kind` check, which drops `match: /prefix`).
 * The data lives outside the repository; when it is absent the tests say so and skip.
 * Also: every rule in examples/ parses.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { asScalar, get, items } from '../../server/src/core/parse/ynode';
import { parseRule, type RuleProtocol, type TraefikVersion } from '../../server/src/core/rulelang/parser';

const repoRoot = join(__dirname, '..', '..');
const conformanceDir = join(repoRoot, '..', 'shared', 'conformance', 'traefik');
const rulesFile = join(conformanceDir, 'rules.jsonl');
const casesFile = join(conformanceDir, 'cases.jsonl');

interface RuleCase {
  rule: string;
  protocol: RuleProtocol | 'generic';
  syntax: 'v2' | 'v3' | 'n/a';
  valid: boolean;
  source: string;
  traefik: TraefikVersion;
  matchers?: string[];
}

interface CaseRoute {
  protocol: 'http' | 'tcp' | 'udp';
  namespace: string;
  name: string;
  index: number;
  match?: string;
  outcome: string;
  reasonCode: string | null;
  file: string;
}

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

/** Every route `match` of the IngressRoute and IngressRouteTCP objects in a file. */
function routeMatches(file: string, text: string): { kind: string; namespace: string; name: string; index: number; match: string }[] {
  const out: { kind: string; namespace: string; name: string; index: number; match: string }[] = [];
  for (const r of parseFile(file, text).resources) {
    if (r.kind !== 'IngressRoute' && r.kind !== 'IngressRouteTCP') continue;
    items(get(r.root, 'spec', 'routes')).forEach((route, index) => {
      const match = asScalar(get(route, 'match'));
      if (match && match.value !== null) out.push({ kind: r.kind, namespace: r.namespace, name: r.name, index, match: String(match.value) });
    });
  }
  return out;
}

test('rules.jsonl: an error exactly when Traefik refuses the rule', (t) => {
  if (!existsSync(rulesFile)) {
    t.skip(`did not run: ${rulesFile} is absent (the conformance data is kept in ../shared next to the repository)`);
    return;
  }
  const cases = readJsonLines<RuleCase>(rulesFile);
  const disagreements: string[] = [];
  const tally = new Map<string, { agree: number; total: number }>();
  for (const c of cases) {
    const result = parseRule(c.rule, {
      protocol: c.protocol,
      syntax: c.syntax === 'v2' ? 'v2' : 'v3',
      traefik: c.traefik,
      ...(c.matchers ? { matchers: c.matchers } : {}),
    });
    const key = `${c.traefik} ${c.protocol} ${c.syntax}`;
    const entry = tally.get(key) ?? { agree: 0, total: 0 };
    entry.total++;
    if (result.valid === c.valid) entry.agree++;
    else disagreements.push(`${JSON.stringify(c.rule)} (${key}, ${c.source}): Traefik says ${c.valid ? 'valid' : 'invalid'}, the parser says ${result.valid ? 'valid' : result.problems.map((p) => p.traefikError ?? p.message).join('; ')}`);
    tally.set(key, entry);
  }
  const agreed = cases.length - disagreements.length;
  t.diagnostic(`rules.jsonl agreement: ${agreed}/${cases.length} (${((100 * agreed) / cases.length).toFixed(1)}%)`);
  for (const [key, { agree, total }] of [...tally].sort()) t.diagnostic(`  ${key}: ${agree}/${total}`);
  for (const d of disagreements) t.diagnostic(`disagrees: ${d}`);
  assert.deepEqual(disagreements, []);
});

test('fixtures: every match Traefik parses is accepted, every one it refuses is refused', (t) => {
  if (!existsSync(casesFile)) {
    t.skip(`did not run: ${casesFile} is absent (the conformance data is kept in ../shared next to the repository)`);
    return;
  }
  const routes = new Map<string, CaseRoute[]>();
  for (const c of readJsonLines<{ traefik: TraefikVersion; routes: CaseRoute[] }>(casesFile)) {
    for (const r of c.routes) {
      const key = `${c.traefik}|${r.file}|${r.namespace}|${r.name}|${r.index}`;
      routes.set(key, [...(routes.get(key) ?? []), r]);
    }
  }
  const problems: string[] = [];
  let checked = 0;
  for (const traefik of ['v2', 'v3'] as const) {
    const base = join(conformanceDir, 'fixtures', traefik);
    for (const path of yamlFilesUnder(base)) {
      const file = relative(base, path);
      for (const m of routeMatches(file, readFileSync(path, 'utf8'))) {
        const outcomes = routes.get(`${traefik}|${file}|${m.namespace}|${m.name}|${m.index}`) ?? [];
        // A route that every case drops in the provider never reaches the rule parser.
        const neverParsed = outcomes.length > 0 && outcomes.every((o) => o.outcome === 'dropped' && o.reasonCode !== 'invalid-rule');
        if (m.match === '' || neverParsed) continue;
        const refused = outcomes.some((o) => o.reasonCode === 'invalid-rule');
        const result = parseRule(m.match, { protocol: m.kind === 'IngressRoute' ? 'http' : 'tcp', traefik });
        checked++;
        if (result.valid === refused) problems.push(`${traefik}/${file} ${m.name}[${m.index}] ${JSON.stringify(m.match)}: expected ${refused ? 'an error' : 'no error'}`);
      }
    }
  }
  t.diagnostic(`fixture rules checked: ${checked}`);
  assert.ok(checked > 0);
  assert.deepEqual(problems, []);
});

test('examples: every rule parses', () => {
  const examples = join(repoRoot, 'examples');
  let checked = 0;
  for (const path of yamlFilesUnder(examples)) {
    for (const m of routeMatches(path, readFileSync(path, 'utf8'))) {
      const result = parseRule(m.match, { protocol: m.kind === 'IngressRoute' ? 'http' : 'tcp' });
      assert.deepEqual(result.problems, [], `${relative(repoRoot, path)} ${m.name}[${m.index}]: ${m.match}`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'the examples hold rules');
});

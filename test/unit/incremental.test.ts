/**
 * The caches that make large workspaces fast must not change a single finding or dependency:
 *
 * - derived values (index/derived.ts), shared by every reader within one state of the index, must give each reader
 *   the findings and the dependency keys it would have had computing them itself;
 * - after edits, incremental re-analysis (the edited file and its dependents) must equal a fresh analysis;
 * - rules parsed ahead of the analysis (by the CLI's read worker) must leave the findings as they are;
 * - the shortcuts of the string helpers (bounded edit distance, the ASCII fast paths of the rule scanner and of
 *   Traefik's name normalisation, the parse cache of rules) must agree with their plain definitions.
 *
 * These are correctness tests only; speed is measured by the benchmark (npm run bench), never here.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { Analyzer } from '../../server/src/core/analyze';
import { DerivedCache } from '../../server/src/core/index/derived';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { closestMatch, editDistance, editDistanceWithin } from '../../server/src/core/k8s/similar';
import { makeAnalysisOptions, type AnalysisOptions, type Finding, type TraefikOptions } from '../../server/src/core/model';
import { parseFile, scanFile } from '../../server/src/core/parse/parseFile';
import { GoScanner } from '../../server/src/core/rulelang/goScanner';
import { knownWithoutProblems, parseRule, primeRulesWithoutProblems, ruleResultKey, rulesWithoutProblems, type RuleRequest } from '../../server/src/core/rulelang/parser';
import { allChecks } from '../../server/src/core/rules';
import { scannedRuleRequests } from '../../server/src/core/rules/ruleLanguageChecks';
import { closestNames, normalize } from '../../server/src/core/traefik/names';
import { analyzeSources } from '../../server/src/core/workspace';
import { walkYamlFiles } from '../../server/src/host/files';
// The benchmark's generator: a realistic GitOps layout (kustomize builds, routes, Services, Deployments).
import { generateWorkspace, prng } from '../bench/generate.mjs';

/** A live workspace as the language server keeps it: an index, a tracking Analyzer, and the texts. */
class Live {
  readonly index = new WorkspaceIndex();
  readonly analyzer: Analyzer;
  readonly texts = new Map<string, string>();

  constructor(files: Iterable<[string, string]>, readonly options: AnalysisOptions) {
    for (const [file, text] of files) {
      this.texts.set(file, text);
      this.index.setFile(parseFile(file, text));
    }
    this.analyzer = new Analyzer(this.index, options, allChecks);
  }

  analyzeAll(): Map<string, Finding[]> {
    const out = new Map<string, Finding[]>();
    for (const file of [...this.index.files()].sort()) out.set(file, this.analyzer.analyzeFile(file));
    return out;
  }

  /** Applies an edit as the language server does and returns the findings of every file re-analysed. */
  edit(file: string, text: string | undefined): Map<string, Finding[]> {
    const before = this.index.getFile(file);
    const after = text === undefined ? undefined : parseFile(file, text);
    if (text === undefined) this.texts.delete(file);
    else this.texts.set(file, text);
    if (after) this.index.setFile(after);
    else this.index.removeFile(file);
    const dependents = this.analyzer.dependents(file, before, after);
    const out = new Map<string, Finding[]>();
    if (after) out.set(file, this.analyzer.analyzeFile(file));
    else this.analyzer.forget(file);
    for (const d of dependents) out.set(d, this.analyzer.analyzeFile(d));
    return out;
  }

  /** For every file, the files an edit of it that changes nothing would re-analyse: what the recorded keys say. */
  dependencyMap(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const file of [...this.index.files()].sort()) {
      const parsed = this.index.getFile(file);
      out.set(file, [...this.analyzer.dependents(file, parsed, parsed)].sort());
    }
    return out;
  }
}

/** Runs `body` with every derived value computed afresh by each reader, as if there were no cache. */
function withoutDerivedCache<T>(body: () => T): T {
  const get = DerivedCache.prototype.get;
  DerivedCache.prototype.get = () => undefined;
  try {
    return body();
  } finally {
    DerivedCache.prototype.get = get;
  }
}

function fresh(texts: Map<string, string>, options: AnalysisOptions): Map<string, Finding[]> {
  const result = analyzeSources([...texts].map(([file, text]) => ({ file, text })), options);
  const out = new Map<string, Finding[]>();
  for (const file of [...texts.keys()].sort()) out.set(file, result.findings.get(file) ?? []);
  return out;
}

interface Case {
  name: string;
  files: [string, string][];
  options: Partial<TraefikOptions>;
}

const casesDir = join(__dirname, '..', 'fixtures', 'cases');
const root = join(__dirname, '..', '..');

function fixtureCases(): Case[] {
  const cases: Case[] = [];
  for (const name of readdirSync(casesDir).sort()) {
    const caseDir = join(casesDir, name);
    if (!statSync(caseDir).isDirectory()) continue;
    const expected = JSON.parse(readFileSync(join(caseDir, 'expected.json'), 'utf8')) as { dir?: string; options?: Partial<TraefikOptions> };
    const dir = expected.dir ? join(root, expected.dir) : caseDir;
    const files = walkYamlFiles(dir).map((file): [string, string] => [relative(dir, file), readFileSync(file, 'utf8')]);
    cases.push({ name, files, options: expected.options ?? {} });
  }
  return cases;
}

/** A small generated GitOps workspace, with a few hand-written objects that share Services, Middlewares and TraefikServices. */
function generatedCase(): Case {
  const files = generateWorkspace(150, 5).filter(([path]) => !path.startsWith('crds/'));
  const shared = `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: chain
  namespace: team-alpha
spec:
  chain:
    middlewares:
      - name: auth
      - name: missing-one
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: auth
  namespace: team-alpha
spec:
  basicAuth:
    secret: users
---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata:
  name: split
  namespace: team-alpha
spec:
  weighted:
    services:
      - name: web
        port: 80
      - name: split
        kind: TraefikService
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: team-alpha
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-alpha
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          ports:
            - name: htp
              containerPort: 8080
`;
  const routes = [0, 1, 2].map((i) => [`shared/route-${i}.yaml`, `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: route-${i}
  namespace: team-alpha
spec:
  routes:
    - match: Host(\`r${i}.example.com\`) && PathPrefix(\`/a\`)
      kind: Rule
      middlewares:
        - name: chain
        - name: auth
      services:
        - name: web
          port: 80
        - name: split
          kind: TraefikService
    - match: Host(\`r${i}.example.com\`)
      kind: Rule
      services:
        - name: web
          port: http
        - name: wbe
          port: 80
`] as [string, string]);
  return { name: 'generated', files: [...files, ['shared/objects.yaml', shared], ...routes], options: {} };
}

describe('derived values give every reader the findings and dependencies it would compute itself', () => {
  for (const c of [...fixtureCases(), generatedCase()]) {
    test(c.name, () => {
      const options = makeAnalysisOptions(c.options);
      const cached = new Live(c.files, options);
      const plain = new Live(c.files, options);
      const cachedFindings = cached.analyzeAll();
      const plainFindings = withoutDerivedCache(() => plain.analyzeAll());
      assert.deepEqual(cachedFindings, plainFindings);
      assert.deepEqual(cached.dependencyMap(), plain.dependencyMap());
    });
  }
});

/** The edits a developer makes while fixing a route, as in the benchmark, plus a few that break shared objects. */
const edits: { matches: (path: string, text: string) => boolean; apply: (text: string, n: number) => string }[] = [
  { matches: (_p, t) => /^kind: Deployment$/m.test(t) && /^ {8}version: /m.test(t), apply: (t, n) => t.replace(/^( {8}version: ).*$/m, `$1edited-${n}`) },
  { matches: (_p, t) => /^kind: Deployment$/m.test(t) && /^ {8}app: /m.test(t), apply: (t, n) => t.replace(/^( {8}app: )(.*)$/m, `$1$2-x${n}`) },
  { matches: (_p, t) => /^kind: Service$/m.test(t), apply: (t, n) => t.replace(/^( {2}name: )(.*)$/m, `$1$2-renamed-${n}`) },
  { matches: (_p, t) => /^kind: IngressRoute$/m.test(t) && /^ {10}port: 80$/m.test(t), apply: (t, n) => t.replace(/^( {10}port: )80$/m, `$1${8000 + n}`) },
  { matches: (_p, t) => /^kind: IngressRoute$/m.test(t) && /^ {8}- name: /m.test(t), apply: (t, n) => t.replace(/^( {8}- name: )(.*)$/m, `$1$2-typo${n}`) },
  { matches: (_p, t) => /^kind: Middleware$/m.test(t), apply: (t, n) => t.replace(/^( {2}name: )(.*)$/m, `$1$2-gone-${n}`) },
  { matches: (_p, t) => /targetPort: http$/m.test(t), apply: (t) => t.replace(/targetPort: http$/m, 'targetPort: htp') },
  { matches: (p) => p.endsWith('kustomization.yaml'), apply: (t, n) => `${t}namePrefix: p${n}-\n` },
];

describe('incremental re-analysis after edits equals a fresh analysis', () => {
  const cases = [generatedCase(), ...fixtureCases().filter((c) => c.files.length > 1)];
  for (const c of cases) {

    test(c.name, () => {
      const options = makeAnalysisOptions(c.options);
      const live = new Live(c.files, options);
      const current = live.analyzeAll();
      const rand = prng(11);
      const rounds = c.name === 'generated' ? 40 : 12;
      for (let n = 0; n < rounds; n++) {
        const kind = edits[n % edits.length]!;
        const candidates = [...live.texts].filter(([p, t]) => kind.matches(p, t)).map(([p]) => p).sort();
        // Without a file of the kind, the edit removes a file and puts it back.
        const file = candidates.length > 0 ? candidates[Math.floor(rand() * candidates.length)]! : [...live.texts.keys()].sort()[n % live.texts.size]!;
        const original = live.texts.get(file)!;
        const steps: (string | undefined)[] = candidates.length > 0 ? [kind.apply(original, n), original] : [undefined, original];
        for (const text of steps) {
          for (const [f, findings] of live.edit(file, text)) current.set(f, findings);
          if (text === undefined) current.delete(file);
          assert.deepEqual(new Map([...current].sort(([a], [b]) => (a < b ? -1 : 1))), fresh(live.texts, options), `after editing ${file} (round ${n})`);
        }
      }
    });
  }

  test('a change of options replaces every derived value', () => {
    const c = generatedCase();
    const live = new Live(c.files, makeAnalysisOptions());
    live.analyzeAll();
    for (const partial of [{ version: 'v2' as const }, { allowEmptyServices: true }, { allowCrossNamespace: true, nativeLBByDefault: true }]) {
      const options = makeAnalysisOptions(partial);
      live.analyzer.options = options;
      assert.deepEqual(live.analyzeAll(), fresh(live.texts, options));
    }
  });
});

/** Findings of a fresh analysis while `keys` are the rules known to parse without problems. */
function analyzedKnowing(keys: ReadonlySet<string>, files: Iterable<[string, string]>, options: AnalysisOptions): Map<string, Finding[]> {
  primeRulesWithoutProblems(keys);
  try {
    return analyzeSources([...files].map(([file, text]) => ({ file, text })), options).findings;
  } finally {
    primeRulesWithoutProblems(new Set());
  }
}

describe('rules parsed ahead of the analysis change no finding', () => {
  for (const c of [...fixtureCases(), generatedCase()]) {
    test(c.name, () => {
      const options = makeAnalysisOptions(c.options);
      // What the CLI's read worker finds in the files it reads.
      const keys = new Set(c.files.flatMap(([file, text]) => rulesWithoutProblems(scannedRuleRequests(scanFile(file, text), text, options.traefik.version))));
      assert.deepEqual(analyzedKnowing(keys, c.files, options), analyzedKnowing(new Set(), c.files, options));
    });
  }

  test('only rules without problems are kept, under the options they were parsed with', () => {
    const http = { protocol: 'http' as const, syntax: 'v3' as const, traefik: 'v3' as const };
    const requests: RuleRequest[] = [
      { rule: 'Host(`a.example.com`)', options: http },
      { rule: 'Hots(`a.example.com`)', options: http },
      { rule: 'Path(`/{id}`)', options: http },
      { rule: 'HostSNI(`db.example.com`)', options: { protocol: 'tcp', syntax: 'v3', traefik: 'v3' } },
    ];
    const keys = rulesWithoutProblems(requests);
    assert.deepEqual(keys, [ruleResultKey(requests[0]!.rule, http), ruleResultKey(requests[3]!.rule, requests[3]!.options)]);
    primeRulesWithoutProblems(new Set(keys));
    try {
      assert.equal(knownWithoutProblems('Host(`a.example.com`)', http), true);
      assert.equal(knownWithoutProblems('Host(`a.example.com`)', { ...http, syntax: 'v2' }), false);
      assert.equal(knownWithoutProblems('Hots(`a.example.com`)', http), false);
    } finally {
      primeRulesWithoutProblems(new Set());
    }
  });

  test('the rule checks trust what they are told, except where a TCP route without TLS needs the whole rule', () => {
    // Told (wrongly) that two broken rules are fine, the checks skip the HTTP one: so the test above, where the
    // worker's keys change nothing, shows that the keys are right, not that they are ignored.
    const route = (kind: string, match: string, tls = '') => `apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata:
  name: r
spec:
  routes:
    - match: ${match}
      services:
        - name: s
          port: 80${tls}
`;
    const files: [string, string][] = [
      ['http.yaml', route('IngressRoute', 'Hots(`a.example.com`)')],
      ['tcp.yaml', route('IngressRouteTCP', 'HostSNI(`db.example.com`)')],
    ];
    const options = makeAnalysisOptions();
    const lie = new Set([ruleResultKey('Hots(`a.example.com`)', { protocol: 'http', syntax: 'v3', traefik: 'v3' }), ruleResultKey('HostSNI(`db.example.com`)', { protocol: 'tcp', syntax: 'v3', traefik: 'v3' })]);
    const codesIn = (findings: Map<string, Finding[]>, file: string) => (findings.get(file) ?? []).map((f) => f.code).filter((code) => code.startsWith('rule-') || code.startsWith('hostsni'));
    const truth = analyzedKnowing(new Set(), files, options);
    assert.deepEqual(codesIn(truth, 'http.yaml'), ['rule-unknown-matcher']);
    assert.deepEqual(codesIn(truth, 'tcp.yaml'), ['hostsni-requires-tls']);
    const told = analyzedKnowing(lie, files, options);
    assert.deepEqual(codesIn(told, 'http.yaml'), []);
    assert.deepEqual(codesIn(told, 'tcp.yaml'), ['hostsni-requires-tls']);
  });
});

describe('string helpers and their shortcuts', () => {
  const alphabet = ['a', 'b', 'A', '-', '.', 'é', 'İ', '\u{1F600}', '\ud800', '1'];
  const randomString = (rand: () => number, max: number) => {
    let s = '';
    const n = Math.floor(rand() * max);
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };

  test('bounded edit distance is exact within its limit and above it otherwise', () => {
    const rand = prng(1);
    for (let i = 0; i < 20000; i++) {
      const a = randomString(rand, 12);
      const b = randomString(rand, 12);
      const limit = Math.floor(rand() * 6);
      const d = editDistance(a, b);
      const w = editDistanceWithin(a, b, limit);
      if (d <= limit) assert.equal(w, d, `${a} / ${b}`);
      else assert.ok(w > limit, `${a} / ${b}`);
    }
  });

  test('suggestions are those of the plain definitions', () => {
    const plainClosestNames = (wanted: string, candidates: string[]) => {
      const allowed = Math.max(2, Math.floor(wanted.length / 3));
      return [...new Set(candidates)].filter((n) => n !== wanted)
        .map((name) => ({ name, distance: editDistance(wanted.toLowerCase(), name.toLowerCase()) }))
        .filter((s) => s.distance <= allowed)
        .sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : 1))
        .slice(0, 3).map((s) => s.name);
    };
    const plainClosestMatch = (name: string, candidates: string[]) => {
      const limit = Math.max(2, Math.floor(name.length / 3));
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const c of candidates) {
        if (c === name) continue;
        const d = editDistance(name, c);
        if (d <= limit && d < bestDistance) [best, bestDistance] = [c, d];
      }
      return best;
    };
    const rand = prng(2);
    for (let i = 0; i < 3000; i++) {
      const wanted = randomString(rand, 10);
      const candidates = Array.from({ length: Math.floor(rand() * 8) }, () => (rand() < 0.3 ? wanted + randomString(rand, 3) : randomString(rand, 10)));
      assert.deepEqual(closestNames(wanted, candidates), plainClosestNames(wanted, candidates));
      assert.equal(closestMatch(wanted, candidates), plainClosestMatch(wanted, candidates));
    }
  });

  test("Traefik's name normalisation takes its shortcut only where the result is the same", () => {
    const plain = (name: string) => name.split(/[^\p{L}\p{Nd}]+/u).filter((piece) => piece !== '').join('-');
    const rand = prng(3);
    for (const name of ['web', 'team-a-web', 'a--b', '-a', 'a-', 'a.b', 'A1-b2', '', 'é-x', 'a_b']) assert.equal(normalize(name), plain(name));
    for (let i = 0; i < 5000; i++) {
      const name = randomString(rand, 10);
      assert.equal(normalize(name), plain(name));
    }
  });

  test('the rule scanner decodes strings as Go does, with or without its ASCII shortcut', () => {
    // The decoding as it was written first: every code point through TextEncoder, every sequence through TextDecoder.
    const reference = () => {
      const encoder = new TextEncoder();
      const decoder = new TextDecoder();
      const bytes: number[] = [];
      const at: number[] = [];
      const add = (ch: string, offset: number) => {
        for (const b of encoder.encode(ch)) {
          bytes.push(b);
          at.push(offset);
        }
      };
      return { add, finish: () => ({ bytes, at, decoder }) };
    };
    const rand = prng(4);
    const pieces = ['a', 'Z', ' ', '\r', '\0', 'é', '日', '\u{1F600}', '\ud800', '\ufeff', '/', '{id}'];
    for (let i = 0; i < 3000; i++) {
      let content = '';
      const n = Math.floor(rand() * 10);
      for (let k = 0; k < n; k++) content += pieces[Math.floor(rand() * pieces.length)];
      const src = `\`${content}\``;
      const token = GoScanner.tokenize(src).tokens[0]!;
      assert.equal(token.kind, 'STRING');
      // Rebuild the expected value with the reference decoding of the raw string's code points (CRs dropped).
      const ref = reference();
      for (let j = 1; j < src.length - 1;) {
        const cp = src.codePointAt(j)!;
        const ch = String.fromCodePoint(cp);
        if (ch !== '\r') ref.add(ch, j);
        j += ch.length;
      }
      const { bytes, at, decoder } = ref.finish();
      let value = '';
      const offsets: number[] = [];
      for (let b = 0; b < bytes.length;) {
        let size = bytes[b]! < 0x80 ? 1 : bytes[b]! >= 0xf0 ? 4 : bytes[b]! >= 0xe0 ? 3 : 2;
        if (b + size > bytes.length) size = 1;
        const ch = decoder.decode(new Uint8Array(bytes.slice(b, b + size)));
        for (let k = 0; k < ch.length; k++) offsets.push(at[b]!);
        value += ch;
        b += size;
      }
      offsets.push(src.length - 1);
      assert.equal(token.string!.value, value, JSON.stringify(src));
      assert.deepEqual(token.string!.offsets, offsets, JSON.stringify(src));
      assert.equal(token.string!.byteLength, bytes.length);
      assert.equal(token.string!.ascii, bytes.every((b) => b < 0x80));
    }
  });

  test('a rule parsed again gives the same result as its first parse', () => {
    const rules = ['Host(`a.example.com`) && PathPrefix(`/api`)', 'Host(`a`) || HostRegexp(`{x:[a-z]+}.b`)', 'Path(`/{id}`)', 'host(`a`)', 'Hots(`a`)', 'Host(`a`', ''];
    for (const rule of rules) {
      for (const options of [{ protocol: 'http' as const }, { protocol: 'http' as const, syntax: 'v2' as const }, { protocol: 'tcp' as const }, { protocol: 'http' as const, traefik: 'v2' as const }]) {
        const first = parseRule(rule, options);
        // Enough other rules to push the first out of the cache of recent parses.
        for (let i = 0; i < 2100; i++) parseRule(`Host(\`h${i}.example.com\`)`, options);
        assert.deepEqual(parseRule(rule, { ...options }), first);
        assert.deepEqual(parseRule(rule, { ...options }), first);
      }
    }
  });
});

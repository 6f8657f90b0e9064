/**
 * Agreement with Traefik's own CRD provider tests. Each case of ../shared/conformance/traefik/cases.jsonl names
 * fixture files, a Traefik version and provider options, and the outcome Traefik gives every route. The case's
 * files are linted together and each route is judged as the conformance README says: an accepted route must have
 * no error starting inside its lines; any other outcome needs at least one error inside its lines or inside
 * the lines of an object it blames (or that the README lists in `alsoAt`).
 *
 * The data lives outside the repository (it is Traefik's, under its license); when it is absent the test says so
 * and skips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { LineIndex } from '../../server/src/core/lineIndex';
import { makeAnalysisOptions, type TraefikOptions } from '../../server/src/core/model';
import { analyzeSources } from '../../server/src/core/workspace';

const conformanceDir = join(__dirname, '..', '..', '..', 'shared', 'conformance', 'traefik');
const casesFile = join(conformanceDir, 'cases.jsonl');

type Version = 'v2' | 'v3';
type Outcome = 'accepted' | 'dropped' | 'router-kept-service-missing' | 'accepted-runtime-error';

interface Place {
  kind?: string;
  namespace?: string;
  name?: string;
  file: string;
  lines: [number, number];
}

interface ConformanceRoute extends Place {
  protocol: 'http' | 'tcp' | 'udp';
  index: number;
  outcome: Outcome;
  reason: string | null;
  reasonCode: string | null;
  blame?: Place[];
  alsoAt?: Place[];
  degraded?: unknown[];
}

interface ConformanceCase {
  id: string;
  traefik: Version;
  paths: string[];
  options: Partial<TraefikOptions>;
  routes: ConformanceRoute[];
  needsCluster?: boolean;
}

/** Reasons that only the rule-language checks (rules/ruleLanguageChecks.ts) can find. */
const ruleLanguageReasons: ReadonlySet<string> = new Set(['invalid-rule', 'hostsni-without-tls']);

interface RouteVerdict {
  route: ConformanceRoute;
  agrees: boolean;
  /** The errors that start inside the route's own lines, as `line:code`. */
  errorsInside: string[];
}

/** 1-based start lines of the error findings, per file. */
function errorLines(testCase: ConformanceCase): Map<string, { line: number; code: string }[]> {
  const fixtures = join(conformanceDir, 'fixtures', testCase.traefik);
  const sources = testCase.paths.map((path) => ({ file: path, text: readFileSync(join(fixtures, path), 'utf8') }));
  const result = analyzeSources(sources, makeAnalysisOptions({ ...testCase.options, version: testCase.traefik }));
  const byFile = new Map<string, { line: number; code: string }[]>();
  for (const source of sources) {
    const lines = new LineIndex(source.text);
    const errors = (result.findings.get(source.file) ?? []).filter((f) => f.severity === 'error');
    byFile.set(source.file, errors.map((f) => ({ line: lines.position(f.span.start).line + 1, code: f.code })));
  }
  return byFile;
}

function judge(testCase: ConformanceCase): RouteVerdict[] {
  const errors = errorLines(testCase);
  const inside = (place: Place) => (errors.get(place.file) ?? []).filter((e) => e.line >= place.lines[0] && e.line <= place.lines[1]);
  return testCase.routes.map((route) => {
    const errorsInside = inside(route).map((e) => `${e.line}:${e.code}`);
    let agrees: boolean;
    if (route.outcome === 'accepted') agrees = route.degraded !== undefined || errorsInside.length === 0;
    else agrees = errorsInside.length > 0 || [...(route.blame ?? []), ...(route.alsoAt ?? [])].some((place) => inside(place).length > 0);
    return { route, agrees, errorsInside };
  });
}

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`;
}

function reportVersion(t: TestContext, version: Version, cases: ConformanceCase[]): { failedCases: number; onlyRuleLanguage: number } {
  const counted = cases.filter((c) => !c.needsCluster);
  const verdicts = new Map(cases.map((c) => [c.id, judge(c)]));
  const failed = counted.filter((c) => verdicts.get(c.id)!.some((v) => !v.agrees));
  const onlyRuleLanguage = failed.filter((c) => verdicts.get(c.id)!.every((v) => v.agrees || ruleLanguageReasons.has(v.route.reasonCode ?? '')));
  t.diagnostic(`Traefik ${version}: ${counted.length - failed.length}/${counted.length} cases agree (${percent(counted.length - failed.length, counted.length)}); `
    + `${failed.length - onlyRuleLanguage.length} fail for reasons other than the rule language`);
  const routes = counted.flatMap((c) => verdicts.get(c.id)!);
  for (const outcome of ['accepted', 'dropped', 'router-kept-service-missing', 'accepted-runtime-error'] as const) {
    const ofOutcome = routes.filter((v) => v.route.outcome === outcome);
    t.diagnostic(`  ${outcome}: ${ofOutcome.filter((v) => v.agrees).length}/${ofOutcome.length} routes (${percent(ofOutcome.filter((v) => v.agrees).length, ofOutcome.length)})`);
  }
  const failingByReason = new Map<string, number>();
  for (const v of routes.filter((r) => !r.agrees)) {
    const key = v.route.reasonCode ?? 'accepted (false error)';
    failingByReason.set(key, (failingByReason.get(key) ?? 0) + 1);
  }
  for (const [reason, count] of [...failingByReason].sort()) {
    t.diagnostic(`  failing routes with reason ${reason}: ${count}${ruleLanguageReasons.has(reason) ? ' (rule language)' : ''}`);
  }
  for (const c of failed.filter((f) => !onlyRuleLanguage.includes(f))) {
    for (const v of verdicts.get(c.id)!.filter((r) => !r.agrees)) {
      const { route } = v;
      t.diagnostic(`  ✗ ${c.id}: ${route.protocol} ${route.namespace}/${route.name}[${route.index}] expected ${route.outcome}`
        + `${route.reason ? ` (${route.reason})` : ''}; errors inside ${route.file}:${route.lines.join('-')}: ${v.errorsInside.join(', ') || 'none'}`);
    }
  }
  const clusterCases = cases.filter((c) => c.needsCluster);
  if (clusterCases.length > 0) {
    const agreeing = clusterCases.filter((c) => verdicts.get(c.id)!.every((v) => v.agrees)).length;
    t.diagnostic(`  cases that need a cluster (not counted): ${agreeing}/${clusterCases.length} agree`);
  }
  return { failedCases: failed.length, onlyRuleLanguage: onlyRuleLanguage.length };
}

if (!existsSync(casesFile)) {
  test('Traefik conformance', (t) => {
    t.skip(`not run: the conformance data ${casesFile} is absent (it is read from ../shared next to the repository)`);
  });
} else {
  const cases = readFileSync(casesFile, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as ConformanceCase);
  for (const version of ['v3', 'v2'] as const) {
    test(`Traefik ${version} conformance: every route judged as Traefik does`, (t) => {
      const { failedCases, onlyRuleLanguage } = reportVersion(t, version, cases.filter((c) => c.traefik === version));
      if (failedCases > 0) {
        throw new Error(`${failedCases} ${version} cases disagree with Traefik (${onlyRuleLanguage} of them only on rule-language reasons); see the diagnostics above`);
      }
    });
  }
}

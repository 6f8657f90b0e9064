/**
 * Every offered quick fix, applied one at a time to the example workspace and to every case of the Traefik
 * conformance fixtures (../shared/conformance/traefik, when present), must:
 *
 * - leave each file it edits readable, with the same objects, every comment, and the documents it did not edit
 *   byte for byte;
 * - make its diagnostic disappear (a suppression instead writes an annotation or comment that names the code);
 * - introduce no new error on the diagnostic's line. An error there that the workspace already reported elsewhere,
 *   with the same message, is a fault further down the chain that the fix uncovers (a corrected Service name leads
 *   to that Service's missing endpoints), not one it creates.
 *
 * The other features are swept over the same files: at any offset, hover, completion, definition, references and
 * rename answer without throwing.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { Lexer } from 'yaml';
import { codeLenses } from '../../server/src/core/features/codeLens';
import { completionsAt } from '../../server/src/core/features/completion';
import { fixesFor, type Fix } from '../../server/src/core/features/fixes';
import { hoverAt } from '../../server/src/core/features/hover';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from '../../server/src/core/features/navigation';
import { applyEdits } from '../../server/src/core/features/yamlEdit';
import { LineIndex } from '../../server/src/core/lineIndex';
import { makeAnalysisOptions, type AnalysisOptions, type Finding, type Span, type TraefikOptions } from '../../server/src/core/model';
import { parseFile, splitDocuments } from '../../server/src/core/parse/parseFile';
import { ignoredCodes, findIgnoreComments } from '../../server/src/core/suppress';
import { analyzeSources, type SourceText } from '../../server/src/core/workspace';
import { walkYamlFiles } from '../../server/src/host/files';

const repoRoot = join(__dirname, '..', '..');
const conformanceDir = join(repoRoot, '..', 'shared', 'conformance', 'traefik');

interface Workspace {
  name: string;
  sources: SourceText[];
  options: AnalysisOptions;
}

function analyze(w: Workspace) {
  const texts = new Map(w.sources.map((s) => [s.file, s.text]));
  const result = analyzeSources(w.sources, w.options);
  const ctx = {
    index: result.index, options: w.options,
    textOf: (file: string) => texts.get(file),
    findingsOf: (file: string) => result.findings.get(file) ?? [],
  };
  return { ctx, findings: [...result.findings.values()].flat(), texts };
}

/** The comments of a text, in order, as the `yaml` lexer finds them. */
function comments(text: string): string[] {
  return [...new Lexer().lex(text)].filter((token) => token.startsWith('#'));
}

/** Whether `after` holds every item of `before`, in order (a suppression comment may be added between them). */
function keepsAll(before: readonly string[], after: readonly string[]): boolean {
  let i = 0;
  for (const item of after) if (item === before[i]) i++;
  return i === before.length;
}

/** Where an offset of the old text lands in the new one; inside a replaced range, at the start of its replacement. */
function mapOffset(offset: number, edits: readonly { span: Span; newText: string }[]): number {
  let shift = 0;
  for (const e of edits) {
    if (e.span.end <= offset && !(e.span.start === e.span.end && e.span.start === offset)) shift += e.newText.length - (e.span.end - e.span.start);
    else if (e.span.start <= offset && offset < e.span.end) return e.span.start + shift;
  }
  return offset + shift;
}

interface Outcome {
  applied: number;
  /** Repairs (not suppressions) applied, per diagnostic code. */
  repairs: Map<string, number>;
  failures: string[];
}

function checkFix(w: Workspace, before: ReturnType<typeof analyze>, finding: Finding, fix: Fix): string[] {
  const problems: string[] = [];
  const label = `${w.name}: ${finding.code} at ${finding.file}:${finding.span.start} → "${fix.title}"`;
  const edited = new Map<string, string>();
  for (const file of new Set(fix.edits.map((e) => e.file))) {
    const text = before.texts.get(file)!;
    const edits = fix.edits.filter((e) => e.file === file);
    const after = applyEdits(text, edits);
    edited.set(file, after);
    const oldParse = parseFile(file, text);
    const newParse = parseFile(file, after);
    if (newParse.problems.length > oldParse.problems.length) problems.push(`${label}: ${file} no longer reads: ${newParse.problems.map((p) => p.message).join('; ')}`);
    const objects = (p: ReturnType<typeof parseFile>) => p.resources.map((r) => `${r.kind}/${r.namespace}/${r.name}`).join(',');
    if (objects(newParse) !== objects(oldParse)) problems.push(`${label}: ${file} holds other objects: ${objects(oldParse)} → ${objects(newParse)}`);
    if (!keepsAll(comments(text), comments(after))) problems.push(`${label}: ${file} lost or changed a comment`);
    const oldDocs = splitDocuments(text);
    const newDocs = splitDocuments(after);
    oldDocs.forEach((span, i) => {
      const touchedDoc = edits.some((e) => e.span.start >= span.start && e.span.start <= span.end);
      const now = newDocs[i];
      if (!touchedDoc && (!now || after.slice(now.start, now.end) !== text.slice(span.start, span.end))) problems.push(`${label}: ${file} document ${i} changed`);
    });
  }
  const sources = w.sources.map((s) => ({ file: s.file, text: edited.get(s.file) ?? s.text }));
  const fileEdits = fix.edits.filter((e) => e.file === finding.file);
  const start = mapOffset(finding.span.start, fileEdits);
  const end = Math.max(start, mapOffset(finding.span.end, fileEdits));
  const newText = edited.get(finding.file) ?? before.texts.get(finding.file)!;
  if (fix.kind === 'suppress') {
    const parsed = parseFile(finding.file, newText);
    const byAnnotation = parsed.resources.some((r) => ignoredCodes(r).has(finding.code) && r.kind === finding.resource?.kind && r.name === finding.resource?.name);
    const line = new LineIndex(newText).position(start).line;
    const byComment = findIgnoreComments(newText).some((c) => c.codes.includes(finding.code) && new LineIndex(newText).position(c.line.start).line === line);
    if (!byAnnotation && !byComment) problems.push(`${label}: the suppression names no code`);
    return problems;
  }
  const after = analyze({ ...w, sources });
  const still = after.findings.filter((f) => f.file === finding.file && f.code === finding.code && f.span.start <= end && f.span.end >= start);
  if (still.length > 0) problems.push(`${label}: the diagnostic is still there`);
  const lines = new LineIndex(newText);
  const line = lines.position(start).line;
  const known = new Set(before.findings.map((f) => `${f.code}\n${f.message}`));
  const oldLine = new LineIndex(before.texts.get(finding.file)!).position(finding.span.start).line;
  const oldOnLine = new Set(before.findings.filter((f) => f.file === finding.file && new LineIndex(before.texts.get(f.file)!).position(f.span.start).line === oldLine).map((f) => f.code));
  for (const f of after.findings) {
    if (f.file !== finding.file || f.severity !== 'error' || lines.position(f.span.start).line !== line) continue;
    if (oldOnLine.has(f.code) && f.code !== finding.code) continue;
    if (!known.has(`${f.code}\n${f.message}`)) problems.push(`${label}: new error on its line: ${f.code}: ${f.message}`);
  }
  return problems;
}

function checkWorkspace(w: Workspace): Outcome {
  const before = analyze(w);
  const outcome: Outcome = { applied: 0, repairs: new Map(), failures: [] };
  for (const finding of before.findings) {
    for (const fix of fixesFor(before.ctx, finding)) {
      outcome.applied++;
      if (fix.kind === 'quickfix') outcome.repairs.set(finding.code, (outcome.repairs.get(finding.code) ?? 0) + 1);
      outcome.failures.push(...checkFix(w, before, finding, fix));
    }
  }
  return outcome;
}

function describe(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort().map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
}

function readDir(dir: string): SourceText[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

test('every fix offered on the example workspace keeps the files intact and removes its diagnostic', (t) => {
  const outcome = checkWorkspace({ name: 'examples/go-app-404', sources: readDir(join(repoRoot, 'examples', 'go-app-404')), options: makeAnalysisOptions() });
  t.diagnostic(`${outcome.applied} fixes applied; repairs per code: ${describe(outcome.repairs)}`);
  assert.ok(outcome.applied >= 10, 'the example offers fixes for each of its faults');
  assert.deepEqual(outcome.failures, []);
});

/**
 * The repository's own test workspaces: every complete fixture case (one with its expected.json) and every golden
 * folder's manifests, each with its options.
 */
function repositoryWorkspaces(): Workspace[] {
  const fixturesDir = join(repoRoot, 'test', 'fixtures');
  const workspaces: Workspace[] = [];
  for (const name of readdirSync(join(fixturesDir, 'cases')).sort()) {
    const dir = join(fixturesDir, 'cases', name);
    if (!existsSync(join(dir, 'expected.json'))) continue;
    const sources = walkYamlFiles(dir).map((file) => ({ file: relative(dir, file), text: readFileSync(file, 'utf8') }));
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { options?: Partial<TraefikOptions> };
    if (sources.length > 0) workspaces.push({ name: `cases/${name}`, sources, options: makeAnalysisOptions(expected.options ?? {}) });
  }
  for (const name of readdirSync(join(fixturesDir, 'golden')).filter((n) => n.startsWith('fix-')).sort()) {
    const dir = join(fixturesDir, 'golden', name);
    const spec = JSON.parse(readFileSync(join(dir, 'fix.json'), 'utf8')) as { options?: Partial<TraefikOptions> };
    workspaces.push({ name: `golden/${name}`, sources: readDir(dir).filter((s) => s.file !== 'expected.yaml'), options: makeAnalysisOptions(spec.options ?? {}) });
  }
  return workspaces;
}

test('every fix offered on the repository\'s fixture cases and golden inputs keeps the files intact and removes its diagnostic', (t) => {
  const workspaces = repositoryWorkspaces();
  let applied = 0;
  const repairs = new Map<string, number>();
  const failures: string[] = [];
  for (const w of workspaces) {
    const outcome = checkWorkspace(w);
    applied += outcome.applied;
    for (const [code, n] of outcome.repairs) repairs.set(code, (repairs.get(code) ?? 0) + n);
    failures.push(...outcome.failures);
  }
  t.diagnostic(`${workspaces.length} workspaces, ${applied} fixes applied; repairs per code: ${describe(repairs)}`);
  assert.deepEqual(failures, []);
});

interface ConformanceCase {
  id: string;
  traefik: 'v2' | 'v3';
  paths: string[];
  options: Partial<TraefikOptions>;
}

const casesFile = join(conformanceDir, 'cases.jsonl');
if (!existsSync(casesFile)) {
  test('every fix offered on the Traefik conformance fixtures', (t) => {
    t.skip(`not run: the conformance data ${casesFile} is absent (it is read from ../shared next to the repository)`);
  });
} else {
  test('every fix offered on the Traefik conformance fixtures keeps the files intact and removes its diagnostic', (t) => {
    const cases = readFileSync(casesFile, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ConformanceCase);
    let applied = 0;
    const repairs = new Map<string, number>();
    const failures: string[] = [];
    for (const c of cases) {
      const fixtures = join(conformanceDir, 'fixtures', c.traefik);
      const sources = c.paths.map((path) => ({ file: path, text: readFileSync(join(fixtures, path), 'utf8') }));
      const outcome = checkWorkspace({ name: c.id, sources, options: makeAnalysisOptions({ ...c.options, version: c.traefik }) });
      applied += outcome.applied;
      for (const [code, n] of outcome.repairs) repairs.set(code, (repairs.get(code) ?? 0) + n);
      failures.push(...outcome.failures);
    }
    t.diagnostic(`${cases.length} cases, ${applied} fixes applied; repairs per code: ${describe(repairs)}`);
    assert.ok(applied > 0);
    assert.deepEqual(failures, []);
  });
}

test('hover, completion, definition, references, rename and code lenses never throw, at any offset of any fixture', (t) => {
  const workspaces = [
    { name: 'examples/go-app-404', sources: readDir(join(repoRoot, 'examples', 'go-app-404')), options: makeAnalysisOptions() },
    ...repositoryWorkspaces(),
  ];
  for (const version of ['v3', 'v2'] as const) {
    const dir = join(conformanceDir, 'fixtures', version);
    if (!existsSync(dir)) {
      t.diagnostic(`not swept: ${dir} is absent`);
      continue;
    }
    const sources = walkYamlFiles(dir).map((file) => ({ file: relative(dir, file), text: readFileSync(file, 'utf8') }));
    workspaces.push({ name: `conformance ${version}`, sources, options: makeAnalysisOptions({ version }) });
  }
  let calls = 0;
  for (const w of workspaces) {
    const { ctx } = analyze(w);
    const sources = w.sources;
    const hoverCtx = { ...ctx, linkTo: (file: string, offset: number) => ({ href: file, label: `${file}:${offset}` }) };
    for (const { file, text } of sources) {
      codeLenses(ctx, file);
      // Every offset costs too much for a unit test; a prime step still lands on every kind of token.
      for (let offset = 0; offset <= text.length; offset += 7) {
        hoverAt(hoverCtx, file, offset);
        completionsAt(ctx, file, offset);
        definitionAt(ctx, file, offset);
        referencesAt(ctx, file, offset, true);
        const target = prepareRenameAt(ctx, file, offset);
        if (target && !('error' in target)) renameAt(ctx, file, offset, 'renamed');
        calls++;
      }
    }
  }
  t.diagnostic(`${calls} offsets of ${workspaces.length} workspaces`);
});

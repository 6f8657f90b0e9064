/**
 * Golden files for quick fixes. Each folder test/fixtures/golden/fix-<name>/ holds `input.yaml` (the file with the
 * diagnostic), other manifests of the workspace, `fix.json` and `expected.yaml`. fix.json names the fix: the
 * diagnostic `code` and the fix `title` (or `"fixAll": true` for "Fix all" on input.yaml, `"fileWide": true` for a
 * fix that repairs every diagnostic of the code in the file), Traefik `options`, and the file whose expected text
 * `expected.yaml` is (`result`, input.yaml by default). The fix's edits must touch that file only and produce
 * expected.yaml byte for byte; a repair must then make its diagnostic disappear, and a suppression must name the code.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileWideFixes, fixAllEdits, fixesFor, type Fix } from '../../server/src/core/features/fixes';
import { applyEdits, type TextEdit } from '../../server/src/core/features/yamlEdit';
import { makeAnalysisOptions, type TraefikOptions } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { findIgnoreComments, ignoredCodes } from '../../server/src/core/suppress';
import { analyzeSources } from '../../server/src/core/workspace';

interface FixSpec {
  code?: string;
  title?: string;
  fixAll?: boolean;
  fileWide?: boolean;
  options?: Partial<TraefikOptions>;
  result?: string;
}

const goldenDir = join(__dirname, '..', 'fixtures', 'golden');

for (const name of readdirSync(goldenDir).filter((n) => n.startsWith('fix-')).sort()) {
  const dir = join(goldenDir, name);
  const spec = JSON.parse(readFileSync(join(dir, 'fix.json'), 'utf8')) as FixSpec;
  test(`golden ${name}: ${spec.fixAll ? 'Fix all' : `${spec.code} → "${spec.title}"`}`, () => {
    const sources = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'expected.yaml').map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
    const texts = new Map(sources.map((s) => [s.file, s.text]));
    const options = makeAnalysisOptions(spec.options ?? {});
    const result = analyzeSources(sources, options);
    const ctx = { index: result.index, options, textOf: (f: string) => texts.get(f), findingsOf: (f: string) => result.findings.get(f) ?? [] };
    const findings = result.findings.get('input.yaml') ?? [];
    let edits: TextEdit[];
    let fix: Fix | undefined;
    if (spec.fixAll) {
      edits = fixAllEdits(ctx, 'input.yaml', findings);
    } else {
      const offered = spec.fileWide ? fileWideFixes(ctx, 'input.yaml', findings) : findings.filter((f) => f.code === spec.code).flatMap((f) => fixesFor(ctx, f));
      fix = offered.find((f) => f.title === spec.title);
      assert.ok(fix, `"${spec.title}" is offered; offered: ${offered.map((f) => `"${f.title}"`).join(', ') || 'nothing'}`);
      edits = fix.edits;
    }
    const target = spec.result ?? 'input.yaml';
    assert.deepEqual([...new Set(edits.map((e) => e.file))], [target], `the edits touch ${target} only`);
    const after = applyEdits(texts.get(target)!, edits);
    assert.equal(after, readFileSync(join(dir, 'expected.yaml'), 'utf8'));

    const edited = sources.map((s) => (s.file === target ? { file: s.file, text: after } : s));
    if (fix?.kind === 'suppress') {
      const parsed = parseFile(target, after);
      const silenced = parsed.resources.some((r) => ignoredCodes(r).has(spec.code!)) || findIgnoreComments(after).some((c) => c.codes.includes(spec.code!));
      assert.ok(silenced, `the suppression names ${spec.code}`);
      return;
    }
    const fixed = analyzeSources(edited, options).findings.get('input.yaml') ?? [];
    const repaired = fix ? fix.findings : findings.filter((f) => fixesFor(ctx, f).some((x) => x.preferred && x.kind === 'quickfix'));
    assert.ok(repaired.length > 0, 'the fix repairs something');
    for (const code of new Set(repaired.map((f) => f.code))) {
      const left = fixed.filter((f) => f.code === code).length;
      const before = findings.filter((f) => f.code === code).length;
      assert.equal(left, before - repaired.filter((f) => f.code === code).length, `every repaired ${code} diagnostic is gone`);
    }
  });
}

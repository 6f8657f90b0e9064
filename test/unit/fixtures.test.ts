/**
 * Tests as data: every folder under test/fixtures/cases holds manifests (or names a folder with "dir") and an
 * expected.json listing the diagnostics (file, 0-based line, code) the analysis must produce — all of them, and no more.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/core/lineIndex';
import { makeAnalysisOptions, type TraefikOptions } from '../../server/src/core/model';
import { analyzeSources } from '../../server/src/core/workspace';
import { walkYamlFiles } from '../../server/src/host/files';

interface Expected {
  description: string;
  dir?: string;
  options?: Partial<TraefikOptions>;
  diagnostics: { file: string; line: number; character?: number; code: string }[];
}

const casesDir = join(__dirname, '..', 'fixtures', 'cases');
const root = join(__dirname, '..', '..');

for (const name of readdirSync(casesDir).sort()) {
  const caseDir = join(casesDir, name);
  if (!statSync(caseDir).isDirectory()) continue;
  const expected = JSON.parse(readFileSync(join(caseDir, 'expected.json'), 'utf8')) as Expected;
  test(`fixture ${name}: ${expected.description}`, () => {
    const dir = expected.dir ? join(root, expected.dir) : caseDir;
    const sources = walkYamlFiles(dir).map((file) => ({ file: relative(dir, file), text: readFileSync(file, 'utf8') }));
    const result = analyzeSources(sources, makeAnalysisOptions(expected.options ?? {}));
    const actual: string[] = [];
    for (const s of sources) {
      const lines = new LineIndex(s.text);
      for (const f of result.findings.get(s.file) ?? []) {
        const p = lines.position(f.span.start);
        actual.push(`${f.file}:${p.line}:${f.code}`);
      }
    }
    const want = expected.diagnostics.map((d) => `${d.file}:${d.line}:${d.code}`);
    assert.deepEqual(actual.sort(), want.sort());
  });
}

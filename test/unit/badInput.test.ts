/**
 * Bad input never crashes or stalls the core: every case below must come back as data (resources, skipped
 * documents, information problems), quickly. Time bounds are generous on purpose: they catch stalls (quadratic or
 * exponential work), not slowness.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fastParseDocument } from '../../server/src/core/parse/fastYaml';
import { fullParseDocument, maxNestingDepth } from '../../server/src/core/parse/fullYaml';
import { parseFile, type ParsedFile } from '../../server/src/core/parse/parseFile';
import { get, str } from '../../server/src/core/parse/ynode';
import { decodeYaml } from '../../server/src/host/files';
import { readAndScan } from '../../server/src/host/scan';

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n    - port: 80\n`;

/** Runs `fn`, asserting that it returns within `ms` milliseconds. */
function quickly<T>(ms: number, fn: () => T): T {
  const start = performance.now();
  const value = fn();
  const took = performance.now() - start;
  assert.ok(took < ms, `took ${took.toFixed(0)} ms, more than ${ms} ms`);
  return value;
}

function codes(p: ParsedFile): string[] {
  return p.problems.map((f) => `${f.code}:${f.severity}`);
}

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'route-doctor-bad-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('malformed YAML is reported as information and does not hide the other documents', () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: [a, b\n  x: }\n---\n${service('ok')}`;
    const p = parseFile('bad.yaml', text);
    assert.deepEqual(p.resources.map((r) => r.name), ['ok']);
    assert.deepEqual(codes(p), ['yaml-unparsed:information']);
    assert.equal(p.skipped[0]!.reason, 'syntax-error');
  });

  test('binary content is skipped with information, before any parsing', () => {
    const p = parseFile('bin.yaml', `kind: Service\n\0\x01\x02\xff`);
    assert.equal(p.resources.length, 0);
    assert.deepEqual(codes(p), ['file-skipped:information']);
  });

  test('non-UTF-8 files are skipped with information, not read as garbage', () => {
    assert.deepEqual(decodeYaml(Uint8Array.from([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), { ok: false, reason: 'it is not valid UTF-8' });
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: caf\xe9\n', 'latin1'));
    const scanned = readAndScan(file, { maxFileLength: 1000 });
    assert.equal(scanned.text, undefined);
    assert.deepEqual(scanned.scan.problems.map((f) => f.code), ['file-skipped']);
    assert.match(scanned.scan.problems[0]!.message, /not valid UTF-8/);
  });

  test('files over the size limit are skipped with information', () => {
    const text = service('big') + `# ${'x'.repeat(5000)}\n`;
    const p = parseFile('big.yaml', text, { maxFileLength: 1000 });
    assert.equal(p.resources.length, 0);
    assert.deepEqual(codes(p), ['file-skipped:information']);
    assert.match(p.problems[0]!.message, /over the limit of 1000/);
    const file = join(dir, 'big.yaml');
    writeFileSync(file, text);
    const scanned = readAndScan(file, { maxFileLength: 1000 });
    assert.deepEqual(scanned.scan.problems.map((f) => f.code), ['file-skipped']);
  });

  test('an alias bomb (billion laughs) is refused as too complex, not expanded', () => {
    // Aliases stand for their anchored nodes, as Kubernetes reads them; a document whose aliases expand beyond the
    // node budget is refused, as Kubernetes' YAML reader refuses "excessive aliasing".
    let text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: lol\n  annotations:\n    a0: &a0 "lol"\n';
    for (let i = 1; i < 30; i++) text += `    a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const p = quickly(2000, () => parseFile('bomb.yaml', text));
    assert.equal(p.resources.length, 0);
    assert.deepEqual(codes(p), ['yaml-unparsed:information']);
    assert.match(p.problems[0]!.message, /more than 200000 nodes/);
  });

  test('a Markdown fence at the top of a file is reported, not thrown', () => {
    const p = parseFile('README.yaml', '```yaml\n' + service('web') + '```\n');
    assert.equal(p.resources.length, 0);
    assert.deepEqual(codes(p), ['yaml-unparsed:information']);
  });

  describe('10,000 levels of nesting', () => {
    const depth = 10_000;
    const cases: Record<string, string> = {
      'block sequences': `kind: Service\nx:\n${'- '.repeat(depth)}x\n`,
      'flow sequences': `kind: Service\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
      'flow mappings': `kind: Service\nx: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`,
      'block mappings': `kind: Service\n${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} v\n`,
    };
    for (const [name, text] of Object.entries(cases)) {
      test(`${name}: no stack overflow in either reader, and the document is refused as too complex`, () => {
        assert.equal(fastParseDocument(text, 0, text.length), undefined);
        const full = quickly(2000, () => fullParseDocument(text, 0, text.length));
        assert.equal(full.tooComplex, true);
        assert.match(full.errors[0]!.message, new RegExp(`more than ${maxNestingDepth} levels`));
        const p = quickly(2000, () => parseFile('deep.yaml', text));
        assert.deepEqual(p.skipped.map((s) => s.reason), ['too-complex']);
        assert.deepEqual(codes(p), ['yaml-unparsed:information']);
      });
    }

    test('nesting just under the cap is still read', () => {
      const text = `kind: Service\nx: ${'['.repeat(100)}${']'.repeat(100)}\n`;
      assert.equal(fullParseDocument(text, 0, text.length).errors.length, 0);
    });
  });

  test('very long lines are read in linear time', () => {
    const long = 'x'.repeat(1_000_000);
    const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    long: ${long}\n    quoted: "${long}"\n`;
    const p = quickly(2000, () => parseFile('long.yaml', text, { maxFileLength: 3_000_000 }));
    assert.equal(str(get(p.resources[0]!.root, 'metadata', 'annotations', 'long'))!.length, long.length);
    const noNewline = quickly(2000, () => parseFile('one-line.yaml', `kind: Service ${long}`, { maxFileLength: 3_000_000 }));
    assert.equal(noNewline.resources.length, 0);
  });

  test('CRLF line endings keep exact ranges', () => {
    const lf = `${service('web')}---\n${service('api')}`;
    const crlf = lf.replace(/\n/g, '\r\n');
    const p = parseFile('crlf.yaml', crlf);
    assert.deepEqual(p.resources.map((r) => r.name), ['web', 'api']);
    for (const r of p.resources) {
      const name = get(r.root, 'metadata', 'name')!;
      assert.equal(crlf.slice(name.span.start, name.span.end), r.name);
      const port = get(r.root, 'spec', 'ports', 0, 'port')!;
      assert.equal(crlf.slice(port.span.start, port.span.end), '80');
    }
  });

  test('a BOM is dropped by the decoder and ignored by the parser', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(service('web'))]);
    const decoded = decodeYaml(bytes);
    assert.ok(decoded.ok && !decoded.text.startsWith('\ufeff'));
    const text = `\ufeff${service('web')}`;
    const p = parseFile('bom.yaml', text);
    assert.deepEqual(p.resources.map((r) => r.name), ['web']);
    const name = get(p.resources[0]!.root, 'metadata', 'name')!;
    assert.equal(text.slice(name.span.start, name.span.end), 'web');
  });

  test('tabs: tab indentation is reported, tabs inside values are read', () => {
    const indented = parseFile('tabs.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n');
    assert.equal(indented.resources.length, 0);
    assert.deepEqual(codes(indented), ['yaml-unparsed:information']);
    const inValue = parseFile('tabs.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    a: "x\ty"\n    b: p\tq\n');
    assert.equal(str(get(inValue.resources[0]!.root, 'metadata', 'annotations', 'a')), 'x\ty');
    assert.equal(str(get(inValue.resources[0]!.root, 'metadata', 'annotations', 'b')), 'p\tq');
  });

  test('empty files, a lone "---" and comment-only files hold nothing and report nothing', () => {
    for (const text of ['', '---', '---\n', '---\n---\n...\n', '# just a comment\n', '\n\n  \n', '\ufeff']) {
      const p = parseFile('empty.yaml', text);
      assert.deepEqual([p.resources.length, p.skipped.length, p.problems.length], [0, 0, 0], JSON.stringify(text));
    }
  });

  test('a file of many small documents is scanned in linear time', () => {
    const text = 'a: 1\n---\n'.repeat(50_000) + service('last');
    const p = quickly(3000, () => parseFile('many.yaml', text, { maxFileLength: 10_000_000 }));
    assert.equal(p.resources.length, 1);
    assert.equal(p.skipped.length, 50_000);
  });

  test('a mapping with very many keys is read in linear time', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `    k${i}: v${i}`).join('\n');
    const p = quickly(3000, () => parseFile('keys.yaml', `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n${keys}\n`));
    assert.equal(Object.keys(p.resources[0]!.labels).length, 50_000);
  });
});

/**
 * valueOffsetMap: every character of a decoded YAML scalar maps back to where it is written, in every scalar
 * style, with both YAML readers (the fast one and the `yaml` package), and with CRLF line ends.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { YNode, YScalar } from '../../server/src/core/model';
import { fastParseDocument } from '../../server/src/core/parse/fastYaml';
import { fullParseDocument } from '../../server/src/core/parse/fullYaml';
import { valueOffsetMap, valueRangeToFile } from '../../server/src/core/rulelang/valueOffsets';

function matchScalar(node: YNode | null | undefined): YScalar | undefined {
  if (!node) return undefined;
  if (node.type === 'map') {
    for (const p of node.pairs) {
      if (p.key === 'match' && p.value.type === 'scalar') return p.value;
      const inner = matchScalar(p.value);
      if (inner) return inner;
    }
  }
  if (node.type === 'seq') for (const item of node.items) { const inner = matchScalar(item); if (inner) return inner; }
  return undefined;
}

/** The scalars both readers produce for the document (the fast reader gives up on some styles). */
function scalarsOf(text: string): YScalar[] {
  const out: YScalar[] = [];
  const fast = fastParseDocument(text, 0, text.length);
  if (fast !== undefined) out.push(matchScalar(fast)!);
  out.push(matchScalar(fullParseDocument(text, 0, text.length).node)!);
  return out;
}

/** For a piece of the value, the file text the map says it comes from. */
function sourceOf(text: string, scalar: YScalar, piece: string): string {
  const value = String(scalar.value);
  const at = value.indexOf(piece);
  assert.ok(at >= 0, `${piece} is in ${value}`);
  const map = valueOffsetMap(text, scalar);
  assert.ok(map.exact, `exact map for ${JSON.stringify(text)}`);
  const span = valueRangeToFile(map, scalar, at, at + piece.length);
  return text.slice(span.start, span.end);
}

/** Every character the map places on a single source character must be that character. */
function assertCharactersLineUp(text: string, scalar: YScalar): void {
  const value = String(scalar.value);
  const map = valueOffsetMap(text, scalar);
  assert.ok(map.exact);
  assert.equal(map.offsets.length, value.length + 1);
  for (let i = 0; i < value.length; i++) {
    const source = text.slice(map.offsets[i], map.ends[i]);
    if (source.length === 1 && source !== '\n') assert.equal(source, value[i], `character ${i} of ${JSON.stringify(value)}`);
  }
}

const doc = (matchLines: string): string => `apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nspec:\n  routes:\n    - match: ${matchLines}\n      kind: Rule\n`;

describe('valueOffsetMap', () => {
  test('plain scalar on one line', () => {
    const text = doc('Host(`a.com`) && Path(`/x`)');
    for (const s of scalarsOf(text)) {
      assert.equal(sourceOf(text, s, 'Path(`/x`)'), 'Path(`/x`)');
      assertCharactersLineUp(text, s);
    }
  });

  test('plain scalar over several lines (folded into spaces)', () => {
    const text = doc('Host(`a.com`) &&\n        Path(`/x`)');
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, 'Host(`a.com`) && Path(`/x`)');
      assert.equal(sourceOf(text, s, 'Path(`/x`)'), 'Path(`/x`)');
      assert.equal(sourceOf(text, s, '&& Path'), '&&\n        Path');
      assertCharactersLineUp(text, s);
    }
  });

  test('single-quoted scalar: \'\' escapes and folding', () => {
    const text = doc("'Header(`X`, `it''s`) &&\n        Path(`/x`)'");
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, "Header(`X`, `it's`) && Path(`/x`)");
      assert.equal(sourceOf(text, s, "'s"), "''s");
      assert.equal(sourceOf(text, s, 'Path'), 'Path');
      assertCharactersLineUp(text, s);
    }
  });

  test('double-quoted scalar: YAML escapes, escaped line breaks and folding', () => {
    const text = doc('"Host(\\"a.com\\") && Path(\\"/\\\\d\\u00e9\\") \\\n        && Method(`GET`)\n\n        || Method(`PUT`)"');
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, 'Host("a.com") && Path("/\\dé") && Method(`GET`)\n|| Method(`PUT`)');
      assert.equal(sourceOf(text, s, '"a.com"'), '\\"a.com\\"');
      assert.equal(sourceOf(text, s, '\\d'), '\\\\d');
      assert.equal(sourceOf(text, s, 'é'), '\\u00e9');
      assert.equal(sourceOf(text, s, 'Method(`GET`)'), 'Method(`GET`)');
      assert.equal(sourceOf(text, s, 'Method(`PUT`)'), 'Method(`PUT`)');
      assertCharactersLineUp(text, s);
    }
  });

  test('escaped blanks in a double-quoted scalar are kept at a line fold', () => {
    const text = doc('"Host(`a\\t`)\\t\n        && Path(`/`)"');
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, 'Host(`a\t`)\t && Path(`/`)');
      assert.equal(sourceOf(text, s, 'Path'), 'Path');
    }
  });

  test('literal block scalar, with each chomping indicator', () => {
    for (const [header, tail] of [['|', '\n'], ['|-', ''], ['|+', '\n\n\n']] as const) {
      const text = doc(`${header}\n        Host(\`a.com\`)\n          && Path(\`/x\`)\n\n`);
      for (const s of scalarsOf(text)) {
        assert.equal(s.value, `Host(\`a.com\`)\n  && Path(\`/x\`)${tail}`, header);
        assert.equal(sourceOf(text, s, '&& Path(`/x`)'), '&& Path(`/x`)');
        assertCharactersLineUp(text, s);
      }
    }
  });

  test('folded block scalar: text lines fold, more-indented lines keep their breaks', () => {
    const text = doc('>-\n        Host(`a.com`) &&\n        Path(`/x`)\n\n        || Path(`/y`)\n          && Method(`GET`)');
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, 'Host(`a.com`) && Path(`/x`)\n|| Path(`/y`)\n  && Method(`GET`)');
      assert.equal(sourceOf(text, s, 'Path(`/x`)'), 'Path(`/x`)');
      assert.equal(sourceOf(text, s, 'Method'), 'Method');
      assertCharactersLineUp(text, s);
    }
  });

  test('block scalar with an explicit indentation indicator', () => {
    const text = doc('|2-\n          Host(`a.com`)\n        && Path(`/x`)');
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, '  Host(`a.com`)\n&& Path(`/x`)');
      assert.equal(sourceOf(text, s, 'Path(`/x`)'), 'Path(`/x`)');
    }
  });

  test('CRLF line ends', () => {
    const text = doc('>\n        Host(`a.com`) &&\n        Path(`/x`)').replace(/\n/g, '\r\n');
    for (const s of scalarsOf(text)) {
      assert.equal(s.value, 'Host(`a.com`) && Path(`/x`)\n');
      assert.equal(sourceOf(text, s, 'Path(`/x`)'), 'Path(`/x`)');
    }
  });

  test('a value it cannot reproduce maps every range to the whole scalar', () => {
    const text = doc('"Host(`a.com`)"');
    const scalar = scalarsOf(text)[0]!;
    const wrong = { ...scalar, value: 'something else' };
    const map = valueOffsetMap(text, wrong);
    assert.equal(map.exact, false);
    assert.deepEqual(valueRangeToFile(map, wrong, 2, 4), scalar.span);
  });
});

/**
 * The exact path: one document read with the `yaml` package and turned into the same YNode tree as the fast
 * reader. Used when the fast reader gives up, and for whatever needs the full YAML language. Never throws;
 * syntax errors come back as data.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Span, YNode, YPair } from '../model';

export interface FullParseResult {
  node: YNode | null;
  errors: { message: string; span: Span }[];
  /** True when the document was refused for its size or depth rather than for a syntax error. */
  tooComplex?: boolean;
}

/** Bound on the number of nodes one document may expand to; protects against alias bombs. */
const maxNodes = 200_000;

/**
 * Bound on nesting. The `yaml` package composes recursively: thousands of levels overflow the stack (it catches
 * that, but only after seconds of work), and no manifest comes anywhere near this depth.
 */
export const maxNestingDepth = 200;

export function fullParseDocument(text: string, start: number, end: number): FullParseResult {
  const deepAt = nestingTooDeep(text, start, end, maxNestingDepth);
  if (deepAt >= 0) {
    return { node: null, tooComplex: true, errors: [{ message: `the document is nested more than ${maxNestingDepth} levels deep`, span: { start: deepAt, end: deepAt } }] };
  }
  const source = text.slice(start, end);
  let doc;
  try {
    doc = parseDocument(source, { uniqueKeys: true, prettyErrors: false, lineCounter: new LineCounter()});
  } catch (e) {
    return { node: null, errors: [{ message: String((e as Error).message ?? e), span: { start, end: start } }] };
  }
  const errors = doc.errors.map((e) => ({
    message: e.message.split('\n')[0]!,
    span: { start: start + e.pos[0], end: start + Math.max(e.pos[0], e.pos[1]) },
  }));
  if (errors.length > 0) return { node: null, errors };
  const budget = { left: maxNodes };
  const node = doc.contents ? convert(doc.contents as YamlNode, start, budget, 0) : null;
  if (budget.left < 0) {
    return { node: null, tooComplex: true, errors: [{ message: `the document has more than ${maxNodes} nodes`, span: { start, end: start } }] };
  }
  return { node, errors: [] };
}

function spanOf(node: YamlNode, base: number): Span {
  const r = node.range;
  return r ? { start: base + r[0], end: base + r[1] } : { start: base, end: base };
}

/**
 * Where the document first nests deeper than `limit`, or -1. It over-approximates (brackets inside quoted strings
 * count too), which only matters for documents no real manifest resembles. Block nesting is followed with a stack of
 * the columns at which nodes start on each line, including the items of compact sequences (`- - - x`).
 */
export function nestingTooDeep(text: string, start: number, end: number, limit: number): number {
  const columns: number[] = [];
  let flow = 0;
  let lineStart = start;
  while (lineStart < end) {
    let eol = text.indexOf('\n', lineStart);
    if (eol < 0 || eol > end) eol = end;
    let i = lineStart;
    while (i < eol && text.charCodeAt(i) === 32) i++;
    const first = text.charCodeAt(i);
    if (i < eol && first !== 35 /* # */ && first !== 13 && flow === 0) {
      for (;;) {
        const column = i - lineStart;
        while (columns.length > 0 && columns[columns.length - 1]! >= column) columns.pop();
        columns.push(column);
        if (columns.length > limit) return i;
        const c = text.charCodeAt(i);
        const next = text.charCodeAt(i + 1);
        if (!((c === 45 /* - */ || c === 63 /* ? */) && (next === 32 || next === 9))) break;
        i += 2;
        while (i < eol && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      }
    }
    for (let j = i; j < eol; j++) {
      const c = text.charCodeAt(j);
      if (c === 91 || c === 123) {
        if (++flow + columns.length > limit) return j;
      } else if ((c === 93 || c === 125) && flow > 0) {
        flow--;
      }
    }
    lineStart = eol + 1;
  }
  return -1;
}

function convert(node: YamlNode, base: number, budget: { left: number }, depth: number): YNode {
  if (--budget.left < 0 || depth > maxNestingDepth) return { type: 'scalar', value: null, style: 'plain', span: spanOf(node, base) };
  if (isAlias(node)) {
    // Aliases are rare in manifests; the resolved target is not needed by any rule, so keep a marker only.
    return { type: 'scalar', value: null, style: 'alias', span: spanOf(node, base) };
  }
  if (isScalar(node)) {
    const style = node.type === 'QUOTE_SINGLE' ? 'single' : node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL' ? 'block' : 'plain';
    const v = node.value;
    const value = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    return { type: 'scalar', value, style, span: spanOf(node, base) };
  }
  if (isMap(node)) {
    const pairs: YPair[] = [];
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = item.key as YamlNode | null;
      if (!k || !isScalar(k)) continue;
      const key = k.type === 'PLAIN' && k.source !== undefined ? String(k.source) : String(k.value);
      const keySpan = spanOf(k, base);
      const value: YNode = item.value
        ? convert(item.value as YamlNode, base, budget, depth + 1)
        : { type: 'scalar', value: null, style: 'plain', span: { start: keySpan.end + 1, end: keySpan.end + 1 } };
      pairs.push({ key, keySpan, value });
    }
    return { type: 'map', pairs, flow: node.flow === true, span: spanOf(node, base) };
  }
  if (isSeq(node)) {
    const items = node.items.map((i) => convert(i as YamlNode, base, budget, depth + 1));
    return { type: 'seq', items, flow: node.flow === true, span: spanOf(node, base) };
  }
  return { type: 'scalar', value: null, style: 'plain', span: spanOf(node, base) };
}

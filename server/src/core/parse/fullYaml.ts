/**
 * The exact path: one document read with the `yaml` package and turned into the same YNode tree as the fast
 * reader. Used when the fast reader gives up, and for whatever needs the full YAML language. Never throws;
 * syntax errors come back as data.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
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
    // Merge keys (`<<: *defaults`) are YAML 1.1, which Kubernetes' YAML reader (and so kubectl) still applies.
    doc = parseDocument(source, { uniqueKeys: true, merge: true, prettyErrors: false, lineCounter: new LineCounter() });
  } catch (e) {
    return { node: null, errors: [{ message: String((e as Error).message ?? e), span: { start, end: start } }] };
  }
  const errors = doc.errors.map((e) => ({
    message: e.message.split('\n')[0]!,
    span: { start: start + e.pos[0], end: start + Math.max(e.pos[0], e.pos[1]) },
  }));
  if (errors.length > 0) return { node: null, errors };
  const budget = { left: maxNodes };
  const node = doc.contents ? convert(doc.contents as YamlNode, { doc, base: start, budget, anchored: new Map() }, 0) : null;
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

interface Conversion {
  doc: Document;
  /** Offset of the document in the file. */
  base: number;
  /** Nodes left before the document counts as too complex; aliases count their target again (alias bombs). */
  budget: { left: number };
  /** The node each alias stands for: the yaml package looks it up through the whole document every time. */
  anchored: Map<YamlNode, YamlNode | undefined>;
}

/**
 * `at` is set inside the expansion of an alias: every node there takes the alias's span (where this object uses the
 * values, and where its findings point) and scalars the style `alias`, so that fixes, which edit only what is
 * written where a span says, leave expanded values alone (features/yamlEdit.ts refuses scalars of that style, and
 * collections and merged pairs whose text is an alias).
 */
function convert(node: YamlNode, c: Conversion, depth: number, at?: Span): YNode {
  const span = at ?? spanOf(node, c.base);
  if (--c.budget.left < 0 || depth > maxNestingDepth) return { type: 'scalar', value: null, style: 'plain', span };
  if (isAlias(node)) {
    // An alias stands for its anchored node, as Kubernetes reads it (`matchLabels: *labels`).
    let target = c.anchored.get(node);
    if (!c.anchored.has(node)) c.anchored.set(node, (target = node.resolve(c.doc) as YamlNode | undefined));
    if (!target) return { type: 'scalar', value: null, style: 'alias', span };
    return convert(target, c, depth + 1, span);
  }
  if (isScalar(node)) {
    const style = at ? 'alias' : node.type === 'QUOTE_SINGLE' ? 'single' : node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL' ? 'block' : 'plain';
    const v = node.value;
    const value = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    return { type: 'scalar', value, style, span };
  }
  if (isMap(node)) return { type: 'map', pairs: mapPairs(node.items, c, depth, at), flow: node.flow === true, span };
  if (isSeq(node)) {
    const items = node.items.map((i) => convert(i as YamlNode, c, depth + 1, at));
    return { type: 'seq', items, flow: node.flow === true, span };
  }
  return { type: 'scalar', value: null, style: 'plain', span };
}

/**
 * The pairs of a mapping. A merge key (`<<: *base`, or a list of aliases) brings in the pairs of the mappings it
 * names, in its place, except for keys the mapping sets itself or an earlier merged mapping gave.
 */
function mapPairs(items: readonly unknown[], c: Conversion, depth: number, at: Span | undefined): YPair[] {
  const explicit = new Set<string>();
  for (const item of items) {
    if (isPair(item) && isScalar(item.key) && !isMergeKey(item.key)) explicit.add(keyText(item.key));
  }
  const pairs: YPair[] = [];
  const merged = new Set<string>();
  for (const item of items) {
    if (!isPair(item)) continue;
    const k = item.key as YamlNode | null;
    if (!k || !isScalar(k)) continue;
    if (isMergeKey(k)) {
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const value = source ? convert(source as YamlNode, c, depth + 1, at) : undefined;
        if (value?.type !== 'map') continue;
        for (const p of value.pairs) {
          if (explicit.has(p.key) || merged.has(p.key)) continue;
          merged.add(p.key);
          pairs.push(p);
        }
      }
      continue;
    }
    const key = keyText(k);
    const keySpan = at ?? spanOf(k, c.base);
    const value: YNode = item.value
      ? convert(item.value as YamlNode, c, depth + 1, at)
      : { type: 'scalar', value: null, style: 'plain', span: at ?? { start: keySpan.end + 1, end: keySpan.end + 1 } };
    pairs.push({ key, keySpan, value });
  }
  return pairs;
}

function keyText(k: YamlNode & { type?: string; source?: string; value?: unknown }): string {
  return k.type === 'PLAIN' && k.source !== undefined ? String(k.source) : String(k.value);
}

/** `<<` written plain: with `merge` on, the yaml package reads it as the merge key. */
function isMergeKey(k: unknown): boolean {
  return isScalar(k) && k.type === 'PLAIN' && k.source === '<<';
}

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
}

/** Bound on the number of nodes one document may expand to; protects against alias bombs. */
const maxNodes = 200_000;

export function fullParseDocument(text: string, start: number, end: number): FullParseResult {
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
    return { node: null, errors: [{ message: 'document expands to too many nodes (aliases)', span: { start, end: start } }] };
  }
  return { node, errors: [] };
}

function spanOf(node: YamlNode, base: number): Span {
  const r = node.range;
  return r ? { start: base + r[0], end: base + r[1] } : { start: base, end: base };
}

function convert(node: YamlNode, base: number, budget: { left: number }, depth: number): YNode {
  if (--budget.left < 0 || depth > 500) return { type: 'scalar', value: null, style: 'plain', span: spanOf(node, base) };
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

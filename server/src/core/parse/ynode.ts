/** Small, total accessors over YNode trees: every function accepts anything and returns undefined when the shape is wrong. */
import type { YMap, YNode, YPair, YScalar, YSeq } from '../model';

export function asMap(node: YNode | undefined | null): YMap | undefined {
  return node && node.type === 'map' ? node : undefined;
}

export function asSeq(node: YNode | undefined | null): YSeq | undefined {
  return node && node.type === 'seq' ? node : undefined;
}

export function asScalar(node: YNode | undefined | null): YScalar | undefined {
  return node && node.type === 'scalar' ? node : undefined;
}

export function pair(node: YNode | undefined | null, key: string): YPair | undefined {
  const map = asMap(node);
  if (!map) return undefined;
  for (const p of map.pairs) if (p.key === key) return p;
  return undefined;
}

export function get(node: YNode | undefined | null, ...path: (string | number)[]): YNode | undefined {
  let cur: YNode | undefined = node ?? undefined;
  for (const step of path) {
    if (!cur) return undefined;
    if (typeof step === 'number') cur = asSeq(cur)?.items[step];
    else cur = pair(cur, step)?.value;
  }
  return cur;
}

/** The string value of a scalar (numbers and booleans as written), or undefined. */
export function str(node: YNode | undefined | null): string | undefined {
  const s = asScalar(node);
  if (!s || s.value === null) return undefined;
  return typeof s.value === 'string' ? s.value : String(s.value);
}

/** Items of a sequence, or [] when the node is missing or not a sequence. */
export function items(node: YNode | undefined | null): YNode[] {
  return asSeq(node)?.items ?? [];
}

/** A map of string keys to string values (labels, selectors, annotations); non-scalar values are left out. */
export function stringMap(node: YNode | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  const map = asMap(node);
  if (!map) return out;
  for (const p of map.pairs) {
    const v = str(p.value);
    if (v !== undefined) out[p.key] = v;
  }
  return out;
}

export function isTrue(node: YNode | undefined | null): boolean {
  return asScalar(node)?.value === true;
}

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

type Step = string | number;

/**
 * The node at a path of keys (in maps) and indexes (in sequences) below `node`, or undefined. The steps are
 * parameters rather than a rest array: checks call this millions of times in a cold check of a large workspace, and
 * a rest array is an allocation per call wherever V8 does not inline the call.
 */
export function get(node: YNode | undefined | null, s0: Step, s1?: Step, s2?: Step, s3?: Step, s4?: Step, s5?: Step): YNode | undefined {
  let cur = child(node, s0);
  if (s1 === undefined || cur === undefined) return cur;
  cur = child(cur, s1);
  if (s2 === undefined || cur === undefined) return cur;
  cur = child(cur, s2);
  if (s3 === undefined || cur === undefined) return cur;
  cur = child(cur, s3);
  if (s4 === undefined || cur === undefined) return cur;
  cur = child(cur, s4);
  if (s5 === undefined || cur === undefined) return cur;
  return child(cur, s5);
}

/** get for a path held in an array. */
export function getPath(node: YNode | undefined | null, path: readonly Step[]): YNode | undefined {
  let cur: YNode | undefined = node ?? undefined;
  for (const step of path) cur = child(cur, step);
  return cur;
}

function child(node: YNode | undefined | null, step: Step): YNode | undefined {
  if (!node) return undefined;
  if (typeof step === 'number') return node.type === 'seq' ? node.items[step] : undefined;
  if (node.type !== 'map') return undefined;
  for (const p of node.pairs) if (p.key === step) return p.value;
  return undefined;
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

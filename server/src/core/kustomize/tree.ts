/**
 * Copy-on-write edits of YNode trees. Built objects share every subtree a transformation leaves alone with the
 * documents they come from, so trees are never changed in place: an edit copies the maps and sequences on the path
 * to the changed node and nothing else.
 */
import type { ScalarValue, Span, YMap, YNode, YScalar, YSeq } from '../model';
import { encodeSpan } from './origin';

export function scalar(value: ScalarValue, span: Span): YScalar {
  return { type: 'scalar', value, style: typeof value === 'string' ? 'double' : 'plain', span };
}

/**
 * `node`, written in `from`, as a part of an object whose document lives in `into`: the same node when both are
 * the same file, else a copy whose spans are virtual (see origin.ts).
 */
export function importNode(node: YNode, from: string, into: string): YNode {
  if (from === into) return node;
  return reSpan(node, (span) => encodeSpan(from, span));
}

/** A copy of `node` whose every span is `span`: for values decoded from a string, such as an inline patch. */
export function flattenSpans(node: YNode, span: Span): YNode {
  return reSpan(node, () => span);
}

function reSpan(node: YNode, map: (span: Span) => Span): YNode {
  switch (node.type) {
    case 'scalar': return { ...node, span: map(node.span) };
    case 'seq': return { ...node, span: map(node.span), items: node.items.map((item) => reSpan(item, map)) };
    case 'map': return { ...node, span: map(node.span), pairs: node.pairs.map((p) => ({ key: p.key, keySpan: map(p.keySpan), value: reSpan(p.value, map) })) };
  }
}

function emptyMap(span: Span): YMap {
  return { type: 'map', pairs: [], flow: false, span };
}

/** `map` with `key` set to `value`: the pair keeps its place when it exists, else it is appended. */
export function withPair(map: YMap, key: string, value: YNode, keySpan: Span = value.span): YMap {
  const i = map.pairs.findIndex((p) => p.key === key);
  const pairs = [...map.pairs];
  if (i >= 0) pairs[i] = { key, keySpan: map.pairs[i]!.keySpan, value };
  else pairs.push({ key, keySpan, value });
  return { ...map, pairs };
}

export function withoutPair(map: YMap, key: string): YMap {
  return { ...map, pairs: map.pairs.filter((p) => p.key !== key) };
}

export function withItems(seq: YSeq, items: YNode[]): YSeq {
  return { ...seq, items };
}

/**
 * A kustomize field path (`spec/template/metadata/labels`) split into keys. `\/` escapes a slash inside a key
 * (annotation names), and a trailing `[]` only says that the field is a list, which the walk finds out itself.
 */
export function splitFieldPath(path: string): readonly string[] {
  let keys = splitPaths.get(path);
  if (!keys) splitPaths.set(path, (keys = splitUncached(path)));
  return keys;
}

/** Field specs are few and read for every object of every build, so each path is split once. */
const splitPaths = new Map<string, readonly string[]>();

function splitUncached(path: string): readonly string[] {
  const keys: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '/') {
      current += '/';
      i++;
    } else if (c === '/') {
      keys.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  keys.push(current);
  return keys.filter((k) => k !== '').map((k) => (k.endsWith('[]') ? k.slice(0, -2) : k));
}

/**
 * Applies `leaf` to every node a field path reaches, stepping into every item of the sequences on the way (as
 * kustomize's field specs do). With `create`, missing maps on the way are created with the span `created`; without
 * it, a missing field is left alone. `leaf` receives the current value (undefined when absent) and returns the new
 * one (undefined removes nothing: an absent value stays absent). Returns the new tree, or `node` when nothing changed.
 */
export function updatePath(node: YNode, keys: readonly string[], create: boolean, created: Span, leaf: (value: YNode | undefined) => YNode | undefined): YNode {
  return updateFrom(node, keys, 0, create, created, leaf);
}

/** updatePath for the keys from `at` on (an index rather than a copy of the rest of the keys at every step). */
function updateFrom(node: YNode, keys: readonly string[], at: number, create: boolean, created: Span, leaf: (value: YNode | undefined) => YNode | undefined): YNode {
  if (node.type === 'seq') {
    let items: YNode[] | undefined;
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i]!;
      const next = updateFrom(item, keys, at, create, created, leaf);
      if (next === item) continue;
      items ??= [...node.items];
      items[i] = next;
    }
    return items ? withItems(node, items) : node;
  }
  if (node.type !== 'map' || at >= keys.length) return node;
  const key = keys[at]!;
  const existing = valueAt(node, key);
  let next: YNode | undefined;
  if (at === keys.length - 1) {
    next = leaf(existing);
  } else if (existing && existing.type !== 'scalar') {
    next = updateFrom(existing, keys, at + 1, create, created, leaf);
  } else if (create && (existing === undefined || (existing.type === 'scalar' && existing.value === null))) {
    next = updateFrom(emptyMap(created), keys, at + 1, create, created, leaf);
    // Nothing below the new map took a value: the path is left as it was.
    if (next.type === 'map' && next.pairs.length === 0) next = existing;
  } else {
    next = existing;
  }
  if (next === existing || next === undefined) return node;
  return withPair(node, key, next, existing === undefined ? created : undefined);
}

function valueAt(map: YMap, key: string): YNode | undefined {
  for (const p of map.pairs) if (p.key === key) return p.value;
  return undefined;
}

/** Every node a field path reaches (through sequences), for reading. */
export function nodesAtPath(node: YNode | undefined, keys: readonly string[]): YNode[] {
  if (!node) return [];
  if (node.type === 'seq') return node.items.flatMap((item) => nodesAtPath(item, keys));
  if (keys.length === 0) return [node];
  if (node.type !== 'map') return [];
  const [key, ...rest] = keys;
  const value = node.pairs.find((p) => p.key === key)?.value;
  return value ? nodesAtPath(value, rest) : [];
}

/** A tree as plain JavaScript data, for YAML values handed to other code and for comparisons in tests. */
export function toPlain(node: YNode | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'scalar': return node.value;
    case 'seq': return node.items.map(toPlain);
    case 'map': return Object.fromEntries(node.pairs.map((p) => [p.key, toPlain(p.value)]));
  }
}

/**
 * kustomize's two patch languages, applied to YNode trees: strategic-merge patches (maps merge key by key, lists of
 * built-in kinds merge by their merge key, everything else is replaced) and JSON patches (RFC 6902 operations at JSON
 * pointers). Values that a patch brings keep the spans of the patch file, so findings about them land there.
 */
import type { Span, YMap, YNode, YSeq } from '../model';
import { asMap, get, str } from '../parse/ynode';
import { withItems, withoutPair, withPair } from './tree';

/**
 * Merge keys of the lists that Kubernetes' strategic merge knows, by the key that holds the list and the key of the
 * map that holds that key. Lists of custom resources (Traefik's included) have no schema, so kustomize replaces them
 * whole, as it does for every list not named here.
 */
const podSpecLists: Readonly<Record<string, string>> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', imagePullSecrets: 'name',
  hostAliases: 'ip', topologySpreadConstraints: 'topologyKey',
};
const containerLists: Readonly<Record<string, string>> = { ports: 'containerPort', env: 'name', volumeMounts: 'mountPath', volumeDevices: 'devicePath' };

/** Where a built-in kind keeps its Pod spec, for finding which lists merge by key. */
const podSpecPaths: ReadonlyMap<string, readonly string[]> = new Map([
  ['Pod', ['spec']], ['Deployment', ['spec', 'template', 'spec']], ['StatefulSet', ['spec', 'template', 'spec']],
  ['DaemonSet', ['spec', 'template', 'spec']], ['ReplicaSet', ['spec', 'template', 'spec']], ['Job', ['spec', 'template', 'spec']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']], ['ReplicationController', ['spec', 'template', 'spec']],
]);

const builtInGroups: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'extensions', 'networking.k8s.io', 'policy', 'discovery.k8s.io']);

/** The merge key of the list at `path` (map keys from the object's root) in an object of `kind`, if it has one. */
function mergeKeyAt(group: string, kind: string, path: readonly string[]): string | undefined {
  if (!builtInGroups.has(group)) return undefined;
  const last = path[path.length - 1]!;
  if (kind === 'Service' && path.length === 2 && path[0] === 'spec' && last === 'ports') return 'port';
  const podSpec = podSpecPaths.get(kind);
  if (!podSpec) return undefined;
  const parent = path.slice(0, -1);
  if (parent.length === podSpec.length && parent.every((k, i) => k === podSpec[i])) return podSpecLists[last];
  const inContainer = parent.length === podSpec.length + 1 && podSpec.every((k, i) => k === parent[i])
    && ['containers', 'initContainers', 'ephemeralContainers'].includes(parent[podSpec.length]!);
  return inContainer ? containerLists[last] : undefined;
}

export interface PatchContext {
  group: string;
  kind: string;
  /** Turns a node of the patch into a node of the object (spans of the patch file made virtual when needed). */
  adopt(node: YNode): YNode;
  /** The same for a span of the patch. */
  adoptSpan(span: Span): Span;
}

function directive(node: YNode | undefined): string | undefined {
  return str(get(node, '$patch'));
}

function isNull(node: YNode): boolean {
  return node.type === 'scalar' && node.value === null;
}

/** The object with a strategic-merge patch applied; undefined when the patch deletes it (`$patch: delete`). */
export function strategicMerge(target: YMap, patch: YMap, ctx: PatchContext): YMap | undefined {
  return mergeMap(target, patch, [], ctx);
}

function mergeMap(target: YMap, patch: YMap, path: string[], ctx: PatchContext): YMap | undefined {
  const mode = directive(patch);
  if (mode === 'delete') return undefined;
  if (mode === 'replace') return ctx.adopt(withoutPair(patch, '$patch')) as YMap;
  let result = target;
  for (const p of patch.pairs) {
    if (p.key.startsWith('$')) continue;
    // The identity of the object comes from the target: a patch only names it (possibly by an earlier name).
    if (path.length === 0 && (p.key === 'apiVersion' || p.key === 'kind')) continue;
    if (path.length === 1 && path[0] === 'metadata' && (p.key === 'name' || p.key === 'namespace')) continue;
    const current = get(result, p.key);
    if (isNull(p.value)) {
      if (current !== undefined) result = withoutPair(result, p.key);
      continue;
    }
    const merged = mergeValue(current, p.value, [...path, p.key], ctx);
    result = merged === undefined ? withoutPair(result, p.key) : withPair(result, p.key, merged, ctx.adoptSpan(p.keySpan));
  }
  return result;
}

function mergeValue(current: YNode | undefined, patch: YNode, path: string[], ctx: PatchContext): YNode | undefined {
  if (current?.type === 'map' && patch.type === 'map') return mergeMap(current, patch, path, ctx);
  if (current?.type === 'seq' && patch.type === 'seq') return mergeList(current, patch, path, ctx);
  if (patch.type === 'map') return mergeMap({ type: 'map', pairs: [], flow: false, span: ctx.adoptSpan(patch.span) }, patch, path, ctx);
  return ctx.adopt(patch);
}

/**
 * A list with a merge key merges item by item: the patch's items first, in its order (merged into the item with
 * the same key when there is one), then the items it does not mention. This is the order kustomize writes.
 */
function mergeList(current: YSeq, patch: YSeq, path: string[], ctx: PatchContext): YNode {
  const key = mergeKeyAt(ctx.group, ctx.kind, path);
  if (!key) return ctx.adopt(patch);
  const keyOf = (node: YNode) => str(get(node, key));
  const used = new Set<YNode>();
  const out: YNode[] = [];
  const deleted = new Set<string>();
  for (const item of patch.items) {
    const itemMap = asMap(item);
    const k = itemMap ? keyOf(itemMap) : undefined;
    const match = k === undefined ? undefined : current.items.find((c) => !used.has(c) && keyOf(c) === k);
    if (itemMap && directive(itemMap) === 'delete') {
      if (k !== undefined) deleted.add(k);
      if (match) used.add(match);
      continue;
    }
    if (match && itemMap && match.type === 'map') {
      used.add(match);
      const merged = mergeMap(match, itemMap, path, ctx);
      if (merged) out.push(merged);
    } else {
      out.push(ctx.adopt(item));
    }
  }
  for (const item of current.items) if (!used.has(item) && !deleted.has(keyOf(item) ?? '\0')) out.push(item);
  return withItems(current, out);
}

/** One RFC 6902 operation, read from a patch. */
export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: YNode;
  node: YNode;
}

export function readJsonPatch(node: YNode | undefined): JsonPatchOperation[] | undefined {
  if (!node || node.type !== 'seq') return undefined;
  const ops: JsonPatchOperation[] = [];
  for (const item of node.items) {
    const op = str(get(item, 'op'));
    const path = str(get(item, 'path'));
    if (!op || path === undefined) return undefined;
    const from = str(get(item, 'from'));
    const value = get(item, 'value');
    ops.push({ op, path, node: item, ...(from !== undefined ? { from } : {}), ...(value ? { value } : {}) });
  }
  return ops;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The tree with JSON patch operations applied, or undefined when one fails (kustomize then fails the build, so the
 * object is left as it was). `test` operations are not evaluated: they only guard patches written for other trees.
 */
export function applyJsonPatch(target: YMap, ops: readonly JsonPatchOperation[], adopt: (node: YNode) => YNode): YMap | undefined {
  let root: YNode = target;
  for (const op of ops) {
    const path = pointer(op.path);
    let next: YNode | undefined;
    switch (op.op) {
      case 'add':
      case 'replace':
        if (!op.value) return undefined;
        next = setAt(root, path, adopt(op.value), op.op === 'add');
        break;
      case 'remove':
        next = removeAt(root, path);
        break;
      case 'copy':
      case 'move': {
        const value = op.from !== undefined ? getAt(root, pointer(op.from)) : undefined;
        if (!value) return undefined;
        const source = op.op === 'move' ? removeAt(root, pointer(op.from!)) : root;
        next = source && setAt(source, path, value, true);
        break;
      }
      case 'test':
        next = root;
        break;
      default:
        return undefined;
    }
    if (!next) return undefined;
    root = next;
  }
  return asMap(root);
}

function getAt(node: YNode | undefined, path: readonly string[]): YNode | undefined {
  let current = node;
  for (const segment of path) {
    if (!current) return undefined;
    current = current.type === 'seq' ? current.items[Number(segment)] : get(current, segment);
  }
  return current;
}

function setAt(node: YNode, path: readonly string[], value: YNode, insert: boolean): YNode | undefined {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (node.type === 'map') {
    const child = get(node, head);
    if (rest.length === 0) return (insert || child !== undefined) ? withPair(node, head, value) : undefined;
    if (!child) return undefined;
    const updated = setAt(child, rest, value, insert);
    return updated && withPair(node, head, updated);
  }
  if (node.type === 'seq') {
    const index = head === '-' ? node.items.length : Number(head);
    if (!Number.isInteger(index) || index < 0 || index > node.items.length) return undefined;
    const itemsCopy = [...node.items];
    if (rest.length === 0) {
      if (insert) itemsCopy.splice(index, 0, value);
      else if (index < node.items.length) itemsCopy[index] = value;
      else return undefined;
      return withItems(node, itemsCopy);
    }
    const child = node.items[index];
    const updated = child && setAt(child, rest, value, insert);
    if (!updated) return undefined;
    itemsCopy[index] = updated;
    return withItems(node, itemsCopy);
  }
  return undefined;
}

function removeAt(node: YNode, path: readonly string[]): YNode | undefined {
  if (path.length === 0) return undefined;
  const [head, ...rest] = path as [string, ...string[]];
  if (node.type === 'map') {
    const child = get(node, head);
    if (child === undefined) return undefined;
    if (rest.length === 0) return withoutPair(node, head);
    const updated = removeAt(child, rest);
    return updated && withPair(node, head, updated);
  }
  if (node.type === 'seq') {
    const index = Number(head);
    const child = node.items[index];
    if (!child) return undefined;
    const itemsCopy = [...node.items];
    if (rest.length === 0) itemsCopy.splice(index, 1);
    else {
      const updated = removeAt(child, rest);
      if (!updated) return undefined;
      itemsCopy[index] = updated;
    }
    return withItems(node, itemsCopy);
  }
  return undefined;
}

/** A label or annotation selector (`a=b,c!=d,e`) as kustomize evaluates it on patch targets. */
export function selectorMatches(selector: string, labels: Readonly<Record<string, string>>): boolean {
  return selector.split(',').map((s) => s.trim()).filter((s) => s !== '').every((term) => {
    const notEqual = term.match(/^([^!=\s]+)\s*!=\s*(.*)$/);
    if (notEqual) return labels[notEqual[1]!] !== notEqual[2];
    const equal = term.match(/^([^!=\s]+)\s*==?\s*(.*)$/);
    if (equal) return labels[equal[1]!] === equal[2];
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}

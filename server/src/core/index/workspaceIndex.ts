/**
 * The workspace index: every file's resources, looked up by kind, namespace and name, and workloads by the labels
 * of their Pod template. It is incremental per file: replacing one file's resources touches only that file's
 * entries, never the others.
 */
import type { Resource } from '../model';
import type { ParsedFile } from '../parse/parseFile';
import { asMap, get, getPath, stringMap } from '../parse/ynode';

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function namespaceKey(kind: string, namespace: string): string {
  return `${kind}/${namespace}`;
}

/** Key of the workloads of a namespace whose Pod template carries the label `name=value`. */
export function podLabelKey(namespace: string, name: string, value: string): string {
  return `pod-label/${namespace}/${name}\n${value}`;
}

/** Key of the workloads of a namespace whose Pod labels cannot be known from the workspace. */
export function podUnknownKey(namespace: string): string {
  return `pod-unknown/${namespace}`;
}

/** Kinds whose objects create Pods, with the path of their Pod template ([] for a Pod itself). */
const podTemplatePaths: ReadonlyMap<string, readonly string[]> = new Map([
  ['Deployment', ['spec', 'template']], ['StatefulSet', ['spec', 'template']], ['DaemonSet', ['spec', 'template']],
  ['ReplicaSet', ['spec', 'template']], ['Rollout', ['spec', 'template']], ['Job', ['spec', 'template']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']], ['Pod', []],
]);

export const podTemplateKinds: readonly string[] = [...podTemplatePaths.keys()];

/**
 * The labels a workload's Pods get from its template: null for kinds that create no Pods, undefined when the
 * workspace cannot tell (an Argo Rollout with workloadRef, or a partial document such as a patch without template).
 */
export function podTemplateLabels(r: Resource): Record<string, string> | null | undefined {
  const path = podTemplatePaths.get(r.kind);
  if (!path) return null;
  if (r.kind === 'Rollout' && get(r.root, 'spec', 'workloadRef') !== undefined) return undefined;
  const template = path.length === 0 ? r.root : asMap(getPath(r.root, path));
  return template ? stringMap(get(template, 'metadata', 'labels')) : undefined;
}

/** The keys under which a workload is found by podTemplatesMatching: one per Pod label, or the unknown key. */
export function podKeys(r: Resource): string[] {
  const labels = podTemplateLabels(r);
  if (labels === null) return [];
  if (labels === undefined) return [podUnknownKey(r.namespace)];
  return Object.entries(labels).map(([k, v]) => podLabelKey(r.namespace, k, v));
}

/** The answer of podTemplatesMatching, with the keys a dependency tracker records for it. */
export interface PodTemplateLookup {
  results: Resource[];
  /** The index keys the result depends on. */
  keys: string[];
}

/** Lists of resources one map level per key: lookups then build no key strings, they only hash existing ones. */
type Postings = Map<string, Resource[]>;
type Postings2 = Map<string, Postings>;
type Postings3 = Map<string, Postings2>;

export class WorkspaceIndex {
  private readonly parsed = new Map<string, ParsedFile>();
  /** kind → namespace → name. */
  private readonly byObject: Postings3 = new Map();
  /** kind → namespace. */
  private readonly byNamespace: Postings2 = new Map();
  private readonly byKind: Postings = new Map();
  /** namespace → Pod label name → value: workloads by the labels of their Pod template. */
  private readonly byPodLabel: Postings3 = new Map();
  /** namespace: workloads whose Pod labels cannot be known. */
  private readonly podUnknown: Postings = new Map();
  /** Pod labels of every indexed workload with known labels, computed once when the lookup maps take its file. */
  private readonly podLabels = new Map<Resource, Record<string, string>>();
  /** Whether the maps above hold the files (see ensureLookupMaps). */
  private posted = false;
  private changes = 0;
  /** The files of the latest changes, oldest first: entry i is the file of change `journalStart + i + 1`. */
  private journal: string[] = [];
  private journalStart = 0;

  /** Counts setFile and removeFile calls, so that data derived from the whole index knows when it may be stale. */
  get generation(): number {
    return this.changes;
  }

  /**
   * The files set or removed since `generation`, or undefined when the index no longer remembers that far back:
   * derived data then compares every file instead of only these.
   */
  changedSince(generation: number): readonly string[] | undefined {
    if (generation < this.journalStart || generation > this.changes) return undefined;
    return this.journal.slice(generation - this.journalStart);
  }

  private record(file: string): void {
    this.changes++;
    this.journal.push(file);
    if (this.journal.length > 4096) {
      this.journal = this.journal.slice(2048);
      this.journalStart += 2048;
    }
  }

  /** Replaces the resources of one file (adding it when new). */
  setFile(file: ParsedFile): void {
    this.record(file.file);
    this.removeFile(file.file);
    this.parsed.set(file.file, file);
    if (this.posted) this.post(file);
  }

  removeFile(file: string): ParsedFile | undefined {
    const old = this.parsed.get(file);
    if (!old) return undefined;
    this.record(file);
    this.parsed.delete(file);
    if (this.posted) this.unpost(old);
    return old;
  }

  /**
   * Builds the lookup maps on the first lookup, then keeps them up to date. An index nobody looks up never builds
   * them: in a repository of kustomize builds, the analysis looks its references up in the deployed objects (a
   * second index, see kustomize/world.ts), so the index of the source files only holds them.
   */
  private ensureLookupMaps(): void {
    if (this.posted) return;
    this.posted = true;
    for (const file of this.parsed.values()) this.post(file);
  }

  private post(file: ParsedFile): void {
    for (const r of file.resources) {
      push(level(level(this.byObject, r.kind), r.namespace), r.name, r);
      push(level(this.byNamespace, r.kind), r.namespace, r);
      push(this.byKind, r.kind, r);
      const labels = podTemplateLabels(r);
      if (labels === null) continue;
      if (labels === undefined) {
        push(this.podUnknown, r.namespace, r);
        continue;
      }
      this.podLabels.set(r, labels);
      const byLabel = level(this.byPodLabel, r.namespace);
      for (const [k, v] of Object.entries(labels)) push(level(byLabel, k), v, r);
    }
  }

  private unpost(file: ParsedFile): void {
    for (const r of file.resources) {
      pull3(this.byObject, r.kind, r.namespace, r.name, r);
      pull2(this.byNamespace, r.kind, r.namespace, r);
      pull(this.byKind, r.kind, r);
      const labels = this.podLabels.get(r);
      if (labels) for (const [k, v] of Object.entries(labels)) pull3(this.byPodLabel, r.namespace, k, v, r);
      else if (podTemplatePaths.has(r.kind)) pull(this.podUnknown, r.namespace, r);
      this.podLabels.delete(r);
    }
  }

  getFile(file: string): ParsedFile | undefined {
    return this.parsed.get(file);
  }

  files(): IterableIterator<string> {
    return this.parsed.keys();
  }

  get fileCount(): number {
    return this.parsed.size;
  }

  get resourceCount(): number {
    let n = 0;
    for (const f of this.parsed.values()) n += f.resources.length;
    return n;
  }

  /** Objects of a kind with a namespace and name (several when the workspace defines one twice). */
  find(kind: string, namespace: string, name: string): readonly Resource[] {
    this.ensureLookupMaps();
    return this.byObject.get(kind)?.get(namespace)?.get(name) ?? [];
  }

  inNamespace(kind: string, namespace: string): readonly Resource[] {
    this.ensureLookupMaps();
    return this.byNamespace.get(kind)?.get(namespace) ?? [];
  }

  ofKind(kind: string): readonly Resource[] {
    this.ensureLookupMaps();
    return this.byKind.get(kind) ?? [];
  }

  /**
   * Workloads of `namespace` (kinds in podTemplateKinds) whose Pod template labels carry every pair of an equality
   * selector, as a Service selects Pods, followed by the workloads whose Pod labels cannot be known (see
   * podTemplateLabels), which may match too. An empty selector returns every workload of the namespace.
   *
   * The result depends only on the workloads carrying one of the selector's pairs (any pair will do: a workload
   * that matches carries all of them), so the keys returned name that pair alone, plus the unknown-labels key.
   */
  podTemplatesMatching(namespace: string, selector: Readonly<Record<string, string>>): PodTemplateLookup {
    this.ensureLookupMaps();
    const pairs = Object.entries(selector);
    if (pairs.length === 0) {
      const results: Resource[] = [];
      for (const kind of podTemplateKinds) results.push(...this.inNamespace(kind, namespace));
      return { results, keys: podTemplateKinds.map((kind) => namespaceKey(kind, namespace)) };
    }
    // Look the selector up by the pair the fewest workloads carry, so lookups stay cheap in large namespaces.
    const byLabel = this.byPodLabel.get(namespace);
    let best: readonly Resource[] | undefined;
    let bestPair = pairs[0]!;
    for (const pair of pairs) {
      const list = byLabel?.get(pair[0])?.get(pair[1]) ?? [];
      if (best === undefined || list.length < best.length) {
        best = list;
        bestPair = pair;
      }
      if (list.length === 0) break;
    }
    const results = best!.filter((r) => {
      const labels = this.podLabels.get(r)!;
      return pairs.every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
    });
    results.push(...(this.podUnknown.get(namespace) ?? []));
    return { results, keys: [podLabelKey(namespace, bestPair[0], bestPair[1]), podUnknownKey(namespace)] };
  }
}

/** The map under `key`, created when missing. */
function level<T>(map: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function push(map: Postings, key: string, r: Resource): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}

function pull(map: Postings, key: string, r: Resource): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(r);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

function pull2(map: Postings2, a: string, b: string, r: Resource): void {
  const inner = map.get(a);
  if (!inner) return;
  pull(inner, b, r);
  if (inner.size === 0) map.delete(a);
}

function pull3(map: Postings3, a: string, b: string, c: string, r: Resource): void {
  const inner = map.get(a);
  if (!inner) return;
  pull2(inner, b, c, r);
  if (inner.size === 0) map.delete(a);
}

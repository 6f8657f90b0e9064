/**
 * The analysis engine: runs every check over the resources of a file against the workspace index and records
 * which index keys each file's analysis read, so that an edit re-analyses exactly the files it can affect.
 */
import { DerivedCache, type Derivation } from './index/derived';
import { namespaceKey, objectKey, podKeys, WorkspaceIndex } from './index/workspaceIndex';
import type { AnalysisOptions, Finding, Resource, Severity } from './model';
import type { ParsedFile } from './parse/parseFile';
import { defaultSeverity } from './rules/catalog';
import { RepositoryLayer } from './sources/repositoryLayer';
import { substitutedAt } from './sources/substitution';

/** Index lookups that remember what they looked at. */
export interface IndexView {
  find(kind: string, namespace: string, name: string): readonly Resource[];
  inNamespace(kind: string, namespace: string): readonly Resource[];
  ofKind(kind: string): readonly Resource[];
  /**
   * Workloads of a namespace whose Pod template labels carry every pair of an equality selector (how a Service
   * selects Pods), then those whose Pod labels the workspace cannot know; an empty selector gives every workload of
   * the namespace. Prefer it to reading every workload with inNamespace: a file that reads through it is
   * re-analysed only when a workload carrying the selector's labels changes, not on every edit in the namespace.
   */
  podTemplatesMatching(namespace: string, selector: Readonly<Record<string, string>>): readonly Resource[];
  /**
   * `fn(view, ...args)`, computed once per state of the index and options and shared by every analysis that asks
   * for it (see index/derived.ts); the index keys the computation read are recorded for every reader. Views
   * without a cache leave it out: call it through `derived()`.
   */
  derive?<A extends unknown[], T>(fn: Derivation<A, T>, ...args: A): T;
}

export type FindingInput = Omit<Finding, 'severity' | 'file'> & { severity?: Severity; file?: string };

export interface CheckContext {
  readonly options: AnalysisOptions;
  readonly index: IndexView;
  report(finding: FindingInput, resource: Resource): void;
}

/** The lookups of the workspace index that checks read through; a layer may stand in for the index. */
export type IndexLookups = Pick<WorkspaceIndex, 'find' | 'inNamespace' | 'ofKind' | 'podTemplatesMatching'>;

/**
 * What the repository adds to the analysis (sources/repositoryLayer.ts): the objects kustomize builds, sources that
 * create objects the workspace does not spell out, provider options set in the repository, suppressions.
 */
export interface AnalysisLayer {
  /** The options and lookups for an analysis of the index as it is now. */
  session(index: WorkspaceIndex, options: AnalysisOptions): LayerSession;
  /**
   * What else a change of `file` may change: files whose provided keys notify their readers, further keys, and
   * files to analyse again whatever they read (their own objects joined or left the analysis). Called before or
   * after the index takes the change; `before` and `after` are the file's two parses.
   */
  changed(index: WorkspaceIndex, file: string, before: ParsedFile | undefined, after: ParsedFile | undefined): { files: ParsedFile[]; keys: string[]; reanalyse: string[] };
}

export interface LayerSession {
  readonly options: AnalysisOptions;
  readonly lookups: IndexLookups;
  /**
   * A file's findings: `run` runs every check on the resources it is given (the file's own, or what builds make of
   * them) through `view`, or, given `keys`, through a view that collects the keys it reads there instead (for
   * findings the layer reuses in other files); `depend` records a key the analysis depends on.
   */
  findings(file: string, parsed: ParsedFile, view: IndexView, run: (resources: readonly Resource[], keys?: Set<string>) => Finding[], depend: (key: string) => void): Finding[];
}

export interface Check {
  /** A short name for logs and tests. */
  name: string;
  /** Kinds whose resources this check looks at. */
  kinds: readonly string[];
  run(resource: Resource, ctx: CheckContext): void;
}

class TrackingView implements IndexView {
  constructor(private readonly index: IndexLookups, readonly keys = new Set<string>(), private readonly cache?: DerivedCache) {}
  find(kind: string, namespace: string, name: string): readonly Resource[] {
    this.keys.add(objectKey(kind, namespace, name));
    return this.index.find(kind, namespace, name);
  }
  inNamespace(kind: string, namespace: string): readonly Resource[] {
    this.keys.add(namespaceKey(kind, namespace));
    return this.index.inNamespace(kind, namespace);
  }
  ofKind(kind: string): readonly Resource[] {
    this.keys.add(kind);
    return this.index.ofKind(kind);
  }
  podTemplatesMatching(namespace: string, selector: Readonly<Record<string, string>>): readonly Resource[] {
    const lookup = this.index.podTemplatesMatching(namespace, selector);
    for (const key of lookup.keys) this.keys.add(key);
    return lookup.results;
  }
  derive<A extends unknown[], T>(fn: Derivation<A, T>, ...args: A): T {
    return derive(this.index, this.cache, this.keys, fn, args);
  }
}

/** Index lookups as they are, for analyses whose dependencies nobody asks for. */
class UntrackedView implements IndexView {
  constructor(private readonly index: IndexLookups, private readonly cache?: DerivedCache) {}
  find(kind: string, namespace: string, name: string): readonly Resource[] {
    return this.index.find(kind, namespace, name);
  }
  inNamespace(kind: string, namespace: string): readonly Resource[] {
    return this.index.inNamespace(kind, namespace);
  }
  ofKind(kind: string): readonly Resource[] {
    return this.index.ofKind(kind);
  }
  podTemplatesMatching(namespace: string, selector: Readonly<Record<string, string>>): readonly Resource[] {
    return this.index.podTemplatesMatching(namespace, selector).results;
  }
  derive<A extends unknown[], T>(fn: Derivation<A, T>, ...args: A): T {
    return derive(this.index, this.cache, undefined, fn, args);
  }
}

/**
 * A derived value from the cache, or computed (and cached) through a view that records the keys it reads; `keys`
 * (the reader's, when it tracks) gets them either way.
 */
function derive<A extends unknown[], T>(index: IndexLookups, cache: DerivedCache | undefined, keys: Set<string> | undefined, fn: Derivation<A, T>, args: A): T {
  if (!cache) return fn(keys ? new TrackingView(index, keys) : new UntrackedView(index), ...args);
  let entry = cache.get(fn, args);
  if (!entry) {
    // The keys are kept for the readers to come whenever the analyses track dependencies.
    const read = cache.tracking ? new Set<string>() : undefined;
    const value = fn(read ? new TrackingView(index, read, cache) : new UntrackedView(index, cache), ...args);
    entry = { value, keys: read ? [...read] : [] };
    cache.set(fn, args, entry);
  }
  if (keys) for (const key of entry.keys) keys.add(key);
  return entry.value as T;
}

/** The keys under which a file's resources can be found: whoever read one of them depends on this file. */
export function providedKeys(file: ParsedFile | undefined): string[] {
  if (!file) return [];
  const keys: string[] = [];
  for (const r of file.resources) keys.push(objectKey(r.kind, r.namespace, r.name), namespaceKey(r.kind, r.namespace), r.kind, ...podKeys(r));
  return keys;
}

export class Analyzer {
  private readonly checksByKind = new Map<string, Check[]>();
  /** For each index key, the files whose last analysis read it. */
  private readonly readers = new Map<string, Set<string>>();
  /** For each file, the keys its last analysis read. */
  private readonly reads = new Map<string, Set<string>>();
  readonly layer: AnalysisLayer = new RepositoryLayer();
  /** Values derived from the index as the last analysis saw it, shared by the analyses of every file. */
  private derived: DerivedCache | undefined;

  /**
   * `trackDependencies: false` suits one-shot checks (the CLI), which never ask for dependents: the index is then
   * read directly, without recording every lookup's key.
   */
  constructor(
    readonly index: WorkspaceIndex,
    public options: AnalysisOptions,
    checks: readonly Check[],
    private readonly settings: { trackDependencies: boolean } = { trackDependencies: true },
  ) {
    for (const check of checks) {
      for (const kind of check.kinds) {
        const list = this.checksByKind.get(kind) ?? [];
        list.push(check);
        this.checksByKind.set(kind, list);
      }
    }
  }

  /** Findings for one file: its parse problems plus every check's findings on its resources. */
  analyzeFile(file: string): Finding[] {
    const parsed = this.index.getFile(file);
    this.forget(file);
    if (!parsed) return [];
    const findings: Finding[] = [...parsed.problems];
    const session = this.layer.session(this.index, this.options);
    const cache = this.derivedCache(session);
    const view = this.settings.trackDependencies ? new TrackingView(session.lookups, undefined, cache) : undefined;
    let reported: Finding[] = [];
    const ctx: CheckContext = {
      options: session.options,
      index: view ?? new UntrackedView(session.lookups, cache),
      report: (input, resource) => {
        // A value Flux or envsubst replaces before it is applied (`port: ${WEB_PORT}`) cannot be judged.
        if ((input.file === undefined || input.file === resource.file) && substitutedAt(resource.root, input.span)) return;
        reported.push({
          ...input,
          file: input.file ?? resource.file,
          severity: input.severity ?? defaultSeverity(input.code),
          resource: input.resource ?? { kind: resource.kind, namespace: resource.namespace, name: resource.name },
        });
      },
    };
    const run = (resources: readonly Resource[], keys?: Set<string>): Finding[] => {
      reported = [];
      // Without dependency tracking nobody replays the keys the layer collects: they are not recorded at all.
      const runCtx = keys && this.settings.trackDependencies ? { ...ctx, index: new TrackingView(session.lookups, keys, cache) } : ctx;
      for (const resource of resources) {
        for (const check of this.checksByKind.get(resource.kind) ?? []) check.run(resource, runCtx);
      }
      return reported;
    };
    findings.push(...session.findings(file, parsed, ctx.index, run, (key) => view?.keys.add(key)));
    if (view) this.remember(file, view.keys);
    return this.applySeverity(findings).filter((f) => f.file === file);
  }

  /**
   * The cache of derived values for the state a session analyses: kept while the lookups (the index, or the deployed
   * repository standing in for it) and the options stay the same, replaced when either changes. Lookups without a
   * generation cannot tell when they change, so they get no cache.
   */
  private derivedCache(session: LayerSession): DerivedCache | undefined {
    const generation = (session.lookups as { generation?: unknown }).generation;
    if (typeof generation !== 'number') return undefined;
    if (!this.derived?.holds(session.lookups, generation, session.options)) {
      this.derived = new DerivedCache(session.lookups, generation, session.options, this.settings.trackDependencies);
    }
    return this.derived;
  }

  /** Files (other than `file` itself) whose findings may change when `file` changes from `before` to `after`. */
  dependents(file: string, before: ParsedFile | undefined, after: ParsedFile | undefined): Set<string> {
    const out = new Set<string>();
    const changed = this.layer.changed(this.index, file, before, after);
    for (const key of [...providedKeys(before), ...providedKeys(after), ...changed.files.flatMap(providedKeys), ...changed.keys]) {
      for (const reader of this.readers.get(key) ?? []) if (reader !== file) out.add(reader);
    }
    for (const other of changed.reanalyse) if (other !== file) out.add(other);
    return out;
  }

  forget(file: string): void {
    const keys = this.reads.get(file);
    if (!keys) return;
    for (const key of keys) {
      const set = this.readers.get(key);
      set?.delete(file);
      if (set && set.size === 0) this.readers.delete(key);
    }
    this.reads.delete(file);
  }

  private remember(file: string, keys: Set<string>): void {
    this.reads.set(file, keys);
    for (const key of keys) {
      let set = this.readers.get(key);
      if (!set) this.readers.set(key, (set = new Set()));
      set.add(file);
    }
  }

  private applySeverity(findings: Finding[]): Finding[] {
    const overrides = this.options.severityOverrides;
    const out: Finding[] = [];
    for (const f of findings) {
      const o = overrides[f.code];
      if (o === 'off') continue;
      out.push(o ? { ...f, severity: o } : f);
    }
    return out;
  }
}

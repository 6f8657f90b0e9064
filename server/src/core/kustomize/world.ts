/**
 * The repository as it is deployed: every kustomization that nothing else includes is built (it is what a GitOps
 * tool or `kubectl apply -k` applies), the objects those builds make replace the documents they were made from,
 * and Helm chart templates leave the picture. Files no build uses are taken as they are.
 *
 * The world follows the workspace index incrementally. It keeps the parse of every file it last saw and, when the
 * index changed, compares: builds whose inputs changed are rebuilt, the others are kept. Rebuilt objects go into an
 * index of their own, one pseudo-file per build, so that they are looked up, and tracked as dependencies, exactly
 * like the documents of the workspace.
 */
import type { PodTemplateLookup } from '../index/workspaceIndex';
import { WorkspaceIndex } from '../index/workspaceIndex';
import type { Resource } from '../model';
import type { ParsedFile } from '../parse/parseFile';
import { buildKustomization, type Build, type BuiltObject } from './build';
import { isKustomizationFileName, kustomizationFileNames, readKustomization, type Kustomization } from './kustomization';
import { basename, commonFolder, dirname, isInside, isRemote, relativeTo, resolvePath } from './paths';

/** The part of the workspace index that the checks read through. */
export interface Lookups {
  find(kind: string, namespace: string, name: string): readonly Resource[];
  inNamespace(kind: string, namespace: string): readonly Resource[];
  ofKind(kind: string): readonly Resource[];
  podTemplatesMatching(namespace: string, selector: Readonly<Record<string, string>>): PodTemplateLookup;
}

/** The workspace index with a generation counter (see WorkspaceIndex.generation). */
export interface IndexSource {
  readonly generation: number;
  files(): IterableIterator<string>;
  getFile(file: string): ParsedFile | undefined;
}

export interface BuildEntry {
  build: Build;
  /** The build's folder as messages show it: relative to the folder that holds every kustomization. */
  name: string;
  /** The build's objects as the pseudo-file under which they are indexed. */
  pseudo: ParsedFile;
}

/** A build that changed: the pseudo-files before and after, for the keys a dependency tracker must notify. */
export interface BuildChange {
  root: string;
  before?: ParsedFile;
  after?: ParsedFile;
}

/** What one update of the world changed: files (their parses before and after) and builds. */
export interface WorldChange {
  files: { file: string; before?: ParsedFile; after?: ParsedFile }[];
  builds: BuildChange[];
}

const noChange: WorldChange = { files: [], builds: [] };

/** The key under which the files analysed within a build depend on everything the build reads. */
export function buildKey(root: string): string {
  return `kustomize-build/${root}`;
}

const chartContentFolders = ['templates', 'charts', 'crds'];

/**
 * The build and built object behind every resource a World indexes. Checks receive built objects as plain
 * resources; the ones that need the build (which object was renamed from what) find it here. The map holds them
 * weakly, so they go with their build.
 */
const origins = new WeakMap<Resource, { entry: BuildEntry; object: BuiltObject }>();

export function builtInfo(resource: Resource): { entry: BuildEntry; object: BuiltObject } | undefined {
  return origins.get(resource);
}

export class World {
  private readonly known = new Map<string, ParsedFile>();
  private generation = -1;
  private readonly builds = new Map<string, BuildEntry>();
  /** Objects of every build, as the checks see them. */
  readonly built = new WorkspaceIndex();
  /** For each file, how many builds read it as a resource, patch, configuration or kustomization. */
  private readonly managed = new Map<string, number>();
  /** For each file, per build, the built objects that hold a value written in the file. */
  private readonly holders = new Map<string, Map<string, Resource[]>>();
  private chartDirs: string[] = [];
  /** The folder holding every kustomization, which build names are shown relative to. */
  private base = '';
  /** Counts updates, so that what is derived from the world knows when to recompute. */
  version = 0;

  /**
   * Brings the world up to date with the index. `override` stands for one file whose entry in the index is about
   * to change or has just changed: the world then follows that parse for it instead.
   */
  sync(index: IndexSource, override?: { file: string; parsed: ParsedFile | undefined }): WorldChange {
    if (index.generation === this.generation && !override) return noChange;
    const changed = new Map<string, ParsedFile | undefined>();
    const current = (file: string) => (override && override.file === file ? override.parsed : index.getFile(file));
    for (const file of index.files()) {
      const parsed = current(file);
      if (this.known.get(file) !== parsed) changed.set(file, parsed);
    }
    for (const file of this.known.keys()) if (!changed.has(file) && current(file) === undefined) changed.set(file, undefined);
    if (override && !changed.has(override.file) && this.known.get(override.file) !== override.parsed) changed.set(override.file, override.parsed);
    this.generation = index.generation;
    return changed.size > 0 ? this.apply(changed) : noChange;
  }

  /** Applies changed files (undefined: removed) and rebuilds what they affect. */
  apply(changes: ReadonlyMap<string, ParsedFile | undefined>): WorldChange {
    const files: WorldChange['files'] = [];
    for (const [file, parsed] of changes) {
      const before = this.known.get(file);
      files.push({ file, ...(before ? { before } : {}), ...(parsed ? { after: parsed } : {}) });
      if (parsed) this.known.set(file, parsed);
      else this.known.delete(file);
    }
    const paths = [...changes.keys()];
    if (paths.some((p) => basename(p) === 'Chart.yaml')) this.chartDirs = [...this.known.keys()].filter((p) => basename(p) === 'Chart.yaml').map(dirname);
    const roots = paths.some(isKustomizationFileName) || this.builds.size === 0 ? this.findRoots() : [...this.builds.keys()];
    const out: BuildChange[] = [];
    const wanted = new Set(roots);
    for (const [root, entry] of this.builds) {
      if (wanted.has(root)) continue;
      this.drop(root, entry);
      out.push({ root, before: entry.pseudo });
    }
    for (const root of roots) {
      const entry = this.builds.get(root);
      if (entry && !paths.some((p) => entry.build.inputs.has(p))) continue;
      const kustomization = this.kustomizationAt(root);
      if (entry) this.drop(root, entry);
      if (!kustomization) {
        if (entry) out.push({ root, before: entry.pseudo });
        continue;
      }
      const next = this.add(root, buildKustomization(kustomization, (p) => this.known.get(p)));
      out.push({ root, ...(entry ? { before: entry.pseudo } : {}), after: next.pseudo });
    }
    this.version++;
    return { files, builds: out };
  }

  private kustomizationAt(file: string): Kustomization | undefined {
    const parsed = this.known.get(file);
    return parsed && readKustomization(parsed);
  }

  /**
   * The kustomizations nothing else includes. A component is never built on its own, and a kustomization that is
   * only reachable through a cycle is not built at all (kustomize refuses it).
   */
  private findRoots(): string[] {
    const byDir = new Map<string, Kustomization>();
    for (const file of this.known.keys()) {
      if (!isKustomizationFileName(file)) continue;
      const k = this.kustomizationAt(file);
      if (!k) continue;
      // kustomize tries its file names in a fixed order; the first one present is the folder's kustomization.
      const other = byDir.get(k.dir);
      if (!other || kustomizationFileNames.indexOf(basename(k.file)) < kustomizationFileNames.indexOf(basename(other.file))) byDir.set(k.dir, k);
    }
    const included = new Set<string>();
    for (const k of byDir.values()) {
      for (const entry of [...k.resources, ...k.components]) {
        if (isRemote(entry.value)) continue;
        const target = byDir.get(resolvePath(k.dir, entry.value));
        if (target) included.add(target.file);
      }
    }
    this.base = commonFolder(byDir.size > 1 ? byDir.keys() : [...byDir.keys(), '']);
    for (const entry of this.builds.values()) entry.name = this.displayName(entry.build.root.dir);
    return [...byDir.values()].filter((k) => k.kind === 'Kustomization' && !included.has(k.file)).map((k) => k.file).sort();
  }

  private displayName(dir: string): string {
    const shown = relativeTo(this.base, dir);
    return shown === '' || shown === '.' ? dir || '.' : shown;
  }

  private add(root: string, build: Build): BuildEntry {
    const resources = build.objects.map((o) => o.resource);
    const pseudo: ParsedFile = { file: `${root}#kustomize-build`, resources, skipped: [], problems: [] };
    const entry: BuildEntry = { build, pseudo, name: this.displayName(build.root.dir) };
    for (const o of build.objects) origins.set(o.resource, { entry, object: o });
    this.builds.set(root, entry);
    this.built.setFile(pseudo);
    for (const file of [...build.resourceFiles, ...build.shapingFiles]) this.managed.set(file, (this.managed.get(file) ?? 0) + 1);
    for (const o of build.objects) {
      for (const file of o.files) {
        let perBuild = this.holders.get(file);
        if (!perBuild) this.holders.set(file, (perBuild = new Map()));
        const list = perBuild.get(root);
        if (list) list.push(o.resource);
        else perBuild.set(root, [o.resource]);
      }
    }
    return entry;
  }

  private drop(root: string, entry: BuildEntry): void {
    this.builds.delete(root);
    this.built.removeFile(entry.pseudo.file);
    for (const file of [...entry.build.resourceFiles, ...entry.build.shapingFiles]) {
      const n = (this.managed.get(file) ?? 0) - 1;
      if (n > 0) this.managed.set(file, n);
      else this.managed.delete(file);
    }
    for (const o of entry.build.objects) {
      for (const file of o.files) {
        const perBuild = this.holders.get(file);
        perBuild?.delete(root);
        if (perBuild && perBuild.size === 0) this.holders.delete(file);
      }
    }
  }

  /** The parse of a file as the world last saw it. */
  file(path: string): ParsedFile | undefined {
    return this.known.get(path);
  }

  files(): IterableIterator<[string, ParsedFile]> {
    return this.known.entries();
  }

  /** Whether a file's documents are replaced by what builds make of them, or belong to a Helm chart. */
  isManaged(file: string): boolean {
    return this.managed.has(file) || this.isChartContent(file);
  }

  /** Files inside a Helm chart's templates/, charts/ or crds/ folders: Helm renders them, they are no manifests. */
  isChartContent(file: string): boolean {
    return this.chartDirs.some((dir) => chartContentFolders.some((folder) => isInside(resolvePath(dir, folder), file)));
  }

  /** The folders holding a Chart.yaml. */
  charts(): readonly string[] {
    return this.chartDirs;
  }

  /** Per build (root kustomization file), the built objects holding a value written in `file`. */
  holdersOf(file: string): ReadonlyMap<string, readonly Resource[]> {
    return this.holders.get(file) ?? new Map();
  }

  entry(root: string): BuildEntry | undefined {
    return this.builds.get(root);
  }

  entries(): IterableIterator<BuildEntry> {
    return this.builds.values();
  }

  get hasBuilds(): boolean {
    return this.builds.size > 0;
  }

  /** Lookups over the deployed repository: built objects, plus the documents of files no build manages. */
  lookups(index: Lookups): Lookups {
    if (!this.hasBuilds && this.chartDirs.length === 0) return index;
    const keep = (list: readonly Resource[]): readonly Resource[] => (list.some((r) => this.isManaged(r.file)) ? list.filter((r) => !this.isManaged(r.file)) : list);
    const join = (a: readonly Resource[], b: readonly Resource[]): readonly Resource[] => (b.length === 0 ? a : a.length === 0 ? b : [...a, ...b]);
    const built = this.built;
    return {
      find: (kind, namespace, name) => join(keep(index.find(kind, namespace, name)), built.find(kind, namespace, name)),
      inNamespace: (kind, namespace) => join(keep(index.inNamespace(kind, namespace)), built.inNamespace(kind, namespace)),
      ofKind: (kind) => join(keep(index.ofKind(kind)), built.ofKind(kind)),
      podTemplatesMatching: (namespace, selector) => {
        const raw = index.podTemplatesMatching(namespace, selector);
        const fromBuilds = built.podTemplatesMatching(namespace, selector);
        return { results: [...join(keep(raw.results), fromBuilds.results)], keys: [...new Set([...raw.keys, ...fromBuilds.keys])] };
      },
    };
  }
}

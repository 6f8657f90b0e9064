/**
 * The repository as it is deployed: every kustomization that nothing else includes is built (it is what a GitOps
 * tool or `kubectl apply -k` applies), the objects those builds make replace the documents they were made from,
 * and Helm chart templates leave the picture. Files no build uses are taken as they are.
 *
 * The world follows the workspace index incrementally. It keeps the parse of every file it last saw and, when the
 * index changed, compares: builds whose inputs changed are rebuilt, the others are kept. The deployed repository is
 * an index of its own, in which each build is one pseudo-file, so that built objects are looked up, and tracked as
 * dependencies, exactly like the documents of the workspace.
 */
import type { IndexLookups } from '../analyze';
import { WorkspaceIndex } from '../index/workspaceIndex';
import type { Resource, YNode } from '../model';
import type { ParsedFile } from '../parse/parseFile';
import { buildKustomization, type Build, type BuiltObject } from './build';
import { fluxBuildKey, fluxObjects, holdsFluxKustomization, readFluxKustomization } from './flux';
import { isKustomizationFileName, kustomizationFileNames, readKustomization, type Kustomization } from './kustomization';
import { basename, commonFolder, dirname, isInside, isRemote, relativeTo, resolvePath, separatorOf } from './paths';

/** The workspace index with its change counter and journal (see WorkspaceIndex.generation). */
export interface IndexSource {
  readonly generation: number;
  changedSince(generation: number): readonly string[] | undefined;
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

/**
 * What changed in one build: the objects that are new, gone or different (their versions before and after), the
 * files whose built objects changed (their analyses within the build must run again), and whether what the build
 * includes from outside the workspace changed.
 */
export interface BuildChange {
  root: string;
  before: Resource[];
  after: Resource[];
  files: Set<string>;
  unknownChanged: boolean;
}

/**
 * What one update of the world changed: files (their parses before and after), builds, and the files whose own
 * documents joined or left the deployed repository (a build started or stopped using them, a chart took them in).
 */
export interface WorldChange {
  files: { file: string; before: ParsedFile | undefined; after: ParsedFile | undefined }[];
  builds: BuildChange[];
  exposed: ParsedFile[];
}

const noChange: WorldChange = { files: [], builds: [], exposed: [] };

const chartContentFolders = ['templates', 'charts', 'crds'];

/** Whether a path names a Chart.yaml. Every path of the workspace is asked, so the cheap test of its end comes first. */
function isChartFile(path: string): boolean {
  return path.endsWith('Chart.yaml') && basename(path) === 'Chart.yaml';
}

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
  /** For each path, the builds that read it or looked for it: a change there changes them. */
  private readonly readers = new Map<string, Set<string>>();
  /** For each file, how many builds read it as a resource, patch, configuration or kustomization. */
  private readonly managed = new Map<string, number>();
  /** For each file, per build, the built objects that hold a value written in the file. */
  private readonly holders = new Map<string, Map<string, Resource[]>>();
  private chartDirs: string[] = [];
  /** Where the files of Helm charts' templates/, charts/ and crds/ folders start. */
  private chartPrefixes: string[] = [];
  private readonly kustomizationFiles = new Set<string>();
  /** Files holding Flux Kustomizations (flux.ts). */
  private readonly fluxFiles = new Set<string>();
  /** The builds Flux Kustomizations make, by build key, with the name messages give them. */
  private fluxBuilds = new Map<string, { kustomization: Kustomization; name: string }>();
  private roots: string[] | undefined;
  /** The folder holding every kustomization, which build names are shown relative to. */
  private base = '';
  /**
   * The deployed repository as one index: the objects of every build (one pseudo-file per build) and the documents
   * of the files no build manages. It exists only while there are builds or charts; otherwise the workspace index
   * is the deployed repository.
   */
  private deployed: WorkspaceIndex | undefined;
  /**
   * Files whose managed state may have changed during the current update. Only an existing deployed index is
   * updated file by file; without one (at the start, and while there are no builds or charts) it is built whole.
   */
  private readonly touched = new Set<string>();
  /** The folder holding every file, once asked for; forgotten when files come or go. */
  private folderOfAll: string | undefined;
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
    const journal = this.generation < 0 ? undefined : index.changedSince(this.generation);
    if (journal) {
      for (const file of journal) if (this.known.get(file) !== current(file)) changed.set(file, current(file));
    } else {
      for (const file of index.files()) {
        const parsed = current(file);
        if (this.known.get(file) !== parsed) changed.set(file, parsed);
      }
      for (const file of this.known.keys()) if (!changed.has(file) && current(file) === undefined) changed.set(file, undefined);
    }
    if (override && !changed.has(override.file) && this.known.get(override.file) !== override.parsed) changed.set(override.file, override.parsed);
    this.generation = index.generation;
    return changed.size > 0 ? this.apply(changed) : noChange;
  }

  /** Applies changed files (undefined: removed) and rebuilds what they affect. */
  apply(changes: ReadonlyMap<string, ParsedFile | undefined>): WorldChange {
    const files: WorldChange['files'] = [];
    for (const [file, parsed] of changes) {
      const before = this.known.get(file);
      if (before === parsed) continue;
      files.push({ file, before, after: parsed });
      if (parsed) this.known.set(file, parsed);
      else this.known.delete(file);
      if (!before || !parsed) this.folderOfAll = undefined;
      this.touch(file);
    }
    if (files.length === 0 && this.roots) return noChange;
    const paths = files.map((f) => f.file);
    const chartsChanged = paths.some(isChartFile);
    if (chartsChanged) {
      this.chartDirs = [...this.known.keys()].filter(isChartFile).map(dirname);
      this.chartPrefixes = this.chartDirs.flatMap((dir) => chartContentFolders.map((folder) => `${resolvePath(dir, folder)}${separatorOf(dir || folder)}`));
    }
    const kustomizationsChanged = paths.filter(isKustomizationFileName);
    for (const p of kustomizationsChanged) {
      if (this.known.has(p)) this.kustomizationFiles.add(p);
      else this.kustomizationFiles.delete(p);
    }
    let fluxChanged = false;
    for (const f of files) {
      const holds = holdsFluxKustomization(f.after);
      if (holds || this.fluxFiles.has(f.file)) fluxChanged = true;
      if (holds) this.fluxFiles.add(f.file);
      else this.fluxFiles.delete(f.file);
    }
    // Which folder a Flux path names, and which manifests a folder without a kustomization lists, change when files
    // come and go.
    const listingChanged = this.fluxFiles.size > 0 && files.some((f) => !f.before || !f.after);
    const affected = new Set<string>();
    const rootsChanged = kustomizationsChanged.length > 0 || fluxChanged || listingChanged || !this.roots;
    if (rootsChanged) {
      this.roots = this.findRoots();
      for (const [key, flux] of this.fluxBuilds) if (this.builds.get(key)?.build.root !== flux.kustomization) affected.add(key);
    }
    // After every update there is a build for each root and for nothing else, so only new roots start or end builds:
    // an edit of any other file spares the pass over all of them.
    const wanted = rootsChanged ? new Set(this.roots) : undefined;
    for (const p of paths) for (const root of this.readers.get(p) ?? []) affected.add(root);
    if (wanted) {
      for (const root of wanted) if (!this.builds.has(root)) affected.add(root);
      for (const root of this.builds.keys()) if (!wanted.has(root)) affected.add(root);
    }
    const out: BuildChange[] = [];
    for (const root of [...affected].sort()) {
      const entry = this.builds.get(root);
      if (entry) this.drop(root, entry);
      const kustomization = !wanted || wanted.has(root) ? this.kustomizationAt(root) : undefined;
      const next = kustomization && this.add(root, buildKustomization(kustomization, (p) => this.known.get(p)));
      out.push(difference(root, entry?.build, next?.build));
    }
    const exposed = this.refreshDeployed(chartsChanged);
    this.version++;
    return { files, builds: out, exposed };
  }

  private touch(file: string): void {
    if (this.deployed) this.touched.add(file);
  }

  /** The kustomization a build starts from: a kustomization file, or a Flux Kustomization's build key. */
  private kustomizationAt(root: string): Kustomization | undefined {
    const flux = this.fluxBuilds.get(root);
    if (flux) return flux.kustomization;
    const parsed = this.known.get(root);
    return parsed && readKustomization(parsed);
  }

  /**
   * The kustomizations nothing else includes. A component is never built on its own, and a kustomization that is
   * only reachable through a cycle is not built at all (kustomize refuses it).
   */
  private findRoots(): string[] {
    const byDir = new Map<string, Kustomization>();
    for (const file of this.kustomizationFiles) {
      const k = this.kustomizationAt(file);
      if (!k) continue;
      // kustomize tries its file names in a fixed order; the first one present is the folder's kustomization.
      const other = byDir.get(k.dir);
      if (!other || kustomizationFileNames.indexOf(basename(k.file)) < kustomizationFileNames.indexOf(basename(other.file))) byDir.set(k.dir, k);
    }
    const included = new Set<string>();
    for (const k of byDir.values()) {
      for (const entries of [k.resources, k.components]) {
        for (const entry of entries) {
          if (isRemote(entry.value)) continue;
          const target = byDir.get(resolvePath(k.dir, entry.value));
          if (target) included.add(target.file);
        }
      }
    }
    this.base = commonFolder(byDir.size > 1 ? byDir.keys() : [...byDir.keys(), '']);
    this.fluxBuilds = this.readFluxBuilds(byDir);
    // A folder a Flux Kustomization builds is no build alone: Flux applies it with what the Kustomization adds.
    for (const { kustomization } of this.fluxBuilds.values()) {
      const inner = byDir.get(kustomization.dir);
      if (inner) included.add(inner.file);
    }
    for (const [root, entry] of this.builds) entry.name = this.buildName(root, entry.build);
    const kustomizeRoots = [...byDir.values()].filter((k) => k.kind === 'Kustomization' && !included.has(k.file)).map((k) => k.file);
    return [...kustomizeRoots, ...this.fluxBuilds.keys()].sort();
  }

  /** The builds of the Flux Kustomizations that add something to a folder of the workspace. */
  private readFluxBuilds(byDir: ReadonlyMap<string, Kustomization>): Map<string, { kustomization: Kustomization; name: string }> {
    const out = new Map<string, { kustomization: Kustomization; name: string }>();
    if (this.fluxFiles.size === 0) return out;
    const folders = new Set<string>();
    for (const file of this.known.keys()) {
      let dir = dirname(file);
      while (!folders.has(dir)) {
        folders.add(dir);
        const up = dirname(dir);
        if (up === dir) break;
        dir = up;
      }
    }
    const kustomizations = new Map([...byDir].map(([dir, k]) => [dir, k.file]));
    const workspace = {
      folders, kustomizations,
      root: this.workspaceFolder(),
      manifests: () => [...this.known].filter(([file, parsed]) => !isKustomizationFileName(file) && (parsed.resources.length > 0 || parsed.skipped.length > 0)).map(([file]) => file),
    };
    for (const file of [...this.fluxFiles].sort()) {
      for (const flux of fluxObjects(this.known.get(file))) {
        const kustomization = readFluxKustomization(flux, workspace);
        if (kustomization) out.set(fluxBuildKey(flux), { kustomization, name: `${this.displayName(kustomization.dir)} (Flux Kustomization ${flux.namespace}/${flux.name})` });
      }
    }
    return out;
  }

  /** How messages name a build: its folder, or the Flux Kustomization that makes it. */
  private buildName(root: string, build: Build): string {
    return this.fluxBuilds.get(root)?.name ?? this.displayName(build.root.dir);
  }

  private displayName(dir: string): string {
    // Without a folder common to several kustomizations, the folder is shown as it is (an absolute path stays one).
    if (this.base === '') return dir || '.';
    const shown = relativeTo(this.base, dir);
    return shown === '' || shown === '.' ? dir || '.' : shown;
  }

  private add(root: string, build: Build): BuildEntry {
    const resources = build.objects.map((o) => o.resource);
    const pseudo: ParsedFile = { file: `${root}#kustomize-build`, resources, skipped: [], problems: [] };
    const entry: BuildEntry = { build, pseudo, name: this.buildName(root, build) };
    for (const o of build.objects) origins.set(o.resource, { entry, object: o });
    this.builds.set(root, entry);
    this.deployed?.setFile(pseudo);
    for (const path of build.inputs) {
      let set = this.readers.get(path);
      if (!set) this.readers.set(path, (set = new Set()));
      set.add(root);
    }
    for (const files of [build.resourceFiles, build.shapingFiles]) {
      for (const file of files) {
        this.managed.set(file, (this.managed.get(file) ?? 0) + 1);
        this.touch(file);
      }
    }
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
    this.deployed?.removeFile(entry.pseudo.file);
    for (const path of entry.build.inputs) {
      const set = this.readers.get(path);
      set?.delete(root);
      if (set && set.size === 0) this.readers.delete(path);
    }
    for (const file of [...entry.build.resourceFiles, ...entry.build.shapingFiles]) {
      const n = (this.managed.get(file) ?? 0) - 1;
      if (n > 0) this.managed.set(file, n);
      else this.managed.delete(file);
      this.touch(file);
    }
    for (const o of entry.build.objects) {
      for (const file of o.files) {
        const perBuild = this.holders.get(file);
        perBuild?.delete(root);
        if (perBuild && perBuild.size === 0) this.holders.delete(file);
      }
    }
  }

  /**
   * Brings the deployed index in line: every file whose parse or managed state changed, or all when charts did.
   * Returns the parses of the files whose documents joined or left it.
   */
  private refreshDeployed(all: boolean): ParsedFile[] {
    const visible = (file: string) => (this.deployed ? this.deployed.getFile(file) : this.known.get(file));
    const exposed: ParsedFile[] = [];
    const note = (before: ParsedFile | undefined, after: ParsedFile | undefined) => {
      if (before === after) return;
      if (before) exposed.push(before);
      if (after) exposed.push(after);
    };
    if (this.builds.size === 0 && this.chartDirs.length === 0) {
      if (this.deployed) for (const [file, parsed] of this.known) note(this.deployed.getFile(file), parsed);
      this.deployed = undefined;
    } else if (!this.deployed || all) {
      const next = new WorkspaceIndex();
      for (const [file, parsed] of this.known) {
        const shown = this.isManaged(file) ? undefined : parsed;
        if (shown) next.setFile(shown);
        note(visible(file), shown);
      }
      for (const entry of this.builds.values()) next.setFile(entry.pseudo);
      this.deployed = next;
    } else {
      for (const file of this.touched) {
        const parsed = this.known.get(file);
        const before = this.deployed.getFile(file);
        if (parsed && !this.isManaged(file)) {
          if (before !== parsed) this.deployed.setFile(parsed);
          note(before, parsed);
        } else {
          this.deployed.removeFile(file);
          note(before, undefined);
        }
      }
    }
    this.touched.clear();
    return exposed;
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
    return this.chartPrefixes.length > 0 && this.chartPrefixes.some((prefix) => file.startsWith(prefix));
  }

  /** The folders holding a Chart.yaml. */
  charts(): readonly string[] {
    return this.chartDirs;
  }

  /** The builds that take the objects of `file` (it is one of their resources). */
  buildsUsing(file: string): BuildEntry[] {
    if (!this.managed.has(file)) return [];
    return [...this.builds.values()].filter((entry) => entry.build.resourceFiles.has(file));
  }

  /**
   * The kustomization of the folder `dir` when a build uses it: kustomize, Flux and Argo CD then apply what it
   * lists and nothing else of the folder.
   */
  builtKustomizationIn(dir: string): string | undefined {
    for (const name of kustomizationFileNames) {
      const path = resolvePath(dir, name);
      if (this.kustomizationFiles.has(path)) return this.managed.has(path) ? path : undefined;
    }
    return undefined;
  }

  /** Whether `path` lies inside the folder that holds every file of the workspace (so the workspace would show it). */
  withinWorkspace(path: string): boolean {
    return !/^\.\.([/\\]|$)/.test(path) && isInside(this.workspaceFolder(), path);
  }

  /** The folder that holds every file of the workspace. */
  private workspaceFolder(): string {
    return (this.folderOfAll ??= commonFolder([...this.known.keys()].map(dirname)));
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

  /** Lookups over the deployed repository: built objects, plus the documents of files no build manages. */
  lookups(index: IndexLookups): IndexLookups {
    return this.deployed ?? index;
  }
}

function sameTree(a: YNode, b: YNode): boolean {
  if (a === b) return true;
  if (a.type !== b.type || a.span.start !== b.span.start || a.span.end !== b.span.end) return false;
  if (a.type === 'scalar') return b.type === 'scalar' && a.value === b.value && a.style === b.style;
  if (a.type === 'seq') return b.type === 'seq' && a.items.length === b.items.length && a.items.every((item, i) => sameTree(item, b.items[i]!));
  return b.type === 'map' && a.pairs.length === b.pairs.length && a.pairs.every((p, i) => {
    const q = b.pairs[i]!;
    return p.key === q.key && p.keySpan.start === q.keySpan.start && p.keySpan.end === q.keySpan.end && sameTree(p.value, q.value);
  });
}

/** Whether two builds made the same object: the same tree at the same places, with the same history. */
function sameObject(a: BuiltObject, b: BuiltObject): boolean {
  return a.resource.file === b.resource.file && a.resource.fileText === b.resource.fileText && sameTree(a.resource.root, b.resource.root)
    && a.previousNames.join('\n') === b.previousNames.join('\n') && [...a.files].join('\n') === [...b.files].join('\n')
    && a.renamedBy.length === b.renamedBy.length && a.renamedBy.every((r, i) => r.file === b.renamedBy[i]!.file && r.node.span.start === b.renamedBy[i]!.node.span.start);
}

function identity(o: BuiltObject): string {
  return `${o.resource.group}/${o.resource.kind}/${o.resource.namespace}/${o.resource.name}`;
}

function unknownText(build: Build | undefined): string {
  return JSON.stringify(build?.unknown.map((u) => [u.reason, u.entry, u.kustomization, u.namespace, u.node.span.start]) ?? []);
}

/** The objects a rebuild changed, compared by identity and then by content. */
function difference(root: string, before: Build | undefined, after: Build | undefined): BuildChange {
  const unknownChanged = (before?.unknown.length ?? 0) + (after?.unknown.length ?? 0) > 0 && unknownText(before) !== unknownText(after);
  const change: BuildChange = { root, before: [], after: [], files: new Set(), unknownChanged };
  const old = new Map<string, BuiltObject[]>();
  for (const o of before?.objects ?? []) old.set(identity(o), [...(old.get(identity(o)) ?? []), o]);
  const note = (o: BuiltObject, list: Resource[]) => {
    list.push(o.resource);
    for (const file of o.files) change.files.add(file);
  };
  for (const o of after?.objects ?? []) {
    // A new build (every build, at the start) has nothing to compare with: its objects need no identity.
    const candidates = old.size > 0 ? old.get(identity(o)) : undefined;
    const same = candidates?.findIndex((c) => sameObject(c, o)) ?? -1;
    if (same >= 0) {
      candidates!.splice(same, 1);
      continue;
    }
    note(o, change.after);
  }
  for (const list of old.values()) for (const o of list) note(o, change.before);
  return change;
}

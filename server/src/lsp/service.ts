/**
 * The server's state and the order in which it changes. It keeps the workspace index and the analyzer alive,
 * re-reads files that editor or file-system events marked dirty, and re-publishes each changed file together with
 * the files that depend on it.
 *
 * Every change to the index runs as one task of a serial queue, so a workspace scan (which yields to the event loop
 * while it runs) and incremental updates never interleave. Event handlers only mark files dirty; the task that
 * flushes them reads each file's current state (open editor, disk, or gone), which makes the result independent of
 * the order and number of events received for a file.
 */
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { Analyzer } from '../core/analyze';
import { withRepositoryOptions, type FeatureContext } from '../core/features/context';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { LineIndex } from '../core/lineIndex';
import type { Finding } from '../core/model';
import { allChecks } from '../core/rules';
import { RepositoryLayer } from '../core/sources/repositoryLayer';
import { defaultSettings, type WorkspaceStatus } from '../protocol';
import { DiagnosticsPublisher, type FileView } from './diagnostics';
import type { Logger } from './log';
import { DelayedProgress, TimeSlicer } from './progress';
import { changesFileSet, sameSettings, toAnalysisOptions, type ServerSettings } from './settings';
import { Workspace, type Source } from './workspace';

/** How long edits to open documents are coalesced before they are analysed. */
const editDelayMs = 100;

export interface ServiceHost {
  workspace: Workspace;
  log: Logger;
  publish(params: PublishDiagnosticsParams): void;
  sendStatus(status: WorkspaceStatus): void;
  createProgress(title: string): DelayedProgress;
}

/** What the server keeps of an indexed file besides its parse: what positions and versions are computed from. */
interface Snapshot {
  text: string;
  version: number | undefined;
  lines?: LineIndex;
}

export class RouteDoctorService implements FileView {
  private readonly index = new WorkspaceIndex();
  private readonly analyzer = new Analyzer(this.index, toAnalysisOptions(defaultSettings), allChecks);
  private readonly publisher: DiagnosticsPublisher;
  private readonly snapshots = new Map<string, Snapshot>();
  /** The findings last published per file: quick fixes and hovers are computed from them. */
  private readonly findings = new Map<string, Finding[]>();
  private settings: ServerSettings = { settings: defaultSettings, explicitTraefik: [] };
  /** Files to re-read (editor events). */
  private readonly dirtyFiles = new Set<string>();
  /** Paths to re-read that may be folders (file-system events: a folder deleted or renamed). */
  private readonly dirtyPaths = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushDue = Infinity;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly host: ServiceHost) {
    this.publisher = new DiagnosticsPublisher((params) => host.publish(params), this);
  }

  // ---- FileView, for the publisher

  uriOf(file: string): string {
    return this.host.workspace.uriOf(file);
  }

  linesOf(file: string): LineIndex {
    const s = this.snapshots.get(file);
    if (!s) return new LineIndex('');
    return (s.lines ??= new LineIndex(s.text));
  }

  /** The editor's document version of the text a file was analysed on; undefined for a file read from disk. */
  versionOf(file: string): number | undefined {
    return this.snapshots.get(file)?.version;
  }

  /**
   * What the editor features (hover, code actions, navigation) read. It is a view of the live state, valid until the
   * next change; handlers call `settled()` first so that it matches the text the editor shows.
   */
  featureContext(): FeatureContext {
    // The options the analysis used: the provider options found in the repository fill in those the user did not set.
    const layer = this.analyzer.layer;
    const { options, origin } = withRepositoryOptions(this.analyzer.options, layer instanceof RepositoryLayer ? layer.providerOptions() : undefined);
    return {
      index: this.index,
      options,
      optionOrigin: origin,
      textOf: (file) => this.snapshots.get(file)?.text,
      findingsOf: (file) => this.findings.get(file) ?? [],
    };
  }

  /**
   * Resolves once every change received so far is in the index and analysed. Edits normally wait a little to be
   * coalesced; a request (a hover, a code action) cannot wait for that, so it flushes them at once.
   */
  settled(): Promise<void> {
    if (this.dirtyFiles.size > 0 || this.dirtyPaths.size > 0) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.flushDue = Infinity;
      this.enqueue('update', () => this.flush());
    }
    return this.queue;
  }

  // ---- Events

  /** Reads the settings and scans every workspace folder; the first task of the server. */
  start(loadSettings: () => Promise<ServerSettings>): void {
    this.enqueue('initial scan', async () => {
      this.useSettings(await loadSettings());
      await this.resync();
    });
  }

  /** Settings changed: re-read the workspace when the set of files changed, else re-analyse it. */
  reconfigure(loadSettings: () => Promise<ServerSettings>): void {
    this.enqueue('settings change', async () => {
      const before = this.settings;
      const after = await loadSettings();
      if (sameSettings(before, after)) return;
      this.useSettings(after);
      if (changesFileSet(before.settings, after.settings)) await this.resync();
      else await this.reanalyzeAll();
    });
  }

  changeFolders(added: readonly string[], removed: readonly string[]): void {
    this.enqueue('workspace folder change', async () => {
      this.host.workspace.removeFolders(removed);
      this.host.workspace.addFolders(added);
      await this.resync();
    });
  }

  /** An open document changed: analysed after a short delay, so that a burst of keystrokes is analysed once. */
  edited(file: string): void {
    this.dirtyFiles.add(file);
    this.scheduleFlush(editDelayMs);
  }

  /** A document was opened or closed: analysed at once. */
  touched(file: string): void {
    this.dirtyFiles.add(file);
    this.scheduleFlush(0);
  }

  /** A file or folder was created, changed, deleted or renamed on disk. */
  pathChanged(path: string): void {
    this.dirtyPaths.add(path);
    this.scheduleFlush(0);
  }

  /** Stops long-running work at the next slice; called on shutdown. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.flushTimer);
  }

  // ---- Work

  private enqueue(what: string, task: () => Promise<void> | void): void {
    this.queue = this.queue.then(task).catch((e: unknown) => this.host.log.error(`Route Doctor failed during ${what}`, e));
  }

  private scheduleFlush(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.flushTimer !== undefined && this.flushDue <= due) return;
    clearTimeout(this.flushTimer);
    this.flushDue = due;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushDue = Infinity;
      this.enqueue('update', () => this.flush());
    }, delayMs);
  }

  private useSettings(loaded: ServerSettings): void {
    this.settings = loaded;
    this.host.workspace.configure(loaded.settings.exclude, loaded.settings.maxFileSize);
    this.analyzer.options = toAnalysisOptions(loaded.settings, loaded.explicitTraefik);
  }

  /** Re-reads every dirty file, then re-publishes each of them and every file whose findings they can change. */
  private flush(): void {
    if (this.stopped) return;
    for (const path of this.dirtyPaths) this.expandPath(path);
    this.dirtyPaths.clear();
    if (this.dirtyFiles.size === 0) return;
    const files = [...this.dirtyFiles];
    this.dirtyFiles.clear();
    const toPublish = new Set<string>();
    for (const file of files) {
      this.host.log.guard(`Route Doctor could not update ${file}`, () => {
        const before = this.index.getFile(file);
        const source = this.host.workspace.read(file);
        for (const d of this.analyzer.dependents(file, before, source?.parsed)) toPublish.add(d);
        if (source) {
          this.store(file, source);
          toPublish.add(file);
        } else {
          this.drop(file);
        }
      });
    }
    for (const file of toPublish) this.publishFile(file);
    this.sendStatus(false);
  }

  /** A path from a file-system event → the files to re-read: the indexed files under it, and what is on disk now. */
  private expandPath(path: string): void {
    for (const file of this.index.files()) if (Workspace.contains(path, file)) this.dirtyFiles.add(file);
    for (const file of this.host.workspace.walk(path)) this.dirtyFiles.add(file);
  }

  /**
   * Brings the index in line with the workspace: reads every file of every folder (and every open editor), drops
   * the files that are no longer part of it, and re-analyses everything. Used at start and when folders, excludes
   * or the size limit change. It yields between slices, and shows progress when it takes longer than a second.
   */
  private async resync(): Promise<void> {
    const started = performance.now();
    this.sendStatus(true);
    const progress = this.host.createProgress('Route Doctor: indexing');
    const slicer = new TimeSlicer();
    const files = new Set<string>();
    for (const file of this.host.workspace.yamlFiles()) {
      files.add(file);
      if (this.stopped) return;
      progress.report(`found ${files.size} YAML files`);
      await slicer.pause();
    }
    for (const file of this.host.workspace.openFiles()) files.add(file);
    for (const file of this.index.files()) files.add(file);
    let done = 0;
    for (const file of files) {
      this.host.log.guard(`Route Doctor could not read ${file}`, () => {
        const source = this.host.workspace.read(file);
        if (source) this.store(file, source);
        else this.drop(file);
      });
      if (this.stopped) return;
      progress.report(`reading ${++done}/${files.size} files`, Math.floor((50 * done) / files.size));
      await slicer.pause();
    }
    await this.publishAll(progress, 50);
    this.host.log.info(`Route Doctor indexed ${this.index.fileCount} files (${this.index.resourceCount} resources) in ${Math.round(performance.now() - started)} ms.`);
  }

  /** Re-analyses every indexed file, for settings that change findings but not files. */
  private async reanalyzeAll(): Promise<void> {
    this.sendStatus(true);
    await this.publishAll(this.host.createProgress('Route Doctor: analysing'), 0);
  }

  private async publishAll(progress: DelayedProgress, startPercent: number): Promise<void> {
    const slicer = new TimeSlicer();
    const files = [...this.index.files()];
    let done = 0;
    for (const file of files) {
      this.publishFile(file);
      if (this.stopped) return;
      progress.report(`analysing ${++done}/${files.length} files`, startPercent + Math.floor(((100 - startPercent) * done) / files.length));
      await slicer.pause();
    }
    progress.done();
    this.sendStatus(false);
  }

  private store(file: string, source: Source): void {
    this.index.setFile(source.parsed);
    // Positions are only ever computed in files that can carry a diagnostic or be pointed at by one; the text of
    // the others (in real repositories mostly CRD schemas and unrelated manifests) need not stay in memory.
    const needsText = source.parsed.resources.length > 0 || source.parsed.problems.length > 0;
    this.snapshots.set(file, { text: needsText ? source.text : '', version: source.version });
  }

  private drop(file: string): void {
    this.index.removeFile(file);
    this.snapshots.delete(file);
    this.findings.delete(file);
    this.analyzer.forget(file);
    this.publisher.clear(file);
  }

  private publishFile(file: string): void {
    if (!this.index.getFile(file)) return;
    this.host.log.guard(`Route Doctor could not analyse ${file}`, () => {
      const findings = this.analyzer.analyzeFile(file);
      this.findings.set(file, findings);
      this.publisher.publish(file, findings, this.snapshots.get(file)?.version);
    });
  }

  private sendStatus(indexing: boolean): void {
    const { errors, warnings } = this.publisher.totals();
    this.host.sendStatus({ files: this.index.fileCount, resources: this.index.resourceCount, errors, warnings, indexing });
  }
}

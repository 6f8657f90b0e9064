/**
 * The server's state and the order in which it changes. It keeps the workspace index and the analyzer alive,
 * re-reads files that editor or file-system events marked dirty, and re-publishes each changed file together with
 * the files that depend on it.
 *
 * Every change to the index runs as one task of a serial queue, so a workspace scan (which yields to the event loop
 * while it runs) and incremental updates never interleave. Event handlers only mark files dirty; the task that
 * flushes them reads each file's current state (open editor, disk, or gone), which makes the result independent of
 * the order and number of events received for a file.
 *
 * When the user enables it in a trusted workspace, the Helm charts of the workspace are rendered with `helm template`
 * (host/helm.ts) outside the queue, so that a slow helm never delays an edit; each output joins the index as a
 * pseudo-file in a task of the queue, like a changed file, and re-publishes the files it changes. A chart is rendered
 * again, after a pause, when a file in its folder, one of its values files or its installer changes.
 */
import { basename } from 'node:path';
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { Analyzer } from '../core/analyze';
import { withRepositoryOptions, type FeatureContext } from '../core/features/context';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { LineIndex } from '../core/lineIndex';
import type { Finding } from '../core/model';
import type { ParsedFile } from '../core/parse/parseFile';
import { allChecks } from '../core/rules';
import { isRenderedChartFile, planChartRenders, type ChartRender } from '../core/sources/chartRender';
import { RepositoryLayer } from '../core/sources/repositoryLayer';
import { HelmRenderer } from '../host/helm';
import { defaultSettings, type WorkspaceStatus } from '../protocol';
import { DiagnosticsPublisher, type FileView } from './diagnostics';
import type { Logger } from './log';
import { DelayedProgress, TimeSlicer } from './progress';
import { changesAnalysis, changesFileSet, helmRendering, sameSettings, toAnalysisOptions, type ServerSettings } from './settings';
import { Workspace, type Source } from './workspace';

/** How long edits to open documents are coalesced before they are analysed. */
const editDelayMs = 100;
/** How long changes to charts are coalesced before they are rendered again: helm takes far longer than an edit. */
const renderDelayMs = 500;

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
  private settings: ServerSettings = { settings: defaultSettings, explicitTraefik: [], trusted: false };
  /** Files to re-read (editor events). */
  private readonly dirtyFiles = new Set<string>();
  /** Paths to re-read that may be folders (file-system events: a folder deleted or renamed). */
  private readonly dirtyPaths = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushDue = Infinity;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly helm: HelmRenderer;
  /** The chart renders of the current plan, by pseudo-file, with the form of the render they were made from. */
  private renders = new Map<string, { render: ChartRender; signature: string }>();
  /** Paths changed since the last plan that may change what a chart renders. */
  private readonly chartChanges = new Set<string>();
  /** Render every chart at the next plan (after a scan, or when the helm settings or the trust changed). */
  private renderAll = false;
  private renderTimer: NodeJS.Timeout | undefined;
  private rendering = false;
  private renderAgain = false;
  private readonly renderAbort = new AbortController();

  constructor(private readonly host: ServiceHost) {
    this.publisher = new DiagnosticsPublisher((params) => host.publish(params), this);
    this.helm = new HelmRenderer((level, message) => (level === 'warn' ? host.log.warn(message) : host.log.info(message)));
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
      else if (changesAnalysis(before, after)) await this.reanalyzeAll();
      if (JSON.stringify(helmRendering(before)) !== JSON.stringify(helmRendering(after))) {
        this.renderAll = true;
        this.scheduleRender(0);
      }
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
    // A chart's files that are not YAML (its _helpers.tpl, a dependency's .tgz) change its output too.
    if ([...this.renders.values()].some(({ render }) => rendersFrom(render, path))) {
      this.chartChanges.add(path);
      this.scheduleRender(renderDelayMs);
    }
  }

  /** Stops long-running work at the next slice, and helm where it runs; called on shutdown. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    clearTimeout(this.renderTimer);
    this.renderAbort.abort();
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
    const blocked = (s: ServerSettings) => s.settings.helm.render && !s.trusted;
    if (blocked(loaded) && !blocked(this.settings)) {
      this.host.log.info('Route Doctor runs helm template (routeDoctor.helm.render) only in trusted workspaces; this workspace is not trusted, so its Helm charts stay unverified.');
    }
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
        if (this.changesRenders(file, before, source?.parsed)) this.chartChanges.add(file);
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
    if (this.chartChanges.size > 0) this.scheduleRender(renderDelayMs);
  }

  /** A path from a file-system event → the files to re-read: the indexed files under it, and what is on disk now. */
  private expandPath(path: string): void {
    for (const file of this.index.files()) if (Workspace.contains(path, file) && !isRenderedChartFile(file)) this.dirtyFiles.add(file);
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
    for (const file of this.index.files()) if (!isRenderedChartFile(file)) files.add(file);
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
    const { files: fileCount, resources } = this.workspaceCounts();
    this.host.log.info(`Route Doctor indexed ${fileCount} files (${resources} resources) in ${Math.round(performance.now() - started)} ms.`);
    this.renderAll = true;
    this.scheduleRender(0);
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
    if (!this.index.getFile(file) || isRenderedChartFile(file)) return;
    this.host.log.guard(`Route Doctor could not analyse ${file}`, () => {
      const findings = this.analyzer.analyzeFile(file);
      this.findings.set(file, findings);
      this.publisher.publish(file, findings, this.snapshots.get(file)?.version);
    });
  }

  private sendStatus(indexing: boolean): void {
    const { errors, warnings } = this.publisher.totals();
    this.host.sendStatus({ ...this.workspaceCounts(), errors, warnings, indexing });
  }

  /** The files and resources of the workspace itself, without the rendered charts the index also holds. */
  private workspaceCounts(): { files: number; resources: number } {
    let files = this.index.fileCount;
    let resources = this.index.resourceCount;
    for (const file of this.renders.keys()) {
      const rendered = this.index.getFile(file);
      if (!rendered) continue;
      files--;
      resources -= rendered.resources.length;
    }
    return { files, resources };
  }

  // ---- Helm charts

  /** Whether a file's change may change what some chart renders: a chart's file, a values file, an installer. */
  private changesRenders(file: string, before: ParsedFile | undefined, after: ParsedFile | undefined): boolean {
    if (!helmRendering(this.settings)) return false;
    if (basename(file) === 'Chart.yaml' || [...this.renders.values()].some(({ render }) => rendersFrom(render, file))) return true;
    const installs = (p: ParsedFile | undefined) => (p?.resources ?? []).some((r) => r.kind === 'HelmRelease' || r.kind === 'Application');
    return installs(before) || installs(after);
  }

  /** Plans and renders the charts after `delayMs`, once for every change that comes in meanwhile. */
  private scheduleRender(delayMs: number): void {
    if (this.stopped || (!helmRendering(this.settings) && this.renders.size === 0)) return;
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      void this.renderCharts();
    }, delayMs);
  }

  /**
   * Plans the renders in the queue, runs helm outside it for those whose chart, values or installer changed, and
   * applies the results in the queue. Changes that come in while helm runs make it start over once it is done.
   */
  private async renderCharts(): Promise<void> {
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    this.rendering = true;
    try {
      do {
        this.renderAgain = false;
        const due = await this.inQueue('Helm chart planning', () => this.planRenders());
        const helm = helmRendering(this.settings);
        if (!helm || !due || due.length === 0) continue;
        const results = await this.helm.renderAll(due, { path: helm.path, pathHint: 'set routeDoctor.helm.path', signal: this.renderAbort.signal });
        await this.inQueue('Helm chart update', () => this.applyRenders(results));
      } while (this.renderAgain && !this.stopped);
    } finally {
      this.rendering = false;
    }
  }

  /** Runs `task` as a task of the queue and resolves with its value (undefined when it failed, which is logged). */
  private async inQueue<T>(what: string, task: () => T): Promise<T | undefined> {
    let value: T | undefined;
    this.enqueue(what, () => {
      value = task();
    });
    await this.queue;
    return value;
  }

  /**
   * The renders the workspace calls for now, compared with the last plan: renders that are gone leave the index at
   * once, and the new ones, the changed ones and those whose files changed are returned to be rendered.
   */
  private planRenders(): ChartRender[] {
    const plan = helmRendering(this.settings) ? planChartRenders(this.workspaceFiles()) : [];
    const next = new Map(plan.map((render) => [render.file, { render, signature: JSON.stringify(render) }]));
    const due = plan.filter((render) => {
      const last = this.renders.get(render.file);
      return this.renderAll || last?.signature !== next.get(render.file)!.signature || [...this.chartChanges].some((path) => rendersFrom(render, path));
    });
    const gone = [...this.renders.keys()].filter((file) => !next.has(file));
    this.renders = next;
    this.renderAll = false;
    this.chartChanges.clear();
    if (gone.length > 0) {
      this.updateRendered(gone.map((file) => [file, undefined]));
      this.sendStatus(false);
    }
    return due;
  }

  private *workspaceFiles(): Generator<ParsedFile> {
    for (const file of this.index.files()) if (!isRenderedChartFile(file)) yield this.index.getFile(file)!;
  }

  /**
   * Puts rendered charts into the index; a render that failed removes its chart's last output (it stays unverified).
   * A render the plan no longer holds in that form (its installer changed while helm ran) is dropped: the next run
   * renders it as planned now.
   * The status follows every batch, so that the client sees when rendering settled, even when nothing changed.
   */
  private applyRenders(results: ReadonlyMap<ChartRender, ParsedFile | undefined>): void {
    const current = [...results].filter(([render]) => this.renders.get(render.file)?.signature === JSON.stringify(render));
    this.updateRendered(current.map(([render, parsed]) => [render.file, parsed]));
    this.sendStatus(false);
  }

  /** Replaces rendered pseudo-files in the index, and re-publishes every file whose findings they change. */
  private updateRendered(changes: readonly (readonly [string, ParsedFile | undefined])[]): void {
    const toPublish = new Set<string>();
    for (const [file, after] of changes) {
      const before = this.index.getFile(file);
      if (!before && !after) continue;
      for (const d of this.analyzer.dependents(file, before, after)) toPublish.add(d);
      if (after) {
        this.index.setFile(after);
      } else {
        this.index.removeFile(file);
        this.analyzer.forget(file);
      }
    }
    for (const file of toPublish) this.publishFile(file);
  }
}

/** Whether a changed path (a file, or a folder deleted or renamed) may change what `render` renders. */
function rendersFrom(render: ChartRender, path: string): boolean {
  return Workspace.contains(render.chartDir, path) || Workspace.contains(path, render.chartDir) || render.valuesFiles.includes(path);
}

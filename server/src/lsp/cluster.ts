/**
 * The live cluster in the editor: the `routeDoctor/diagnoseCluster` and `routeDoctor/listContexts` requests, and the
 * live findings published as diagnostics beside the static ones.
 *
 * A URI has one list of diagnostics per server, so the live findings cannot be published on their own: every static
 * publication passes through `LiveDiagnostics`, which appends the file's live findings. The two sets are kept apart
 * so that a new diagnosis replaces only the live ones, a static re-analysis keeps them, and a change to a file's text
 * drops them at once (their positions and their truth were computed on the old text).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { CancellationToken, Connection, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { parse as parseYaml } from 'yaml';
import { loadSnapshotModule } from '../cluster/load';
import { diagnoseLive, namespacesOfInterest, type Hop, type LiveIndex, type LiveReport } from '../core/live/diagnose';
import { get } from '../core/parse/ynode';
import {
  diagnoseClusterRequest, listContextsRequest, objectLinkKey, routeLinkKey, untrustedClusterMessage,
  type DiagnoseClusterParams, type DiagnoseClusterResult, type DiagnoseClusterSummary, type KubeContext,
  type ListContextsParams, type ListContextsResult, type WorkspaceLink,
} from '../protocol';
import { toDiagnostic, type FileView } from './diagnostics';
import type { Logger } from './log';
import type { RouteDoctorService } from './service';
import { uriToPath, Workspace } from './workspace';

/**
 * A change seen while a diagnosis compares: an open document's new text, or a file or folder changed on disk
 * (`text` undefined).
 */
interface Change {
  path: string;
  text?: string;
}

/** The changes seen since it was created; `dispose` stops recording. */
export interface ChangeRecorder {
  /** Whether `file` changed away from `text`, the text its findings were just computed on. */
  changed(file: string, text: string | undefined): boolean;
  dispose(): void;
}

interface LiveFile {
  diagnostics: Diagnostic[];
  /** The text the findings were computed on: they hold, and their positions are right, only for this text. */
  text: string | undefined;
}

export class LiveDiagnostics {
  /** The last static publication per file, to re-send with new live findings. */
  private readonly statics = new Map<string, PublishDiagnosticsParams>();
  private live = new Map<string, LiveFile>();
  private readonly recorders = new Set<Change[]>();

  constructor(
    private readonly send: (params: PublishDiagnosticsParams) => void,
    private readonly files: { uriOf(file: string): string; isOpen(file: string): boolean },
  ) {}

  /** Publishes a file's static diagnostics, with its live ones after them. */
  publishStatic(params: PublishDiagnosticsParams): void {
    const file = uriToPath(params.uri);
    if (file === undefined) {
      this.send(params);
      return;
    }
    if (params.diagnostics.length === 0) this.statics.delete(file);
    else this.statics.set(file, params);
    const live = this.live.get(file);
    this.send(live ? { ...params, diagnostics: [...params.diagnostics, ...live.diagnostics] } : params);
  }

  /** Replaces every live finding: files that had some and have none now are re-published with their static ones only. */
  replace(byFile: Map<string, LiveFile>): void {
    const before = this.live;
    this.live = byFile;
    for (const file of new Set([...before.keys(), ...byFile.keys()])) {
      if (JSON.stringify(before.get(file)?.diagnostics ?? []) !== JSON.stringify(byFile.get(file)?.diagnostics ?? [])) this.sendFile(file);
    }
  }

  /**
   * An open document was opened or edited: its live findings no longer apply unless its text is still the one they
   * were computed on (opening a file from the report must not hide them).
   */
  edited(file: string, text: string): void {
    this.changed({ path: file, text });
  }

  /** A file or folder changed on disk. Files open in an editor are not affected: the server analyses the editor's text. */
  changedOnDisk(path: string): void {
    this.changed({ path });
  }

  record(): ChangeRecorder {
    const changes: Change[] = [];
    this.recorders.add(changes);
    return {
      changed: (file, text) => changes.some((c) => this.invalidates(c, file, text)),
      dispose: () => this.recorders.delete(changes),
    };
  }

  private changed(change: Change): void {
    for (const recorded of this.recorders) recorded.push(change);
    for (const [file, live] of [...this.live]) {
      if (!this.invalidates(change, file, live.text)) continue;
      this.live.delete(file);
      this.sendFile(file);
    }
  }

  private invalidates(change: Change, file: string, text: string | undefined): boolean {
    if (change.text !== undefined) return change.path === file && change.text !== text;
    return Workspace.contains(change.path, file) && !this.files.isOpen(file);
  }

  private sendFile(file: string): void {
    const last = this.statics.get(file);
    const diagnostics = [...(last?.diagnostics ?? []), ...(this.live.get(file)?.diagnostics ?? [])];
    this.send(last ? { ...last, diagnostics } : { uri: this.files.uriOf(file), diagnostics });
  }
}

/** The per-request timeout the server accepts at most: a longer one would make a dead cluster look like a hang. */
const maxTimeoutMs = 300_000;

export interface ClusterHost {
  service: RouteDoctorService;
  live: LiveDiagnostics;
  log: Logger;
}

export function registerCluster(connection: Connection, host: ClusterHost): void {
  const { service, live, log } = host;
  /** The diagnosis running now: a newer request replaces it, since only the newest may publish. */
  let running: AbortController | undefined;

  connection.onRequest<ListContextsResult, void>(listContextsRequest, (params: ListContextsParams): ListContextsResult => {
    if (params?.trusted !== true) return { outcome: 'refused', message: untrustedClusterMessage };
    return kubeconfigContexts(process.env);
  });

  connection.onRequest<DiagnoseClusterResult, void>(diagnoseClusterRequest, async (params: DiagnoseClusterParams, token: CancellationToken): Promise<DiagnoseClusterResult> => {
    if (params?.trusted !== true) {
      log.info('Route Doctor refused to diagnose the live cluster: the workspace is not trusted.');
      return { outcome: 'refused', message: untrustedClusterMessage };
    }
    running?.abort();
    const controller = new AbortController();
    running = controller;
    const signal = controller.signal;
    const onCancel = token.onCancellationRequested(() => controller.abort());
    // A request cancelled before it was dispatched gets a token that is already cancelled and never fires.
    if (token.isCancellationRequested) controller.abort();
    const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
    let recorder: ChangeRecorder | undefined;
    const cancelled = (): DiagnoseClusterResult => {
      log.info('Route Doctor: the live diagnosis was cancelled; nothing was published.');
      return { outcome: 'cancelled', message: running === controller ? 'The live diagnosis was cancelled.' : 'A newer live diagnosis replaced this one.' };
    };
    try {
      const started = performance.now();
      progress.begin('Route Doctor: live cluster');
      // The namespaces come from the workspace's objects, so the initial scan must be complete.
      await untilAborted(service.settled(), signal);
      if (signal.aborted) return cancelled();
      const context = typeof params.context === 'string' && params.context.trim() !== '' ? params.context.trim() : undefined;
      const asked = Array.isArray(params.namespaces) ? params.namespaces.filter((n): n is string => typeof n === 'string' && n.trim() !== '').map((n) => n.trim()) : [];
      const namespaces = asked.length > 0 ? asked : namespacesOfInterest(service.featureContext().index);
      const timeoutMs = typeof params.timeoutMs === 'number' && Number.isFinite(params.timeoutMs) && params.timeoutMs > 0 ? Math.min(params.timeoutMs, maxTimeoutMs) : undefined;
      progress.report(`Reading ${context ? `context "${context}"` : 'the current context'}: ${namespaces.join(', ') || 'its namespace'} and Traefik's`);
      const snapshot = await loadSnapshotModule().takeSnapshot({ namespaces, signal, ...(context === undefined ? {} : { context }), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
      if (signal.aborted) return cancelled();

      // The comparison runs on the index as it is now, after the edits made during the read, and not on the index
      // the read started from: its spans must be those of the text the editor shows. Files changed between here and
      // the comparison get no live findings; they would point into text that is gone.
      progress.report('Comparing with the workspace');
      recorder = live.record();
      await untilAborted(service.settled(), signal);
      if (signal.aborted) return cancelled();
      const ctx = service.featureContext();
      const { findings, report } = diagnoseLive(ctx.index, snapshot, ctx.options);
      const byFile = new Map<string, LiveFile>();
      const codes: Record<string, number> = {};
      let errors = 0;
      let warnings = 0;
      for (const f of findings) {
        const text = ctx.textOf(f.file);
        if (recorder.changed(f.file, text)) continue;
        const entry = byFile.get(f.file) ?? { diagnostics: [], text };
        entry.diagnostics.push(toDiagnostic(f, service));
        byFile.set(f.file, entry);
        codes[f.code] = (codes[f.code] ?? 0) + 1;
        if (f.severity === 'error') errors++;
        else if (f.severity === 'warning') warnings++;
      }
      live.replace(byFile);

      const summary: DiagnoseClusterSummary = { ...report.summary, errors, warnings, files: byFile.size, codes };
      log.info(`Route Doctor diagnosed context "${report.context}" (${report.server}) in ${Math.round(performance.now() - started)} ms: ${summary.routes} routes, ${summary.ok} ok, ${summary.broken} broken, ${summary.unknown} unknown; ${errors} errors and ${warnings} warnings in ${byFile.size} files.`);
      for (const p of report.problems) log.warn(`Route Doctor: cluster: [${p.code}] ${p.message}`);
      return { outcome: 'done', report, summary, problems: report.problems, links: reportLinks(report, ctx.index, service) };
    } finally {
      recorder?.dispose();
      onCancel.dispose();
      progress.done();
      if (running === controller) running = undefined;
    }
  });
}

/** Resolves when `work` does or when `signal` aborts, whichever comes first: cancellation must not wait for a scan. */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const hopKinds: Partial<Record<Hop['kind'], string[]>> = {
  Middleware: ['Middleware', 'MiddlewareTCP'],
  Service: ['Service'],
  TraefikService: ['TraefikService'],
};

/** Where the report's rows and the workspace objects its hops name are, as positions for the view to open. */
function reportLinks(report: LiveReport, index: LiveIndex, files: FileView): Record<string, WorkspaceLink> {
  const links: Record<string, WorkspaceLink> = {};
  const at = (file: string, offset: number): WorkspaceLink => ({ uri: files.uriOf(file), ...files.linesOf(file).position(offset) });
  const object = (hop: Hop, kinds: readonly string[]) => {
    const slash = hop.name.indexOf('/');
    // Names without a namespace are name@provider references and slice or Pod lists: not workspace objects.
    if (slash < 0) return;
    const key = objectLinkKey(hop.kind, hop.name);
    if (links[key]) return;
    const r = kinds.flatMap((k) => index.find(k, hop.name.slice(0, slash), hop.name.slice(slash + 1)))[0];
    if (r) links[key] = at(r.file, (get(r.root, 'metadata', 'name') ?? r.root).span.start);
  };
  report.routes.forEach((row, i) => {
    links[routeLinkKey(i)] = at(row.file, row.span.start);
    object(row.ingressRoute, [row.kind]);
    for (const hop of [...row.middlewares, ...row.backends.flatMap((b) => b.hops)]) {
      const kinds = hopKinds[hop.kind];
      if (kinds) object(hop, kinds);
    }
  });
  return links;
}

/**
 * The contexts of the kubeconfig the diagnosis uses, with kubectl's loading rules (the files of KUBECONFIG, else
 * ~/.kube/config; missing files skipped; the first file that names a context or a current-context wins). Only names
 * are taken: users, tokens and certificates are neither returned nor put in a message, and a YAML error is reported
 * by its line only, since the parser's excerpt of the file could hold a token.
 */
export function kubeconfigContexts(env: Record<string, string | undefined>, home = env.HOME ?? homedir()): ListContextsResult {
  const listed = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter((f) => f.length > 0) : [];
  const searched = listed.length > 0 ? listed : [join(home, '.kube', 'config')];
  const files = searched.filter((f) => existsSync(f));
  if (files.length === 0) {
    return { outcome: 'failed', message: `No kubeconfig found (looked for ${searched.join(', ')}). Set KUBECONFIG or create ~/.kube/config; minikube, kind and k3d write it for you.` };
  }
  const contexts: KubeContext[] = [];
  let current: string | undefined;
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      return { outcome: 'failed', message: `The kubeconfig ${file} cannot be read${line === undefined ? '' : ` (YAML error on line ${line})`}.` };
    }
    const config = record(doc);
    for (const entry of Array.isArray(config.contexts) ? config.contexts : []) {
      const e = record(entry);
      const details = record(e.context);
      if (typeof e.name !== 'string' || contexts.some((c) => c.name === e.name)) continue;
      const context: KubeContext = { name: e.name, cluster: typeof details.cluster === 'string' ? details.cluster : '' };
      if (typeof details.namespace === 'string' && details.namespace !== '') context.namespace = details.namespace;
      contexts.push(context);
    }
    const named = config['current-context'];
    if (current === undefined && typeof named === 'string' && named !== '') current = named;
  }
  return current === undefined ? { outcome: 'done', contexts } : { outcome: 'done', contexts, current };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

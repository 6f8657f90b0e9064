/**
 * The live cluster in the editor: the commands "Diagnose live cluster", "Select Kubernetes context" and "Show live
 * cluster report", a status bar item with the context and time of the last diagnosis, the optional re-run on save
 * (`routeDoctor.cluster.autoRefresh`), and the single notification a run may end with.
 *
 * A cluster is only ever contacted from a trusted workspace: a workspace's settings choose the context and the
 * namespaces, and an untrusted one must not be able to make the editor talk to the user's clusters. The server checks
 * the trust it is told about too, and it takes the kubeconfig only from its environment, never from a setting.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
  clusterSettingsSection, commands, defaultClusterSettings, diagnoseClusterRequest, listContextsRequest, untrustedClusterMessage,
  type ClusterSettings, type DiagnoseClusterParams, type DiagnoseClusterReport, type DiagnoseClusterResult, type ListContextsResult,
} from '../../server/src/protocol';
import { noticeFor, type Notice, type NoticeAction } from './clusterNotice';
import { ClusterReportPanel } from './report';

/** A run the user asked for, or a re-run on save (which stays quiet unless something new goes wrong). */
type Mode = 'manual' | 'auto';

/** Set once a report exists, so that "Show live cluster report" appears in the command palette only then. */
const hasReportContextKey = 'routeDoctor.hasClusterReport';

/** The settings as the user wrote them, each checked: a hand-edited settings.json can hold any JSON. */
function readSettings(): ClusterSettings {
  const d = defaultClusterSettings;
  const c = vscode.workspace.getConfiguration(clusterSettingsSection);
  const context = c.get<unknown>('context');
  const namespaces = c.get<unknown>('namespaces');
  const timeout = c.get<unknown>('timeoutSeconds');
  const autoRefresh = c.get<unknown>('autoRefresh');
  return {
    context: typeof context === 'string' ? context.trim() : d.context,
    namespaces: Array.isArray(namespaces) ? namespaces.filter((n): n is string => typeof n === 'string' && n.trim() !== '') : d.namespaces,
    timeoutSeconds: typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? timeout : d.timeoutSeconds,
    autoRefresh: typeof autoRefresh === 'boolean' ? autoRefresh : d.autoRefresh,
  };
}

export function registerCluster(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): void {
  const cluster = new ClusterController(client, output);
  context.subscriptions.push(
    cluster,
    vscode.commands.registerCommand(commands.diagnoseCluster, () => cluster.diagnose('manual')),
    vscode.commands.registerCommand(commands.selectContext, () => cluster.selectContext()),
    vscode.commands.registerCommand(commands.showClusterReport, () => cluster.showReport()),
    vscode.workspace.onDidSaveTextDocument((doc) => cluster.saved(doc)),
  );
}

class ClusterController implements vscode.Disposable {
  private readonly report = new ClusterReportPanel();
  private readonly status = vscode.window.createStatusBarItem('routeDoctor.cluster', vscode.StatusBarAlignment.Left);
  private last: DiagnoseClusterReport | undefined;
  private running: { cts: vscode.CancellationTokenSource; label: string } | undefined;
  /** A save came in during a run: one more run follows it, so that the saved text is what gets diagnosed. */
  private rerunAfter = false;
  /** Whether a diagnosis was asked for in this window; saves re-run it only then. */
  private used = false;
  /** The last notification shown: re-runs on save do not repeat it at every save. */
  private lastNotice: string | undefined;

  constructor(private readonly client: LanguageClient, private readonly output: vscode.LogOutputChannel) {
    this.status.name = 'Route Doctor: live cluster';
    this.status.command = commands.showClusterReport;
  }

  dispose(): void {
    this.running?.cts.cancel();
    this.report.dispose();
    this.status.dispose();
  }

  async diagnose(mode: Mode): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      if (mode === 'manual') this.showUntrusted();
      return;
    }
    if (this.running) {
      if (mode === 'auto') {
        this.rerunAfter = true;
        return;
      }
      // The user asked again: the newer run replaces the older one, whose result would be out of date.
      this.running.cts.cancel();
    }
    this.used = true;
    const settings = readSettings();
    const label = settings.context || 'current context';
    const cts = new vscode.CancellationTokenSource();
    this.running = { cts, label };
    this.renderStatus();
    this.output.info(`Diagnosing the live cluster: ${settings.context ? `context "${settings.context}"` : 'the kubeconfig\'s current context'}, ${settings.namespaces.length > 0 ? `namespaces ${settings.namespaces.join(', ')}` : 'the workspace\'s namespaces'}, ${settings.timeoutSeconds} s per request.`);
    let result: DiagnoseClusterResult | undefined;
    try {
      result = await vscode.window.withProgress(
        { location: mode === 'manual' ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window, title: 'Route Doctor: diagnosing the live cluster', cancellable: mode === 'manual' },
        (progress, token) => this.request(settings, cts, token, (message) => progress.report({ message })),
      );
    } catch (e) {
      if (!cts.token.isCancellationRequested) {
        const message = e instanceof Error ? e.message : String(e);
        this.output.error(`The live diagnosis failed: ${message}`);
        this.notify({ severity: 'error', message: `Route Doctor could not diagnose the live cluster: ${message}`, actions: ['Show output'] }, mode);
      } else {
        this.output.info('The live diagnosis was cancelled.');
      }
    } finally {
      if (this.running?.cts === cts) this.running = undefined;
      cts.dispose();
    }
    if (result) this.finish(result, mode);
    this.renderStatus();
    if (this.rerunAfter && !this.running) {
      this.rerunAfter = false;
      void this.diagnose('auto');
    }
  }

  /** Sends the request with the progress notification's cancellation and the server's progress messages wired in. */
  private async request(settings: ClusterSettings, cts: vscode.CancellationTokenSource, token: vscode.CancellationToken, report: (message: string) => void): Promise<DiagnoseClusterResult> {
    const workDoneToken = randomUUID();
    const subscriptions = [
      token.onCancellationRequested(() => cts.cancel()),
      this.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
        if (value.kind !== 'end' && value.message) report(value.message);
      }),
    ];
    const params: DiagnoseClusterParams = { trusted: true, workDoneToken, timeoutMs: Math.round(settings.timeoutSeconds * 1000) };
    if (settings.context) params.context = settings.context;
    if (settings.namespaces.length > 0) params.namespaces = settings.namespaces;
    try {
      return await this.client.sendRequest<DiagnoseClusterResult>(diagnoseClusterRequest, params, cts.token);
    } finally {
      for (const s of subscriptions) s.dispose();
    }
  }

  private finish(result: DiagnoseClusterResult, mode: Mode): void {
    if (result.outcome !== 'done') {
      if (result.outcome === 'cancelled') {
        this.output.info(result.message);
      } else {
        this.output.warn(result.message);
        this.notify({ severity: 'warning', message: result.message, actions: [] }, mode);
      }
      return;
    }
    this.last = result;
    // A cluster that could not be read at all gives a report of grey boxes; the notification says why instead.
    this.report.update(result, mode === 'manual' && !result.problems.some((p) => p.fatal));
    void vscode.commands.executeCommand('setContext', hasReportContextKey, true);
    this.notify(noticeFor(result), mode);
  }

  /** Shows at most one notification per run; a re-run on save shows it only when it differs from the last one. */
  private notify(notice: Notice | undefined, mode: Mode): void {
    if (!notice) {
      this.lastNotice = undefined;
      return;
    }
    if (mode === 'auto' && notice.message === this.lastNotice) return;
    this.lastNotice = notice.message;
    const show = notice.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(notice.message, ...notice.actions).then((choice) => this.act(choice));
  }

  private async act(choice: NoticeAction | undefined): Promise<void> {
    if (choice === 'Show output') this.output.show(true);
    else if (choice === 'Open report') this.report.show();
    else if (choice === 'Select context' && (await this.selectContext()) !== undefined) await this.diagnose('manual');
  }

  private showUntrusted(): void {
    void vscode.window.showWarningMessage(untrustedClusterMessage, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }

  /** A quick pick of the kubeconfig's contexts; the choice is saved in `routeDoctor.cluster.context` and returned. */
  async selectContext(): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted) {
      this.showUntrusted();
      return undefined;
    }
    let result: ListContextsResult;
    try {
      result = await this.client.sendRequest<ListContextsResult>(listContextsRequest, { trusted: true });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.output.error(`Listing the kubeconfig's contexts failed: ${message}`);
      this.notify({ severity: 'error', message: `Route Doctor could not list the kubeconfig's contexts: ${message}`, actions: ['Show output'] }, 'manual');
      return undefined;
    }
    if (result.outcome !== 'done') {
      this.output.warn(result.message);
      this.notify({ severity: result.outcome === 'failed' ? 'error' : 'warning', message: result.message, actions: [] }, 'manual');
      return undefined;
    }
    const configured = readSettings().context;
    const current = result.current;
    type Item = vscode.QuickPickItem & { value: string };
    const items: Item[] = [
      { label: 'Current context', description: current ? `follows current-context (now ${current})` : 'the kubeconfig sets none', value: '' },
      ...result.contexts.map((c): Item => ({
        label: c.name,
        description: [c.name === current ? 'current-context' : '', c.name === configured ? 'selected' : ''].filter((s) => s !== '').join(' · '),
        detail: `cluster ${c.cluster || '(none)'}${c.namespace ? `, namespace ${c.namespace}` : ''}`,
        value: c.name,
      })),
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Select Kubernetes context',
      placeHolder: `The context Route Doctor diagnoses (now ${configured ? `"${configured}"` : 'the current context'})`,
      matchOnDetail: true,
    });
    if (!pick) return undefined;
    // Saved with the workspace when there is one: which cluster a project's manifests run on is part of the project.
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(clusterSettingsSection).update('context', pick.value, target);
    this.output.info(`Route Doctor will diagnose ${pick.value ? `context "${pick.value}"` : 'the kubeconfig\'s current context'}.`);
    return pick.value;
  }

  showReport(): void {
    if (!this.report.show()) this.output.show(true);
  }

  /** Re-runs the diagnosis when a workspace YAML file is saved, if the setting asks for it and a run happened before. */
  saved(doc: vscode.TextDocument): void {
    if (!this.used || doc.uri.scheme !== 'file' || !vscode.workspace.getWorkspaceFolder(doc.uri)) return;
    if (doc.languageId !== 'yaml' && !/\.ya?ml$/i.test(doc.uri.fsPath)) return;
    if (readSettings().autoRefresh) void this.diagnose('auto');
  }

  private renderStatus(): void {
    if (!this.used) return;
    if (this.running) {
      this.status.text = `$(sync~spin) ${this.running.label}`;
      this.status.tooltip = `Route Doctor: diagnosing the live cluster (${this.running.label}).`;
    } else if (this.last) {
      const r = this.last.report;
      const s = this.last.summary;
      const taken = new Date(r.takenAt);
      const fatal = this.last.problems.find((p) => p.fatal);
      const time = taken.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
      this.status.text = `${fatal ? '$(warning)' : '$(cloud)'} ${r.context || 'cluster'} ${time}`;
      this.status.tooltip = fatal
        ? `Route Doctor: the cluster${r.context ? ` "${r.context}"` : ''} could not be read at ${taken.toLocaleString()}: ${fatal.message} Click to open the report.`
        : `Route Doctor: live cluster "${r.context}" (${r.server}) diagnosed at ${taken.toLocaleString()}: ${s.routes} routes, ${s.ok} ok, ${s.broken} broken, ${s.unknown} unknown. Click to open the report.`;
    } else {
      this.status.text = '$(cloud) Route Doctor';
      this.status.tooltip = 'Route Doctor: no live diagnosis yet. Click to show the output.';
    }
    this.status.show();
  }
}

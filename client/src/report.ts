/**
 * The "Route Doctor: Live cluster" webview panel: shows the last diagnosis (rendered by reportHtml.ts) and opens the
 * workspace objects the user clicks. The page can only name a link key; the extension opens only the places of its
 * own last result, so a page cannot make the editor open anything else.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { DiagnoseClusterReport } from '../../server/src/protocol';
import { renderReportHtml, reportTitle } from './reportHtml';

export class ClusterReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private result: DiagnoseClusterReport | undefined;

  get hasReport(): boolean {
    return this.result !== undefined;
  }

  /** Keeps `result` as the report; shows the panel when `reveal`, else only updates it when it is open. */
  update(result: DiagnoseClusterReport, reveal: boolean): void {
    this.result = result;
    if (this.panel) {
      this.render();
      if (reveal) this.panel.reveal(undefined, true);
    } else if (reveal) {
      this.show();
    }
  }

  /** Opens (or brings forward) the panel with the last report; false when there is none yet. */
  show(): boolean {
    if (!this.result) return false;
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return true;
    }
    this.panel = vscode.window.createWebviewPanel('routeDoctor.clusterReport', reportTitle, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [],
    });
    this.panel.onDidDispose(() => (this.panel = undefined));
    this.panel.webview.onDidReceiveMessage((message: unknown) => void this.open(message));
    this.render();
    return true;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private render(): void {
    if (!this.panel || !this.result) return;
    this.panel.webview.html = renderReportHtml({
      result: this.result,
      nonce: randomBytes(16).toString('base64'),
      formatTime: (iso) => new Date(iso).toLocaleString(),
    });
  }

  private async open(message: unknown): Promise<void> {
    const m = message as { type?: unknown; link?: unknown } | null;
    if (m?.type !== 'open' || typeof m.link !== 'string' || !this.result || !Object.hasOwn(this.result.links, m.link)) return;
    const link = this.result.links[m.link]!;
    const position = new vscode.Position(link.line, link.character);
    // The files open next to the report, not in its place.
    const column = this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    try {
      await vscode.window.showTextDocument(vscode.Uri.parse(link.uri), { selection: new vscode.Range(position, position), viewColumn: column, preview: false });
    } catch (e) {
      void vscode.window.showErrorMessage(`Route Doctor could not open ${link.uri}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

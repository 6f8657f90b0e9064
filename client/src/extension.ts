/**
 * The VS Code extension: starts the language server for YAML files and shows the workspace's problem count in the
 * status bar. This is the only code that imports 'vscode'; everything it shares with the server comes from
 * protocol.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, LanguageClient, State, TransportKind, type LanguageClientOptions, type Location, type Position, type ServerOptions } from 'vscode-languageclient/node';
import {
  commands, configurationSection, explicitSettingsField, fixAllCodeActionKind, kustomizationGlob, languageServerId, languageServerName, settingKeys,
  workspaceStatusNotification, workspaceTrustField, yamlGlob, type WorkspaceStatus,
} from '../../server/src/protocol';
import { registerCluster } from './cluster';

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activationStart = performance.now();
  const output = vscode.window.createOutputChannel(languageServerName, { log: true });
  const status = vscode.window.createStatusBarItem('routeDoctor.status', vscode.StatusBarAlignment.Left);
  status.name = languageServerName;
  status.command = commands.showOutput;
  context.subscriptions.push(output, status);

  const serverModule = context.asAbsolutePath(path.join('server', 'out', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // kustomize also reads a kustomization from a file named just `Kustomization`, which VS Code does not open as YAML.
    documentSelector: [{ scheme: 'file', language: 'yaml' }, { scheme: 'file', pattern: kustomizationGlob }],
    outputChannel: output,
    synchronize: {
      fileEvents: [
        vscode.workspace.createFileSystemWatcher(yamlGlob),
        vscode.workspace.createFileSystemWatcher(kustomizationGlob),
        // A folder deleted outside the editor (git checkout, rm -r) is reported as one event for the folder itself,
        // which the YAML watcher above does not match; the server then drops the files it held.
        vscode.workspace.createFileSystemWatcher('**/*', true, true, false),
      ],
    },
    middleware: {
      workspace: {
        // VS Code answers with the settings merged with their defaults; the server also needs to know which ones the
        // user set, since the Traefik options the user did not set are taken from the repository, and whether the
        // workspace is trusted, since it runs helm only then.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((value: unknown, i) => {
            const item = params.items[i];
            if (item?.section !== configurationSection || typeof value !== 'object' || value === null) return value;
            return { ...value, [explicitSettingsField]: explicitSettings(item.scopeUri), [workspaceTrustField]: vscode.workspace.isTrusted };
          });
        },
      },
    },
  };
  client = new LanguageClient(languageServerId, languageServerName, serverOptions, clientOptions);
  const c = client;
  // The first status that is not `indexing` comes after the server published the diagnostics of every file it found.
  let firstDiagnosticsLogged = false;

  context.subscriptions.push(
    vscode.commands.registerCommand(commands.restartServer, () => c.restart()),
    vscode.commands.registerCommand(commands.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(commands.fixAllInFile, fixAllInFile),
    // The Service code lenses send JSON arguments; the built-in references peek needs VS Code's Uri, Position and Location.
    vscode.commands.registerCommand(commands.showReferences, (uri: string, position: Position, locations: Location[]) => vscode.commands.executeCommand(
      'editor.action.showReferences', c.protocol2CodeConverter.asUri(uri), c.protocol2CodeConverter.asPosition(position), locations.map((l) => c.protocol2CodeConverter.asLocation(l)),
    )),
    c.onNotification(workspaceStatusNotification, (s: WorkspaceStatus) => {
      showStatus(status, s);
      if (!s.indexing && !firstDiagnosticsLogged) {
        firstDiagnosticsLogged = true;
        output.info(`First diagnostics of the workspace ${Math.round(performance.now() - activationStart)} ms after activation began (${plural(s.files, 'YAML file')}).`);
      }
    }),
    c.onDidChangeState((e) => {
      if (e.newState === State.Stopped) {
        status.text = '$(debug-disconnect) Route Doctor';
        status.tooltip = 'Route Doctor: the language server is not running. Click to show its output.';
      }
    }),
  );
  registerCluster(context, c, output);
  // Granting trust needs no restart: the server reads its settings again, which now say the workspace is trusted.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    if (c.isRunning()) void c.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }));

  status.text = '$(sync~spin) Route Doctor';
  status.tooltip = 'Route Doctor: starting';
  status.show();
  // The language server starts in the background, so activation (which VS Code waits for before it goes on with
  // its own start-up and before commands of this extension run) costs only the set-up above. Requests the commands
  // send wait for the start by themselves.
  output.info(`Activated in ${Math.round(performance.now() - activationStart)} ms; the language server is starting.`);
  c.start().then(
    () => output.info(`Language server ready ${Math.round(performance.now() - activationStart)} ms after activation began.`),
    (e: unknown) => {
      // The client already logged the details to the output channel; the user needs to know where to look.
      void vscode.window.showErrorMessage(`Route Doctor could not start its language server: ${e instanceof Error ? e.message : String(e)}`, 'Show Output')
        .then((choice) => choice && output.show(true));
    },
  );
}

/** The `routeDoctor` settings (keys relative to the section) the user set in some scope, not left at their defaults. */
function explicitSettings(scopeUri: string | undefined): string[] {
  const config = vscode.workspace.getConfiguration(configurationSection, scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
  return settingKeys().filter((key) => {
    const i = config.inspect(key);
    return i !== undefined && [
      i.globalValue, i.workspaceValue, i.workspaceFolderValue, i.globalLanguageValue, i.workspaceLanguageValue, i.workspaceFolderLanguageValue,
    ].some((v) => v !== undefined);
  });
}

function showStatus(item: vscode.StatusBarItem, s: WorkspaceStatus): void {
  if (s.indexing) {
    item.text = '$(sync~spin) Route Doctor';
    item.tooltip = `Route Doctor: indexing (${s.files} files so far)`;
    return;
  }
  item.text = s.errors + s.warnings === 0 ? '$(check) Route Doctor' : `$(error) ${s.errors} $(warning) ${s.warnings}`;
  item.tooltip = `Route Doctor: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} in ${plural(s.files, 'YAML file')} (${plural(s.resources, 'resource')}). Click to show the output.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/** Runs the server's fix-all source action on the active YAML editor, the same action "Fix all" on save would run. */
async function fixAllInFile(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'yaml') {
    void vscode.window.showInformationMessage('Route Doctor: open a YAML file to fix its problems.');
    return;
  }
  await vscode.commands.executeCommand('editor.action.sourceAction', { kind: fixAllCodeActionKind, apply: 'first' });
}

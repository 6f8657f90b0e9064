/**
 * The language server's entry point: the only place that creates the connection and turns LSP messages into
 * service events. Transport (stdio, node IPC, socket) is chosen by the command-line arguments, as
 * vscode-languageserver reads them.
 */
import {
  createConnection, DidChangeConfigurationNotification, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type ClientCapabilities, type FileOperationRegistrationOptions, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { configurationSection, kustomizationGlob, workspaceStatusNotification, yamlGlob } from '../protocol';
import { LiveDiagnostics, registerCluster } from './cluster';
import { featureCapabilities, registerFeatures } from './features';
import { Logger } from './log';
import { DelayedProgress } from './progress';
import { RouteDoctorService } from './service';
import { readSettings, withFilesExclude, type ServerSettings } from './settings';
import { uriToPath, Workspace } from './workspace';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const log = new Logger(connection.console);
const workspace = new Workspace(documents);
// Static diagnostics go out through the live ones, which append a file's live-cluster findings to them.
const live = new LiveDiagnostics((params) => void connection.sendDiagnostics(params), {
  uriOf: (file) => workspace.uriOf(file),
  isOpen: (file) => [...workspace.openFiles()].includes(file),
});
const service = new RouteDoctorService({
  workspace,
  log,
  publish: (params) => live.publishStatic(params),
  sendStatus: (status) => void connection.sendNotification(workspaceStatusNotification, status),
  createProgress: (title) => new DelayedProgress(() => connection.window.createWorkDoneProgress(), title),
});
let capabilities: ClientCapabilities = {};

// A bug must cost one message, not the server: the editor would otherwise lose every diagnostic until restarted.
process.on('uncaughtException', (e) => log.error('Route Doctor: uncaught exception', e));
process.on('unhandledRejection', (e) => log.error('Route Doctor: unhandled promise rejection', e));

/**
 * The `routeDoctor` settings: pulled from the client when it supports workspace/configuration, else taken from the
 * didChangeConfiguration notification (`pushed`), else the defaults. With them, the Traefik options the user set
 * (see `explicitSettingsField`): the others may come from the repository.
 */
async function loadSettings(pushed?: unknown): Promise<ServerSettings> {
  if (capabilities.workspace?.configuration) {
    try {
      // VS Code's own `files.exclude` hides files from the explorer and search; Route Doctor skips them too.
      const [own, filesExclude] = (await connection.workspace.getConfiguration([{ section: configurationSection }, { section: 'files.exclude' }])) as unknown[];
      return withFilesExclude(readSettings(own), filesExclude);
    } catch (e) {
      log.error('Route Doctor could not read its settings; using the defaults', e);
      return readSettings(undefined);
    }
  }
  const section = typeof pushed === 'object' && pushed !== null ? (pushed as Record<string, unknown>)[configurationSection] : undefined;
  return readSettings(section);
}

// Folders are watched too, so that deleting or renaming one in the editor updates every file it held.
const fileOperationFilters: FileOperationRegistrationOptions['filters'] = [
  { scheme: 'file', pattern: { glob: yamlGlob, matches: 'file' } },
  { scheme: 'file', pattern: { glob: kustomizationGlob, matches: 'file' } },
  { scheme: 'file', pattern: { glob: '**/*', matches: 'folder' } },
];

connection.onInitialize((params): InitializeResult => {
  capabilities = params.capabilities;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  workspace.addFolders(folders);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      ...featureCapabilities,
      workspace: {
        workspaceFolders: { supported: true, changeNotifications: true },
        fileOperations: {
          didCreate: { filters: fileOperationFilters },
          didRename: { filters: fileOperationFilters },
          didDelete: { filters: fileOperationFilters },
        },
      },
    },
    serverInfo: { name: 'route-doctor' },
  };
});

connection.onInitialized(() => {
  // Without this registration a pull-model client has no reason to tell the server that settings changed.
  if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
    connection.client.register(DidChangeConfigurationNotification.type, { section: [configurationSection, 'files.exclude'] })
      .catch((e: unknown) => log.warn(`Route Doctor could not register for settings changes: ${String(e)}`));
  }
  if (capabilities.workspace?.workspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      service.changeFolders(e.added.map((f) => f.uri), e.removed.map((f) => f.uri));
      // The files of a removed folder leave the analysis; their live findings go with them.
      for (const f of e.removed) {
        const path = uriToPath(f.uri);
        if (path !== undefined) live.changedOnDisk(path);
      }
    });
  }
  service.start(() => loadSettings());
});

connection.onDidChangeConfiguration((params) => service.reconfigure(() => loadSettings(params.settings)));

documents.onDidOpen((e) => {
  const file = workspace.opened(e.document.uri);
  if (file !== undefined) service.touched(file);
});

documents.onDidChangeContent((e) => {
  const file = uriToPath(e.document.uri);
  if (file === undefined) return;
  service.edited(file);
  live.edited(file, e.document.getText());
});

documents.onDidClose((e) => {
  const file = workspace.closed(e.document.uri);
  if (file !== undefined) service.touched(file);
});

function pathsChanged(uris: readonly string[]): void {
  for (const uri of uris) {
    const path = uriToPath(uri);
    if (path === undefined) continue;
    service.pathChanged(path);
    live.changedOnDisk(path);
  }
}

connection.onDidChangeWatchedFiles((params) => pathsChanged(params.changes.map((c) => c.uri)));
connection.workspace.onDidCreateFiles((params) => pathsChanged(params.files.map((f) => f.uri)));
connection.workspace.onDidDeleteFiles((params) => pathsChanged(params.files.map((f) => f.uri)));
connection.workspace.onDidRenameFiles((params) => pathsChanged(params.files.flatMap((f) => [f.oldUri, f.newUri])));

connection.onShutdown(() => service.stop());

registerFeatures(connection, service, () => capabilities);
registerCluster(connection, { service, live, log });

documents.listen(connection);
connection.listen();

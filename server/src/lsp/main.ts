/**
 * The language server: the only code that speaks LSP. It keeps the workspace index alive, overlays open editors on
 * the disk contents, re-analyses a changed file and the files that depend on it, and publishes diagnostics for every
 * YAML file of the workspace, open or not.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection, DiagnosticSeverity, FileChangeType, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type Diagnostic, type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer } from '../core/analyze';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { LineIndex } from '../core/lineIndex';
import { makeAnalysisOptions, type AnalysisOptions, type Finding } from '../core/model';
import { parseFile } from '../core/parse/parseFile';
import { allChecks } from '../core/rules';
import { isYamlPath, readYamlFile, walkYamlFiles } from '../host/files';
import { defaultSettings, workspaceStatusNotification, type RouteDoctorSettings, type WorkspaceStatus } from '../protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const index = new WorkspaceIndex();
let settings: RouteDoctorSettings = defaultSettings;
let analyzer = new Analyzer(index, toAnalysisOptions(settings), allChecks);
let workspaceFolders: string[] = [];
let supportsConfiguration = false;
/** Text of every indexed file as analysed (open editor or disk), for offset → position conversion. */
const texts = new Map<string, string>();
const published = new Map<string, Finding[]>();

function toAnalysisOptions(s: RouteDoctorSettings): AnalysisOptions {
  const t = s.traefik;
  return makeAnalysisOptions({
    version: t.version,
    allowCrossNamespace: t.allowCrossNamespace,
    allowExternalNameServices: t.allowExternalNameServices,
    allowEmptyServices: t.allowEmptyServices,
    nativeLBByDefault: t.nativeLBByDefault,
    disableClusterScopeResources: t.disableClusterScopeResources,
    namespaces: t.namespaces.length > 0 ? t.namespaces : undefined,
    ingressClass: t.ingressClass,
    crossProviderNamespaces: t.crossProviderNamespaces ?? undefined,
  }, s.severity);
}

const lspSeverity = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

function toDiagnostic(f: Finding, lines: LineIndex): Diagnostic {
  const relatedInformation = f.related?.map((r) => {
    const text = texts.get(r.file) ?? '';
    const li = r.file === f.file ? lines : new LineIndex(text);
    return {
      location: { uri: pathToFileURL(r.file).toString(), range: { start: li.position(r.span.start), end: li.position(r.span.end) } },
      message: r.message,
    };
  });
  return {
    range: { start: lines.position(f.span.start), end: lines.position(f.span.end) },
    severity: lspSeverity[f.severity],
    code: f.code,
    source: 'route-doctor',
    message: f.message,
    relatedInformation,
    data: f.data,
  };
}

function publish(file: string): void {
  const findings = analyzer.analyzeFile(file);
  published.set(file, findings);
  const lines = new LineIndex(texts.get(file) ?? '');
  void connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics: findings.map((f) => toDiagnostic(f, lines)) });
}

function clear(file: string): void {
  published.delete(file);
  void connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics: [] });
}

function sendStatus(indexing: boolean): void {
  let errors = 0;
  let warnings = 0;
  for (const list of published.values()) for (const f of list) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
  }
  const status: WorkspaceStatus = { files: index.fileCount, resources: index.resourceCount, errors, warnings, indexing };
  void connection.sendNotification(workspaceStatusNotification, status);
}

/** Puts new text for a file into the index and re-publishes the file and every file that depends on it. */
function update(file: string, text: string | undefined): void {
  const before = index.getFile(file);
  let after;
  if (text === undefined) {
    index.removeFile(file);
    texts.delete(file);
  } else {
    after = parseFile(file, text, { maxFileLength: settings.maxFileSize });
    index.setFile(after);
    texts.set(file, text);
  }
  const dependents = analyzer.dependents(file, before, after);
  if (text === undefined) {
    analyzer.forget(file);
    clear(file);
  } else {
    publish(file);
  }
  for (const d of dependents) publish(d);
  sendStatus(false);
}

function readDisk(file: string): string | undefined {
  try {
    const decoded = readYamlFile(file, settings.maxFileSize * 2);
    return decoded.ok ? decoded.text : '';
  } catch {
    return undefined;
  }
}

function scanWorkspace(): void {
  sendStatus(true);
  for (const folder of workspaceFolders) {
    if (!existsSync(folder)) continue;
    for (const file of walkYamlFiles(folder)) {
      if (documents.get(pathToFileURL(file).toString())) continue;
      const text = readDisk(file);
      if (text === undefined) continue;
      index.setFile(parseFile(file, text, { maxFileLength: settings.maxFileSize }));
      texts.set(file, text);
    }
  }
  for (const doc of documents.all()) {
    const file = uriToPath(doc.uri);
    if (!file) continue;
    index.setFile(parseFile(file, doc.getText(), { maxFileLength: settings.maxFileSize }));
    texts.set(file, doc.getText());
  }
  reanalyzeAll();
}

function reanalyzeAll(): void {
  for (const file of index.files()) publish(file);
  sendStatus(false);
}

function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

async function loadSettings(): Promise<void> {
  if (!supportsConfiguration) return;
  const raw = (await connection.workspace.getConfiguration('routeDoctor')) as Partial<RouteDoctorSettings> | null;
  settings = {
    ...defaultSettings,
    ...(raw ?? {}),
    traefik: { ...defaultSettings.traefik, ...(raw?.traefik ?? {}) },
    severity: { ...(raw?.severity ?? {}) },
  };
  analyzer = new Analyzer(index, toAnalysisOptions(settings), allChecks);
}

connection.onInitialize((params: InitializeParams) => {
  supportsConfiguration = params.capabilities.workspace?.configuration === true;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  workspaceFolders = folders.map(uriToPath).filter((p): p is string => p !== undefined);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'route-doctor' },
  };
});

connection.onInitialized(async () => {
  await loadSettings();
  scanWorkspace();
});

connection.onDidChangeConfiguration(async () => {
  await loadSettings();
  scanWorkspace();
});

documents.onDidChangeContent((e) => {
  const file = uriToPath(e.document.uri);
  if (file && isYamlPath(file)) update(file, e.document.getText());
});

documents.onDidClose((e) => {
  const file = uriToPath(e.document.uri);
  if (file && isYamlPath(file)) update(file, readDisk(file));
});

connection.onDidChangeWatchedFiles((params) => {
  for (const change of params.changes) {
    const file = uriToPath(change.uri);
    if (!file || !isYamlPath(file)) continue;
    if (documents.get(change.uri)) continue;
    update(file, change.type === FileChangeType.Deleted ? undefined : readDisk(file));
  }
});

documents.listen(connection);
connection.listen();

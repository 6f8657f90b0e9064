/**
 * What the language-server tests need: the built server (rebuilt when older than its sources), temporary
 * workspaces, and a small LSP client that talks to `node server/out/server.js --stdio` the way an editor does.
 * Tests wait for conditions on what the server sent (diagnostics, status notifications), never for time to pass.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest, createProtocolConnection, DidChangeConfigurationNotification, DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification, DidChangeWorkspaceFoldersNotification, DidCloseTextDocumentNotification,
  DidDeleteFilesNotification, DidOpenTextDocumentNotification, DidRenameFilesNotification, ExitNotification,
  InitializedNotification, InitializeRequest, LogMessageNotification, MessageType, PublishDiagnosticsNotification,
  RegistrationRequest, ShutdownRequest, StreamMessageReader, StreamMessageWriter, UnregistrationRequest,
  WorkDoneProgressCreateRequest, type CancellationToken, type Diagnostic, type FileChangeType, type LogMessageParams, type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { workspaceStatusNotification, type WorkspaceStatus } from '../../server/src/protocol';

export const repoRoot = join(__dirname, '..', '..');
const serverJs = join(repoRoot, 'server', 'out', 'server.js');

/** Generous: the tests must fail on a server that never answers, not on a slow CI machine. */
const waitTimeoutMs = 30_000;

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Builds the bundles when server/out/server.js is missing or older than a source, so that these tests also work when
 * run alone (`node test/run.mjs test/lsp`) and not only after `npm test` built everything.
 */
export function ensureServerBuilt(): void {
  const sources = Math.max(newestMtime(join(repoRoot, 'server', 'src')), newestMtime(join(repoRoot, 'esbuild.mjs')));
  if (existsSync(serverJs) && statSync(serverJs).mtimeMs >= sources) return;
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Building the language server failed:\n${result.stdout}${result.stderr}`);
}

/** A folder of files in the system's temporary directory, removed by dispose(). */
export class TempWorkspace {
  readonly root: string;

  constructor(files: Record<string, string | Uint8Array> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'route-doctor-lsp-'));
    for (const [rel, content] of Object.entries(files)) this.write(rel, content);
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  /** The URI the server uses for a path (it derives URIs from paths with pathToFileURL). */
  uri(rel: string): string {
    return pathToFileURL(this.path(rel)).toString();
  }

  write(rel: string, content: string | Uint8Array): void {
    mkdirSync(dirname(this.path(rel)), { recursive: true });
    writeFileSync(this.path(rel), content);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface StartOptions {
  /** Workspace folder paths. */
  folders: string[];
  /** What the client answers for the `routeDoctor` section; the server fills in defaults. */
  settings?: unknown;
}

export class LspClient {
  /** The latest diagnostics published per URI. */
  private readonly published = new Map<string, PublishDiagnosticsParams>();
  readonly statuses: WorkspaceStatus[] = [];
  readonly logs: LogMessageParams[] = [];
  settings: unknown;
  /** What the client answers for VS Code's `files.exclude` section. */
  filesExclude: Record<string, unknown> = {};
  private readonly waiters = new Set<() => void>();
  private readonly versions = new Map<string, number>();
  private stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly connection: ProtocolConnection,
    settings: unknown,
  ) {
    this.settings = settings;
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // Writes after the server exited fail with EPIPE; the exit itself is what the tests look at.
    proc.stdin.on('error', () => undefined);
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.set(p.uri, p);
      this.wake();
    });
    connection.onNotification(workspaceStatusNotification, (s: WorkspaceStatus) => {
      this.statuses.push(s);
      this.wake();
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p);
    });
    connection.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => (item.section === 'routeDoctor' ? this.settings : item.section === 'files.exclude' ? this.filesExclude : null)));
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.onRequest(UnregistrationRequest.type, () => undefined);
    connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    connection.listen();
  }

  static async start(options: StartOptions): Promise<LspClient> {
    const proc = spawn(process.execPath, [serverJs, '--stdio'], { stdio: 'pipe' });
    const connection = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new LspClient(proc, connection, options.settings ?? {});
    try {
      await client.initialize(options.folders);
    } catch (e) {
      proc.kill();
      throw e;
    }
    return client;
  }

  private async initialize(folders: string[]): Promise<void> {
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: folders.map((f, i) => ({ uri: pathToFileURL(f).toString(), name: `folder${i}` })),
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          workspaceFolders: true,
          didChangeWatchedFiles: { dynamicRegistration: false },
          fileOperations: { didCreate: true, didRename: true, didDelete: true },
        },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves with the first defined value of `check`, evaluated now and after every diagnostics or status message. */
  waitFor<T>(description: string, check: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = (): void => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out waiting for ${description}.\n${this.report()}`));
      }, waitTimeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter();
    });
  }

  /** The latest diagnostics published for `uri`, or undefined when none ever were. */
  diagnostics(uri: string): Diagnostic[] | undefined {
    return this.published.get(uri)?.diagnostics;
  }

  publishedVersion(uri: string): number | undefined {
    return this.published.get(uri)?.version;
  }

  /** Waits until the latest diagnostics for `uri` satisfy `predicate` (an unpublished URI counts as no diagnostics). */
  waitForDiagnostics(uri: string, description: string, predicate: (diagnostics: Diagnostic[], published: boolean) => boolean): Promise<Diagnostic[]> {
    return this.waitFor(`${description} (${uri})`, () => {
      const d = this.diagnostics(uri);
      return predicate(d ?? [], d !== undefined) ? (d ?? []) : undefined;
    });
  }

  /** Waits for the end of the initial scan: the first status with indexing false. */
  waitForIdle(): Promise<WorkspaceStatus> {
    return this.waitFor('the workspace status to report the end of indexing', () => this.statuses.find((s) => !s.indexing));
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  }

  /** Replaces the whole text of an open document; returns the new version. */
  change(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  close(uri: string): void {
    this.versions.delete(uri);
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  watchedFilesChanged(changes: { uri: string; type: FileChangeType }[]): void {
    void this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  renamed(files: { oldUri: string; newUri: string }[]): void {
    void this.connection.sendNotification(DidRenameFilesNotification.type, { files });
  }

  deleted(uris: string[]): void {
    void this.connection.sendNotification(DidDeleteFilesNotification.type, { files: uris.map((uri) => ({ uri })) });
  }

  foldersChanged(added: string[], removed: string[]): void {
    const folder = (path: string) => ({ uri: pathToFileURL(path).toString(), name: path });
    void this.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: added.map(folder), removed: removed.map(folder) } });
  }

  /** Changes the settings the client answers with and tells the server, as VS Code does in the pull model. */
  configure(settings: unknown): void {
    this.settings = settings;
    void this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** Changes VS Code's `files.exclude` setting (glob → true/false) and tells the server. */
  configureFilesExclude(filesExclude: Record<string, unknown>): void {
    this.filesExclude = filesExclude;
    void this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /**
   * Sends a request and resolves with the server's answer, as an editor does for hovers, code actions and the like.
   * Cancelling `token` sends $/cancelRequest, as an editor does when the user cancels.
   */
  request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    return (token ? this.connection.sendRequest(method, params, token) : this.connection.sendRequest(method, params)) as Promise<R>;
  }

  /** Messages the server logged at error level: a healthy server logs none, whatever the input. */
  errorLogs(): string[] {
    return this.logs.filter((l) => l.type === MessageType.Error).map((l) => l.message);
  }

  /** Shuts the server down as an editor does (shutdown request, exit notification); returns its exit code. */
  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null) {
      try {
        await this.connection.sendRequest(ShutdownRequest.type);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        this.proc.kill();
      }
    }
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  private report(): string {
    const diagnostics = [...this.published.values()].slice(-20).map((p) => `  ${p.uri}: ${p.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.severity}`).join(', ') || '(none)'}`);
    return [
      'Latest diagnostics (last 20 files published):', ...diagnostics,
      `Statuses: ${JSON.stringify(this.statuses.slice(-3))}`,
      `Server log:\n${this.logs.map((l) => `  [${l.type}] ${l.message}`).join('\n')}`,
      `Server stderr:\n${this.stderr}`,
    ].join('\n');
  }
}

/**
 * Starts a server on `workspace`, runs `body`, and always stops the server and removes the workspace. Then checks
 * what every test expects of a healthy server: it logged no error and exited with code 0 after shutdown and exit.
 */
export async function withServer(workspace: TempWorkspace, options: Partial<StartOptions>, body: (client: LspClient) => Promise<void>): Promise<void> {
  let client: LspClient;
  try {
    client = await LspClient.start({ folders: [workspace.root], ...options });
  } catch (e) {
    workspace.dispose();
    throw e;
  }
  let exitCode: number | null;
  try {
    await body(client);
  } finally {
    exitCode = await client.stop();
    workspace.dispose();
  }
  assert.deepEqual(client.errorLogs(), [], 'the server logged no error');
  assert.equal(exitCode, 0, 'the server exits with code 0 after shutdown and exit');
}

/** The diagnostics with `code`. */
export function withCode(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

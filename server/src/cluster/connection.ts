/**
 * The connection to a cluster's API server: the kubeconfig, read with kubectl's loading rules through
 * @kubernetes/client-node, and plain GET requests with a timeout, cancellation, a size cap and failures turned into
 * SnapshotProblems a person can act on.
 *
 * client-node is imported lazily (only when a cluster is used) and only for its KubeConfig: it knows every way a
 * kubeconfig authenticates (tokens, client certificates, exec plugins, OIDC, proxies) and gives us an http(s)
 * Agent and headers. The requests themselves are made here, so that each failure keeps its status, its resource
 * and its cause. Nothing in this file logs or returns a token, a certificate or a key.
 */
import { existsSync } from 'node:fs';
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { SnapshotProblem, SnapshotProblemCode } from '../core/live/snapshot';

export interface ConnectionOptions {
  /** Kubeconfig file(s), separated like KUBECONFIG; default: $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  /** Context to use; default: the kubeconfig's current-context. */
  context?: string;
  /** Per-request timeout in milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Responses larger than this many bytes are refused; default 64 MiB. */
  maxResponseBytes?: number;
  signal?: AbortSignal;
  /** Environment and home folder for the loading rules; tests pass their own. */
  env?: Record<string, string | undefined>;
  homeDir?: string;
}

export interface ApiResponse {
  status: number;
  contentType: string;
  body: string;
}

/** A failed request, already phrased for a person. `fatal` failures mean the server cannot be used at all. */
export class ApiError extends Error {
  constructor(readonly code: SnapshotProblemCode, message: string, readonly fatal = false) {
    super(message);
  }
}

export interface Connection {
  context: string;
  server: string;
  /** The context's default namespace ("default" when it names none). */
  namespace: string;
  /** GETs a path (with its query) and returns the answer, whatever its status; throws ApiError when there is none. */
  get(path: string, accept: string): Promise<ApiResponse>;
}

export type ConnectResult = { ok: true; connection: Connection } | { ok: false; context: string; server: string; problem: SnapshotProblem };

const defaultTimeoutMs = 10_000;
const defaultMaxResponseBytes = 64 * 1024 * 1024;
const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

type KubeConfigModule = typeof import('@kubernetes/client-node/dist/config.js');
type KubeConfig = InstanceType<KubeConfigModule['KubeConfig']>;

/**
 * Imports only the kubeconfig part of client-node: its package entry point pulls in every generated API client
 * (about 15 MB bundled, against under 2 MB for this module). The version is pinned, so the deep path is stable.
 */
async function loadKubeConfigModule(): Promise<KubeConfigModule> {
  return import('@kubernetes/client-node/dist/config.js');
}

/** Reads the kubeconfig, picks the context and prepares authentication; every failure becomes a problem. */
export async function connect(options: ConnectionOptions): Promise<ConnectResult> {
  const env = options.env ?? process.env;
  const fail = (code: SnapshotProblemCode, message: string, context = options.context ?? '', server = ''): ConnectResult =>
    ({ ok: false, context, server, problem: { code, message, fatal: true } });

  const files = kubeconfigFiles(options.kubeconfig ?? env.KUBECONFIG, options.homeDir ?? env.HOME ?? homedir());
  const { KubeConfig } = await loadKubeConfigModule();
  const kc = new KubeConfig();
  if (files.existing.length === 0) {
    if (options.kubeconfig === undefined && existsSync(serviceAccountToken)) {
      kc.loadFromCluster();
    } else {
      const where = files.searched.length > 0 ? files.searched.join(', ') : '~/.kube/config';
      return fail('no-kubeconfig', `No kubeconfig found (looked for ${where}). Set KUBECONFIG or create ~/.kube/config; minikube, kind and k3d write it for you, and cloud CLIs have a "get-credentials" command.`);
    }
  } else {
    const merged = mergeKubeconfigs(KubeConfig, files.existing);
    if (typeof merged === 'string') return fail('bad-kubeconfig', merged);
    kc.loadFromOptions(merged);
  }

  const known = kc.getContexts().map((c) => c.name);
  const contextName = options.context ?? kc.getCurrentContext();
  if (!contextName) {
    return fail('unknown-context', `The kubeconfig has no current-context; choose one with --context (known contexts: ${known.join(', ') || 'none'}).`);
  }
  const context = kc.getContextObject(contextName);
  if (!context) {
    return fail('unknown-context', `There is no context "${contextName}" in the kubeconfig (known contexts: ${known.join(', ') || 'none'}).`, contextName);
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    return fail('bad-kubeconfig', `Context "${contextName}" names cluster "${context.cluster}", which the kubeconfig does not define.`, contextName);
  }
  const server = redactUrl(cluster.server);
  let base: URL;
  try {
    base = new URL(cluster.server);
  } catch {
    return fail('bad-kubeconfig', `Cluster "${cluster.name}" has an invalid server URL.`, contextName, server);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    return fail('bad-kubeconfig', `Cluster "${cluster.name}" has a server URL with an unsupported scheme (${base.protocol}).`, contextName, server);
  }

  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let auth: { agent: HttpAgent; headers: Record<string, string> };
  try {
    // Exec plugins and OIDC refreshes run here; they may hang, so they get the same timeout and cancellation.
    auth = await withDeadline(authenticate(kc), timeoutMs, options.signal, `Preparing the credentials of context "${contextName}"`);
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, context: contextName, server, problem: { code: e.code, message: e.message, fatal: true } };
    return fail('bad-kubeconfig', `The credentials of context "${contextName}" could not be prepared: ${firstLine(e)}`, contextName, server);
  }

  const maxBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const connection: Connection = {
    context: contextName,
    server,
    namespace: context.namespace || 'default',
    get: (path, accept) => get(base, auth, path, accept, timeoutMs, maxBytes, options.signal, server),
  };
  return { ok: true, connection };
}

/** KUBECONFIG's files that exist (kubectl ignores missing ones), or ~/.kube/config. */
function kubeconfigFiles(list: string | undefined, home: string): { existing: string[]; searched: string[] } {
  const searched = list && list.length > 0 ? list.split(delimiter).filter((f) => f.length > 0) : [join(home, '.kube', 'config')];
  return { existing: searched.filter((f) => existsSync(f)), searched };
}

type KubeConfigParts = {
  clusters: ReturnType<KubeConfig['getClusters']>;
  users: ReturnType<KubeConfig['getUsers']>;
  contexts: ReturnType<KubeConfig['getContexts']>;
  currentContext: string;
};

/**
 * Merges kubeconfig files the way kubectl does: the first file that defines a cluster, user or context (by name)
 * wins, and so does the first current-context. client-node's own merge throws on duplicate names instead.
 */
function mergeKubeconfigs(KubeConfigClass: KubeConfigModule['KubeConfig'], files: string[]): KubeConfigParts | string {
  const merged: KubeConfigParts = { clusters: [], users: [], contexts: [], currentContext: '' };
  for (const file of files) {
    const kc = new KubeConfigClass();
    try {
      kc.loadFromFile(file);
    } catch (e) {
      // Only the first line: YAML errors continue with an excerpt of the file, which may hold a token.
      return `The kubeconfig ${file} cannot be read: ${firstLine(e)}`;
    }
    for (const c of kc.getClusters()) if (!merged.clusters.some((x) => x.name === c.name)) merged.clusters.push(c);
    for (const u of kc.getUsers()) if (!merged.users.some((x) => x.name === u.name)) merged.users.push(u);
    for (const c of kc.getContexts()) if (!merged.contexts.some((x) => x.name === c.name)) merged.contexts.push(c);
    if (!merged.currentContext) merged.currentContext = kc.getCurrentContext() ?? '';
  }
  return merged;
}

async function authenticate(kc: KubeConfig): Promise<{ agent: HttpAgent; headers: Record<string, string> }> {
  const opts: { agent?: HttpAgent; headers?: Record<string, string>; auth?: string } = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  if (!opts.agent) throw new Error('no HTTP agent for this cluster');
  return { agent: opts.agent, headers };
}

function get(
  base: URL, auth: { agent: HttpAgent; headers: Record<string, string> }, path: string, accept: string,
  timeoutMs: number, maxBytes: number, signal: AbortSignal | undefined, server: string,
): Promise<ApiResponse> {
  return new Promise<ApiResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    // A server URL may carry a path prefix (API proxies such as Rancher's), which every API path goes under.
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: ApiError | undefined, value?: ApiResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else {
        resolve(value!);
      }
    };
    const onAbort = () => finish(cancelled());
    const timer = setTimeout(() => finish(new ApiError('timeout', `The API server ${server} did not answer GET ${url.pathname} within ${timeoutMs / 1000} s.`)), timeoutMs);
    const req = send(url, { method: 'GET', agent: auth.agent, headers: { ...auth.headers, Accept: accept, 'User-Agent': 'route-doctor' } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          finish(new ApiError('truncated', `The answer to GET ${url.pathname} is larger than ${Math.round(maxBytes / 1048576)} MiB; it was not read.`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(networkError(e, server, url.pathname)));
      res.on('close', () => {
        if (!res.complete) finish(new ApiError('unreachable', `The API server ${server} closed the connection in the middle of GET ${url.pathname}.`));
      });
    });
    req.on('error', (e) => finish(networkError(e, server, url.pathname)));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

function cancelled(): ApiError {
  return new ApiError('cancelled', 'Reading the cluster was cancelled.', true);
}

const tlsCodes = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|EPROTO|HOSTNAME_MISMATCH)/;

/** Turns a socket/TLS failure into a sentence that says what happened and what to check. */
export function networkError(e: unknown, server: string, path: string): ApiError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') {
    return new ApiError('unreachable', `Cannot connect to the API server ${server}: connection refused. Is the cluster running (for example "minikube status", "kind get clusters") and is this the right context?`, true);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ApiError('unreachable', `Cannot resolve the API server's host name in ${server} (${code}). Check the network, VPN or the kubeconfig's server address.`, true);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new ApiError('unreachable', `The API server ${server} is unreachable (${code}). Check the network or VPN.`, true);
  }
  if (code === 'ETIMEDOUT') {
    return new ApiError('timeout', `Connecting to the API server ${server} timed out.`, true);
  }
  if (tlsCodes.test(code) || /certificate|SSL|TLS/i.test(err.message ?? '')) {
    return new ApiError('tls', `TLS with the API server ${server} failed (${code || 'TLS error'}: ${firstLine(err)}). Check the kubeconfig's certificate-authority, the server address, or whether the server speaks https at all.`, true);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err.message ?? '')) {
    return new ApiError('unreachable', `The API server ${server} dropped the connection during GET ${path} (${code || 'socket hang up'}).`);
  }
  return new ApiError('unreachable', `GET ${path} on ${server} failed: ${code ? code + ': ' : ''}${firstLine(err)}`);
}

async function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ApiError('timeout', `${what} took longer than ${timeoutMs / 1000} s (an exec credential plugin that waits for input?).`, true)), timeoutMs);
        if (signal?.aborted) reject(cancelled());
        onAbort = () => reject(cancelled());
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** The server URL without any user:password part. */
function redactUrl(server: string): string {
  try {
    const u = new URL(server);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const line = message.split('\n')[0] ?? '';
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}

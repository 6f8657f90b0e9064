/**
 * Reads a live cluster into a ClusterSnapshot: discovery, Traefik's own workload and logs, and per namespace the
 * objects a route depends on. Everything that goes wrong becomes a SnapshotProblem and the rest is still read;
 * connection-wide failures (unreachable, TLS, refused credentials, repeated timeouts, cancellation) stop further
 * requests at once so that a dead server costs one timeout, not one per list.
 *
 * Bounds: lists are paged (limit/continue) and capped in items and pages, log tails are capped in lines and bytes,
 * at most `concurrency` requests are in flight, and every request has a timeout.
 */
import { emptySnapshot, qualifiedResource, type ClusterSnapshot, type ListRead, type LivePod, type LiveWorkload, type SnapshotProblem, type SnapshotProblemCode, type TraefikInstance } from '../core/live/snapshot';
import { ApiError, connect, type Connection, type ConnectionOptions } from './connection';
import {
  toCustomObject, toEndpoints, toEndpointSlice, toEvent, toObjectMeta, toPod, toService, toWorkload, type Json,
} from './convert';

export interface SnapshotOptions extends ConnectionOptions {
  /** Namespaces to read; default: the context's namespace. Traefik's namespace is always added. */
  namespaces?: string[];
  /** Where Traefik runs; default: searched for (Helm's labels cluster-wide, then by image in likely namespaces). */
  traefikNamespace?: string;
  /** Items per page; default 500 (kubectl's). */
  pageSize?: number;
  /** Items read per list at most; default 10 000. Beyond it the list is partial and a problem says so. */
  maxItemsPerList?: number;
  /** Lines read from the end of each Traefik Pod's log; default 500. */
  logTailLines?: number;
  /** Traefik Pods whose logs are read; default 3. */
  maxLogPods?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
}

const jsonAccept = 'application/json';
/** Secrets and Certificates are only ever requested like this: the server returns metadata and never data. */
export const metadataListAccept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

const traefikGroups = ['traefik.io', 'traefik.containo.us'];
const traefikResources: Record<string, string> = {
  ingressroutes: 'IngressRoute', ingressroutetcps: 'IngressRouteTCP', ingressrouteudps: 'IngressRouteUDP',
  middlewares: 'Middleware', middlewaretcps: 'MiddlewareTCP', traefikservices: 'TraefikService',
  tlsoptions: 'TLSOption', serverstransports: 'ServersTransport',
};
/** Namespaces Traefik is usually installed in (Helm chart docs, k3s), searched when Helm's labels find nothing. */
const likelyTraefikNamespaces = ['traefik', 'kube-system', 'traefik-system'];
const maxTimeouts = 3;
const maxLogBytes = 2 * 1024 * 1024;

/** A request that was not made because the connection already failed; its cause is reported once, elsewhere. */
class Stopped extends Error {}

interface ListSpec {
  group: string;
  version: string;
  resource: string;
  /** '' lists across all namespaces. */
  namespace: string;
  accept?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** A failure is expected and not worth a problem (a guess at where Traefik runs). */
  quiet?: boolean;
}

export async function takeSnapshot(options: SnapshotOptions = {}): Promise<ClusterSnapshot> {
  const takenAt = new Date().toISOString();
  if (options.signal?.aborted) return failed(options.context ?? '', '', takenAt, cancelledProblem());
  const connected = await connect(options);
  if (!connected.ok) return failed(connected.context, connected.server, takenAt, connected.problem);
  const reader = new SnapshotReader(connected.connection, options, emptySnapshot(connected.connection.context, connected.connection.server, takenAt));
  await reader.run();
  return reader.snapshot;
}

function failed(context: string, server: string, takenAt: string, problem: SnapshotProblem): ClusterSnapshot {
  const snapshot = emptySnapshot(context, server, takenAt);
  snapshot.problems.push(problem);
  return snapshot;
}

function cancelledProblem(): SnapshotProblem {
  return { code: 'cancelled', message: 'Reading the cluster was cancelled.', fatal: true };
}

class SnapshotReader {
  private stopped: ApiError | undefined;
  private timeouts = 0;
  private readonly pageSize: number;
  private readonly maxItems: number;

  constructor(private readonly conn: Connection, private readonly options: SnapshotOptions, readonly snapshot: ClusterSnapshot) {
    this.pageSize = Math.max(1, options.pageSize ?? 500);
    this.maxItems = Math.max(1, options.maxItemsPerList ?? 10_000);
  }

  async run(): Promise<void> {
    try {
      await this.discover();
      const namespaces = new Set(this.options.namespaces?.length ? this.options.namespaces : [this.conn.namespace]);
      const traefikNamespaces = new Set<string>();
      if (this.options.traefikNamespace) traefikNamespaces.add(this.options.traefikNamespace);
      else for (const w of await this.findTraefikByLabels()) traefikNamespaces.add(w.namespace);
      await this.readNamespaces([...namespaces]);
      if (traefikNamespaces.size === 0) {
        for (const ns of await this.findTraefikByImage(namespaces)) traefikNamespaces.add(ns);
      }
      await this.readNamespaces([...traefikNamespaces].filter((ns) => !namespaces.has(ns)));
      this.pickTraefik(traefikNamespaces);
      await this.readLogs();
      await this.readEvents();
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
    }
    this.snapshot.namespaces.sort();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Requests

  /** One GET, with failures classified; trips the circuit on connection-wide failures. */
  private async fetch(path: string, accept: string): Promise<{ status: number; json?: Json; text: string }> {
    if (this.stopped) throw new Stopped();
    try {
      const res = await this.conn.get(path, accept);
      if (res.status === 401) {
        this.stop(new ApiError('unauthorized', `The API server ${this.conn.server} refused the credentials of context "${this.conn.context}" (401 Unauthorized): the token or client certificate is missing, expired or revoked. Log in again (for example your cloud CLI's get-credentials command, or "minikube update-context").`, true));
      }
      let json: Json | undefined;
      if (res.contentType.includes('json')) {
        try {
          const parsed = JSON.parse(res.body) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Json;
        } catch {
          // Left undefined: the caller reports an unreadable answer.
        }
      }
      return { status: res.status, json, text: res.body };
    } catch (e) {
      if (e instanceof Stopped) throw e;
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'timeout' && !e.fatal && ++this.timeouts >= maxTimeouts) {
        this.stop(new ApiError('timeout', `${e.message} ${maxTimeouts} requests timed out, so Route Doctor stopped reading the cluster.`, true));
      }
      if (e.fatal) this.stop(e);
      throw e;
    }
  }

  private stop(e: ApiError): never {
    if (!this.stopped) {
      this.stopped = e;
      this.snapshot.problems.push({ code: e.code, message: e.message, fatal: true });
    }
    throw new Stopped();
  }

  private problem(code: SnapshotProblemCode, message: string, resource?: string, namespace?: string): void {
    const p: SnapshotProblem = { code, message, fatal: false };
    if (resource !== undefined) p.resource = resource;
    if (namespace) p.namespace = namespace;
    this.snapshot.problems.push(p);
  }

  /** Lists every page of a resource; records how the read went; returns what was read (maybe partial) or undefined. */
  private async list(spec: ListSpec): Promise<Json[] | undefined> {
    const resource = qualifiedResource(spec.group, spec.resource);
    const where = spec.namespace ? `in namespace ${spec.namespace}` : 'in all namespaces';
    const base = `${spec.group ? `/apis/${spec.group}/${spec.version}` : '/api/v1'}${spec.namespace ? `/namespaces/${encodeURIComponent(spec.namespace)}` : ''}/${spec.resource}`;
    const record = (status: ListRead['status'], items: number) => this.snapshot.reads.push({ resource, namespace: spec.namespace, status, items });
    const items: Json[] = [];
    let token: string | undefined;
    const maxPages = Math.ceil(this.maxItems / this.pageSize) + 1;
    for (let page = 0; page < maxPages; page++) {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      if (token) query.set('continue', token);
      if (spec.labelSelector) query.set('labelSelector', spec.labelSelector);
      if (spec.fieldSelector) query.set('fieldSelector', spec.fieldSelector);
      let res;
      try {
        res = await this.fetch(`${base}?${query}`, spec.accept ?? jsonAccept);
      } catch (e) {
        if (e instanceof Stopped) {
          record('failed', items.length);
          throw e;
        }
        if (!spec.quiet) this.problem((e as ApiError).code, `${resource} ${where}: ${(e as ApiError).message}`, resource, spec.namespace);
        record(items.length > 0 ? 'partial' : 'failed', items.length);
        return items.length > 0 ? items : undefined;
      }
      if (res.status !== 200) {
        const failure = this.describeStatus(res.status, res.json, resource, where);
        if (!spec.quiet && failure.code !== 'not-served') this.problem(failure.code, failure.message, resource, spec.namespace);
        record(failure.code === 'not-served' ? 'not-served' : items.length > 0 ? 'partial' : 'failed', items.length);
        return items.length > 0 ? items : undefined;
      }
      const body = res.json;
      const expectedKind = spec.accept === metadataListAccept ? 'PartialObjectMetadataList' : undefined;
      if (!body || !Array.isArray(body.items) || (expectedKind && body.kind !== expectedKind)) {
        // A metadata-only request answered with anything else is dropped whole: it might hold Secret data.
        const why = expectedKind && body ? `the server ignored the metadata-only request (it answered ${String(body.kind)}), so the answer was dropped` : 'the answer is not a Kubernetes list';
        if (!spec.quiet) this.problem(expectedKind ? 'not-acceptable' : 'bad-response', `${resource} ${where}: ${why}.`, resource, spec.namespace);
        record('failed', 0);
        return undefined;
      }
      for (const item of body.items as unknown[]) if (item && typeof item === 'object') items.push(item as Json);
      const next = (body.metadata as Json | undefined)?.continue;
      if (typeof next !== 'string' || next === '') {
        record('ok', items.length);
        return items;
      }
      if (next === token) {
        this.problem('bad-response', `${resource} ${where}: the server returned the same continue token twice; stopped after ${items.length} items.`, resource, spec.namespace);
        record('partial', items.length);
        return items;
      }
      if (items.length >= this.maxItems) break;
      token = next;
    }
    this.problem('truncated', `${resource} ${where}: stopped after ${items.length} items (the limit is ${this.maxItems}); the diagnosis uses a partial list.`, resource, spec.namespace);
    record('partial', items.length);
    return items;
  }

  private describeStatus(status: number, body: Json | undefined, resource: string, where: string): { code: SnapshotProblemCode; message: string } {
    const said = typeof body?.message === 'string' && body.message ? `: ${body.message}` : '';
    if (status === 403) {
      return { code: 'forbidden', message: `Not allowed to list ${resource} ${where} (403 Forbidden${said}). The diagnosis goes on without them; RBAC "list" on ${resource} would let Route Doctor check them.` };
    }
    if (status === 404) return { code: 'not-served', message: `The API server does not serve ${resource} (404${said}).` };
    if (status === 406) return { code: 'not-acceptable', message: `The API server cannot answer ${resource} ${where} in the requested form (406${said}); they were not read.` };
    if (status === 410) return { code: 'truncated', message: `${resource} ${where} changed too much while being paged (410 Gone${said}); the diagnosis uses what was read.` };
    if (status === 429 || status >= 500) return { code: 'server-error', message: `The API server failed to list ${resource} ${where} (${status}${said}).` };
    return { code: 'bad-response', message: `Unexpected answer ${status} when listing ${resource} ${where}${said}.` };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Discovery

  private async discover(): Promise<void> {
    const d = this.snapshot.discovery;
    // The first request also tells whether the server is there at all: its failures are fatal (see fetch).
    try {
      const version = await this.fetch('/version', jsonAccept);
      if (version.status === 200 && typeof version.json?.gitVersion === 'string') d.gitVersion = version.json.gitVersion;
    } catch (e) {
      if (e instanceof Stopped) throw e;
      this.problem((e as ApiError).code, `/version: ${(e as ApiError).message}`);
    }
    d.groups[''] = ['v1'];
    let groups: Json | undefined;
    try {
      const res = await this.fetch('/apis', jsonAccept);
      if (res.status === 200 && Array.isArray(res.json?.groups)) groups = res.json;
      else this.problem('bad-response', `API discovery (/apis) answered ${res.status}; Route Doctor tries the usual groups instead.`);
    } catch (e) {
      if (e instanceof Stopped) throw e;
      this.problem((e as ApiError).code, `API discovery (/apis): ${(e as ApiError).message}`);
    }
    if (!groups) {
      // Without discovery, assume the stable groups and probe Traefik's; a 404 then says "not served".
      Object.assign(d.groups, { apps: ['v1'], 'networking.k8s.io': ['v1'], 'discovery.k8s.io': ['v1'], 'cert-manager.io': ['v1'], 'traefik.io': ['v1alpha1'], 'traefik.containo.us': ['v1alpha1'] });
      d.endpointSlices = true;
      for (const group of traefikGroups) d.traefik.push({ group, version: 'v1alpha1', resources: Object.keys(traefikResources) });
      return;
    }
    for (const g of groups.groups as unknown[]) {
      const go = (g ?? {}) as Json;
      if (typeof go.name !== 'string' || !Array.isArray(go.versions)) continue;
      d.groups[go.name] = (go.versions as Json[]).map((v) => String(v?.version ?? '')).filter((v) => v !== '');
    }
    const resourcesOf = async (group: string, version: string): Promise<string[] | undefined> => {
      try {
        const res = await this.fetch(`/apis/${group}/${version}`, jsonAccept);
        if (res.status !== 200 || !Array.isArray(res.json?.resources)) return undefined;
        return (res.json.resources as Json[]).map((r) => String(r?.name ?? '')).filter((r) => r !== '' && !r.includes('/'));
      } catch (e) {
        if (e instanceof Stopped) throw e;
        this.problem((e as ApiError).code, `API discovery (/apis/${group}/${version}): ${(e as ApiError).message}`);
        return undefined;
      }
    };
    if (d.groups['discovery.k8s.io']?.includes('v1')) {
      d.endpointSlices = (await resourcesOf('discovery.k8s.io', 'v1'))?.includes('endpointslices') ?? true;
    }
    for (const group of traefikGroups) {
      if (!d.groups[group]?.includes('v1alpha1')) continue;
      const resources = await resourcesOf(group, 'v1alpha1');
      d.traefik.push({ group, version: 'v1alpha1', resources: resources ?? Object.keys(traefikResources) });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Namespaces

  private async readNamespaces(namespaces: string[]): Promise<void> {
    const d = this.snapshot.discovery;
    const s = this.snapshot;
    const tasks: (() => Promise<void>)[] = [];
    const add = (spec: ListSpec, keep: (items: Json[]) => void) => tasks.push(async () => {
      const items = await this.list(spec);
      if (items) keep(items);
    });
    for (const namespace of namespaces) {
      s.namespaces.push(namespace);
      add({ group: '', version: 'v1', resource: 'pods', namespace }, (items) => s.pods.push(...items.map(toPod)));
      add({ group: '', version: 'v1', resource: 'services', namespace }, (items) => s.services.push(...items.map(toService)));
      if (d.endpointSlices) {
        add({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespace }, (items) => s.endpointSlices.push(...items.map(toEndpointSlice)));
      } else {
        add({ group: '', version: 'v1', resource: 'endpoints', namespace }, (items) => s.endpoints.push(...items.map(toEndpoints)));
      }
      for (const [resource, kind] of [['deployments', 'Deployment'], ['statefulsets', 'StatefulSet'], ['daemonsets', 'DaemonSet']] as const) {
        add({ group: 'apps', version: 'v1', resource, namespace }, (items) => s.workloads.push(...items.map((o) => toWorkload(kind, o))));
      }
      if (d.groups['networking.k8s.io']?.includes('v1')) {
        add({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespace }, (items) => s.ingresses.push(...items.map((o) => toCustomObject('networking.k8s.io', 'v1', 'Ingress', o))));
      }
      add({ group: '', version: 'v1', resource: 'secrets', namespace, accept: metadataListAccept }, (items) => s.secrets.push(...items.map((o) => toObjectMeta('Secret', o))));
      if (d.groups['cert-manager.io']?.includes('v1')) {
        add({ group: 'cert-manager.io', version: 'v1', resource: 'certificates', namespace, accept: metadataListAccept }, (items) => s.certificates.push(...items.map((o) => toObjectMeta('Certificate', o))));
      }
      for (const served of d.traefik) {
        for (const [resource, kind] of Object.entries(traefikResources)) {
          if (!served.resources.includes(resource)) continue;
          add({ group: served.group, version: served.version, resource, namespace }, (items) => s.traefikObjects.push(...items.map((o) => toCustomObject(served.group, served.version, kind, o))));
        }
      }
    }
    await this.pool(tasks);
  }

  /** Runs tasks with at most `concurrency` in flight; stops starting new ones once the connection failed. */
  private async pool(tasks: (() => Promise<void>)[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < tasks.length && !this.stopped) {
        const task = tasks[next++]!;
        try {
          await task();
        } catch (e) {
          if (!(e instanceof Stopped)) throw e;
        }
      }
    };
    const n = Math.max(1, Math.min(this.options.concurrency ?? 4, tasks.length));
    await Promise.all(Array.from({ length: n }, worker));
    if (this.stopped) throw new Stopped();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Traefik

  private traefikWorkloads: LiveWorkload[] = [];
  /** The cluster-wide search by label could not be done (typically RBAC limited to some namespaces). */
  private labelSearchFailed = false;

  /** Traefik installed by its Helm chart (or k3s) carries app.kubernetes.io/name=traefik; one list per kind finds it. */
  private async findTraefikByLabels(): Promise<LiveWorkload[]> {
    const found: LiveWorkload[] = [];
    for (const [resource, kind] of [['deployments', 'Deployment'], ['daemonsets', 'DaemonSet']] as const) {
      const items = await this.list({ group: 'apps', version: 'v1', resource, namespace: '', labelSelector: 'app.kubernetes.io/name=traefik', quiet: true });
      if (!items) this.labelSearchFailed = true;
      for (const w of (items ?? []).map((o) => toWorkload(kind, o))) if (traefikContainer(w)) found.push(w);
    }
    this.traefikWorkloads.push(...found);
    return found;
  }

  /** Without Helm's labels: a workload whose image is Traefik's, in the namespaces read or the usual ones. */
  private async findTraefikByImage(read: Set<string>): Promise<string[]> {
    const inRead = this.snapshot.workloads.filter((w) => traefikContainer(w));
    if (inRead.length > 0) {
      this.traefikWorkloads.push(...inRead);
      return [...new Set(inRead.map((w) => w.namespace))];
    }
    const unreadable: string[] = [];
    for (const namespace of likelyTraefikNamespaces.filter((ns) => !read.has(ns))) {
      for (const [resource, kind] of [['deployments', 'Deployment'], ['daemonsets', 'DaemonSet']] as const) {
        const items = await this.list({ group: 'apps', version: 'v1', resource, namespace, quiet: true });
        if (!items) unreadable.push(`${resource} in ${namespace}`);
        for (const w of (items ?? []).map((o) => toWorkload(kind, o))) if (traefikContainer(w)) this.traefikWorkloads.push(w);
      }
    }
    if (this.traefikWorkloads.length === 0) {
      const searched = [...new Set([...read, ...likelyTraefikNamespaces])].join(', ');
      const labels = this.labelSearchFailed ? 'could not search all namespaces for app.kubernetes.io/name=traefik' : 'searched all namespaces for app.kubernetes.io/name=traefik';
      this.problem('traefik-not-found', `No Traefik Deployment or DaemonSet found (${labels}; looked for images named traefik in ${searched}${unreadable.length ? `; could not read ${unreadable.join(', ')}` : ''}). Its version, options and logs are unknown; pass its namespace to look there.`);
    }
    return [...new Set(this.traefikWorkloads.map((w) => w.namespace))];
  }

  private pickTraefik(traefikNamespaces: Set<string>): void {
    // With a namespace given (or found by image), the workloads were read with that namespace.
    const candidates = this.traefikWorkloads.length > 0
      ? this.traefikWorkloads
      : this.snapshot.workloads.filter((w) => traefikNamespaces.has(w.namespace) && traefikContainer(w));
    if (candidates.length === 0 && this.options.traefikNamespace) {
      this.problem('traefik-not-found', `No Traefik Deployment or DaemonSet (an image named traefik) in namespace ${this.options.traefikNamespace}. Its version, options and logs are unknown.`);
    }
    const seen = new Set<string>();
    for (const w of candidates) {
      const key = `${w.kind}/${w.namespace}/${w.name}`;
      if (seen.has(key) || w.kind === 'StatefulSet') continue;
      seen.add(key);
      const container = traefikContainer(w)!;
      const pods = this.snapshot.pods.filter((p) => p.namespace === w.namespace && matches(p.labels, w.selector));
      this.snapshot.traefik.push({
        kind: w.kind, namespace: w.namespace, name: w.name, image: container.image,
        // An image's command may carry the flags (command: [traefik, --flag…]); the first word is the program.
        args: [...container.command.slice(1), ...container.args],
        container: container.name, pods: pods.map((p) => p.name),
      });
    }
  }

  private async readLogs(): Promise<void> {
    const tail = Math.max(1, this.options.logTailLines ?? 500);
    const maxPods = Math.max(0, this.options.maxLogPods ?? 3);
    const tasks: (() => Promise<void>)[] = [];
    const podsByName = new Map(this.snapshot.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
    for (const t of this.snapshot.traefik) {
      // Running Pods first: a crashed or pending Pod's log says less about the routes being served now.
      const pods = t.pods.map((name) => podsByName.get(`${t.namespace}/${name}`)).filter((p): p is LivePod => p !== undefined)
        .sort((a, b) => Number(b.phase === 'Running') - Number(a.phase === 'Running'));
      for (const pod of pods) {
        if (tasks.length >= maxPods) break;
        tasks.push(() => this.readLog(t, pod.name, tail));
      }
    }
    await this.pool(tasks);
  }

  private async readLog(t: TraefikInstance, pod: string, tail: number): Promise<void> {
    const query = new URLSearchParams({ container: t.container, tailLines: String(tail), limitBytes: String(maxLogBytes) });
    const path = `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(pod)}/log?${query}`;
    const where = `the log of Traefik Pod ${t.namespace}/${pod}`;
    try {
      const res = await this.fetch(path, 'text/plain, */*');
      if (res.status !== 200) {
        const said = typeof res.json?.message === 'string' ? `: ${res.json.message}` : '';
        const code: SnapshotProblemCode = res.status === 403 ? 'forbidden' : res.status >= 500 ? 'server-error' : 'bad-response';
        this.problem(code, `Could not read ${where} (${res.status}${said}).`, 'pods/log', t.namespace);
        return;
      }
      const lines = res.text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      this.snapshot.logs.push({ namespace: t.namespace, pod, container: t.container, lines: lines.slice(-tail) });
    } catch (e) {
      if (e instanceof Stopped) throw e;
      this.problem((e as ApiError).code, `Could not read ${where}: ${(e as ApiError).message}`, 'pods/log', t.namespace);
    }
  }

  /** Readiness-probe failures explain "Pods not ready"; they are listed only where some Pod is not ready. */
  private async readEvents(): Promise<void> {
    const notReady = this.snapshot.pods.filter((p) => !p.ready && !p.terminating && (p.phase === 'Running' || p.phase === 'Pending'));
    const byNamespace = new Map<string, Set<string>>();
    for (const p of notReady) {
      let set = byNamespace.get(p.namespace);
      if (!set) byNamespace.set(p.namespace, (set = new Set()));
      set.add(p.name);
    }
    const tasks = [...byNamespace].map(([namespace, names]) => async () => {
      const items = await this.list({ group: '', version: 'v1', resource: 'events', namespace, fieldSelector: 'involvedObject.kind=Pod,reason=Unhealthy' });
      for (const ev of (items ?? []).map(toEvent)) if (names.has(ev.involvedName)) this.snapshot.events.push(ev);
    });
    await this.pool(tasks);
  }
}

function matches(labels: Record<string, string>, selector: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** An image whose repository's last path segment is "traefik" or ends in "-traefik" (k3s mirrors it so). */
export function isTraefikImage(image: string): boolean {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return /(^|[/-])traefik$/.test(repo);
}

function traefikContainer(w: LiveWorkload) {
  return w.containers.find((c) => isTraefikImage(c.image));
}

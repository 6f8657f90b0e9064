/**
 * A Kubernetes-API-compatible HTTP server for tests, on 127.0.0.1 at a random port.
 *
 * It serves the REST paths that @kubernetes/client-node and the real kubectl use — /version, legacy and aggregated
 * discovery, lists with limit/continue paging and label/field selectors, single gets, server-side Tables,
 * metadata-only lists (PartialObjectMetadataList), pod logs and events — from seed YAML. Like a real cluster it
 * computes EndpointSlices and Endpoints from Pods and Services the way the endpoint controllers do, so a test can
 * seed Pods and Services only and observe the endpoints Traefik would see. Faults (latency, status codes, hung or
 * dropped connections) can be injected per path to exercise the client's error handling.
 *
 * Fidelity is checked by pointing the real kubectl at it (test/cluster/kubectl.test.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Json = Record<string, unknown>;

/** A resource type the server knows: what discovery advertises and where its objects live. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural name, as in the URL. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served (only pods/log here). */
  subresources?: string[];
}

const traefikKinds: [string, string][] = [
  ['ingressroutes', 'IngressRoute'], ['ingressroutetcps', 'IngressRouteTCP'], ['ingressrouteudps', 'IngressRouteUDP'],
  ['middlewares', 'Middleware'], ['middlewaretcps', 'MiddlewareTCP'], ['traefikservices', 'TraefikService'],
  ['tlsoptions', 'TLSOption'], ['tlsstores', 'TLSStore'], ['serverstransports', 'ServersTransport'],
];

function traefikTypes(group: string): ResourceType[] {
  const kinds = group === 'traefik.io' ? [...traefikKinds, ['serverstransporttcps', 'ServersTransportTCP'] as [string, string]] : traefikKinds;
  return kinds.map(([resource, kind]) => ({ group, version: 'v1alpha1', resource, singular: kind.toLowerCase(), kind, namespaced: true }));
}

/** Every resource type the server can serve; `FakeApiServerOptions.groups` narrows it down. */
export const allResourceTypes: readonly ResourceType[] = [
  { group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['log'] },
  { group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'] },
  { group: '', version: 'v1', resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  { group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: 'apps', version: 'v1', resource: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'] },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, shortNames: ['ing'] },
  { group: 'cert-manager.io', version: 'v1', resource: 'certificates', singular: 'certificate', kind: 'Certificate', namespaced: true, shortNames: ['cert', 'certs'] },
  ...traefikTypes('traefik.io'),
  ...traefikTypes('traefik.containo.us'),
];

/** A fault injected for requests whose path matches. */
export interface Fault {
  /** Matched against the URL path (a string must be equal; a RegExp is tested against the path). */
  path: string | RegExp;
  /** Answer with this status and a Kubernetes Status body. */
  status?: number;
  /** Delay before answering (or before applying the rest of the fault). */
  latencyMs?: number;
  /** Accept the request and never answer: the client must time out or abort. */
  hang?: boolean;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** Apply to this many requests, then stop; unlimited when absent. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accept: string;
  authorization: boolean;
}

export interface FakeApiServerOptions {
  /** Seed objects: multi-document YAML (with `status` where it matters, e.g. Pods), or parsed objects. */
  seed: string | Json[];
  /** Pod logs, keyed "namespace/pod" or "namespace/pod/container". */
  logs?: Record<string, string>;
  /** API groups served ('' is the core group, always served). Default: every group of allResourceTypes. */
  groups?: string[];
  /** Serve aggregated discovery (apidiscovery.k8s.io/v2) when asked for it; default true, as Kubernetes 1.30+. */
  aggregatedDiscovery?: boolean;
  /**
   * False makes the server ignore "as=PartialObjectMetadataList" and answer full objects, as an old server or a
   * careless proxy would; the client must then drop the answer rather than keep Secret data.
   */
  metadataLists?: boolean;
  /** When set, every request must carry "Authorization: Bearer <token>" or gets 401. */
  token?: string;
  gitVersion?: string;
}

interface StoredObject {
  type: ResourceType;
  obj: Json;
}

/** Unique id of a stored object in etcd key order: /registry/<resource>/<namespace>/<name>. */
function storeKey(type: ResourceType, ns: string, name: string): string {
  return `${type.group}/${type.resource}/${ns}/${name}`;
}

function meta(obj: Json): Json {
  return (obj.metadata ?? {}) as Json;
}

function labelsOf(obj: Json): Record<string, string> {
  return (meta(obj).labels ?? {}) as Record<string, string>;
}

function shortHash(s: string, n: number): string {
  // Kubernetes' generated suffixes use consonants and digits; a stable hash keeps test output deterministic.
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(s).digest();
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[digest[i]! % alphabet.length];
  return out;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: (Fault & { used: number })[] = [];
  private readonly waiters: { path: RegExp; resolve: (r: RecordedRequest) => void }[] = [];
  private readonly types: ResourceType[];
  private readonly store = new Map<string, StoredObject>();
  private readonly sockets = new Set<Socket>();
  private resourceVersion = 1000;
  private server!: Server;
  port = 0;

  private constructor(private readonly options: FakeApiServerOptions) {
    const groups = options.groups;
    this.types = allResourceTypes.filter((t) => t.group === '' || !groups || groups.includes(t.group));
    const objects = typeof options.seed === 'string' ? parseSeed(options.seed) : options.seed;
    for (const o of objects) this.add(o);
  }

  static async start(options: FakeApiServerOptions): Promise<FakeApiServer> {
    const s = new FakeApiServer(options);
    s.server = createServer((req, res) => s.handle(req, res));
    s.server.on('connection', (socket) => {
      s.sockets.add(socket);
      socket.on('close', () => s.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    const address = s.server.address();
    s.port = typeof address === 'object' && address ? address.port : 0;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops the server, cutting hung connections so that no test waits on them. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addFault(fault: Fault): void {
    this.faults.push({ ...fault, used: 0 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Resolves when a request whose path matches arrives (at once if one already has): a condition to wait on. */
  waitForRequest(path: RegExp): Promise<RecordedRequest> {
    const seen = this.requests.find((r) => path.test(r.path));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ path, resolve }));
  }

  /**
   * Writes a kubeconfig for this server into `dir` and returns its path. kubectl and client-node both talk plain
   * http only when the cluster entry says insecure-skip-tls-verify.
   */
  writeKubeconfig(dir: string, opts: { context?: string; token?: string; server?: string; file?: string } = {}): string {
    mkdirSync(dir, { recursive: true });
    const context = opts.context ?? 'fake';
    const token = opts.token ?? this.options.token ?? 'test-token';
    const file = join(dir, opts.file ?? 'kubeconfig');
    writeFileSync(file, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}-cluster`,
      '  cluster:',
      `    server: ${opts.server ?? this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}-user`,
      '  user:',
      `    token: ${token}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}-cluster`,
      `    user: ${context}-user`,
      '    namespace: default',
      `current-context: ${context}`,
      '',
    ].join('\n'));
    return file;
  }

  /** Adds or replaces an object, filling in the metadata the API server would set. */
  add(input: Json): void {
    const obj = structuredClone(input);
    const apiVersion = String(obj.apiVersion ?? '');
    const slash = apiVersion.indexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const type = allResourceTypes.find((t) => t.kind === obj.kind && t.group === group);
    if (!type) throw new Error(`fake API server: unknown kind ${String(obj.kind)} in ${apiVersion}`);
    const m = (obj.metadata ??= {}) as Json;
    const name = String(m.name ?? '');
    const ns = type.namespaced ? String(m.namespace ?? 'default') : '';
    if (type.namespaced) m.namespace = ns;
    m.uid ??= uuidFrom(`${storeKey(type, ns, name)}`);
    m.resourceVersion = String(++this.resourceVersion);
    m.creationTimestamp ??= '2025-01-01T00:00:00Z';
    if (type.kind === 'Pod') fillPodStatus(obj, this.store.size);
    this.store.set(storeKey(type, ns, name), { type, obj });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Request handling

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const accept = String(req.headers.accept ?? '');
    const authorization = String(req.headers.authorization ?? '');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, accept, authorization: authorization !== '' };
    this.requests.push(recorded);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (!this.waiters[i]!.path.test(url.pathname)) continue;
      this.waiters[i]!.resolve(recorded);
      this.waiters.splice(i, 1);
    }
    const fault = this.faults.find((f) => (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)) && (f.times === undefined || f.used < f.times));
    const respond = () => {
      if (fault?.drop) {
        req.socket.destroy();
        return;
      }
      if (fault?.hang) return;
      if (fault?.status) {
        sendStatus(res, fault.status, faultMessage(fault.status, url.pathname));
        return;
      }
      if (this.options.token !== undefined && authorization !== `Bearer ${this.options.token}`) {
        sendStatus(res, 401, 'Unauthorized');
        return;
      }
      try {
        this.route(req.method ?? 'GET', url, accept, res);
      } catch (e) {
        sendStatus(res, 500, `fake API server: ${(e as Error).message}`);
      }
    };
    if (fault) fault.used++;
    if (fault?.latencyMs) setTimeout(respond, fault.latencyMs);
    else respond();
  }

  private route(method: string, url: URL, accept: string, res: ServerResponse): void {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (method !== 'GET') {
      sendStatus(res, 405, `the fake API server is read-only: ${method} is not supported`);
      return;
    }
    if (path === '/version') {
      const gitVersion = this.options.gitVersion ?? 'v1.32.0';
      const [major, minor] = gitVersion.replace(/^v/, '').split('.');
      sendJson(res, 200, { major, minor, gitVersion, gitCommit: '0000000', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64' });
      return;
    }
    if (path === '/api' || path === '/apis') {
      this.discoveryRoot(path, accept, res);
      return;
    }
    const segments = path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 2) {
      group = '';
      version = segments[1]!;
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 3) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else {
      sendStatus(res, 404, 'the server could not find the requested resource');
      return;
    }
    const groupTypes = this.types.filter((t) => t.group === group && t.version === version);
    if (groupTypes.length === 0) {
      sendStatus(res, 404, 'the server could not find the requested resource');
      return;
    }
    if (rest.length === 0) {
      sendJson(res, 200, resourceList(group, version, groupTypes));
      return;
    }
    // [namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1]!;
      rest = rest.slice(2);
    }
    const type = groupTypes.find((t) => t.resource === rest[0]);
    if (!type || rest.length > 3 || (ns !== undefined && !type.namespaced)) {
      sendStatus(res, 404, 'the server could not find the requested resource');
      return;
    }
    const name = rest[1];
    const sub = rest[2];
    if (name === undefined) {
      this.list(type, ns, url.searchParams, accept, res);
      return;
    }
    if (type.namespaced && ns === undefined) {
      sendStatus(res, 404, 'the server could not find the requested resource');
      return;
    }
    const stored = this.objects(type, ns).find((o) => meta(o).name === name);
    if (!stored) {
      sendStatus(res, 404, `${type.resource}${type.group ? '.' + type.group : ''} "${name}" not found`, { name, group: type.group, kind: type.resource });
      return;
    }
    if (sub === undefined) {
      this.sendObject(type, stored, accept, res);
    } else if (sub === 'log' && type.kind === 'Pod') {
      this.podLog(stored, url.searchParams, res);
    } else {
      sendStatus(res, 404, 'the server could not find the requested resource');
    }
  }

  /** Objects of a type, stored and computed, in one namespace or all, sorted as etcd returns them. */
  private objects(type: ResourceType, ns: string | undefined): Json[] {
    let out: Json[] = [];
    for (const s of this.store.values()) {
      if (s.type !== type) continue;
      if (ns !== undefined && meta(s.obj).namespace !== ns) continue;
      out.push(s.obj);
    }
    if (type.kind === 'EndpointSlice' || type.kind === 'Endpoints') {
      out.push(...this.computedEndpoints(type.kind, ns));
    } else if (type.kind === 'Namespace') {
      out = this.namespaces().map((n) => this.store.get(storeKey(type, '', n))?.obj ?? namespaceObject(n));
    }
    return out.sort((a, b) => {
      const ka = `${String(meta(a).namespace ?? '')}/${String(meta(a).name)}`;
      const kb = `${String(meta(b).namespace ?? '')}/${String(meta(b).name)}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  private namespaces(): string[] {
    const set = new Set(['default', 'kube-system', 'kube-public']);
    for (const s of this.store.values()) {
      if (s.type.kind === 'Namespace') set.add(String(meta(s.obj).name));
      else if (s.type.namespaced) set.add(String(meta(s.obj).namespace));
    }
    return [...set].sort();
  }

  private list(type: ResourceType, ns: string | undefined, params: URLSearchParams, accept: string, res: ServerResponse): void {
    let items = this.objects(type, ns);
    const labelSelector = params.get('labelSelector');
    if (labelSelector) {
      const match = parseLabelSelector(labelSelector);
      if (!match) {
        sendStatus(res, 400, `unable to parse requirement: invalid label selector "${labelSelector}"`);
        return;
      }
      items = items.filter((o) => match(labelsOf(o)));
    }
    const fieldSelector = params.get('fieldSelector');
    if (fieldSelector) {
      const match = parseFieldSelector(fieldSelector);
      if (!match) {
        sendStatus(res, 400, `invalid field selector "${fieldSelector}"`);
        return;
      }
      items = items.filter(match);
    }
    // Paging: the continue token carries the offset into the sorted result, like the etcd key the real server uses.
    let offset = 0;
    const token = params.get('continue');
    if (token) {
      const decoded = decodeContinue(token);
      if (decoded === undefined) {
        sendStatus(res, 400, 'continue key is not valid: illegal base64 data');
        return;
      }
      offset = decoded;
    }
    const limit = Number(params.get('limit') ?? '0');
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const next = offset + page.length;
    const listMeta: Json = { resourceVersion: String(this.resourceVersion) };
    if (limit > 0 && next < items.length) {
      listMeta.continue = encodeContinue(next);
      listMeta.remainingItemCount = items.length - next;
    }
    const want = this.options.metadataLists === false && accept.includes('as=PartialObjectMetadata') ? 'json' : negotiate(accept, 'list');
    if (want === undefined) {
      sendStatus(res, 406, `only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io`);
      return;
    }
    if (want === 'table') {
      sendJson(res, 200, table(type, page, listMeta), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    } else if (want === 'metadata') {
      sendJson(res, 200, {
        kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta,
        items: page.map(partialMetadata),
      }, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io');
    } else {
      // Built-in lists omit kind/apiVersion on their items; custom resource lists keep them.
      const builtIn = !type.group.includes('traefik') && type.group !== 'cert-manager.io';
      sendJson(res, 200, {
        kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: listMeta,
        items: page.map((o) => (builtIn ? withoutTypeMeta(o) : o)),
      });
    }
  }

  private sendObject(type: ResourceType, obj: Json, accept: string, res: ServerResponse): void {
    const want = negotiate(accept, 'object');
    if (want === undefined) {
      sendStatus(res, 406, 'only the following media types are accepted: application/json');
    } else if (want === 'table') {
      sendJson(res, 200, table(type, [obj], { resourceVersion: String(this.resourceVersion) }), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    } else if (want === 'metadata') {
      sendJson(res, 200, partialMetadata(obj), 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io');
    } else {
      sendJson(res, 200, { apiVersion: apiVersionOf(type), kind: type.kind, ...obj });
    }
  }

  private podLog(pod: Json, params: URLSearchParams, res: ServerResponse): void {
    const m = meta(pod);
    const containers = ((pod.spec as Json | undefined)?.containers ?? []) as Json[];
    const names = containers.map((c) => String(c.name));
    let container = params.get('container');
    if (!container) {
      if (names.length !== 1) {
        sendStatus(res, 400, `a container name must be specified for pod ${String(m.name)}, choose one of: [${names.join(' ')}]`);
        return;
      }
      container = names[0]!;
    } else if (!names.includes(container)) {
      sendStatus(res, 400, `container ${container} is not valid for pod ${String(m.name)}`);
      return;
    }
    const logs = this.options.logs ?? {};
    const text = logs[`${String(m.namespace)}/${String(m.name)}/${container}`] ?? logs[`${String(m.namespace)}/${String(m.name)}`] ?? '';
    let lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const tail = params.get('tailLines');
    if (tail !== null && Number(tail) >= 0) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    let body = lines.map((l) => l + '\n').join('');
    const limitBytes = Number(params.get('limitBytes') ?? '0');
    if (limitBytes > 0) body = Buffer.from(body).subarray(0, limitBytes).toString();
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(body);
  }

  private discoveryRoot(path: '/api' | '/apis', accept: string, res: ServerResponse): void {
    const aggregated = this.options.aggregatedDiscovery !== false && aggregatedVersion(accept);
    const types = this.types.filter((t) => (path === '/api' ? t.group === '' : t.group !== ''));
    if (aggregated) {
      sendJson(res, 200, aggregatedList(types, aggregated), `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`);
    } else if (path === '/api') {
      sendJson(res, 200, {
        kind: 'APIVersions', versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
      });
    } else {
      const groups = [...new Set(types.map((t) => t.group))];
      sendJson(res, 200, {
        kind: 'APIGroupList', apiVersion: 'v1',
        groups: groups.map((g) => {
          const version = types.find((t) => t.group === g)!.version;
          return { name: g, versions: [{ groupVersion: `${g}/${version}`, version }], preferredVersion: { groupVersion: `${g}/${version}`, version } };
        }),
      });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // The endpoint controllers

  /**
   * EndpointSlices or Endpoints for every Service with a selector, computed from the current Pods the way
   * kube-controller-manager does (pkg/controller/endpointslice and pkg/controller/endpoint):
   * - same-namespace Pods whose labels contain the selector, that have an IP and have not finished;
   * - ports resolved per Pod from targetPort (a number as is, a name through the Pod's container ports with the
   *   same protocol, absent = port); a Pod lacking a named port is left out of that port;
   * - slices: serving = the Pod is Ready, terminating = deletionTimestamp set, ready = publishNotReadyAddresses or
   *   (serving and not terminating); endpoints with the same resolved ports share a slice, and a Service that selects
   *   nothing still gets one empty placeholder slice;
   * - Endpoints: terminating Pods are left out unless publishNotReadyAddresses; unready Pods go to
   *   notReadyAddresses; subsets are repacked like RepackSubsets (ports grouped by identical address sets).
   * Slices are not split at 100 endpoints, which no test needs.
   */
  private computedEndpoints(kind: 'EndpointSlice' | 'Endpoints', ns: string | undefined): Json[] {
    const out: Json[] = [];
    const serviceType = this.types.find((t) => t.kind === 'Service')!;
    const podType = this.types.find((t) => t.kind === 'Pod')!;
    const pods = this.objects(podType, ns);
    for (const svc of this.objects(serviceType, ns)) {
      const spec = (svc.spec ?? {}) as Json;
      const selector = spec.selector as Record<string, string> | undefined;
      if (!selector || Object.keys(selector).length === 0 || spec.type === 'ExternalName') continue;
      const m = meta(svc);
      const svcNs = String(m.namespace);
      const svcName = String(m.name);
      const publishNotReady = spec.publishNotReadyAddresses === true;
      const servicePorts = ((spec.ports ?? []) as Json[]);
      const members: { pod: Json; ports: Json[]; serving: boolean; terminating: boolean }[] = [];
      for (const pod of pods) {
        const pm = meta(pod);
        if (pm.namespace !== svcNs || !matchesSelector(labelsOf(pod), selector)) continue;
        const status = (pod.status ?? {}) as Json;
        if (status.phase === 'Succeeded' || status.phase === 'Failed' || !status.podIP) continue;
        const ports: Json[] = [];
        for (const sp of servicePorts) {
          const port = resolveTargetPort(pod, sp);
          if (port !== undefined) ports.push({ name: String(sp.name ?? ''), port, protocol: String(sp.protocol ?? 'TCP') });
        }
        members.push({ pod, ports, serving: isPodReady(pod), terminating: pm.deletionTimestamp !== undefined && pm.deletionTimestamp !== null });
      }
      const targetRef = (pod: Json) => ({ kind: 'Pod', namespace: svcNs, name: String(meta(pod).name), uid: String(meta(pod).uid) });
      const nodeName = (pod: Json) => ((pod.spec ?? {}) as Json).nodeName;
      const podIP = (pod: Json) => String(((pod.status ?? {}) as Json).podIP);
      const labels = { ...labelsOf(svc) };
      if (kind === 'Endpoints') {
        // RepackSubsets: for each port the addresses offering it, then ports grouped by identical address sets.
        const byPort = new Map<string, { port: Json; addresses: Map<string, { address: Json; ready: boolean }> }>();
        for (const mem of members) {
          if (mem.terminating && !publishNotReady) continue;
          const address: Json = { ip: podIP(mem.pod), targetRef: targetRef(mem.pod) };
          if (nodeName(mem.pod)) address.nodeName = nodeName(mem.pod);
          for (const port of mem.ports) {
            const key = JSON.stringify(port);
            let entry = byPort.get(key);
            if (!entry) byPort.set(key, (entry = { port, addresses: new Map() }));
            entry.addresses.set(String(address.ip), { address, ready: publishNotReady || mem.serving });
          }
        }
        const bySet = new Map<string, { addresses: { address: Json; ready: boolean }[]; ports: Json[] }>();
        for (const { port, addresses } of byPort.values()) {
          const list = [...addresses.values()].sort((a, b) => String(a.address.ip).localeCompare(String(b.address.ip)));
          const key = JSON.stringify(list.map((a) => [a.address.ip, a.ready]));
          let entry = bySet.get(key);
          if (!entry) bySet.set(key, (entry = { addresses: list, ports: [] }));
          entry.ports.push(port);
        }
        const subsets = [...bySet.values()].map((g) => {
          const subset: Json = {};
          const ready = g.addresses.filter((a) => a.ready).map((a) => a.address);
          const notReady = g.addresses.filter((a) => !a.ready).map((a) => a.address);
          if (ready.length > 0) subset.addresses = ready;
          if (notReady.length > 0) subset.notReadyAddresses = notReady;
          subset.ports = g.ports.sort((a, b) => String(a.name).localeCompare(String(b.name)));
          return subset;
        });
        const endpoints: Json = {
          metadata: { name: svcName, namespace: svcNs, uid: uuidFrom(`endpoints/${svcNs}/${svcName}`), resourceVersion: String(this.resourceVersion), creationTimestamp: m.creationTimestamp, labels },
        };
        if (subsets.length > 0) endpoints.subsets = subsets;
        out.push(endpoints);
        continue;
      }
      const groups = new Map<string, { ports: Json[]; endpoints: Json[] }>();
      for (const mem of members) {
        const key = JSON.stringify(mem.ports);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { ports: mem.ports, endpoints: [] }));
        const endpoint: Json = {
          addresses: [podIP(mem.pod)],
          conditions: { ready: publishNotReady || (mem.serving && !mem.terminating), serving: mem.serving, terminating: mem.terminating },
          targetRef: targetRef(mem.pod),
        };
        if (nodeName(mem.pod)) endpoint.nodeName = nodeName(mem.pod);
        g.endpoints.push(endpoint);
      }
      const sliceGroups = groups.size > 0 ? [...groups.values()] : [{ ports: [] as Json[], endpoints: [] as Json[] }];
      sliceGroups.forEach((g, i) => {
        const name = `${svcName}-${shortHash(`${String(m.uid)}/${i}`, 5)}`;
        out.push({
          metadata: {
            name, generateName: `${svcName}-`, namespace: svcNs,
            uid: uuidFrom(`endpointslice/${svcNs}/${name}`), resourceVersion: String(this.resourceVersion), creationTimestamp: m.creationTimestamp,
            labels: { ...labels, 'kubernetes.io/service-name': svcName, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
            ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svcName, uid: String(m.uid), controller: true, blockOwnerDeletion: true }],
          },
          addressType: 'IPv4',
          endpoints: g.endpoints.length > 0 ? g.endpoints : null,
          ports: g.ports.length > 0 ? g.ports : null,
        });
      });
    }
    return out;
  }
}

// -------------------------------------------------------------------------------------------------------------
// Helpers: seeding, selectors, media types, bodies

function parseSeed(text: string): Json[] {
  const out: Json[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`fake API server: bad seed YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJSON() as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as Json);
  }
  return out;
}

function uuidFrom(s: string): string {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A Pod seeded without status is Running and Ready with an IP, like one a Deployment started long ago. */
function fillPodStatus(pod: Json, n: number): void {
  const status = (pod.status ??= {}) as Json;
  status.phase ??= 'Running';
  if (status.phase === 'Running' || status.phase === 'Pending') {
    status.podIP ??= `10.244.0.${(n % 250) + 2}`;
    status.podIPs ??= [{ ip: status.podIP }];
  }
  status.conditions ??= [{ type: 'Ready', status: status.phase === 'Running' ? 'True' : 'False' }];
  const containers = (((pod.spec ?? {}) as Json).containers ?? []) as Json[];
  const ready = isPodReady(pod);
  status.containerStatuses ??= containers.map((c) => ({
    name: c.name, image: c.image, imageID: '', ready, restartCount: 0, started: ready,
    // A Running Pod's containers run even when a readiness probe fails; only a Pending one is still being created.
    state: status.phase === 'Running' ? { running: { startedAt: '2025-01-01T00:00:00Z' } } : { waiting: { reason: 'ContainerCreating' } },
  }));
}

function isPodReady(pod: Json): boolean {
  const conditions = (((pod.status ?? {}) as Json).conditions ?? []) as Json[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function resolveTargetPort(pod: Json, servicePort: Json): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of (((pod.spec ?? {}) as Json).containers ?? []) as Json[]) {
    for (const p of (c.ports ?? []) as Json[]) {
      if (p.name === target && (p.protocol ?? 'TCP') === (servicePort.protocol ?? 'TCP')) return Number(p.containerPort);
    }
  }
  return undefined;
}

function matchesSelector(labels: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Label selector syntax: k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), joined by commas. */
export function parseLabelSelector(s: string): ((labels: Record<string, string>) => boolean) | undefined {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const tests: ((l: Record<string, string>) => boolean)[] = [];
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const key = m[1]!;
      const values = m[3]!.split(',').map((v) => v.trim());
      const negate = m[2] === 'notin';
      tests.push((l) => (key in l && values.includes(l[key]!)) !== negate);
    } else if ((m = p.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = p.match(/^!([\w./-]+)$/))) {
      const key = m[1]!;
      tests.push((l) => !(key in l));
    } else if ((m = p.match(/^([\w./-]+)$/))) {
      const key = m[1]!;
      tests.push((l) => key in l);
    } else {
      return undefined;
    }
  }
  return (l) => tests.every((t) => t(l));
}

/** Field selectors: dotted paths with =, == or !=, joined by commas (metadata.name, involvedObject.name, reason, …). */
function parseFieldSelector(s: string): ((o: Json) => boolean) | undefined {
  const tests: ((o: Json) => boolean)[] = [];
  for (const raw of s.split(',')) {
    const m = raw.trim().match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) return undefined;
    const [, path, op, value] = m as unknown as [string, string, string, string];
    const read = (o: Json): string => {
      let cur: unknown = o;
      for (const step of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Json)[step] : undefined;
      return cur === undefined || cur === null ? '' : String(cur);
    };
    tests.push(op === '!=' ? (o) => read(o) !== value : (o) => read(o) === value);
  }
  return (o) => tests.every((t) => t(o));
}

function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ v: 'fake.k8s.io/v1', start: offset })).toString('base64');
}

function decodeContinue(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString()) as { start?: unknown };
    return typeof parsed.start === 'number' && parsed.start >= 0 ? parsed.start : undefined;
  } catch {
    return undefined;
  }
}

/** Which representation the Accept header asks for first among those served; undefined when none is acceptable. */
function negotiate(accept: string, shape: 'list' | 'object'): 'json' | 'table' | 'metadata' | undefined {
  if (accept.trim() === '') return 'json';
  for (const part of accept.split(',')) {
    const [mediaType, ...paramList] = part.split(';').map((s) => s.trim());
    const params = Object.fromEntries(paramList.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    if (mediaType !== 'application/json' && mediaType !== '*/*') continue;
    if (params.as === undefined) return 'json';
    if (params.g !== 'meta.k8s.io' || params.v !== 'v1') continue;
    if (params.as === 'Table') return 'table';
    if (params.as === (shape === 'list' ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return 'metadata';
  }
  return undefined;
}

/** The aggregated discovery version asked for ('v2' preferred, then 'v2beta1'), if any. */
function aggregatedVersion(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const part of accept.split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList') || !part.includes('g=apidiscovery.k8s.io')) continue;
    if (/v=v2(;|$)/.test(part.replace(/\s/g, ''))) return 'v2';
    if (part.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

function resourceList(group: string, version: string, types: ResourceType[]): Json {
  const resources: Json[] = [];
  for (const t of types) {
    const r: Json = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs };
    if (t.shortNames) r.shortNames = t.shortNames;
    if (t.categories) r.categories = t.categories;
    resources.push(r);
    for (const sub of t.subresources ?? []) resources.push({ name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function aggregatedList(types: ResourceType[], version: 'v2' | 'v2beta1'): Json {
  const groups = [...new Set(types.map((t) => t.group))];
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: groups.map((g) => {
      const inGroup = types.filter((t) => t.group === g);
      const groupMeta: Json = { creationTimestamp: null };
      if (g) groupMeta.name = g;
      return {
        metadata: groupMeta,
        versions: [{
          version: inGroup[0]!.version,
          freshness: 'Current',
          resources: inGroup.map((t) => {
            const r: Json = {
              resource: t.resource, singularResource: t.singular, scope: t.namespaced ? 'Namespaced' : 'Cluster',
              responseKind: { group: t.group, version: t.version, kind: t.kind }, verbs,
            };
            if (t.shortNames) r.shortNames = t.shortNames;
            if (t.categories) r.categories = t.categories;
            if (t.subresources) {
              r.subresources = t.subresources.map((s) => ({ subresource: s, responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] }));
            }
            return r;
          }),
        }],
      };
    }),
  };
}

function withoutTypeMeta(o: Json): Json {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
  return rest;
}

function partialMetadata(o: Json): Json {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta(o) };
}

function namespaceObject(name: string): Json {
  return {
    metadata: { name, uid: uuidFrom(`namespace/${name}`), resourceVersion: '1', creationTimestamp: '2025-01-01T00:00:00Z', labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  };
}

/** A server-side Table as kubectl's default output asks for: Name and Age, plus Ready/Status for Pods. */
function table(type: ResourceType, objects: Json[], listMeta: Json): Json {
  const columns: Json[] = [{ name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 }];
  if (type.kind === 'Pod') {
    columns.push({ name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 });
    columns.push({ name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 });
  }
  columns.push({ name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 });
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions: columns,
    rows: objects.map((o) => {
      const cells: unknown[] = [meta(o).name];
      if (type.kind === 'Pod') {
        const statuses = (((o.status ?? {}) as Json).containerStatuses ?? []) as Json[];
        cells.push(`${statuses.filter((s) => s.ready === true).length}/${statuses.length}`);
        cells.push(((o.status ?? {}) as Json).phase ?? 'Unknown');
      }
      cells.push('1d');
      return { cells, object: partialMetadata(o) };
    }),
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const reasons: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable',
};

function sendStatus(res: ServerResponse, code: number, message: string, details?: Json): void {
  const body: Json = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reasons[code] ?? 'Unknown', code };
  if (details) body.details = details;
  sendJson(res, code, body);
}

/** The message a real API server gives for an injected status, naming the resource for 403s like RBAC does. */
function faultMessage(status: number, path: string): string {
  if (status === 401) return 'Unauthorized';
  if (status === 403) {
    const m = path.match(/^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)/);
    const group = m?.[1] ?? '';
    const ns = m?.[2];
    const resource = m?.[3] ?? 'resource';
    return `${resource}${group ? '.' + group : ''} is forbidden: User "system:serviceaccount:test:reader" cannot list resource "${resource}" in API group "${group}"${ns ? ` in the namespace "${ns}"` : ' at the cluster scope'}`;
  }
  if (status === 404) return 'the server could not find the requested resource';
  if (status >= 500) return 'etcdserver: request timed out';
  return `injected status ${status}`;
}

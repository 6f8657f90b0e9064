/**
 * What Route Doctor read from a live cluster, as plain JSON-serialisable data. server/src/cluster/ builds it; the
 * pure comparison in this folder consumes it; the language server can return it unchanged in a typed request.
 *
 * Only the fields the diagnosis needs are kept, so a snapshot stays small even for busy namespaces. Secrets and
 * cert-manager Certificates are metadata only: Secret data is never requested, so it cannot be here.
 */

export type StringMap = Record<string, string>;

export interface LiveContainerPort {
  name?: string;
  containerPort: number;
  protocol: string;
}

export interface LiveContainer {
  name: string;
  image: string;
  args: string[];
  command: string[];
  ports: LiveContainerPort[];
}

export interface LivePod {
  namespace: string;
  name: string;
  labels: StringMap;
  phase: string;
  /** The Pod's Ready condition is True. */
  ready: boolean;
  /** The Ready condition's reason and message when it is not True (e.g. "ContainersNotReady"). */
  notReadyReason?: string;
  podIP?: string;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
  containers: LiveContainer[];
  /** Per container: ready, restarts, and why it is waiting or terminated (CrashLoopBackOff, ImagePullBackOff, …). */
  containerStatuses: { name: string; ready: boolean; restartCount: number; state?: string }[];
}

export interface LiveServicePort {
  name?: string;
  port: number;
  /** A number, a container port name, or absent (= port). */
  targetPort?: number | string;
  protocol: string;
}

export interface LiveService {
  namespace: string;
  name: string;
  labels: StringMap;
  type: string;
  /** Undefined when the Service has no selector (its endpoints are managed by hand). */
  selector?: StringMap;
  clusterIP?: string;
  externalName?: string;
  publishNotReadyAddresses: boolean;
  ports: LiveServicePort[];
}

export interface LiveEndpoint {
  addresses: string[];
  /** The conditions as the API returned them; absent means nil, which consumers interpret differently. */
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  /** The Pod behind the endpoint, when targetRef names one. */
  pod?: string;
}

export interface LiveEndpointSlice {
  namespace: string;
  name: string;
  /** The kubernetes.io/service-name label: the Service this slice belongs to. */
  serviceName?: string;
  addressType: string;
  /** A port's name is null when the API gives none (Traefik never matches such a port). */
  ports: { name: string | null; port?: number; protocol: string }[];
  endpoints: LiveEndpoint[];
  creationTimestamp?: string;
}

/** A core/v1 Endpoints object (used when the cluster does not serve discovery.k8s.io/v1 EndpointSlices). */
export interface LiveEndpoints {
  namespace: string;
  name: string;
  subsets: {
    addresses: { ip: string; pod?: string }[];
    notReadyAddresses: { ip: string; pod?: string }[];
    ports: { name?: string; port: number; protocol: string }[];
  }[];
}

export interface LiveWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  labels: StringMap;
  /** spec.selector.matchLabels. */
  selector: StringMap;
  templateLabels: StringMap;
  containers: LiveContainer[];
  replicas?: number;
  readyReplicas?: number;
}

/** An object whose spec is compared as JSON: Traefik's CRDs and Ingresses. */
export interface LiveCustomObject {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  labels: StringMap;
  spec: unknown;
}

/** An object read as metadata only (Secrets, Certificates). */
export interface LiveObjectMeta {
  kind: string;
  namespace: string;
  name: string;
  labels: StringMap;
}

export interface LiveEvent {
  namespace: string;
  involvedKind: string;
  involvedName: string;
  reason: string;
  message: string;
  type: string;
  count: number;
  lastTimestamp?: string;
}

/** A Deployment or DaemonSet running Traefik, with its Pods (whose logs were read). */
export interface TraefikInstance {
  kind: 'Deployment' | 'DaemonSet';
  namespace: string;
  name: string;
  /** The Traefik container's image and arguments: the version and the provider options come from them. */
  image: string;
  args: string[];
  container: string;
  pods: string[];
}

export interface LogExcerpt {
  namespace: string;
  pod: string;
  container: string;
  /** The last lines of the log, oldest first. */
  lines: string[];
}

/** What discovery said the API server serves. */
export interface DiscoveryInfo {
  /** Server version, e.g. "v1.32.0". */
  gitVersion?: string;
  /** Served API groups (core is ""), each with its versions. */
  groups: Record<string, string[]>;
  /** For each served Traefik group/version, the resources (plural names) it serves. */
  traefik: { group: string; version: string; resources: string[] }[];
  /** discovery.k8s.io/v1 serves endpointslices. */
  endpointSlices: boolean;
}

/** Whether one list (a resource in a namespace, '' for cluster-wide) was read, so the comparison never guesses. */
export interface ListRead {
  /** Plural resource, qualified by group unless core or apps: "pods", "deployments", "ingressroutes.traefik.io". */
  resource: string;
  namespace: string;
  status: 'ok' | 'partial' | 'failed' | 'not-served';
  items: number;
}

export type SnapshotProblemCode =
  | 'no-kubeconfig' | 'bad-kubeconfig' | 'unknown-context'
  | 'unreachable' | 'tls' | 'timeout' | 'unauthorized' | 'forbidden' | 'not-served' | 'not-acceptable'
  | 'server-error' | 'bad-response' | 'truncated' | 'cancelled' | 'traefik-not-found';

/** Something that went wrong while reading; the snapshot holds whatever else could be read. */
export interface SnapshotProblem {
  code: SnapshotProblemCode;
  /** A full sentence for a person: what failed, why, and what to try. */
  message: string;
  /** The resource concerned, e.g. "pods" or "ingressroutes.traefik.io". */
  resource?: string;
  namespace?: string;
  /** True when nothing more could be read (no kubeconfig, server unreachable, credentials refused, cancelled). */
  fatal: boolean;
}

export interface ClusterSnapshot {
  /** Version of this shape, for consumers that store or forward it. */
  schema: 1;
  context: string;
  /** The API server URL (without credentials). */
  server: string;
  /** ISO 8601 time the snapshot was started. */
  takenAt: string;
  /** Namespaces read. */
  namespaces: string[];
  discovery: DiscoveryInfo;
  pods: LivePod[];
  services: LiveService[];
  endpointSlices: LiveEndpointSlice[];
  endpoints: LiveEndpoints[];
  workloads: LiveWorkload[];
  ingresses: LiveCustomObject[];
  traefikObjects: LiveCustomObject[];
  secrets: LiveObjectMeta[];
  certificates: LiveObjectMeta[];
  traefik: TraefikInstance[];
  logs: LogExcerpt[];
  /** Readiness-probe failures (and other Unhealthy events) of Pods that are not ready. */
  events: LiveEvent[];
  reads: ListRead[];
  problems: SnapshotProblem[];
}

/** The resource name used in ListRead and SnapshotProblem: plural, qualified by group except core and apps. */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' || group === 'apps' ? resource : `${resource}.${group}`;
}

/** How a list was read in a namespace: a namespace-wide read, or failing that a cluster-wide one. */
export function readStatus(snapshot: ClusterSnapshot, resource: string, namespace: string): ListRead['status'] | undefined {
  let clusterWide: ListRead['status'] | undefined;
  for (const r of snapshot.reads) {
    if (r.resource !== resource) continue;
    if (r.namespace === namespace) return r.status;
    if (r.namespace === '') clusterWide = r.status;
  }
  return clusterWide;
}

/** True when a list was read completely in that namespace, so the absence of an object there is a fact. */
export function wasRead(snapshot: ClusterSnapshot, resource: string, namespace: string): boolean {
  return readStatus(snapshot, resource, namespace) === 'ok';
}

export function emptySnapshot(context: string, server: string, takenAt: string): ClusterSnapshot {
  return {
    schema: 1, context, server, takenAt, namespaces: [],
    discovery: { groups: {}, traefik: [], endpointSlices: false },
    pods: [], services: [], endpointSlices: [], endpoints: [], workloads: [], ingresses: [], traefikObjects: [],
    secrets: [], certificates: [], traefik: [], logs: [], events: [], reads: [], problems: [],
  };
}

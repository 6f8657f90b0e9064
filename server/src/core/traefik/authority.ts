/**
 * When the workspace can prove that an object is missing. Repositories rarely hold everything a cluster runs:
 * Services, Middlewares and TLSOptions often come from Helm charts, operators or another repository, and a
 * reference to one of those must not be reported. The workspace speaks for a kind of object in a namespace when
 * it holds objects of that kind there, or when Traefik cannot read that namespace at all; and it speaks for every
 * namespace when it is a copy of a cluster's state, which shows in endpoint objects that only Kubernetes
 * controllers write (EndpointSlices or Endpoints of Services that select Pods). Traefik's own test fixtures
 * are such copies.
 */
import type { IndexView } from '../analyze';
import { derived } from '../index/derived';
import { serviceSelector } from '../k8s/endpoints';
import type { TraefikEnv } from './issues';
import { normalize } from './names';
import { isWatchedNamespace } from './visibility';

export type EndpointKind = 'EndpointSlice' | 'Endpoints';

const serviceNameLabel = 'kubernetes.io/service-name';

/** The name of the Service an EndpointSlice or Endpoints object belongs to. */
export function endpointsServiceName(object: { kind: string; name: string; labels: Record<string, string> }): string | undefined {
  return object.kind === 'EndpointSlice' ? object.labels[serviceNameLabel] : object.name;
}

/** True when `namespace` holds endpoint objects of `kind` that Kubernetes controllers wrote. */
export function holdsClusterEndpoints(env: TraefikEnv, namespace: string, kind: EndpointKind): boolean {
  return derived(env.index, holdsClusterEndpointsIn, namespace, kind);
}

function holdsClusterEndpointsIn(index: IndexView, namespace: string, kind: EndpointKind): boolean {
  return index.inNamespace(kind, namespace).some((object) => controllerWritten(index, object));
}

function controllerWritten(index: IndexView, object: { kind: string; name: string; namespace: string; labels: Record<string, string> }): boolean {
  const serviceName = endpointsServiceName(object);
  return !!serviceName && index.find('Service', object.namespace, serviceName).some((s) => serviceSelector(s) !== undefined);
}

/**
 * True when the workspace is a copy of a cluster's state: it holds controller-written endpoint objects. It reads
 * every endpoint object, so it is computed once per state of the index.
 */
export function isClusterSnapshot(env: TraefikEnv): boolean {
  return derived(env.index, clusterSnapshotIn);
}

function clusterSnapshotIn(index: IndexView): boolean {
  return (['EndpointSlice', 'Endpoints'] as const).some((kind) => index.ofKind(kind).some((object) => controllerWritten(index, object)));
}

/** Whether a missing `kind` named in `namespace` is really missing. */
export function speaksFor(env: TraefikEnv, kind: string, namespace: string): boolean {
  return !isWatchedNamespace(env.options, namespace) || env.index.inNamespace(kind, namespace).length > 0 || isClusterSnapshot(env);
}

/**
 * Whether a missing `kind` with the Traefik id `id` (`<namespace>-<name>`, from a `…@kubernetescrd` name) is
 * really missing. Both parts of an id may contain dashes, so its namespace is any namespace the id starts with.
 */
export function speaksForId(env: TraefikEnv, kind: string, id: string): boolean {
  const startsWith = (namespace: string) => id.startsWith(`${normalize(namespace)}-`);
  const watched = env.options.namespaces;
  if (watched && watched.length > 0 && !watched.some(startsWith)) return true;
  return env.index.ofKind(kind).some((object) => startsWith(object.namespace)) || isClusterSnapshot(env);
}

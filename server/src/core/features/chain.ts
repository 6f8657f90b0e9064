/**
 * The IngressRoute → Service → Pods chain as the features present it: the container port behind a Service port,
 * and the names Traefik gives the routers and services it builds (so that hovers quote what Traefik's dashboard and
 * logs show).
 */
import { readWorkload, findNamedPort, workloadKinds } from '../k8s/workloads';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { Resource } from '../model';
import { selectedWorkloads } from '../refs/resolve';
import type { ServicePort } from '../traefik/kubernetes';
import { normalize } from '../traefik/names';
import { sha256Hex } from './sha256';

/**
 * The container port a Service port sends traffic to: its numeric targetPort, its own number when it has none, or
 * the container port a named targetPort resolves to in the selected workloads (in any workload of the namespace when
 * the selector matches none, as a named port there is still the best evidence of what was meant).
 */
export function containerPortOf(index: WorkspaceIndex, service: Resource, port: ServicePort): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (port.targetPort === undefined) return port.port;
  const selected = selectedWorkloads(index, service).matched;
  const workloads = selected.length > 0 ? selected : workloadKinds.flatMap((kind) => index.inNamespace(kind, service.namespace));
  for (const w of workloads) {
    const containers = readWorkload(w)?.template?.containers;
    const found = containers && findNamedPort(containers, port.targetPort, port.protocol);
    if (found?.port.containerPort !== undefined) return found.port.containerPort;
  }
  return undefined;
}

/**
 * The router Traefik's CRD provider builds for one route of an IngressRoute: `Normalize(<namespace>-<name>-<the
 * first 10 bytes of SHA-256(match), in hex>)` (`makeServiceKey` and `makeID` in Traefik's kubernetes_http.go).
 */
export function ingressRouteRouterName(route: Resource, match: string): string {
  return normalize(`${route.namespace}-${route.name}-${sha256Hex(match).slice(0, 20)}`);
}

/** The service Traefik builds for a reference to a Kubernetes Service: `Normalize(<namespace>-<name>-<port>)`. */
export function kubernetesServiceName(namespace: string, name: string, port: number | string | undefined): string {
  return normalize(port === undefined || port === '' || port === 0 ? `${namespace}-${name}` : `${namespace}-${name}-${port}`);
}

/** The router Traefik's Ingress provider builds for one path: `Normalize(<namespace>-<name>-<host><path>)`. */
export function ingressRouterName(ingress: Resource, host: string, path: string): string {
  return normalize(`${ingress.namespace}-${ingress.name}-${host}${path}`);
}

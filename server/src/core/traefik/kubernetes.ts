/**
 * The Kubernetes objects Traefik's CRD provider reads, seen the way it reads them: Service ports matched by
 * number or by name, Secrets by their keys.
 */
import { findSecretSource } from '../k8s/secrets';
import type { Resource, YMap, YNode } from '../model';
import { asMap, asScalar, get, items, str } from '../parse/ynode';
import { isClusterSnapshot } from './authority';
import type { TraefikEnv } from './issues';
import { ignoredBecause, isWatchedNamespace } from './visibility';

export interface ServicePort {
  node: YMap;
  port?: number;
  /** The port's name; '' when it has none (Traefik compares names as plain strings). */
  name: string;
  targetPort?: number | string;
  /** TCP unless the manifest says otherwise, as the API server defaults it. */
  protocol: string;
}

/** The ports of each Service object, read once: every reference to the Service matches its port among them. */
const portsOf = new WeakMap<Resource, readonly ServicePort[]>();

/** The Service's `spec.ports`, as Traefik matches them. Shared: never mutate the list or its entries. */
export function servicePorts(service: Resource): readonly ServicePort[] {
  let ports = portsOf.get(service);
  if (!ports) portsOf.set(service, (ports = readServicePorts(service)));
  return ports;
}

function readServicePorts(service: Resource): ServicePort[] {
  const ports: ServicePort[] = [];
  for (const item of items(get(service.root, 'spec', 'ports'))) {
    const node = asMap(item);
    if (!node) continue;
    const port = asScalar(get(node, 'port'))?.value;
    const targetPort = asScalar(get(node, 'targetPort'))?.value;
    ports.push({
      node,
      port: typeof port === 'number' ? port : undefined,
      name: str(get(node, 'name')) ?? '',
      targetPort: typeof targetPort === 'number' || typeof targetPort === 'string' ? targetPort : undefined,
      protocol: str(get(node, 'protocol')) ?? 'TCP',
    });
  }
  return ports;
}

/** `spec.type`, ClusterIP when absent. */
export function serviceType(service: Resource): string {
  return str(get(service.root, 'spec', 'type')) ?? 'ClusterIP';
}

/**
 * A service reference's `port` as Traefik's IntOrString sees it: a YAML number is a port number, anything
 * written as a string (including a quoted "80") is a port name. Zero, '' and a missing port are "not defined".
 */
export function referencedPort(node: YNode | undefined): number | string | undefined {
  const value = asScalar(node)?.value;
  if (typeof value === 'number') return value === 0 ? undefined : value;
  if (typeof value === 'string') return value === '' ? undefined : value;
  return undefined;
}

/** Traefik's `getServicePort` match: a number against `spec.ports[].port`, a string against `.name`. */
export function matchServicePort(ports: readonly ServicePort[], wanted: number | string): ServicePort | undefined {
  return ports.find((p) => (typeof wanted === 'number' ? p.port === wanted : p.name === wanted));
}

/** A port for messages: `80 (web)`. */
export function describePort(port: ServicePort): string {
  if (port.port === undefined) return port.name ? `"${port.name}"` : '(no port)';
  return port.name ? `${port.port} (${port.name})` : `${port.port}`;
}

export function portsData(ports: readonly ServicePort[]): { port?: number; name: string; targetPort?: number | string }[] {
  return ports.map((p) => ({ port: p.port, name: p.name, targetPort: p.targetPort }));
}

/**
 * The keys of a Secret's `data` and `stringData` (Kubernetes merges stringData into data), or undefined when
 * the manifest has neither, because then its content is written elsewhere and cannot be checked.
 */
export function secretKeys(secret: Resource): string[] | undefined {
  const data = asMap(get(secret.root, 'data'));
  const stringData = asMap(get(secret.root, 'stringData'));
  if (!data && !stringData) return undefined;
  return [...new Set([...(data?.pairs ?? []), ...(stringData?.pairs ?? [])].map((p) => p.key))];
}

export type SecretLookup =
  /** The Secret exists, or an object in the workspace creates it; `secret` is set when the Secret itself is there. */
  | { state: 'exists'; secret?: Resource }
  /** The workspace manages Secrets in this namespace (or Traefik cannot read the one there), and this one is missing. */
  | { state: 'missing'; known: string[]; note: string }
  /** The workspace does not speak for this namespace's Secrets: they are created elsewhere. */
  | { state: 'unknown' };

/**
 * Whether Traefik can read Secret namespace/name. The workspace only speaks for namespaces where it manages
 * secret material (see `findSecretSource`), or for all of them when it is a copy of a cluster's state. Traefik
 * itself cannot read Secrets outside its watched namespaces or labelled owner=helm.
 */
export function lookupSecret(env: TraefikEnv, namespace: string, name: string): SecretLookup {
  if (!isWatchedNamespace(env.options, namespace)) {
    return { state: 'missing', known: [], note: `Traefik does not watch namespace ${namespace}.` };
  }
  const source = findSecretSource(env.index, namespace, name);
  if (source.state === 'missing') return { state: 'missing', known: source.known, note: '' };
  if (source.state === 'unknown') return isClusterSnapshot(env) ? { state: 'missing', known: [], note: '' } : source;
  const ignored = ignoredBecause(env, source.resource);
  if (ignored) return { state: 'missing', known: [], note: `Secret ${namespace}/${name} exists, but ${ignored.reason}.` };
  return source.resource.kind === 'Secret' ? { state: 'exists', secret: source.resource } : { state: 'exists' };
}

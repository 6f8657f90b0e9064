/**
 * Whether Traefik finds servers for one port of a Service. Traefik reads EndpointSlices (v3) or Endpoints (v2)
 * and never looks at Pods. When the workspace ships those objects they are used with Traefik's exact rules.
 *
 * Their absence only means "no servers" when the workspace is evidently a copy of the cluster's state for that
 * namespace: it holds endpoint objects for other Services that select Pods, which only controllers write.
 * Real repositories never ship such objects, so otherwise the EndpointSlice controller's outcome is predicted
 * from the workloads, and a Service is reported only when that prediction is certain.
 */
import type { IndexView } from '../analyze';
import { derived } from '../index/derived';
import { predictEndpointsFromWorkloads, serviceSelector } from '../k8s/endpoints';
import type { RelatedInformation, Resource, TraefikOptions, YNode } from '../model';
import { asMap, asScalar, get, getPath, items, pair, str } from '../parse/ynode';
import { endpointsServiceName, holdsClusterEndpoints } from './authority';
import type { TraefikEnv } from './issues';
import type { ServicePort } from './kubernetes';

export type ServiceProtocol = 'http' | 'tcp' | 'udp';

/**
 * `fails`: Traefik reports an error whatever allowEmptyServices says. `empty`: no servers, an error unless
 * allowEmptyServices keeps the route without servers. `empty-kept`: no servers and no error, so Traefik keeps the
 * route without servers.
 */
export type ServerShortage = 'fails' | 'empty' | 'empty-kept';

export type ServerVerdict =
  | { state: 'servers' }
  | { state: 'unknown' }
  /** `error` is Traefik's message (for `empty-kept`, where Traefik says nothing, the shortage itself); `detail` says why. */
  | { state: 'none'; shortage: ServerShortage; error: string; detail: string; related: RelatedInformation[]; data: Record<string, unknown> };

/**
 * Whether Traefik finds servers for `port` (one of servicePorts(service)). Computed once per state of the index
 * and options for every reference to the port. Shared: never mutate it.
 */
export function findServers(env: TraefikEnv, service: Resource, port: ServicePort, protocol: ServiceProtocol): ServerVerdict {
  return derived(env.index, findServersIn, env.options, service, port, protocol);
}

function findServersIn(index: IndexView, options: TraefikOptions, service: Resource, port: ServicePort, protocol: ServiceProtocol): ServerVerdict {
  const env: TraefikEnv = { index, options };
  const slices = env.index.inNamespace('EndpointSlice', service.namespace).filter((s) => endpointsServiceName(s) === service.name);
  const endpoints = env.index.find('Endpoints', service.namespace, service.name)[0];
  if (env.options.version === 'v3') {
    if (slices.length > 0) return countSliceServers(service, slices, port, protocol);
    // Kubernetes mirrors hand-written Endpoints of a Service without selector into EndpointSlices.
    if (endpoints && !serviceSelector(service)) return countSliceServers(service, [endpoints], port, protocol);
  } else if (endpoints) {
    return countEndpointsServers(service, endpoints, port, protocol);
  }
  const source = env.options.version === 'v3' ? 'EndpointSlice' : 'Endpoints';
  if (holdsClusterEndpoints(env, service.namespace, source)) {
    const id = `${service.namespace}/${service.name}`;
    const v3 = env.options.version === 'v3';
    return none(v3 ? 'empty' : 'fails', v3 ? `no servers found for ${id}` : layer4Text(protocol, `endpoints not found`, id),
      v3
        ? `The workspace holds the EndpointSlices of namespace ${service.namespace}, and none has the label kubernetes.io/service-name: ${service.name}.`
        : `The workspace holds the Endpoints of namespace ${service.namespace}, and none is named ${service.name}.`);
  }
  return predicted(env, service, port, protocol);
}

function none(shortage: ServerShortage, error: string, detail: string, related: RelatedInformation[] = [], data: Record<string, unknown> = {}): ServerVerdict {
  return { state: 'none', shortage, error, detail, related, data };
}

/** Traefik's TCP/UDP messages leave out the `for ns/name` that its HTTP messages carry. */
function layer4Text(protocol: ServiceProtocol, text: string, id: string): string {
  return protocol === 'http' ? `${text} for ${id}` : text;
}

/**
 * Traefik v3: the slice port whose name equals the Service port's name (a slice port without a name never
 * matches) gives the target port; HTTP keeps endpoints that are serving (or say nothing), TCP and UDP only those
 * explicitly ready. An Endpoints object is read as the slices Kubernetes mirrors from it: `addresses` are
 * ready, `notReadyAddresses` are not, and a port without a name gets the name '' (so it matches an unnamed
 * Service port).
 */
function countSliceServers(service: Resource, sources: readonly Resource[], port: ServicePort, protocol: ServiceProtocol): ServerVerdict {
  let servers = 0;
  let portMatched = false;
  for (const source of sources) {
    for (const group of sliceGroups(source)) {
      const slicePort = group.ports.find((p) => (namedPort(p) ?? group.absentName) === port.name);
      if (asScalar(get(slicePort, 'port'))?.value == null) continue;
      portMatched = true;
      for (const endpoint of group.endpoints) {
        if (protocol === 'http' ? endpoint.serving === false : endpoint.ready !== true) continue;
        servers += endpoint.addresses;
      }
    }
  }
  if (servers > 0) return { state: 'servers' };
  const id = `${service.namespace}/${service.name}`;
  const related = sources.map((s) => ({ file: s.file, span: get(s.root, 'metadata', 'name')?.span ?? s.docSpan, message: `${s.kind} ${s.name}` }));
  const portLabel = port.name ? `named "${port.name}"` : 'without a name';
  const detail = !portMatched
    ? `Traefik matches endpoint ports by name, and no ${sources[0]!.kind} of Service ${service.name} has a port ${portLabel} with a port number.`
    : protocol === 'http'
      ? `No endpoint of Service ${service.name} is serving.`
      : `No endpoint of Service ${service.name} has conditions.ready: true, which Traefik requires for ${protocol.toUpperCase()}.`;
  return none('empty', `no servers found for ${id}`, detail, related, { serviceName: service.name, namespace: service.namespace });
}

interface EndpointGroup {
  ports: YNode[];
  /**
   * The name a port without one has: none for an EndpointSlice (Traefik never matches a nil name), '' for an
   * Endpoints object, whose mirrored slices point every port's name at the Endpoints port's name, '' when unset.
   */
  absentName?: '';
  endpoints: { addresses: number; ready?: boolean; serving?: boolean }[];
}

/** The (ports, endpoints) groups of an EndpointSlice, or of an Endpoints object's subsets read as mirrored slices. */
function sliceGroups(source: Resource): EndpointGroup[] {
  if (source.kind === 'EndpointSlice') {
    return [{
      ports: items(get(source.root, 'ports')),
      endpoints: items(get(source.root, 'endpoints')).map((endpoint) => ({
        addresses: items(get(endpoint, 'addresses')).length,
        ready: booleanAt(endpoint, 'conditions', 'ready'),
        serving: booleanAt(endpoint, 'conditions', 'serving'),
      })),
    }];
  }
  return items(get(source.root, 'subsets')).map((subset) => ({
    ports: items(get(subset, 'ports')),
    absentName: '',
    endpoints: [
      { addresses: items(get(subset, 'addresses')).length, ready: true, serving: true },
      { addresses: items(get(subset, 'notReadyAddresses')).length, ready: false, serving: false },
    ],
  }));
}

function booleanAt(node: YNode, ...path: string[]): boolean | undefined {
  const value = asScalar(getPath(node, path))?.value;
  return typeof value === 'boolean' ? value : undefined;
}

/** An endpoint port's name, '' when written empty, undefined (never matching) when absent or null. */
function namedPort(node: YNode): string | undefined {
  const name = pair(node, 'name');
  return name ? str(name.value) : undefined;
}

/**
 * Traefik v2 (and v3.0): the Endpoints object with the Service's name. No subsets is `subset not found`. HTTP
 * skips subsets without the named port and uses ready addresses only, so it can end with no servers and no
 * error. TCP and UDP fail with `cannot define a port` as soon as one subset lacks the port.
 */
function countEndpointsServers(service: Resource, endpoints: Resource, port: ServicePort, protocol: ServiceProtocol): ServerVerdict {
  const id = `${service.namespace}/${service.name}`;
  const related = [{ file: endpoints.file, span: get(endpoints.root, 'metadata', 'name')?.span ?? endpoints.docSpan, message: `Endpoints ${endpoints.name}` }];
  const data = { serviceName: service.name, namespace: service.namespace };
  const subsets = items(get(endpoints.root, 'subsets'));
  if (subsets.length === 0) {
    return none('empty', layer4Text(protocol, 'subset not found', id), `Endpoints ${endpoints.name} has no subsets.`, related, data);
  }
  let servers = 0;
  for (const subset of subsets) {
    const hasPort = items(get(subset, 'ports')).some((p) => (str(get(p, 'name')) ?? '') === port.name);
    if (!hasPort) {
      if (protocol !== 'http') {
        return none('fails', 'cannot define a port', `A subset of Endpoints ${endpoints.name} has no port named "${port.name}".`, related, data);
      }
      continue;
    }
    servers += items(get(subset, 'addresses')).length;
  }
  if (servers > 0) return { state: 'servers' };
  return none('empty-kept', `Service ${id} has no ready endpoint for the port named "${port.name}"`,
    `Endpoints ${endpoints.name} lists no ready address for it.`, related, data);
}

function predicted(env: TraefikEnv, service: Resource, port: ServicePort, protocol: ServiceProtocol): ServerVerdict {
  const verdict = predictEndpointsFromWorkloads(env.index, service, asMap(port.node));
  if (verdict.state !== 'none') return verdict;
  const id = `${service.namespace}/${service.name}`;
  if (env.options.version === 'v3') return none('empty', `no servers found for ${id}`, verdict.cause, verdict.related, verdict.data);
  // Kubernetes writes no Endpoints object for a Service without selector, and an empty one otherwise.
  if (verdict.reason === 'no-selector') return none('fails', layer4Text(protocol, 'endpoints not found', id), verdict.cause, verdict.related, verdict.data);
  if (verdict.reason === 'never-ready') return none('empty-kept', `Service ${id} has no ready endpoint`, verdict.cause, verdict.related, verdict.data);
  return none('empty', layer4Text(protocol, 'subset not found', id), verdict.cause, verdict.related, verdict.data);
}

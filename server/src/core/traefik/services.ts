/**
 * Service references, resolved the way Traefik's CRD provider resolves them: the `services[]` of routes, the
 * children of TraefikServices and the `errors.service` of Middlewares (HTTP), and the `services[]` of
 * IngressRouteTCP/UDP. Each function returns every issue Traefik would meet with one reference.
 */
import type { IndexView } from '../analyze';
import { derived } from '../index/derived';
import type { Resource, TraefikOptions, YNode } from '../model';
import { asScalar, get, isTrue, items, pair, str } from '../parse/ynode';
import { holdsClusterEndpoints, speaksFor, speaksForId } from './authority';
import type { Issue, TraefikEnv } from './issues';
import { absentHint, failingTargetIssue, hintFrom, isFailure, relatedTo } from './issues';
import { describePort, matchServicePort, portsData, referencedPort, servicePorts, serviceType, type ServicePort } from './kubernetes';
import { invalidMiddlewareReference, middlewareRefIssues } from './middlewares';
import { closestNames, crdProvider, didYouMean, normalize, objectId, splitProvider } from './names';
import { portMismatchHint } from './portHints';
import { allowCrossNamespaceHint, crossProviderRefused, resolveServersTransport } from './references';
import { findServers, type ServiceProtocol } from './servers';
import { candidateLocations, findVisible, findVisibleById, ignoredIdNote, ignoredTwinNote, isVisible, isWatchedNamespace, traefikId, visibleInNamespace, visibleOfKind } from './visibility';

/** Objects being resolved further up, to stop at reference cycles. */
export type Visiting = ReadonlySet<string>;

/** A set of objects being resolved as sorted arguments, so that derived values can be keyed by them. */
export function visitingKeys(visiting: Visiting): string[] {
  return [...visiting].sort();
}

/** Every issue of one HTTP service reference (a LoadBalancerSpec) held by `holder`. */
export function httpServiceRefIssues(env: TraefikEnv, holder: Resource, ref: YNode, visiting: Visiting): Issue[] {
  const nameNode = get(ref, 'name');
  const name = str(nameNode) ?? '';
  const kindNode = get(ref, 'kind');
  const kind = str(kindNode) ?? '';
  const namespaceNode = get(ref, 'namespace');
  const namespace = str(namespaceNode) || holder.namespace;
  const { provider } = splitProvider(name);
  const at = { file: holder.file, span: (nameNode ?? ref).span };
  if (name === '') {
    return [{ code: 'invalid-value', stage: 'provider', ...at, error: 'a service reference needs a name', hint: 'Add name: <Service or TraefikService name>.' }];
  }
  if (provider === undefined && !env.options.allowCrossNamespace && namespace !== holder.namespace) {
    return [{
      code: 'cross-namespace-reference', stage: 'provider', file: holder.file, span: (namespaceNode ?? ref).span,
      error: `service ${namespace}/${name} not in the parent resource namespace ${holder.namespace}`,
      hint: allowCrossNamespaceHint, data: { name, namespace, parentNamespace: holder.namespace },
    }];
  }
  if (provider !== undefined && crossProviderRefused(env, holder.namespace)) {
    return [{
      code: 'cross-provider-reference', stage: 'provider', ...at,
      error: `service "${name}" reference is not allowed: namespace "${holder.namespace}" is not in crossProviderNamespaces`,
      hint: `Add ${holder.namespace} to crossProviderNamespaces in Traefik's kubernetesCRD provider.`,
      data: { name, provider, namespace: holder.namespace },
    }];
  }
  switch (kind) {
    case '':
    case 'Service':
      return [...loadBalancerOptionIssues(env, holder, ref, namespace), ...kubernetesServiceIssues(env, holder, ref, namespace, 'http')];
    case 'TraefikService':
      return traefikServiceRefIssues(env, holder, ref, visiting);
    default:
      return [{
        code: 'invalid-value', stage: 'provider', file: holder.file, span: (kindNode ?? ref).span,
        error: `unsupported service kind ${kind}`, hint: 'kind is Service (the default) or TraefikService.', data: { kind },
      }];
  }
}

/** Every issue of one IngressRouteTCP/UDP service reference. Traefik checks ExternalName before the port there. */
export function layer4ServiceRefIssues(env: TraefikEnv, holder: Resource, ref: YNode, protocol: 'tcp' | 'udp'): Issue[] {
  const nameNode = get(ref, 'name');
  const name = str(nameNode) ?? '';
  const namespaceNode = get(ref, 'namespace');
  const namespace = str(namespaceNode) || holder.namespace;
  if (!env.options.allowCrossNamespace && namespace !== holder.namespace) {
    return [{
      code: 'cross-namespace-reference', stage: 'provider', file: holder.file, span: (namespaceNode ?? ref).span,
      error: `${protocol} service ${namespace}/${name} is not in the parent resource namespace ${holder.namespace}`,
      hint: allowCrossNamespaceHint, data: { name, namespace, parentNamespace: holder.namespace },
    }];
  }
  const transport = protocol === 'tcp' && env.options.version === 'v3' ? serversTransportIssues(env, holder, ref, namespace, 'ServersTransportTCP') : [];
  return [...transport, ...kubernetesServiceIssues(env, holder, ref, namespace, protocol)];
}

/** `strategy`, `scheme`, `serversTransport` and service-level `middlewares` of an HTTP reference to a Kubernetes Service. */
function loadBalancerOptionIssues(env: TraefikEnv, holder: Resource, ref: YNode, namespace: string): Issue[] {
  const issues: Issue[] = [];
  const strategyNode = get(ref, 'strategy');
  const strategy = str(strategyNode) ?? '';
  if (strategy !== '') {
    const at = { file: holder.file, span: strategyNode!.span };
    const v3Strategies = ['wrr', 'p2c', 'hrw', 'leasttime'];
    if (strategy === 'RoundRobin' && env.options.version === 'v3') {
      issues.push({ code: 'invalid-value', stage: 'note', ...at, error: 'RoundRobin strategy value is deprecated, please use wrr value instead', data: { replacement: 'wrr' } });
    } else if (env.options.version === 'v3' && !v3Strategies.includes(strategy)) {
      issues.push({ code: 'invalid-value', stage: 'provider', ...at, error: `load-balancer strategy ${strategy} is not supported`, hint: `Use one of ${v3Strategies.join(', ')}.`, data: { allowed: v3Strategies } });
    } else if (env.options.version === 'v2' && strategy !== 'RoundRobin') {
      issues.push({ code: 'invalid-value', stage: 'provider', ...at, error: `load balancing strategy ${strategy} is not supported`, hint: 'Traefik v2 only knows RoundRobin.', data: { allowed: ['RoundRobin'] } });
    }
  }
  const schemeNode = get(ref, 'scheme');
  const scheme = str(schemeNode) ?? '';
  if (scheme !== '' && !['http', 'https', 'h2c'].includes(scheme)) {
    issues.push({ code: 'invalid-value', stage: 'provider', file: holder.file, span: schemeNode!.span, error: `invalid scheme "${scheme}" specified`, hint: 'Use http, https or h2c.', data: { allowed: ['http', 'https', 'h2c'] } });
  }
  issues.push(...serversTransportIssues(env, holder, ref, namespace, 'ServersTransport'));
  for (const middleware of items(get(ref, 'middlewares'))) {
    issues.push(...middlewareRefIssues(env, holder, middleware, 'Middleware',
      (name, error) => `could not create middleware keys: ${invalidMiddlewareReference(name, error)}`, new Set()));
  }
  return issues;
}

function serversTransportIssues(env: TraefikEnv, holder: Resource, ref: YNode, namespace: string, kind: 'ServersTransport' | 'ServersTransportTCP'): Issue[] {
  const node = get(ref, 'serversTransport');
  if (!node || !str(node)) return [];
  const resolution = resolveServersTransport(env, holder, node, namespace);
  if ('issue' in resolution) return [resolution.issue];
  const { resolved } = resolution;
  if (resolved.provider !== crdProvider) return [];
  if (findVisibleById(env, kind, resolved.id, resolved.namespace !== undefined ? { namespace: resolved.namespace, name: resolved.name } : undefined)) return [];
  if (!(resolved.namespace !== undefined ? speaksFor(env, kind, resolved.namespace) : speaksForId(env, kind, resolved.id))) return [];
  const candidates = resolved.namespace !== undefined ? visibleInNamespace(env, kind, resolved.namespace) : visibleOfKind(env, kind);
  const hint = resolved.namespace !== undefined
    ? plainTransportHint(env, kind, resolved.name, resolved.namespace, candidates.map((t) => t.name))
    : hintFrom([
      didYouMean(closestNames(resolved.name, candidates.map((t) => `${traefikId(t)}@${crdProvider}`))),
      ignoredIdNote(env, kind, resolved.id, traefikId),
    ], `No ${kind} has the id ${resolved.id}.`);
  return [{
    code: 'servers-transport-not-found', stage: 'runtime', file: holder.file, span: node.span,
    error: `servers transport not found ${resolved.id}@${crdProvider}`, hint,
    data: { name: resolved.name, namespace: resolved.namespace, kind },
  }];
}

/** A plain serversTransport name is prefixed with the service's namespace; writing the prefix too is a common slip. */
function plainTransportHint(env: TraefikEnv, kind: string, name: string, namespace: string, namesInNamespace: string[]): string {
  const prefix = `${namespace}-`;
  if (name.startsWith(prefix) && findVisible(env, kind, namespace, name.slice(prefix.length))) {
    return `Traefik prefixes the name with the service's namespace; write serversTransport: ${name.slice(prefix.length)}.`;
  }
  return hintFrom([didYouMean(closestNames(name, namesInNamespace)), ignoredTwinNote(env, kind, namespace, name)], absentHint(kind, name, namespace, namesInNamespace));
}

/** Traefik's `loadServers` for one reference to a Kubernetes Service: the Service, its port, and its servers. */
function kubernetesServiceIssues(env: TraefikEnv, holder: Resource, ref: YNode, namespace: string, protocol: ServiceProtocol): Issue[] {
  const nameNode = get(ref, 'name');
  const name = str(nameNode) ?? '';
  const id = `${namespace}/${name}`;
  const at = { file: holder.file, span: (nameNode ?? ref).span };
  const { options } = env;
  if (!isWatchedNamespace(options, namespace)) {
    return [{
      code: 'service-not-found', stage: 'provider', ...at,
      error: `failed to get service ${id}: namespace is not within watched namespaces`,
      hint: `Add ${namespace} to the namespaces of Traefik's kubernetesCRD provider.`, data: { serviceName: name, namespace },
    }];
  }
  const service = findVisible(env, 'Service', namespace, name);
  if (!service) return speaksFor(env, 'Service', namespace) ? [serviceNotFound(env, holder, nameNode ?? ref, name, namespace, protocol)] : [];
  const ports = servicePorts(service);
  const type = serviceType(service);
  const externalName = type === 'ExternalName';
  const serviceRelated = [relatedTo(service, `Service ${id}`)];
  const externalNameIssue = (): Issue => ({
    code: 'external-name-not-allowed', stage: 'provider', ...at, error: `externalName services not allowed: ${id}`,
    hint: 'Set allowExternalNameServices: true in Traefik\'s kubernetesCRD provider, or point the route at a Service with Pods.',
    related: serviceRelated, data: { serviceName: name, namespace },
  });
  if (protocol !== 'http' && externalName && !options.allowExternalNameServices) return [externalNameIssue()];
  const portNode = get(ref, 'port');
  const wanted = referencedPort(portNode);
  const data = { serviceName: name, namespace, ports: portsData(ports) };
  if (wanted === undefined) {
    const choices = ports.length > 0 ? ` Add port: with one of the Service's ports: ${ports.map(describePort).join(', ')}.` : ' Add port: with the port to connect to.';
    return [{ code: 'service-port-missing', stage: 'provider', ...at, error: 'ingressRoute service port not defined', hint: `Traefik needs a port for every Service reference.${choices}`, related: serviceRelated, data }];
  }
  const port = matchServicePort(ports, wanted);
  const issues: Issue[] = [];
  if (!port) {
    if (!externalName || typeof wanted !== 'number') {
      return [{
        code: 'service-port-not-found', stage: 'provider', file: holder.file, span: portNode!.span,
        error: `service port not found: ${wanted}`, hint: portMismatchHint(env.index, service, ports, wanted),
        related: ports.length > 0 ? [relatedTo(service, `ports of Service ${id}`, get(service.root, 'spec', 'ports'))] : serviceRelated, data,
      }];
    }
    if (ports.length > 0) {
      issues.push({
        code: 'service-port-not-found', stage: 'note', file: holder.file, span: portNode!.span,
        error: `The port ${wanted} from IngressRoute doesn't match with ports defined in the ExternalName service ${id}`,
        hint: `Traefik connects to ${str(get(service.root, 'spec', 'externalName')) ?? 'the external name'}:${wanted} as written.`, related: serviceRelated, data,
      });
    }
  }
  if (protocol === 'http' && options.version === 'v3') {
    const healthCheck = pair(ref, 'healthCheck');
    if (healthCheck && !externalName) {
      return [...issues, {
        code: 'invalid-value', stage: 'provider', file: holder.file, span: healthCheck.keySpan,
        error: `healthCheck allowed only for ExternalName services: ${id}`,
        hint: 'Remove healthCheck; Kubernetes readiness decides which Pods receive traffic.', related: serviceRelated, data: { serviceName: name, namespace },
      }];
    }
  }
  const nativeNode = get(ref, 'nativeLB');
  const nativeValue = asScalar(nativeNode)?.value;
  const native = options.version === 'v3' ? (typeof nativeValue === 'boolean' ? nativeValue : options.nativeLBByDefault) : nativeValue === true;
  // Traefik v2 looks at nativeLB before it looks at the Service type.
  if (native && (options.version === 'v2' || !externalName)) return [...issues, ...clusterIPIssues(env, holder, service, nativeNode ?? nameNode ?? ref)];
  if (externalName) return options.allowExternalNameServices ? issues : [...issues, externalNameIssue()];
  if (options.version === 'v3' && isTrue(get(ref, 'nodePortLB')) && type === 'NodePort') {
    // Servers come from the cluster's Nodes, which manifests do not describe.
    if (!options.disableClusterScopeResources) return issues;
    return [...issues, {
      code: 'invalid-value', stage: 'provider', file: holder.file, span: get(ref, 'nodePortLB')!.span, error: 'nodes lookup is disabled',
      hint: 'nodePortLB needs to read Nodes, which disableClusterScopeResources forbids; remove nodePortLB or allow cluster-scope resources.',
      data: { serviceName: name, namespace },
    }];
  }
  if (!port) return issues;
  return [...issues, ...serverIssues(env, holder, nameNode ?? ref, service, port, protocol)];
}

function serviceNotFound(env: TraefikEnv, holder: Resource, node: YNode, name: string, namespace: string, protocol: ServiceProtocol): Issue {
  const id = `${namespace}/${name}`;
  const present = visibleInNamespace(env, 'Service', namespace).map((s) => s.name);
  const sameNamespace = closestNames(name, present);
  // Services are core objects, so whether Traefik reads one never depends on other objects: the name is compared
  // first, and only the Services of that name are asked about their visibility.
  const elsewhere = sameNamespace.length > 0 ? [] : env.index.ofKind('Service').filter((s) => s.name === name && s.namespace !== namespace && isVisible(env, s)).map((s) => s.namespace);
  const notes: string[] = [];
  if (name.includes('@')) {
    notes.push('A name@provider reference only works with kind: TraefikService; name a Kubernetes Service without @ (Traefik before v2.11.45 and v3.7.0 removed @kubernetescrd).');
  }
  notes.push(didYouMean(sameNamespace), ignoredTwinNote(env, 'Service', namespace, name));
  if (elsewhere.length > 0) notes.push(`A Service ${name} exists in namespace ${elsewhere.join(', ')}; set namespace: ${elsewhere[0]}.`);
  if (findVisible(env, 'TraefikService', namespace, name)) notes.push(`A TraefikService ${name} exists; add kind: TraefikService.`);
  return {
    code: 'service-not-found', stage: 'provider', file: holder.file, span: node.span,
    error: protocol === 'http' ? `kubernetes service not found: ${id}` : 'service not found',
    hint: hintFrom(notes, absentHint('Service', name, namespace, present)),
    related: candidateLocations(env, 'Service', namespace, sameNamespace),
    data: { serviceName: name, namespace, candidates: sameNamespace, otherNamespaces: elsewhere },
  };
}

/**
 * nativeLB sends traffic to the Service's clusterIP. A headless Service has none. An absent clusterIP is only
 * known to stay absent in a snapshot of the cluster; in a manifest Kubernetes assigns one when it creates the
 * Service, except for ExternalName Services.
 */
function clusterIPIssues(env: TraefikEnv, holder: Resource, service: Resource, node: YNode): Issue[] {
  const id = `${service.namespace}/${service.name}`;
  const clusterIP = str(get(service.root, 'spec', 'clusterIP')) ?? '';
  const at = { file: holder.file, span: node.span, related: [relatedTo(service, `Service ${id}`)], data: { serviceName: service.name, namespace: service.namespace } };
  if (clusterIP === 'None') {
    return [{ code: 'invalid-value', stage: 'provider', ...at, error: `getting native Kubernetes Service address: no clusterIP on headless service: ${id}`, hint: 'Set nativeLB: false to use the Pods\' endpoints.' }];
  }
  const snapshot = holdsClusterEndpoints(env, service.namespace, env.options.version === 'v3' ? 'EndpointSlice' : 'Endpoints');
  if (clusterIP === '' && (serviceType(service) === 'ExternalName' || snapshot)) {
    return [{ code: 'invalid-value', stage: 'provider', ...at, error: `getting native Kubernetes Service address: no clusterIP found for service: ${id}`, hint: 'Set nativeLB: false to use the endpoints.' }];
  }
  return [];
}

function serverIssues(env: TraefikEnv, holder: Resource, node: YNode, service: Resource, port: ServicePort, protocol: ServiceProtocol): Issue[] {
  const verdict = findServers(env, service, port, protocol);
  if (verdict.state !== 'none') return [];
  const at = { file: holder.file, span: node.span, related: verdict.related, data: { ...verdict.data, serviceName: service.name, namespace: service.namespace, port: port.port ?? port.name } };
  if (verdict.shortage === 'fails' || (verdict.shortage === 'empty' && !env.options.allowEmptyServices)) {
    return [{ code: 'service-no-endpoints', stage: 'provider', ...at, error: verdict.error, hint: verdict.detail }];
  }
  const outcome = protocol === 'http' ? 'it answers 503' : 'its connections fail';
  const statement = verdict.shortage === 'empty'
    ? `Service ${service.namespace}/${service.name} has no servers (${verdict.error}); allowEmptyServices keeps the route, and ${outcome}`
    : `${verdict.error}, so Traefik keeps the route with no servers and ${outcome}`;
  return [{ code: 'service-no-endpoints', stage: 'note', ...at, error: statement, hint: verdict.detail }];
}

/**
 * A `kind: TraefikService` reference. The provider only builds the name; the runtime then needs a TraefikService
 * with that id that Traefik did not drop. `x@kubernetescrd` is the id itself (with the reference's namespace
 * field, not defaulted, in front), and a name of another provider is assumed to exist.
 */
function traefikServiceRefIssues(env: TraefikEnv, holder: Resource, ref: YNode, visiting: Visiting): Issue[] {
  const nameNode = get(ref, 'name');
  const name = str(nameNode) ?? '';
  const namespaceField = str(get(ref, 'namespace')) ?? '';
  const { base, provider } = splitProvider(name);
  if (provider !== undefined && provider !== crdProvider) return [];
  const namespace = provider === undefined ? namespaceField || holder.namespace : undefined;
  const id = provider === undefined ? objectId(namespace!, name) : normalize(`${namespaceField}-${base}`);
  const target = findVisibleById(env, 'TraefikService', id, namespace !== undefined ? { namespace, name } : undefined);
  const at = { file: holder.file, span: (nameNode ?? ref).span };
  const missing = `the service "${id}@${crdProvider}" does not exist`;
  if (!target) {
    if (!(namespace !== undefined ? speaksFor(env, 'TraefikService', namespace) : speaksForId(env, 'TraefikService', id))) return [];
    const candidates = namespace !== undefined ? visibleInNamespace(env, 'TraefikService', namespace) : visibleOfKind(env, 'TraefikService');
    const suggestions = closestNames(namespace !== undefined ? name : id, candidates.map((t) => (namespace !== undefined ? t.name : traefikId(t))));
    const notes = [didYouMean(suggestions)];
    if (namespace !== undefined) {
      notes.push(ignoredTwinNote(env, 'TraefikService', namespace, name));
      if (findVisible(env, 'Service', namespace, name)) notes.push(`A Kubernetes Service ${name} exists; remove kind: TraefikService and set its port.`);
    } else {
      notes.push(ignoredIdNote(env, 'TraefikService', id, traefikId));
    }
    return [{
      code: 'traefikservice-not-found', stage: 'runtime', ...at, error: missing,
      hint: hintFrom(notes, `No TraefikService ${namespace !== undefined ? `${namespace}/${name}` : `with the id ${id}`} exists.`),
      ...(namespace !== undefined ? { related: candidateLocations(env, 'TraefikService', namespace, suggestions) } : {}),
      data: { name, namespace, candidates: suggestions },
    }];
  }
  const key = `TraefikService/${target.namespace}/${target.name}`;
  if (visiting.has(key)) {
    return [{ code: 'traefikservice-not-found', stage: 'runtime', ...at, error: `${missing}: TraefikService ${target.namespace}/${target.name} refers back to itself`, related: [relatedTo(target, 'the TraefikService')] }];
  }
  const failure = traefikServiceIssues(env, target, new Set([...visiting, key])).find(isFailure);
  return failure ? [failingTargetIssue('traefikservice-not-found', at, missing, target, failure)] : [];
}

/**
 * Everything wrong with a TraefikService. Errors in its children make Traefik drop it
 * (`Error while building TraefikService`); a child TraefikService that does not exist only fails at runtime.
 */
export function traefikServiceIssues(env: TraefikEnv, service: Resource, visiting: Visiting): readonly Issue[] {
  // Like a Middleware, a TraefikService is judged once for its own check and every reference to it.
  return derived(env.index, traefikServiceIssuesIn, env.options, service, ...visitingKeys(visiting));
}

function traefikServiceIssuesIn(index: IndexView, options: TraefikOptions, service: Resource, ...visiting: string[]): Issue[] {
  return readTraefikServiceIssues({ index, options }, service, new Set(visiting));
}

function readTraefikServiceIssues(env: TraefikEnv, service: Resource, visiting: Visiting): Issue[] {
  const spec = get(service.root, 'spec');
  const v3 = env.options.version === 'v3';
  const children: YNode[] = [];
  const weighted = get(spec, 'weighted');
  const mirroring = get(spec, 'mirroring');
  const highestRandomWeight = v3 ? get(spec, 'highestRandomWeight') : undefined;
  const failover = v3 ? get(spec, 'failover') : undefined;
  if (weighted) children.push(...items(get(weighted, 'services')));
  if (mirroring) children.push(mirroring, ...items(get(mirroring, 'mirrors')));
  if (highestRandomWeight) children.push(...items(get(highestRandomWeight, 'services')));
  for (const side of ['service', 'fallback']) {
    const child = get(failover, side);
    if (child) children.push(child);
  }
  if (!weighted && !mirroring && !highestRandomWeight && !failover) {
    return [{
      code: 'traefikservice-invalid', stage: 'provider', file: service.file, span: (spec ?? get(service.root, 'metadata', 'name') ?? service.root).span,
      error: 'Error while building TraefikService: unspecified service type',
      hint: v3 ? 'Set one of weighted, mirroring, highestRandomWeight or failover.' : 'Set weighted or mirroring.',
    }];
  }
  return children.flatMap((child) => httpServiceRefIssues(env, service, child, visiting)).map((issue) =>
    issue.stage === 'provider'
      ? { ...issue, code: 'traefikservice-invalid', error: `Error while building TraefikService: ${issue.error}`, data: { ...issue.data, cause: issue.code } }
      : issue);
}

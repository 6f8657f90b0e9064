/**
 * Reference sites: every place in a resource that names another object (a Service, TraefikService, Middleware,
 * TLSOption, Secret, ServersTransport or parent IngressRoute), with where the name is written and how Traefik or
 * Kubernetes looks the target up. Hover, go to definition, find references, rename, completion and code lenses all
 * read this one enumeration, so they agree on what a reference is.
 *
 * Enumeration is pure and per resource: it reads only the resource's own tree. Looking targets up in the index is
 * `resolve.ts`'s job.
 */
import { middlewareEntries, middlewaresAnnotation } from '../k8s/ingress';
import type { Resource, Span, YMap, YNode, YPair, YScalar } from '../model';
import { asMap, asScalar, get, items, pair, str } from '../parse/ynode';
import { crdProvider, normalize, splitProvider } from '../traefik/names';

export type SiteRole =
  /** A Traefik service reference: route `services[]`, TraefikService children, Middleware `errors.service`. */
  | 'service'
  /** An Ingress backend's `service.name`. */
  | 'ingress-backend'
  /** A `middlewares[]` entry of a route or service reference, or a chain member. */
  | 'middleware'
  /** One entry of an Ingress's `router.middlewares` annotation. */
  | 'ingress-middleware'
  | 'tls-options'
  | 'secret'
  | 'servers-transport'
  /** An IngressRoute's `spec.parentRefs[]` entry. */
  | 'parent';

/**
 * How the target is found: by namespace and name, by Traefik id (names written `…@kubernetescrd`, and Ingress
 * annotation entries), or not at all because another Traefik provider defines it.
 */
export type SiteLookup =
  | { by: 'name'; namespace: string; name: string }
  | { by: 'id'; id: string }
  | { by: 'external'; provider: string };

export interface RefSite {
  holder: Resource;
  role: SiteRole;
  /** The kind of object named: Service, TraefikService, Middleware, MiddlewareTCP, TLSOption, Secret, … */
  targetKind: string;
  /** The name as written, `@provider` included; '' while the field is still empty. */
  written: string;
  lookup: SiteLookup;
  /** Where the name is written: the scalar, or the entry's own range inside an annotation value. */
  span: Span;
  /** The scalar holding the name (for annotation entries, the whole annotation value); undefined when absent. */
  nameNode: YScalar | undefined;
  /** The key of the field holding the name, so that completion works while the value is still empty. */
  keySpan?: Span;
  /** The map the reference is written as ({name, namespace, kind, port, …}), when it is one. */
  refMap?: YMap;
  /** The reference's own `namespace` field, when written. */
  namespaceNode?: YScalar;
  /** The port of a Service reference: `port` of a Traefik reference, `port.number` or `port.name` of an Ingress backend. */
  port?: { node: YScalar; field: 'port' | 'number' | 'name' };
  /** The `routes[]` entry of an IngressRoute(TCP/UDP) that makes the reference, with its position. */
  route?: { node: YMap; index: number };
  /** The Ingress rule an Ingress backend serves (Traefik names its router after it). */
  ingressRule?: { host: string; path: string };
  /** The protocol of a service reference. */
  protocol?: 'http' | 'tcp' | 'udp';
}

/** Kinds that hold reference sites. */
export const holderKinds: readonly string[] = [
  'IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'TraefikService', 'Middleware', 'TLSOption', 'TLSStore',
  'ServersTransport', 'ServersTransportTCP', 'Ingress',
];

/** Sites are computed once per resource: a resource is replaced, never mutated, when its file changes. */
const cache = new WeakMap<Resource, RefSite[]>();

export function referenceSites(resource: Resource): readonly RefSite[] {
  let sites = cache.get(resource);
  if (!sites) cache.set(resource, (sites = enumerate(resource)));
  return sites;
}

function enumerate(r: Resource): RefSite[] {
  const spec = get(r.root, 'spec');
  switch (r.kind) {
    case 'IngressRoute':
    case 'IngressRouteTCP':
    case 'IngressRouteUDP':
      return routeObjectSites(r, spec);
    case 'TraefikService':
      return traefikServiceSites(r, spec);
    case 'Middleware':
      return middlewareObjectSites(r, spec);
    case 'TLSOption':
      return secretSites(r, items(get(spec, 'clientAuth', 'secretNames')));
    case 'TLSStore':
      return [
        ...secretField(r, asMap(get(spec, 'defaultCertificate')), 'secretName'),
        ...items(get(spec, 'certificates')).flatMap((c) => secretField(r, asMap(c), 'secretName')),
      ];
    case 'ServersTransport':
    case 'ServersTransportTCP': {
      // ServersTransportTCP keeps its TLS settings under spec.tls.
      const tls = r.kind === 'ServersTransportTCP' ? get(spec, 'tls') : spec;
      return [
        ...secretSites(r, [...items(get(tls, 'rootCAsSecrets')), ...items(get(tls, 'certificatesSecrets'))]),
        ...items(get(tls, 'rootCAs')).flatMap((c) => secretField(r, asMap(c), 'secret')),
      ];
    }
    case 'Ingress':
      return ingressSites(r, spec);
    default:
      return [];
  }
}

function routeObjectSites(r: Resource, spec: YNode | undefined): RefSite[] {
  const protocol = r.kind === 'IngressRoute' ? 'http' : r.kind === 'IngressRouteTCP' ? 'tcp' : 'udp';
  const sites: RefSite[] = [];
  items(get(spec, 'routes')).forEach((routeNode, index) => {
    const node = asMap(routeNode);
    if (!node) return;
    const route = { node, index };
    if (protocol !== 'udp') {
      const middlewareKind = protocol === 'http' ? 'Middleware' : 'MiddlewareTCP';
      for (const m of items(get(node, 'middlewares'))) sites.push(...namedRefSite(r, m, 'middleware', middlewareKind, r.namespace, route));
    }
    for (const s of items(get(node, 'services'))) sites.push(...serviceSites(r, s, protocol, route));
  });
  if (protocol !== 'udp') {
    const tls = asMap(get(spec, 'tls'));
    sites.push(...namedRefSite(r, get(tls, 'options'), 'tls-options', 'TLSOption', r.namespace));
    sites.push(...secretField(r, tls, 'secretName'));
  }
  if (protocol === 'http') {
    for (const parent of items(get(spec, 'parentRefs'))) sites.push(...namedRefSite(r, parent, 'parent', 'IngressRoute', r.namespace));
  }
  return sites;
}

function traefikServiceSites(r: Resource, spec: YNode | undefined): RefSite[] {
  const mirroring = get(spec, 'mirroring');
  const children = [
    ...items(get(spec, 'weighted', 'services')),
    ...(mirroring ? [mirroring] : []),
    ...items(get(mirroring, 'mirrors')),
    ...items(get(spec, 'highestRandomWeight', 'services')),
    ...['service', 'fallback'].map((side) => get(spec, 'failover', side)).filter((n): n is YNode => n !== undefined),
  ];
  return children.flatMap((child) => serviceSites(r, child, 'http'));
}

function middlewareObjectSites(r: Resource, spec: YNode | undefined): RefSite[] {
  const sites: RefSite[] = [];
  const errorService = get(spec, 'errors', 'service');
  if (errorService) sites.push(...serviceSites(r, errorService, 'http'));
  for (const m of items(get(spec, 'chain', 'middlewares'))) sites.push(...namedRefSite(r, m, 'middleware', 'Middleware', r.namespace));
  sites.push(...secretField(r, asMap(get(spec, 'basicAuth')), 'secret'));
  sites.push(...secretField(r, asMap(get(spec, 'digestAuth')), 'secret'));
  const forwardTls = asMap(get(spec, 'forwardAuth', 'tls'));
  const redis = asMap(get(spec, 'rateLimit', 'redis'));
  const redisTls = asMap(get(redis, 'tls'));
  for (const tls of [forwardTls, redisTls]) sites.push(...secretField(r, tls, 'caSecret'), ...secretField(r, tls, 'certSecret'));
  sites.push(...secretField(r, redis, 'secret'));
  return sites;
}

/**
 * A Traefik service reference (LoadBalancerSpec, or a TCP/UDP service), plus the references it makes itself:
 * service-level middlewares and its serversTransport.
 */
function serviceSites(r: Resource, ref: YNode, protocol: 'http' | 'tcp' | 'udp', route?: { node: YMap; index: number }): RefSite[] {
  const refMap = asMap(ref);
  if (!refMap) return [];
  const kind = protocol === 'http' ? str(get(refMap, 'kind')) || 'Service' : 'Service';
  if (kind !== 'Service' && kind !== 'TraefikService') return [];
  const namePair = pair(refMap, 'name');
  const nameNode = asScalar(namePair?.value);
  const written = str(nameNode) ?? '';
  const namespaceNode = asScalar(get(refMap, 'namespace'));
  const namespaceField = str(namespaceNode) ?? '';
  const namespace = namespaceField || r.namespace;
  const { base, provider } = splitProvider(written);
  let lookup: SiteLookup;
  if (provider === undefined) lookup = { by: 'name', namespace, name: written };
  // A TraefikService named `x@kubernetescrd` is looked up by the id made of the namespace field and the name.
  else if (kind === 'TraefikService' && provider === crdProvider) lookup = { by: 'id', id: normalize(`${namespaceField}-${base}`) };
  else lookup = { by: 'external', provider };
  const portNode = asScalar(get(refMap, 'port'));
  const site: RefSite = {
    holder: r, role: 'service', targetKind: kind, written, lookup, protocol, refMap,
    span: nameNode?.span ?? refMap.span, nameNode,
    ...(namePair ? { keySpan: namePair.keySpan } : {}),
    ...(namespaceNode ? { namespaceNode } : {}),
    ...(portNode ? { port: { node: portNode, field: 'port' as const } } : {}),
    ...(route ? { route } : {}),
  };
  const sites = [site];
  if (protocol === 'http') {
    for (const m of items(get(refMap, 'middlewares'))) sites.push(...namedRefSite(r, m, 'middleware', 'Middleware', r.namespace, route));
  }
  if (protocol !== 'udp') {
    const transportPair = pair(refMap, 'serversTransport');
    const transport = asScalar(transportPair?.value);
    const transportName = str(transport);
    if (transportPair && transport && transportName) {
      const split = splitProvider(transportName);
      sites.push({
        holder: r, role: 'servers-transport', targetKind: protocol === 'http' ? 'ServersTransport' : 'ServersTransportTCP', written: transportName,
        lookup: split.provider === undefined ? { by: 'name', namespace, name: transportName }
          : split.provider === crdProvider ? { by: 'id', id: split.base } : { by: 'external', provider: split.provider },
        span: transport.span, nameNode: transport, keySpan: transportPair.keySpan, ...(route ? { route } : {}),
      });
    }
  }
  return sites;
}

/**
 * A `{name, namespace}` reference resolved like Traefik's `resolveReference`: a plain name in the given or the
 * holder's namespace, `x@kubernetescrd` by the id `x`, any other `@provider` outside the workspace.
 */
function namedRefSite(r: Resource, ref: YNode | undefined, role: SiteRole, targetKind: string, defaultNamespace: string, route?: { node: YMap; index: number }): RefSite[] {
  const refMap = asMap(ref);
  if (!refMap) return [];
  const namePair = pair(refMap, 'name');
  const nameNode = asScalar(namePair?.value);
  const written = str(nameNode) ?? '';
  const namespaceNode = asScalar(get(refMap, 'namespace'));
  const { base, provider } = splitProvider(written);
  const lookup: SiteLookup = provider === undefined
    ? { by: 'name', namespace: str(namespaceNode) || defaultNamespace, name: written }
    : provider === crdProvider ? { by: 'id', id: base } : { by: 'external', provider };
  return [{
    holder: r, role, targetKind, written, lookup, refMap, span: nameNode?.span ?? refMap.span, nameNode,
    ...(namePair ? { keySpan: namePair.keySpan } : {}),
    ...(namespaceNode ? { namespaceNode } : {}),
    ...(route ? { route } : {}),
  }];
}

/** A Secret named by the scalar field `key` of `map`, in the holder's namespace. */
function secretField(r: Resource, map: YMap | undefined, key: string): RefSite[] {
  const p: YPair | undefined = pair(map, key);
  const node = asScalar(p?.value);
  if (!p || !node) return [];
  return [secretSite(r, node, p.keySpan)];
}

function secretSites(r: Resource, nodes: readonly YNode[]): RefSite[] {
  return nodes.flatMap((n) => {
    const node = asScalar(n);
    return node && str(node) ? [secretSite(r, node)] : [];
  });
}

function secretSite(r: Resource, node: YScalar, keySpan?: Span): RefSite {
  const written = str(node) ?? '';
  return {
    holder: r, role: 'secret', targetKind: 'Secret', written, lookup: { by: 'name', namespace: r.namespace, name: written },
    span: node.span, nameNode: node, ...(keySpan ? { keySpan } : {}),
  };
}

/** Ingress backends (every rule path, or the default backend of an Ingress without rules), TLS Secrets, middlewares. */
function ingressSites(r: Resource, spec: YNode | undefined): RefSite[] {
  const sites: RefSite[] = [];
  const rules = items(get(spec, 'rules'));
  if (rules.length === 0) {
    sites.push(...backendSite(r, get(spec, 'defaultBackend'), undefined));
  }
  for (const rule of rules) {
    const host = str(get(rule, 'host')) ?? '';
    for (const path of items(get(rule, 'http', 'paths'))) sites.push(...backendSite(r, get(path, 'backend'), { host, path: str(get(path, 'path')) ?? '' }));
  }
  for (const tls of items(get(spec, 'tls'))) sites.push(...secretField(r, asMap(tls), 'secretName'));
  const annotation = asScalar(get(r.root, 'metadata', 'annotations', middlewaresAnnotation));
  if (annotation && typeof annotation.value === 'string') {
    for (const entry of middlewareEntries(annotation)) {
      const { base, provider } = splitProvider(entry.text);
      sites.push({
        holder: r, role: 'ingress-middleware', targetKind: 'Middleware', written: entry.text,
        // A name without a provider belongs to the Ingress provider, which defines no middlewares.
        lookup: provider === crdProvider ? { by: 'id', id: base } : { by: 'external', provider: provider ?? 'kubernetes' },
        span: entry.span, nameNode: annotation,
      });
    }
  }
  return sites;
}

function backendSite(r: Resource, backend: YNode | undefined, ingressRule: { host: string; path: string } | undefined): RefSite[] {
  const service = asMap(get(backend, 'service'));
  if (!service) return [];
  const namePair = pair(service, 'name');
  const nameNode = asScalar(namePair?.value);
  const written = str(nameNode) ?? '';
  const number = asScalar(get(service, 'port', 'number'));
  const name = asScalar(get(service, 'port', 'name'));
  const port = number ? { node: number, field: 'number' as const } : name ? { node: name, field: 'name' as const } : undefined;
  return [{
    holder: r, role: 'ingress-backend', targetKind: 'Service', written, lookup: { by: 'name', namespace: r.namespace, name: written },
    span: nameNode?.span ?? service.span, nameNode, refMap: service, protocol: 'http',
    ...(namePair ? { keySpan: namePair.keySpan } : {}),
    ...(port ? { port } : {}),
    ...(ingressRule ? { ingressRule } : {}),
  }];
}

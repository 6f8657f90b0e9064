/**
 * Which objects Traefik reads at all. Traefik ignores objects of an API group it does not watch, objects in
 * namespaces outside its `namespaces` option, routes of another ingress class, and Secrets labelled
 * `owner=helm`. An ignored object produces no route errors of its own, and a reference to it fails exactly like
 * a reference to an object that does not exist.
 */
import type { RelatedInformation, Resource, TraefikOptions, YNode } from '../model';
import { get, str } from '../parse/ynode';
import { relatedTo, type TraefikEnv } from './issues';
import { objectId } from './names';

const routeKinds: ReadonlySet<string> = new Set(['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP']);

const traefikGroups: ReadonlySet<string> = new Set(['traefik.io', 'traefik.containo.us']);

export interface IgnoredObject {
  code: 'namespace-not-watched' | 'ingress-class-mismatch' | 'api-group' | 'secret-filtered';
  /** Why Traefik does not read the object, as a clause that completes "Traefik ignores it: …". */
  reason: string;
  /** The value that causes it, when the object states it. */
  node?: YNode;
}

export function isWatchedNamespace(options: TraefikOptions, namespace: string): boolean {
  return !options.namespaces || options.namespaces.length === 0 || options.namespaces.includes(namespace);
}

export interface IngressClass {
  value: string;
  node?: YNode;
}

/**
 * The ingress class Traefik reads from a route object: `spec.ingressClassName` (Traefik v3.7+) wins over the
 * deprecated `kubernetes.io/ingress.class` annotation.
 */
export function ingressClassOf(resource: Resource, options: TraefikOptions): IngressClass {
  if (options.version === 'v3') {
    const node = get(resource.root, 'spec', 'ingressClassName');
    const value = str(node);
    if (value) return { value, node };
  }
  const node = get(resource.root, 'metadata', 'annotations', 'kubernetes.io/ingress.class');
  return { value: str(node) ?? '', node };
}

/** Traefik processes a class equal to its option, or, with no option set, no class or the class `traefik`. */
function ingressClassAccepted(objectClass: string, providerClass: string): boolean {
  return objectClass === providerClass || (providerClass === '' && objectClass === 'traefik');
}

/** Why Traefik does not read this object, or undefined when it does. */
export function ignoredBecause(env: TraefikEnv, resource: Resource): IgnoredObject | undefined {
  const { options } = env;
  if (traefikGroups.has(resource.group)) {
    if (resource.group === 'traefik.containo.us') {
      if (options.version === 'v3') {
        return { code: 'api-group', reason: 'Traefik v3 does not read the traefik.containo.us API group', node: get(resource.root, 'apiVersion') };
      }
      if (env.index.find(resource.kind, resource.namespace, resource.name).some((twin) => twin.group === 'traefik.io')) {
        return { code: 'api-group', reason: `a traefik.io ${resource.kind} with the same namespace and name takes its place`, node: get(resource.root, 'apiVersion') };
      }
    }
    if (resource.kind === 'ServersTransportTCP' && options.version === 'v2') {
      return { code: 'api-group', reason: 'ServersTransportTCP exists only in Traefik v3', node: get(resource.root, 'kind') };
    }
  }
  if (!isWatchedNamespace(options, resource.namespace)) {
    return {
      code: 'namespace-not-watched',
      reason: `namespace ${resource.namespace} is not among the watched namespaces (${options.namespaces!.join(', ')})`,
      node: get(resource.root, 'metadata', 'namespace'),
    };
  }
  if (routeKinds.has(resource.kind)) {
    const objectClass = ingressClassOf(resource, options);
    if (!ingressClassAccepted(objectClass.value, options.ingressClass)) {
      return {
        code: 'ingress-class-mismatch',
        reason: `its ingress class "${objectClass.value}" is not the provider's ingressClass "${options.ingressClass}"`,
        node: objectClass.node,
      };
    }
  }
  if (resource.kind === 'Secret' && resource.labels['owner'] === 'helm') {
    return { code: 'secret-filtered', reason: 'Traefik does not read Secrets labelled owner=helm (Helm release data)', node: get(resource.root, 'metadata', 'labels', 'owner') };
  }
  return undefined;
}

export function isVisible(env: TraefikEnv, resource: Resource): boolean {
  return ignoredBecause(env, resource) === undefined;
}

/** The object Traefik reads under this kind, namespace and name (the traefik.io one when both groups have it). */
export function findVisible(env: TraefikEnv, kind: string, namespace: string, name: string): Resource | undefined {
  const visible = env.index.find(kind, namespace, name).filter((r) => isVisible(env, r));
  return visible.find((r) => r.group === 'traefik.io') ?? visible[0];
}

/** Ids are computed once per object: they are looked up for every reference, and objects outlive analyses. */
const idCache = new WeakMap<Resource, string>();

/** The id Traefik gives an object (`Normalize(namespace-name)`). */
export function traefikId(object: Resource): string {
  let id = idCache.get(object);
  if (id === undefined) idCache.set(object, (id = objectId(object.namespace, object.name)));
  return id;
}

/**
 * The object Traefik finds at runtime under a CRD id. A plain reference also names the namespace and name the
 * id came from, which finds the object directly in the common case; otherwise the id is compared with every
 * object's (in that namespace, when known). The traefik.io object wins when both groups have one.
 */
export function findVisibleById(env: TraefikEnv, kind: string, id: string, named?: { namespace: string; name: string }): Resource | undefined {
  const direct = named && findVisible(env, kind, named.namespace, named.name);
  if (direct) return direct;
  const candidates = named ? visibleInNamespace(env, kind, named.namespace) : visibleOfKind(env, kind);
  const matches = candidates.filter((object) => traefikId(object) === id);
  return matches.find((object) => object.group === 'traefik.io') ?? matches[0];
}

export function visibleInNamespace(env: TraefikEnv, kind: string, namespace: string): Resource[] {
  return env.index.inNamespace(kind, namespace).filter((r) => isVisible(env, r));
}

export function visibleOfKind(env: TraefikEnv, kind: string): Resource[] {
  return env.index.ofKind(kind).filter((r) => isVisible(env, r));
}

/**
 * When objects with this kind, namespace and name exist but Traefik ignores all of them, a sentence saying
 * so; otherwise ''. It turns a puzzling "not found" into its real cause.
 */
export function ignoredTwinNote(env: TraefikEnv, kind: string, namespace: string, name: string): string {
  for (const twin of env.index.find(kind, namespace, name)) {
    const ignored = ignoredBecause(env, twin);
    if (ignored) return `${kind} ${namespace}/${name} exists, but Traefik ignores it: ${ignored.reason}.`;
  }
  return '';
}

/** Like `ignoredTwinNote`, for references by Traefik id (`<namespace>-<name>`, from `…@kubernetescrd` names). */
export function ignoredIdNote(env: TraefikEnv, kind: string, id: string, idOf: (object: Resource) => string): string {
  for (const twin of env.index.ofKind(kind)) {
    if (idOf(twin) !== id) continue;
    const ignored = ignoredBecause(env, twin);
    if (ignored) return `${kind} ${twin.namespace}/${twin.name} has this id, but Traefik ignores it: ${ignored.reason}.`;
  }
  return '';
}

/** `related` entries for did-you-mean candidates: where the objects the user may have meant are written. */
export function candidateLocations(env: TraefikEnv, kind: string, namespace: string, names: readonly string[]): RelatedInformation[] {
  return names.flatMap((name) => {
    const object = findVisible(env, kind, namespace, name);
    return object ? [relatedTo(object, `${kind} ${namespace}/${name}`)] : [];
  });
}

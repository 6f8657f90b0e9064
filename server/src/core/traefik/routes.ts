/**
 * Route-level rules shared by IngressRoute, IngressRouteTCP and IngressRouteUDP: an empty match, the v2 `kind`,
 * routes that collide on their match, routes without services, and `parentRefs` (multi-layer routing, v3.6+).
 */
import type { Resource, YNode } from '../model';
import { get, items, pair, str } from '../parse/ynode';
import { speaksFor } from './authority';
import type { Issue, TraefikEnv } from './issues';
import { absentHint, hintFrom, relatedTo } from './issues';
import { closestNames, didYouMean } from './names';
import { allowCrossNamespaceHint } from './references';
import { candidateLocations, findVisible, ignoredTwinNote, visibleInNamespace, visibleOfKind } from './visibility';

export function routesOf(resource: Resource): YNode[] {
  return items(get(resource.root, 'spec', 'routes'));
}

/** `match: ""` or no match: the provider logs `Empty match rule` and builds no router. */
export function emptyMatchIssue(holder: Resource, route: YNode): Issue | undefined {
  const match = pair(route, 'match');
  if (str(match?.value)) return undefined;
  return {
    code: 'rule-empty', stage: 'provider', file: holder.file, span: match ? match.value.span : route.span,
    error: 'Empty match rule', hint: holder.kind === 'IngressRouteTCP' ? 'Write a rule such as HostSNI(`*`).' : 'Write a rule such as Host(`example.com`).',
  };
}

/** Traefik v2 (and v3.0–3.2) accepts only `kind: Rule` on a route, and the field is required. */
export function routeKindIssue(env: TraefikEnv, holder: Resource, route: YNode): Issue | undefined {
  if (env.options.version !== 'v2') return undefined;
  const kindNode = get(route, 'kind');
  const kind = str(kindNode) ?? '';
  if (kind === 'Rule') return undefined;
  return {
    code: 'route-kind-missing', stage: 'provider', file: holder.file, span: (kindNode ?? get(route, 'match') ?? route).span,
    error: `Unsupported match kind: ${kind}. Only "Rule" is supported for now`, hint: 'Add kind: Rule to the route.', data: { replacement: 'Rule' },
  };
}

/**
 * Traefik names a router after its IngressRoute and a hash of its match, so two routes with the same match
 * collide and the later one replaces the earlier. The warning goes on every route that is replaced.
 */
export function duplicateMatchIssues(holder: Resource, routes: readonly YNode[]): Issue[] {
  const issues: Issue[] = [];
  routes.forEach((route, index) => {
    const match = get(route, 'match');
    const rule = str(match);
    if (!match || !rule) return;
    const later = routes.findIndex((other, j) => j > index && str(get(other, 'match')) === rule);
    if (later < 0) return;
    issues.push({
      code: 'duplicate-match', stage: 'note', file: holder.file, span: match.span,
      error: `Route ${later + 1} of this ${holder.kind} has the same match, and Traefik keeps only the last route with a given match, so this route is replaced`,
      hint: 'Merge the two routes, or make their matches differ.', related: [{ file: holder.file, span: get(routes[later], 'match')!.span, message: 'the route that replaces it' }],
    });
  });
  return issues;
}

function hasServices(route: YNode): boolean {
  return items(get(route, 'services')).length > 0;
}

/** The parentRefs of `child` that Traefik accepts: the parent exists and cross-namespace references are allowed. */
function attachesTo(env: TraefikEnv, child: Resource, parent: Resource): boolean {
  return items(get(child.root, 'spec', 'parentRefs')).some((ref) => {
    const namespace = str(get(ref, 'namespace')) || child.namespace;
    return str(get(ref, 'name')) === parent.name && namespace === parent.namespace && (env.options.allowCrossNamespace || namespace === child.namespace);
  });
}

/**
 * A route without services. Since v3.6 it is valid as the parent of child IngressRoutes; without children the
 * runtime disables it (`router has no service and no child routers`). In v2 its router names a service that
 * Traefik never builds. For TCP and UDP the router has no service either way.
 */
export function missingServiceIssue(env: TraefikEnv, holder: Resource, route: YNode): Issue | undefined {
  if (hasServices(route)) return undefined;
  const at = { file: holder.file, span: (get(route, 'match') ?? route).span };
  if (holder.kind !== 'IngressRoute' || env.options.version === 'v2') {
    return { code: 'route-without-service', stage: 'runtime', ...at, error: 'the route has no services, so its router has no service to send requests to', hint: 'Add services: with at least one Service.' };
  }
  if (visibleOfKind(env, 'IngressRoute').some((child) => child !== holder && attachesTo(env, child, holder))) return undefined;
  const refused = visibleOfKind(env, 'IngressRoute').filter((child) => items(get(child.root, 'spec', 'parentRefs')).some((ref) =>
    str(get(ref, 'name')) === holder.name && (str(get(ref, 'namespace')) || child.namespace) === holder.namespace));
  return {
    code: 'route-without-service', stage: 'runtime', ...at, error: 'router has no service and no child routers',
    hint: refused.length > 0
      ? `IngressRoute ${refused.map((c) => `${c.namespace}/${c.name}`).join(', ')} names this one in parentRefs, but Traefik refuses the cross-namespace reference (allowCrossNamespace is off).`
      : 'Add services:, or attach child IngressRoutes to this one with spec.parentRefs.',
    ...(refused.length > 0 ? { related: refused.map((c) => relatedTo(c, `child IngressRoute ${c.namespace}/${c.name}`)) } : {}),
  };
}

/**
 * `spec.parentRefs` (Traefik v3.6+): every parent IngressRoute must exist, in the same namespace unless
 * allowCrossNamespace. A failure drops every route of the child.
 */
export function parentRefIssues(env: TraefikEnv, holder: Resource): Issue[] {
  if (env.options.version !== 'v3') return [];
  const issues: Issue[] = [];
  for (const ref of items(get(holder.root, 'spec', 'parentRefs'))) {
    const nameNode = get(ref, 'name');
    const name = str(nameNode) ?? '';
    const namespaceNode = get(ref, 'namespace');
    const namespace = str(namespaceNode) || holder.namespace;
    if (namespace !== holder.namespace && !env.options.allowCrossNamespace) {
      issues.push({
        code: 'cross-namespace-reference', stage: 'provider', file: holder.file, span: (namespaceNode ?? ref).span,
        error: `cross-namespace reference to parent IngressRoute ${namespace}/${name} not allowed`, hint: allowCrossNamespaceHint,
        data: { name, namespace, parentNamespace: holder.namespace },
      });
      continue;
    }
    if (findVisible(env, 'IngressRoute', namespace, name) || !speaksFor(env, 'IngressRoute', namespace)) continue;
    const present = visibleInNamespace(env, 'IngressRoute', namespace).map((r) => r.name);
    const candidates = closestNames(name, present);
    issues.push({
      code: 'parent-not-found', stage: 'provider', file: holder.file, span: (nameNode ?? ref).span,
      error: `parent IngressRoute ${namespace}/${name} does not exist`,
      hint: hintFrom([didYouMean(candidates), ignoredTwinNote(env, 'IngressRoute', namespace, name)], absentHint('IngressRoute', name, namespace, present)),
      related: candidateLocations(env, 'IngressRoute', namespace, candidates),
      data: { name, namespace, candidates },
    });
  }
  return issues;
}

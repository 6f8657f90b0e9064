/**
 * IngressRoute (HTTP): every reference a route makes, judged as Traefik's CRD provider and runtime judge it.
 * Any failing service, middleware, parentRef or TLSOption reference costs the route its router; the other routes
 * of the same IngressRoute are unaffected.
 */
import type { Check } from '../analyze';
import { get, items } from '../parse/ynode';
import { allRoutesConsequence, httpRouteConsequence, issueFinding, traefikEnv, type Issue } from '../traefik/issues';
import { invalidMiddlewareReference, middlewareRefIssues } from '../traefik/middlewares';
import { duplicateMatchIssues, emptyMatchIssue, missingServiceIssue, parentRefIssues, routeKindIssue, routesOf } from '../traefik/routes';
import { httpServiceRefIssues } from '../traefik/services';
import { tlsOptionRefIssues, tlsSecretIssues } from '../traefik/tls';
import { isVisible } from '../traefik/visibility';

export const traefikIngressRoute: Check = {
  name: 'traefik-ingressroute',
  kinds: ['IngressRoute'],
  run(resource, ctx) {
    const env = traefikEnv(ctx);
    if (!isVisible(env, resource)) return;
    const tls = get(resource.root, 'spec', 'tls');
    const sharedIssues: Issue[] = [
      ...parentRefIssues(env, resource),
      ...tlsOptionRefIssues(env, resource, get(tls, 'options')),
      ...tlsSecretIssues(env, resource, get(tls, 'secretName')),
    ];
    for (const issue of sharedIssues) ctx.report(issueFinding(issue, allRoutesConsequence(resource.kind)), resource);
    const routes = routesOf(resource);
    const routeIssues: Issue[] = [...duplicateMatchIssues(resource, routes)];
    for (const route of routes) {
      routeIssues.push(...[emptyMatchIssue(resource, route), routeKindIssue(env, resource, route), missingServiceIssue(env, resource, route)].filter((i) => i !== undefined));
      for (const middleware of items(get(route, 'middlewares'))) {
        routeIssues.push(...middlewareRefIssues(env, resource, middleware, 'Middleware', invalidMiddlewareReference, new Set()));
      }
      for (const service of items(get(route, 'services'))) routeIssues.push(...httpServiceRefIssues(env, resource, service, new Set()));
    }
    for (const issue of routeIssues) ctx.report(issueFinding(issue, httpRouteConsequence), resource);
  },
};

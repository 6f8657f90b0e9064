/**
 * IngressRouteTCP and IngressRouteUDP. A failing middleware or TLSOption reference drops the TCP router, but a
 * failing service keeps the router without its service, which the runtime then disables. With several services,
 * a failing one is only left out of the load balancer as long as another one works.
 */
import type { Check } from '../analyze';
import { get, isTrue, items } from '../parse/ynode';
import {
  allRoutesConsequence, degradedServiceConsequence, isFailure, issueFinding, layer4RouteConsequence, layer4ServiceConsequence, traefikEnv, type Issue,
} from '../traefik/issues';
import { invalidMiddlewareReference, middlewareRefIssues } from '../traefik/middlewares';
import { duplicateMatchIssues, emptyMatchIssue, missingServiceIssue, routesOf } from '../traefik/routes';
import { layer4ServiceRefIssues } from '../traefik/services';
import { tlsOptionRefIssues, tlsSecretIssues } from '../traefik/tls';
import { isVisible } from '../traefik/visibility';

export const traefikLayer4Route: Check = {
  name: 'traefik-ingressroute-tcp-udp',
  kinds: ['IngressRouteTCP', 'IngressRouteUDP'],
  run(resource, ctx) {
    const env = traefikEnv(ctx);
    if (!isVisible(env, resource)) return;
    const protocol = resource.kind === 'IngressRouteTCP' ? 'tcp' : 'udp';
    const label = protocol === 'tcp' ? 'TCP' : 'UDP';
    const report = (issue: Issue, consequence = layer4RouteConsequence(label), severity?: 'warning') =>
      ctx.report(issueFinding(issue, consequence, severity), resource);
    const routes = routesOf(resource);
    if (protocol === 'tcp') {
      const tls = get(resource.root, 'spec', 'tls');
      tlsOptionRefIssues(env, resource, get(tls, 'options')).forEach((i) => report(i, allRoutesConsequence(resource.kind)));
      // A passthrough route hands the TLS connection to the backend, so Traefik never loads the certificate.
      if (!isTrue(get(tls, 'passthrough'))) tlsSecretIssues(env, resource, get(tls, 'secretName')).forEach((i) => report(i, allRoutesConsequence(resource.kind)));
      duplicateMatchIssues(resource, routes).forEach((i) => report(i));
    }
    for (const route of routes) {
      if (protocol === 'tcp') {
        const empty = emptyMatchIssue(resource, route);
        if (empty) report(empty);
        for (const middleware of items(get(route, 'middlewares'))) {
          middlewareRefIssues(env, resource, middleware, 'MiddlewareTCP', invalidMiddlewareReference, new Set()).forEach((i) => report(i));
        }
      }
      const missing = missingServiceIssue(env, resource, route);
      if (missing) report(missing);
      const perService = items(get(route, 'services')).map((service) => layer4ServiceRefIssues(env, resource, service, protocol));
      const someServiceWorks = perService.some((issues) => !issues.some(isFailure));
      for (const issues of perService) {
        for (const issue of issues) {
          if (isFailure(issue) && someServiceWorks) report(issue, degradedServiceConsequence, 'warning');
          else report(issue, layer4ServiceConsequence(label));
        }
      }
    }
  },
};

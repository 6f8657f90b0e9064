/**
 * Middlewares and TraefikServices that Traefik cannot build. A provider failure drops the object, a missing
 * reference fails it at runtime; either way every route that uses it is disabled, and those routes get their own
 * finding that points back here.
 */
import type { Check } from '../analyze';
import { issueFinding, objectConsequence, traefikEnv } from '../traefik/issues';
import { middlewareIssues } from '../traefik/middlewares';
import { traefikServiceIssues } from '../traefik/services';
import { isVisible } from '../traefik/visibility';

export const traefikMiddleware: Check = {
  name: 'traefik-middleware',
  kinds: ['Middleware'],
  run(resource, ctx) {
    const env = traefikEnv(ctx);
    if (!isVisible(env, resource)) return;
    const self = new Set([`Middleware/${resource.namespace}/${resource.name}`]);
    for (const issue of middlewareIssues(env, resource, self)) ctx.report(issueFinding(issue, objectConsequence('Middleware')), resource);
  },
};

export const traefikServiceObject: Check = {
  name: 'traefik-traefikservice',
  kinds: ['TraefikService'],
  run(resource, ctx) {
    const env = traefikEnv(ctx);
    if (!isVisible(env, resource)) return;
    const self = new Set([`TraefikService/${resource.namespace}/${resource.name}`]);
    for (const issue of traefikServiceIssues(env, resource, self)) ctx.report(issueFinding(issue, objectConsequence('TraefikService')), resource);
  },
};

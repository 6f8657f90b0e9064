/**
 * Middlewares and TraefikServices that Traefik cannot build. A provider failure drops the object, a missing
 * reference fails it at runtime; either way every route that uses it is disabled, and those routes get their own
 * finding that points back here.
 */
import type { Check } from '../analyze';
import type { Resource } from '../model';
import { issueFinding, objectConsequence, traefikEnv, type Issue, type TraefikEnv } from '../traefik/issues';
import { middlewareIssues } from '../traefik/middlewares';
import { traefikServiceIssues, type Visiting } from '../traefik/services';
import { isVisible } from '../traefik/visibility';

function objectCheck(kind: string, issuesOf: (env: TraefikEnv, object: Resource, visiting: Visiting) => readonly Issue[]): Check {
  return {
    name: `traefik-${kind.toLowerCase()}`,
    kinds: [kind],
    run(resource, ctx) {
      const env = traefikEnv(ctx);
      if (!isVisible(env, resource)) return;
      // The object itself counts as visited, so that a reference back to it is reported as a cycle.
      const self = new Set([`${kind}/${resource.namespace}/${resource.name}`]);
      for (const issue of issuesOf(env, resource, self)) ctx.report(issueFinding(issue, objectConsequence(kind)), resource);
    },
  };
}

export const traefikMiddleware = objectCheck('Middleware', middlewareIssues);
export const traefikServiceObject = objectCheck('TraefikService', traefikServiceIssues);

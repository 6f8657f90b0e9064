/**
 * Traefik objects that Traefik does not read: outside its watched namespaces, or of another ingress class.
 * They get one finding on the object, and their routes are not checked further.
 */
import type { Check } from '../analyze';
import { nameSpan, traefikEnv } from '../traefik/issues';
import { ignoredBecause, ingressClassOf } from '../traefik/visibility';

export const traefikKinds: readonly string[] = [
  'IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'TraefikService', 'TLSOption',
  'TLSStore', 'ServersTransport', 'ServersTransportTCP',
];

export const traefikIgnoredObject: Check = {
  name: 'traefik-ignored-object',
  kinds: traefikKinds,
  run(resource, ctx) {
    const env = traefikEnv(ctx);
    const ignored = ignoredBecause(env, resource);
    if (ignored?.code === 'namespace-not-watched') {
      ctx.report({
        code: 'namespace-not-watched',
        span: ignored.node?.span ?? nameSpan(resource),
        message: `Traefik ignores this ${resource.kind}: ${ignored.reason}. References to it fail as if it did not exist; add the namespace to the kubernetesCRD provider's namespaces if Traefik should serve it.`,
        data: { namespace: resource.namespace, watched: env.options.namespaces },
      }, resource);
    } else if (ignored?.code === 'ingress-class-mismatch') {
      // An object that names another class is meant for another controller. One without any class, while
      // Traefik only serves a class, is usually a forgotten annotation: its routes answer 404.
      const unclassed = ingressClassOf(resource, env.options).value === '';
      // Traefik reads spec.ingressClassName on its CRDs only since v3.7; the annotation works in every version.
      const classField = env.options.version === 'v3'
        ? 'spec.ingressClassName (Traefik v3.7+) or the kubernetes.io/ingress.class annotation'
        : 'the kubernetes.io/ingress.class annotation';
      ctx.report({
        code: 'ingress-class-mismatch',
        ...(unclassed ? { severity: 'error' as const } : {}),
        span: ignored.node?.span ?? nameSpan(resource),
        message: unclassed
          ? `Traefik ignores this ${resource.kind}, so its routes answer 404: it has no ingress class, and Traefik only serves ingressClass "${env.options.ingressClass}". Set ${classField} to "${env.options.ingressClass}".`
          : `Traefik ignores this ${resource.kind}: ${ignored.reason}, so it is left to another ingress controller. If Traefik should serve it, set ${classField} to "${env.options.ingressClass || 'traefik'}".`,
        data: { ingressClass: env.options.ingressClass },
      }, resource);
    }
  },
};

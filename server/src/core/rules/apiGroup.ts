import type { Check } from '../analyze';
import { pair } from '../parse/ynode';

const traefikKinds = ['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'TraefikService', 'TLSOption', 'TLSStore', 'ServersTransport'];

/** traefik.containo.us objects: Traefik v3 no longer watches that group, so the object does not exist for it. */
export const deprecatedApiGroup: Check = {
  name: 'deprecated-api-group',
  kinds: traefikKinds,
  run(resource, ctx) {
    if (resource.group !== 'traefik.containo.us') return;
    const apiVersion = pair(resource.root, 'apiVersion')!;
    if (ctx.options.traefik.version === 'v3') {
      // v3 is the default: a repository written for v2 that does not say so learns here how to say it.
      const chosen = ctx.options.explicitTraefik?.includes('version') === true;
      ctx.report({
        code: 'deprecated-api-group',
        span: apiVersion.value.span,
        message: `Traefik v3 ignores this ${resource.kind}: the traefik.containo.us API group was removed in v3. Use apiVersion: traefik.io/v1alpha1.${chosen ? '' : ' If this repository runs Traefik v2, set the Traefik version to v2 (setting routeDoctor.traefik.version, or --traefik v2).'}`,
        data: { replacement: 'traefik.io/v1alpha1' },
      }, resource);
    } else {
      ctx.report({
        code: 'deprecated-api-group',
        severity: 'warning',
        span: apiVersion.value.span,
        // Releases before v2.10 know only traefik.containo.us: the advice says from which release it holds.
        message: `traefik.containo.us is deprecated since Traefik v2.10 and removed in v3. From v2.10 on, use apiVersion: traefik.io/v1alpha1 (Traefik v2.9 and older read only traefik.containo.us: keep it while you run them).`,
        data: { replacement: 'traefik.io/v1alpha1' },
      }, resource);
    }
  },
};

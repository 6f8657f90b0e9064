/**
 * TLS material of Traefik objects: TLSOptions and TLSStores named `default` defined in several namespaces (Traefik
 * removes them all), and Secrets named by TLSOptions, TLSStores and ServersTransports. Traefik skips a missing
 * Secret and keeps the object, so these degrade TLS rather than break routes.
 */
import type { Check } from '../analyze';
import { get, items } from '../parse/ynode';
import { issueFinding, nameSpan, objectConsequence, traefikEnv } from '../traefik/issues';
import { conflictingDefaults, referencedSecretIssues } from '../traefik/tls';
import { isVisible } from '../traefik/visibility';

export const traefikTlsObjects: Check = {
  name: 'traefik-tls-objects',
  kinds: ['TLSOption', 'TLSStore', 'ServersTransport', 'ServersTransportTCP'],
  run(resource, ctx) {
    const env = traefikEnv(ctx);
    if (!isVisible(env, resource)) return;
    for (const issue of referencedSecretIssues(env, resource)) ctx.report(issueFinding(issue, objectConsequence(resource.kind)), resource);
    if (resource.kind === 'TLSOption' || resource.kind === 'TLSStore') {
      const defaults = conflictingDefaults(env, resource.kind);
      if (defaults.includes(resource)) {
        const namespaces = [...new Set(defaults.map((d) => d.namespace))].sort();
        ctx.report({
          code: 'tls-default-conflict',
          span: nameSpan(resource),
          message: `Default ${resource.kind === 'TLSOption' ? 'TLS Options' : 'TLS Stores'} defined in multiple namespaces: [${namespaces.join(' ')}]. Traefik removes all of them and uses its built-in defaults; keep one ${resource.kind} named default.`,
          related: defaults.filter((d) => d !== resource).map((d) => ({ file: d.file, span: nameSpan(d), message: `${resource.kind} ${d.namespace}/${d.name}` })),
          data: { namespaces },
        }, resource);
      }
    }
    if (resource.kind === 'ServersTransport') {
      for (const rootCA of items(get(resource.root, 'spec', 'rootCAs'))) {
        if (get(rootCA, 'secret') && get(rootCA, 'configMap')) {
          ctx.report({
            code: 'invalid-value', severity: 'warning', span: rootCA.span,
            message: 'Error while loading CA: both Secret and ConfigMap are defined. Traefik skips this CA; keep either secret or configMap.',
          }, resource);
        }
      }
    }
  },
};

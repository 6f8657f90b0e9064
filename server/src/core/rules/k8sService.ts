/**
 * Checks on a Service's link to its Pods, from the endpoint prediction: a selector that matches no Pod template, and
 * a named targetPort that the selected containers do not declare. Both leave Traefik without servers.
 */
import type { Check } from '../analyze';
import { predictEndpointsFromWorkloads, selectorSpan, serviceSelector } from '../k8s/endpoints';
import { asMap, get, items, pair } from '../parse/ynode';

export const selectorNoMatch: Check = {
  name: 'selector-no-match',
  kinds: ['Service'],
  run(resource, ctx) {
    if (!serviceSelector(resource)) return;
    const verdict = predictEndpointsFromWorkloads(ctx.index, resource, undefined);
    if (verdict.state !== 'none' || verdict.reason !== 'no-match') return;
    const ref = `${resource.namespace}/${resource.name}`;
    ctx.report({
      code: 'selector-no-match',
      span: selectorSpan(resource, verdict.data.differing[0]?.key)!,
      message: `Service ${ref} selects no Pods, so it gets no endpoints and Traefik finds no servers for it: every route to it returns 404. ${capitalize(verdict.cause)}. Change the selector or the Pod template labels so that they agree.`,
      related: verdict.related,
      data: verdict.data,
    }, resource);
  },
};

export const targetPortNotFound: Check = {
  name: 'target-port-not-found',
  kinds: ['Service'],
  run(resource, ctx) {
    if (!serviceSelector(resource)) return;
    for (const portNode of items(get(resource.root, 'spec', 'ports'))) {
      const servicePort = asMap(portNode);
      const targetPort = pair(servicePort, 'targetPort');
      if (!servicePort || !targetPort) continue;
      const verdict = predictEndpointsFromWorkloads(ctx.index, resource, servicePort);
      if (verdict.state !== 'none' || verdict.reason !== 'named-port-missing') continue;
      const suggestion = verdict.data.suggestion;
      ctx.report({
        code: 'target-port-not-found',
        span: targetPort.value.span,
        message: `The EndpointSlice controller leaves every selected Pod out of this port, so Traefik finds no servers for it (404): ${verdict.cause}. `
          + (suggestion ? `Did you mean "${suggestion}"? ` : '')
          + 'Use a port name the containers declare, or the container port number.',
        related: verdict.related,
        data: verdict.data,
      }, resource);
    }
  },
};

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

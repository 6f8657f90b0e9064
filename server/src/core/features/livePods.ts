/**
 * The live Pods behind each Service of a cluster snapshot, for hovers. A Service with a selector is backed by the
 * Pods of its namespace that carry the selector's labels (what the EndpointSlice controller selects); one without a
 * selector by the Pods its EndpointSlices name. Terminating Pods are left out: they no longer receive traffic.
 */
import { labelsMatch } from '../live/endpoints';
import type { ClusterSnapshot } from '../live/snapshot';
import type { LivePodsProvider, LivePodSummary } from './hover';

export function livePodsFromSnapshot(snapshot: ClusterSnapshot): LivePodsProvider {
  return {
    podsOf(namespace, name) {
      if (!snapshot.namespaces.includes(namespace)) return undefined;
      const service = snapshot.services.find((s) => s.namespace === namespace && s.name === name);
      if (!service) return [];
      const inNamespace = snapshot.pods.filter((p) => p.namespace === namespace && !p.terminating);
      const selector = service.selector;
      const named = new Set(snapshot.endpointSlices.filter((s) => s.namespace === namespace && s.serviceName === name).flatMap((s) => s.endpoints.map((e) => e.pod)));
      const pods = selector ? inNamespace.filter((p) => labelsMatch(p.labels, selector)) : inNamespace.filter((p) => named.has(p.name));
      return pods.map((p): LivePodSummary => ({ name: p.name, ready: p.ready, ...(p.podIP ? { ip: p.podIP } : {}) }));
    },
  };
}

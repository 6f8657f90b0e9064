/**
 * Predicts, from the workspace's workloads, whether the EndpointSlice controller would give a Service endpoints
 * for one of its ports. Used when the workspace ships no EndpointSlice/Endpoints objects for the Service.
 */
import type { IndexView } from '../analyze';
import type { RelatedInformation, Resource, YMap } from '../model';

export type EndpointVerdict =
  /** Some workload's Pods would be endpoints of this port. */
  | { state: 'servers' }
  /** No Pod would be an endpoint: the message says why (for the route's diagnostic), related points at the causes. */
  | { state: 'none'; reason: 'no-selector' | 'no-match' | 'named-port-missing' | 'never-ready'; message: string; related: RelatedInformation[]; data: Record<string, unknown> }
  /** Nothing in the workspace allows a verdict (for example the Pods come from elsewhere). */
  | { state: 'unknown' };

export function predictEndpointsFromWorkloads(_index: IndexView, _service: Resource, _servicePort: YMap | undefined): EndpointVerdict {
  return { state: 'unknown' };
}

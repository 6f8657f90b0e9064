/**
 * The one notification a live diagnosis may end with. Whatever went wrong (no kubeconfig, an unknown context, a dead
 * or refusing API server, forbidden lists, missing CRDs, server errors), the user gets a single message that says the
 * most important thing and offers the next step; the details are in the output channel. Pure, so that the choice is
 * unit-tested without an editor.
 */
import type { SnapshotProblemCode } from '../../server/src/core/live/snapshot';
import type { DiagnoseClusterReport } from '../../server/src/protocol';

export type NoticeAction = 'Select context' | 'Show output' | 'Open report';

export interface Notice {
  severity: 'error' | 'warning';
  message: string;
  actions: NoticeAction[];
}

/** Faults a different context may cure: the chosen one is wrong, unreachable, or its credentials are refused. */
const contextFaults: ReadonlySet<SnapshotProblemCode> = new Set(['bad-kubeconfig', 'unknown-context', 'unreachable', 'tls', 'unauthorized', 'timeout']);

/** The notification for a finished diagnosis, or undefined when there is nothing to say beyond the report. */
export function noticeFor(result: DiagnoseClusterReport): Notice | undefined {
  const { report, problems, summary } = result;
  const context = report.context ? ` "${report.context}"` : '';
  const fatal = problems.find((p) => p.fatal);
  if (fatal) {
    return {
      severity: 'error',
      message: `Route Doctor could not read the cluster${context}: ${fatal.message}`,
      actions: contextFaults.has(fatal.code) ? ['Select context', 'Show output'] : ['Show output'],
    };
  }
  const crdMissing = summary.codes['live-crd-missing'] ?? 0;
  if (crdMissing > 0) {
    return {
      severity: 'warning',
      message: `The cluster${context} does not serve the Traefik resources of ${crdMissing} workspace object${crdMissing === 1 ? '' : 's'} (live-crd-missing): install Traefik's CRDs, or use the API group the cluster serves. The Problems panel shows where.`,
      actions: ['Open report', 'Show output'],
    };
  }
  const [first, ...rest] = problems;
  if (first) {
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'}; see the output)` : '';
    return {
      severity: 'warning',
      message: `Route Doctor read the cluster${context} only in part; the hops it could not check are marked unknown. ${first.message}${more}`,
      actions: ['Open report', 'Show output'],
    };
  }
  return undefined;
}

/**
 * The whole live diagnosis in one call, for the edges (the CLI now, the language server's request later): read
 * the cluster for the workspace's namespaces, then compare. Both results are plain JSON.
 */
import { diagnoseLive, namespacesOfInterest, type LiveDiagnosis, type LiveIndex } from '../core/live/diagnose';
import type { ClusterSnapshot } from '../core/live/snapshot';
import type { AnalysisOptions } from '../core/model';
import { loadSnapshotModule } from './load';
import type { SnapshotOptions } from './snapshot';

export interface ClusterDiagnosis extends LiveDiagnosis {
  snapshot: ClusterSnapshot;
}

/** Reads the cluster (namespaces default to the workspace's) and compares it with the index. Never throws for cluster faults. */
export async function diagnoseCluster(index: LiveIndex, analysis: AnalysisOptions, options: SnapshotOptions = {}): Promise<ClusterDiagnosis> {
  const namespaces = options.namespaces?.length ? options.namespaces : namespacesOfInterest(index);
  const snapshot = await loadSnapshotModule().takeSnapshot({ ...options, namespaces });
  return { snapshot, ...diagnoseLive(index, snapshot, analysis) };
}

/**
 * The live-cluster reader (snapshot.ts, what it uses, and @kubernetes/client-node) is built into a bundle of its
 * own, server/out/cluster.js, beside the CLI and language-server bundles (esbuild.mjs). It is most of the bytes a
 * bundle holding it has to compile, and most checks and editor sessions never use a cluster: loading it here, on the
 * first live diagnosis, keeps it out of every start.
 */
import { join } from 'node:path';

export type SnapshotModule = typeof import('./snapshot');

/** Loads the live-cluster reader: server/out/cluster.js from a bundle, snapshot.ts when run from the sources (tests). */
export function loadSnapshotModule(): SnapshotModule {
  const fromSources = __filename.endsWith('.ts');
  // The path is computed at run time so that esbuild leaves this require alone instead of inlining the module.
  return require(join(__dirname, fromSources ? 'snapshot' : 'cluster.js')) as SnapshotModule;
}

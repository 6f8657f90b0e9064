/** Types of generate.mjs, for the tests that reuse its workspaces. */
export function prng(seed: number): () => number;
/** Files of a workspace of about `fileCount` files, as [relative path, text] pairs. */
export function generateWorkspace(fileCount: number, seed?: number): [string, string][];
/** Writes the workspace under `dir` unless the same generator version and size already is there; returns stats. */
export function ensureWorkspace(dir: string, fileCount: number, seed?: number): { generatorVersion: number; fileCount: number; seed: number; files: number; bytes: number; crdBytes: number };

/** The analysis options of parsed arguments, shared by the plain check (main.ts) and the live one (cluster.ts). */
import { makeAnalysisOptions, type AnalysisOptions } from '../core/model';
import type { CliOptions } from './main';

/** The Traefik options given as flags win over the repository's. */
export function cliAnalysisOptions(opts: CliOptions): AnalysisOptions {
  return { ...makeAnalysisOptions(opts.traefik), ...(opts.unverifiedAsErrors ? { unverifiedAsErrors: true } : {}) };
}

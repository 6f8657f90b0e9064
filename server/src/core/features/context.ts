/**
 * What the editor features read: the workspace index, the analysis options, and the text of files (edits are computed
 * against the exact text the trees were read from). The language server supplies it from its own state; tests build
 * it from sources.
 */
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { AnalysisOptions, Finding, TraefikOptions } from '../model';
import type { DiscoveredOptions, OptionSource } from '../sources/providerOptions';

export interface FeatureContext {
  readonly index: WorkspaceIndex;
  readonly options: AnalysisOptions;
  /** The text a file's resources were read from; undefined for a file the host does not know. */
  textOf(file: string): string | undefined;
  /** The findings last computed for a file. */
  findingsOf(file: string): readonly Finding[];
  /** Where each Traefik option of `options` came from, for hovers; a host that does not say leaves it out. */
  optionOrigin?(option: keyof TraefikOptions): OptionOrigin;
}

/** Where the value of a Traefik option came from: the user's settings (or flags), the repository, or Traefik's default. */
export type OptionOrigin = { from: 'setting' } | { from: 'repository'; source: OptionSource } | { from: 'default' };

/**
 * The options an analysis used, from the options it was given and the provider options the repository sets
 * (RepositoryLayer.providerOptions), and where each came from: the options the user set win, the others come from
 * the repository when it sets them (as in the repository layer), else they are Traefik's defaults.
 */
export function withRepositoryOptions(options: AnalysisOptions, discovered: DiscoveredOptions | undefined): {
  options: AnalysisOptions;
  origin(option: keyof TraefikOptions): OptionOrigin;
} {
  const explicit = options.explicitTraefik;
  if (explicit === undefined) return { options, origin: () => ({ from: 'setting' }) };
  const found = Object.entries(discovered?.options ?? {}).filter(([key]) => !explicit.includes(key as keyof TraefikOptions));
  const effective = found.length === 0 ? options : { ...options, traefik: { ...options.traefik, ...Object.fromEntries(found) } };
  const fromRepository = new Set(found.map(([key]) => key));
  return {
    options: effective,
    origin: (option) => {
      if (explicit.includes(option)) return { from: 'setting' };
      const source = fromRepository.has(option) ? discovered?.sources[option] : undefined;
      return source ? { from: 'repository', source } : { from: 'default' };
    },
  };
}

/**
 * What the editor features read: the workspace index, the analysis options, and the text of files (edits are computed
 * against the exact text the trees were read from). The language server supplies it from its own state; tests build
 * it from sources.
 */
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { AnalysisOptions, Finding } from '../model';

export interface FeatureContext {
  readonly index: WorkspaceIndex;
  readonly options: AnalysisOptions;
  /** The text a file's resources were read from; undefined for a file the host does not know. */
  textOf(file: string): string | undefined;
  /** The findings last computed for a file. */
  findingsOf(file: string): readonly Finding[];
}

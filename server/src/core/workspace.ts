/** One-shot analysis of a set of files: what the CLI and the tests use. The language server keeps an Analyzer alive instead. */
import { Analyzer } from './analyze';
import { WorkspaceIndex } from './index/workspaceIndex';
import type { AnalysisOptions, Finding } from './model';
import { parseFile, type ParsedFile, type ParseOptions } from './parse/parseFile';
import { allChecks } from './rules';

export interface SourceText {
  file: string;
  text: string;
}

export interface WorkspaceResult {
  index: WorkspaceIndex;
  analyzer: Analyzer;
  findings: Map<string, Finding[]>;
}

/** `trackDependencies` (default true) keeps what the returned analyzer needs to answer `dependents` after edits. */
export function analyzeParsed(parsed: Iterable<ParsedFile>, options: AnalysisOptions, trackDependencies = true): WorkspaceResult {
  const index = new WorkspaceIndex();
  for (const p of parsed) index.setFile(p);
  const analyzer = new Analyzer(index, options, allChecks, { trackDependencies });
  const findings = new Map<string, Finding[]>();
  for (const file of index.files()) findings.set(file, analyzer.analyzeFile(file));
  return { index, analyzer, findings };
}

export function analyzeSources(sources: Iterable<SourceText>, options: AnalysisOptions, parseOptions?: ParseOptions): WorkspaceResult {
  const parsed: ParsedFile[] = [];
  for (const s of sources) parsed.push(parseFile(s.file, s.text, parseOptions));
  return analyzeParsed(parsed, options);
}

/** CLI output formats. Offsets become 0-based line/character positions here, at the edge. */
import { LineIndex } from '../core/lineIndex';
import type { Finding } from '../core/model';
import { ruleCatalog } from '../core/rules/catalog';

export interface Report {
  files: number;
  resources: number;
  findings: Finding[];
  texts: Map<string, string>;
}

function rangeOf(f: Finding, lines: Map<string, LineIndex>, texts: Map<string, string>) {
  let li = lines.get(f.file);
  if (!li) lines.set(f.file, (li = new LineIndex(texts.get(f.file) ?? '')));
  return { start: li.position(f.span.start), end: li.position(f.span.end) };
}

export function formatJson(report: Report): string {
  const lines = new Map<string, LineIndex>();
  const diagnostics = report.findings.map((f) => ({
    file: f.file,
    range: rangeOf(f, lines, report.texts),
    severity: f.severity,
    code: f.code,
    message: f.message,
    resource: f.resource ?? null,
  }));
  return JSON.stringify({ files: report.files, resources: report.resources, diagnostics }, null, 2) + '\n';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * One line per diagnostic as `file:line:column: severity [code] message` (1-based, the form terminals and editors
 * turn into links), related locations indented below it, then a summary line.
 */
export function formatText(report: Report): string {
  const lines = new Map<string, LineIndex>();
  let out = '';
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  const files = new Set<string>();
  for (const f of report.findings) {
    const r = rangeOf(f, lines, report.texts);
    counts[f.severity]++;
    files.add(f.file);
    out += `${f.file}:${r.start.line + 1}:${r.start.character + 1}: ${f.severity} [${f.code}] ${f.message}\n`;
    for (const related of f.related ?? []) {
      const at = rangeOf({ ...f, file: related.file, span: related.span }, lines, report.texts).start;
      out += `    ${related.file}:${at.line + 1}:${at.character + 1}: ${related.message}\n`;
    }
  }
  const checked = `${plural(report.files, 'file', 'files')} (${plural(report.resources, 'resource', 'resources')})`;
  if (report.findings.length === 0) return `${out}No problems found in ${checked}.\n`;
  const found = [plural(counts.error, 'error', 'errors'), plural(counts.warning, 'warning', 'warnings'), `${counts.information + counts.hint} information`];
  return `${out}\n${found.join(', ')} in ${files.size} of ${checked}.\n`;
}

const sarifLevel = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

export function formatSarif(report: Report): string {
  const lines = new Map<string, LineIndex>();
  const codes = [...new Set(report.findings.map((f) => f.code))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'route-doctor',
          informationUri: 'https://github.com/route-doctor/route-doctor',
          rules: codes.map((code) => ({
            id: code,
            shortDescription: { text: ruleCatalog.get(code)?.description ?? code },
            defaultConfiguration: { level: sarifLevel[ruleCatalog.get(code)?.severity ?? 'error'] },
          })),
        },
      },
      results: report.findings.map((f) => {
        const r = rangeOf(f, lines, report.texts);
        return {
          ruleId: f.code,
          ruleIndex: codes.indexOf(f.code),
          level: sarifLevel[f.severity],
          message: { text: f.message },
          locations: [{
            physicalLocation: {
              artifactLocation: { uri: f.file.split('\\').join('/') },
              region: { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 },
            },
          }],
        };
      }),
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

/**
 * Findings → LSP diagnostics, and their publication. The core speaks offsets; positions are computed here from the
 * text each finding was made on. The publisher also keeps the per-file error and warning counts for the status
 * notification.
 */
import { DiagnosticSeverity, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import type { LineIndex } from '../core/lineIndex';
import type { Finding } from '../core/model';

const lspSeverity = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

/** How the publisher sees files: their URI, and the line index of the text their findings refer to. */
export interface FileView {
  uriOf(file: string): string;
  linesOf(file: string): LineIndex;
}

export function toDiagnostic(f: Finding, files: FileView): Diagnostic {
  const lines = files.linesOf(f.file);
  const diagnostic: Diagnostic = {
    range: { start: lines.position(f.span.start), end: lines.position(f.span.end) },
    severity: lspSeverity[f.severity],
    code: f.code,
    source: 'route-doctor',
    message: f.message,
  };
  if (f.related && f.related.length > 0) {
    diagnostic.relatedInformation = f.related.map((r) => {
      const li = files.linesOf(r.file);
      return { location: { uri: files.uriOf(r.file), range: { start: li.position(r.span.start), end: li.position(r.span.end) } }, message: r.message };
    });
  }
  if (f.data !== undefined) diagnostic.data = f.data;
  return diagnostic;
}

interface Published {
  uri: string;
  /** The diagnostics as last sent, serialized, to skip re-sending identical ones. */
  json: string;
  errors: number;
  warnings: number;
}

export class DiagnosticsPublisher {
  private readonly published = new Map<string, Published>();

  constructor(
    private readonly send: (params: PublishDiagnosticsParams) => void,
    private readonly files: FileView,
  ) {}

  /**
   * Publishes a file's findings. Unchanged diagnostics are not re-sent, which keeps a settings change in a large
   * workspace from flooding the client; an open editor always gets them, tagged with the document version analysed.
   */
  publish(file: string, findings: readonly Finding[], version: number | undefined): void {
    const diagnostics = findings.map((f) => toDiagnostic(f, this.files));
    const json = JSON.stringify(diagnostics);
    const last = this.published.get(file);
    let errors = 0;
    let warnings = 0;
    for (const f of findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
    }
    const uri = this.files.uriOf(file);
    this.published.set(file, { uri, json, errors, warnings });
    // A file never published has, for the client, no diagnostics: an empty list need not be sent for it.
    if (version === undefined && uri === last?.uri && json === last.json) return;
    if (version === undefined && last === undefined && json === '[]') return;
    this.send({ uri, diagnostics, ...(version === undefined ? {} : { version }) });
  }

  /** Removes a file's diagnostics (deleted, excluded, or closed outside the workspace). */
  clear(file: string): void {
    const last = this.published.get(file);
    if (!last) return;
    this.published.delete(file);
    if (last.json !== '[]') this.send({ uri: last.uri, diagnostics: [] });
  }

  totals(): { errors: number; warnings: number } {
    let errors = 0;
    let warnings = 0;
    for (const p of this.published.values()) {
      errors += p.errors;
      warnings += p.warnings;
    }
    return { errors, warnings };
  }
}

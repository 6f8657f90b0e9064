/**
 * The editor features over LSP: hovers, code actions (quick fixes, suppressions, "Fix all"), go to definition, find
 * references, rename, completion and code lenses. Everything is computed by the pure functions of core/features on
 * offsets; this module only turns positions into offsets and offsets, spans and edits back into LSP types. Each
 * handler first waits for pending edits to be analysed, so that it answers for the text the editor shows.
 */
import {
  CodeActionKind, CompletionItemKind, InsertTextFormat, LSPErrorCodes, ResponseError, type ClientCapabilities, type CodeAction, type CodeLens,
  type CompletionItem, type Connection, type Location, type Range, type ServerCapabilities, type TextDocumentEdit,
  type TextEdit as LspTextEdit, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { codeLenses, lensPlaces } from '../core/features/codeLens';
import { completionsAt, type CompletionItem as CoreCompletionItem } from '../core/features/completion';
import type { FeatureContext } from '../core/features/context';
import { fileWideFixes, fixAllEdits, fixesFor, type Fix } from '../core/features/fixes';
import { hoverAt, type HoverContext, type LivePodsProvider } from '../core/features/hover';
import { definitionAt, prepareRenameAt, referencesAt, renameAt, type Place } from '../core/features/navigation';
import type { TextEdit } from '../core/features/yamlEdit';
import type { Span } from '../core/model';
import { commands, fixAllCodeActionKind } from '../protocol';
import { toDiagnostic } from './diagnostics';
import type { RouteDoctorService } from './service';
import { uriToPath } from './workspace';

export const featureCapabilities: ServerCapabilities = {
  hoverProvider: true,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllCodeActionKind] },
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
  // After `name:` the value is still empty; a colon starts completion there without a keystroke more. Inside a rule,
  // a backtick opens a host value, and `(`, `!`, `&` and `|` come right before a matcher: VS Code does not suggest
  // while typing inside strings by default, and a rule is a YAML string.
  completionProvider: { triggerCharacters: [':', '`', '(', '!', '&', '|'] },
  codeLensProvider: { resolveProvider: false },
};

const completionKinds: Record<CoreCompletionItem['kind'], CompletionItemKind> = {
  object: CompletionItemKind.Reference,
  port: CompletionItemKind.Value,
  matcher: CompletionItemKind.Function,
  host: CompletionItemKind.Value,
};

/** Whether a code action of `kind` answers a request restricted to `only` (kinds match by dotted prefix). */
function wanted(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

/**
 * "Fix all" is a source action: it is returned when the client asks for source actions (the Source Action menu,
 * `editor.codeActionsOnSave`), not with the quick fixes of every light bulb.
 */
function wantedExplicitly(only: readonly string[] | undefined, kind: string): boolean {
  return only !== undefined && wanted(only, kind);
}

/**
 * Registers the handlers. `livePods` gives the live Pods of the last cluster snapshot, when one was taken, for
 * hovers to list (see `livePodsFromSnapshot`).
 */
export function registerFeatures(
  connection: Connection, service: RouteDoctorService, capabilities: () => ClientCapabilities, livePods: () => LivePodsProvider | undefined = () => undefined,
): void {
  const range = (file: string, span: Span): Range => {
    const lines = service.linesOf(file);
    return { start: lines.position(span.start), end: lines.position(span.end) };
  };
  const location = (place: Place): Location => ({ uri: service.uriOf(place.file), range: range(place.file, place.span) });

  /** The file and offset of a request's position, once pending edits are in; undefined for documents that are not files. */
  const locate = async (uri: string, position?: { line: number; character: number }): Promise<{ file: string; offset: number; ctx: FeatureContext } | undefined> => {
    await service.settled();
    const file = uriToPath(uri);
    if (file === undefined) return undefined;
    return { file, offset: position ? service.linesOf(file).offset(position) : 0, ctx: service.featureContext() };
  };

  /** Core edits → a workspace edit, versioned per document when the client can check versions. */
  const workspaceEdit = (edits: readonly TextEdit[]): WorkspaceEdit => {
    const byFile = new Map<string, LspTextEdit[]>();
    for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), { range: range(e.file, e.span), newText: e.newText }]);
    if (capabilities().workspace?.workspaceEdit?.documentChanges) {
      const documentChanges: TextDocumentEdit[] = [...byFile].map(([file, fileEdits]) => ({
        textDocument: { uri: service.uriOf(file), version: service.versionOf(file) ?? null },
        edits: fileEdits,
      }));
      return { documentChanges };
    }
    return { changes: Object.fromEntries([...byFile].map(([file, fileEdits]) => [service.uriOf(file), fileEdits])) };
  };

  connection.onHover(async (params) => {
    const at = await locate(params.textDocument.uri, params.position);
    if (!at) return null;
    const live = livePods();
    const ctx: HoverContext = {
      ...at.ctx,
      linkTo: (file, offset) => {
        const line = service.linesOf(file).position(offset).line + 1;
        return { href: `${service.uriOf(file)}#L${line}`, label: `${file.split(/[\\/]/).pop()}:${line}` };
      },
      ...(live ? { livePods: live } : {}),
    };
    const hover = hoverAt(ctx, at.file, at.offset);
    return hover ? { contents: { kind: 'markdown', value: hover.markdown }, range: range(at.file, hover.span) } : null;
  });

  connection.onCodeAction(async (params) => {
    const at = await locate(params.textDocument.uri);
    if (!at) return null;
    const { file, ctx } = at;
    const lines = service.linesOf(file);
    const start = lines.offset(params.range.start);
    const end = lines.offset(params.range.end);
    const all = ctx.findingsOf(file);
    const touched = all.filter((f) => f.span.start <= end && f.span.end >= start);
    const actions: CodeAction[] = [];
    if (wanted(params.context.only, CodeActionKind.QuickFix)) {
      const toAction = (fix: Fix): CodeAction => ({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: fix.findings.map((f) => toDiagnostic(f, service)),
        ...(fix.preferred ? { isPreferred: true } : {}),
        edit: workspaceEdit(fix.edits),
      });
      const fixes = touched.flatMap((f) => fixesFor(ctx, f));
      // Repairs before suppressions, whatever the order of the findings they belong to.
      actions.push(...fixes.filter((f) => f.kind === 'quickfix').map(toAction));
      actions.push(...fileWideFixes(ctx, file, all).filter((fix) => fix.findings.some((f) => touched.includes(f))).map(toAction));
      actions.push(...fixes.filter((f) => f.kind === 'suppress').map(toAction));
    }
    if (wantedExplicitly(params.context.only, fixAllCodeActionKind)) {
      const edits = fixAllEdits(ctx, file, all);
      if (edits.length > 0) actions.push({ title: 'Fix all auto-fixable problems', kind: fixAllCodeActionKind, edit: workspaceEdit(edits) });
    }
    return actions;
  });

  connection.onDefinition(async (params) => {
    const at = await locate(params.textDocument.uri, params.position);
    return at ? definitionAt(at.ctx, at.file, at.offset).map(location) : null;
  });

  connection.onReferences(async (params) => {
    const at = await locate(params.textDocument.uri, params.position);
    return at ? referencesAt(at.ctx, at.file, at.offset, params.context.includeDeclaration).map(location) : null;
  });

  connection.onPrepareRename(async (params) => {
    const at = await locate(params.textDocument.uri, params.position);
    const target = at && prepareRenameAt(at.ctx, at.file, at.offset);
    if (!at || !target) return null;
    if ('error' in target) throw new ResponseError(LSPErrorCodes.RequestFailed, target.error);
    return { range: range(at.file, target.span), placeholder: target.placeholder };
  });

  connection.onRenameRequest(async (params) => {
    const at = await locate(params.textDocument.uri, params.position);
    if (!at) return null;
    const result = renameAt(at.ctx, at.file, at.offset, params.newName);
    if ('error' in result) throw new ResponseError(LSPErrorCodes.RequestFailed, result.error);
    return workspaceEdit(result.edits);
  });

  connection.onCompletion(async (params) => {
    const at = await locate(params.textDocument.uri, params.position);
    if (!at) return null;
    return completionsAt(at.ctx, at.file, at.offset).map((item, i): CompletionItem => ({
      label: item.label,
      detail: item.detail,
      kind: completionKinds[item.kind],
      textEdit: { range: range(at.file, item.span), newText: item.newText },
      // A snippet's text has tab stops and a leading blank; the editor matches what is typed against the name.
      filterText: item.snippet ? item.label : item.newText.trim(),
      sortText: String(i).padStart(4, '0'),
      ...(item.snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
      ...(item.documentation ? { documentation: { kind: 'markdown', value: item.documentation } } : {}),
    }));
  });

  connection.onCodeLens(async (params) => {
    const at = await locate(params.textDocument.uri);
    if (!at) return null;
    // Clicked, a lens opens the references peek on the places it counts; the client turns the JSON arguments into
    // the VS Code objects the built-in command needs.
    return codeLenses(at.ctx, at.file).map((lens): CodeLens => {
      const lensRange = range(at.file, lens.span);
      const places = lensPlaces(at.ctx, at.file, lens).map(location);
      return { range: lensRange, command: { title: lens.title, command: commands.showReferences, arguments: [service.uriOf(at.file), lensRange.start, places] } };
    });
  });
}

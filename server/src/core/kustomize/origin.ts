/**
 * Where each value of a built object comes from. An object that kustomize builds mixes values from several files:
 * its document, the patches of every overlay, and the kustomization files that set its namespace, labels and name
 * prefix. The checks only know one file per object (`Resource.file`) and report the spans of the nodes they read,
 * so a node from another file gets a *virtual* span: its offsets are moved into a range no real file reaches, in a
 * slot that names its file. The engine decodes every finding before it leaves the core, so a problem found on a
 * label that an overlay added is shown on that overlay's line.
 *
 * The table is shared by the whole process: a span encoded by one analysis decodes the same way in every other,
 * and it only grows by one entry per file that ever contributes a value to another file's object.
 */
import type { Finding, RelatedInformation, Span } from '../model';

/** Real offsets stay far below this (files over a few megabytes are never read). */
const virtualBase = 2 ** 40;
/** The offsets one file may use inside its slot. */
const slotSize = 2 ** 32;

const files: string[] = [];
const slots = new Map<string, number>();

function slotOf(file: string): number {
  let slot = slots.get(file);
  if (slot === undefined) {
    slot = files.length;
    files.push(file);
    slots.set(file, slot);
  }
  return slot;
}

export function isVirtual(span: Span): boolean {
  return span.start >= virtualBase;
}

/** The span `span` of `file`, as it is written into an object whose document lives in another file. */
export function encodeSpan(file: string, span: Span): Span {
  if (isVirtual(span)) return span;
  const base = virtualBase + slotOf(file) * slotSize;
  return { start: base + span.start, end: base + span.end };
}

/** The file and real span behind a span; a real span stays in `file`. */
function decodeSpan(file: string, span: Span): { file: string; span: Span } {
  if (!isVirtual(span)) return { file, span };
  const slot = Math.floor((span.start - virtualBase) / slotSize);
  const base = virtualBase + slot * slotSize;
  return { file: files[slot] ?? file, span: { start: span.start - base, end: Math.max(span.start, span.end) - base } };
}

function decodeRelated(related: RelatedInformation): RelatedInformation {
  const at = decodeSpan(related.file, related.span);
  return at.file === related.file && at.span === related.span ? related : { ...related, ...at };
}

/** A finding with every virtual span (its own and those of its related information) mapped back to its file. */
export function decodeFinding(finding: Finding): Finding {
  const at = decodeSpan(finding.file, finding.span);
  const related = finding.related?.some((r) => isVirtual(r.span)) ? finding.related.map(decodeRelated) : finding.related;
  if (at.span === finding.span && related === finding.related) return finding;
  return { ...finding, file: at.file, span: at.span, ...(related ? { related } : {}) };
}

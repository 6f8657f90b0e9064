/**
 * Minimal text edits on YAML, computed from the offsets of YNode trees. An edit replaces exactly the characters it
 * must and nothing else, so comments, indentation, key order, flow or block style and the other documents of a file
 * stay byte for byte as the user wrote them. A replaced scalar keeps its quoting style unless the new value cannot be
 * written in it; a new key takes the indentation of the map it joins, and a flow map stays a flow map.
 */
import type { Span, YMap, YNode, YPair, YScalar, YSeq } from '../model';
import { resolvePlain } from '../parse/fastYaml';
import { asMap, asScalar, pair } from '../parse/ynode';

/** A replacement of `span` of `file` by `newText`; an insertion when the span is empty. */
export interface TextEdit {
  file: string;
  span: Span;
  newText: string;
}

/** The file's line break: a file written with CRLF gets CRLF in inserted lines too. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** The offset of the end of the line holding `offset`, before its line break. */
function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return end > 0 && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/**
 * Whether `value` can be written as a plain scalar that reads back as the same string. Anything that would read as
 * a number, a boolean or null, starts with an indicator, or holds `: ` or ` #` needs quotes. The test is strict on
 * purpose: a quoted name is harmless, a misread one is a new bug.
 */
export function plainSafe(value: string, inFlow: boolean): boolean {
  if (value === '' || value.trim() !== value || /[\n\r\t]/.test(value)) return false;
  if (resolvePlain(value) !== value) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return false;
  if (/: |:$| #/.test(value)) return false;
  return !(inFlow && /[,[\]{}]/.test(value));
}

/**
 * How `value` is written in place of a scalar of `style`. Numbers are always plain (a quoted port number is a port
 * name to Traefik). Double-quoted text uses JSON escapes, which YAML's double-quoted style reads identically.
 */
export function renderScalar(value: string | number, style: YScalar['style'], inFlow: boolean): string {
  if (typeof value === 'number') return String(value);
  if (style === 'single' && !/[\n\r]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  if (style === 'double') return JSON.stringify(value);
  return plainSafe(value, inFlow) ? value : JSON.stringify(value);
}

/**
 * Whether what a span covers is written as an alias: a collection (`selector: *labels`), or a pair a merge key
 * brought in (`<<: *base`, its key span is the alias). Its content is written at the anchor, so no edit of it can be
 * made where the span is.
 */
function isAlias(text: string, span: Span): boolean {
  return text.charCodeAt(span.start) === 42 /* * */;
}

/**
 * Replaces a scalar's value. An empty value (`name:` with nothing after it) gets the value after a space. Block
 * scalars and aliases are not rewritten: their text spans lines or points elsewhere, and no reference is written so.
 */
export function replaceScalar(file: string, text: string, node: YScalar, value: string | number, inFlow = false): TextEdit | undefined {
  if (node.style === 'block' || node.style === 'alias') return undefined;
  const rendered = renderScalar(value, node.style, inFlow);
  if (node.span.start === node.span.end) {
    const after = text.charCodeAt(node.span.start - 1) === 58 /* : */ ? ' ' : '';
    return { file, span: node.span, newText: after + rendered };
  }
  return { file, span: node.span, newText: rendered };
}

/** The number of columns a block map indents its children by; 2 when it has no nested block to learn from. */
function indentStep(text: string, map: YMap): number {
  for (const p of map.pairs) {
    const child = p.value;
    if (child.type === 'scalar' || child.flow) continue;
    const childStart = child.type === 'map' ? child.pairs[0]?.keySpan.start : child.span.start;
    if (childStart === undefined) continue;
    const step = columnOf(text, childStart) - columnOf(text, p.keySpan.start);
    if (step > 0) return step;
  }
  return 2;
}

export interface NewEntry {
  /** The keys down to the value: ['version'] for a label, ['annotations', 'route-doctor.io/ignore'] for a new map. */
  path: string[];
  value: string | number;
}

/** `key: value` lines (block) or `key: {…}` text (flow) for a nested entry, before indentation. */
function blockLines(entry: NewEntry, column: number, step: number): string[] {
  return entry.path.map((key, i) => {
    const head = `${' '.repeat(column + i * step)}${renderScalar(key, 'plain', false)}:`;
    return i === entry.path.length - 1 ? `${head} ${renderScalar(entry.value, 'plain', false)}` : head;
  });
}

function flowText(entry: NewEntry): string {
  let text = renderScalar(entry.value, 'plain', true);
  for (let i = entry.path.length - 1; i >= 0; i--) {
    const key = `${renderScalar(entry.path[i]!, 'plain', true)}: `;
    text = i === entry.path.length - 1 ? key + text : `${key}{${text}}`;
  }
  return text;
}

/**
 * Adds new keys to a map, in its style, after the pair `after` (by default the last one): in a block map on new
 * lines at the map's indentation (after the line the pair's value ends on, so a comment at the end of that line
 * stays where it is), in a flow map after the pair's value.
 */
export function insertIntoMap(file: string, text: string, map: YMap, entries: readonly NewEntry[], after?: YPair): TextEdit | undefined {
  if (entries.length === 0 || isAlias(text, map.span)) return undefined;
  const previous = after ?? map.pairs[map.pairs.length - 1];
  if (map.flow) {
    const parts = entries.map(flowText);
    if (previous) return { file, span: { start: previous.value.span.end, end: previous.value.span.end }, newText: `, ${parts.join(', ')}` };
    return { file, span: { start: map.span.start + 1, end: map.span.start + 1 }, newText: parts.join(', ') };
  }
  const first = map.pairs[0];
  if (!first || !previous || isAlias(text, first.keySpan) || isAlias(text, previous.keySpan)) return undefined;
  const column = columnOf(text, first.keySpan.start);
  const step = indentStep(text, map);
  const nl = lineBreakOf(text);
  const lines = entries.flatMap((e) => blockLines(e, column, step)).join(nl);
  const end = previous.value.span.end;
  // Block scalars end after their line break; everything else ends inside its last line.
  if (end > 0 && text.charCodeAt(end - 1) === 10) return { file, span: { start: end, end }, newText: lines + nl };
  const nextLine = text.indexOf('\n', end);
  if (nextLine < 0) return { file, span: { start: text.length, end: text.length }, newText: nl + lines };
  return { file, span: { start: nextLine + 1, end: nextLine + 1 }, newText: lines + nl };
}

/**
 * Appends a scalar item to a sequence of scalars, in its style: in a block sequence on a new line written like the
 * last item's (`  - ` and all), after the line that item ends on; in a flow sequence after the last item.
 * Undefined for an empty block sequence, whose style cannot be seen.
 */
export function appendToSequence(file: string, text: string, seq: YSeq, value: string): TextEdit | undefined {
  if (isAlias(text, seq.span)) return undefined;
  const last = seq.items[seq.items.length - 1];
  if (seq.flow) {
    const rendered = renderScalar(value, 'plain', true);
    if (last) return { file, span: { start: last.span.end, end: last.span.end }, newText: `, ${rendered}` };
    return { file, span: { start: seq.span.start + 1, end: seq.span.start + 1 }, newText: rendered };
  }
  if (!last || last.type !== 'scalar') return undefined;
  const prefix = text.slice(lineStartOf(text, last.span.start), last.span.start);
  if (!/^[ \t]*-[ \t]+$/.test(prefix)) return undefined;
  const nl = lineBreakOf(text);
  const line = prefix + renderScalar(value, 'plain', false);
  const nextLine = text.indexOf('\n', last.span.end);
  if (nextLine < 0) return { file, span: { start: text.length, end: text.length }, newText: nl + line };
  return { file, span: { start: nextLine + 1, end: nextLine + 1 }, newText: line + nl };
}

/**
 * Gives a key whose value is empty (`labels:` followed by nothing) its first entries, indented under the key, at the
 * end of the key's line.
 */
function fillEmptyPair(file: string, text: string, parent: YMap, p: YPair, entries: readonly NewEntry[]): TextEdit | undefined {
  if (parent.flow || isAlias(text, parent.span)) return undefined;
  const step = indentStep(text, parent);
  const column = columnOf(text, p.keySpan.start) + step;
  const nl = lineBreakOf(text);
  const at = lineEndOf(text, p.keySpan.end);
  return { file, span: { start: at, end: at }, newText: nl + entries.flatMap((e) => blockLines(e, column, step)).join(nl) };
}

function isEmptyValue(node: YNode): node is YScalar {
  return node.type === 'scalar' && node.value === null && node.style === 'plain';
}

/**
 * Sets `path` (relative to `map`) to a scalar value: replaces the value when the key exists, otherwise creates the
 * missing keys below the deepest existing map. Undefined when a key on the way holds something else than a map.
 */
export function setPath(file: string, text: string, map: YMap, path: readonly string[], value: string | number): TextEdit | undefined {
  let current = map;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const p = pair(current, key);
    const rest = { path: path.slice(i), value };
    if (!p) return insertIntoMap(file, text, current, [rest]);
    const last = i === path.length - 1;
    if (last) {
      const scalar = asScalar(p.value);
      return scalar ? replaceScalar(file, text, scalar, value, current.flow) : undefined;
    }
    if (isEmptyValue(p.value)) return fillEmptyPair(file, text, current, p, [{ path: path.slice(i + 1), value }]);
    const next = asMap(p.value);
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

/**
 * Removes one pair from a map: in a block map its whole lines (the line of the key through the line its value ends
 * on), in a flow map the pair and one separating comma. Undefined when the pair is the map's only one, or when its
 * key shares a line with a sequence dash.
 */
export function removePair(file: string, text: string, map: YMap, p: YPair): TextEdit | undefined {
  if (isAlias(text, map.span) || isAlias(text, p.keySpan)) return undefined;
  const index = map.pairs.indexOf(p);
  if (index < 0 || map.pairs.length < 2) return undefined;
  if (map.flow) {
    const next = map.pairs[index + 1];
    if (next) return { file, span: { start: p.keySpan.start, end: next.keySpan.start }, newText: '' };
    const previous = map.pairs[index - 1]!;
    return { file, span: { start: previous.value.span.end, end: p.value.span.end }, newText: '' };
  }
  const start = lineStartOf(text, p.keySpan.start);
  if (text.slice(start, p.keySpan.start).trim() !== '') return undefined;
  const valueEnd = p.value.span.end;
  if (valueEnd > 0 && text.charCodeAt(valueEnd - 1) === 10) return { file, span: { start, end: valueEnd }, newText: '' };
  const nl = text.indexOf('\n', valueEnd);
  return { file, span: { start, end: nl < 0 ? text.length : nl + 1 }, newText: '' };
}

/** Applies edits of one file; they must not overlap. */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'span' | 'newText'>[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.span.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
    limit = e.span.start;
  }
  return out;
}

/** Whether two edits touch the same characters (two insertions at one offset count, since their order is undefined). */
export function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  if (a.span.start === b.span.start) return true;
  return a.span.start < b.span.end && b.span.start < a.span.end;
}

/**
 * Maps each character of a YAML scalar's decoded value back to where it is written in the file, so that a problem
 * found at some position of a `match` string is underlined at the right place in the editor.
 *
 * The decoding is redone here, by YAML's rules for each style: plain and quoted scalars fold line breaks (one break
 * becomes a space, n+1 breaks become n newlines, and the spaces around breaks are dropped), single-quoted scalars
 * write a quote as `''`, double-quoted scalars have escapes and escaped line breaks, and block scalars strip their
 * indentation, fold (`>`) or keep (`|`) their line breaks and apply their chomping indicator. The result is compared
 * with the value the YAML parser produced; if they differ (YAML this module does not model), the map is marked
 * inexact and every range maps to the whole scalar, which is still a correct, only less precise, location.
 */
import type { Span, YScalar } from '../model';

export interface ValueOffsets {
  /** For each character of the value, the file offset where its source starts; one extra entry for the end. */
  offsets: number[];
  /** For each character of the value, the file offset where its source ends. */
  ends: number[];
  /** False when the value could not be reproduced; ranges then map to the whole scalar. */
  exact: boolean;
}

/** The decoded value being rebuilt, with the source range of every character. */
class Decoded {
  text = '';
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Characters before this index came from escapes or were kept on purpose; line folding must not trim them. */
  private kept = 0;

  /** Marks everything decoded so far as kept (an escaped blank is content, not trailing space). */
  keep(): void {
    this.kept = this.text.length;
  }

  add(text: string, start: number, end: number): void {
    for (let i = 0; i < text.length; i++) {
      this.starts.push(start);
      this.ends.push(end);
    }
    this.text += text;
  }

  /** Adds the source text[from, to) character by character. */
  copy(source: string, from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(source[i]!, i, i + 1);
  }

  /** Removes trailing spaces and tabs (that came from the source) before a line fold. */
  trimTrailingBlanks(): void {
    while (this.text.length > this.kept && (this.text.endsWith(' ') || this.text.endsWith('\t'))) {
      this.text = this.text.slice(0, -1);
      this.starts.pop();
      this.ends.pop();
    }
  }
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** Offset just after the line break at `at` (`\n` or `\r\n`), or -1 when there is none. */
function lineBreakEnd(text: string, at: number): number {
  if (text[at] === '\n') return at + 1;
  if (text[at] === '\r' && text[at + 1] === '\n') return at + 2;
  return -1;
}

/**
 * Folds the line break at `at` and the empty lines after it, as in plain and quoted flow scalars: one break
 * becomes a space, and each further (empty) line a newline. Returns the offset of the next line's content.
 */
function foldFlowBreak(source: string, at: number, limit: number, out: Decoded): number {
  out.trimTrailingBlanks();
  let pos = lineBreakEnd(source, at);
  const firstBreak = at;
  let emptyLines = 0;
  for (;;) {
    while (pos < limit && isBlank(source[pos])) pos++;
    const next = lineBreakEnd(source, pos);
    if (next < 0 || pos >= limit) break;
    out.add('\n', pos, next);
    emptyLines++;
    pos = next;
  }
  if (emptyLines === 0) out.add(' ', firstBreak, lineBreakEnd(source, firstBreak));
  return pos;
}

function decodePlain(source: string, span: Span): Decoded {
  const out = new Decoded();
  for (let i = span.start; i < span.end;) {
    if (lineBreakEnd(source, i) >= 0) {
      i = foldFlowBreak(source, i, span.end, out);
      continue;
    }
    out.add(source[i]!, i, i + 1);
    i++;
  }
  return out;
}

function decodeSingleQuoted(source: string, span: Span): Decoded {
  const out = new Decoded();
  const end = span.end - 1;
  for (let i = span.start + 1; i < end;) {
    if (source[i] === "'" && source[i + 1] === "'") {
      out.add("'", i, i + 2);
      i += 2;
    } else if (lineBreakEnd(source, i) >= 0) {
      i = foldFlowBreak(source, i, end, out);
    } else {
      out.add(source[i]!, i, i + 1);
      i++;
    }
  }
  return out;
}

const doubleQuotedEscapes: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"',
  '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

function decodeDoubleQuoted(source: string, span: Span): Decoded {
  const out = new Decoded();
  const end = span.end - 1;
  for (let i = span.start + 1; i < end;) {
    const c = source[i]!;
    if (c === '\\') {
      const e = source[i + 1];
      const escapedBreak = lineBreakEnd(source, i + 1);
      if (escapedBreak >= 0) {
        // An escaped line break joins the lines without a space; the next line's indentation is dropped.
        i = escapedBreak;
        while (i < end && isBlank(source[i])) i++;
        continue;
      }
      if (e !== undefined && doubleQuotedEscapes[e] !== undefined) {
        out.add(doubleQuotedEscapes[e]!, i, i + 2);
        out.keep();
        i += 2;
        continue;
      }
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const hex = source.slice(i + 2, i + 2 + width);
      if (width > 0 && /^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
        out.add(String.fromCodePoint(parseInt(hex, 16)), i, i + 2 + width);
        out.keep();
        i += 2 + width;
        continue;
      }
      out.add(c, i, i + 1);
      i++;
      continue;
    }
    if (lineBreakEnd(source, i) >= 0) {
      i = foldFlowBreak(source, i, end, out);
      continue;
    }
    out.add(c, i, i + 1);
    i++;
  }
  return out;
}

interface BlockLine {
  /** Offset of the first character of the line. */
  start: number;
  /** Offset of the line break (or the end of the scalar). */
  end: number;
  /** Offset just after the line break. */
  next: number;
}

function blockLines(source: string, from: number, to: number): BlockLine[] {
  const lines: BlockLine[] = [];
  let pos = from;
  while (pos < to) {
    let nl = source.indexOf('\n', pos);
    if (nl < 0 || nl >= to) nl = to;
    const end = nl > pos && source[nl - 1] === '\r' ? nl - 1 : nl;
    lines.push({ start: pos, end, next: nl < to ? nl + 1 : to });
    pos = nl + 1;
  }
  return lines;
}

/** Decodes a block scalar whose content is indented by `indent` spaces. */
function decodeBlockWithIndent(source: string, header: { folded: boolean; chomp: 'clip' | 'strip' | 'keep' }, lines: BlockLine[], indent: number): Decoded | undefined {
  const isEmpty = (l: BlockLine): boolean => /^ *$/.test(source.slice(l.start, l.end)) && l.end - l.start <= indent;
  const body = lines.map((l) => ({ line: l, empty: isEmpty(l) }));
  for (const b of body) {
    if (b.empty) continue;
    if (!/^ *$/.test(source.slice(b.line.start, b.line.start + indent))) return undefined;
  }
  let last = body.length;
  while (last > 0 && body[last - 1]!.empty) last--;
  const out = new Decoded();
  // Line kinds for folding: text lines fold into each other; lines starting with a blank keep their breaks.
  let previous: 'text' | 'spaced' | undefined;
  let pendingBreak: BlockLine | undefined;
  let pendingEmpty: BlockLine[] = [];
  for (let i = 0; i < last; i++) {
    const { line, empty } = body[i]!;
    if (empty) {
      pendingEmpty.push(line);
      continue;
    }
    const contentStart = line.start + indent;
    const kind = isBlank(source[contentStart]) ? 'spaced' : 'text';
    if (pendingBreak) {
      if (header.folded && previous === 'text' && kind === 'text' && pendingEmpty.length === 0) {
        out.add(' ', pendingBreak.end, pendingBreak.next);
      } else if (header.folded && previous === 'text' && kind === 'text') {
        for (const e of pendingEmpty) out.add('\n', e.end, e.next);
      } else {
        out.add('\n', pendingBreak.end, pendingBreak.next);
        for (const e of pendingEmpty) out.add('\n', e.end, e.next);
      }
    } else {
      for (const e of pendingEmpty) out.add('\n', e.end, e.next);
    }
    pendingEmpty = [];
    out.copy(source, contentStart, line.end);
    previous = kind;
    pendingBreak = line;
  }
  if (header.chomp !== 'strip') {
    if (pendingBreak) out.add('\n', pendingBreak.end, pendingBreak.next);
    if (header.chomp === 'keep') {
      for (const e of body.slice(last)) out.add('\n', e.line.end, e.line.next);
    }
  }
  return out;
}

function decodeBlock(source: string, span: Span, expected: string): Decoded | undefined {
  const header = /^([|>])([-+]?)([1-9]?)([-+]?)[ \t]*(#[^\n]*)?\r?\n/.exec(source.slice(span.start, span.end));
  if (!header) return undefined;
  const folded = header[1] === '>';
  const chompText = header[2] || header[4];
  const chomp = chompText === '-' ? 'strip' : chompText === '+' ? 'keep' : 'clip';
  const lines = blockLines(source, span.start + header[0].length, span.end);
  const firstContent = lines.find((l) => !/^ *$/.test(source.slice(l.start, l.end)));
  const detected = firstContent ? /^ */.exec(source.slice(firstContent.start, firstContent.end))![0].length : 0;
  // With an explicit indentation indicator the indentation is relative to the parent, which the scalar does not
  // know; trying each plausible indentation and keeping the one that reproduces the value settles it.
  const candidates = header[3] ? Array.from({ length: detected + 1 }, (_, i) => detected - i) : [detected];
  for (const indent of candidates) {
    const decoded = decodeBlockWithIndent(source, { folded, chomp }, lines, indent);
    if (decoded && decoded.text === expected) return decoded;
  }
  return undefined;
}

/** The source offsets of every character of a scalar's value. */
export function valueOffsetMap(fileText: string, scalar: YScalar): ValueOffsets {
  const expected = scalar.value === null ? '' : String(scalar.value);
  let decoded: Decoded | undefined;
  switch (scalar.style) {
    case 'plain':
      decoded = decodePlain(fileText, scalar.span);
      break;
    case 'single':
      decoded = decodeSingleQuoted(fileText, scalar.span);
      break;
    case 'double':
      decoded = decodeDoubleQuoted(fileText, scalar.span);
      break;
    case 'block':
      decoded = decodeBlock(fileText, scalar.span, expected);
      break;
    default:
      decoded = undefined;
  }
  if (decoded && decoded.text === expected) {
    const end = decoded.ends.length > 0 ? decoded.ends[decoded.ends.length - 1]! : scalar.span.start;
    return { offsets: [...decoded.starts, end], ends: decoded.ends, exact: true };
  }
  return {
    offsets: [...Array.from({ length: expected.length }, () => scalar.span.start), scalar.span.end],
    ends: Array.from({ length: expected.length }, () => scalar.span.end),
    exact: false,
  };
}

/** The file range of the value's characters [start, end); the whole scalar when the map is not exact. */
export function valueRangeToFile(map: ValueOffsets, scalar: YScalar, start: number, end: number): Span {
  if (!map.exact) return { start: scalar.span.start, end: scalar.span.end };
  const length = map.ends.length;
  const from = Math.max(0, Math.min(start, length));
  if (end <= from || from >= length) {
    const at = map.offsets[from]!;
    return { start: at, end: at };
  }
  return { start: map.offsets[from]!, end: map.ends[Math.min(end, length) - 1]! };
}

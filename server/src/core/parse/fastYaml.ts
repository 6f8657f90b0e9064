/**
 * A fast reader for the block-style YAML that Kubernetes manifests are written in.
 *
 * The `yaml` package builds documents at only 1–3 MB/s, which is too slow for cold checks of large repositories.
 * This reader handles the common subset (block mappings and sequences, plain and quoted single-line scalars,
 * one-line flow collections, literal and folded block scalars, comments) in one pass over the lines, producing the
 * same YNode tree as the full parser. Whenever it meets anything outside that subset (anchors, aliases, tags,
 * multi-line plain or quoted scalars, complex keys, tabs in indentation, duplicate keys, directives) it gives up
 * by returning undefined, and the caller falls back to the full `yaml` parser. It never throws.
 */
import type { ScalarValue, Span, YMap, YNode, YPair, YScalar, YSeq } from '../model';

class Bail extends Error {}

interface Line {
  /** Offset of the first content character (after the indentation). */
  start: number;
  /** Offset of the end of the line (before the newline). */
  end: number;
  indent: number;
  /** True for lines with only spaces or a comment. */
  blank: boolean;
}

const maxDepth = 200;

export function fastParseDocument(text: string, start: number, end: number): YNode | null | undefined {
  try {
    const lines = splitLines(text, start, end);
    const reader = new BlockReader(text, lines);
    return reader.document();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

function splitLines(text: string, start: number, end: number): Line[] {
  const lines: Line[] = [];
  let pos = start;
  while (pos < end) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0 || eol > end) eol = end;
    let lineEnd = eol;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    let i = pos;
    while (i < lineEnd && text.charCodeAt(i) === 32) i++;
    const c = i < lineEnd ? text.charCodeAt(i) : -1;
    const blank = c === -1 || c === 35 /* # */ || isBlankRest(text, i, lineEnd);
    if (!blank && c === 9) throw new Bail();
    lines.push({ start: i, end: lineEnd, indent: i - pos, blank });
    pos = eol + 1;
  }
  return lines;
}

function isBlankRest(text: string, i: number, end: number): boolean {
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 35) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

class BlockReader {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  document(): YNode | null {
    this.skipBlank();
    if (this.index >= this.lines.length) return null;
    const first = this.lines[this.index]!;
    const c = this.text.charCodeAt(first.start);
    // Directives and document markers are left to the full parser.
    if (c === 37 /* % */ || this.text.startsWith('---', first.start) || this.text.startsWith('...', first.start)) throw new Bail();
    const node = this.block(first.indent);
    this.skipBlank();
    if (this.index < this.lines.length) throw new Bail();
    return node;
  }

  private skipBlank(): void {
    while (this.index < this.lines.length && this.lines[this.index]!.blank) this.index++;
  }

  /** Reads the block node whose first line is the current line, at exactly `indent`. */
  private block(indent: number): YNode {
    if (++this.depth > maxDepth) throw new Bail();
    const line = this.lines[this.index]!;
    let node: YNode;
    if (this.isSeqItem(line)) node = this.sequence(line.indent);
    else if (this.keyEnd(line) >= 0) node = this.mapping(line.indent);
    else node = this.lonelyScalar(indent);
    this.depth--;
    return node;
  }

  private isSeqItem(line: Line): boolean {
    if (this.text.charCodeAt(line.start) !== 45 /* - */) return false;
    const next = line.start + 1;
    if (next >= line.end) return true;
    const c = this.text.charCodeAt(next);
    return c === 32 || c === 9;
  }

  private sequence(indent: number): YSeq {
    const items: YNode[] = [];
    const spanStart = this.lines[this.index]!.start;
    let spanEnd = spanStart;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index]!;
      if (line.indent !== indent || !this.isSeqItem(line)) break;
      let content = line.start + 1;
      while (content < line.end && this.text.charCodeAt(content) === 32) content++;
      if (content < line.end && this.text.charCodeAt(content) === 9) throw new Bail();
      let item: YNode;
      if (content >= line.end || this.text.charCodeAt(content) === 35) {
        // "-" alone (or followed by a comment): the item is the next, more indented block, or null.
        this.index++;
        this.skipBlank();
        const next = this.lines[this.index];
        if (next && next.indent > indent) item = this.block(next.indent);
        else item = nullScalar(line.start + 1);
      } else {
        // "- content": treat the content as a line of its own, indented at its column.
        const column = line.indent + (content - line.start);
        this.lines[this.index] = { start: content, end: line.end, indent: column, blank: false };
        item = this.block(column);
      }
      items.push(item);
      spanEnd = item.span.end;
      this.skipBlank();
    }
    return { type: 'seq', items, flow: false, span: { start: spanStart, end: spanEnd } };
  }

  private mapping(indent: number): YMap {
    const pairs: YPair[] = [];
    const seen = new Set<string>();
    const spanStart = this.lines[this.index]!.start;
    let spanEnd = spanStart;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index]!;
      if (line.indent !== indent) {
        if (line.indent > indent) throw new Bail();
        break;
      }
      if (this.isSeqItem(line)) break;
      const colon = this.keyEnd(line);
      if (colon < 0) throw new Bail();
      const { key, keySpan } = this.readKey(line.start, colon);
      if (seen.has(key)) throw new Bail();
      seen.add(key);
      let valueStart = colon + 1;
      while (valueStart < line.end && this.text.charCodeAt(valueStart) === 32) valueStart++;
      let value: YNode;
      if (valueStart >= line.end || this.text.charCodeAt(valueStart) === 35) {
        this.index++;
        this.skipBlank();
        const next = this.lines[this.index];
        if (next && next.indent > indent) value = this.block(next.indent);
        else if (next && next.indent === indent && this.isSeqItem(next)) value = this.sequence(indent);
        else value = nullScalar(colon + 1);
      } else {
        value = this.inlineValue(line, valueStart, indent);
      }
      pairs.push({ key, keySpan, value });
      spanEnd = value.span.end;
      this.skipBlank();
    }
    return { type: 'map', pairs, flow: false, span: { start: spanStart, end: spanEnd } };
  }

  /** The value that starts on a key's line (or a sequence item's line); advances past it. */
  private inlineValue(line: Line, start: number, parentIndent: number): YNode {
    const c = this.text.charCodeAt(start);
    if (c === 38 /* & */ || c === 42 /* * */ || c === 33 /* ! */ || c === 63 /* ? */ || c === 37 /* % */ || c === 64 /* @ */ || c === 96 /* ` */) {
      throw new Bail();
    }
    if (c === 124 /* | */ || c === 62 /* > */) return this.blockScalar(line, start, parentIndent);
    let node: YNode;
    let after: number;
    if (c === 91 /* [ */ || c === 123 /* { */) {
      const flow = new FlowReader(this.text, start, line.end);
      node = flow.node(0);
      after = flow.pos;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      const q = readQuoted(this.text, start, line.end);
      node = q;
      after = q.span.end;
    } else {
      const end = plainEnd(this.text, start, line.end, false);
      node = plainScalar(this.text, start, end);
      after = end;
    }
    if (!isBlankRest(this.text, after, line.end)) throw new Bail();
    this.index++;
    // A continuation line would make this a multi-line scalar: leave that to the full parser.
    const next = this.lines[this.index];
    if (next && !next.blank && next.indent > parentIndent) throw new Bail();
    if (next && next.blank && node.type === 'scalar') this.rejectContinuationAfterBlank(parentIndent);
    return node;
  }

  /** Blank lines followed by a more indented line still continue a plain scalar; give up in that case. */
  private rejectContinuationAfterBlank(parentIndent: number): void {
    for (let i = this.index; i < this.lines.length; i++) {
      const l = this.lines[i]!;
      if (l.blank) {
        if (l.end > l.start && this.text.charCodeAt(l.start) === 35) continue;
        continue;
      }
      if (l.indent > parentIndent) throw new Bail();
      return;
    }
  }

  private blockScalar(line: Line, start: number, parentIndent: number): YScalar {
    const folded = this.text.charCodeAt(start) === 62;
    let pos = start + 1;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    let explicitIndent = 0;
    for (let k = 0; k < 2 && pos < line.end; k++) {
      const ch = this.text.charCodeAt(pos);
      if (ch === 45) { chomp = 'strip'; pos++; }
      else if (ch === 43) { chomp = 'keep'; pos++; }
      else if (ch >= 49 && ch <= 57) { explicitIndent = ch - 48; pos++; }
    }
    if (!isBlankRest(this.text, pos, line.end)) throw new Bail();
    this.index++;
    // Content lines: every following line that is empty or more indented than the parent.
    const contentLines: { start: number; end: number; indent: number; empty: boolean }[] = [];
    let contentIndent = explicitIndent > 0 ? parentIndent + explicitIndent : -1;
    while (this.index < this.lines.length) {
      const l = this.lines[this.index]!;
      const lineStart = l.start - l.indent;
      const empty = l.start >= l.end;
      if (!empty) {
        if (l.indent <= parentIndent) break;
        if (contentIndent < 0) contentIndent = l.indent;
        if (l.indent < contentIndent) {
          if (l.blank) break;
          throw new Bail();
        }
      }
      contentLines.push({ start: lineStart, end: l.end, indent: l.indent, empty });
      this.index++;
    }
    // Trailing lines that are only comments at a lower indentation end the scalar; empty lines belong to it.
    let last = contentLines.length;
    while (last > 0 && contentLines[last - 1]!.empty) last--;
    const body = contentLines.slice(0, last);
    const trailing = contentLines.length - last;
    if (contentIndent < 0) contentIndent = parentIndent + 1;
    const texts = body.map((l) => (l.empty ? '' : this.text.slice(l.start + contentIndent, l.end)));
    let value: string;
    if (!folded) {
      value = texts.join('\n');
    } else {
      if (body.some((l) => !l.empty && l.indent > contentIndent)) throw new Bail();
      value = '';
      for (let i = 0; i < texts.length; i++) {
        const t = texts[i]!;
        if (i === 0) { value = t; continue; }
        if (t === '') { value += '\n'; continue; }
        value += texts[i - 1] === '' ? t : ' ' + t;
      }
    }
    if (body.length > 0) {
      if (chomp === 'clip') value += '\n';
      else if (chomp === 'keep') value += '\n' + '\n'.repeat(trailing);
    } else if (chomp === 'keep' && trailing > 0) {
      value = '\n'.repeat(trailing);
    }
    // Like the `yaml` package, the scalar's range includes the newline that ends its last line.
    let end = body.length > 0 ? body[body.length - 1]!.end : line.end;
    if (this.text.charCodeAt(end) === 13) end++;
    if (this.text.charCodeAt(end) === 10) end++;
    return { type: 'scalar', value, style: 'block', span: { start, end } };
  }

  private lonelyScalar(indent: number): YNode {
    const line = this.lines[this.index]!;
    return this.inlineValue(line, line.start, indent - 1);
  }

  /**
   * Offset of the ':' that ends a mapping key on this line, or -1 when the line is not a "key: value" line.
   * Quoted keys are allowed; anything fancier is left to the full parser.
   */
  private keyEnd(line: Line): number {
    const t = this.text;
    let i = line.start;
    const c = t.charCodeAt(i);
    if (c === 34 || c === 39) {
      const q = quotedEnd(t, i, line.end);
      if (q < 0) return -1;
      i = q;
      while (i < line.end && t.charCodeAt(i) === 32) i++;
      return i < line.end && t.charCodeAt(i) === 58 && (i + 1 >= line.end || isSpace(t.charCodeAt(i + 1))) ? i : -1;
    }
    if (c === 91 || c === 123 || c === 35 || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 63 || c === 45 && i + 1 < line.end && isSpace(t.charCodeAt(i + 1))) return -1;
    for (; i < line.end; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 58 && (i + 1 >= line.end || isSpace(t.charCodeAt(i + 1)))) return i;
      if (ch === 35 && i > line.start && isSpace(t.charCodeAt(i - 1))) return -1;
    }
    return -1;
  }

  private readKey(start: number, colon: number): { key: string; keySpan: Span } {
    const c = this.text.charCodeAt(start);
    if (c === 34 || c === 39) {
      const q = readQuoted(this.text, start, colon);
      return { key: String(q.value), keySpan: q.span };
    }
    let end = colon;
    while (end > start && isSpace(this.text.charCodeAt(end - 1))) end--;
    const raw = this.text.slice(start, end);
    // Keys are compared as strings; a key that is not a plain string (e.g. `1: x` or `null: x`) still reads as its text.
    if (raw === '<<') throw new Bail();
    return { key: raw, keySpan: { start, end } };
  }
}

/** A one-line flow collection: `[a, "b", {c: d}]`. Multi-line flow collections are left to the full parser. */
class FlowReader {
  constructor(
    private readonly text: string,
    public pos: number,
    private readonly end: number,
  ) {}

  node(depth: number): YNode {
    if (depth > maxDepth) throw new Bail();
    this.space();
    const c = this.text.charCodeAt(this.pos);
    if (c === 91) return this.seq(depth);
    if (c === 123) return this.map(depth);
    if (c === 34 || c === 39) {
      const q = readQuoted(this.text, this.pos, this.end);
      this.pos = q.span.end;
      return q;
    }
    if (c === 38 || c === 42 || c === 33 || c === 63 || c === 124 || c === 62) throw new Bail();
    const e = plainEnd(this.text, this.pos, this.end, true);
    if (e === this.pos) return nullScalar(this.pos);
    const s = plainScalar(this.text, this.pos, e);
    this.pos = e;
    return s;
  }

  private seq(depth: number): YSeq {
    const start = this.pos++;
    const items: YNode[] = [];
    for (;;) {
      this.space();
      if (this.pos >= this.end) throw new Bail();
      if (this.text.charCodeAt(this.pos) === 93) { this.pos++; break; }
      const item = this.node(depth + 1);
      this.space();
      if (this.text.charCodeAt(this.pos) === 58) throw new Bail();
      items.push(item);
      this.space();
      const ch = this.text.charCodeAt(this.pos);
      if (ch === 44) { this.pos++; continue; }
      if (ch === 93) { this.pos++; break; }
      throw new Bail();
    }
    return { type: 'seq', items, flow: true, span: { start, end: this.pos } };
  }

  private map(depth: number): YMap {
    const start = this.pos++;
    const pairs: YPair[] = [];
    const seen = new Set<string>();
    for (;;) {
      this.space();
      if (this.pos >= this.end) throw new Bail();
      if (this.text.charCodeAt(this.pos) === 125) { this.pos++; break; }
      const keyNode = this.node(depth + 1);
      if (keyNode.type !== 'scalar') throw new Bail();
      this.space();
      let value: YNode;
      if (this.text.charCodeAt(this.pos) === 58) {
        this.pos++;
        this.space();
        const ch = this.text.charCodeAt(this.pos);
        value = ch === 44 || ch === 125 ? nullScalar(this.pos) : this.node(depth + 1);
      } else {
        value = nullScalar(this.pos);
      }
      const key = keyNode.value === null ? '' : String(this.text.slice(keyNode.span.start, keyNode.span.end) === '' ? '' : keyNode.style === 'plain' ? this.text.slice(keyNode.span.start, keyNode.span.end) : keyNode.value);
      if (seen.has(key)) throw new Bail();
      seen.add(key);
      pairs.push({ key, keySpan: keyNode.span, value });
      this.space();
      const ch = this.text.charCodeAt(this.pos);
      if (ch === 44) { this.pos++; continue; }
      if (ch === 125) { this.pos++; break; }
      throw new Bail();
    }
    return { type: 'map', pairs, flow: true, span: { start, end: this.pos } };
  }

  private space(): void {
    while (this.pos < this.end && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos < this.end && this.text.charCodeAt(this.pos) === 35) throw new Bail();
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** End of a plain scalar that starts at `start`: before ` #`, before trailing spaces, and in flow context before `,[]{}` and `: `. */
function plainEnd(text: string, start: number, end: number, flow: boolean): number {
  let i = start;
  let last = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 && i > start && isSpace(text.charCodeAt(i - 1))) break;
    if (c === 58 && (i + 1 >= end || isSpace(text.charCodeAt(i + 1)) || (flow && ',[]{}'.includes(text[i + 1]!)))) {
      if (!flow) throw new Bail();
      break;
    }
    if (flow && (c === 44 || c === 91 || c === 93 || c === 123 || c === 125)) break;
    if (!isSpace(c)) last = i + 1;
  }
  return last;
}

function quotedEnd(text: string, start: number, end: number): number {
  const q = text.charCodeAt(start);
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (q === 39 && c === 39) {
      if (i + 1 < end && text.charCodeAt(i + 1) === 39) { i++; continue; }
      return i + 1;
    }
    if (q === 34) {
      if (c === 92) { i++; continue; }
      if (c === 34) return i + 1;
    }
  }
  return -1;
}

function readQuoted(text: string, start: number, end: number): YScalar {
  const close = quotedEnd(text, start, end);
  if (close < 0) throw new Bail();
  const inner = text.slice(start + 1, close - 1);
  const single = text.charCodeAt(start) === 39;
  const value = single ? inner.replace(/''/g, "'") : unescapeDouble(inner);
  return { type: 'scalar', value, style: single ? 'single' : 'double', span: { start, end: close } };
}

const simpleEscapes: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

function unescapeDouble(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') { out += c; continue; }
    const e = s[++i];
    if (e === undefined) throw new Bail();
    const simple = simpleEscapes[e];
    if (simple !== undefined) { out += simple; continue; }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width === 0) throw new Bail();
    const hex = s.slice(i + 1, i + 1 + width);
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) throw new Bail();
    out += String.fromCodePoint(parseInt(hex, 16));
    i += width;
  }
  return out;
}

function nullScalar(at: number): YScalar {
  return { type: 'scalar', value: null, style: 'plain', span: { start: at, end: at } };
}

function plainScalar(text: string, start: number, end: number): YScalar {
  const raw = text.slice(start, end);
  return { type: 'scalar', value: resolvePlain(raw), style: 'plain', span: { start, end } };
}

/** Resolves a plain scalar with the YAML 1.2 core schema, as the `yaml` package does by default. */
export function resolvePlain(raw: string): ScalarValue {
  switch (raw) {
    case '': case '~': case 'null': case 'Null': case 'NULL': return null;
    case 'true': case 'True': case 'TRUE': return true;
    case 'false': case 'False': case 'FALSE': return false;
    case '.inf': case '.Inf': case '.INF': case '+.inf': case '+.Inf': case '+.INF': return Infinity;
    case '-.inf': case '-.Inf': case '-.INF': return -Infinity;
    case '.nan': case '.NaN': case '.NAN': return NaN;
  }
  const c = raw.charCodeAt(0);
  if (!(c >= 48 && c <= 57) && c !== 45 && c !== 43 && c !== 46) return raw;
  if (/^[-+]?[0-9]+$/.test(raw)) return Number(raw);
  if (/^0o[0-7]+$/.test(raw)) return parseInt(raw.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(raw)) return parseInt(raw.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(raw)) return Number(raw);
  return raw;
}

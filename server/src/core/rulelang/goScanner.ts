/**
 * A tokenizer for the Go expressions that Traefik rules are written in.
 *
 * Traefik hands every rule to Go's `go/parser.ParseExpr`, so a rule is accepted only if Go's scanner accepts it.
 * This module follows `go/scanner` closely where acceptance depends on it: automatic semicolons after identifiers,
 * literals and `)` at a line end, comments (which count as line ends when they contain one), the escapes of
 * interpreted string literals, the carriage returns dropped from raw string literals, and the characters Go calls
 * illegal. Numbers are only delimited roughly: a number can never be part of a valid rule, so its exact shape
 * does not matter.
 *
 * Offsets are UTF-16 code units into the rule string. Go measures columns in bytes; `goPosition` converts for
 * error texts that quote Go.
 */

export type TokenKind =
  | 'EOF'
  | 'IDENT'
  | 'KEYWORD'
  | 'INT'
  | 'FLOAT'
  | 'IMAG'
  | 'CHAR'
  | 'STRING'
  | 'OP'
  | 'SEMICOLON'
  | 'ILLEGAL';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** The source text; for an automatic semicolon it is "\n" (Go's convention). */
  text: string;
  /** For STRING tokens: the decoded value. */
  string?: GoString;
}

/**
 * A decoded Go string. Go strings are bytes; escapes like `\xff` can make them invalid UTF-8. The value keeps
 * each invalid byte as U+FFFD and records where the first one is.
 */
export interface GoString {
  value: string;
  /** For each UTF-16 unit of `value`, the rule offset it was written at; one extra entry for the end. */
  offsets: number[];
  /** Number of bytes of the Go string. */
  byteLength: number;
  /** True when every byte is below 0x80. */
  ascii: boolean;
  /** Index in `value` of the first byte that is not valid UTF-8, or -1. */
  invalidUtf8At: number;
}

export interface ScanError {
  /** Where Go places the error (its `line:column`). */
  offset: number;
  message: string;
  /** The range to show: the bad escape or character, or the unterminated literal. */
  start: number;
  end: number;
}

const keywords = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go', 'goto',
  'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type', 'var',
]);

/** Keywords after which Go inserts a semicolon at a line end. */
const semicolonKeywords = new Set(['break', 'continue', 'fallthrough', 'return']);

/** Go operators, longest first so that the scanner takes the longest match, as Go's does. */
const operators = [
  '<<=', '>>=', '&^=', '...', '&&', '||', '<-', '++', '--', '==', '!=', '<=', '>=', ':=', '+=', '-=', '*=', '/=', '%=',
  '&=', '|=', '^=', '<<', '>>', '&^', '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', '=', '!', '(', ')', '[', ']',
  '{', '}', ',', ';', '.', ':', '~',
];

const letter = /\p{L}/u;
const unicodeDigit = /\p{Nd}/u;

function isLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || (ch >= '\u0080' && letter.test(ch));
}

function isIdentPart(ch: string): boolean {
  return isLetter(ch) || (ch >= '0' && ch <= '9') || (ch >= '\u0080' && unicodeDigit.test(ch));
}

function isDecimal(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** The code point at `i`, as a string of one or two UTF-16 units; a lone surrogate comes back alone. */
function codePointAt(src: string, i: number): string {
  const cp = src.codePointAt(i);
  if (cp === undefined) return '';
  return String.fromCodePoint(cp);
}

function isLoneSurrogate(ch: string): boolean {
  if (ch.length !== 1) return false;
  const c = ch.charCodeAt(0);
  return c >= 0xd800 && c <= 0xdfff;
}

/** Go's `%#U` formatting of a code point, used in "illegal character" messages. */
function goCharName(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /\p{L}|\p{M}|\p{N}|\p{P}|\p{S}/u.test(ch) || ch === ' ' ? `U+${hex} '${ch}'` : `U+${hex}`;
}

export class GoScanner {
  readonly errors: ScanError[] = [];
  private pos = 0;
  private insertSemi = false;

  constructor(private readonly src: string) {
    // Go skips one byte order mark at the very start of the source.
    if (src.startsWith('\ufeff')) this.pos = 1;
  }

  /** All tokens up to and including EOF. */
  static tokenize(src: string): { tokens: Token[]; errors: ScanError[] } {
    const scanner = new GoScanner(src);
    const tokens: Token[] = [];
    for (;;) {
      const t = scanner.next();
      tokens.push(t);
      if (t.kind === 'EOF') break;
    }
    return { tokens, errors: scanner.errors };
  }

  private error(offset: number, message: string, start = offset, end = offset + 1): void {
    this.errors.push({ offset, message, start, end });
  }

  next(): Token {
    const src = this.src;
    for (;;) {
      this.skipWhitespace();
      const start = this.pos;
      if (start >= src.length) {
        if (this.insertSemi) {
          this.insertSemi = false;
          return { kind: 'SEMICOLON', start, end: start, text: '\n' };
        }
        return { kind: 'EOF', start, end: start, text: '' };
      }
      const ch = codePointAt(src, start);
      if (ch === '\n') {
        // Only reached when a semicolon is due: skipWhitespace stops at the newline in that case.
        this.pos++;
        this.insertSemi = false;
        return { kind: 'SEMICOLON', start, end: start + 1, text: '\n' };
      }
      if (isLetter(ch)) {
        let end = start + ch.length;
        while (end < src.length) {
          const c = codePointAt(src, end);
          if (!isIdentPart(c)) break;
          end += c.length;
        }
        this.pos = end;
        const text = src.slice(start, end);
        const keyword = text.length > 1 && keywords.has(text);
        this.insertSemi = !keyword || semicolonKeywords.has(text);
        return { kind: keyword ? 'KEYWORD' : 'IDENT', start, end, text };
      }
      if (isDecimal(ch) || (ch === '.' && isDecimal(src[start + 1]))) {
        this.insertSemi = true;
        return this.scanNumber(start);
      }
      if (ch === '"') {
        this.insertSemi = true;
        return this.scanInterpretedString(start);
      }
      if (ch === '`') {
        this.insertSemi = true;
        return this.scanRawString(start);
      }
      if (ch === "'") {
        this.insertSemi = true;
        return this.scanRune(start);
      }
      if (ch === '/' && (src[start + 1] === '/' || src[start + 1] === '*')) {
        if (this.insertSemi && this.lineEndsBeforeNextToken(start)) {
          // Go turns the line end hidden in (or after) a comment into a semicolon, positioned at the comment.
          this.insertSemi = false;
          return { kind: 'SEMICOLON', start, end: start, text: '\n' };
        }
        this.skipComment(start);
        this.insertSemi = false;
        continue;
      }
      const op = operators.find((o) => src.startsWith(o, start));
      if (op) {
        this.pos = start + op.length;
        this.insertSemi = op === ')' || op === ']' || op === '}' || op === '++' || op === '--';
        if (op === ';') return { kind: 'SEMICOLON', start, end: this.pos, text: ';' };
        return { kind: 'OP', start, end: this.pos, text: op };
      }
      this.pos = start + ch.length;
      if (ch === '\ufeff') this.error(start, 'illegal byte order mark', start, this.pos);
      else if (isLoneSurrogate(ch)) this.error(start, 'illegal UTF-8 encoding');
      else if (ch === '\0') this.error(start, 'illegal character NUL');
      else this.error(start, `illegal character ${goCharName(ch)}`, start, this.pos);
      // Go keeps the pending semicolon decision across an illegal character.
      return { kind: 'ILLEGAL', start, end: this.pos, text: ch };
    }
  }

  private skipWhitespace(): void {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || (c === '\n' && !this.insertSemi)) this.pos++;
      else break;
    }
  }

  /** Whether a line ends (newline or end of input) before the next token that is not a comment. */
  private lineEndsBeforeNextToken(start: number): boolean {
    const src = this.src;
    let i = start;
    while (src[i] === '/' && (src[i + 1] === '/' || src[i + 1] === '*')) {
      if (src[i + 1] === '/') return true;
      const close = src.indexOf('*/', i + 2);
      const body = close < 0 ? src.slice(i + 2) : src.slice(i + 2, close);
      if (body.includes('\n') || close < 0) return true;
      i = close + 2;
      while (i < src.length && (src[i] === ' ' || src[i] === '\t' || src[i] === '\r')) i++;
      if (i >= src.length || src[i] === '\n') return true;
    }
    return false;
  }

  private skipComment(start: number): void {
    const src = this.src;
    if (src[start + 1] === '/') {
      const nl = src.indexOf('\n', start);
      this.pos = nl < 0 ? src.length : nl;
      return;
    }
    const close = src.indexOf('*/', start + 2);
    if (close < 0) {
      this.error(start, 'comment not terminated', start, src.length);
      this.pos = src.length;
      return;
    }
    this.pos = close + 2;
  }

  private scanNumber(start: number): Token {
    const src = this.src;
    let i = start;
    let kind: TokenKind = 'INT';
    while (i < src.length) {
      const c = src[i]!;
      if (/[0-9a-zA-Z_]/.test(c)) {
        const exponent = /[eEpP]/.test(c) && !/^0[xX]/.test(src.slice(start, i)) || /[pP]/.test(c);
        i++;
        if (exponent && (src[i] === '+' || src[i] === '-')) i++;
        if (exponent) kind = 'FLOAT';
        continue;
      }
      if (c === '.') {
        kind = 'FLOAT';
        i++;
        continue;
      }
      break;
    }
    const text = src.slice(start, i);
    if (text.endsWith('i')) kind = 'IMAG';
    this.pos = i;
    return { kind, start, end: i, text };
  }

  private scanRawString(start: number): Token {
    const src = this.src;
    const close = src.indexOf('`', start + 1);
    const end = close < 0 ? src.length : close + 1;
    if (close < 0) this.error(start, 'raw string literal not terminated', start, src.length);
    const contentEnd = close < 0 ? src.length : close;
    this.pos = end;
    const text = src.slice(start, end);
    // Nearly every rule value is plain ASCII without carriage returns or NULs: its Go string is the text itself.
    let plain = true;
    for (let i = start + 1; i < contentEnd; i++) {
      const c = src.charCodeAt(i);
      if (c >= 0x80 || c === 0x0d || c === 0) {
        plain = false;
        break;
      }
    }
    if (plain) return { kind: 'STRING', start, end, text, string: asciiGoString(src, start + 1, contentEnd, contentEnd) };
    const builder = new GoStringBuilder();
    for (let i = start + 1; i < contentEnd;) {
      const ch = codePointAt(src, i);
      if (isLoneSurrogate(ch)) this.error(i, 'illegal UTF-8 encoding');
      else if (ch === '\0') this.error(i, 'illegal character NUL');
      // Go drops carriage returns from raw string literals.
      if (ch !== '\r') builder.addCodePoint(ch, i);
      i += ch.length;
    }
    return { kind: 'STRING', start, end, text, string: builder.finish(contentEnd) };
  }

  private scanInterpretedString(start: number): Token {
    const src = this.src;
    const builder = new GoStringBuilder();
    let i = start + 1;
    for (;;) {
      if (i >= src.length || src[i] === '\n') {
        this.error(start, 'string literal not terminated', start, i);
        break;
      }
      const ch = codePointAt(src, i);
      if (ch === '"') {
        i++;
        break;
      }
      if (ch === '\\') {
        i = this.scanEscape(i, '"', builder);
        continue;
      }
      if (isLoneSurrogate(ch)) this.error(i, 'illegal UTF-8 encoding');
      else if (ch === '\0') this.error(i, 'illegal character NUL');
      builder.addCodePoint(ch, i);
      i += ch.length;
    }
    this.pos = i;
    const closing = src[i - 1] === '"' && i - 1 > start ? i - 1 : i;
    return { kind: 'STRING', start, end: i, text: src.slice(start, i), string: builder.finish(closing) };
  }

  /** Scans the escape at `at` (a backslash) like go/scanner's scanEscape; returns the offset after it. */
  private scanEscape(at: number, quote: string, builder: GoStringBuilder): number {
    const src = this.src;
    let i = at + 1;
    const c = src[i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (c !== undefined && simple[c] !== undefined) {
      builder.addCodePoint(simple[c]!, at);
      return i + 1;
    }
    if (c === quote) {
      builder.addCodePoint(quote, at);
      return i + 1;
    }
    let digits: number;
    let base: number;
    let max: number;
    let rawByte: boolean;
    if (c !== undefined && c >= '0' && c <= '7') {
      [digits, base, max, rawByte] = [3, 8, 255, true];
    } else if (c === 'x') {
      [digits, base, max, rawByte] = [2, 16, 255, true];
      i++;
    } else if (c === 'u') {
      [digits, base, max, rawByte] = [4, 16, 0x10ffff, false];
      i++;
    } else if (c === 'U') {
      [digits, base, max, rawByte] = [8, 16, 0x10ffff, false];
      i++;
    } else {
      // Go places these errors on the character after the backslash; the range shows the whole escape.
      if (c === undefined || c === '\n') this.error(at + 1, 'escape sequence not terminated', at, at + 1);
      else this.error(at + 1, 'unknown escape sequence', at, at + 1 + codePointAt(src, at + 1).length);
      // Go resumes after the bad escape character; a newline ends the literal, so it is left for the caller.
      return c === undefined || c === '\n' ? i : i + codePointAt(src, i).length;
    }
    let value = 0;
    for (let n = 0; n < digits; n++) {
      const d = src[i];
      const v = d === undefined ? -1 : parseInt(d, base);
      if (d === undefined || Number.isNaN(v) || (base === 8 && !(d >= '0' && d <= '7'))) {
        if (d === undefined || d === '\n') this.error(i, 'escape sequence not terminated', at, i);
        else this.error(i, `illegal character ${goCharName(codePointAt(src, i))} in escape sequence`, at, i + codePointAt(src, i).length);
        return i;
      }
      value = value * base + v;
      i++;
    }
    if (value > max || (value >= 0xd800 && value < 0xe000 && !rawByte)) {
      this.error(at + 1, 'escape sequence is invalid Unicode code point', at, i);
      return i;
    }
    if (rawByte) builder.addByte(value, at);
    else builder.addCodePoint(String.fromCodePoint(value), at);
    return i;
  }

  private scanRune(start: number): Token {
    const src = this.src;
    let i = start + 1;
    let count = 0;
    let terminated = false;
    const sink = new GoStringBuilder();
    while (i < src.length && src[i] !== '\n') {
      const ch = codePointAt(src, i);
      if (ch === "'") {
        terminated = true;
        i++;
        break;
      }
      count++;
      if (ch === '\\') i = this.scanEscape(i, "'", sink);
      else i += ch.length;
    }
    if (!terminated) this.error(start, 'rune literal not terminated', start, i);
    else if (count !== 1) this.error(start, 'illegal rune literal', start, i);
    this.pos = i;
    return { kind: 'CHAR', start, end: i, text: src.slice(start, i) };
  }
}

/**
 * The Go string of `src[from, to)` when every character there is ASCII (and written as itself, without escapes):
 * its value is that text, and each character was written at its own offset.
 */
function asciiGoString(src: string, from: number, to: number, endOffset: number): GoString {
  const offsets: number[] = new Array(to - from + 1);
  for (let i = from; i < to; i++) offsets[i - from] = i;
  offsets[to - from] = endOffset;
  return { value: src.slice(from, to), offsets, byteLength: to - from, ascii: true, invalidUtf8At: -1 };
}

/** Collects the bytes of a Go string with the offset each was written at, then decodes them like Go's `range`. */
class GoStringBuilder {
  private readonly bytes: number[] = [];
  private readonly byteOffsets: number[] = [];

  /** Adds the UTF-8 bytes of one code point (a lone surrogate is encoded as U+FFFD, as TextEncoder does). */
  addCodePoint(ch: string, offset: number): void {
    const cp = ch.codePointAt(0);
    if (cp === undefined) return;
    if (cp < 0x80) {
      this.addByte(cp, offset);
    } else if (cp < 0x800) {
      this.addByte(0xc0 | (cp >> 6), offset);
      this.addByte(0x80 | (cp & 0x3f), offset);
    } else if (cp < 0x10000) {
      const c = cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
      this.addByte(0xe0 | (c >> 12), offset);
      this.addByte(0x80 | ((c >> 6) & 0x3f), offset);
      this.addByte(0x80 | (c & 0x3f), offset);
    } else {
      this.addByte(0xf0 | (cp >> 18), offset);
      this.addByte(0x80 | ((cp >> 12) & 0x3f), offset);
      this.addByte(0x80 | ((cp >> 6) & 0x3f), offset);
      this.addByte(0x80 | (cp & 0x3f), offset);
    }
  }

  addByte(b: number, offset: number): void {
    this.bytes.push(b);
    this.byteOffsets.push(offset);
  }

  finish(endOffset: number): GoString {
    const { bytes, byteOffsets } = this;
    let value = '';
    const offsets: number[] = [];
    let invalidUtf8At = -1;
    let ascii = true;
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i]!;
      if (b >= 0x80) ascii = false;
      const size = utf8SequenceLength(bytes, i);
      if (size === 0) {
        if (invalidUtf8At < 0) invalidUtf8At = value.length;
        value += '\ufffd';
        offsets.push(byteOffsets[i]!);
        i++;
        continue;
      }
      const cp = size === 1 ? b : decodeSequence(bytes, i, size);
      // Each sequence used to be decoded on its own by a TextDecoder, which drops a leading U+FEFF as a byte order
      // mark: the value keeps leaving it out (its bytes still count in byteLength).
      if (cp === 0xfeff) {
        i += size;
        continue;
      }
      const ch = size === 1 ? String.fromCharCode(b) : String.fromCodePoint(cp);
      for (let k = 0; k < ch.length; k++) offsets.push(byteOffsets[i]!);
      value += ch;
      i += size;
    }
    offsets.push(endOffset);
    return { value, offsets, byteLength: bytes.length, ascii, invalidUtf8At };
  }
}

/** The code point of the valid UTF-8 sequence of `size` bytes at `i`. */
function decodeSequence(bytes: readonly number[], i: number, size: number): number {
  let cp = bytes[i]! & (0xff >> (size + 1));
  for (let k = 1; k < size; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
  return cp;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
function utf8SequenceLength(bytes: readonly number[], i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  let size: number;
  let min: number;
  if (b >= 0xc2 && b <= 0xdf) [size, min] = [2, 0x80];
  else if (b >= 0xe0 && b <= 0xef) [size, min] = [3, 0x800];
  else if (b >= 0xf0 && b <= 0xf4) [size, min] = [4, 0x10000];
  else return 0;
  let cp = b & (0xff >> (size + 1));
  for (let k = 1; k < size; k++) {
    const c = bytes[i + k];
    if (c === undefined || (c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return size;
}

/** Go's `line:column` for an offset: 1-based, the column counted in UTF-8 bytes. */
export function goPosition(src: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  const column = utf8Length(src, lineStart, Math.min(offset, src.length)) + 1;
  return `${line}:${column}`;
}

/** The number of UTF-8 bytes of `src[from, to)`; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder encodes it. */
function utf8Length(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && src.charCodeAt(i + 1) >= 0xdc00 && src.charCodeAt(i + 1) <= 0xdfff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Validates regular expressions the way Go's `regexp.Compile` (RE2 syntax, package regexp/syntax with the Perl
 * flags) does, because Traefik compiles HostRegexp, PathRegexp, HeaderRegexp, QueryRegexp and HostSNIRegexp values
 * with it. JavaScript's RegExp is no substitute: it accepts look-around, back-references, `\Z`-style escapes and
 * more that RE2 rejects, and it rejects things RE2 accepts (a lone `{`, `\Q…\E`, `(?i)` in the middle).
 *
 * The validator walks the pattern once, like Go's parser, keeping only what Go's error checks depend on: whether
 * the top of Go's parse stack is a real expression (a repetition needs one), whether the previous operator was a
 * repetition (RE2 forbids `a**`), the open groups, and the nesting of counted repetitions (Go caps `(a{100}){100}`
 * at 1000 copies). Error codes and the quoted fragments are Go's, so messages read like Traefik's logs.
 *
 * Go's size limits for huge expressions (over a hundred million instructions) are not modelled.
 */

export interface GoRegexpError {
  /** Go's error code text, e.g. "missing closing )". */
  code: string;
  /** The fragment Go quotes. */
  expr: string;
  /** Range in the pattern (UTF-16 indices) of the offending part. */
  start: number;
  end: number;
}

/** Go's error text: "error parsing regexp: <code>: `<expr>`". */
export function goRegexpErrorText(e: GoRegexpError): string {
  return `error parsing regexp: ${e.code}: \`${e.expr}\``;
}

const codes = {
  invalidCharRange: 'invalid character class range',
  invalidEscape: 'invalid escape sequence',
  invalidNamedCapture: 'invalid named capture',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  invalidUtf8: 'invalid UTF-8',
  missingBracket: 'missing closing ]',
  missingParen: 'missing closing )',
  missingRepeatArgument: 'missing argument to repetition operator',
  trailingBackslash: 'trailing backslash at end of expression',
  unexpectedParen: 'unexpected )',
};

const perlClasses = new Set(['d', 'D', 's', 'S', 'w', 'W']);

const posixClasses = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);

/** Go's unicode.Categories and unicode.Scripts (Unicode 15, Go 1.21 and later), plus "Any". */
const unicodeClassNames = new Set([
  'Any',
  'C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc',
  'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
  'Adlam', 'Ahom', 'Anatolian_Hieroglyphs', 'Arabic', 'Armenian', 'Avestan', 'Balinese', 'Bamum', 'Bassa_Vah', 'Batak',
  'Bengali', 'Bhaiksuki', 'Bopomofo', 'Brahmi', 'Braille', 'Buginese', 'Buhid', 'Canadian_Aboriginal', 'Carian',
  'Caucasian_Albanian', 'Chakma', 'Cham', 'Cherokee', 'Chorasmian', 'Common', 'Coptic', 'Cuneiform', 'Cypriot',
  'Cypro_Minoan', 'Cyrillic', 'Deseret', 'Devanagari', 'Dives_Akuru', 'Dogra', 'Duployan', 'Egyptian_Hieroglyphs',
  'Elbasan', 'Elymaic', 'Ethiopic', 'Georgian', 'Glagolitic', 'Gothic', 'Grantha', 'Greek', 'Gujarati', 'Gunjala_Gondi',
  'Gurmukhi', 'Han', 'Hangul', 'Hanifi_Rohingya', 'Hanunoo', 'Hatran', 'Hebrew', 'Hiragana', 'Imperial_Aramaic',
  'Inherited', 'Inscriptional_Pahlavi', 'Inscriptional_Parthian', 'Javanese', 'Kaithi', 'Kannada', 'Katakana', 'Kawi',
  'Kayah_Li', 'Kharoshthi', 'Khitan_Small_Script', 'Khmer', 'Khojki', 'Khudawadi', 'Lao', 'Latin', 'Lepcha', 'Limbu',
  'Linear_A', 'Linear_B', 'Lisu', 'Lycian', 'Lydian', 'Mahajani', 'Makasar', 'Malayalam', 'Mandaic', 'Manichaean',
  'Marchen', 'Masaram_Gondi', 'Medefaidrin', 'Meetei_Mayek', 'Mende_Kikakui', 'Meroitic_Cursive',
  'Meroitic_Hieroglyphs', 'Miao', 'Modi', 'Mongolian', 'Mro', 'Multani', 'Myanmar', 'Nabataean', 'Nag_Mundari',
  'Nandinagari', 'New_Tai_Lue', 'Newa', 'Nko', 'Nushu', 'Nyiakeng_Puachue_Hmong', 'Ogham', 'Ol_Chiki', 'Old_Hungarian',
  'Old_Italic', 'Old_North_Arabian', 'Old_Permic', 'Old_Persian', 'Old_Sogdian', 'Old_South_Arabian', 'Old_Turkic',
  'Old_Uyghur', 'Oriya', 'Osage', 'Osmanya', 'Pahawh_Hmong', 'Palmyrene', 'Pau_Cin_Hau', 'Phags_Pa', 'Phoenician',
  'Psalter_Pahlavi', 'Rejang', 'Runic', 'Samaritan', 'Saurashtra', 'Sharada', 'Shavian', 'Siddham', 'SignWriting',
  'Sinhala', 'Sogdian', 'Sora_Sompeng', 'Soyombo', 'Sundanese', 'Syloti_Nagri', 'Syriac', 'Tagalog', 'Tagbanwa',
  'Tai_Le', 'Tai_Tham', 'Tai_Viet', 'Takri', 'Tamil', 'Tangsa', 'Tangut', 'Telugu', 'Thaana', 'Thai', 'Tibetan',
  'Tifinagh', 'Tirhuta', 'Toto', 'Ugaritic', 'Vai', 'Vithkuqi', 'Wancho', 'Warang_Citi', 'Yezidi', 'Yi',
  'Zanabazar_Square',
]);

/** A counted repetition (`x{n,m}`) and the counted repetitions nested inside it: what Go's repeat limit walks. */
interface CountedRepeat {
  /** max, or min when unbounded; 0 makes the whole subtree acceptable, as in Go. */
  count: number;
  inner: CountedRepeat[];
}

/** One entry of Go's parse stack, reduced to what the checks need. */
type StackEntry = { kind: 'expr'; repeats: CountedRepeat[] } | { kind: 'open'; start: number } | { kind: 'bar' };

class RegexpFailure {
  constructor(readonly error: GoRegexpError) {}
}

function isAlnum(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}

function hexValue(c: string): number {
  return /^[0-9a-fA-F]$/.test(c) ? parseInt(c, 16) : -1;
}

/** Go's repeatIsValid: no chain of counted repetitions may multiply to more than `limit` copies. */
function repeatIsValid(r: CountedRepeat, limit: number): boolean {
  if (r.count === 0) return true;
  if (r.count > limit) return false;
  const rest = Math.floor(limit / r.count);
  return r.inner.every((inner) => repeatIsValid(inner, rest));
}

class RegexpParser {
  private readonly stack: StackEntry[] = [];

  constructor(
    private readonly s: string,
    private readonly invalidUtf8At: number,
  ) {}

  private fail(code: string, start: number, end: number, expr = this.s.slice(start, end)): never {
    throw new RegexpFailure({ code, expr, start, end });
  }

  /** The code point at i, failing like Go's nextRune on a byte that is not UTF-8. */
  private rune(i: number): string {
    if (i === this.invalidUtf8At) this.fail(codes.invalidUtf8, i, this.s.length);
    const cp = this.s.codePointAt(i);
    return cp === undefined ? '' : String.fromCodePoint(cp);
  }

  private top(): StackEntry | undefined {
    return this.stack[this.stack.length - 1];
  }

  private pushExpr(repeats: CountedRepeat[] = []): void {
    this.stack.push({ kind: 'expr', repeats });
  }

  /** Entries above the innermost open group or bar collapse into one expression (Go's concat/alternate). */
  private collapse(stopAtBar: boolean): CountedRepeat[] {
    const repeats: CountedRepeat[] = [];
    for (;;) {
      const e = this.top();
      if (!e || e.kind === 'open' || (stopAtBar && e.kind === 'bar')) break;
      this.stack.pop();
      if (e.kind === 'expr') repeats.push(...e.repeats);
    }
    return repeats;
  }

  parse(): void {
    const s = this.s;
    let i = 0;
    let lastRepeat = -1;
    while (i < s.length) {
      let repeatAt = -1;
      const c = s[i]!;
      switch (c) {
        case '(':
          if (s[i + 1] === '?') i = this.parsePerlFlags(i);
          else {
            this.stack.push({ kind: 'open', start: i });
            i++;
          }
          break;
        case '|': {
          const repeats = this.collapse(true);
          if (this.top()?.kind === 'bar') this.stack.pop();
          const below = this.collapse(true);
          this.pushExpr([...below, ...repeats]);
          this.stack.push({ kind: 'bar' });
          i++;
          break;
        }
        case ')': {
          const repeats = this.collapse(false);
          const open = this.stack.pop();
          if (!open) this.fail(codes.unexpectedParen, i, i + 1, s);
          this.pushExpr(repeats);
          i++;
          break;
        }
        case '^':
        case '$':
        case '.':
          this.pushExpr();
          i++;
          break;
        case '[':
          i = this.parseClass(i);
          this.pushExpr();
          break;
        case '*':
        case '+':
        case '?':
          repeatAt = i;
          i = this.repeat(i, i + 1, lastRepeat, undefined);
          break;
        case '{': {
          const counted = this.parseRepeatCount(i);
          if (!counted) {
            this.pushExpr();
            i++;
            break;
          }
          const { min, max, end } = counted;
          if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) this.fail(codes.invalidRepeatSize, i, end);
          repeatAt = i;
          i = this.repeat(i, end, lastRepeat, { min, max });
          break;
        }
        case '\\':
          i = this.parseEscapeOutsideClass(i);
          break;
        default:
          i += this.rune(i).length;
          this.pushExpr();
      }
      lastRepeat = repeatAt;
    }
    const repeats = this.collapse(true);
    if (this.top()?.kind === 'bar') this.stack.pop();
    this.collapse(true);
    this.pushExpr(repeats);
    if (this.stack.some((e) => e.kind === 'open')) this.fail(codes.missingParen, 0, s.length, s);
  }

  /**
   * A repetition operator from `start` to `after` (`*`, `+`, `?` or a counted `{…}`), with Go's optional
   * non-greedy `?`. Returns the index after it.
   */
  private repeat(start: number, after: number, lastRepeat: number, counted: { min: number; max: number } | undefined): number {
    if (this.s[after] === '?') after++;
    if (lastRepeat >= 0) this.fail(codes.invalidRepeatOp, lastRepeat, after);
    const top = this.top();
    if (!top || top.kind !== 'expr') this.fail(codes.missingRepeatArgument, start, after);
    if (!counted) return after;
    const count = counted.max === -1 ? counted.min : counted.max;
    const node: CountedRepeat = { count, inner: top.repeats };
    if ((counted.min >= 2 || counted.max >= 2) && !repeatIsValid(node, 1000)) this.fail(codes.invalidRepeatSize, start, after);
    top.repeats = [node];
    return after;
  }

  /** Go's parseRepeat: `{n}`, `{n,}` or `{n,m}` without leading zeros; min -1 when a number is too big. */
  private parseRepeatCount(i: number): { min: number; max: number; end: number } | undefined {
    const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.s.slice(i, i + 40));
    if (!m) return undefined;
    const [whole, minText, comma, maxText] = m;
    const badNumber = (t: string): boolean => t.length >= 2 && t[0] === '0';
    if (badNumber(minText!) || (maxText && badNumber(maxText))) return undefined;
    const toInt = (t: string): number => (t.length > 8 ? -1 : parseInt(t, 10));
    let min = toInt(minText!);
    let max = min;
    if (comma) {
      max = maxText ? toInt(maxText) : -1;
      if (maxText && max < 0) min = -1;
    }
    return { min, max, end: i + whole!.length };
  }

  /** `(?` constructs: named groups, flag groups and non-capturing groups; everything else is unsupported Perl. */
  private parsePerlFlags(i: number): number {
    const s = this.s;
    const named = s.startsWith('(?P<', i) ? 4 : s.startsWith('(?<', i) ? 3 : 0;
    if (named && s.length - i > named) {
      const close = s.indexOf('>', i);
      if (close < 0) this.fail(codes.invalidNamedCapture, i, s.length);
      const name = s.slice(i + named, close);
      for (let k = i + named; k < close; k++) this.rune(k);
      if (!/^[A-Za-z0-9_]+$/.test(name)) this.fail(codes.invalidNamedCapture, i, close + 1);
      this.stack.push({ kind: 'open', start: i });
      return close + 1;
    }
    let k = i + 2;
    let negated = false;
    let sawFlag = false;
    while (k < s.length) {
      const c = this.rune(k);
      k += c.length;
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        sawFlag = true;
        continue;
      }
      if (c === '-') {
        if (negated) break;
        negated = true;
        sawFlag = false;
        continue;
      }
      if (c === ':' || c === ')') {
        if (negated && !sawFlag) break;
        if (c === ':') this.stack.push({ kind: 'open', start: i });
        return k;
      }
      break;
    }
    this.fail(codes.invalidPerlOp, i, k);
  }

  private parseEscapeOutsideClass(i: number): number {
    const s = this.s;
    const next = s[i + 1];
    switch (next) {
      case 'A':
      case 'b':
      case 'B':
      case 'z':
        this.pushExpr();
        return i + 2;
      case 'C':
        return this.fail(codes.invalidEscape, i, i + 2);
      case 'Q': {
        const close = s.indexOf('\\E', i + 2);
        const end = close < 0 ? s.length : close;
        for (let k = i + 2; k < end;) {
          k += this.rune(k).length;
          this.pushExpr();
        }
        return close < 0 ? s.length : close + 2;
      }
      case 'p':
      case 'P': {
        const end = this.parseUnicodeClass(i);
        this.pushExpr();
        return end;
      }
      default:
        break;
    }
    if (next !== undefined && perlClasses.has(next)) {
      this.pushExpr();
      return i + 2;
    }
    const end = this.parseEscape(i);
    this.pushExpr();
    return end;
  }

  /** Go's parseEscape: a single-character escape; returns the index after it. */
  private parseEscape(i: number): number {
    const s = this.s;
    if (i + 1 >= s.length) this.fail(codes.trailingBackslash, i, i + 1, '');
    const c = this.rune(i + 1);
    let t = i + 1 + c.length;
    if (c.length === 1 && c < '\u0080' && !isAlnum(c)) return t;
    if (c >= '1' && c <= '7' && !isOctal(s[t])) this.fail(codes.invalidEscape, i, t);
    if (c >= '0' && c <= '7') {
      for (let n = 1; n < 3 && isOctal(s[t]); n++) t++;
      return t;
    }
    if (c === 'x') {
      if (t >= s.length) this.fail(codes.invalidEscape, i, t);
      const first = this.rune(t);
      t += first.length;
      if (first === '{') {
        let digits = 0;
        let value = 0;
        for (;;) {
          if (t >= s.length) this.fail(codes.invalidEscape, i, t);
          const d = this.rune(t);
          t += d.length;
          if (d === '}') break;
          const v = hexValue(d);
          if (v < 0) this.fail(codes.invalidEscape, i, t);
          value = value * 16 + v;
          if (value > 0x10ffff) this.fail(codes.invalidEscape, i, t);
          digits++;
        }
        if (digits === 0) this.fail(codes.invalidEscape, i, t);
        return t;
      }
      if (t >= s.length) this.fail(codes.invalidEscape, i, t);
      const second = this.rune(t);
      t += second.length;
      if (hexValue(first) < 0 || hexValue(second) < 0) this.fail(codes.invalidEscape, i, t);
      return t;
    }
    if ('afnrtv'.includes(c)) return t;
    this.fail(codes.invalidEscape, i, t);
  }

  /** `\p{Name}`, `\pL`, `\P{^Name}`: the name must be a Go Unicode category or script. Returns the end index. */
  private parseUnicodeClass(i: number): number {
    const s = this.s;
    let end: number;
    let name: string;
    if (i + 2 >= s.length) {
      end = i + 2;
      name = '';
    } else {
      const c = this.rune(i + 2);
      if (c !== '{') {
        end = i + 2 + c.length;
        name = c;
      } else {
        const close = s.indexOf('}', i);
        if (close < 0) {
          for (let k = i; k < s.length; k++) if (k === this.invalidUtf8At) this.rune(k);
          this.fail(codes.invalidCharRange, i, s.length);
        }
        end = close + 1;
        name = s.slice(i + 3, close);
        for (let k = i + 3; k < close; k++) if (k === this.invalidUtf8At) this.rune(k);
      }
    }
    if (name.startsWith('^')) name = name.slice(1);
    if (!unicodeClassNames.has(name)) this.fail(codes.invalidCharRange, i, end);
    return end;
  }

  /** Go's parseClass: returns the index after the closing `]`. */
  private parseClass(start: number): number {
    const s = this.s;
    let t = start + 1;
    if (s[t] === '^') t++;
    let first = true;
    while (t >= s.length || s[t] !== ']' || first) {
      first = false;
      if (s.startsWith('[:', t) && t + 2 < s.length) {
        const close = s.indexOf(':]', t + 2);
        if (close >= 0) {
          let name = s.slice(t + 2, close);
          if (name.startsWith('^')) name = name.slice(1);
          if (!posixClasses.has(name)) this.fail(codes.invalidCharRange, t, close + 2);
          t = close + 2;
          continue;
        }
      }
      if (s[t] === '\\' && (s[t + 1] === 'p' || s[t + 1] === 'P')) {
        t = this.parseUnicodeClass(t);
        continue;
      }
      if (s[t] === '\\' && s[t + 1] !== undefined && perlClasses.has(s[t + 1]!)) {
        t += 2;
        continue;
      }
      const rangeStart = t;
      const [lo, afterLo] = this.parseClassChar(t, start);
      t = afterLo;
      if (s[t] === '-' && t + 1 < s.length && s[t + 1] !== ']') {
        const [hi, afterHi] = this.parseClassChar(t + 1, start);
        t = afterHi;
        if (hi < lo) this.fail(codes.invalidCharRange, rangeStart, t);
      }
    }
    return t + 1;
  }

  /** One character of a class (maybe escaped); returns its code point and the index after it. */
  private parseClassChar(t: number, classStart: number): [number, number] {
    const s = this.s;
    if (t >= s.length) this.fail(codes.missingBracket, classStart, s.length);
    if (s[t] === '\\') {
      const end = this.parseEscape(t);
      return [escapedCodePoint(s.slice(t, end)), end];
    }
    const c = this.rune(t);
    return [c.codePointAt(0)!, t + c.length];
  }
}

/** The code point an escape that parseEscape accepted stands for. */
function escapedCodePoint(escape: string): number {
  const body = escape.slice(1);
  const named: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
  if (named[body] !== undefined) return named[body]!;
  if (/^[0-7]+$/.test(body)) return parseInt(body, 8);
  if (body.startsWith('x{')) return parseInt(body.slice(2, -1), 16);
  if (body.startsWith('x')) return parseInt(body.slice(1), 16);
  return body.codePointAt(0)!;
}

/**
 * Checks a pattern as Go's regexp.Compile would. `invalidUtf8At` is the index of the first byte of the Go string
 * that is not UTF-8 (see GoString), or -1.
 */
export function validateGoRegexp(pattern: string, invalidUtf8At = -1): GoRegexpError | undefined {
  try {
    new RegexpParser(pattern, invalidUtf8At).parse();
    return undefined;
  } catch (e) {
    if (e instanceof RegexpFailure) return e.error;
    return { code: 'regexp/syntax: internal error', expr: pattern, start: 0, end: pattern.length };
  }
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * A parser for Go expressions, shaped after `go/parser.ParseExpr`, which is what Traefik parses rules with.
 *
 * It builds a small syntax tree for the expressions a rule can meaningfully contain (operators, parentheses,
 * identifiers, literals, calls, selectors, index expressions) and follows go/parser exactly where acceptance of a
 * valid rule depends on it: operator precedence, trailing commas and `...` in argument lists, and the automatic
 * semicolons that make a line break after `)` end the expression. Go constructs that can never be part of a valid
 * rule (function literals, composite literals, types, slices, type assertions) stop the parse with an error; Go
 * might have parsed them, but Traefik's interpreter would have rejected them, so the verdict is the same.
 *
 * Like go/parser, it reports the first error by position, scanner errors included.
 */
import { GoScanner, goPosition, type Token } from './goScanner';

export type GoExpr =
  | { type: 'ident'; name: string; start: number; end: number }
  | { type: 'literal'; token: Token; start: number; end: number }
  | { type: 'paren'; inner: GoExpr; start: number; end: number }
  | { type: 'unary'; op: string; opStart: number; operand: GoExpr; start: number; end: number }
  | { type: 'binary'; op: string; opStart: number; opEnd: number; left: GoExpr; right: GoExpr; start: number; end: number }
  | { type: 'call'; callee: GoExpr; args: GoExpr[]; ellipsis: boolean; start: number; end: number }
  | { type: 'selector'; target: GoExpr; name: string; start: number; end: number }
  | { type: 'index'; target: GoExpr; index: GoExpr; start: number; end: number };

export interface GoSyntaxError {
  /** Offset in the rule of the token the error is about. */
  start: number;
  end: number;
  /** go/parser's text, prefixed with Go's `line:column`, as Traefik quotes it. */
  message: string;
  /** The expression had ended at a line break (Go's automatic semicolon) before this token. */
  afterLineBreak?: boolean;
}

export type GoParseResult = { expr: GoExpr; error?: undefined } | { expr?: undefined; error: GoSyntaxError };

const binaryPrecedence: Record<string, number> = {
  '||': 1, '&&': 2,
  '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3,
  '+': 4, '-': 4, '|': 4, '^': 4,
  '*': 5, '/': 5, '%': 5, '<<': 5, '>>': 5, '&': 5, '&^': 5,
};

const unaryOperators = new Set(['+', '-', '!', '^', '&', '~', '<-', '*']);

/** Operand starters that are Go types or function literals: valid Go, never a valid rule. */
const typeStarters = new Set(['[', 'func', 'struct', 'map', 'chan', 'interface']);

/** Deeper nesting than this is not analysed (Go allows more, but no real rule comes close). */
const maxNestingDepth = 500;

class StopParsing {
  constructor(
    readonly error: GoSyntaxError | 'too-deep',
    /** Where Go places the error, which decides whether it or a scanner error comes first. */
    readonly goOffset = 0,
  ) {}
}

/** Parses a rule as `go/parser.ParseExpr` would; the first error by position wins, as in Go. */
export function parseGoExpr(src: string): GoParseResult | { tooDeep: true } {
  const { tokens, errors: scanErrors } = GoScanner.tokenize(src);
  const parser = new ExprParser(src, tokens);
  let expr: GoExpr | undefined;
  let parseError: GoSyntaxError | undefined;
  let parseErrorOffset = 0;
  try {
    expr = parser.parseRule();
  } catch (e) {
    if (!(e instanceof StopParsing)) throw e;
    if (e.error === 'too-deep') return { tooDeep: true };
    parseError = e.error;
    parseErrorOffset = e.goOffset;
  }
  const firstScanError = scanErrors[0];
  if (firstScanError && (!parseError || firstScanError.offset <= parseErrorOffset)) {
    return {
      error: {
        start: firstScanError.start,
        end: Math.max(firstScanError.end, firstScanError.start + 1),
        message: `${goPosition(src, firstScanError.offset)}: ${firstScanError.message}`,
      },
    };
  }
  if (parseError) return { error: parseError };
  return { expr: expr! };
}

class ExprParser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.index]!;
  }

  private next(): void {
    if (this.index < this.tokens.length - 1) this.index++;
  }

  private is(text: string): boolean {
    const t = this.tok;
    return (t.kind === 'OP' || t.kind === 'KEYWORD') && t.text === text;
  }

  private fail(token: Token, message: string, afterLineBreak = false): never {
    // An error at the end of the rule is shown on the last token, which is what is incomplete.
    const shown = token.start >= this.src.length ? this.lastToken() ?? token : token;
    throw new StopParsing({
      start: shown.start,
      end: Math.max(shown.end, shown.start + 1),
      message: `${goPosition(this.src, token.start)}: ${message}`,
      ...(afterLineBreak ? { afterLineBreak } : {}),
    }, token.start);
  }

  private lastToken(): Token | undefined {
    for (let i = this.tokens.length - 1; i >= 0; i--) {
      const t = this.tokens[i]!;
      if (t.kind !== 'EOF' && t.end > t.start) return t;
    }
    return undefined;
  }

  /** go/parser's errorExpected: names what was found when the error is at the current token. */
  private failExpected(what: string, afterLineBreak = false): never {
    const t = this.tok;
    let found: string;
    if (t.kind === 'SEMICOLON' && t.text === '\n') found = 'newline';
    else if (t.kind === 'IDENT' || t.kind === 'INT' || t.kind === 'FLOAT' || t.kind === 'IMAG' || t.kind === 'CHAR' || t.kind === 'STRING') found = t.text;
    else if (t.kind === 'EOF') found = "'EOF'";
    else if (t.kind === 'ILLEGAL') found = "'ILLEGAL'";
    else found = `'${t.text}'`;
    this.fail(t, `expected ${what}, found ${found}`, afterLineBreak);
  }

  private expect(text: string): Token {
    const t = this.tok;
    if (!this.is(text)) this.failExpected(`'${text}'`);
    this.next();
    return t;
  }

  private enter(): void {
    if (++this.depth > maxNestingDepth) throw new StopParsing('too-deep');
  }

  private leave(): void {
    this.depth--;
  }

  parseRule(): GoExpr {
    const expr = this.parseExpr();
    // go/parser's ParseExpr: an automatic semicolon may end the expression; anything else must be the end.
    const endedAtLineBreak = this.tok.kind === 'SEMICOLON' && this.tok.text === '\n';
    if (endedAtLineBreak) this.next();
    if (this.tok.kind !== 'EOF') this.failExpected("'EOF'", endedAtLineBreak);
    return expr;
  }

  private parseExpr(): GoExpr {
    return this.parseBinary(1);
  }

  private parseBinary(minPrecedence: number): GoExpr {
    this.enter();
    let left = this.parseUnary();
    for (;;) {
      const t = this.tok;
      const precedence = t.kind === 'OP' ? binaryPrecedence[t.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) break;
      this.next();
      const right = this.parseBinary(precedence + 1);
      left = { type: 'binary', op: t.text, opStart: t.start, opEnd: t.end, left, right, start: left.start, end: right.end };
    }
    this.leave();
    return left;
  }

  private parseUnary(): GoExpr {
    const t = this.tok;
    if (t.kind === 'OP' && unaryOperators.has(t.text)) {
      this.enter();
      this.next();
      const operand = this.parseUnary();
      this.leave();
      return { type: 'unary', op: t.text, opStart: t.start, operand, start: t.start, end: operand.end };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): GoExpr {
    let x = this.parseOperand();
    for (;;) {
      const t = this.tok;
      if (this.is('.')) {
        this.next();
        const sel = this.tok;
        if (sel.kind === 'IDENT') {
          this.next();
          x = { type: 'selector', target: x, name: sel.text, start: x.start, end: sel.end };
          continue;
        }
        if (this.is('(')) this.fail(sel, 'type assertions are not supported in rules');
        this.failExpected('selector or type assertion');
      } else if (this.is('[')) {
        this.next();
        this.enter();
        const index = this.parseExpr();
        this.leave();
        if (this.is(':') || this.is(',')) this.fail(this.tok, 'slice and generic expressions are not supported in rules');
        const close = this.expect(']');
        x = { type: 'index', target: x, index, start: x.start, end: close.end };
      } else if (this.is('(')) {
        x = this.parseCall(x);
      } else if (this.is('{') && (x.type === 'ident' || x.type === 'selector' || x.type === 'index')) {
        this.fail(t, 'composite literals are not supported in rules');
      } else {
        return x;
      }
    }
  }

  private parseOperand(): GoExpr {
    const t = this.tok;
    switch (t.kind) {
      case 'IDENT':
        this.next();
        return { type: 'ident', name: t.text, start: t.start, end: t.end };
      case 'STRING':
      case 'INT':
      case 'FLOAT':
      case 'IMAG':
      case 'CHAR':
        this.next();
        return { type: 'literal', token: t, start: t.start, end: t.end };
      default:
        break;
    }
    if (this.is('(')) {
      this.next();
      this.enter();
      const inner = this.parseExpr();
      this.leave();
      const close = this.expect(')');
      return { type: 'paren', inner, start: t.start, end: close.end };
    }
    if ((t.kind === 'OP' || t.kind === 'KEYWORD') && typeStarters.has(t.text)) {
      this.fail(t, t.text === 'func' ? 'function literals are not supported in rules' : 'Go types are not supported in rules');
    }
    this.failExpected('operand');
  }

  /** go/parser's parseCallOrConversion, including its comma and newline rules. */
  private parseCall(callee: GoExpr): GoExpr {
    this.expect('(');
    this.enter();
    const args: GoExpr[] = [];
    let ellipsis = false;
    while (!this.is(')') && this.tok.kind !== 'EOF' && !ellipsis) {
      args.push(this.parseExpr());
      if (this.is('...')) {
        ellipsis = true;
        this.next();
      }
      if (this.is(',')) {
        this.next();
        continue;
      }
      if (this.is(')')) break;
      const t = this.tok;
      this.fail(t, t.kind === 'SEMICOLON' && t.text === '\n' ? "missing ',' before newline in argument list" : "missing ',' in argument list");
    }
    this.leave();
    const t = this.tok;
    if (!this.is(')') && t.kind === 'SEMICOLON' && t.text === '\n') this.fail(t, "missing ',' before newline in argument list");
    const close = this.expect(')');
    return { type: 'call', callee, args, ellipsis, start: callee.start, end: close.end };
  }
}

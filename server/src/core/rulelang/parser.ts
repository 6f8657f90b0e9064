/**
 * Traefik's rule language: parses a `match` expression and reports every reason Traefik would refuse it, with
 * ranges in the rule string.
 *
 * Traefik's pipeline is reproduced stage by stage:
 *  1. Go's `go/parser.ParseExpr` (goExpr.ts) — any Go syntax error refuses the rule;
 *  2. vulcand/predicate's interpreter, which turns the Go tree into a rule tree: only `&&`, `||`, `!`, parentheses
 *     and calls of registered matcher names with string arguments survive. Traefik 3 uses predicate v1.3, which
 *     also accepts parenthesised arguments (`Host((\`a\`))`); Traefik 2.11 uses v1.2, which does not;
 *  3. Traefik's rule check (`no args for matcher`, `empty args for matcher`) and each matcher's own checks
 *     (matchers.ts), run on every matcher call of the tree.
 *
 * It never throws; a rule nested deeper than the parser analyses comes back `unchecked` without problems.
 */
import type { Span } from '../model';
import { type GoExpr, parseGoExpr } from './goExpr';
import type { GoString } from './goScanner';
import { goStringList } from './goText';
import { parseMuxTemplate, isMuxTemplateError } from './muxTemplate';
import {
  genericMatcherSet,
  type MatcherProblem,
  type MatcherSet,
  matcherSet,
  matcherSpellings,
  resolveMatcher,
  type RuleProtocol,
  type RuleSyntax,
  type TraefikVersion,
  v2OnlyHttpMatchers,
  v3OnlyHttpMatchers,
} from './matchers';

export type { RuleProtocol, RuleSyntax, TraefikVersion } from './matchers';

export interface RuleParseOptions {
  /** `generic` is the bare grammar of Traefik's pkg/rules tests: the names in `matchers`, any number of arguments. */
  protocol: RuleProtocol | 'generic';
  /** Rule syntax of the route (`syntax: v2` on the route); Traefik 2 always uses v2. Default v3. */
  syntax?: RuleSyntax;
  /** Traefik to emulate: `v2` is 2.11, `v3` is the newest 3.x (3.7). Default v3. */
  traefik?: TraefikVersion;
  /** For `generic`: the matcher names. Default `['m']`. */
  matchers?: readonly string[];
}

/** A string argument of a matcher call: its decoded value, and where it is in the rule. */
export interface RuleArgument extends GoString {
  /** The literal in the rule, quotes included. */
  span: Span;
}

export interface MatcherCall {
  kind: 'matcher';
  /** The function name as written. */
  name: string;
  /** The matcher it spells (`hostregexp` → `HostRegexp`). */
  matcher: string;
  nameSpan: Span;
  args: RuleArgument[];
  /** From the name to the closing parenthesis. */
  span: Span;
}

export interface RuleCombination {
  kind: 'and' | 'or';
  left: RuleNode;
  right: RuleNode;
  operatorSpan: Span;
  span: Span;
}

export interface RuleNegation {
  kind: 'not';
  operand: RuleNode;
  span: Span;
}

export type RuleNode = MatcherCall | RuleCombination | RuleNegation;

export type RuleProblemCode = 'rule-syntax' | 'rule-unknown-matcher' | 'rule-v2-matcher';

export interface RuleProblem {
  code: RuleProblemCode;
  /**
   * True when Traefik refuses the rule because of this problem. False for v2 leftovers that v3 accepts but reads
   * differently (a `{id}` placeholder in Path matches the literal text `{id}`).
   */
  rejected: boolean;
  /** What is wrong, for people. */
  message: string;
  /** Traefik's own error text, when it reports one. */
  traefikError?: string;
  /** Range in the rule string. */
  span: Span;
  /** A replacement matcher name (unknown or v2-only matchers). */
  suggestion?: string;
}

export interface RuleParseResult {
  /** The rule tree, when the rule is a well-formed combination of matcher calls. */
  tree?: RuleNode;
  problems: RuleProblem[];
  /** Whether Traefik accepts the rule. */
  valid: boolean;
  /** True when the rule nests too deeply to be analysed; it is then reported valid, without problems. */
  unchecked?: boolean;
}

/** What vulcand/predicate's interpreter produces for an expression. */
type Value =
  | { kind: 'tree'; node: RuleNode }
  | { kind: 'string'; argument: RuleArgument }
  /** Any other Go value (numbers); `goType` is the type Go's reflection names in its error. */
  | { kind: 'other'; goType: string; span: Span }
  | { kind: 'failed' };

const goAstTypes: Record<GoExpr['type'], string> = {
  ident: '*ast.Ident',
  literal: '*ast.BasicLit',
  paren: '*ast.ParenExpr',
  unary: '*ast.UnaryExpr',
  binary: '*ast.BinaryExpr',
  call: '*ast.CallExpr',
  selector: '*ast.SelectorExpr',
  index: '*ast.IndexExpr',
};

const protocolWord: Record<RuleProtocol, string> = { http: 'HTTP', tcp: 'TCP' };

/** The matcher of the other protocol that does the same job, for a matcher used on the wrong kind of route. */
const crossProtocolCounterparts: Readonly<Record<string, string>> = {
  Host: 'HostSNI', HostHeader: 'HostSNI', HostRegexp: 'HostSNIRegexp', HostSNI: 'Host', HostSNIRegexp: 'HostRegexp',
};

function spanOf(e: { start: number; end: number }): Span {
  return { start: e.start, end: e.end };
}

class RuleInterpreter {
  readonly parseProblems: RuleProblem[] = [];
  readonly leafProblems: RuleProblem[] = [];
  /** Subtrees that were built although an enclosing expression failed; their matchers are still checked. */
  readonly orphans: RuleNode[] = [];
  private readonly predicate13: boolean;

  constructor(
    private readonly rule: string,
    private readonly set: MatcherSet,
    private readonly protocol: RuleProtocol | 'generic',
  ) {
    this.predicate13 = set.traefik === 'v3';
  }

  private parseError(span: Span, detail: string | undefined, message: string, code: RuleProblemCode = 'rule-syntax', suggestion?: string): void {
    const traefikError = detail === undefined ? `error while parsing rule ${this.rule}` : `error while parsing rule ${this.rule}: ${detail}`;
    this.parseProblems.push({ code, rejected: true, message, traefikError, span, ...(suggestion ? { suggestion } : {}) });
  }

  private keepOrphan(value: Value): void {
    if (value.kind === 'tree') this.orphans.push(value.node);
  }

  /** predicate's parse (v1.3) / parseNode (v1.2): a rule, an operand of `&&`/`||`/`!`, or a parenthesised one. */
  interpret(e: GoExpr): Value {
    switch (e.type) {
      case 'binary':
        return this.interpretBinary(e);
      case 'paren':
        return this.interpret(e.inner);
      case 'unary':
        return this.interpretUnary(e);
      case 'literal':
        return this.literal(e);
      case 'call':
        return this.interpretCall(e);
      default:
        break;
    }
    if (!this.predicate13) {
      this.parseError(spanOf(e), `unsupported ${goAstTypes[e.type]}`, `Traefik expects a matcher call here, such as Host(\`example.com\`); ${describe(e)} is not one.`);
      return { kind: 'failed' };
    }
    return this.interpretReference(e);
  }

  /** Identifiers, selectors and index expressions, which predicate v1.3 (and v1.2 in arguments) looks up and cannot find. */
  private interpretReference(e: GoExpr): Value {
    if (e.type === 'index') {
      this.parseError(spanOf(e), 'properties are not supported', 'Index expressions are not part of Traefik rules.');
      return { kind: 'failed' };
    }
    if (e.type === 'ident' || e.type === 'selector') {
      const fields = selectorFields(e);
      if (!fields) {
        const target = e.type === 'selector' ? e.target.type : e.type;
        this.parseError(spanOf(e), `unsupported selector type: ${goAstTypes[target]}`, 'This is not a valid Traefik rule expression.');
        return { kind: 'failed' };
      }
      const name = fields.join('.');
      this.parseError(spanOf(e), `${name} is not defined`, `${name} is not quoted: matcher values are strings, written \`${name}\` or "${name}".`);
      return { kind: 'failed' };
    }
    this.parseError(spanOf(e), `${goAstTypes[e.type]} is not supported`, 'This is not a valid Traefik rule expression.');
    return { kind: 'failed' };
  }

  private interpretBinary(e: Extract<GoExpr, { type: 'binary' }>): Value {
    const left = this.interpret(e.left);
    const right = this.interpret(e.right);
    const operatorSpan = { start: e.opStart, end: e.opEnd };
    if (left.kind === 'failed' || right.kind === 'failed') {
      this.keepOrphan(left);
      this.keepOrphan(right);
      return { kind: 'failed' };
    }
    if (e.op !== '&&' && e.op !== '||') {
      this.parseError(operatorSpan, `${e.op} is not supported`, `Traefik rules combine matchers with && and || only; ${e.op} is not supported.`);
      this.keepOrphan(left);
      this.keepOrphan(right);
      return { kind: 'failed' };
    }
    for (const [operand, expr] of [[left, e.left], [right, e.right]] as const) {
      if (operand.kind !== 'tree') {
        this.parseError(spanOf(expr), `reflect: Call using ${goTypeOf(operand)} as type rules.TreeBuilder`, `Both sides of ${e.op} must be matcher calls, such as Host(\`example.com\`).`);
        this.keepOrphan(left);
        this.keepOrphan(right);
        return { kind: 'failed' };
      }
    }
    const l = (left as Extract<Value, { kind: 'tree' }>).node;
    const r = (right as Extract<Value, { kind: 'tree' }>).node;
    return { kind: 'tree', node: { kind: e.op === '&&' ? 'and' : 'or', left: l, right: r, operatorSpan, span: spanOf(e) } };
  }

  private interpretUnary(e: Extract<GoExpr, { type: 'unary' }>): Value {
    if (e.op !== '!') {
      this.parseError({ start: e.opStart, end: e.opStart + e.op.length }, `${e.op} is not supported`, `Traefik rules negate with ! only; ${e.op} is not supported.`);
      return { kind: 'failed' };
    }
    const operand = this.interpret(e.operand);
    if (operand.kind === 'failed') return operand;
    if (operand.kind !== 'tree') {
      this.parseError(spanOf(e.operand), `reflect: Call using ${goTypeOf(operand)} as type rules.TreeBuilder`, '! must be followed by a matcher call or a parenthesised rule.');
      return { kind: 'failed' };
    }
    return { kind: 'tree', node: { kind: 'not', operand: operand.node, span: spanOf(e) } };
  }

  /** predicate's literalToValue. */
  private literal(e: Extract<GoExpr, { type: 'literal' }>): Value {
    const t = e.token;
    if (t.kind === 'STRING') return { kind: 'string', argument: { ...t.string!, span: spanOf(e) } };
    if (t.kind === 'INT') return { kind: 'other', goType: 'int', span: spanOf(e) };
    if (t.kind === 'FLOAT') return { kind: 'other', goType: 'float64', span: spanOf(e) };
    this.parseError(spanOf(e), `unsupported function argument type: '${t.kind}'`, `${t.text} is not a string: matcher values are written \`…\` or "…".`);
    return { kind: 'failed' };
  }

  private interpretCall(e: Extract<GoExpr, { type: 'call' }>): Value {
    const written = this.calleeName(e.callee);
    if (written === undefined) return { kind: 'failed' };
    const spec = resolveMatcher(this.set, written);
    if (!spec) {
      this.unknownMatcher(written, spanOf(e.callee));
      return { kind: 'failed' };
    }
    const args: RuleArgument[] = [];
    let failed = false;
    for (const arg of e.args) {
      const value = this.predicate13 ? this.interpret(arg) : this.interpretArgumentV12(arg);
      if (value.kind === 'string') {
        args.push(value.argument);
        continue;
      }
      failed = true;
      if (value.kind === 'failed') continue;
      this.keepOrphan(value);
      const hint = value.kind === 'other' ? 'Matcher values are strings: quote it with `…` or "…".' : 'Matchers take strings, not other matchers.';
      this.parseError(spanOf(arg), `reflect: Call using ${goTypeOf(value)} as type string`, hint);
    }
    if (failed) return { kind: 'failed' };
    const call: MatcherCall = { kind: 'matcher', name: written, matcher: spec.name, nameSpan: spanOf(e.callee), args, span: spanOf(e) };
    return { kind: 'tree', node: call };
  }

  /** predicate v1.2's evaluateExpr, used for arguments by Traefik 2: no parentheses, no operators. */
  private interpretArgumentV12(e: GoExpr): Value {
    if (e.type === 'literal') return this.literal(e);
    if (e.type === 'call') return this.interpretCall(e);
    if (e.type === 'ident' || e.type === 'selector' || e.type === 'index') return this.interpretReference(e);
    this.parseError(spanOf(e), `${goAstTypes[e.type]} is not supported`, 'Traefik 2 accepts only quoted strings as matcher values.');
    return { kind: 'failed' };
  }

  private calleeName(callee: GoExpr): string | undefined {
    if (callee.type === 'ident') return callee.name;
    if (callee.type === 'selector' && callee.target.type === 'ident') return `${callee.target.name}.${callee.name}`;
    const detail = this.predicate13
      ? `unknown function type ${goAstTypes[callee.type]}`
      : callee.type === 'selector' ? `expected selector identifier, got: ${goAstTypes[callee.target.type]}` : `expected identifier, got: ${goAstTypes[callee.type]}`;
    this.parseError(spanOf(callee), detail, 'Only matcher names can be called in a rule.');
    return undefined;
  }

  private unknownMatcher(written: string, span: Span): void {
    const detail = `unsupported function: ${written}`;
    const set = this.set;
    const kind = this.protocol === 'generic' ? '' : `${protocolWord[this.protocol]} `;
    if (this.protocol === 'http') {
      const v2Name = Object.keys(v2OnlyHttpMatchers).find((n) => matcherSpellings(n).includes(written));
      if (v2Name && set.syntax === 'v3') {
        const replacement = v2OnlyHttpMatchers[v2Name]!;
        this.parseError(span, detail, `${written} is Traefik v2 rule syntax; v3 syntax has no ${v2Name} matcher: use ${replacement}.`, 'rule-v2-matcher', replacement);
        return;
      }
      const v3Name = Object.keys(v3OnlyHttpMatchers).find((n) => matcherSpellings(n).includes(written));
      if (v3Name && set.syntax === 'v2') {
        const counterpart = v3OnlyHttpMatchers[v3Name];
        const why = set.traefik === 'v2' ? 'Traefik 2 does not have it' : 'this route uses v2 rule syntax';
        const advice = counterpart ? ` Use ${counterpart}.` : '';
        this.parseError(span, detail, `${written} exists only in Traefik v3 rule syntax, and ${why}.${advice}`, 'rule-unknown-matcher', counterpart);
        return;
      }
    }
    const crossProtocol = this.protocol === 'tcp' ? matcherSet('http', set.syntax, set.traefik) : this.protocol === 'http' ? matcherSet('tcp', set.syntax, set.traefik) : undefined;
    const other = crossProtocol && resolveMatcher(crossProtocol, written);
    if (other && this.protocol !== 'generic' && !resolveMatcher(set, other.name)) {
      const counterpart = crossProtocolCounterparts[other.name];
      const advice = counterpart ? ` Use ${counterpart}.` : '';
      this.parseError(span, detail, `${written} is not a ${kind}matcher${this.protocol === 'tcp' ? ': it matches HTTP requests, and this is an IngressRouteTCP' : ': it matches TCP connections, and this is an HTTP route'}.${advice}`, 'rule-unknown-matcher', counterpart);
      return;
    }
    const names = [...set.matchers.keys()];
    const suggestion = closestName(written, names);
    const spellings = suggestion ? ` Matcher names must be written exactly, in lower case, in UPPER case or in Title case (${matcherSpellings(suggestion).join(', ')}).` : '';
    const advice = suggestion ? ` Did you mean ${suggestion}?` : ` Known ${kind}matchers: ${names.join(', ')}.`;
    this.parseError(span, detail, `Traefik has no ${kind}matcher named ${written}.${advice}${suggestion ? spellings : ''}`, 'rule-unknown-matcher', suggestion);
  }

  /** Traefik's addRule walk: the rule check and each matcher's own checks, left to right. */
  checkMatchers(root: RuleNode): void {
    const walk = (node: RuleNode, negated: boolean, chain: string): void => {
      if (node.kind === 'not') return walk(node.operand, !negated, chain);
      if (node.kind === 'matcher') return this.checkMatcher(node, chain);
      // predicate pushes ! down with De Morgan, so a negated && reaches Traefik as ||.
      const effective = negated ? (node.kind === 'and' ? 'or' : 'and') : node.kind;
      walk(node.left, negated, `${chain}error while adding rule ${effective}: `);
      walk(node.right, negated, chain);
    };
    walk(root, false, '');
  }

  private checkMatcher(call: MatcherCall, chain: string): void {
    const spec = this.set.matchers.get(call.matcher)!;
    const values = call.args.map((a) => a.value);
    if (call.args.length === 0) {
      this.leafError(call, { message: `no args for matcher ${call.matcher}` }, chain, 'checking', `${call.name}() has no value: Traefik needs at least one.`);
      return;
    }
    const empty = call.args.findIndex((a) => a.byteLength === 0);
    if (empty >= 0) {
      this.leafError(call, { message: `empty args for matcher ${call.matcher}, ${goStringList(values)}`, argument: empty }, chain, 'checking', `${call.name} has an empty value: Traefik refuses empty matcher values.`);
      return;
    }
    const problem = spec.check(call.args);
    if (problem) {
      this.leafError(call, problem, chain, 'adding', explainMatcherProblem(call, problem, this.set));
      return;
    }
    if (this.protocol === 'generic') return;
    if (this.set.syntax === 'v3') this.noteV2Leftovers(call);
    else this.noteLiteralWildcards(call);
  }

  /** v2 syntax compares hosts exactly: `*.example.com` is accepted but matches only that literal name. */
  private noteLiteralWildcards(call: MatcherCall): void {
    if (call.matcher !== 'Host' && call.matcher !== 'HostHeader') return;
    const wildcard = call.args.find((a) => a.value.startsWith('*'));
    if (!wildcard) return;
    const alternative = this.set.traefik === 'v3' ? ', or v3 rule syntax, where Traefik 3.7 understands *. wildcards' : '';
    this.leafProblems.push({
      code: 'rule-syntax',
      rejected: false,
      message: `v2 rule syntax has no wildcard hosts: ${call.name}(\`${wildcard.value}\`) matches only a host literally named "${wildcard.value}". Use HostRegexp(\`{subdomain:[a-z0-9-]+}${wildcard.value.replace(/^\*/, '')}\`)${alternative}.`,
      span: wildcard.span,
    });
  }

  private leafError(call: MatcherCall, problem: MatcherProblem, chain: string, stage: 'checking' | 'adding', message: string): void {
    let text = problem.message;
    if (this.set.traefik === 'v3' && this.protocol === 'http') text = `error while adding rule ${this.rule}: ${chain}error while ${stage} rule ${call.matcher}: ${text}`;
    else if (this.set.traefik === 'v3' && this.protocol === 'tcp') text = `error while adding rule ${this.rule}: ${text}`;
    const code: RuleProblemCode = problem.v2Form && this.set.syntax === 'v3' ? 'rule-v2-matcher' : 'rule-syntax';
    this.leafProblems.push({ code, rejected: true, message, traefikError: text, span: problemSpan(call, problem) });
  }

  /** v2 forms that v3 accepts but reads differently: placeholders, `Query("k=v")`. */
  private noteV2Leftovers(call: MatcherCall): void {
    const note = (argument: RuleArgument, message: string): void => {
      this.leafProblems.push({ code: 'rule-v2-matcher', rejected: false, message, span: argument.span });
    };
    const m = call.matcher;
    if ((m === 'Path' || m === 'PathPrefix') && hasMuxVariable(call.args[0]!.value)) {
      note(call.args[0]!, `${call.name}(\`${call.args[0]!.value}\`) uses a Traefik v2 placeholder; v3 syntax matches the braces literally, so requests to real paths get 404. Use PathRegexp with a regular expression.`);
    } else if (m === 'Query' && call.args.length === 1 && call.args[0]!.value.includes('=')) {
      const [key, ...rest] = call.args[0]!.value.split('=');
      note(call.args[0]!, `${call.name}(\`${call.args[0]!.value}\`) is Traefik v2 syntax; v3 reads it as a parameter named "${call.args[0]!.value}". Write Query(\`${key}\`, \`${rest.join('=')}\`).`);
    } else {
      const regexpArgument = m === 'HostRegexp' || m === 'PathRegexp' || m === 'HostSNIRegexp' ? 0 : m === 'HeaderRegexp' || m === 'QueryRegexp' ? 1 : -1;
      const argument = regexpArgument >= 0 ? call.args[regexpArgument] : undefined;
      if (argument && hasMuxVariable(argument.value)) {
        note(argument, `${call.name} uses a Traefik v2 {name:pattern} placeholder; v3 syntax takes a plain Go regular expression and matches the braces literally.`);
      }
    }
  }
}

function describe(e: GoExpr): string {
  if (e.type === 'ident') return e.name;
  if (e.type === 'literal') return e.token.text;
  return 'this expression';
}

function selectorFields(e: GoExpr): string[] | undefined {
  if (e.type === 'ident') return [e.name];
  if (e.type === 'selector') {
    const inner = selectorFields(e.target);
    return inner && [...inner, e.name];
  }
  return undefined;
}

function goTypeOf(v: Value): string {
  if (v.kind === 'string') return 'string';
  if (v.kind === 'other') return v.goType;
  return 'rules.TreeBuilder';
}

/** Range of a matcher problem: the offending value (narrowed when known), the extra arguments, or the call. */
function problemSpan(call: MatcherCall, problem: MatcherProblem): Span {
  if (problem.argument === undefined) {
    const extra = call.args.length > 1 && problem.v2Form ? call.args.slice(1) : undefined;
    if (extra) return { start: extra[0]!.span.start, end: extra[extra.length - 1]!.span.end };
    return call.span;
  }
  const arg = call.args[problem.argument]!;
  if (!problem.valueRange) return arg.span;
  const [from, to] = problem.valueRange;
  const start = arg.offsets[Math.min(from, arg.offsets.length - 1)]!;
  const end = to >= arg.value.length ? arg.offsets[arg.offsets.length - 1]! : arg.offsets[to]!;
  return end > start ? { start, end } : arg.span;
}

function explainMatcherProblem(call: MatcherCall, problem: MatcherProblem, set: MatcherSet): string {
  if (problem.v2Form && set.syntax === 'v3') {
    return `${call.name} takes one value in Traefik v3 rule syntax; several values are v2 syntax. Combine single-value matchers with ||.`;
  }
  if (problem.message.startsWith('unexpected number of parameters')) {
    return `${call.name} takes ${expectedCounts(call.matcher, set)}, not ${call.args.length}.`;
  }
  return problem.hint ?? `Traefik refuses this ${call.name} value.`;
}

function expectedCounts(matcher: string, set: MatcherSet): string {
  if (set.protocol === 'tcp') return 'exactly one value';
  if (matcher === 'Header' || matcher === 'HeaderRegexp') return 'two values (name and value)';
  if (matcher === 'Query' || matcher === 'QueryRegexp') return 'one or two values (parameter, and optionally its value)';
  return 'exactly one value';
}

/** Whether a value holds a gorilla/mux placeholder: `{name}` or `{name:pattern}` (not `\p{L}`, `a{2,3}` or `${NAME}`). */
export function hasMuxVariable(value: string): boolean {
  const parsed = parseMuxTemplate(value, 'path');
  if (isMuxTemplateError(parsed)) return false;
  // `${NAME}` is a variable that Flux's postBuild substitution (or envsubst) replaces before Traefik reads the rule.
  return parsed.variables.some((v) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(v.name) && !/\\[pPx]$/.test(value.slice(0, v.start)) && value[v.start - 1] !== '$');
}

/** The closest name by edit distance (case differences count as almost nothing), when one is close enough. */
function closestName(written: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of names) {
    const score = editDistance(written.toLowerCase(), name.toLowerCase()) + (written === name ? 0 : 0.1);
    if (score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(best.length / 3)) + 0.1 ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function matcherSetFor(options: RuleParseOptions): MatcherSet {
  if (options.protocol === 'generic') return genericMatcherSet(options.matchers ?? ['m']);
  return matcherSet(options.protocol, options.syntax ?? 'v3', options.traefik ?? 'v3');
}

/**
 * Results of recent parses. A rule's result depends on its text and options alone, and the same rule is parsed
 * again whenever its file is re-analysed after an edit, and once per kustomize build that holds it.
 */
const recentResults = new Map<string, RuleParseResult>();
const recentResultsLimit = 2048;

/**
 * Keys (ruleResultKey) of rules known to parse without any problem, found ahead of the analysis in another thread
 * (see primeRulesWithoutProblems).
 */
let withoutProblems: ReadonlySet<string> = new Set();

/** What a rule's result depends on, as one string. */
export function ruleResultKey(rule: string, options: RuleParseOptions): string {
  return `${options.protocol} ${options.syntax ?? 'v3'} ${options.traefik ?? 'v3'}\n${rule}`;
}

export interface RuleRequest {
  rule: string;
  options: RuleParseOptions;
}

/** The keys (ruleResultKey) of the requested rules that parse without any problem: plain strings, cheap to send. */
export function rulesWithoutProblems(requests: readonly RuleRequest[]): string[] {
  return requests.filter(({ rule, options }) => parseRule(rule, options).problems.length === 0).map(({ rule, options }) => ruleResultKey(rule, options));
}

/**
 * Tells knownWithoutProblems which rules parse without problems (keys from rulesWithoutProblems, found by the CLI's
 * read worker while this thread builds the trees), replacing what it was told before. A rule's problems depend on
 * its text and options alone, so the rule checks can skip those rules instead of parsing them again.
 */
export function primeRulesWithoutProblems(keys: ReadonlySet<string>): void {
  withoutProblems = keys;
}

/** Whether primeRulesWithoutProblems was told that the rule parses without problems. */
export function knownWithoutProblems(rule: string, options: RuleParseOptions): boolean {
  return withoutProblems.has(ruleResultKey(rule, options));
}

/** Parses and checks a rule as Traefik would. The result is shared with later parses of the same rule: never mutate it. */
export function parseRule(rule: string, options: RuleParseOptions): RuleParseResult {
  if (options.protocol === 'generic') return parseRuleGuarded(rule, options);
  const key = ruleResultKey(rule, options);
  let result = recentResults.get(key);
  if (result) {
    // Most recently used last, so that the oldest entry is the first one the map iterates.
    recentResults.delete(key);
  } else {
    result = parseRuleGuarded(rule, options);
    if (recentResults.size >= recentResultsLimit) recentResults.delete(recentResults.keys().next().value!);
  }
  recentResults.set(key, result);
  return result;
}

function parseRuleGuarded(rule: string, options: RuleParseOptions): RuleParseResult {
  try {
    return parseRuleUnguarded(rule, options);
  } catch {
    // The parser is written not to throw; should a bug make it, the rule is left unchecked rather than misreported.
    return { problems: [], valid: true, unchecked: true };
  }
}

function parseRuleUnguarded(rule: string, options: RuleParseOptions): RuleParseResult {
  const set = matcherSetFor(options);
  const go = parseGoExpr(rule);
  if ('tooDeep' in go) return { problems: [], valid: true, unchecked: true };
  if (go.error) {
    const problem: RuleProblem = {
      code: 'rule-syntax',
      rejected: true,
      message: go.error.afterLineBreak
        ? 'A line break after a matcher call ends a Go expression: put && or || at the end of the line, not at the start of the next one.'
        : syntaxErrorExplanation(go.error.message),
      traefikError: `error while parsing rule ${rule}: ${go.error.message}`,
      span: { start: go.error.start, end: go.error.end },
    };
    return { problems: [problem], valid: false };
  }
  const interpreter = new RuleInterpreter(rule, set, options.protocol);
  const top = interpreter.interpret(go.expr);
  let tree: RuleNode | undefined;
  if (top.kind === 'tree') tree = top.node;
  else if (top.kind !== 'failed') {
    interpreter.parseProblems.push({
      code: 'rule-syntax',
      rejected: true,
      message: 'A rule must be made of matcher calls, such as Host(`example.com`); a bare value is not a rule.',
      traefikError: `error while parsing rule ${rule}`,
      span: spanOf(go.expr),
    });
  }
  for (const root of tree ? [tree] : interpreter.orphans) interpreter.checkMatchers(root);
  const problems = [...interpreter.parseProblems, ...interpreter.leafProblems];
  return { ...(tree ? { tree } : {}), problems, valid: !problems.some((p) => p.rejected) };
}

function syntaxErrorExplanation(goMessage: string): string {
  const what = goMessage.replace(/^\d+:\d+: /, '');
  if (what === "expected operand, found 'EOF'") return 'The rule is empty or ends too early (after an operator or an opening parenthesis).';
  if (what.startsWith("expected ')'")) return 'A parenthesis is not closed.';
  if (what.startsWith("expected 'EOF'")) return 'Unexpected text after the end of the rule (an extra parenthesis, or a missing && or ||).';
  if (what.startsWith('raw string literal not terminated') || what.startsWith('string literal not terminated')) return 'A string is not closed.';
  if (what === 'unknown escape sequence') return 'Unknown escape in a "…" string: Go strings allow only \\a \\b \\f \\n \\r \\t \\v \\\\ \\" and numeric escapes; use a `…` string for regular expressions.';
  if (what.includes('escape sequence')) return 'Invalid escape in a "…" string (\\x takes two hex digits, \\u four, \\U eight, octal three).';
  if (what.startsWith("missing ','")) return 'Missing comma between matcher values (or a line break after a value inside the parentheses).';
  if (what === 'illegal rune literal' || what === 'rune literal not terminated') return "'…' is a Go character literal, not a string: write strings as `…` or \"…\".";
  if (what.startsWith('illegal character')) return `A character that Go expressions do not allow (${what.slice('illegal character '.length)}).`;
  return 'The rule is not a valid expression in Traefik\'s rule syntax (a Go expression).';
}

/** The matcher calls of a rule tree, left to right. */
export function matcherCalls(node: RuleNode | undefined): MatcherCall[] {
  if (!node) return [];
  if (node.kind === 'matcher') return [node];
  if (node.kind === 'not') return matcherCalls(node.operand);
  return [...matcherCalls(node.left), ...matcherCalls(node.right)];
}

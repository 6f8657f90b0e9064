/**
 * Rewrites Traefik v2 rule syntax as v3 syntax, for the quick fix of `rule-v2-matcher` and `rule-syntax-deprecated`.
 *
 * Every matcher call that needs it is rewritten in place and the rest of the rule (spacing, comments, quoting) is
 * kept. The rewrites follow Traefik's migration guide and what the v2 matchers really did:
 *   - `Headers`/`HeadersRegexp` → `Header`/`HeaderRegexp` (several pairs: all of them, joined with &&);
 *   - `HostHeader` → `Host`;
 *   - several values in one matcher → one matcher per value, joined with ||, in parentheses;
 *   - `Query(\`k=v\`)` → `Query(\`k\`, \`v\`)`; a placeholder value becomes QueryRegexp; several pairs → &&;
 *   - gorilla/mux placeholders (`/users/{id}`, `{sub:[a-z]+}.example.com`) → anchored Go regexps in PathRegexp,
 *     HostRegexp or HostSNIRegexp; a v2 HostRegexp/HostSNIRegexp without placeholders was an exact,
 *     case-insensitive host, so it becomes Host/HostSNI.
 * Where no faithful rewrite exists (a placeholder in a query parameter name, a port in a host template), nothing is
 * converted and the reason is given. Every conversion is checked with the v3 parser before it is returned.
 */
import { type GoExpr, parseGoExpr } from './goExpr';
import { quoteMeta } from './goRegexp';
import { matcherSpellings, type RuleProtocol } from './matchers';
import { isMuxTemplateError, type MuxTemplate, type MuxTemplateKind, parseMuxTemplate } from './muxTemplate';
import { hasMuxVariable, parseRule } from './parser';

export interface ConvertOptions {
  protocol: RuleProtocol;
  /**
   * The syntax the rule was written for. `v2`: every value is read as v2 (templates, `k=v` queries). `v3`: a v3 rule
   * with v2 leftovers; only v2-only matchers, several values, `k=v` queries and placeholders are rewritten.
   */
  from: 'v2' | 'v3';
}

export type ConvertResult = { ok: true; rule: string; changed: boolean } | { ok: false; reason: string };

class NotConvertible {
  constructor(readonly reason: string) {}
}

const httpNames = ['Host', 'HostHeader', 'HostRegexp', 'ClientIP', 'Path', 'PathPrefix', 'PathRegexp', 'Method', 'Header', 'Headers', 'HeaderRegexp', 'HeadersRegexp', 'Query', 'QueryRegexp'];
const tcpNames = ['HostSNI', 'HostSNIRegexp', 'ClientIP', 'ALPN'];

/** A Go string literal for a value: a raw string when possible, as Traefik's documentation writes them. */
function goStringLiteral(value: string): string {
  if (!value.includes('`') && !value.includes('\r')) return `\`${value}\``;
  return JSON.stringify(value);
}

function call(name: string, values: readonly string[]): string {
  return `${name}(${values.map(goStringLiteral).join(', ')})`;
}

function join(parts: readonly string[], operator: '||' | '&&'): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(` ${operator} `)})`;
}

/** Whether a Go regexp has a `|` outside groups and classes, so that it needs a group before being concatenated. */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** The Go regexp a gorilla/mux template stands for, anchored like gorilla anchors it. */
function templateRegexp(template: MuxTemplate, kind: MuxTemplateKind): string {
  let body = '';
  for (const part of template.parts) {
    if (typeof part === 'string') body += quoteMeta(part);
    else body += hasTopLevelAlternation(part.pattern) ? `(?:${part.pattern})` : part.pattern;
  }
  return `^${body}${kind === 'prefix' ? '' : '$'}`;
}

function parseTemplate(value: string, kind: MuxTemplateKind): MuxTemplate {
  const parsed = parseMuxTemplate(value, kind);
  if (isMuxTemplateError(parsed)) throw new NotConvertible(`${goStringLiteral(value)} is not a valid v2 template: ${parsed.message}`);
  return parsed;
}

/** A host template: v2 matched hosts case-insensitively and v3 sees lower-case hosts, hence `(?i)` for upper case. */
function hostRegexp(value: string, kind: 'host' | 'hostSNI'): string {
  const template = parseTemplate(value, kind);
  if (kind === 'host' && template.parts.some((p) => typeof p === 'string' && p.includes(':'))) {
    throw new NotConvertible(`${goStringLiteral(value)} matches a port, and v3 host matchers never see the port`);
  }
  const regexp = templateRegexp(template, kind);
  return /[A-Z]/.test(value) ? `(?i)${regexp}` : regexp;
}

class Converter {
  private readonly names: readonly string[];

  constructor(private readonly options: ConvertOptions) {
    this.names = options.protocol === 'http' ? httpNames : tcpNames;
  }

  private resolve(written: string): string | undefined {
    return this.names.find((n) => matcherSpellings(n).includes(written));
  }

  /** The replacement text of a call, or undefined to keep it as written. */
  convertCall(name: string, values: readonly string[]): string | undefined {
    const v2 = this.options.from === 'v2';
    const many = values.length > 1;
    switch (name) {
      case 'HostHeader':
        return this.convertCall('Host', values) ?? call('Host', values);
      case 'Host':
      case 'Method':
      case 'ClientIP':
      case 'HostSNI':
      case 'ALPN':
        return many ? join(values.map((v) => call(name, [v])), '||') : undefined;
      case 'Path':
      case 'PathPrefix': {
        const kind = name === 'Path' ? 'path' : 'prefix';
        const templated = values.some(hasMuxVariable) || (v2 && values.some((v) => v.includes('{')));
        if (!many && !templated) return undefined;
        return join(values.map((v) => (hasMuxVariable(v) || (v2 && v.includes('{')) ? call('PathRegexp', [templateRegexp(parseTemplate(v, kind), kind)]) : call(name, [v]))), '||');
      }
      case 'HostRegexp':
      case 'HostSNIRegexp': {
        const kind = name === 'HostRegexp' ? 'host' : 'hostSNI';
        const exact = name === 'HostRegexp' ? 'Host' : 'HostSNI';
        if (!v2 && !many && !values.some(hasMuxVariable)) return undefined;
        return join(values.map((v) => {
          if (!v.includes('{')) return v2 ? call(exact, [kind === 'hostSNI' ? v.toLowerCase() : v]) : call(name, [v]);
          return call(name, [hostRegexp(v, kind)]);
        }), '||');
      }
      case 'Headers':
      case 'HeadersRegexp': {
        const v3Name = name === 'Headers' ? 'Header' : 'HeaderRegexp';
        if (values.length % 2 !== 0) throw new NotConvertible(`${name} takes name/value pairs, and ${values.length} values do not pair up`);
        const pairs: string[] = [];
        for (let i = 0; i < values.length; i += 2) pairs.push(call(v3Name, [values[i]!, values[i + 1]!]));
        return join(pairs, '&&');
      }
      case 'Query':
        return this.convertQuery(values);
      default:
        return undefined;
    }
  }

  /** v2 Query: each value split at its first '=', the pieces paired up as gorilla/mux query templates. */
  private convertQuery(values: readonly string[]): string | undefined {
    const v2 = this.options.from === 'v2';
    if (!v2 && !values[0]!.includes('=')) return undefined;
    const pieces = values.flatMap((v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? [v] : [v.slice(0, eq), v.slice(eq + 1)];
    });
    if (pieces.length % 2 !== 0) throw new NotConvertible('the query values do not pair up into parameter=value');
    const parts: string[] = [];
    for (let i = 0; i < pieces.length; i += 2) {
      const key = pieces[i]!;
      const value = pieces[i + 1]!;
      if (key.includes('{')) throw new NotConvertible(`the parameter name ${goStringLiteral(key)} is a placeholder, and v3 matches parameter names exactly`);
      if (value === '') parts.push(call('QueryRegexp', [key, '.*']));
      else if (value.includes('{')) parts.push(call('QueryRegexp', [key, templateRegexp(parseTemplate(value, 'query'), 'query')]));
      else parts.push(call('Query', [key, value]));
    }
    return join(parts, '&&');
  }

  /** Walks the Go expression and collects the replacements of the calls. */
  collect(e: GoExpr, edits: { start: number; end: number; text: string }[]): void {
    switch (e.type) {
      case 'binary':
        this.collect(e.left, edits);
        this.collect(e.right, edits);
        return;
      case 'unary':
        this.collect(e.operand, edits);
        return;
      case 'paren':
        this.collect(e.inner, edits);
        return;
      case 'call': {
        if (e.callee.type !== 'ident') return;
        const name = this.resolve(e.callee.name);
        const values = e.args.map(stringValue);
        if (!name || values.some((v) => v === undefined)) return;
        const text = this.convertCall(name, values as string[]);
        if (text !== undefined) edits.push({ start: e.start, end: e.end, text });
        return;
      }
      default:
        return;
    }
  }
}

/** The value of a string argument, looking through parentheses; undefined for anything else. */
function stringValue(e: GoExpr): string | undefined {
  if (e.type === 'paren') return stringValue(e.inner);
  if (e.type === 'literal' && e.token.kind === 'STRING') return e.token.string?.value;
  return undefined;
}

/** Converts a rule to Traefik v3 syntax, or says why it cannot be converted faithfully. */
export function convertRuleToV3(rule: string, options: ConvertOptions): ConvertResult {
  if (options.from === 'v2') {
    const v2 = parseRule(rule, { protocol: options.protocol, syntax: 'v2', traefik: 'v3' });
    if (!v2.valid) return { ok: false, reason: `the rule is not valid v2 syntax: ${v2.problems.find((p) => p.rejected)!.message}` };
  }
  const go = parseGoExpr(rule);
  if (!('expr' in go) || !go.expr) return { ok: false, reason: 'the rule does not parse' };
  const edits: { start: number; end: number; text: string }[] = [];
  try {
    new Converter(options).collect(go.expr, edits);
  } catch (e) {
    if (e instanceof NotConvertible) return { ok: false, reason: e.reason };
    return { ok: false, reason: 'the rule could not be converted' };
  }
  let converted = rule;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) converted = converted.slice(0, edit.start) + edit.text + converted.slice(edit.end);
  const check = parseRule(converted, { protocol: options.protocol, syntax: 'v3', traefik: 'v3' });
  if (!check.valid) return { ok: false, reason: `the converted rule would not be valid v3 syntax: ${check.problems.find((p) => p.rejected)!.message}` };
  return { ok: true, rule: converted, changed: converted !== rule };
}

/**
 * Traefik's matchers: which names exist for each protocol and rule syntax, how many arguments each takes, and the
 * value checks Traefik runs when it builds the router. Error texts are Traefik's own (pkg/muxer/http/matcher.go,
 * matcher_v2.go, pkg/muxer/tcp/matcher.go, matcher_v2.go; Traefik 2.11 for the `v2` version).
 */
import { goParseCIDR, goParseIP } from './goNet';
import { goRegexpErrorText, validateGoRegexp } from './goRegexp';
import { goIntList, goQuote, goStringList } from './goText';
import { isValidHostSNI } from './hostName';
import { type MuxTemplateKind, validateMuxTemplate } from './muxTemplate';

export type RuleProtocol = 'http' | 'tcp';
export type RuleSyntax = 'v2' | 'v3';
export type TraefikVersion = 'v2' | 'v3';

/** A decoded string argument, as the matcher receives it. */
export interface MatcherValue {
  value: string;
  ascii: boolean;
  invalidUtf8At: number;
}

export interface MatcherProblem {
  /** Traefik's error text for this matcher (without the rule-level wrapping). */
  message: string;
  /** What is wrong, for people, when it says more than Traefik's text. */
  hint?: string;
  /** The argument at fault; undefined when the problem is the call as a whole (argument count). */
  argument?: number;
  /** A narrower range inside that argument's value, when known. */
  valueRange?: [number, number];
  /** The call is a v2-only form (several values) that the v3 matcher refuses. */
  v2Form?: boolean;
}

export interface MatcherSpec {
  name: string;
  check(args: readonly MatcherValue[]): MatcherProblem | undefined;
}

export interface MatcherSet {
  protocol: RuleProtocol;
  syntax: RuleSyntax;
  traefik: TraefikVersion;
  matchers: ReadonlyMap<string, MatcherSpec>;
}

type Check = MatcherSpec['check'];

/** Traefik v3's expectNParameters (HTTP): the allowed argument counts, then the matcher's own check. */
function expectCount(counts: readonly number[], check: Check, v2AcceptsMore: boolean): Check {
  return (args) => {
    if (!counts.includes(args.length)) {
      return {
        message: `unexpected number of parameters; got ${args.length}, expected one of ${goIntList(counts)}`,
        v2Form: v2AcceptsMore && args.length > Math.max(...counts),
      };
    }
    return check(args);
  };
}

/** Traefik v3's expect1Parameter (TCP). */
function expectOne(check: Check): Check {
  return (args) => {
    if (args.length !== 1) return { message: `unexpected number of parameters; got ${args.length}, expected 1`, v2Form: args.length > 1 };
    return check(args);
  };
}

/** Runs a per-value check on every argument (the v2 matchers take any number of values). */
function eachValue(check: (v: MatcherValue) => Omit<MatcherProblem, 'argument'> | undefined): Check {
  return (args) => {
    for (let i = 0; i < args.length; i++) {
      const problem = check(args[i]!);
      if (problem) return { ...problem, argument: i };
    }
    return undefined;
  };
}

const accept: Check = () => undefined;

function regexpProblem(v: MatcherValue, prefix: string): Omit<MatcherProblem, 'argument'> | undefined {
  const error = validateGoRegexp(v.value, v.invalidUtf8At);
  if (!error) return undefined;
  return {
    message: `${prefix}${goRegexpErrorText(error)}`,
    hint: `The regular expression is not valid Go (RE2) syntax: ${error.code}${error.expr ? ` in ${error.expr}` : ''}. RE2 has no look-around, back-references or possessive quantifiers.`,
    valueRange: [error.start, error.end],
  };
}

/** ip.NewChecker: every value must be an IP, or else a CIDR. */
function ipProblem(v: MatcherValue, prefix: string): Omit<MatcherProblem, 'argument'> | undefined {
  if (goParseIP(v.value) || goParseCIDR(v.value)) return undefined;
  return { message: `${prefix}parsing CIDR trusted IPs <nil>: invalid CIDR address: ${v.value}`, hint: 'ClientIP takes an IP address or a CIDR range, such as 10.0.0.0/8 (Go refuses leading zeros and zones).' };
}

function muxProblem(v: MatcherValue, kind: MuxTemplateKind): Omit<MatcherProblem, 'argument'> | undefined {
  const error = validateMuxTemplate(v.value, kind, v.invalidUtf8At);
  return error && { message: error.message, hint: `The v2 placeholder template is not valid: ${error.message}.`, valueRange: [error.start, error.end] };
}

function pairsProblem(values: readonly string[], hint: string): MatcherProblem | undefined {
  if (values.length % 2 === 0) return undefined;
  return { message: `mux: number of parameters must be multiple of 2, got ${goStringList(values)}`, hint };
}

const headerPairsHint = 'The values must come in name/value pairs: Headers(`X-Name`, `value`).';

function spec(name: string, check: Check): [string, MatcherSpec] {
  return [name, { name, check }];
}

const httpV3 = new Map<string, MatcherSpec>([
  spec('ClientIP', expectCount([1], eachValue((v) => ipProblem(v, 'initializing IP checker for ClientIP matcher: ')), true)),
  spec('Method', expectCount([1], accept, true)),
  spec('Host', expectCount([1], eachValue((v) => (v.ascii ? undefined : { message: `invalid value ${goQuote(v.value)} for Host matcher, non-ASCII characters are not allowed`, hint: asciiHint })), true)),
  spec('HostRegexp', expectCount([1], eachValue((v) => {
    if (!v.ascii) return { message: `invalid value ${goQuote(v.value)} for HostRegexp matcher, non-ASCII characters are not allowed`, hint: asciiHint };
    return regexpProblem(v, 'compiling HostRegexp matcher: ');
  }), true)),
  spec('Path', expectCount([1], eachValue(pathSlashProblem), true)),
  // Traefik's message really says PathPrefix here (a copy-paste in matcher.go).
  spec('PathRegexp', expectCount([1], eachValue((v) => regexpProblem(v, 'compiling PathPrefix matcher: ')), false)),
  spec('PathPrefix', expectCount([1], eachValue(pathSlashProblem), true)),
  spec('Header', expectCount([2], accept, false)),
  spec('HeaderRegexp', expectCount([2], (args) => withArgument(1, regexpProblem(args[1]!, 'compiling HeaderRegexp matcher: ')), false)),
  spec('Query', expectCount([1, 2], accept, false)),
  spec('QueryRegexp', expectCount([1, 2], (args) => (args.length === 2 ? withArgument(1, regexpProblem(args[1]!, 'compiling QueryRegexp matcher: ')) : undefined), false)),
]);

function pathSlashProblem(v: MatcherValue): Omit<MatcherProblem, 'argument'> | undefined {
  return v.value.startsWith('/') ? undefined : { message: `path ${goQuote(v.value)} does not start with a '/'`, hint: 'A path must start with /.', valueRange: [0, Math.min(1, v.value.length)] };
}

const asciiHint = 'Host values must be ASCII: write an internationalised name in punycode (xn--…).';

function withArgument(argument: number, problem: Omit<MatcherProblem, 'argument'> | undefined): MatcherProblem | undefined {
  return problem && { ...problem, argument };
}

function hostV2Check(): Check {
  return eachValue((v) => (v.ascii ? undefined : { message: `invalid value ${goQuote(v.value)} for "Host" matcher, non-ASCII characters are not allowed`, hint: asciiHint }));
}

const httpV2 = new Map<string, MatcherSpec>([
  spec('Host', hostV2Check()),
  spec('HostHeader', hostV2Check()),
  spec('HostRegexp', eachValue((v) => {
    if (!v.ascii) return { message: `invalid value ${goQuote(v.value)} for HostRegexp matcher, non-ASCII characters are not allowed`, hint: asciiHint };
    return muxProblem(v, 'host');
  })),
  spec('ClientIP', eachValue((v) => ipProblem(v, 'could not initialize IP Checker for "ClientIP" matcher: '))),
  spec('Path', eachValue((v) => muxProblem(v, 'path'))),
  spec('PathPrefix', eachValue((v) => muxProblem(v, 'prefix'))),
  spec('Method', accept),
  spec('Headers', (args) => pairsProblem(args.map((a) => a.value), headerPairsHint)),
  spec('HeadersRegexp', (args) => {
    const pairs = pairsProblem(args.map((a) => a.value), headerPairsHint);
    if (pairs) return pairs;
    for (let i = 1; i < args.length; i += 2) {
      const problem = withArgument(i, regexpProblem(args[i]!, ''));
      if (problem) return problem;
    }
    return undefined;
  }),
  spec('Query', (args) => {
    // Traefik splits every value at its first '=' and hands gorilla/mux the flattened key/value list.
    const pieces: { text: string; argument: number }[] = [];
    args.forEach((a, argument) => {
      const eq = a.value.indexOf('=');
      if (eq < 0) pieces.push({ text: a.value, argument });
      else pieces.push({ text: a.value.slice(0, eq), argument }, { text: a.value.slice(eq + 1), argument });
    });
    const pairs = pairsProblem(pieces.map((p) => p.text), 'In v2 syntax a Query value is key=value, such as Query(`debug=true`); a lone key leaves the pairs uneven.');
    if (pairs) return pairs;
    for (let i = 0; i < pieces.length; i += 2) {
      const template = `${pieces[i]!.text}=${pieces[i + 1]!.text}`;
      const error = validateMuxTemplate(template, 'query', -1);
      if (error) return { message: error.message, argument: pieces[i]!.argument };
    }
    const invalid = args.findIndex((a) => a.invalidUtf8At >= 0);
    if (invalid >= 0) return { message: goRegexpErrorText({ code: 'invalid UTF-8', expr: args[invalid]!.value, start: 0, end: 0 }), argument: invalid };
    return undefined;
  }),
]);

function tcpV3(): Map<string, MatcherSpec> {
  return new Map<string, MatcherSpec>([
    spec('ALPN', expectOne(eachValue((v) => (v.value === 'acme-tls/1' ? { message: `invalid protocol value for ALPN matcher, ${goQuote(v.value)} is not allowed`, hint: acmeHint } : undefined)))),
    spec('ClientIP', expectOne(eachValue((v) => ipProblem(v, 'initializing IP checker for ClientIP matcher: ')))),
    spec('HostSNI', expectOne(eachValue((v) => (v.invalidUtf8At < 0 && isValidHostSNI(v.value, 'v3') ? undefined : { message: `invalid value for HostSNI matcher, ${goQuote(v.value)} is not a valid hostname`, hint: hostSniHint('v3') })))),
    spec('HostSNIRegexp', expectOne(eachValue((v) => {
      if (!v.ascii) return { message: `invalid value for HostSNIRegexp matcher, ${goQuote(v.value)} is not a valid hostname`, hint: 'HostSNIRegexp values must be ASCII.' };
      return regexpProblem(v, 'compiling HostSNIRegexp matcher: ');
    }))),
  ]);
}

function tcpV2(traefik: TraefikVersion): Map<string, MatcherSpec> {
  return new Map<string, MatcherSpec>([
    spec('ALPN', eachValue((v) => (v.value === 'acme-tls/1' ? { message: `invalid protocol value for "ALPN" matcher, ${goQuote(v.value)} is not allowed`, hint: acmeHint } : undefined))),
    spec('ClientIP', eachValue((v) => ipProblem(v, 'could not initialize IP Checker for "ClientIP" matcher: '))),
    spec('HostSNI', eachValue((v) => (v.invalidUtf8At < 0 && isValidHostSNI(v.value, traefik) ? undefined : { message: `invalid value for "HostSNI" matcher, ${goQuote(v.value)} is not a valid hostname or IP`, hint: hostSniHint(traefik) }))),
    spec('HostSNIRegexp', eachValue((v) => {
      const error = validateMuxTemplate(v.value, 'hostSNI', v.invalidUtf8At);
      if (!error) return undefined;
      const message = error.message.startsWith('mux:') ? `invalid pattern value for "HostSNIRegexp" matcher, ${goQuote(v.value)} is not a valid pattern: ${error.message}` : error.message;
      return { message, hint: `The v2 placeholder template is not valid: ${error.message}.`, valueRange: [error.start, error.end] };
    })),
  ]);
}

const acmeHint = 'acme-tls/1 is reserved for the ACME TLS-ALPN challenge that Traefik answers itself.';

function hostSniHint(traefik: TraefikVersion): string {
  return traefik === 'v3'
    ? 'HostSNI takes a host name or an IP (letters, digits, _ . - :), * for any, or one leading *. wildcard label.'
    : 'HostSNI takes a host name or an IP (letters, digits, . - :), or * for any; Traefik 2 has no wildcards or underscores.';
}

/** The matchers Traefik registers for a protocol, rule syntax and Traefik version. Traefik 2 only has v2 syntax. */
export function matcherSet(protocol: RuleProtocol, syntax: RuleSyntax, traefik: TraefikVersion): MatcherSet {
  const effective: RuleSyntax = traefik === 'v2' ? 'v2' : syntax;
  let matchers: ReadonlyMap<string, MatcherSpec>;
  if (protocol === 'http') matchers = effective === 'v3' ? httpV3 : httpV2;
  else matchers = effective === 'v3' ? tcpV3() : tcpV2(traefik);
  return { protocol, syntax: effective, traefik, matchers };
}

/** A set for Traefik's generic rule tests: the given names, any number of arguments, no value checks. */
export function genericMatcherSet(names: readonly string[]): MatcherSet {
  return { protocol: 'http', syntax: 'v3', traefik: 'v3', matchers: new Map(names.map((n) => spec(n, accept))) };
}

/**
 * The spellings Traefik registers for a matcher name (pkg/rules/parser.go): as declared, lower case, UPPER case,
 * and Title case of the lower-case name. So `HostRegexp`, `hostregexp`, `HOSTREGEXP`, `Hostregexp`, but not
 * `hostRegexp`.
 */
export function matcherSpellings(name: string): string[] {
  const lower = name.toLowerCase();
  return [name, lower, name.toUpperCase(), lower.replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase())];
}

/** Resolves a function name as written to the matcher it spells, if any. */
export function resolveMatcher(set: MatcherSet, written: string): MatcherSpec | undefined {
  let bySpelling = spellingsOf.get(set.matchers);
  if (!bySpelling) {
    // Every spelling of every matcher, the first matcher winning, as a scan of the matchers in order would find.
    bySpelling = new Map();
    for (const m of set.matchers.values()) {
      for (const spelling of matcherSpellings(m.name)) if (!bySpelling.has(spelling)) bySpelling.set(spelling, m);
    }
    spellingsOf.set(set.matchers, bySpelling);
  }
  return bySpelling.get(written);
}

/** For each set of matchers, the matcher every spelling resolves to (computed once per set). */
const spellingsOf = new WeakMap<ReadonlyMap<string, MatcherSpec>, Map<string, MatcherSpec>>();

/** Matcher names that only exist in v2 syntax (HTTP); v3 renamed or removed them. */
export const v2OnlyHttpMatchers: Readonly<Record<string, string>> = {
  Headers: 'Header',
  HeadersRegexp: 'HeaderRegexp',
  HostHeader: 'Host',
};

/** Matcher names that only exist in v3 syntax (HTTP), with their v2 counterpart when there is one. */
export const v3OnlyHttpMatchers: Readonly<Record<string, string | undefined>> = {
  Header: 'Headers',
  HeaderRegexp: 'HeadersRegexp',
  PathRegexp: undefined,
  QueryRegexp: undefined,
};

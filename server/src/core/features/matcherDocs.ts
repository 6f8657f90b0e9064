/**
 * What each Traefik matcher does, for the hovers and completions inside rules. Which matchers exist for a protocol,
 * rule syntax and Traefik version is not repeated here: it comes from rulelang/matchers.ts, the table the parser
 * checks rules against, so the help can never offer a matcher the checks would then refuse.
 *
 * The texts follow Traefik's matcher code (pkg/muxer/http/matcher.go, matcher_v2.go, pkg/muxer/tcp/matcher.go,
 * matcher_v2.go) and its v2-to-v3 migration notes.
 */
import { matcherSet, matcherSpellings, type RuleProtocol, type RuleSyntax, type TraefikVersion } from '../rulelang/matchers';

/** A form of the matcher for one rule syntax: its arguments and an example. */
interface MatcherForm {
  args: string;
  example: string;
  /** The completion snippet (VS Code snippet syntax): the call with its backticks and tab stops. */
  snippet: string;
}

export interface MatcherDoc {
  name: string;
  protocol: RuleProtocol;
  /** What the matcher compares, in one sentence. */
  summary: string;
  /** The form in v3 syntax and in v2 syntax, where the matcher exists in it. */
  v3?: MatcherForm;
  v2?: MatcherForm;
  /** What to write instead in the other syntax, when the matcher exists only in one. */
  otherSyntax?: string;
  notes?: readonly string[];
}

const hostNotes = [
  'Traefik 3.7+ (v3 syntax): `*` matches any host, and a leading `*.` matches exactly one label (`*.example.com` matches `a.example.com`, not `a.b.example.com`); earlier versions and v2 syntax compare them literally.',
  'Names outside ASCII must be written in punycode (`xn--…`).',
];

const regexpNote = 'The regular expression is Go\'s (RE2): no look-around or back-references. It is not anchored: write `^…$` to match the whole value.';

/** The TLS requirement of the TCP matchers that read the TLS handshake. */
const tlsNote = 'It reads the TLS handshake, so the IngressRouteTCP needs a `tls` section (`passthrough: true`, or a certificate to terminate TLS).';

const docs: readonly MatcherDoc[] = [
  {
    name: 'Host', protocol: 'http',
    summary: 'Matches the request\'s host name (the `Host` header, port ignored), case-insensitively.',
    v3: { args: 'one host', example: 'Host(`example.com`)', snippet: 'Host(`$1`)' },
    v2: { args: 'one or more hosts', example: 'Host(`example.com`, `www.example.com`)', snippet: 'Host(`$1`)' },
    notes: hostNotes,
  },
  {
    name: 'HostHeader', protocol: 'http',
    summary: 'Matches the request\'s `Host` header, like `Host`.',
    v2: { args: 'one or more hosts', example: 'HostHeader(`example.com`)', snippet: 'HostHeader(`$1`)' },
    otherSyntax: 'Removed in v3 syntax: use `Host`.',
  },
  {
    name: 'HostRegexp', protocol: 'http',
    summary: 'Matches the request\'s host name against a pattern.',
    v3: { args: 'one Go regular expression', example: 'HostRegexp(`^[a-z0-9-]+\\.example\\.com$`)', snippet: 'HostRegexp(`^$1\\$`)' },
    v2: { args: 'one or more templates with `{name:regexp}` placeholders', example: 'HostRegexp(`{subdomain:[a-z0-9-]+}.example.com`)', snippet: 'HostRegexp(`$1`)' },
    notes: [regexpNote],
  },
  {
    name: 'Path', protocol: 'http',
    summary: 'Matches the request path exactly.',
    v3: { args: 'one path starting with `/`, compared literally', example: 'Path(`/health`)', snippet: 'Path(`/$1`)' },
    v2: { args: 'one or more paths; `{id}` and `{id:regexp}` placeholders', example: 'Path(`/users/{id:[0-9]+}`)', snippet: 'Path(`/$1`)' },
    notes: ['In v3 syntax `{id}` is literal text: use `PathRegexp` for variable segments.'],
  },
  {
    name: 'PathPrefix', protocol: 'http',
    summary: 'Matches request paths that start with the prefix.',
    v3: { args: 'one prefix starting with `/`, compared literally', example: 'PathPrefix(`/api`)', snippet: 'PathPrefix(`/$1`)' },
    v2: { args: 'one or more prefixes; `{id}` and `{id:regexp}` placeholders', example: 'PathPrefix(`/api/{version}`)', snippet: 'PathPrefix(`/$1`)' },
    notes: ['`/api` also matches `/apis`: write `/api/` to stop at the segment.'],
  },
  {
    name: 'PathRegexp', protocol: 'http',
    summary: 'Matches the request path against a Go regular expression.',
    v3: { args: 'one Go regular expression', example: 'PathRegexp(`^/users/[0-9]+$`)', snippet: 'PathRegexp(`^/$1`)' },
    otherSyntax: 'v3 syntax only: in v2 syntax use `Path` or `PathPrefix` with `{id:regexp}` placeholders.',
    notes: [regexpNote],
  },
  {
    name: 'Method', protocol: 'http',
    summary: 'Matches the request method.',
    v3: { args: 'one method', example: 'Method(`POST`)', snippet: 'Method(`${1:GET}`)' },
    v2: { args: 'one or more methods', example: 'Method(`GET`, `HEAD`)', snippet: 'Method(`${1:GET}`)' },
  },
  {
    name: 'Header', protocol: 'http',
    summary: 'Matches requests whose header has exactly the given value.',
    v3: { args: 'a header name and a value', example: 'Header(`X-Env`, `prod`)', snippet: 'Header(`$1`, `$2`)' },
    otherSyntax: 'v3 syntax only: v2 syntax calls it `Headers`.',
  },
  {
    name: 'HeaderRegexp', protocol: 'http',
    summary: 'Matches requests whose header value matches a Go regular expression.',
    v3: { args: 'a header name and a Go regular expression', example: 'HeaderRegexp(`User-Agent`, `(?i)curl`)', snippet: 'HeaderRegexp(`$1`, `$2`)' },
    otherSyntax: 'v3 syntax only: v2 syntax calls it `HeadersRegexp`.',
    notes: [regexpNote],
  },
  {
    name: 'Headers', protocol: 'http',
    summary: 'Matches requests whose header has exactly the given value.',
    v2: { args: 'name/value pairs', example: 'Headers(`X-Env`, `prod`)', snippet: 'Headers(`$1`, `$2`)' },
    otherSyntax: 'Renamed in v3 syntax: use `Header`.',
  },
  {
    name: 'HeadersRegexp', protocol: 'http',
    summary: 'Matches requests whose header value matches a regular expression.',
    v2: { args: 'name/regexp pairs', example: 'HeadersRegexp(`User-Agent`, `curl`)', snippet: 'HeadersRegexp(`$1`, `$2`)' },
    otherSyntax: 'Renamed in v3 syntax: use `HeaderRegexp`.',
  },
  {
    name: 'Query', protocol: 'http',
    summary: 'Matches a query parameter.',
    v3: { args: 'a parameter name, and optionally its value; with the name alone, the parameter has an empty value (`?debug`)', example: 'Query(`mobile`, `true`)', snippet: 'Query(`$1`, `$2`)' },
    v2: { args: 'one or more `key=value` pairs', example: 'Query(`mobile=true`)', snippet: 'Query(`$1=$2`)' },
  },
  {
    name: 'QueryRegexp', protocol: 'http',
    summary: 'Matches a query parameter whose value matches a Go regular expression.',
    v3: { args: 'a parameter name, and optionally a Go regular expression', example: 'QueryRegexp(`version`, `^v[0-9]+$`)', snippet: 'QueryRegexp(`$1`, `$2`)' },
    otherSyntax: 'v3 syntax only.',
    notes: [regexpNote],
  },
  {
    name: 'ClientIP', protocol: 'http',
    summary: 'Matches the client\'s IP address as Traefik sees the connection (not `X-Forwarded-For`).',
    v3: { args: 'one IP address or CIDR range', example: 'ClientIP(`10.0.0.0/8`)', snippet: 'ClientIP(`$1`)' },
    v2: { args: 'one or more IP addresses or CIDR ranges', example: 'ClientIP(`10.0.0.0/8`, `::1`)', snippet: 'ClientIP(`$1`)' },
  },
  {
    name: 'HostSNI', protocol: 'tcp',
    summary: 'Matches the server name (SNI) the client sends in the TLS handshake.',
    v3: { args: 'one host name or IP, or `*` for every connection', example: 'HostSNI(`db.example.com`)', snippet: 'HostSNI(`$1`)' },
    v2: { args: 'one or more host names or IPs, or `*`', example: 'HostSNI(`db.example.com`)', snippet: 'HostSNI(`$1`)' },
    notes: [
      '``HostSNI(`*`)`` matches every connection and is the only form that works without TLS; any other value needs a `tls` section on the IngressRouteTCP (`passthrough: true`, or a certificate to terminate TLS).',
      'Traefik 3.7+ (v3 syntax): a leading `*.` matches exactly one label. Traefik 2 has no wildcards or underscores.',
    ],
  },
  {
    name: 'HostSNIRegexp', protocol: 'tcp',
    summary: 'Matches the TLS server name (SNI) against a pattern.',
    v3: { args: 'one Go regular expression', example: 'HostSNIRegexp(`^[a-z]+\\.example\\.com$`)', snippet: 'HostSNIRegexp(`^$1\\$`)' },
    v2: { args: 'one or more templates with `{name:regexp}` placeholders', example: 'HostSNIRegexp(`{subdomain:[a-z]+}.example.com`)', snippet: 'HostSNIRegexp(`$1`)' },
    notes: [tlsNote, regexpNote],
  },
  {
    name: 'ALPN', protocol: 'tcp',
    summary: 'Matches the application protocol (ALPN) the client offers in the TLS handshake.',
    v3: { args: 'one protocol', example: 'ALPN(`h2`)', snippet: 'ALPN(`$1`)' },
    v2: { args: 'one or more protocols', example: 'ALPN(`h2`)', snippet: 'ALPN(`$1`)' },
    notes: [tlsNote, '`acme-tls/1` is reserved for the ACME TLS challenge that Traefik answers itself.'],
  },
  {
    name: 'ClientIP', protocol: 'tcp',
    summary: 'Matches the client\'s IP address.',
    v3: { args: 'one IP address or CIDR range', example: 'ClientIP(`10.0.0.0/8`)', snippet: 'ClientIP(`$1`)' },
    v2: { args: 'one or more IP addresses or CIDR ranges', example: 'ClientIP(`10.0.0.0/8`)', snippet: 'ClientIP(`$1`)' },
  },
];

/** The documentation of a matcher as written (any of the spellings Traefik registers), preferring the given protocol. */
export function matcherDoc(written: string, protocol: RuleProtocol): MatcherDoc | undefined {
  const matching = docs.filter((d) => matcherSpellings(d.name).includes(written));
  return matching.find((d) => d.protocol === protocol) ?? matching[0];
}

/** The form of a matcher to write in a rule syntax, falling back to the other syntax's. */
export function formFor(doc: MatcherDoc, syntax: RuleSyntax): MatcherForm {
  return (syntax === 'v3' ? doc.v3 ?? doc.v2 : doc.v2 ?? doc.v3)!;
}

/** The matchers a rule may call for a protocol, rule syntax and Traefik version, in the order of the docs. */
export function availableMatchers(protocol: RuleProtocol, syntax: RuleSyntax, traefik: TraefikVersion): MatcherDoc[] {
  const set = matcherSet(protocol, syntax, traefik);
  return docs.filter((d) => d.protocol === protocol && set.matchers.has(d.name));
}

/** Whether a matcher exists for a protocol, rule syntax and Traefik version. */
export function isAvailable(doc: MatcherDoc, syntax: RuleSyntax, traefik: TraefikVersion): boolean {
  return matcherSet(doc.protocol, syntax, traefik).matchers.has(doc.name);
}

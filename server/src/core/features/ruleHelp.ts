/**
 * Editor help inside Traefik rules (the `match` of IngressRoute and IngressRouteTCP routes, and the `router.rule`
 * annotation of an Ingress): a hover on a matcher name explains the matcher and says whether this route may call
 * it; a hover on a `Host` or `HostSNI` value lists the other routes of the workspace with the same host; completion
 * offers the matchers that the route's protocol, rule syntax and Traefik version accept wherever a matcher may
 * start, and the workspace's hosts inside `Host(`…`)` and `HostSNI(`…`)`.
 *
 * A file offset becomes an offset in the decoded rule through rulelang/valueOffsets.ts, so every YAML scalar style
 * works (plain, quoted with escapes, block). The rule is read with the Go scanner Traefik's parser starts from, not
 * with the parser itself: help is needed most while the rule is being typed and does not parse yet.
 */
import type { Resource, Span, YScalar } from '../model';
import { asMap, asScalar, get, items, str } from '../parse/ynode';
import { resourceAt } from '../refs/resolve';
import { GoScanner, type Token } from '../rulelang/goScanner';
import type { RuleProtocol, RuleSyntax, TraefikVersion } from '../rulelang/matchers';
import { type ValueOffsets, valueOffsetMap, valueRangeToFile } from '../rulelang/valueOffsets';
import type { CompletionItem } from './completion';
import type { FeatureContext } from './context';
import type { Hover, HoverContext } from './hover';
import { availableMatchers, formFor, isAvailable, type MatcherDoc, matcherDoc } from './matcherDocs';

/** The Ingress annotation the rule grammar also highlights. */
const ruleAnnotation = 'traefik.ingress.kubernetes.io/router.rule';
const ruleSyntaxAnnotation = 'traefik.ingress.kubernetes.io/router.rulesyntax';

/** Matchers whose values are host names, and so are worth comparing across routes. */
const hostMatchers: ReadonlySet<string> = new Set(['Host', 'HostHeader', 'HostSNI']);

/** The matcher of the other protocol that does the same job, for a matcher written on the wrong kind of route. */
const crossProtocol: Readonly<Record<string, string>> = {
  Host: 'HostSNI', HostHeader: 'HostSNI', HostRegexp: 'HostSNIRegexp', HostSNI: 'Host', HostSNIRegexp: 'HostRegexp',
};

/** A rule written in a resource. */
interface RuleSite {
  resource: Resource;
  scalar: YScalar;
  protocol: RuleProtocol;
  /** The route's `syntax` field (or the Ingress's rulesyntax annotation), when written. */
  syntaxField: string | undefined;
  /** Position of the route in `spec.routes`; undefined for the annotation. */
  route: number | undefined;
  /** For IngressRouteTCP: whether the object has a `tls` section. */
  hasTls: boolean;
}

/** Sites are computed once per resource: a resource is replaced, never mutated, when its file changes. */
const sitesCache = new WeakMap<Resource, RuleSite[]>();

function ruleSitesOf(resource: Resource): RuleSite[] {
  let sites = sitesCache.get(resource);
  if (!sites) sitesCache.set(resource, (sites = enumerateRuleSites(resource)));
  return sites;
}

function enumerateRuleSites(resource: Resource): RuleSite[] {
  if (resource.kind === 'Ingress') {
    const scalar = asScalar(get(resource.root, 'metadata', 'annotations', ruleAnnotation));
    return scalar ? [{ resource, scalar, protocol: 'http', syntaxField: resource.annotations[ruleSyntaxAnnotation], route: undefined, hasTls: false }] : [];
  }
  if (resource.kind !== 'IngressRoute' && resource.kind !== 'IngressRouteTCP') return [];
  const protocol: RuleProtocol = resource.kind === 'IngressRoute' ? 'http' : 'tcp';
  // The provider gives the router TLS whenever spec.tls is an object, even an empty one.
  const hasTls = asMap(get(resource.root, 'spec', 'tls')) !== undefined;
  const sites: RuleSite[] = [];
  items(get(resource.root, 'spec', 'routes')).forEach((route, index) => {
    const scalar = asScalar(get(route, 'match'));
    if (scalar) sites.push({ resource, scalar, protocol, syntaxField: str(get(route, 'syntax')), route: index, hasTls });
  });
  return sites;
}

/** The rule syntax Traefik applies: v2 on Traefik 2; on Traefik 3, v2 only when the route asks for it. */
function syntaxOf(site: RuleSite, traefik: TraefikVersion): RuleSyntax {
  return traefik === 'v2' || site.syntaxField === 'v2' ? 'v2' : 'v3';
}

/** The rule under the cursor, decoded, with the cursor's offset in it. */
interface RuleAt {
  site: RuleSite;
  text: string;
  rule: string;
  syntax: RuleSyntax;
  traefik: TraefikVersion;
  map: ValueOffsets;
  /** The cursor's offset in the rule string. */
  index: number;
  /** The cursor's offset in the file. */
  offset: number;
}

function isBlankRun(text: string, from: number, to: number): boolean {
  return /^[ \t]*$/.test(text.slice(from, to));
}

/**
 * Whether the cursor is in the value of a scalar: between the quotes of a quoted one, below the header of a block
 * one (and on the blank line after it), for a plain one anywhere on it or in the blanks after it on its last line
 * (YAML drops trailing blanks, but the cursor often sits there while the rule is typed), and for a value not
 * written yet (`match:`) on the key's line.
 */
function inValue(text: string, scalar: YScalar, offset: number): boolean {
  const { start, end } = scalar.span;
  // An absent value is placed after the blanks that follow the key's colon; the cursor may be before or after them.
  if (scalar.value === null && start === end) return isBlankRun(text, Math.min(offset, start), Math.max(offset, start));
  switch (scalar.style) {
    case 'single':
    case 'double':
      return offset > start && offset < end;
    case 'block': {
      const header = text.indexOf('\n', start);
      if (header < 0 || offset <= header) return false;
      // A block scalar's range ends after its last line break, at the start of the line that follows it.
      if (offset < end || (offset === end && text[end - 1] !== '\n')) return true;
      // That following line still belongs to the block while it is blank and the cursor is indented like the content,
      // which is where the next line of a rule is typed.
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      const indent = /^ */.exec(text.slice(header + 1))![0].length;
      return lineStart === end && isBlankRun(text, lineStart, offset) && offset - lineStart >= indent;
    }
    case 'plain':
      return offset >= start && (offset <= end || isBlankRun(text, end, offset));
    default:
      return false;
  }
}

function ruleAt(ctx: FeatureContext, file: string, offset: number): RuleAt | undefined {
  const resource = resourceAt(ctx.index, file, offset);
  const text = ctx.textOf(file);
  if (!resource || text === undefined) return undefined;
  const traefik = ctx.options.traefik.version;
  for (const site of ruleSitesOf(resource)) {
    if (!inValue(text, site.scalar, offset)) continue;
    const map = valueOffsetMap(text, site.scalar);
    // Without an exact map no position inside the rule can be placed; the help then stays silent.
    if (!map.exact) return undefined;
    const rule = site.scalar.value === null ? '' : String(site.scalar.value);
    // The character whose source starts at or after the cursor; past the last one, the end of the rule.
    let index = map.offsets.findIndex((o) => o >= offset);
    if (index < 0 || index > rule.length) index = rule.length;
    return { site, text, rule, syntax: syntaxOf(site, traefik), traefik, map, index, offset };
  }
  return undefined;
}

/** The file range of the rule range [start, end). */
function fileSpan(at: RuleAt, start: number, end: number): Span {
  return valueRangeToFile(at.map, at.site.scalar, start, end);
}

interface Scanned {
  /** Tokens without automatic semicolons and EOF, which have no text a user could point at. */
  tokens: Token[];
  /** Offsets of the string literals that are not closed. */
  unterminated: ReadonlySet<number>;
}

function scan(rule: string): Scanned {
  const { tokens, errors } = GoScanner.tokenize(rule);
  return {
    tokens: tokens.filter((t) => t.kind !== 'EOF' && !(t.kind === 'SEMICOLON' && t.text === '\n')),
    unterminated: new Set(errors.filter((e) => e.message.endsWith('literal not terminated')).map((e) => e.start)),
  };
}

/** The matcher whose call a string token is an argument of: back over values and commas to `(`, then the name. */
function calleeOf(tokens: readonly Token[], stringIndex: number): Token | undefined {
  let i = stringIndex - 1;
  while (i >= 0 && (tokens[i]!.kind === 'STRING' || (tokens[i]!.kind === 'OP' && tokens[i]!.text === ','))) i--;
  const paren = tokens[i];
  const name = tokens[i - 1];
  return paren?.kind === 'OP' && paren.text === '(' && name?.kind === 'IDENT' ? name : undefined;
}

// ---- Hover

/** Inline code that may contain backticks, as rules do. */
function ruleCode(text: string): string {
  return `\`\` ${text} \`\``;
}

const protocolWord: Record<RuleProtocol, string> = { http: 'HTTP', tcp: 'TCP' };

function whereText(at: RuleAt): string {
  const { resource, route } = at.site;
  const what = route === undefined ? `the ${ruleAnnotation} annotation` : `route ${route + 1} of this ${resource.kind}`;
  return `${what} (${at.syntax} syntax, Traefik ${at.traefik})`;
}

/** Whether the matcher may be called here, and if not, what to write instead. */
function availabilityLine(doc: MatcherDoc, at: RuleAt): string {
  const { protocol } = at.site;
  if (doc.protocol !== protocol) {
    const counterpart = crossProtocol[doc.name];
    const kind = protocol === 'http' ? 'an HTTP route' : 'an IngressRouteTCP';
    return `❌ Not here: ${doc.name} is ${doc.protocol === 'http' ? 'an' : 'a'} ${protocolWord[doc.protocol]} matcher and this is ${kind}.${counterpart ? ` Use ${counterpart}.` : ''}`;
  }
  if (isAvailable(doc, at.syntax, at.traefik)) return `✅ Available in ${whereText(at)}.`;
  const why = at.syntax === 'v3' ? 'v3 syntax does not have it' : at.traefik === 'v2' ? 'Traefik 2 does not have it' : 'this route uses v2 syntax, which does not have it';
  return `❌ Not in ${whereText(at)}: ${why}.${doc.otherSyntax ? ` ${doc.otherSyntax}` : ''}`;
}

/** Facts about this route that decide whether the matcher can ever match. */
function contextLines(doc: MatcherDoc, at: RuleAt): string[] {
  const out: string[] = [];
  if (at.site.protocol === 'tcp' && !at.site.hasTls && doc.protocol === 'tcp') {
    if (doc.name === 'HostSNI') out.push('⚠️ This IngressRouteTCP has no `tls` section: only ``HostSNI(`*`)`` works without TLS; Traefik disables the router for any other host.');
    if (doc.name === 'HostSNIRegexp' || doc.name === 'ALPN') out.push('⚠️ This IngressRouteTCP has no `tls` section: a plain TCP connection has no TLS handshake for this matcher to read.');
  }
  if (at.site.route === undefined) {
    out.push(`ℹ️ Traefik's Kubernetes Ingress provider does not read \`${ruleAnnotation}\`: it builds each router's rule from \`spec.rules\` (host and path; \`router.pathmatcher\` picks the path matcher).`);
  }
  return out;
}

function matcherHover(doc: MatcherDoc, at: RuleAt): string {
  const out = [`**${doc.name}** · ${protocolWord[doc.protocol]} matcher · ${doc.summary}`, ''];
  for (const syntax of ['v3', 'v2'] as const) {
    const form = doc[syntax];
    out.push(form ? `- ${syntax} syntax: ${form.args} · ${ruleCode(form.example)}` : `- ${syntax} syntax: —`);
  }
  if (doc.otherSyntax) out.push(`- ${doc.otherSyntax}`);
  for (const note of doc.notes ?? []) out.push(`- ${note}`);
  out.push('', availabilityLine(doc, at), ...contextLines(doc, at));
  return out.join('\n');
}

/** A host written in the workspace: in a matcher of a route's rule, or as an Ingress rule's host. */
interface HostUse {
  host: string;
  /** The matcher that names it (`Host`, `HostHeader`, `HostSNI`), or `Ingress` for an Ingress rule's host. */
  via: string;
  resource: Resource;
  /** The route (IngressRoute, IngressRouteTCP) or rule (Ingress) it is written in. */
  route: number;
  /** Where the host is written in the resource's file. */
  offset: number;
}

/** Host uses are computed once per resource: a resource is replaced, never mutated, when its file changes. */
const hostCache = new WeakMap<Resource, HostUse[]>();

function hostUsesOf(ctx: FeatureContext, resource: Resource): HostUse[] {
  let uses = hostCache.get(resource);
  if (!uses) hostCache.set(resource, (uses = enumerateHostUses(ctx, resource)));
  return uses;
}

function enumerateHostUses(ctx: FeatureContext, resource: Resource): HostUse[] {
  if (resource.kind === 'Ingress') {
    return items(get(resource.root, 'spec', 'rules')).flatMap((rule, route) => {
      const host = asScalar(get(rule, 'host'));
      return host && typeof host.value === 'string' && host.value !== '' ? [{ host: host.value, via: 'Ingress', resource, route, offset: host.span.start }] : [];
    });
  }
  const text = ctx.textOf(resource.file) ?? resource.fileText;
  if (text === undefined) return [];
  const uses: HostUse[] = [];
  for (const site of ruleSitesOf(resource)) {
    const { route } = site;
    if (route === undefined || typeof site.scalar.value !== 'string') continue;
    const map = valueOffsetMap(text, site.scalar);
    // Scanned rather than parsed: a rule with a mistake elsewhere (the case while it is edited) still names its hosts.
    const { tokens } = scan(site.scalar.value);
    tokens.forEach((token, i) => {
      if (token.kind !== 'STRING' || token.string === undefined) return;
      const callee = calleeOf(tokens, i);
      const doc = callee && matcherDoc(callee.text, site.protocol);
      const host = token.string.value;
      // `*` is HostSNI's catch-all, not a host that two routes could share by accident.
      if (!doc || !hostMatchers.has(doc.name) || host === '' || host === '*') return;
      uses.push({ host, via: doc.name, resource, route, offset: valueRangeToFile(map, site.scalar, token.start, token.end).start });
    });
  }
  return uses;
}

/** Every host written in the workspace's IngressRoutes, IngressRouteTCPs and Ingresses. */
function workspaceHosts(ctx: FeatureContext): HostUse[] {
  return ['IngressRoute', 'IngressRouteTCP', 'Ingress'].flatMap((kind) => ctx.index.ofKind(kind).flatMap((r) => hostUsesOf(ctx, r)));
}

function hostHover(ctx: HoverContext, at: RuleAt, matcher: string, host: string): string {
  const seen = new Set<string>();
  const others = workspaceHosts(ctx).filter((u) => {
    if (u.host.toLowerCase() !== host.toLowerCase()) return false;
    if (u.resource === at.site.resource && u.route === at.site.route) return false;
    const key = `${u.resource.file}#${u.resource.docSpan.start}#${u.route}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const head = `**${matcher}** \`${host}\``;
  if (others.length === 0) return `${head} · no other route of the workspace uses this host.`;
  const lines = others.map((u) => {
    const { href, label } = ctx.linkTo(u.resource.file, u.offset);
    const part = u.via === 'Ingress' ? `rule ${u.route + 1}` : `route ${u.route + 1}`;
    return `- ${u.resource.kind} \`${u.resource.namespace}/${u.resource.name}\` ${part} (${u.via}) · [${label}](${href})`;
  });
  return [`${head} · also used by ${others.length === 1 ? '1 other route' : `${others.length} other routes`}:`, ...lines].join('\n');
}

/** The hover on a matcher name or on a `Host`/`HostSNI` value of a rule. */
export function ruleHoverAt(ctx: HoverContext, file: string, offset: number): Hover | undefined {
  const at = ruleAt(ctx, file, offset);
  if (!at) return undefined;
  const { tokens } = scan(at.rule);
  // The character under the mouse, or the word that ends right before the cursor.
  const under = tokens.findIndex((t) => t.start <= at.index && at.index < t.end && (t.kind === 'IDENT' || t.kind === 'STRING'));
  const k = under >= 0 ? under : tokens.findIndex((t) => t.kind === 'IDENT' && t.end === at.index);
  const token = tokens[k];
  if (!token) return undefined;
  const span = fileSpan(at, token.start, token.end);
  if (token.kind === 'IDENT') {
    const doc = matcherDoc(token.text, at.site.protocol);
    return doc && { markdown: matcherHover(doc, at), span };
  }
  if (token.kind !== 'STRING' || token.string === undefined) return undefined;
  const callee = calleeOf(tokens, k);
  const doc = callee && matcherDoc(callee.text, at.site.protocol);
  if (!doc || !hostMatchers.has(doc.name) || token.string.value === '') return undefined;
  return { markdown: hostHover(ctx, at, doc.name, token.string.value), span };
}

// ---- Completion

/** Host values that can be inserted in any YAML scalar style and Go string without escaping. */
const insertableHost = /^[A-Za-z0-9*._:-]+$/;

/**
 * Completion inside a rule: undefined when the offset is not in a rule, so that other completions may answer;
 * otherwise the matchers where one may start, the workspace's hosts inside a host matcher's value, or nothing.
 */
export function ruleCompletionsAt(ctx: FeatureContext, file: string, offset: number): CompletionItem[] | undefined {
  const at = ruleAt(ctx, file, offset);
  if (!at) return undefined;
  const scanned = scan(at.rule);
  const { tokens } = scanned;
  const stringIndex = tokens.findIndex((t) => t.kind === 'STRING' && t.start < at.index && (at.index < t.end || (at.index === t.end && scanned.unterminated.has(t.start))));
  if (stringIndex >= 0) return hostItems(ctx, at, scanned, stringIndex);
  return matcherItems(at, tokens);
}

function matcherItems(at: RuleAt, tokens: readonly Token[]): CompletionItem[] {
  const word = tokens.find((t) => (t.kind === 'IDENT' || t.kind === 'KEYWORD') && t.start < at.index && at.index <= t.end);
  const wordStart = word?.start ?? at.index;
  const wordEnd = word?.end ?? at.index;
  const before = tokens.filter((t) => t.end <= wordStart);
  const previous = before[before.length - 1];
  const beforePrevious = before[before.length - 2];
  // Anything but blanks between the operator and the cursor (a comment, a stray character) is not a place to help.
  if (!/^\s*$/.test(at.rule.slice(previous?.end ?? 0, wordStart))) return [];
  const operand = !previous || (previous.kind === 'OP' && (['&&', '||', '!'].includes(previous.text) || (previous.text === '(' && beforePrevious?.kind !== 'IDENT')));
  if (!operand) return [];
  // Without a word to replace, the matcher goes at the cursor, which may be in blanks the rule does not include.
  const span = word ? fileSpan(at, wordStart, wordEnd) : { start: at.offset, end: at.offset };
  if (at.text.slice(span.start, span.end).includes('\n') || at.offset < span.start || at.offset > span.end) return [];
  // Go needs no blanks around operators, but a rule reads better with them, and YAML needs one after `match:`.
  const charBefore = at.text[span.start - 1] ?? '';
  const needsSpace = charBefore === ':' || (previous?.kind === 'OP' && (previous.text === '&&' || previous.text === '||') && !/\s/.test(charBefore));
  const next = tokens.find((t) => t.start >= wordEnd);
  const callFollows = next?.kind === 'OP' && next.text === '(' && /^\s*$/.test(at.rule.slice(wordEnd, next.start));
  return availableMatchers(at.site.protocol, at.syntax, at.traefik).map((doc) => {
    const form = formFor(doc, at.syntax);
    return {
      label: doc.name,
      detail: `${protocolWord[doc.protocol]} matcher · ${form.args}`,
      documentation: `${doc.summary}\n\n${ruleCode(form.example)}`,
      kind: 'matcher' as const,
      newText: `${needsSpace ? ' ' : ''}${callFollows ? doc.name : form.snippet}`,
      ...(callFollows ? {} : { snippet: true }),
      span: { ...span },
    };
  });
}

function hostItems(ctx: FeatureContext, at: RuleAt, scanned: Scanned, stringIndex: number): CompletionItem[] {
  const token = scanned.tokens[stringIndex]!;
  const callee = calleeOf(scanned.tokens, stringIndex);
  const doc = callee && matcherDoc(callee.text, at.site.protocol);
  if (!doc || !hostMatchers.has(doc.name)) return [];
  // The value between the quotes; in a string still being typed, what is typed so far (an editor may have closed
  // the call's parenthesis after the cursor, and the scanner reads an open string to the end of the rule).
  const contentEnd = scanned.unterminated.has(token.start) ? at.index : token.end - 1;
  const span = fileSpan(at, token.start + 1, contentEnd);
  if (at.text.slice(span.start, span.end).includes('\n') || at.offset < span.start || at.offset > span.end) return [];
  const self = fileSpan(at, token.start, token.end).start;
  const byHost = new Map<string, HostUse[]>();
  for (const use of workspaceHosts(ctx)) {
    // The value being completed is not a suggestion for itself.
    if (use.resource.file === at.site.resource.file && use.offset === self) continue;
    if (!insertableHost.test(use.host)) continue;
    const key = use.host.toLowerCase();
    byHost.set(key, [...(byHost.get(key) ?? []), use]);
  }
  return [...byHost.values()]
    .map((uses): CompletionItem => {
      const first = uses[0]!;
      const more = uses.length > 1 ? ` (+${uses.length - 1} more)` : '';
      return { label: first.host, detail: `${first.via} in ${first.resource.kind} ${first.resource.namespace}/${first.resource.name}${more}`, kind: 'host', newText: first.host, span: { ...span } };
    })
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/**
 * Checks of the `match` rules of IngressRoute and IngressRouteTCP routes, judged as Traefik parses them
 * (rulelang/parser.ts): rules Traefik refuses (its runtime disables the router), v2 forms under v3 syntax, HostSNI
 * without TLS on TCP routes, and the deprecated `syntax` field.
 *
 * An empty or missing `match` is reported by the route checks of the Traefik provider (traefik/routes.ts, code
 * `rule-empty`), so it is skipped here rather than reported twice.
 */
import type { Check, CheckContext } from '../analyze';
import type { Resource, Span, YNode, YPair, YScalar } from '../model';
import { fastParseDocument } from '../parse/fastYaml';
import type { FileScan } from '../parse/parseFile';
import { asMap, asScalar, get, items, pair, str } from '../parse/ynode';
import { convertRuleToV3 } from '../rulelang/convert';
import { knownWithoutProblems, matcherCalls, parseRule, type RuleParseResult, type RuleProblem, type RuleProtocol, type RuleRequest, type RuleSyntax, type TraefikVersion } from '../rulelang/parser';
import { type ValueOffsets, valueOffsetMap, valueRangeToFile } from '../rulelang/valueOffsets';

/** A route's rule, with what is needed to place findings inside it. */
interface RouteRule {
  resource: Resource;
  protocol: RuleProtocol;
  rule: string;
  scalar: YScalar;
  /** Where each character of the rule is written: worked out only when a finding needs a range inside the rule. */
  offsets(): ValueOffsets;
}

const consequences: Record<RuleProtocol, string> = {
  http: 'Traefik disables this router, so its requests get 404.',
  tcp: 'Traefik disables this TCP router.',
};

/** The file range of a range of the rule string; an empty range (an error at the end) covers the last character. */
function ruleSpan(route: RouteRule, span: Span): Span {
  let { start, end } = span;
  if (end <= start) end = start + 1;
  if (end > route.rule.length) {
    end = route.rule.length;
    start = Math.max(0, Math.min(start, end - 1));
  }
  return valueRangeToFile(route.offsets(), route.scalar, start, end);
}

function reportProblem(ctx: CheckContext, route: RouteRule, problem: RuleProblem, syntax: RuleSyntax): void {
  // Traefik quotes the rule, line breaks included; they are shown as \n to keep the message on one line.
  const traefikText = problem.traefikError ? ` Traefik: ${problem.traefikError.replace(/\r?\n/g, '\\n')}` : '';
  const message = problem.rejected ? `${problem.message} ${consequences[route.protocol]}${traefikText}` : problem.message;
  const data: Record<string, unknown> = {};
  if (problem.suggestion) data.replacement = problem.suggestion;
  if (problem.code === 'rule-v2-matcher' && syntax === 'v3') {
    const converted = convertRuleToV3(route.rule, { protocol: route.protocol, from: 'v3' });
    if (converted.ok && converted.changed) data.v3Rule = converted.rule;
    else if (!converted.ok) data.v3RuleUnavailable = converted.reason;
  }
  ctx.report({
    code: problem.code,
    ...(problem.rejected ? {} : { severity: 'warning' as const }),
    span: ruleSpan(route, problem.span),
    message,
    ...(Object.keys(data).length > 0 ? { data } : {}),
  }, route.resource);
}

/**
 * Traefik's TCP router manager: when the rule names hosts with HostSNI and the router has no TLS, the first host
 * must be `*` (the catch-all for plain TCP); otherwise the router is disabled.
 */
function checkHostSniTls(ctx: CheckContext, route: RouteRule, result: RuleParseResult): void {
  const hostCalls = matcherCalls(result.tree).filter((c) => c.matcher === 'HostSNI' && c.args.length > 0);
  const first = hostCalls[0];
  if (!first || first.args[0]!.value.toLowerCase() === '*') return;
  ctx.report({
    code: 'hostsni-requires-tls',
    span: ruleSpan(route, first.span),
    message: `HostSNI matches the TLS server name, but this IngressRouteTCP has no tls section, so Traefik disables the router: `
      + `invalid rule: "${route.rule}" , has HostSNI matcher, but no TLS on router. `
      + 'Add spec.tls (passthrough: true to forward TLS as it is, or a secretName to terminate it), or match plain TCP with HostSNI(`*`).',
    data: { host: first.args[0]!.value },
  }, route.resource);
}

function reportDeprecatedSyntax(ctx: CheckContext, resource: Resource, syntaxPair: YPair, protocol: RuleProtocol, rule: string | undefined): void {
  const value = str(syntaxPair.value);
  const data: Record<string, unknown> = { removeSyntax: true };
  let advice: string;
  if (value === 'v2') {
    const converted = rule !== undefined ? convertRuleToV3(rule, { protocol, from: 'v2' }) : undefined;
    if (converted?.ok) data.v3Rule = converted.rule;
    advice = converted?.ok
      ? `Rewrite the rule in v3 syntax (${converted.rule}) and remove the field.`
      : 'Rewrite the rule in v3 syntax and remove the field.';
  } else if (value === 'v3') {
    advice = 'v3 is the default: remove the field.';
  } else {
    advice = `Traefik reads any value but v2 as v3 syntax${value ? ` (here "${value}")` : ''}: remove the field.`;
  }
  ctx.report({
    code: 'rule-syntax-deprecated',
    span: { start: syntaxPair.keySpan.start, end: Math.max(syntaxPair.keySpan.end, syntaxPair.value.span.end) },
    message: `The route's syntax field is deprecated since Traefik v3.4 (Traefik logs "Router's \`ruleSyntax\` option is deprecated, please remove any usage of this option."). ${advice}`,
    data,
  }, resource);
}

interface RouteRuleRequest extends RuleRequest {
  options: { protocol: RuleProtocol; syntax: RuleSyntax; traefik: TraefikVersion };
}

/**
 * A route's rule with the options Traefik parses it with, or undefined when the route has no rule to parse (an
 * empty or missing match is the route checks' `rule-empty`). Under v3, `syntax: v2` on the route selects v2 syntax.
 */
function routeRuleRequest(route: YNode, protocol: RuleProtocol, traefik: TraefikVersion): RouteRuleRequest | undefined {
  const scalar = asScalar(get(route, 'match'));
  const rule = scalar && scalar.value !== null ? String(scalar.value) : undefined;
  if (rule === undefined || rule.trim() === '') return undefined;
  const syntax: RuleSyntax = traefik === 'v3' && str(get(route, 'syntax')) === 'v2' ? 'v2' : 'v3';
  return { rule, options: { protocol, syntax, traefik } };
}

/** IngressRoutes have HTTP rules, IngressRouteTCPs TCP ones. */
function protocolOf(kind: string): RuleProtocol {
  return kind === 'IngressRoute' ? 'http' : 'tcp';
}

/** The rules this check parses in an object of `kind` whose tree is `root`, under Traefik `traefik`. */
function ruleRequestsIn(kind: string, root: YNode, traefik: TraefikVersion): RuleRequest[] {
  if (!ruleLanguage.kinds.includes(kind)) return [];
  const protocol = protocolOf(kind);
  return items(get(root, 'spec', 'routes')).flatMap((route) => routeRuleRequest(route, protocol, traefik) ?? []);
}

/**
 * The rules this check will parse in the documents a scan keeps, read here on their own (documents the fast reader
 * cannot read are left out): for parsing them ahead, in the CLI's read worker (rulesWithoutProblems).
 */
export function scannedRuleRequests(scan: FileScan, text: string, traefik: TraefikVersion): RuleRequest[] {
  const out: RuleRequest[] = [];
  for (const doc of scan.toRead) {
    if (doc.kind === undefined || !ruleLanguage.kinds.includes(doc.kind)) continue;
    const root = fastParseDocument(text, doc.span.start, doc.span.end);
    if (root) out.push(...ruleRequestsIn(doc.kind, root, traefik));
  }
  return out;
}

function checkRoute(ctx: CheckContext, resource: Resource, route: YNode, protocol: RuleProtocol, hasTls: boolean): void {
  const traefik = ctx.options.traefik.version;
  const syntaxPair = pair(route, 'syntax');
  const matchNode = get(route, 'match');
  const scalar = asScalar(matchNode);
  const rule = scalar && scalar.value !== null ? String(scalar.value) : undefined;
  if (traefik === 'v3' && syntaxPair) reportDeprecatedSyntax(ctx, resource, syntaxPair, protocol, rule);
  if (matchNode && !scalar) {
    ctx.report({ code: 'rule-syntax', span: matchNode.span, message: `match must be a string holding the rule. ${consequences[protocol]}` }, resource);
    return;
  }
  const request = routeRuleRequest(route, protocol, traefik);
  if (!scalar || !request) return;
  // Only a TCP route without TLS needs more of its rule than its problems.
  if ((protocol === 'http' || hasTls) && knownWithoutProblems(request.rule, request.options)) return;
  const result = parseRule(request.rule, request.options);
  if (result.problems.length === 0 && !(protocol === 'tcp' && !hasTls && result.valid)) return;
  let offsets: ValueOffsets | undefined;
  const routeRule: RouteRule = {
    resource, protocol, rule: request.rule, scalar,
    offsets: () => (offsets ??= resource.fileText !== undefined ? valueOffsetMap(resource.fileText, scalar) : { offsets: [], ends: [], exact: false }),
  };
  for (const problem of result.problems) reportProblem(ctx, routeRule, problem, traefik === 'v2' ? 'v2' : request.options.syntax);
  if (protocol === 'tcp' && !hasTls && result.valid) checkHostSniTls(ctx, routeRule, result);
}

export const ruleLanguage: Check = {
  name: 'rule-language',
  kinds: ['IngressRoute', 'IngressRouteTCP'],
  run(resource, ctx) {
    const protocol = protocolOf(resource.kind);
    // The provider gives the router TLS whenever spec.tls is an object, even an empty one.
    const hasTls = asMap(get(resource.root, 'spec', 'tls')) !== undefined;
    for (const route of items(get(resource.root, 'spec', 'routes'))) checkRoute(ctx, resource, route, protocol, hasTls);
  },
};

export const ruleLanguageChecks: readonly Check[] = [ruleLanguage];

/**
 * The vocabulary shared by Traefik's resolution rules: the environment they read (index + provider options) and
 * the issues they return. An issue records what Traefik does wrong with one reference, in Traefik's own words;
 * the check that reports it adds what this means for the object it sits on (a route dropped, a Middleware
 * dropped, a load balancer degraded), because the same failing reference has different consequences there.
 */
import type { CheckContext, FindingInput, IndexView } from '../analyze';
import type { RelatedInformation, Resource, Severity, Span, TraefikOptions, YNode } from '../model';
import { get } from '../parse/ynode';

export interface TraefikEnv {
  readonly index: IndexView;
  readonly options: TraefikOptions;
}

export function traefikEnv(ctx: CheckContext): TraefikEnv {
  return { index: ctx.index, options: ctx.options.traefik };
}

/**
 * When Traefik fails: `provider` while it builds the dynamic configuration (the object is left out),
 * `runtime` when the router or service is built and a referenced object turns out not to exist, `note` for
 * something that is not a failure (a degraded setup, a deprecation).
 */
export type IssueStage = 'provider' | 'runtime' | 'note';

export interface Issue {
  code: string;
  stage: IssueStage;
  file: string;
  span: Span;
  /** Traefik's error text (for a note: the whole statement). */
  error: string;
  /** How to fix it. */
  hint?: string;
  related?: RelatedInformation[];
  data?: Record<string, unknown>;
}

/** What a failure means for the object the finding is reported on, for each stage. */
export interface Consequence {
  provider: string;
  runtime: string;
}

export const httpRouteConsequence: Consequence = {
  provider: 'Traefik drops this route (404)',
  runtime: 'Traefik disables this route at runtime (404)',
};

/** A failure in a field that all routes of the object share (spec.tls, spec.parentRefs). */
export function allRoutesConsequence(kind: string): Consequence {
  const answer = kind === 'IngressRoute' ? ' (404)' : '';
  return {
    provider: `Traefik drops every route of this ${kind}${answer}`,
    runtime: `Traefik disables every route of this ${kind} at runtime${answer}`,
  };
}

export function layer4RouteConsequence(protocol: 'TCP' | 'UDP'): Consequence {
  return {
    provider: `Traefik drops this ${protocol} route`,
    runtime: `Traefik disables this ${protocol} route at runtime`,
  };
}

/** A TCP/UDP service error keeps the router but leaves it without a service, which the runtime then disables. */
export function layer4ServiceConsequence(protocol: 'TCP' | 'UDP'): Consequence {
  return {
    provider: `Traefik keeps this ${protocol} router without its service, so it is disabled at runtime`,
    runtime: `Traefik disables this ${protocol} route at runtime`,
  };
}

/** One of several TCP/UDP services fails: Traefik leaves it out and balances over the others. */
export const degradedServiceConsequence: Consequence = {
  provider: 'Traefik leaves this service out of the route\'s load balancer',
  runtime: 'Traefik leaves this service out of the route\'s load balancer',
};

export function objectConsequence(kind: string): Consequence {
  return {
    provider: `Traefik drops this ${kind}, so every route using it is disabled (404)`,
    runtime: `Traefik cannot build this ${kind} at runtime, so every route using it is disabled (404)`,
  };
}

function issueMessage(issue: Issue, consequence: Consequence): string {
  const hint = issue.hint ? ` ${asSentence(issue.hint)}` : '';
  if (issue.stage === 'note') return `${issue.error}.${hint}`;
  return `${consequence[issue.stage]}: ${issue.error}.${hint}`;
}

/** The notes that apply, as one hint; `fallback` when none does. */
export function hintFrom(notes: readonly string[], fallback: string): string {
  return notes.filter((note) => note !== '').join(' ') || fallback;
}

/** The fallback hint for a missing object: what the namespace does hold, so the user can pick. */
export function absentHint(kind: string, name: string, namespace: string, present: readonly string[]): string {
  if (present.length === 0) return `No ${kind} ${name} exists in namespace ${namespace}.`;
  const shown = present.slice(0, 5).join(', ') + (present.length > 5 ? ', …' : '');
  return `Namespace ${namespace} has no ${kind} ${name}; it has ${shown}.`;
}

/** Hints may come from other modules as clauses; a message needs them as sentences. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  const capitalized = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.?!]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

/**
 * The finding for an issue on `resource`, with the consequence it has there: an error when Traefik fails, a
 * warning for a note, or `severity` when the consequence itself is only a degradation.
 */
export function issueFinding(issue: Issue, consequence: Consequence, severity: Severity = isFailure(issue) ? 'error' : 'warning'): FindingInput {
  return {
    code: issue.code,
    severity,
    file: issue.file,
    span: issue.span,
    message: issueMessage(issue, consequence),
    ...(issue.related && issue.related.length > 0 ? { related: issue.related } : {}),
    ...(issue.data ? { data: issue.data } : {}),
  };
}

/** True when the issue makes Traefik fail (as opposed to a warning about a degraded setup). */
export function isFailure(issue: Issue): boolean {
  return issue.stage !== 'note';
}

/** A pointer to another object for `related`: its name in metadata, or the start of its document. */
export function relatedTo(resource: Resource, message: string, node?: YNode): RelatedInformation {
  return { file: resource.file, span: node?.span ?? nameSpan(resource), message };
}

/** The span of `metadata.name`, where findings about a whole object go. */
export function nameSpan(resource: Resource): Span {
  return get(resource.root, 'metadata', 'name')?.span ?? { start: resource.docSpan.start, end: resource.docSpan.start };
}

/**
 * The issue of a reference whose target exists but fails: when Traefik drops the target, the runtime reports
 * `missing` (the target "does not exist"); when the target is built and fails at runtime, its own error propagates.
 */
export function failingTargetIssue(code: string, at: { file: string; span: Span }, missing: string, target: Resource, failure: Issue): Issue {
  const related = [{ file: failure.file, span: failure.span, message: failure.error }];
  const data = { name: target.name, namespace: target.namespace, cause: failure.code };
  const described = `${target.kind} ${target.namespace}/${target.name}`;
  return failure.stage === 'provider'
    ? { code, stage: 'runtime', ...at, error: missing, hint: `Traefik drops ${described}: ${failure.error}.`, related, data }
    : { code, stage: 'runtime', ...at, error: failure.error, hint: `It comes from ${described}.`, related, data };
}

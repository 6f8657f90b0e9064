/**
 * Middleware references and Middleware objects. A reference is resolved by `resolveReference`; whether the
 * Middleware exists is only checked at runtime, where a Middleware that Traefik dropped (a missing auth secret,
 * a refused error-page service, a refused chain member) is as absent as one never written.
 */
import type { IndexView } from '../analyze';
import { derived } from '../index/derived';
import type { Resource, Span, TraefikOptions, YNode } from '../model';
import { asScalar, get, items, pair, str } from '../parse/ynode';
import { speaksFor, speaksForId } from './authority';
import type { Issue, TraefikEnv } from './issues';
import { absentHint, failingTargetIssue, hintFrom, isFailure, relatedTo } from './issues';
import { lookupSecret, secretKeys } from './kubernetes';
import { closestNames, crdProvider, didYouMean } from './names';
import { resolveReference, type ResolvedReference } from './references';
import { httpServiceRefIssues, visitingKeys, type Visiting } from './services';
import { candidateLocations, findVisible, findVisibleById, ignoredIdNote, ignoredTwinNote, traefikId, visibleInNamespace, visibleOfKind } from './visibility';

export type MiddlewareKind = 'Middleware' | 'MiddlewareTCP';

/** How Traefik words a refused middleware reference of a route or a chain. */
export function invalidMiddlewareReference(name: string, error: string): string {
  return `invalid reference to middleware ${name}: ${error}`;
}

/**
 * Every issue of one middleware reference ({name, namespace}) held by `holder`; `wrap` gives Traefik's message
 * for a refused reference in this field.
 */
export function middlewareRefIssues(env: TraefikEnv, holder: Resource, ref: YNode, kind: MiddlewareKind, wrap: (name: string, error: string) => string, visiting: Visiting): Issue[] {
  const resolution = resolveReference(env, holder, ref, wrap);
  if ('issue' in resolution) return [resolution.issue];
  const { resolved } = resolution;
  if (resolved.provider !== crdProvider) return [];
  const at = { file: holder.file, span: (resolved.nameNode ?? ref).span };
  const missing = `middleware "${resolved.id}@${crdProvider}" does not exist`;
  const target = findVisibleById(env, kind, resolved.id, resolved.namespace !== undefined ? { namespace: resolved.namespace, name: resolved.name } : undefined);
  if (!target) {
    const known = resolved.namespace !== undefined ? speaksFor(env, kind, resolved.namespace) : speaksForId(env, kind, resolved.id);
    return known ? [{ code: 'middleware-not-found', stage: 'runtime', ...at, error: missing, ...notFoundHint(env, kind, resolved) }] : [];
  }
  const key = `${kind}/${target.namespace}/${target.name}`;
  if (visiting.has(key)) {
    return [{ code: 'middleware-not-found', stage: 'runtime', ...at, error: `recursion detected in middleware "${resolved.id}@${crdProvider}"`, hint: 'A chain must not contain itself.', related: [relatedTo(target, 'the Middleware')] }];
  }
  const failure = kind === 'Middleware' ? middlewareIssues(env, target, new Set([...visiting, key])).find(isFailure) : undefined;
  return failure ? [failingTargetIssue('middleware-not-found', at, missing, target, failure)] : [];
}

function notFoundHint(env: TraefikEnv, kind: MiddlewareKind, resolved: ResolvedReference): Pick<Issue, 'hint' | 'related' | 'data'> {
  if (resolved.namespace === undefined) {
    const ids = visibleOfKind(env, kind).map(traefikId);
    const candidates = closestNames(resolved.id, ids);
    const hint = hintFrom([didYouMean(candidates.map((c) => `${c}@${crdProvider}`)), ignoredIdNote(env, kind, resolved.id, traefikId)],
      `No ${kind} has the id ${resolved.id} (Traefik's ids are <namespace>-<name>).`);
    return { hint, data: { name: resolved.name, candidates } };
  }
  const present = visibleInNamespace(env, kind, resolved.namespace).map((m) => m.name);
  const candidates = closestNames(resolved.name, present);
  const notes = [didYouMean(candidates), ignoredTwinNote(env, kind, resolved.namespace, resolved.name)];
  const otherKind = kind === 'Middleware' ? 'MiddlewareTCP' : 'Middleware';
  if (findVisible(env, otherKind, resolved.namespace, resolved.name)) {
    notes.push(`A ${otherKind} ${resolved.name} exists, but ${kind === 'Middleware' ? 'HTTP routes use Middleware' : 'TCP routes use MiddlewareTCP'}.`);
  }
  const hint = hintFrom(notes, absentHint(kind, resolved.name, resolved.namespace, present));
  return { hint, related: candidateLocations(env, kind, resolved.namespace, candidates), data: { name: resolved.name, namespace: resolved.namespace, candidates } };
}

/**
 * Everything wrong with a Middleware: provider failures make Traefik drop it (each logged as
 * `Error while reading … middleware`); references to other objects that do not exist fail at runtime.
 */
export function middlewareIssues(env: TraefikEnv, middleware: Resource, visiting: Visiting): readonly Issue[] {
  // Every route using the Middleware asks whether Traefik drops it, and so does its own check: it is worked out
  // once per state of the index, options and chain of objects being resolved.
  return derived(env.index, middlewareIssuesIn, env.options, middleware, ...visitingKeys(visiting));
}

function middlewareIssuesIn(index: IndexView, options: TraefikOptions, middleware: Resource, ...visiting: string[]): Issue[] {
  return readMiddlewareIssues({ index, options }, middleware, new Set(visiting));
}

function readMiddlewareIssues(env: TraefikEnv, middleware: Resource, visiting: Visiting): Issue[] {
  const spec = get(middleware.root, 'spec');
  const issues: Issue[] = [];
  const basicAuth = pair(spec, 'basicAuth');
  if (basicAuth) issues.push(...authSecretIssues(env, middleware, basicAuth.value, basicAuth.keySpan, 'basic auth'));
  const digestAuth = pair(spec, 'digestAuth');
  if (digestAuth) issues.push(...authSecretIssues(env, middleware, digestAuth.value, digestAuth.keySpan, 'digest auth'));
  const forwardAuth = pair(spec, 'forwardAuth');
  if (forwardAuth) {
    if (!str(get(forwardAuth.value, 'address'))) {
      issues.push({ code: 'middleware-invalid', stage: 'provider', file: middleware.file, span: forwardAuth.keySpan, error: 'Error while reading forward auth middleware: forward authentication requires an address', hint: 'Add address: with the URL of the authentication server.' });
    }
    issues.push(...tlsClientSecretIssues(env, middleware, get(forwardAuth.value, 'tls'), 'forward auth'));
  }
  const errorService = get(spec, 'errors', 'service');
  if (errorService) {
    issues.push(...httpServiceRefIssues(env, middleware, errorService, visiting).map((issue) => droppedBy(issue, 'error page')));
  }
  for (const member of items(get(spec, 'chain', 'middlewares'))) {
    issues.push(...middlewareRefIssues(env, middleware, member, 'Middleware', invalidMiddlewareReference, visiting).map((issue) => droppedBy(issue, 'chain')));
  }
  const plugin = get(spec, 'plugin');
  if (plugin) issues.push(...pluginSecretIssues(env, middleware, plugin));
  const redis = get(spec, 'rateLimit', 'redis');
  if (redis && env.options.version === 'v3') {
    const secret = get(redis, 'secret');
    if (secret) issues.push(...secretIssues(env, middleware, secret, 'rate limit', ['username', 'password']));
    issues.push(...tlsClientSecretIssues(env, middleware, get(redis, 'tls'), 'rate limit'));
  }
  return issues;
}

/** A provider failure inside the Middleware drops it; the Middleware's own code says so unless a Secret is missing. */
function droppedBy(issue: Issue, middlewareType: string): Issue {
  if (issue.stage !== 'provider') return issue;
  return {
    ...issue,
    code: issue.code === 'secret-not-found' ? issue.code : 'middleware-invalid',
    error: `Error while reading ${middlewareType} middleware: ${issue.error}`,
    data: { ...issue.data, cause: issue.code },
  };
}

/**
 * basicAuth/digestAuth `secret`: a Secret in the Middleware's namespace. A `kubernetes.io/basic-auth` Secret
 * (basicAuth only) needs `username` and `password`; any other Secret exactly one key of htpasswd lines.
 */
function authSecretIssues(env: TraefikEnv, middleware: Resource, auth: YNode, keySpan: Span, label: 'basic auth' | 'digest auth'): Issue[] {
  const node = get(auth, 'secret');
  const prefix = `Error while reading ${label} middleware: `;
  if (!node || !str(node)) {
    return [{ code: 'middleware-invalid', stage: 'provider', file: middleware.file, span: node?.span ?? keySpan, error: `${prefix}auth secret must be set`, hint: 'Add secret: with the name of a Secret holding the users.' }];
  }
  const read = readSecret(env, middleware, str(node)!, node, `${prefix}secret '${middleware.namespace}/${str(node)}' not found`);
  if (!read || 'issue' in read) return read ? [read.issue] : [];
  const { secret, keys } = read;
  const id = `${middleware.namespace}/${secret.name}`;
  const at = { file: middleware.file, span: node.span, related: [relatedTo(secret, `Secret ${id}`)], data: { secretName: secret.name, namespace: secret.namespace, keys } };
  if (label === 'basic auth' && str(get(secret.root, 'type')) === 'kubernetes.io/basic-auth') {
    if (keys.includes('username') && keys.includes('password')) return [];
    return [{ code: 'middleware-invalid', stage: 'provider', ...at, error: `${prefix}failed to load basic auth credentials: secret '${id}' must contain both username and password keys`, hint: 'Add the missing key to the Secret.' }];
  }
  if (keys.length === 1) return [];
  return [{ code: 'middleware-invalid', stage: 'provider', ...at, error: `${prefix}found ${keys.length} elements for secret '${id}', must be single element exactly`, hint: 'Keep one key whose value holds the htpasswd lines.' }];
}

/** `tls.caSecret` and `tls.certSecret` of forwardAuth and rateLimit.redis. */
function tlsClientSecretIssues(env: TraefikEnv, middleware: Resource, tls: YNode | undefined, label: string): Issue[] {
  const issues: Issue[] = [];
  const caSecret = get(tls, 'caSecret');
  if (caSecret && str(caSecret)) {
    issues.push(...secretIssues(env, middleware, caSecret, label, ['tls.ca', 'ca.crt'], 'failed to load auth ca secret: ', true));
  }
  const certSecret = get(tls, 'certSecret');
  if (certSecret && str(certSecret)) {
    issues.push(...secretIssues(env, middleware, certSecret, label, ['tls.crt', 'tls.key'], 'failed to load auth secret: '));
  }
  return issues;
}

/**
 * A Secret that must exist in the Middleware's namespace with `keys` (all of them, or with `anyKey` one of them;
 * a Secret with a single key also serves as a CA).
 */
function secretIssues(env: TraefikEnv, middleware: Resource, node: YNode, label: string, keys: string[], detailPrefix = '', anyKey = false): Issue[] {
  const prefix = `Error while reading ${label} middleware: ${detailPrefix}`;
  const name = str(node) ?? '';
  const id = `${middleware.namespace}/${name}`;
  const read = readSecret(env, middleware, name, node, `${prefix}secret '${id}' not found`);
  if (!read || 'issue' in read) return read ? [read.issue] : [];
  const { secret, keys: present } = read;
  const satisfied = anyKey ? keys.some((k) => present.includes(k)) || present.length === 1 : keys.every((k) => present.includes(k));
  if (satisfied) return [];
  return [{
    code: 'middleware-invalid', stage: 'provider', file: middleware.file, span: node.span,
    error: `${prefix}secret '${id}' ${anyKey ? `has none of the keys ${keys.join(', ')}` : `must contain the keys ${keys.join(' and ')}`}`,
    hint: 'Add the missing key to the Secret.', related: [relatedTo(secret, `Secret ${id}`)], data: { secretName: name, namespace: middleware.namespace, keys: present },
  }];
}

/**
 * The Secret `node` names in the Middleware's namespace with its keys; an issue when the workspace shows it
 * missing; undefined when nothing can be said (it is created elsewhere, or its data is not in the manifest).
 */
function readSecret(env: TraefikEnv, middleware: Resource, name: string, node: YNode, notFoundError: string): { issue: Issue } | { secret: Resource; keys: string[] } | undefined {
  const lookup = lookupSecret(env, middleware.namespace, name);
  if (lookup.state === 'missing') return { issue: secretNotFound(middleware, name, node, notFoundError, lookup) };
  const secret = lookup.state === 'exists' ? lookup.secret : undefined;
  const keys = secret && secretKeys(secret);
  return secret && keys ? { secret, keys } : undefined;
}

function secretNotFound(middleware: Resource, name: string, node: YNode, error: string, lookup: { known: string[]; note: string }): Issue {
  const candidates = closestNames(name, lookup.known);
  const hint = hintFrom([didYouMean(candidates), lookup.note], `Create Secret ${name} in namespace ${middleware.namespace}.`);
  return { code: 'secret-not-found', stage: 'provider', file: middleware.file, span: node.span, error, hint, data: { secretName: name, namespace: middleware.namespace, candidates } };
}

const secretUrnPrefix = 'urn:k8s:secret:';

/** Plugin settings may name Secret values as `urn:k8s:secret:<name>:<key>` anywhere in their tree. */
function pluginSecretIssues(env: TraefikEnv, middleware: Resource, plugin: YNode): Issue[] {
  const issues: Issue[] = [];
  const prefix = 'Error while reading plugins middleware: ';
  const visit = (node: YNode): void => {
    if (node.type === 'map') node.pairs.forEach((p) => visit(p.value));
    else if (node.type === 'seq') node.items.forEach(visit);
    else {
      const value = asScalar(node)?.value;
      if (typeof value !== 'string' || !value.startsWith(secretUrnPrefix)) return;
      const parts = value.slice(secretUrnPrefix.length).split(':');
      const at = { file: middleware.file, span: node.span };
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        issues.push({ code: 'middleware-invalid', stage: 'provider', ...at, error: `${prefix}malformed secret URN "${value}"`, hint: 'Write urn:k8s:secret:<secret name>:<key>.' });
        return;
      }
      const [name, key] = parts as [string, string];
      const id = `${middleware.namespace}/${name}`;
      const read = readSecret(env, middleware, name, node, `${prefix}secret ${id} is not found`);
      if (!read || 'issue' in read) {
        if (read) issues.push(read.issue);
        return;
      }
      const { secret, keys } = read;
      if (!keys.includes(key)) {
        issues.push({ code: 'middleware-invalid', stage: 'provider', ...at, error: `${prefix}key "${key}" not found in secret ${id}`, hint: didYouMean(closestNames(key, keys)) || `Secret ${id} has the keys ${keys.join(', ')}.`, related: [relatedTo(secret, `Secret ${id}`)], data: { secretName: name, key, keys } });
      }
    }
  };
  visit(plugin);
  return issues;
}

/**
 * TLS references: `tls.options` (a TLSOption, resolved by `resolveReference` and looked up at runtime),
 * `tls.secretName` (a Secret, or the Secret a cert-manager Certificate writes), and the Secrets that TLSOptions,
 * TLSStores and ServersTransports read. Only `tls.options` can disable a router; a missing certificate makes
 * Traefik serve its default one, and a missing CA or client certificate is skipped.
 */
import type { IndexView } from '../analyze';
import { derived } from '../index/derived';
import type { Resource, TraefikOptions, YNode } from '../model';
import { get, items, str } from '../parse/ynode';
import { speaksFor, speaksForId } from './authority';
import type { Issue, TraefikEnv } from './issues';
import { hintFrom, relatedTo } from './issues';
import { lookupSecret, secretKeys } from './kubernetes';
import { closestNames, crdProvider, didYouMean } from './names';
import { resolveReference } from './references';
import { candidateLocations, findVisible, ignoredTwinNote, visibleInNamespace, visibleOfKind } from './visibility';

/** The TLSOption (and TLSStore) named `default` applies to every router without its own, under the global id `default`. */
const defaultTlsOptionName = 'default';

/** Traefik's id for a TLSOption: `<namespace>-<name>` (not normalized), or `default`. */
function tlsOptionId(option: Resource): string {
  return option.name === defaultTlsOptionName ? defaultTlsOptionName : `${option.namespace}-${option.name}`;
}

/**
 * The TLSOptions (or TLSStores) named `default` when more than one namespace defines one: Traefik then removes
 * all of them (`Default TLS Options defined in multiple namespaces`); otherwise [].
 */
export function conflictingDefaults(env: TraefikEnv, kind: 'TLSOption' | 'TLSStore'): readonly Resource[] {
  // Every TLSOption (TLSStore) and every reference to one asks, and the answer reads all of them: once per state.
  return derived(env.index, conflictingDefaultsIn, env.options, kind);
}

function conflictingDefaultsIn(index: IndexView, options: TraefikOptions, kind: 'TLSOption' | 'TLSStore'): Resource[] {
  const defaults = visibleOfKind({ index, options }, kind).filter((o) => o.name === defaultTlsOptionName);
  return new Set(defaults.map((o) => o.namespace)).size > 1 ? defaults : [];
}

/** Issues of an IngressRoute(TCP)'s `tls.options` (none when it names nothing). */
export function tlsOptionRefIssues(env: TraefikEnv, holder: Resource, ref: YNode | undefined): Issue[] {
  if (!ref || !str(get(ref, 'name'))) return [];
  const resolution = resolveReference(env, holder, ref, (name, error) => `Invalid reference to TLSOption "${name}": ${error}`);
  if ('issue' in resolution) return [resolution.issue];
  const { resolved } = resolution;
  if (resolved.provider !== crdProvider) return [];
  const candidates = resolved.namespace !== undefined ? visibleInNamespace(env, 'TLSOption', resolved.namespace) : visibleOfKind(env, 'TLSOption');
  const removed = conflictingDefaults(env, 'TLSOption');
  if (candidates.some((o) => tlsOptionId(o) === resolved.id && !removed.includes(o))) return [];
  if (!(resolved.namespace !== undefined ? speaksFor(env, 'TLSOption', resolved.namespace) : speaksForId(env, 'TLSOption', resolved.id))) return [];
  const notes: string[] = [];
  const suggestions: string[] = [];
  const sameName = resolved.namespace !== undefined ? findVisible(env, 'TLSOption', resolved.namespace, resolved.name) : undefined;
  if (sameName?.name === defaultTlsOptionName) {
    notes.push('The TLSOption named default applies to every router without tls.options and cannot be named here; remove tls.options to use it.');
  } else if (sameName) {
    notes.push(`Traefik registers TLSOption ${sameName.namespace}/${sameName.name} as "${tlsOptionId(sameName)}" but looks this reference up as "${resolved.id}"; give the TLSOption a name of letters, digits and dashes.`);
  } else if (resolved.namespace !== undefined) {
    suggestions.push(...closestNames(resolved.name, candidates.map((o) => o.name)));
    notes.push(didYouMean(suggestions), ignoredTwinNote(env, 'TLSOption', resolved.namespace, resolved.name));
  }
  return [{
    code: 'tls-options-not-found', stage: 'runtime', file: holder.file, span: (resolved.nameNode ?? ref).span,
    error: `unknown TLS options: ${resolved.id}@${crdProvider}`,
    hint: hintFrom(notes, `No TLSOption ${resolved.namespace !== undefined ? `${resolved.name} exists in namespace ${resolved.namespace}` : `has the id ${resolved.id}`}.`),
    related: sameName ? [relatedTo(sameName, `TLSOption ${sameName.namespace}/${sameName.name}`)] : candidateLocations(env, 'TLSOption', resolved.namespace ?? '', suggestions),
    data: { name: resolved.name, namespace: resolved.namespace, candidates: suggestions },
  }];
}

/**
 * `tls.secretName` of a route: a Secret in the route's namespace with `tls.crt` and `tls.key`, or one that a
 * cert-manager Certificate in that namespace will write.
 */
export function tlsSecretIssues(env: TraefikEnv, holder: Resource, node: YNode | undefined): Issue[] {
  const name = str(node);
  if (!node || !name) return [];
  const id = `${holder.namespace}/${name}`;
  const at = { file: holder.file, span: node.span };
  if (name.includes('/') && !name.includes('${')) {
    // No Secret can have this name, whatever the workspace holds: Secret names are DNS subdomains.
    return [{
      code: 'tls-secret-not-found', stage: 'note', ...at,
      error: `Error configuring TLS: secret ${id} does not exist; Traefik keeps the route and serves its default certificate`,
      hint: `Traefik always looks tls.secretName up in the route's namespace (${holder.namespace}), and a Secret name cannot contain "/", so it cannot name another namespace. Put a copy of the Secret in namespace ${holder.namespace} (for example a cert-manager Certificate there) and name it without a namespace, or serve the certificate as the default certificate of a TLSStore.`,
      // The cause says that no source can create this Secret, so it never becomes reference-unverified.
      data: { secretName: name, namespace: holder.namespace, candidates: [], cause: 'namespace-in-name' },
    }];
  }
  const lookup = lookupSecret(env, holder.namespace, name);
  if (lookup.state === 'unknown') return [];
  if (lookup.state === 'missing') {
    const candidates = closestNames(name, lookup.known);
    return [{
      code: 'tls-secret-not-found', stage: 'note', ...at,
      error: `Error configuring TLS: secret ${id} does not exist; Traefik keeps the route and serves its default certificate`,
      hint: hintFrom([didYouMean(candidates), lookup.note], `Create the Secret, or a cert-manager Certificate with spec.secretName: ${name} in namespace ${holder.namespace}.`),
      data: { secretName: name, namespace: holder.namespace, candidates },
    }];
  }
  const keys = lookup.secret && secretKeys(lookup.secret);
  const missing = ['tls.crt', 'tls.key'].filter((k) => keys && !keys.includes(k));
  if (!lookup.secret || missing.length === 0) return [];
  return [{
    code: 'tls-secret-not-found', stage: 'note', ...at,
    error: `Error configuring TLS: secret ${id} is missing the following TLS data entries: ${missing.join(', ')}; Traefik serves its default certificate on this route`,
    hint: 'Store the certificate under tls.crt and its key under tls.key.', related: [relatedTo(lookup.secret, `Secret ${id}`)], data: { secretName: name, namespace: holder.namespace, keys },
  }];
}

/**
 * Secrets named by TLSOptions (`clientAuth.secretNames`), TLSStores (`defaultCertificate`, `certificates`) and
 * ServersTransports (`rootCAsSecrets`, `rootCAs[].secret`, `certificatesSecrets`). Traefik logs a missing one and
 * goes on without it, or without the whole TLSStore, so these are warnings that say which.
 */
export function referencedSecretIssues(env: TraefikEnv, holder: Resource): Issue[] {
  const spec = get(holder.root, 'spec');
  const secretNames: { node: YNode | undefined; effect: string }[] = [];
  const add = (nodes: (YNode | undefined)[], effect: string) => secretNames.push(...nodes.map((node) => ({ node, effect })));
  switch (holder.kind) {
    case 'TLSOption':
      add(items(get(spec, 'clientAuth', 'secretNames')), 'Traefik leaves this CA out of the TLSOption');
      break;
    case 'TLSStore': {
      const wholeStore = 'Traefik skips the whole TLSStore and serves its own default certificate';
      add([get(spec, 'defaultCertificate', 'secretName')], wholeStore);
      // Traefik v3 leaves a bad certificate out of the store; v2 skips the store.
      add(items(get(spec, 'certificates')).map((c) => get(c, 'secretName')), env.options.version === 'v3' ? 'Traefik leaves this certificate out of the TLSStore' : wholeStore);
      break;
    }
    default:
      add([...items(get(spec, 'rootCAsSecrets')), ...items(get(spec, 'rootCAs')).map((c) => get(c, 'secret'))], `Traefik leaves this CA out of the ${holder.kind}`);
      add(items(get(spec, 'certificatesSecrets')), `Traefik leaves this client certificate out of the ${holder.kind}`);
  }
  const issues: Issue[] = [];
  for (const { node, effect } of secretNames) {
    const name = str(node);
    const lookup = name ? lookupSecret(env, holder.namespace, name) : undefined;
    if (!node || !name || lookup?.state !== 'missing') continue;
    const candidates = closestNames(name, lookup.known);
    issues.push({
      code: 'secret-not-found', stage: 'note', file: holder.file, span: node.span,
      error: `Secret ${holder.namespace}/${name} does not exist, so ${effect}`,
      hint: hintFrom([didYouMean(candidates), lookup.note], `Create Secret ${name} in namespace ${holder.namespace}.`),
      data: { secretName: name, namespace: holder.namespace, candidates },
    });
  }
  return issues;
}

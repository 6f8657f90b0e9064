/**
 * Traefik's `resolveReference`, used for route and service middlewares, chain members and `tls.options`, and
 * `makeServersTransportKey` for `serversTransport`. Both turn a {name, namespace} reference into the id Traefik
 * looks up at runtime, or refuse it (cross-namespace, `@kubernetescrd` while cross-namespace is off,
 * `crossProviderNamespaces`). Neither checks that the target exists: that happens at runtime.
 */
import type { Resource, YNode } from '../model';
import { get, str } from '../parse/ynode';
import type { Issue, TraefikEnv } from './issues';
import { crdProvider, normalize, splitProvider } from './names';

export interface ResolvedReference {
  /** The id Traefik looks up at runtime, without the `@provider` suffix for CRD objects. */
  id: string;
  /** `kubernetescrd` for this provider's objects, or the other provider named after `@`. */
  provider: string;
  /** The namespace of a plain (`@`-less) reference, after defaulting. */
  namespace?: string;
  name: string;
  nameNode?: YNode;
}

export type ReferenceResolution = { resolved: ResolvedReference } | { issue: Issue };

const crdSuffixRefused = 'when allowCrossNamespace is disabled, @kubernetescrd references are disallowed';
const crossNamespaceRefused = 'allowCrossNamespace is disabled, cross-namespace are disallowed';

export function crossProviderRefused(env: TraefikEnv, parentNamespace: string): boolean {
  const allowed = env.options.crossProviderNamespaces;
  return allowed !== undefined && !allowed.includes(parentNamespace);
}

export const allowCrossNamespaceHint = 'Set allowCrossNamespace: true in Traefik\'s kubernetesCRD provider, or move the object into this namespace.';

/**
 * Resolves `ref` ({name, namespace}) held by `holder`. `wrap` turns the inner error into Traefik's message for
 * this field, for example `invalid reference to middleware <name>: <error>`.
 */
export function resolveReference(env: TraefikEnv, holder: Resource, ref: YNode, wrap: (name: string, error: string) => string): ReferenceResolution {
  const nameNode = get(ref, 'name');
  const namespaceNode = get(ref, 'namespace');
  const name = str(nameNode) ?? '';
  const parentNamespace = holder.namespace;
  const at = { file: holder.file, span: (nameNode ?? ref).span };
  const { base, provider } = splitProvider(name);
  if (provider !== undefined) {
    if (!env.options.allowCrossNamespace && provider === crdProvider) {
      return {
        issue: {
          code: 'cross-provider-reference', stage: 'provider', ...at, error: wrap(name, crdSuffixRefused),
          hint: 'Reference an object of this namespace by its plain name, or set allowCrossNamespace: true.',
          data: { name, provider },
        },
      };
    }
    if (crossProviderRefused(env, parentNamespace)) {
      return {
        issue: {
          code: 'cross-provider-reference', stage: 'provider', ...at,
          error: wrap(name, `namespace "${parentNamespace}" is not in crossProviderNamespaces`),
          hint: `Add ${parentNamespace} to crossProviderNamespaces in Traefik's kubernetesCRD provider.`,
          data: { name, provider, namespace: parentNamespace },
        },
      };
    }
    return { resolved: { id: provider === crdProvider ? base : name, provider, name, nameNode } };
  }
  const namespace = str(namespaceNode) || parentNamespace;
  if (!env.options.allowCrossNamespace && namespace !== parentNamespace) {
    return {
      issue: {
        code: 'cross-namespace-reference', stage: 'provider', file: holder.file, span: (namespaceNode ?? ref).span,
        error: wrap(name, crossNamespaceRefused), hint: allowCrossNamespaceHint,
        data: { name, namespace, parentNamespace },
      },
    };
  }
  return { resolved: { id: normalize(`${namespace}-${name}`), provider: crdProvider, namespace, name, nameNode } };
}

/**
 * `makeServersTransportKey`: a plain name becomes `Normalize(<service namespace>-<name>)`; `…@kubernetescrd` is
 * refused while cross-namespace is off, and any `@` name when crossProviderNamespaces excludes the namespace.
 */
export function resolveServersTransport(env: TraefikEnv, holder: Resource, node: YNode, serviceNamespace: string): ReferenceResolution {
  const name = str(node) ?? '';
  const at = { file: holder.file, span: node.span };
  const { base, provider } = splitProvider(name);
  if (provider === undefined) {
    return { resolved: { id: normalize(`${serviceNamespace}-${name}`), provider: crdProvider, namespace: serviceNamespace, name, nameNode: node } };
  }
  if (provider === crdProvider && !env.options.allowCrossNamespace) {
    return {
      issue: {
        code: 'cross-provider-reference', stage: 'provider', ...at,
        error: `invalid reference to serversTransport ${name}: namespace-name@kubernetescrd format is not allowed when crossnamespace is disallowed`,
        hint: 'Name a ServersTransport of the service\'s namespace without @kubernetescrd, or set allowCrossNamespace: true.',
        data: { name, provider },
      },
    };
  }
  if (crossProviderRefused(env, holder.namespace)) {
    return {
      issue: {
        code: 'cross-provider-reference', stage: 'provider', ...at,
        error: `serversTransport "${name}" reference is not allowed: namespace "${holder.namespace}" is not in crossProviderNamespaces`,
        hint: `Add ${holder.namespace} to crossProviderNamespaces in Traefik's kubernetesCRD provider.`,
        data: { name, provider, namespace: holder.namespace },
      },
    };
  }
  return { resolved: { id: provider === crdProvider ? base : name, provider, name, nameNode: node } };
}

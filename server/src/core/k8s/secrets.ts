/**
 * Whether a Secret will exist in a namespace. Secrets are often created outside Git (kubectl, a vault operator),
 * so the workspace only speaks for a namespace where it manages secret material: a Secret, a cert-manager
 * Certificate, a Bitnami SealedSecret or an ExternalSecret. Elsewhere the answer is `unknown`.
 */
import type { IndexView } from '../analyze';
import type { Resource } from '../model';
import { get, str } from '../parse/ynode';

export type SecretSource =
  /** Something in the workspace is, or creates, the Secret. */
  | { state: 'exists'; resource: Resource }
  /** The workspace manages secrets in this namespace, and none of them is this one. */
  | { state: 'missing'; known: string[] }
  | { state: 'unknown' };

/** The name of the Secret each secret-producing object yields. */
function producedSecretName(resource: Resource): string | undefined {
  switch (resource.kind) {
    case 'Certificate': return str(get(resource.root, 'spec', 'secretName'));
    case 'ExternalSecret': return str(get(resource.root, 'spec', 'target', 'name')) ?? resource.name;
    default: return resource.name;
  }
}

const secretKinds: readonly string[] = ['Secret', 'Certificate', 'SealedSecret', 'ExternalSecret'];

export function findSecretSource(index: IndexView, namespace: string, name: string): SecretSource {
  const known: string[] = [];
  for (const kind of secretKinds) {
    for (const resource of index.inNamespace(kind, namespace)) {
      const produced = producedSecretName(resource);
      if (produced === name) return { state: 'exists', resource };
      if (produced !== undefined) known.push(produced);
    }
  }
  return known.length > 0 ? { state: 'missing', known } : { state: 'unknown' };
}

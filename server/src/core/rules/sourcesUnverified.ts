/**
 * reference-unverified: a reference names an object that is not in the workspace, but a source the workspace does
 * not spell out (a Helm release, an Argo CD application, a remote kustomize base, an operator) could create it in
 * that namespace. The checks report such references as missing; the engine turns those findings into this
 * information, naming the likely source. `unverifiedAsErrors` keeps them errors.
 */
import type { Finding, Severity } from '../model';
import type { Creator, Wanted } from '../sources/creators';

/** The kind each "not found" code looks for, and where its finding's data names the object. */
const missingKinds: Readonly<Record<string, string | ((data: Record<string, unknown>) => string | undefined)>> = {
  'service-not-found': 'Service',
  'middleware-not-found': (data) => (typeof data['middleware'] === 'string' ? undefined : 'Middleware'),
  'traefikservice-not-found': 'TraefikService',
  'tls-options-not-found': 'TLSOption',
  'servers-transport-not-found': (data) => (typeof data['kind'] === 'string' ? data['kind'] : 'ServersTransport'),
  'secret-not-found': 'Secret',
  'tls-secret-not-found': 'Secret',
  'parent-not-found': 'IngressRoute',
};

/**
 * The object a "not found" finding looks for, when its data names it. Findings about an object that exists but
 * fails (their data names a `cause`) and references by Traefik id without a namespace have no such object.
 */
export function missingObject(finding: Finding): Wanted | undefined {
  const kindOf = missingKinds[finding.code];
  const data = finding.data;
  if (!kindOf || !data || data['cause'] !== undefined) return undefined;
  const kind = typeof kindOf === 'string' ? kindOf : kindOf(data);
  const name = [data['serviceName'], data['secretName'], data['name']].find((v): v is string => typeof v === 'string' && v !== '');
  const namespace = data['namespace'];
  if (!kind || !name || typeof namespace !== 'string' || namespace === '') return undefined;
  return { kind, namespace, name };
}

export function unverifiedFinding(finding: Finding, wanted: Wanted, creator: Creator, asErrors: boolean): Finding {
  const severity: Severity = asErrors ? 'error' : 'information';
  const shown = wanted.namespace === creator.namespace ? wanted.name : `${wanted.namespace}/${wanted.name}`;
  return {
    ...finding,
    code: 'reference-unverified',
    severity,
    message: `${wanted.kind} ${shown} may be created by ${creator.description}; not verified. If nothing creates it: ${finding.message}`,
    related: [...(finding.related ?? []), { file: creator.file, span: creator.span, message: `${creator.description} may create ${wanted.kind} ${wanted.namespace}/${wanted.name}` }],
    data: { ...finding.data, originalCode: finding.code, kind: wanted.kind, source: creator.description },
  };
}

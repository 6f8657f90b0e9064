/**
 * Every diagnostic code Route Doctor reports, with its default severity and a one-line description.
 * Severity follows what Traefik does: error where the route is dropped or answers 404/503, warning where it
 * degrades, information where nothing can be verified. The README's rule table is generated from the same data.
 */
import type { Severity } from '../model';

export interface RuleInfo {
  code: string;
  severity: Severity;
  description: string;
}

const rules: RuleInfo[] = [
  { code: 'service-not-found', severity: 'error', description: 'A route or TraefikService names a Service that does not exist in that namespace.' },
  { code: 'service-port-missing', severity: 'error', description: 'A service reference has no port; Traefik requires one for kind Service.' },
  { code: 'service-port-not-found', severity: 'error', description: 'The referenced port is not one of the Service\'s ports (numbers match spec.ports[].port, strings match the port name).' },
  { code: 'cross-namespace-reference', severity: 'error', description: 'A reference crosses namespaces while allowCrossNamespace is off.' },
  { code: 'cross-provider-reference', severity: 'error', description: 'A name@provider reference is not allowed (crossProviderNamespaces, or @kubernetescrd with allowCrossNamespace off).' },
  { code: 'external-name-not-allowed', severity: 'error', description: 'An ExternalName Service is used while allowExternalNameServices is off.' },
  { code: 'service-no-endpoints', severity: 'error', description: 'The Service has no endpoints: Traefik finds no servers and drops the route.' },
  { code: 'traefikservice-not-found', severity: 'error', description: 'A reference to a TraefikService that does not exist (or that Traefik drops).' },
  { code: 'traefikservice-invalid', severity: 'error', description: 'A TraefikService that Traefik cannot build; every route using it fails.' },
  { code: 'middleware-not-found', severity: 'error', description: 'A reference to a Middleware that does not exist (or that Traefik drops).' },
  { code: 'middleware-invalid', severity: 'error', description: 'A Middleware that Traefik cannot build (missing secret, bad error-page service, bad chain); every route using it fails.' },
  { code: 'tls-options-not-found', severity: 'error', description: 'tls.options names a TLSOption that does not exist.' },
  { code: 'servers-transport-not-found', severity: 'error', description: 'serversTransport names a ServersTransport that does not exist.' },
  { code: 'tls-secret-not-found', severity: 'warning', description: 'tls.secretName names a Secret that does not exist and no cert-manager Certificate creates; Traefik serves its default certificate.' },
  { code: 'secret-not-found', severity: 'error', description: 'A Middleware names a Secret that does not exist; Traefik drops the Middleware.' },
  { code: 'selector-no-match', severity: 'warning', description: 'A Service selector matches no Pod template in its namespace.' },
  { code: 'target-port-not-found', severity: 'warning', description: 'A named targetPort is not declared by the selected containers.' },
  { code: 'probe-port-not-found', severity: 'error', description: 'A probe names a port its container does not declare: a readiness or startup probe keeps the Pods unready, a liveness probe restarts the container. An undeclared port number is only noted.' },
  { code: 'workload-selector-mismatch', severity: 'error', description: 'A workload\'s spec.selector does not match its own Pod template labels.' },
  { code: 'middleware-annotation-format', severity: 'error', description: 'An Ingress router.middlewares annotation entry is not written as <namespace>-<name>@kubernetescrd.' },
  { code: 'deprecated-api-group', severity: 'error', description: 'traefik.containo.us objects are ignored by Traefik v3 (deprecated in v2.10+).' },
  { code: 'route-kind-missing', severity: 'error', description: 'Traefik v2 requires kind: Rule on every route.' },
  { code: 'duplicate-match', severity: 'warning', description: 'Two routes of one IngressRoute have the same match; the last one wins.' },
  { code: 'rule-empty', severity: 'error', description: 'A route has an empty match; Traefik drops it.' },
  { code: 'rule-syntax', severity: 'error', description: 'The match rule does not parse; Traefik disables the router.' },
  { code: 'rule-unknown-matcher', severity: 'error', description: 'The match rule calls a matcher Traefik does not know.' },
  { code: 'rule-v2-matcher', severity: 'error', description: 'A v2-only matcher or form under v3 rule syntax.' },
  { code: 'rule-syntax-deprecated', severity: 'warning', description: 'The syntax field (and core.defaultRuleSyntax) is deprecated since Traefik v3.4.' },
  { code: 'hostsni-requires-tls', severity: 'error', description: 'A TCP HostSNI other than * needs tls on the IngressRouteTCP.' },
  { code: 'parent-not-found', severity: 'error', description: 'parentRefs names an IngressRoute that does not exist.' },
  { code: 'ingress-class-mismatch', severity: 'information', description: 'The object\'s ingress class is not the one Traefik watches; Traefik ignores it.' },
  { code: 'namespace-not-watched', severity: 'information', description: 'The object is in a namespace Traefik does not watch.' },
  { code: 'invalid-value', severity: 'error', description: 'A field has a value Traefik rejects (strategy, scheme, healthCheck on a non-ExternalName Service, …).' },
  { code: 'route-without-service', severity: 'error', description: 'A route has no services (and, in Traefik v3.6+, no child IngressRoute attached), so its router has nothing to send requests to.' },
  { code: 'tls-default-conflict', severity: 'warning', description: 'Several namespaces define the TLSOption or TLSStore named default; Traefik removes all of them and uses its built-in defaults.' },
  { code: 'live-service-not-found', severity: 'error', description: 'Live cluster: a route references a Service that does not exist in the cluster.' },
  { code: 'live-no-endpoints', severity: 'error', description: 'Live cluster: the referenced Service has no ready endpoint for the port (no Pod matches its selector, a named port is missing, or the Pods are not ready).' },
  { code: 'live-drift', severity: 'warning', description: 'Live cluster: the cluster runs something other than the file says (selector, labels, ports, service names): not applied yet, or changed by hand.' },
  { code: 'live-not-deployed', severity: 'error', description: 'Live cluster: the IngressRoute (or a Middleware or TraefikService of the workspace) is not in the cluster.' },
  { code: 'live-crd-missing', severity: 'error', description: 'Live cluster: the cluster does not serve the IngressRoute CRD or its API group.' },
  { code: 'live-traefik-error', severity: 'error', description: 'Live cluster: Traefik\'s log has an error about this route\'s Service or Middleware (quoted).' },
  { code: 'kustomize-name-reference', severity: 'error', description: 'A kustomize build renames an object (namePrefix, nameSuffix, a generator\'s hash) but not this reference to it: kustomize only updates Traefik resources with a nameReference configuration.' },
  { code: 'kustomize-build-fails', severity: 'error', description: 'A kustomize build fails (a resources entry names no file or folder, a document it includes is not valid YAML), so kustomize, Flux and Argo CD apply nothing of it.' },
  { code: 'kustomize-unlisted-file', severity: 'warning', description: 'The kustomization of this file\'s folder does not list it, so kustomize, Flux and Argo CD never apply its objects.' },
  { code: 'reference-unverified', severity: 'information', description: 'The referenced object is not in the workspace, but a Helm release, Argo CD application, remote kustomize base or operator could create it; not verified (unverifiedAsErrors reports it as an error).' },
  { code: 'yaml-unparsed', severity: 'information', description: 'A document could not be read as YAML, so it was not checked.' },
  { code: 'file-skipped', severity: 'information', description: 'A file was not read (too large, or binary).' },
];

export const ruleCatalog: ReadonlyMap<string, RuleInfo> = new Map(rules.map((r) => [r.code, r]));

export function defaultSeverity(code: string): Severity {
  return ruleCatalog.get(code)?.severity ?? 'error';
}

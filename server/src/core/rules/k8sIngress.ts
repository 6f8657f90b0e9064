/**
 * Checks on networking.k8s.io/v1 Ingresses that Traefik's Kubernetes Ingress provider processes: backends (Service,
 * port, endpoints), TLS Secrets, and the `router.middlewares` annotation. Ingresses of other controllers are left
 * alone entirely.
 */
import type { Check, CheckContext } from '../analyze';
import { predictEndpointsFromWorkloads } from '../k8s/endpoints';
import { normalize } from '../traefik/names';
import { ingressBackends, middlewareEntries, middlewaresAnnotation, traefikProcessesIngress, type IngressBackend, type MiddlewareEntry } from '../k8s/ingress';
import { findSecretSource } from '../k8s/secrets';
import { closestMatch } from '../k8s/similar';
import type { Resource, YMap } from '../model';
import { asMap, asScalar, get, items, pair, str } from '../parse/ynode';

function checked(resource: Resource, ctx: CheckContext): boolean {
  return resource.apiVersion === 'networking.k8s.io/v1' && traefikProcessesIngress(ctx.index, resource, ctx.options.traefik);
}

/** How a backend's failure shows: a path Traefik skips, or the catch-all router of a rule-less Ingress. */
function skipped(backend: IngressBackend): string {
  return backend.isDefault ? 'skips the default backend' : 'skips this path';
}

interface ServicePortInfo {
  node: YMap;
  name: string | undefined;
  port: string | undefined;
  targetPort: string | undefined;
}

function servicePorts(service: Resource): ServicePortInfo[] {
  return items(get(service.root, 'spec', 'ports')).flatMap((p) => {
    const node = asMap(p);
    return node ? [{ node, name: str(get(node, 'name')), port: str(get(node, 'port')), targetPort: str(get(node, 'targetPort')) }] : [];
  });
}

/** The Service port a backend names (`port.number` against `port`, `port.name` against a non-empty `name`), with its Service document. */
function matchPort(services: readonly Resource[], port: NonNullable<IngressBackend['port']>): { service: Resource; port: ServicePortInfo } | undefined {
  for (const service of services) {
    for (const p of servicePorts(service)) {
      if ('number' in port ? p.port === String(port.number) : p.name !== undefined && p.name === port.name) return { service, port: p };
    }
  }
  return undefined;
}

export const ingressBackendsCheck: Check = {
  name: 'ingress-backends',
  kinds: ['Ingress'],
  run(resource, ctx) {
    if (!checked(resource, ctx)) return;
    const ns = resource.namespace;
    const options = ctx.options.traefik;
    for (const backend of ingressBackends(resource)) {
      const nameNode = backend.name;
      const name = str(nameNode);
      if (!nameNode || !name) continue;
      const ref = `${ns}/${name}`;
      const services = ctx.index.find('Service', ns, name);
      if (services.length === 0) {
        // Without any Service of this namespace in the workspace, the Services come from elsewhere (a chart, an
        // operator): a missing one proves nothing.
        const known = ctx.index.inNamespace('Service', ns).map((s) => s.name);
        if (known.length === 0) continue;
        const suggestion = closestMatch(name, known);
        ctx.report({
          code: 'service-not-found',
          span: nameNode.span,
          message: `Traefik ${skipped(backend)} (404): Service ${ref} does not exist ("service not found").`
            + (suggestion ? ` Did you mean ${suggestion}?` : ` Services in namespace ${ns}: ${known.join(', ')}.`),
          data: { namespace: ns, name, candidates: known, ...(suggestion ? { suggestion } : {}) },
        }, resource);
        continue;
      }
      const externalName = services.some((s) => str(get(s.root, 'spec', 'type')) === 'ExternalName');
      if (externalName && !options.allowExternalNameServices) {
        ctx.report({
          code: 'external-name-not-allowed',
          span: nameNode.span,
          message: `Traefik ${skipped(backend)} (404): ${ref} is an ExternalName Service and allowExternalNameServices is off ("externalName services not allowed"). Enable the option in Traefik's Kubernetes Ingress provider, or use a Service with a selector.`,
          related: [{ file: services[0]!.file, span: pair(get(services[0]!.root, 'spec'), 'type')?.value.span ?? services[0]!.docSpan, message: 'type: ExternalName' }],
          data: { namespace: ns, name },
        }, resource);
        continue;
      }
      if (!backend.port) continue;
      const match = matchPort(services, backend.port);
      if (!match) {
        // A Service that needs ports but lists none here is a partial document (a patch whose base lives elsewhere).
        if (externalName || services.some((s) => servicePorts(s).length > 0)) reportPortNotFound(resource, ctx, backend, backend.port, services);
        continue;
      }
      if (externalName) continue;
      const verdict = predictEndpointsFromWorkloads(ctx.index, match.service, match.port.node);
      if (verdict.state !== 'none') continue;
      const outcome = options.allowEmptyServices
        ? 'Traefik keeps this backend without servers, so it answers 503'
        : `Traefik finds no endpoints for ${ref} and ${skipped(backend)} (404)`;
      ctx.report({
        code: 'service-no-endpoints',
        span: nameNode.span,
        message: `${outcome}: ${verdict.cause}.`,
        related: verdict.related,
        data: { reason: verdict.reason, ...verdict.data },
      }, resource);
    }
  },
};

function reportPortNotFound(resource: Resource, ctx: CheckContext, backend: IngressBackend, port: NonNullable<IngressBackend['port']>, services: readonly Resource[]): void {
  const ref = `${resource.namespace}/${str(backend.name)}`;
  const ports = services.flatMap(servicePorts);
  const listed = ports.map((p) => (p.name ? `${p.name} (${p.port})` : `${p.port}`)).join(', ') || 'none';
  let hint = '';
  let suggestion: string | undefined;
  if ('number' in port) {
    const byTarget = ports.find((p) => p.targetPort === String(port.number));
    if (byTarget) {
      suggestion = byTarget.port;
      hint = ` ${port.number} is the targetPort of its port ${byTarget.name ? `${byTarget.name} (${byTarget.port})` : byTarget.port}: an Ingress backend names the Service's port, not the container's. Use ${byTarget.port}.`;
    }
  } else {
    suggestion = closestMatch(port.name, ports.flatMap((p) => (p.name ? [p.name] : [])));
    if (suggestion) hint = ` Did you mean ${suggestion}?`;
  }
  const wanted = 'number' in port ? `port ${port.number}` : `port named "${port.name}"`;
  ctx.report({
    code: 'service-port-not-found',
    span: port.node.span,
    message: `Traefik ${skipped(backend)} (404): Service ${ref} has no ${wanted} ("service port not found"; its ports: ${listed}).${hint}`,
    related: services.map((s) => ({ file: s.file, span: pair(get(s.root, 'spec'), 'ports')?.keySpan ?? s.docSpan, message: `Ports of Service ${ref}: ${listed}` })),
    data: {
      port: 'number' in port ? port.number : port.name,
      ports: ports.map((p) => ({ name: p.name ?? null, port: p.port === undefined ? null : Number(p.port) })),
      ...(suggestion ? { suggestion } : {}),
    },
  }, resource);
}

/**
 * Annotations that make something else supply the certificate: cert-manager's ingress-shim creates the Secret, and a
 * Traefik certificate resolver serves ACME certificates whether or not the Secret loads.
 */
const certificateAnnotations: readonly string[] = [
  'cert-manager.io/cluster-issuer', 'cert-manager.io/issuer', 'kubernetes.io/tls-acme',
  'traefik.ingress.kubernetes.io/router.tls.certresolver',
];

export const ingressTlsCheck: Check = {
  name: 'ingress-tls',
  kinds: ['Ingress'],
  run(resource, ctx) {
    if (!checked(resource, ctx)) return;
    if (certificateAnnotations.some((a) => a in resource.annotations)) return;
    for (const tls of items(get(resource.root, 'spec', 'tls'))) {
      const secretNode = asScalar(get(tls, 'secretName'));
      const secretName = str(secretNode);
      if (!secretNode || !secretName) continue;
      const source = findSecretSource(ctx.index, resource.namespace, secretName);
      if (source.state !== 'missing') continue;
      const hosts = items(get(tls, 'hosts')).map(str).filter((h): h is string => !!h);
      const suggestion = closestMatch(secretName, source.known);
      ctx.report({
        code: 'tls-secret-not-found',
        span: secretNode.span,
        message: `Secret ${resource.namespace}/${secretName} does not exist, so Traefik logs "Error configuring TLS" and serves its default certificate${hosts.length > 0 ? ` for ${hosts.join(', ')}` : ''}: clients will reject it.`
          + (suggestion ? ` Did you mean ${suggestion}?` : '')
          + ` Create the Secret (type kubernetes.io/tls), or a cert-manager Certificate with spec.secretName: ${secretName}.`,
        data: { namespace: resource.namespace, secretName, known: source.known, ...(suggestion ? { suggestion } : {}) },
      }, resource);
    }
  },
};

const crdSuffix = '@kubernetescrd';

/** Ids Traefik gives the workspace's Middleware objects (`<ns>-<name>`, normalized), with the objects behind each. */
function middlewareIds(ctx: CheckContext): Map<string, Resource[]> {
  const ids = new Map<string, Resource[]>();
  for (const m of ctx.index.ofKind('Middleware')) {
    const id = normalize(`${m.namespace}-${m.name}`);
    ids.set(id, [...(ids.get(id) ?? []), m]);
  }
  return ids;
}

/** The `<ns>-<name>@kubernetescrd` spelling of a bare middleware name, preferring a namespace where it exists. */
function qualified(entry: string, ingress: Resource, ctx: CheckContext): string {
  const name = entry.endsWith(crdSuffix) ? entry.slice(0, -crdSuffix.length) : entry;
  const slash = name.indexOf('/');
  if (slash > 0) return `${normalize(`${name.slice(0, slash)}-${name.slice(slash + 1)}`)}${crdSuffix}`;
  const elsewhere = ctx.index.ofKind('Middleware').filter((m) => m.name === name);
  const ns = elsewhere.some((m) => m.namespace === ingress.namespace) || elsewhere.length !== 1 ? ingress.namespace : elsewhere[0]!.namespace;
  return `${normalize(`${ns}-${name}`)}${crdSuffix}`;
}

export const ingressMiddlewaresCheck: Check = {
  name: 'ingress-middlewares',
  kinds: ['Ingress'],
  run(resource, ctx) {
    if (!checked(resource, ctx)) return;
    const annotation = asScalar(pair(get(resource.root, 'metadata', 'annotations'), middlewaresAnnotation)?.value);
    if (!annotation || typeof annotation.value !== 'string') return;
    const entries = middlewareEntries(annotation);
    const replacements = new Map<MiddlewareEntry, string>();
    for (const entry of entries) {
      const at = entry.text.indexOf('@');
      if (at === 0) continue;
      const name = at < 0 ? entry.text : entry.text.slice(0, at);
      const crd = entry.text.endsWith(crdSuffix);
      // A name without a provider gets the Ingress provider's (`@kubernetes`), which defines no middlewares; a CRD
      // middleware id is "<ns>-<name>", so `@kubernetescrd` after a name without "-" (or with a "/") cannot exist either.
      if (at < 0 || (crd && (!name.includes('-') || name.includes('/')))) replacements.set(entry, qualified(entry.text, resource, ctx));
    }
    const correctedValue = entries.map((e) => replacements.get(e) ?? e.text).join(',');
    const ids = middlewareIds(ctx);
    for (const entry of entries) {
      const replacement = replacements.get(entry);
      if (replacement) {
        const readAs = entry.text.includes('@') ? entry.text : `${entry.text}@kubernetes`;
        ctx.report({
          code: 'middleware-annotation-format',
          span: entry.span,
          message: `Traefik looks for the middleware ${readAs}, which cannot exist, and disables this Ingress's routers (404). A Middleware object is referenced here as <namespace>-<name>@kubernetescrd: write ${replacement}.`,
          data: { annotation: middlewaresAnnotation, entry: entry.text, replacement, value: correctedValue },
        }, resource);
        continue;
      }
      if (!entry.text.endsWith(crdSuffix)) continue;
      const id = entry.text.slice(0, -crdSuffix.length);
      const found = ids.get(id) ?? [];
      const usable = ctx.options.traefik.version === 'v3' ? found.filter((m) => m.group === 'traefik.io') : found;
      if (usable.length > 0) continue;
      if (found.length > 0) {
        ctx.report({
          code: 'middleware-not-found',
          span: entry.span,
          message: `Traefik v3 ignores Middleware ${found[0]!.namespace}/${found[0]!.name} (its apiVersion is traefik.containo.us), so middleware ${entry.text} does not exist and this Ingress's routers are disabled (404). Move the Middleware to traefik.io/v1alpha1.`,
          related: [{ file: found[0]!.file, span: pair(found[0]!.root, 'apiVersion')!.value.span, message: 'apiVersion traefik.containo.us/v1alpha1' }],
          data: { middleware: entry.text },
        }, resource);
        continue;
      }
      // Only a namespace whose Middlewares the workspace holds can prove one missing; ids are "<ns>-<name>" and both
      // parts may contain "-", so the namespace is any known one the id starts with.
      const namespaces = new Set(ctx.index.ofKind('Middleware').map((m) => m.namespace).filter((ns) => id.startsWith(`${normalize(ns)}-`)));
      if (namespaces.size === 0) continue;
      const suggestion = closestMatch(id, ids.keys());
      ctx.report({
        code: 'middleware-not-found',
        span: entry.span,
        message: `Middleware ${entry.text} does not exist: no Middleware object is known to Traefik as ${id} (<namespace>-<name>), so Traefik disables this Ingress's routers (404).`
          + (suggestion ? ` Did you mean ${suggestion}@kubernetescrd?` : ''),
        data: { middleware: entry.text, candidates: [...ids.keys()].map((k) => `${k}@kubernetescrd`), ...(suggestion ? { suggestion: `${suggestion}@kubernetescrd` } : {}) },
      }, resource);
    }
  },
};

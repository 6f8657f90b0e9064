/**
 * kustomize-name-reference: a kustomize build renames an object (namePrefix, nameSuffix, a generator's content
 * hash) and updates references to it in the kinds it knows, but not in Traefik's resources unless a
 * `configurations` file teaches it with nameReference entries. The reference then names an object the build does
 * not contain. The finding names the overlay that breaks it, the old and built names, and carries the
 * nameReference configuration that makes kustomize update this field.
 */
import type { Check, CheckContext } from '../analyze';
import { hashSuffix, type Build, type BuiltObject } from '../kustomize/build';
import { nodesAtPath, splitFieldPath } from '../kustomize/tree';
import { builtInfo } from '../kustomize/world';
import type { Resource, Severity, YNode } from '../model';
import { get, str } from '../parse/ynode';

/** A field of a Traefik resource that names another object, as a kustomize field path. */
interface ReferenceField {
  path: string;
  /** The kind it names; for service references it depends on the entry's `kind` field. */
  target: string | ((entry: YNode | undefined) => string);
  /** What Traefik does when the object is missing, and how grave that is. */
  consequence: string;
  severity: Severity;
  /** Whether the entry holding the name may name another namespace with a `namespace` field. */
  namespaced?: boolean;
}

const serviceKind = (entry: YNode | undefined) => (str(get(entry, 'kind')) === 'TraefikService' ? 'TraefikService' : 'Service');

const routeDropped = 'drops this route (404)';
const objectDropped = (kind: string) => `drops this ${kind}, so every route using it is disabled (404)`;
const defaultCertificate = 'serves its default certificate';

const referenceFields: ReadonlyMap<string, readonly ReferenceField[]> = new Map<string, readonly ReferenceField[]>([
  ['IngressRoute', [
    { path: 'spec/routes/services/name', target: serviceKind, consequence: routeDropped, severity: 'error', namespaced: true },
    { path: 'spec/routes/middlewares/name', target: 'Middleware', consequence: routeDropped, severity: 'error', namespaced: true },
    { path: 'spec/tls/options/name', target: 'TLSOption', consequence: 'disables every route of this IngressRoute (404)', severity: 'error', namespaced: true },
    { path: 'spec/tls/secretName', target: 'Secret', consequence: defaultCertificate, severity: 'warning' },
  ]],
  ['IngressRouteTCP', [
    { path: 'spec/routes/services/name', target: 'Service', consequence: 'drops this TCP route', severity: 'error', namespaced: true },
    { path: 'spec/routes/middlewares/name', target: 'MiddlewareTCP', consequence: 'drops this TCP route', severity: 'error', namespaced: true },
    { path: 'spec/tls/secretName', target: 'Secret', consequence: defaultCertificate, severity: 'warning' },
  ]],
  ['IngressRouteUDP', [{ path: 'spec/routes/services/name', target: 'Service', consequence: 'drops this UDP route', severity: 'error', namespaced: true }]],
  ['Middleware', [
    { path: 'spec/chain/middlewares/name', target: 'Middleware', consequence: objectDropped('Middleware'), severity: 'error', namespaced: true },
    { path: 'spec/errors/service/name', target: serviceKind, consequence: objectDropped('Middleware'), severity: 'error', namespaced: true },
    { path: 'spec/basicAuth/secret', target: 'Secret', consequence: objectDropped('Middleware'), severity: 'error' },
    { path: 'spec/digestAuth/secret', target: 'Secret', consequence: objectDropped('Middleware'), severity: 'error' },
  ]],
  ['TraefikService', [
    { path: 'spec/weighted/services/name', target: serviceKind, consequence: objectDropped('TraefikService'), severity: 'error', namespaced: true },
    { path: 'spec/mirroring/name', target: serviceKind, consequence: objectDropped('TraefikService'), severity: 'error', namespaced: true },
    { path: 'spec/mirroring/mirrors/name', target: serviceKind, consequence: objectDropped('TraefikService'), severity: 'error', namespaced: true },
  ]],
  ['TLSStore', [
    { path: 'spec/defaultCertificate/secretName', target: 'Secret', consequence: 'skips this TLSStore\'s default certificate', severity: 'warning' },
    { path: 'spec/certificates/secretName', target: 'Secret', consequence: 'skips this certificate', severity: 'warning' },
  ]],
]);

/** The entries holding the names a field path reaches (the map of each `name`), with the name nodes. */
function referencesAt(root: YNode, path: string): { entry: YNode | undefined; node: YNode }[] {
  const keys = splitFieldPath(path);
  const last = keys[keys.length - 1]!;
  return nodesAtPath(root, keys.slice(0, -1)).flatMap((entry) => {
    const node = get(entry, last);
    return node ? [{ entry, node }] : [];
  });
}

/** kind → namespace → former name → the first object of the build that kustomize renamed from that name. */
type Renames = Map<string, Map<string, Map<string, BuiltObject>>>;

/** The renames of each build, indexed once: every reference of every object of the build is looked up there. */
const renamesOf = new WeakMap<Build, Renames>();

function renames(build: Build): Renames {
  let found = renamesOf.get(build);
  if (found) return found;
  found = new Map();
  for (const o of build.objects) {
    const { kind, namespace, name } = o.resource;
    for (const previous of o.previousNames) {
      if (previous === name) continue;
      let byNamespace = found.get(kind);
      if (!byNamespace) found.set(kind, (byNamespace = new Map()));
      let byName = byNamespace.get(namespace);
      if (!byName) byNamespace.set(namespace, (byName = new Map()));
      if (!byName.has(previous)) byName.set(previous, o);
    }
  }
  renamesOf.set(build, found);
  return found;
}

/** The object of the build that kustomize renamed from `name`, in the namespace where the reference looks. */
function renamedFrom(renamed: Renames, kind: string, namespace: string, name: string): BuiltObject | undefined {
  return renamed.get(kind)?.get(namespace)?.get(name);
}

function configurationText(kind: string, referrer: Resource, path: string): string {
  return `nameReference:\n- kind: ${kind}\n  fieldSpecs:\n  - kind: ${referrer.kind}\n    path: ${path}\n`;
}

function check(resource: Resource, ctx: CheckContext): void {
  const fields = referenceFields.get(resource.kind);
  const info = builtInfo(resource);
  if (!fields || !info) return;
  const { build } = info.entry;
  const renamed = renames(build);
  // A build that renames nothing breaks no reference.
  if (renamed.size === 0) return;
  for (const field of fields) {
    for (const { entry, node } of referencesAt(resource.root, field.path)) {
      const name = str(node);
      if (!name || name.includes('@')) continue;
      const kind = typeof field.target === 'string' ? field.target : field.target(entry);
      const namespace = (field.namespaced && str(get(entry, 'namespace'))) || resource.namespace;
      const object = renamedFrom(renamed, kind, namespace, name);
      // A reference that still finds an object (another one of that name) is not broken by the rename.
      if (!object || ctx.index.find(kind, namespace, name).length > 0) continue;
      const overlay = info.entry.name;
      const builtName = object.resource.name;
      const cause = object.hashed && builtName.endsWith(hashSuffix)
        ? `its generator appends a hash of the content to the name of ${kind} ${name} (${builtName})`
        : `it renames ${kind} ${name} to ${builtName}`;
      const configuration = configurationText(kind, resource, field.path);
      const configure = `List a configurations file in the kustomization of ${overlay} with a nameReference for ${kind} whose fieldSpecs name ${resource.kind} ${field.path}`;
      const fixes = object.hashed ? `${configure}, or set generatorOptions.disableNameSuffixHash: true.` : `${configure}.`;
      ctx.report({
        code: 'kustomize-name-reference',
        severity: field.severity,
        span: node.span,
        message: `kustomize build ${overlay} breaks this reference: ${cause}, but does not update references in ${resource.kind}, a kind kustomize does not know. `
          + `Traefik looks for ${kind} ${namespace}/${name}, which the build does not contain, and ${field.consequence}. ${fixes}`,
        related: [
          { file: object.resource.file, span: get(object.resource.root, 'metadata', 'name')?.span ?? object.resource.docSpan, message: `${kind} ${namespace}/${builtName} after kustomize build ${overlay}` },
          ...object.renamedBy.map((r) => ({ file: r.file, span: r.node.span, message: `renames ${kind} ${name}` })),
        ],
        data: {
          overlay, kustomization: build.root.file, kind, name, builtName, namespace,
          referrer: { kind: resource.kind, group: resource.group }, path: field.path,
          configuration: { nameReference: [{ kind, fieldSpecs: [{ kind: resource.kind, path: field.path }] }] }, configurationText: configuration,
          ...(object.hashed ? { generated: true } : {}),
        },
      }, resource);
    }
  }
}

export const kustomizeNameReferences: Check = {
  name: 'kustomize-name-reference',
  kinds: [...referenceFields.keys()],
  run: check,
};

/** The codes of Traefik's "not found" findings that a kustomize-name-reference finding at the same place explains. */
export const explainedByNameReference: ReadonlySet<string> = new Set([
  'service-not-found', 'middleware-not-found', 'traefikservice-not-found', 'tls-options-not-found', 'secret-not-found', 'tls-secret-not-found',
]);

export const kustomizeChecks: readonly Check[] = [kustomizeNameReferences];

/**
 * kustomize's built-in transformers that decide whether a Traefik route finds its backend: the namespace, name
 * prefix and suffix, labels (with or without selectors), annotations, and, after everything else, the name
 * references it updates when it renames an object. Field specs are kustomize's own, restricted to the kinds Route
 * Doctor reads.
 */
import type { YMap, YNode } from '../model';
import { asScalar, get, str } from '../parse/ynode';
import { adoptSpan, groupOf, hadName, kindOf, nameOf, namespaceOf, versionOf, type BuildingObject, type Rename } from './built';
import type { ImageEntry, Kustomization, LabelPair, LabelSet, NameReferenceRule, Written } from './kustomization';
import { scalar, splitFieldPath, updatePath, withItems, withPair } from './tree';

/** Built-in kinds without a namespace; kustomize treats every other kind, custom resources included, as namespaced. */
const clusterScopedKinds: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'IngressClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'CSIDriver',
  'CSINode', 'RuntimeClass', 'PodSecurityPolicy', 'VolumeAttachment', 'CertificateSigningRequest', 'ComponentStatus',
]);

/** Kinds whose names namePrefix and nameSuffix leave alone. */
const unprefixedKinds: ReadonlySet<string> = new Set(['CustomResourceDefinition', 'APIService', 'Namespace']);

/** Whether a field spec applies to an object (group, version and kind must match when the spec names them). */
function specApplies(spec: { group?: string; version?: string; kind?: string }, o: BuildingObject): boolean {
  return (spec.kind === undefined || spec.kind === kindOf(o)) && (spec.group === undefined || spec.group === groupOf(o))
    && (spec.version === undefined || spec.version === versionOf(o));
}

/** A value of the kustomization as a scalar of the object, spanning the value in the kustomization. */
function writtenScalar(o: BuildingObject, k: Kustomization, w: Written, value: string = w.value): YNode {
  return scalar(value, adoptSpan(o, w.node.span, k.file));
}

const metadataName: readonly string[] = ['metadata', 'name'];
const metadataNamespace: readonly string[] = ['metadata', 'namespace'];

/** Gives the object a new name, remembering the old one (patch targets and name references match either) and why. */
export function renameObject(o: BuildingObject, name: string, by: Rename): void {
  const current = nameOf(o);
  if (name === current) return;
  const node = get(o.root, 'metadata', 'name');
  o.previousNames.push(current);
  o.renamedBy.push(by);
  o.root = updatePath(o.root, metadataName, true, o.root.span, () => scalar(name, node?.span ?? o.root.span)) as YMap;
}

/** `namespace:` moves every namespaced object into the namespace, and renames Namespace objects to it. */
export function applyNamespace(objects: readonly BuildingObject[], k: Kustomization): void {
  const ns = k.namespace;
  if (!ns) return;
  for (const o of objects) {
    if (kindOf(o) === 'Namespace' && groupOf(o) === '') {
      const current = nameOf(o);
      if (current !== ns.value) {
        o.previousNames.push(current);
        o.root = updatePath(o.root, metadataName, true, o.root.span, () => writtenScalar(o, k, ns)) as YMap;
      }
      continue;
    }
    if (clusterScopedKinds.has(kindOf(o))) continue;
    const current = namespaceOf(o);
    if (current === ns.value) continue;
    o.previousNamespaces.push(current);
    const node = writtenScalar(o, k, ns);
    o.root = updatePath(o.root, metadataNamespace, true, node.span, () => node) as YMap;
  }
}

export function applyPrefixSuffix(objects: readonly BuildingObject[], k: Kustomization): void {
  const prefix = k.namePrefix?.value ?? '';
  const suffix = k.nameSuffix?.value ?? '';
  if (prefix === '' && suffix === '') return;
  for (const o of objects) {
    if (unprefixedKinds.has(kindOf(o))) continue;
    renameObject(o, `${prefix}${nameOf(o)}${suffix}`, { file: k.file, node: (k.namePrefix ?? k.nameSuffix)!.node });
  }
}

interface PathSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create: boolean;
}

const podTemplateLabelSpecs: readonly PathSpec[] = [
  { version: 'v1', kind: 'ReplicationController', path: 'spec/template/metadata/labels', create: true },
  { kind: 'Deployment', path: 'spec/template/metadata/labels', create: true },
  { kind: 'ReplicaSet', path: 'spec/template/metadata/labels', create: true },
  { kind: 'DaemonSet', path: 'spec/template/metadata/labels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/template/metadata/labels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true },
  { group: 'batch', kind: 'Job', path: 'spec/template/metadata/labels', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/metadata/labels', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/spec/template/metadata/labels', create: true },
];

/** kustomize's commonLabels field specs: selectors as well as Pod templates (affinity selectors left out). */
const selectorLabelSpecs: readonly PathSpec[] = [
  { version: 'v1', kind: 'Service', path: 'spec/selector', create: true },
  { version: 'v1', kind: 'ReplicationController', path: 'spec/selector', create: true },
  { kind: 'Deployment', path: 'spec/selector/matchLabels', create: true },
  { kind: 'ReplicaSet', path: 'spec/selector/matchLabels', create: true },
  { kind: 'DaemonSet', path: 'spec/selector/matchLabels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/selector/matchLabels', create: true },
  { group: 'batch', kind: 'Job', path: 'spec/selector/matchLabels', create: false },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/spec/selector/matchLabels', create: false },
  { group: 'policy', kind: 'PodDisruptionBudget', path: 'spec/selector/matchLabels', create: false },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy', path: 'spec/podSelector/matchLabels', create: false },
  ...podTemplateLabelSpecs,
];

const metadataLabels: PathSpec = { path: 'metadata/labels', create: true };

const selectorLabelPaths: readonly PathSpec[] = [metadataLabels, ...selectorLabelSpecs];
const templateLabelPaths: readonly PathSpec[] = [metadataLabels, ...podTemplateLabelSpecs];
const metadataLabelPaths: readonly PathSpec[] = [metadataLabels];

function labelSpecs(set: LabelSet): readonly PathSpec[] {
  const specs = set.includeSelectors ? selectorLabelPaths : set.includeTemplates ? templateLabelPaths : metadataLabelPaths;
  return set.fields.length === 0 ? specs : [...specs, ...set.fields];
}

/**
 * Sets every pair at the map a field spec reaches, creating the map when the spec says so. No check reports on an
 * object's own labels, so those do not make the kustomization one of the files that check the object.
 */
function setPairs(o: BuildingObject, k: Kustomization, spec: PathSpec, pairs: readonly LabelPair[]): void {
  const holds = spec.path !== metadataLabels.path;
  const span = adoptSpan(o, pairs[0]!.keySpan, k.file, holds);
  o.root = updatePath(o.root, splitFieldPath(spec.path), spec.create, span, (value) => {
    if (value !== undefined && value.type !== 'map') return value;
    let map: YMap = value ?? { type: 'map', pairs: [], flow: false, span };
    for (const p of pairs) map = withPair(map, p.key, scalar(p.value, adoptSpan(o, p.node.span, k.file, holds)), adoptSpan(o, p.keySpan, k.file, holds));
    return map;
  }) as YMap;
}

/** For each list of specs, those that may apply to objects of each kind: the ones naming that kind or none. */
const specsByKind = new WeakMap<readonly PathSpec[], Map<string, readonly PathSpec[]>>();

/**
 * The specs of a list that may apply to objects of a kind, in their order. Most specs name a kind, so every object
 * of every build would otherwise try each of them; the built-in lists are few and shared by all builds, so each
 * kind's share of them is picked once. (A list with a kustomization's own `fields` is held weakly and goes with it.)
 */
function specsOfKind(specs: readonly PathSpec[], kind: string): readonly PathSpec[] {
  let byKind = specsByKind.get(specs);
  if (!byKind) specsByKind.set(specs, (byKind = new Map()));
  let found = byKind.get(kind);
  if (!found) byKind.set(kind, (found = specs.filter((spec) => spec.kind === undefined || spec.kind === kind)));
  return found;
}

export function applyLabels(objects: readonly BuildingObject[], k: Kustomization): void {
  for (const set of k.labels) {
    const specs = labelSpecs(set);
    for (const o of objects) for (const spec of specsOfKind(specs, kindOf(o))) if (specApplies(spec, o)) setPairs(o, k, spec, set.pairs);
  }
}

const templateAnnotationKinds: ReadonlySet<string> = new Set(['ReplicationController', 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job']);

const metadataAnnotations: PathSpec = { path: 'metadata/annotations', create: true };
const templateAnnotations: PathSpec = { path: 'spec/template/metadata/annotations', create: true };
const cronJobTemplateAnnotations: PathSpec = { path: 'spec/jobTemplate/spec/template/metadata/annotations', create: true };

export function applyAnnotations(objects: readonly BuildingObject[], k: Kustomization): void {
  if (k.annotations.length === 0) return;
  for (const o of objects) {
    setPairs(o, k, metadataAnnotations, k.annotations);
    if (templateAnnotationKinds.has(kindOf(o))) setPairs(o, k, templateAnnotations, k.annotations);
    if (kindOf(o) === 'CronJob') setPairs(o, k, cronJobTemplateAnnotations, k.annotations);
  }
}

/**
 * `images:` sets the name, tag or digest of every container image of that name, in any `containers` or
 * `initContainers` list of an object, at any depth (kustomize's legacy image filter, which it applies when no
 * field specs are configured). It matters to Route Doctor where it sets the tag of Traefik's own image, which tells
 * the Traefik version.
 */
export function applyImages(objects: BuildingObject[], k: Kustomization): void {
  if (k.images.length === 0) return;
  for (const o of objects) o.root = updateImages(o.root, o, k) as YMap;
}

function updateImages(node: YNode, o: BuildingObject, k: Kustomization): YNode {
  if (node.type === 'seq') {
    let items: YNode[] | undefined;
    node.items.forEach((item, i) => {
      const next = updateImages(item, o, k);
      if (next !== item) (items ??= [...node.items])[i] = next;
    });
    return items ? withItems(node, items) : node;
  }
  if (node.type !== 'map') return node;
  let current = node;
  for (const p of node.pairs) {
    const next = p.key === 'containers' || p.key === 'initContainers' ? updateContainers(p.value, o, k) : updateImages(p.value, o, k);
    if (next !== p.value) current = withPair(current, p.key, next);
  }
  return current;
}

function updateContainers(list: YNode, o: BuildingObject, k: Kustomization): YNode {
  if (list.type !== 'seq') return updateImages(list, o, k);
  let items: YNode[] | undefined;
  list.items.forEach((container, i) => {
    if (container.type !== 'map') return;
    const image = str(get(container, 'image'));
    const entry = image === undefined ? undefined : k.images.find((e) => splitImage(image).name === e.name);
    let next: YNode = updateImages(container, o, k);
    if (entry && image !== undefined) {
      const value = newImage(image, entry);
      if (value !== image) next = withPair(next as YMap, 'image', scalar(value, adoptSpan(o, entry.node.span, k.file)));
    }
    if (next !== container) (items ??= [...list.items])[i] = next;
  });
  return items ? withItems(list, items) : list;
}

/**
 * An image reference as kustomize splits it: the name (registry and path included), the tag after the first `:`
 * past the registry, the digest after `@`.
 */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const from = slash > 0 ? slash : 0;
  const search = image.slice(from);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) return { name: image.slice(0, from + at), tag: '', digest: image.slice(from + at + 1) };
  if (at >= 0) return { name: image.slice(0, from + colon), tag: image.slice(from + colon + 1, from + at), digest: image.slice(from + at + 1) };
  return { name: image.slice(0, from + colon), tag: image.slice(from + colon + 1), digest: '' };
}

/** The image an `images` entry makes of `image`: a new tag drops the digest and a digest the tag, unless both are set. */
function newImage(image: string, entry: ImageEntry): string {
  let { name, tag, digest } = splitImage(image);
  if (entry.newName) name = entry.newName;
  if (entry.newTag && entry.digest) [tag, digest] = [entry.newTag, entry.digest];
  else if (entry.newTag) [tag, digest] = [entry.newTag, ''];
  else if (entry.digest) [tag, digest] = ['', entry.digest];
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/**
 * The name references kustomize updates by itself, restricted to the fields Route Doctor's checks read: Ingress
 * backends, TLS Secrets and classes, and a StatefulSet's Service. Traefik's resources are not among them; only a
 * `configurations` file with nameReference entries makes kustomize update those.
 */
export const builtInNameReferences: readonly NameReferenceRule[] = [
  {
    kind: 'Service', fieldSpecs: [
      { group: 'apps', kind: 'StatefulSet', path: 'spec/serviceName', create: false },
      { kind: 'Ingress', path: 'spec/rules/http/paths/backend/serviceName', create: false },
      { kind: 'Ingress', path: 'spec/backend/serviceName', create: false },
      { kind: 'Ingress', path: 'spec/rules/http/paths/backend/service/name', create: false },
      { kind: 'Ingress', path: 'spec/defaultBackend/service/name', create: false },
    ],
  },
  { kind: 'Secret', fieldSpecs: [{ kind: 'Ingress', path: 'spec/tls/secretName', create: false }] },
  { kind: 'IngressClass', fieldSpecs: [{ kind: 'Ingress', path: 'spec/ingressClassName', create: false }] },
];

function sameNamespace(a: string, b: string): boolean {
  return (a || 'default') === (b || 'default');
}

/**
 * The object a reference from `referrer` means, by kustomize's rule: of the objects of the rule's kind that had the
 * referenced name, those in the referrer's namespace (cluster-scoped ones anywhere); exactly one, else none.
 */
function referralTarget(objects: readonly BuildingObject[], rule: { kind: string; group?: string }, referrer: BuildingObject, name: string): BuildingObject | undefined {
  const candidates = objects.filter((o) => kindOf(o) === rule.kind && (rule.group === undefined || rule.group === groupOf(o)) && hadName(o, name)
    && (clusterScopedKinds.has(kindOf(o)) || sameNamespace(namespaceOf(o), namespaceOf(referrer))));
  const names = new Set(candidates.map(nameOf));
  return names.size === 1 ? candidates[0] : undefined;
}

/** kustomize's last step: every reference to an object it renamed is rewritten to the new name. */
export function fixNameReferences(objects: readonly BuildingObject[], rules: readonly NameReferenceRule[]): void {
  for (const rule of rules) {
    for (const spec of rule.fieldSpecs) {
      const keys = splitFieldPath(spec.path);
      for (const referrer of objects) {
        if (!specApplies(spec, referrer)) continue;
        referrer.root = updatePath(referrer.root, keys, false, referrer.root.span, (value) => {
          const name = str(value);
          if (!value || name === undefined || asScalar(value) === undefined) return value;
          const target = referralTarget(objects, rule, referrer, name);
          const renamed = target && nameOf(target);
          return renamed && renamed !== name ? scalar(renamed, value.span) : value;
        }) as YMap;
      }
    }
  }
}

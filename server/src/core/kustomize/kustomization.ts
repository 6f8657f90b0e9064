/**
 * A kustomization file read into the fields that decide what objects it builds: what it includes (resources,
 * components, the older bases), the transformations that change names, namespaces, labels, selectors, ports or
 * references (namespace, namePrefix/nameSuffix, commonLabels, labels, patches of every flavour), and the
 * configurations that teach kustomize new name references. Every value keeps its node, so that a built object can
 * point back at the line that shaped it.
 */
import type { YMap, YNode, YScalar } from '../model';
import type { ParsedFile } from '../parse/parseFile';
import { asMap, asScalar, get, isTrue, items, str } from '../parse/ynode';
import { isFluxDocument } from './flux';
import { basename, dirname } from './paths';

/** The file names kustomize looks for in a folder, in the order it tries them. */
export const kustomizationFileNames: readonly string[] = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function isKustomizationFileName(path: string): boolean {
  // Every file of the workspace is asked: the end of its path rules most out before its name is cut out.
  return (path.endsWith('kustomization.yaml') || path.endsWith('kustomization.yml') || path.endsWith('Kustomization'))
    && kustomizationFileNames.includes(basename(path));
}

/** A string value of the kustomization with the node it was read from. */
export interface Written {
  value: string;
  node: YNode;
}

export interface LabelPair {
  key: string;
  value: string;
  keySpan: YNode['span'];
  node: YNode;
}

/** kustomize's FieldSpec: a path in objects of a kind (any kind when absent). */
export interface FieldSpec {
  group?: string;
  kind?: string;
  path: string;
  create: boolean;
}

export interface LabelSet {
  pairs: LabelPair[];
  /** commonLabels, or `labels` with includeSelectors: selectors and Pod templates get the labels too. */
  includeSelectors: boolean;
  /** `labels` with includeTemplates: Pod templates (but not selectors) get the labels too. */
  includeTemplates: boolean;
  /** `labels[].fields`: further places the labels go. */
  fields: FieldSpec[];
}

/** Which objects a patch applies to (`name` and `namespace` are anchored regular expressions, as in kustomize). */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface PatchEntry {
  field: 'patches' | 'patchesStrategicMerge' | 'patchesJson6902';
  /** The patch file, for patches kept in their own file. */
  path?: Written;
  /** The patch text, for patches written inline in the kustomization. */
  inline?: YScalar;
  target?: PatchTarget;
  node: YNode;
}

export interface HelmChartEntry {
  name: string;
  releaseName?: string;
  namespace?: string;
  node: YNode;
}

export interface Kustomization {
  file: string;
  /** The folder the kustomization builds, which its relative paths start from. */
  dir: string;
  kind: 'Kustomization' | 'Component';
  root: YMap;
  /** `resources`, then the deprecated `bases` (kustomize appends them in this order). */
  resources: Written[];
  components: Written[];
  namespace?: Written;
  namePrefix?: Written;
  nameSuffix?: Written;
  labels: LabelSet[];
  /** commonAnnotations. */
  annotations: LabelPair[];
  patches: PatchEntry[];
  configurations: Written[];
  images: ImageEntry[];
  helmCharts: HelmChartEntry[];
  generated: Generated[];
}

/** An entry of `images`: containers whose image has this name get the new name, tag or digest. */
export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  /** The entry, where a changed image is written. */
  node: YNode;
}

/** A ConfigMap or Secret that configMapGenerator or secretGenerator makes. */
export interface Generated {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** The `name` node. */
  node: YNode;
  /** The keys of its data; undefined when an env file supplies them, which the workspace cannot read. */
  keys?: string[];
  type?: string;
  /** Whether kustomize appends a hash of the content to the name (the default). */
  hashed: boolean;
  /** `merge` and `replace` change a generated object of a base instead of making one. */
  behavior: string;
}

/**
 * The kustomization a file named like one holds (the parser keeps such files as plain documents: they often have
 * no kind). A `kind: Component` makes it a component.
 */
export function readKustomization(parsed: ParsedFile): Kustomization | undefined {
  if (!isKustomizationFileName(parsed.file)) return undefined;
  let k = read.get(parsed);
  if (k === undefined) {
    // A Flux Kustomization kept in a file of this name is no kustomization of kustomize's (flux.ts reads it).
    const root = parsed.documents?.map((d) => asMap(d.root)).find((m): m is YMap => m !== undefined && !isFluxDocument(m));
    k = root ? fromRoot(parsed.file, str(get(root, 'kind')) === 'Component' ? 'Component' : 'Kustomization', root) : null;
    read.set(parsed, k);
  }
  return k ?? undefined;
}

/** A parse never changes, so each kustomization file is read once per parse (builds read them again and again). */
const read = new WeakMap<ParsedFile, Kustomization | null>();

export function written(node: YNode | undefined): Written | undefined {
  const value = str(node);
  return node && value ? { value, node } : undefined;
}

function writtenList(node: YNode | undefined): Written[] {
  return items(node).map(written).filter((w): w is Written => w !== undefined);
}

export function labelPairs(node: YNode | undefined): LabelPair[] {
  const map = asMap(node);
  if (!map) return [];
  return map.pairs.flatMap((p) => {
    const scalar = asScalar(p.value);
    if (!scalar || scalar.value === null) return [];
    return [{ key: p.key, value: String(scalar.value), keySpan: p.keySpan, node: p.value }];
  });
}

function fieldSpecs(node: YNode | undefined): FieldSpec[] {
  return items(node).flatMap((item) => {
    const path = str(get(item, 'path'));
    if (!path) return [];
    const group = str(get(item, 'group'));
    const kind = str(get(item, 'kind'));
    return [{ path, create: isTrue(get(item, 'create')), ...(group !== undefined ? { group } : {}), ...(kind !== undefined ? { kind } : {}) }];
  });
}

function readTarget(node: YNode | undefined): PatchTarget | undefined {
  const map = asMap(node);
  if (!map) return undefined;
  const target: PatchTarget = {};
  for (const key of ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'] as const) {
    const value = str(get(map, key));
    if (value !== undefined) target[key] = value;
  }
  return target;
}

/** A patchesStrategicMerge entry is a file name, or the patch itself when it reads as YAML. */
function looksInline(value: string): boolean {
  return value.includes('\n') || /^\s*(apiVersion|kind|metadata)\s*:/.test(value);
}

export function readPatches(root: YMap): PatchEntry[] {
  const patches: PatchEntry[] = [];
  for (const node of items(get(root, 'patchesStrategicMerge'))) {
    const scalar = asScalar(node);
    const value = str(scalar);
    if (!scalar || !value) continue;
    patches.push(looksInline(value) ? { field: 'patchesStrategicMerge', inline: scalar, node } : { field: 'patchesStrategicMerge', path: { value, node }, node });
  }
  for (const field of ['patches', 'patchesJson6902'] as const) {
    for (const node of items(get(root, field))) {
      const path = written(get(node, 'path'));
      const inline = asScalar(get(node, 'patch'));
      const target = readTarget(get(node, 'target'));
      if (path) patches.push({ field, path, ...(target ? { target } : {}), node });
      else if (inline && typeof inline.value === 'string') patches.push({ field, inline, ...(target ? { target } : {}), node });
    }
  }
  return patches;
}

function fromRoot(file: string, kind: 'Kustomization' | 'Component', root: YMap): Kustomization {
  const labels: LabelSet[] = [];
  const common = labelPairs(get(root, 'commonLabels'));
  if (common.length > 0) labels.push({ pairs: common, includeSelectors: true, includeTemplates: false, fields: [] });
  for (const entry of items(get(root, 'labels'))) {
    const pairs = labelPairs(get(entry, 'pairs'));
    if (pairs.length === 0) continue;
    labels.push({ pairs, includeSelectors: isTrue(get(entry, 'includeSelectors')), includeTemplates: isTrue(get(entry, 'includeTemplates')), fields: fieldSpecs(get(entry, 'fields')) });
  }
  const hashedByDefault = !isTrue(get(root, 'generatorOptions', 'disableNameSuffixHash'));
  const generated: Generated[] = [];
  for (const [field, generatedKind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const entry of items(get(root, field))) {
      const name = written(get(entry, 'name'));
      if (!name) continue;
      const optionNode = get(entry, 'options', 'disableNameSuffixHash');
      const type = str(get(entry, 'type'));
      generated.push({
        kind: generatedKind, name: name.value, node: name.node,
        ...(items(get(entry, 'envs')).length > 0 || get(entry, 'env') ? {} : { keys: generatorKeys(entry) }),
        ...(type ? { type } : {}),
        hashed: optionNode ? !isTrue(optionNode) : hashedByDefault,
        behavior: str(get(entry, 'behavior')) ?? 'create',
      });
    }
  }
  const helmCharts: HelmChartEntry[] = items(get(root, 'helmCharts')).flatMap((node) => {
    const name = str(get(node, 'name'));
    if (!name) return [];
    const releaseName = str(get(node, 'releaseName'));
    const namespace = str(get(node, 'namespace'));
    return [{ name, node, ...(releaseName ? { releaseName } : {}), ...(namespace ? { namespace } : {}) }];
  });
  const namespace = written(get(root, 'namespace'));
  const namePrefix = written(get(root, 'namePrefix'));
  const nameSuffix = written(get(root, 'nameSuffix'));
  return {
    file, dir: dirname(file), kind, root,
    resources: [...writtenList(get(root, 'resources')), ...writtenList(get(root, 'bases'))],
    components: writtenList(get(root, 'components')),
    ...(namespace ? { namespace } : {}), ...(namePrefix ? { namePrefix } : {}), ...(nameSuffix ? { nameSuffix } : {}),
    labels,
    annotations: labelPairs(get(root, 'commonAnnotations')),
    patches: readPatches(root),
    configurations: writtenList(get(root, 'configurations')),
    images: readImages(get(root, 'images')),
    helmCharts,
    generated,
  };
}

/** `images:` entries, of a kustomization or of a Flux Kustomization's spec. */
export function readImages(node: YNode | undefined): ImageEntry[] {
  return items(node).flatMap((entry) => {
    const name = str(get(entry, 'name'));
    if (!name) return [];
    const image: ImageEntry = { name, node: entry };
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const value = str(get(entry, key));
      if (value) image[key] = value;
    }
    return [image];
  });
}

/** The data keys of a generator: `key=value` literals, and `key=path` or `path` files (keyed by the file name). */
function generatorKeys(entry: YNode): string[] {
  const keys = items(get(entry, 'literals')).map(str).filter((l): l is string => l !== undefined).map((l) => l.split('=')[0]!);
  for (const file of items(get(entry, 'files')).map(str)) {
    if (file === undefined) continue;
    const eq = file.indexOf('=');
    keys.push(eq >= 0 ? file.slice(0, eq) : basename(file));
  }
  return keys;
}

/** The nameReference entries of a transformer configuration file: which fields name objects of which kind. */
export interface NameReferenceRule {
  kind: string;
  group?: string;
  fieldSpecs: FieldSpec[];
}

export function readNameReferences(root: YNode | undefined): NameReferenceRule[] {
  return items(get(root, 'nameReference')).flatMap((entry) => {
    const kind = str(get(entry, 'kind'));
    if (!kind) return [];
    const group = str(get(entry, 'group'));
    return [{ kind, ...(group !== undefined ? { group } : {}), fieldSpecs: fieldSpecs(get(entry, 'fieldSpecs')) }];
  });
}

/**
 * `kustomize build` over the files of the workspace: the objects one kustomization makes, transformed in
 * kustomize's order, with every value still pointing at the file and range it came from.
 *
 * Per kustomization: resources (files, and folders built recursively), transformer configurations, generators,
 * components (their resources join, then their transformers run over everything so far), then the transformers —
 * strategic-merge patches, `patches`, namespace, name prefix and suffix, labels, annotations, JSON 6902 patches.
 * Once, at the end of the whole build, generated names get their content hash and references to renamed objects
 * are updated (kustomize's built-in name references plus every nameReference configuration of the build).
 *
 * The files come from the workspace index. What the workspace cannot show — remote bases, Helm charts that
 * kustomize inflates, folders or files that are not there — is recorded as unknown content, which makes the
 * objects it may hold unknown rather than missing.
 */
import type { Resource, Span, YMap, YNode, YScalar } from '../model';
import { fastParseDocument } from '../parse/fastYaml';
import { fullParseDocument } from '../parse/fullYaml';
import { splitDocuments, type ParsedFile } from '../parse/parseFile';
import { asMap, get, str } from '../parse/ynode';
import { adopt, adoptSpan, annotationsOf, groupOf, hadName, kindOf, labelsOf, nameOf, namespaceOf, startObject, toBuiltResource, versionOf, type BuildingObject, type Rename } from './built';
import { kustomizationFileNames, readKustomization, readNameReferences, type Generated, type Kustomization, type NameReferenceRule, type PatchEntry, type PatchTarget } from './kustomization';
import { applyJsonPatch, readJsonPatch, selectorMatches, strategicMerge } from './patch';
import { isRemote, resolvePath } from './paths';
import { applyAnnotations, applyImages, applyLabels, applyNamespace, applyPrefixSuffix, builtInNameReferences, fixNameReferences, renameObject } from './transforms';
import { flattenSpans, scalar, withPair } from './tree';

/** The files a build reads: the workspace index, seen through whatever the caller is about to change. */
export type FileLookup = (path: string) => ParsedFile | undefined;

/** Something a build includes whose objects the workspace cannot show. */
export interface UnknownContent {
  reason: 'remote' | 'missing' | 'helm-chart';
  /** The entry as written (a URL, a path, a chart name). */
  entry: string;
  /** The kustomization file that names it. */
  kustomization: string;
  node: YNode;
  /** The namespace the kustomizations around it give its objects, when one does. */
  namespace?: string;
}

/** The placeholder for the content hash kustomize appends to generated names, which needs file contents to compute. */
export const hashSuffix = '<hash>';

export interface BuiltObject {
  /** The object as `kustomize build` outputs it, ready for the checks. */
  resource: Resource;
  /** Names it had before each rename, oldest first. */
  previousNames: readonly string[];
  /** Every file that wrote a value into it; findings about it can land in any of them. */
  files: ReadonlySet<string>;
  /** True for a generated ConfigMap or Secret whose name ends with kustomize's content hash. */
  hashed: boolean;
  /** What renamed it, in order. */
  renamedBy: readonly Rename[];
}

export interface Build {
  /** The kustomization the build starts from: its folder is what `kubectl kustomize` is given. */
  root: Kustomization;
  objects: BuiltObject[];
  /** Every path the build read or looked for: a change at any of them changes the build. */
  inputs: Set<string>;
  /** Files whose documents are objects of the build. */
  resourceFiles: Set<string>;
  /** Kustomization, patch and configuration files: they shape the build but hold no objects of their own. */
  shapingFiles: Set<string>;
  unknown: UnknownContent[];
}

/** A patch document and the file its spans belong to. */
interface PatchDocument {
  root: YNode;
  file: string;
}

class Builder {
  readonly inputs = new Set<string>();
  readonly resourceFiles = new Set<string>();
  readonly shapingFiles = new Set<string>();
  readonly unknown: UnknownContent[] = [];
  readonly nameReferences: NameReferenceRule[] = [];
  private readonly stack: string[] = [];

  constructor(private readonly lookup: FileLookup) {}

  private read(path: string): ParsedFile | undefined {
    this.inputs.add(path);
    return this.lookup(path);
  }

  private kustomizationIn(dir: string): Kustomization | undefined {
    const found = kustomizationIn(dir, this.lookup);
    for (const path of found.looked) this.inputs.add(path);
    return found.kustomization;
  }

  /** The objects one kustomization makes (kustomize's accumulateTarget), without the final name fixes. */
  target(k: Kustomization): BuildingObject[] {
    const objects: BuildingObject[] = [];
    this.accumulate(k, objects, this.unknown.length);
    return objects;
  }

  /**
   * Adds what `k` makes to `objects` and runs its transformers over all of them. A component shares its parent's
   * list, which is how its transformers reach the parent's resources; `unknownFrom` is where the unknown content
   * its transformers reach starts.
   */
  private accumulate(k: Kustomization, objects: BuildingObject[], unknownFrom: number): void {
    // kustomize refuses a cycle of kustomizations; the objects of the second visit are left out.
    if (this.stack.includes(k.file)) return;
    this.stack.push(k.file);
    this.shapingFiles.add(k.file);
    this.inputs.add(k.file);
    this.addResources(k, objects);
    this.addConfigurations(k);
    this.generate(k, objects);
    for (const entry of k.components) {
      const component = this.kustomizationIn(resolvePath(k.dir, entry.value));
      if (component) this.accumulate(component, objects, unknownFrom);
      else this.unknown.push({ reason: isRemote(entry.value) ? 'remote' : 'missing', entry: entry.value, kustomization: k.file, node: entry.node });
    }
    this.transform(k, objects);
    for (const chart of k.helmCharts) {
      this.unknown.push({ reason: 'helm-chart', entry: chart.releaseName ?? chart.name, kustomization: k.file, node: chart.node, ...(chart.namespace ? { namespace: chart.namespace } : {}) });
    }
    if (k.namespace) for (const u of this.unknown.slice(unknownFrom)) u.namespace = k.namespace.value;
    this.stack.pop();
  }

  private addResources(k: Kustomization, objects: BuildingObject[]): void {
    for (const entry of k.resources) {
      if (isRemote(entry.value)) {
        this.unknown.push({ reason: 'remote', entry: entry.value, kustomization: k.file, node: entry.node });
        continue;
      }
      const path = resolvePath(k.dir, entry.value);
      const file = this.read(path);
      if (file && !readKustomization(file)) {
        this.resourceFiles.add(path);
        for (const r of file.resources) objects.push(startObject(r));
        continue;
      }
      const sub = this.kustomizationIn(path);
      if (sub) objects.push(...this.target(sub));
      else this.unknown.push({ reason: 'missing', entry: entry.value, kustomization: k.file, node: entry.node });
    }
  }

  private addConfigurations(k: Kustomization): void {
    for (const entry of k.configurations) {
      const path = resolvePath(k.dir, entry.value);
      const file = this.read(path);
      if (!file) continue;
      this.shapingFiles.add(path);
      for (const doc of file.documents ?? []) this.nameReferences.push(...readNameReferences(doc.root));
    }
  }

  /** configMapGenerator and secretGenerator: objects whose only home is the kustomization file. */
  private generate(k: Kustomization, objects: BuildingObject[]): void {
    for (const g of k.generated) {
      if (g.behavior === 'create') {
        const object = startObject(generatedResource(k, g));
        if (g.hashed) object.hashed = { file: k.file, node: g.node };
        objects.push(object);
        continue;
      }
      // `merge` and `replace` change the data of a base's generated object: only its keys matter here.
      const base = objects.find((o) => kindOf(o) === g.kind && hadName(o, g.name));
      if (!base || g.keys === undefined) continue;
      const keys = g.behavior === 'merge' ? [...new Set([...dataKeys(base), ...g.keys])] : g.keys;
      base.root = withPair(base.root, 'data', adopt(base, dataNode(keys, g.node.span), k.file));
    }
  }

  private transform(k: Kustomization, objects: BuildingObject[]): void {
    const json6902 = k.patches.filter((p) => p.field === 'patchesJson6902');
    for (const field of ['patchesStrategicMerge', 'patches'] as const) {
      for (const entry of k.patches.filter((p) => p.field === field)) this.applyPatch(k, entry, objects);
    }
    applyNamespace(objects, k);
    applyPrefixSuffix(objects, k);
    applyLabels(objects, k);
    applyAnnotations(objects, k);
    for (const entry of json6902) this.applyPatch(k, entry, objects);
    applyImages(objects, k);
  }

  private patchDocuments(k: Kustomization, entry: PatchEntry): PatchDocument[] {
    if (entry.inline) return inlineDocuments(entry.inline).map((root) => ({ root, file: k.file }));
    const path = resolvePath(k.dir, entry.path!.value);
    const file = this.read(path);
    if (!file) return [];
    this.shapingFiles.add(path);
    const docs: { docIndex: number; root: YNode }[] = [...file.resources.map((r) => ({ docIndex: r.docIndex, root: r.root as YNode })), ...(file.documents ?? [])];
    return docs.sort((a, b) => a.docIndex - b.docIndex).map((d) => ({ root: d.root, file: path }));
  }

  private applyPatch(k: Kustomization, entry: PatchEntry, objects: BuildingObject[]): void {
    for (const doc of this.patchDocuments(k, entry)) {
      const ops = readJsonPatch(doc.root);
      const targets = entry.target ? objects.filter((o) => targetMatches(entry.target!, o)) : ops ? [] : objects.filter((o) => patchNames(doc.root, o));
      for (const o of targets) {
        const adoptNode = (node: YNode) => adopt(o, node, doc.file);
        let next: YMap | undefined;
        if (ops) {
          next = applyJsonPatch(o.root, ops, adoptNode) ?? o.root;
        } else {
          const patch = asMap(doc.root);
          if (!patch) continue;
          next = strategicMerge(o.root, patch, { group: groupOf(o), kind: kindOf(o), adopt: adoptNode, adoptSpan: (span) => adoptSpan(o, span, doc.file) });
        }
        if (next) o.root = next;
        else objects.splice(objects.indexOf(o), 1);
      }
    }
  }
}

function dataKeys(o: BuildingObject): string[] {
  const data = asMap(get(o.root, 'data'));
  return data ? data.pairs.map((p) => p.key) : [];
}

function mapNode(entries: [string, YNode][], span: Span): YMap {
  return { type: 'map', flow: false, span, pairs: entries.map(([key, value]) => ({ key, keySpan: span, value })) };
}

/** Data with the given keys; the values are left out, as the parser leaves out every Secret's values. */
function dataNode(keys: readonly string[], span: Span): YMap {
  return mapNode(keys.map((key) => [key, scalar(null, span)]), span);
}

/** The object a generator makes: its only written form is the generator entry, so every node spans its name. */
function generatedResource(k: Kustomization, g: Generated): Resource {
  const span = g.node.span;
  const entries: [string, YNode][] = [['apiVersion', scalar('v1', span)], ['kind', scalar(g.kind, span)], ['metadata', mapNode([['name', scalar(g.name, span)]], span)]];
  if (g.type) entries.push(['type', scalar(g.type, span)]);
  if (g.keys) entries.push(['data', dataNode(g.keys, span)]);
  return {
    file: k.file, docIndex: -1, docSpan: span, apiVersion: 'v1', group: '', kind: g.kind, name: g.name, namespace: 'default', namespaceExplicit: false,
    labels: {}, annotations: {}, root: mapNode(entries, span),
  };
}

/** The documents of an inline patch, each spanning the patch's text in the kustomization. */
function inlineDocuments(node: YScalar): YNode[] {
  const text = String(node.value);
  return splitDocuments(text).flatMap((span) => {
    const fast = fastParseDocument(text, span.start, span.end);
    const root = fast === undefined ? fullParseDocument(text, span.start, span.end).node : fast;
    return root ? [flattenSpans(root, node.span)] : [];
  });
}

/** Whether a strategic-merge patch without a target names the object: kind, group, and a name it has or had. */
function patchNames(patch: YNode, o: BuildingObject): boolean {
  const apiVersion = str(get(patch, 'apiVersion')) ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const name = str(get(patch, 'metadata', 'name'));
  const namespace = str(get(patch, 'metadata', 'namespace'));
  return str(get(patch, 'kind')) === kindOf(o) && group === groupOf(o) && name !== undefined && hadName(o, name)
    && (namespace === undefined || namespaceOf(o) === namespace || o.previousNamespaces.includes(namespace));
}

/** kustomize anchors the name and namespace of a patch target: they match a whole name or not at all. */
function anchored(pattern: string, values: readonly string[]): boolean {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return values.includes(pattern);
  }
  return values.some((v) => re.test(v));
}

function targetMatches(target: PatchTarget, o: BuildingObject): boolean {
  if (target.kind !== undefined && target.kind !== kindOf(o)) return false;
  if (target.group !== undefined && target.group !== groupOf(o)) return false;
  if (target.version !== undefined && target.version !== versionOf(o)) return false;
  if (target.name !== undefined && !anchored(target.name, [nameOf(o), ...o.previousNames])) return false;
  if (target.namespace !== undefined && !anchored(target.namespace, [namespaceOf(o), ...o.previousNamespaces])) return false;
  if (target.labelSelector !== undefined && !selectorMatches(target.labelSelector, labelsOf(o))) return false;
  if (target.annotationSelector !== undefined && !selectorMatches(target.annotationSelector, annotationsOf(o))) return false;
  return true;
}

/** `kustomize build` of the kustomization `root`, reading files through `lookup`. */
export function buildKustomization(root: Kustomization, lookup: FileLookup): Build {
  const builder = new Builder(lookup);
  const objects = builder.target(root);
  for (const o of objects) if (o.hashed) renameObject(o, `${nameOf(o)}-${hashSuffix}`, o.hashed);
  fixNameReferences(objects, [...builtInNameReferences, ...builder.nameReferences]);
  return {
    root,
    objects: objects.map((o) => ({
      resource: toBuiltResource(o), previousNames: o.previousNames, files: o.files, hashed: o.hashed !== undefined, renamedBy: o.renamedBy,
    })),
    inputs: builder.inputs,
    resourceFiles: builder.resourceFiles,
    shapingFiles: builder.shapingFiles,
    unknown: builder.unknown,
  };
}

/** The kustomization of the folder `dir` (kustomize's file names, in the order it tries them), with the paths looked at. */
function kustomizationIn(dir: string, lookup: FileLookup): { kustomization?: Kustomization; looked: string[] } {
  const looked: string[] = [];
  for (const name of kustomizationFileNames) {
    const path = resolvePath(dir, name);
    looked.push(path);
    const file = lookup(path);
    const k = file && readKustomization(file);
    if (k) return { kustomization: k, looked };
  }
  return { looked };
}

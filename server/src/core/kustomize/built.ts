/**
 * An object as a kustomize build transforms it: its current tree plus the history kustomize keeps (earlier names
 * and namespaces, which patch targets and name references match against), and the files that wrote into it.
 */
import type { Resource, Span, YMap, YNode } from '../model';
import { asScalar, get, str, stringMap } from '../parse/ynode';
import { encodeSpan, isVirtual } from './origin';
import { importNode } from './tree';

export interface BuildingObject {
  /** The document the object comes from (the first one, for objects a generator makes). */
  source: Resource;
  root: YMap;
  /** Names before each rename, oldest first. */
  previousNames: string[];
  /** Namespaces before each namespace change, oldest first ('' for none). */
  previousNamespaces: string[];
  /** Every file that wrote a value into the object. */
  files: Set<string>;
  /**
   * For ConfigMaps and Secrets whose generator appends a hash of their content to the name (a hash this model
   * cannot compute): the generator's name entry.
   */
  hashed?: Rename;
  /** What renamed it: a namePrefix or nameSuffix value, or the generator that appends the hash. */
  renamedBy: Rename[];
}

export interface Rename {
  file: string;
  node: YNode;
}

export function startObject(source: Resource): BuildingObject {
  return { source, root: source.root, previousNames: [], previousNamespaces: [], files: new Set<string>().add(source.file), renamedBy: [] };
}

export function nameOf(o: BuildingObject): string {
  return str(get(o.root, 'metadata', 'name')) ?? '';
}

/** The namespace written in the object, '' when none. */
export function namespaceOf(o: BuildingObject): string {
  return str(get(o.root, 'metadata', 'namespace')) ?? '';
}

export function kindOf(o: BuildingObject): string {
  return o.source.kind;
}

export function groupOf(o: BuildingObject): string {
  return o.source.group;
}

/** The object's version (the part of apiVersion after the group). */
export function versionOf(o: BuildingObject): string {
  const apiVersion = o.source.apiVersion;
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

export function labelsOf(o: BuildingObject): Record<string, string> {
  return stringMap(get(o.root, 'metadata', 'labels'));
}

export function annotationsOf(o: BuildingObject): Record<string, string> {
  return stringMap(get(o.root, 'metadata', 'annotations'));
}

/** A node written in `file`, made part of this object (see importNode), remembering that `file` wrote into it. */
export function adopt(o: BuildingObject, node: YNode, file: string): YNode {
  if (file !== o.source.file) o.files.add(file);
  return importNode(node, file, o.source.file);
}

/**
 * The same for a span of `file`. With `holds: false` the file is not recorded among those whose analyses check the
 * object: for values no check reports on (metadata labels), which spares a kustomization that labels every object
 * of its build from checking all of them again.
 */
export function adoptSpan(o: BuildingObject, span: Span, file: string, holds = true): Span {
  if (file === o.source.file) return span;
  if (holds) o.files.add(file);
  return encodeSpan(file, span);
}

/** Whether `name` is the object's name now or was one of its earlier names. */
export function hadName(o: BuildingObject, name: string): boolean {
  return nameOf(o) === name || o.previousNames.includes(name);
}

/** The finished object, as the checks see it. */
export function toBuiltResource(o: BuildingObject): Resource {
  const metadata = get(o.root, 'metadata');
  const sourceMetadata = get(o.source.root, 'metadata');
  const namespace = str(get(metadata, 'namespace')) ?? '';
  const labels = get(metadata, 'labels');
  const annotations = get(metadata, 'annotations');
  const resource: Resource = {
    ...o.source,
    name: str(get(metadata, 'name')) ?? '',
    namespace: namespace || 'default',
    namespaceExplicit: namespace !== '',
    // The document's own labels and annotations were read from the same nodes when they are still there.
    labels: labels === get(sourceMetadata, 'labels') ? o.source.labels : stringMap(labels),
    annotations: annotations === get(sourceMetadata, 'annotations') ? o.source.annotations : stringMap(annotations),
    root: o.root,
  };
  // A rule's text is read from the file of the object's document; a route a patch wrote lives in another file, so
  // its positions cannot be mapped and the text is not passed on.
  if (resource.fileText !== undefined && routeMatchesFromElsewhere(o)) delete resource.fileText;
  return resource;
}

function routeMatchesFromElsewhere(o: BuildingObject): boolean {
  const routes = get(o.root, 'spec', 'routes');
  // Routes no patch touched are the document's own, all written in its file.
  if (routes === get(o.source.root, 'spec', 'routes')) return false;
  return routes?.type === 'seq' && routes.items.some((route) => {
    const match = asScalar(get(route, 'match'));
    return match !== undefined && isVirtual(match.span);
  });
}

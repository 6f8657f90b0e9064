/**
 * Flux Kustomizations (kustomize.toolkit.fluxcd.io) as builds. Flux's kustomize-controller builds the folder at
 * `spec.path` with kustomize after writing into the folder's kustomization what the object adds: `targetNamespace`
 * as its namespace, `namePrefix`, `nameSuffix`, `patches`, `components`, `images` and the labels of
 * `commonMetadata` (a folder without a kustomization gets one that lists its manifests). A Flux Kustomization that adds any of these to a folder
 * of the workspace is therefore a build of its own: it is read here as a kustomization around that folder, and the
 * folder's own kustomization is then a part of it rather than a build alone.
 *
 * `spec.path` is relative to the root of the Git repository Flux reads, which need not be the workspace's folder:
 * see fluxFolder.
 */
import type { Resource, YMap, YNode } from '../model';
import type { ParsedFile } from '../parse/parseFile';
import { asMap, get, items, str } from '../parse/ynode';
import { hasSubstitutionVariable } from '../sources/substitution';
import { labelPairs, readImages, readPatches, written, type Kustomization, type Written } from './kustomization';
import { dirname, isInside, relativeTo, separatorOf } from './paths';

const fluxGroup = 'kustomize.toolkit.fluxcd.io';

/** A Flux Kustomization object: where it is written and its tree. */
export interface FluxObject {
  file: string;
  namespace: string;
  name: string;
  root: YNode;
}

function isFluxKustomization(r: Resource): boolean {
  return r.kind === 'Kustomization' && r.group === fluxGroup;
}

/** Whether a plain document is a Flux Kustomization (one kept in a file named kustomization.yaml is read as such). */
export function isFluxDocument(root: YNode | undefined): boolean {
  return (str(get(root, 'apiVersion')) ?? '').startsWith(`${fluxGroup}/`) && str(get(root, 'kind')) === 'Kustomization';
}

/** Whether a file holds a Flux Kustomization: asked of every file, so it allocates nothing. */
export function holdsFluxKustomization(parsed: ParsedFile | undefined): boolean {
  if (!parsed) return false;
  for (const r of parsed.resources) if (r.kind === 'Kustomization' && r.group === fluxGroup) return true;
  // Only files read by name (kustomization.yaml) keep plain documents, so this loop is short.
  for (const doc of parsed.documents ?? []) if (isFluxDocument(doc.root)) return true;
  return false;
}

/** The Flux Kustomizations a file holds, as objects or as plain documents. */
export function fluxObjects(parsed: ParsedFile | undefined): FluxObject[] {
  if (!parsed) return [];
  const out: FluxObject[] = parsed.resources.filter(isFluxKustomization).map((r) => ({ file: r.file, namespace: r.namespace, name: r.name, root: r.root }));
  for (const doc of parsed.documents ?? []) {
    if (!isFluxDocument(doc.root)) continue;
    out.push({ file: parsed.file, namespace: str(get(doc.root, 'metadata', 'namespace')) ?? 'default', name: str(get(doc.root, 'metadata', 'name')) ?? '', root: doc.root });
  }
  return out;
}

/**
 * The key of the build a Flux Kustomization makes, unlike any file path: the file and the object. Its folder part
 * is the file's folder (a namespace or a name never holds a slash).
 */
export function fluxBuildKey(o: FluxObject): string {
  return `${o.file}#${o.namespace}.${o.name}`;
}

/** What the workspace offers for finding a Flux Kustomization's folder and the manifests in it. */
export interface FluxFolders {
  /** Every folder that holds a file of the workspace, and the folders above them. */
  folders: ReadonlySet<string>;
  /** The folder that holds every file of the workspace: what the path `./` names. */
  root: string;
  /** The folders that hold a kustomization, with its file. */
  kustomizations: ReadonlyMap<string, string>;
  /** The files of the workspace that hold Kubernetes objects. */
  manifests: () => Iterable<string>;
}

/** A value of the object, left out when Flux fills it in from a variable (`targetNamespace: ${NAMESPACE}`). */
function fixed(node: YNode | undefined): Written | undefined {
  const value = written(node);
  return value && !hasSubstitutionVariable(value.value) ? value : undefined;
}

/**
 * The workspace folder a Flux path names. The workspace may lie above the repository (its folders end with the
 * path) or inside it (the path ends with a folder given relative to the workspace); the longest match wins, and two
 * equally long ones leave it open which folder Flux reads.
 */
export function fluxFolder(path: string, workspace: Pick<FluxFolders, 'folders' | 'root'>): string | undefined {
  const wanted = path.replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (wanted === '' || wanted === '.') return workspace.root;
  if (wanted.split('/').includes('..')) return undefined;
  let best: { folder: string; length: number } | undefined;
  let tied = false;
  for (const folder of workspace.folders) {
    const posix = folder.replace(/\\/g, '/');
    const relative = posix !== '' && !/^([/]|[a-zA-Z]:)/.test(posix);
    const length = posix === wanted || posix.endsWith(`/${wanted}`) ? wanted.length : relative && wanted.endsWith(`/${posix}`) ? posix.length : 0;
    if (length === 0 || (best && length < best.length)) continue;
    tied = best !== undefined && length === best.length;
    best = { folder, length };
  }
  return best && !tied ? best.folder : undefined;
}

/**
 * The kustomization a Flux Kustomization amounts to, or undefined when it adds nothing to its folder (then the
 * folder's own kustomization builds the same objects) or its folder is not in the workspace.
 */
export function readFluxKustomization(r: FluxObject, workspace: FluxFolders): Kustomization | undefined {
  const spec = asMap(get(r.root, 'spec'));
  const pathNode = get(spec, 'path');
  const path = str(pathNode);
  if (!spec || !pathNode || path === undefined || hasSubstitutionVariable(path)) return undefined;
  const folder = fluxFolder(path, workspace);
  if (folder === undefined) return undefined;
  const namespace = fixed(get(spec, 'targetNamespace'));
  const namePrefix = fixed(get(spec, 'namePrefix'));
  const nameSuffix = fixed(get(spec, 'nameSuffix'));
  const patches = readPatches(spec);
  const components = items(get(spec, 'components')).map(fixed).filter((w): w is Written => w !== undefined);
  const labels = labelPairs(get(spec, 'commonMetadata', 'labels'));
  const images = readImages(get(spec, 'images'));
  if (!namespace && !namePrefix && !nameSuffix && patches.length === 0 && components.length === 0 && labels.length === 0 && images.length === 0) return undefined;
  const resources: Written[] = workspace.kustomizations.has(folder)
    ? [{ value: '.', node: pathNode }]
    : generatedResources(folder, workspace).map((value) => ({ value, node: pathNode }));
  return {
    file: r.file, dir: folder, kind: 'Kustomization', root: spec as YMap,
    resources, components,
    ...(namespace ? { namespace } : {}), ...(namePrefix ? { namePrefix } : {}), ...(nameSuffix ? { nameSuffix } : {}),
    // commonMetadata labels go on the objects' metadata only, never into selectors or Pod templates.
    labels: labels.length > 0 ? [{ pairs: labels, includeSelectors: false, includeTemplates: false, fields: [] }] : [],
    annotations: labelPairs(get(spec, 'commonMetadata', 'annotations')),
    patches, configurations: [], images, helmCharts: [], generated: [],
  };
}

/**
 * The resources of the kustomization Flux generates for a folder without one: every manifest below the folder,
 * except that a subfolder with a kustomization is listed as a whole.
 */
function generatedResources(folder: string, workspace: FluxFolders): string[] {
  const sep = separatorOf(folder);
  const out = new Set<string>();
  for (const file of workspace.manifests()) {
    if (!isInside(folder, file)) continue;
    let dir = dirname(file);
    let listed = file;
    // The outermost folder with a kustomization between the folder and the file stands for the file.
    while (dir !== folder && isInside(folder, dir)) {
      if (workspace.kustomizations.has(dir)) listed = dir;
      dir = dirname(dir);
    }
    out.add(relativeTo(folder, listed).split(/[/\\]/).join(sep));
  }
  return [...out].sort();
}

/**
 * Reference sites looked up in the workspace index: what a site names, which sites name an object, what sits at an
 * offset of a file, and which workloads a Service selects. Navigation follows what is written, so every object of
 * the workspace counts, including those Traefik ignores (another API group, an unwatched namespace): a user who
 * jumps from a reference wants to land on the object it names, and the diagnostics say when Traefik will not read it.
 */
import { serviceSelector } from '../k8s/endpoints';
import { equalitySelectorMatches } from '../k8s/labels';
import { findSecretSource } from '../k8s/secrets';
import { podTemplateLabels, type WorkspaceIndex } from '../index/workspaceIndex';
import type { Resource, Span } from '../model';
import { get } from '../parse/ynode';
import { traefikId } from '../traefik/visibility';
import { holderKinds, referenceSites, type RefSite } from './sites';
import { plainView } from './view';

/** The id under which Traefik registers an object; TLSOption ids are not normalized, and `default` is global. */
export function idOf(object: Resource): string {
  if (object.kind === 'TLSOption') return object.name === 'default' ? 'default' : `${object.namespace}-${object.name}`;
  return traefikId(object);
}

/** The objects a site names: every document of it (a kustomize base and its patches are one object). */
export function resolveSite(index: WorkspaceIndex, site: RefSite): readonly Resource[] {
  const { lookup } = site;
  switch (lookup.by) {
    case 'external':
      return [];
    case 'id':
      return index.ofKind(site.targetKind).filter((object) => idOf(object) === lookup.id);
    case 'name': {
      if (lookup.name === '') return [];
      const found = index.find(site.targetKind, lookup.namespace, lookup.name);
      if (found.length > 0 || site.targetKind !== 'Secret') return found;
      // A Secret may not be written out: a cert-manager Certificate or a sealed or external secret creates it.
      const source = findSecretSource(plainView(index), lookup.namespace, lookup.name);
      return source.state === 'exists' ? [source.resource] : [];
    }
  }
}

export function sameObject(a: Resource, b: Resource): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** Every reference site of the workspace, holder by holder. */
export function* allSites(index: WorkspaceIndex): Generator<RefSite> {
  for (const kind of holderKinds) for (const holder of index.ofKind(kind)) yield* referenceSites(holder);
}

/** Objects that create a Secret, and are what a reference to that Secret resolves to when the Secret is not written out. */
const secretProducers: ReadonlySet<string> = new Set(['Certificate', 'SealedSecret', 'ExternalSecret']);

/** The sites that resolve to `target` (any document of it). */
export function referencesTo(index: WorkspaceIndex, target: Resource): RefSite[] {
  const out: RefSite[] = [];
  const siteKind = secretProducers.has(target.kind) ? 'Secret' : target.kind;
  for (const site of allSites(index)) {
    if (site.targetKind !== siteKind) continue;
    if (resolveSite(index, site).some((r) => sameObject(r, target))) out.push(site);
  }
  return out;
}

/** True when `offset` lies in `span`, its end included, so that a cursor right after a word still counts. */
export function touches(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** The resource of `file` whose document holds `offset`. */
export function resourceAt(index: WorkspaceIndex, file: string, offset: number): Resource | undefined {
  return index.getFile(file)?.resources.find((r) => touches(r.docSpan, offset));
}

/** The innermost reference site at `offset` of `file`: its name, or for a Service reference its port too. */
export function siteAt(index: WorkspaceIndex, file: string, offset: number): RefSite | undefined {
  const resource = resourceAt(index, file, offset);
  if (!resource) return undefined;
  let best: RefSite | undefined;
  for (const site of referenceSites(resource)) {
    const hit = [site.span, site.port?.node.span].find((span) => span !== undefined && touches(span, offset));
    if (hit && (!best || hit.end - hit.start < best.span.end - best.span.start)) best = site;
  }
  return best;
}

/** The `metadata.name` span of an object, or the start of its document when it has no name. */
export function nameSpanOf(resource: Resource): Span {
  return get(resource.root, 'metadata', 'name')?.span ?? { start: resource.docSpan.start, end: resource.docSpan.start };
}

export interface Selection {
  /** Workloads whose Pod template carries every selector pair. */
  matched: Resource[];
  /** Workloads whose Pod labels the workspace cannot know (an Argo Rollout with workloadRef, a patch without template). */
  unknown: Resource[];
}

/** The workloads of a Service's namespace whose Pods it selects; none for a Service without selector. */
export function selectedWorkloads(index: WorkspaceIndex, service: Resource): Selection {
  const selector = serviceSelector(service);
  if (!selector) return { matched: [], unknown: [] };
  const { results } = index.podTemplatesMatching(service.namespace, selector);
  return {
    matched: results.filter((r) => podTemplateLabels(r) !== undefined),
    unknown: results.filter((r) => podTemplateLabels(r) === undefined),
  };
}

/** The Services of a workload's namespace whose selector its Pod template labels satisfy. */
export function selectingServices(index: WorkspaceIndex, workload: Resource): Resource[] {
  const labels = podTemplateLabels(workload);
  if (!labels) return [];
  return index.inNamespace('Service', workload.namespace).filter((s) => {
    const selector = serviceSelector(s);
    return selector !== undefined && equalitySelectorMatches(selector, labels);
  });
}

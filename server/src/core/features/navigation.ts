/**
 * Go to definition, find references and rename, over the reference sites of `core/refs`. They respect namespaces:
 * a reference belongs to an object only when it resolves to it (by namespace and name, or by Traefik id), so
 * renaming Service `a/web` leaves a reference to `b/web` alone.
 */
import { readWorkload } from '../k8s/workloads';
import type { Resource, Span, YScalar } from '../model';
import { asMap, asScalar, get, pair } from '../parse/ynode';
import { nameSpanOf, referencesTo, resolveSite, resourceAt, selectedWorkloads, siteAt, touches } from '../refs/resolve';
import type { RefSite } from '../refs/sites';
import { crdProvider, objectId } from '../traefik/names';
import type { FeatureContext } from './context';
import { replaceScalar, type TextEdit } from './yamlEdit';

export interface Place {
  file: string;
  span: Span;
}

function nameNodeOf(resource: Resource): YScalar | undefined {
  return asScalar(get(resource.root, 'metadata', 'name'));
}

/**
 * From a reference: every document of the object it names. From a Service's selector: the Pod templates of every
 * workload it selects (and those whose labels cannot be known, which may be selected).
 */
export function definitionAt(ctx: FeatureContext, file: string, offset: number): Place[] {
  const site = siteAt(ctx.index, file, offset);
  if (site) return resolveSite(ctx.index, site).map((r) => ({ file: r.file, span: nameSpanOf(r) }));
  const resource = resourceAt(ctx.index, file, offset);
  if (resource?.kind !== 'Service') return [];
  const selector = pair(get(resource.root, 'spec'), 'selector');
  if (!selector || !(touches(selector.keySpan, offset) || touches(selector.value.span, offset))) return [];
  const { matched, unknown } = selectedWorkloads(ctx.index, resource);
  return [...matched, ...unknown].map((w) => ({ file: w.file, span: readWorkload(w)?.template?.labelsNode?.span ?? nameSpanOf(w) }));
}

/**
 * The object at an offset (all its documents): the one a reference names, or the one whose `metadata.name` is
 * there. `name` is set in the second case.
 */
function objectAt(ctx: FeatureContext, file: string, offset: number): { targets: readonly Resource[]; site?: RefSite; name?: YScalar } {
  const site = siteAt(ctx.index, file, offset);
  if (site) return { targets: resolveSite(ctx.index, site), site };
  const resource = resourceAt(ctx.index, file, offset);
  const name = resource && nameNodeOf(resource);
  if (!resource || !name || !touches(name.span, offset)) return { targets: [] };
  return { targets: ctx.index.find(resource.kind, resource.namespace, resource.name), name };
}

/** Every reference to the object at the offset, its own names first when `includeDeclaration`. */
export function referencesAt(ctx: FeatureContext, file: string, offset: number, includeDeclaration: boolean): Place[] {
  const { targets } = objectAt(ctx, file, offset);
  const target = targets[0];
  if (!target) return [];
  const declarations = includeDeclaration ? targets.map((r) => ({ file: r.file, span: nameSpanOf(r) })) : [];
  return [...declarations, ...referencesTo(ctx.index, target).map((s) => ({ file: s.holder.file, span: s.span }))];
}

/** Kinds that can be renamed with every reference: objects routes name by namespace and name or by Traefik id. */
const renamableKinds: ReadonlySet<string> = new Set(['Service', 'Middleware', 'MiddlewareTCP', 'TraefikService']);

/** The characters of a scalar without its quotes. */
function innerSpan(node: YScalar): Span {
  return node.style === 'single' || node.style === 'double' ? { start: node.span.start + 1, end: node.span.end - 1 } : node.span;
}

export type RenameTarget = { span: Span; placeholder: string } | { error: string };

/** What a rename at the offset would rename (the range to edit and the current name), or why it cannot. */
export function prepareRenameAt(ctx: FeatureContext, file: string, offset: number): RenameTarget | undefined {
  const { targets, site, name } = objectAt(ctx, file, offset);
  const target = targets[0];
  if (site && !target) return { error: `${site.targetKind} ${site.written} is not defined in the workspace, so Route Doctor cannot rename it.` };
  if (!target) return undefined;
  if (!renamableKinds.has(target.kind)) return { error: `Route Doctor renames Services, Middlewares and TraefikServices, not ${target.kind} objects.` };
  if (name) return { span: innerSpan(name), placeholder: target.name };
  const span = site!.nameNode && site!.span === site!.nameNode.span ? innerSpan(site!.nameNode) : site!.span;
  return { span, placeholder: target.name };
}

const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why the API server would refuse `name` for an object of `kind`, or undefined. */
function invalidName(kind: string, name: string): string | undefined {
  if (kind === 'Service') {
    return name.length <= 63 && dns1035Label.test(name) ? undefined
      : `"${name}" is not a valid Service name: at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit.`;
  }
  return name.length <= 253 && dns1123Subdomain.test(name) ? undefined
    : `"${name}" is not a valid ${kind} name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit.`;
}

/**
 * Renames the object at the offset and every reference that resolves to it: plain names get the new name, Traefik
 * ids (`<namespace>-<name>@kubernetescrd`) the new id. Renaming a Service also renames the Endpoints object and the
 * EndpointSlice labels that belong to it, which a copy of a cluster's state holds.
 */
export function renameAt(ctx: FeatureContext, file: string, offset: number, newName: string): { edits: TextEdit[] } | { error: string } {
  const prepared = prepareRenameAt(ctx, file, offset);
  if (!prepared) return { error: 'There is nothing to rename here.' };
  if ('error' in prepared) return prepared;
  const target = objectAt(ctx, file, offset).targets[0]!;
  if (newName === target.name) return { edits: [] };
  const invalid = invalidName(target.kind, newName);
  if (invalid) return { error: invalid };
  if (ctx.index.find(target.kind, target.namespace, newName).length > 0) {
    return { error: `${target.kind} ${target.namespace}/${newName} already exists.` };
  }
  const edits: (TextEdit | undefined)[] = [];
  const renameNameOf = (r: Resource) => {
    const node = nameNodeOf(r);
    const text = ctx.textOf(r.file);
    edits.push(node && text !== undefined ? replaceScalar(r.file, text, node, newName) : undefined);
  };
  ctx.index.find(target.kind, target.namespace, target.name).forEach(renameNameOf);
  for (const site of referencesTo(ctx.index, target)) edits.push(siteRename(ctx, site, target, newName));
  if (target.kind === 'Service') {
    ctx.index.find('Endpoints', target.namespace, target.name).forEach(renameNameOf);
    for (const slice of ctx.index.inNamespace('EndpointSlice', target.namespace)) {
      const label = asScalar(get(slice.root, 'metadata', 'labels', 'kubernetes.io/service-name'));
      const text = ctx.textOf(slice.file);
      if (label && label.value === target.name && text !== undefined) edits.push(replaceScalar(slice.file, text, label, newName, asMap(get(slice.root, 'metadata', 'labels'))?.flow));
    }
  }
  if (edits.some((e) => e === undefined)) return { error: `Route Doctor cannot rewrite one of the references to ${target.kind} ${target.name} (it is written in a form it does not edit).` };
  const unique = new Map<string, TextEdit>();
  for (const e of edits as TextEdit[]) unique.set(`${e.file}\n${e.span.start}\n${e.span.end}`, e);
  return { edits: [...unique.values()] };
}

function siteRename(ctx: FeatureContext, site: RefSite, target: Resource, newName: string): TextEdit | undefined {
  const file = site.holder.file;
  const text = ctx.textOf(file);
  const node = site.nameNode;
  if (!node || text === undefined) return undefined;
  const inFlow = site.refMap?.flow ?? false;
  if (site.lookup.by === 'name') return replaceScalar(file, text, node, newName, inFlow);
  // A TraefikService id joins the reference's namespace field and its name, so only the name part changes.
  const id = site.targetKind === 'TraefikService' && site.namespaceNode ? newName : objectId(target.namespace, newName);
  const written = `${id}@${crdProvider}`;
  if (site.role !== 'ingress-middleware') return replaceScalar(file, text, node, written, inFlow);
  if (site.span !== node.span) return { file, span: site.span, newText: written };
  // The entries' offsets are unknown: rewrite the whole value with this entry replaced.
  const value = String(node.value ?? '').split(',').map((entry) => (entry.trim() === site.written ? written : entry.trim())).join(',');
  return replaceScalar(file, text, node, value);
}

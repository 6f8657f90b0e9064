/**
 * Quick fixes: for a finding, the edits that repair it, computed from its `code` and `data` (never from its message)
 * and from the workspace index. Each fix is a list of minimal text edits (`yamlEdit.ts`), possibly in several files:
 * aligning labels may change a Deployment in another file than the Service. A fix is `preferred` when it is the one
 * obvious repair (a single close name, the Service port whose targetPort the route named); only those are applied
 * by "Fix all".
 */
import { serviceSelector, type NamedPortMissingData, type NoMatchData } from '../k8s/endpoints';
import { middlewaresAnnotation } from '../k8s/ingress';
import { equalitySelectorMatches, labelSelectorMatches, parseLabelSelector } from '../k8s/labels';
import { closestMatch } from '../k8s/similar';
import { readWorkload } from '../k8s/workloads';
import { basename } from '../kustomize/paths';
import { podTemplateLabels } from '../index/workspaceIndex';
import type { Finding, Resource, Span, YMap, YNode, YScalar } from '../model';
import { asMap, asScalar, get, items, pair, str } from '../parse/ynode';
import { referenceSites, type RefSite } from '../refs/sites';
import { resolveSite, resourceAt, selectingServices, touches } from '../refs/resolve';
import { ignoreAnnotation } from '../suppress';
import { matchServicePort, servicePorts, type ServicePort } from '../traefik/kubernetes';
import { closestNames, crdProvider } from '../traefik/names';
import { routesOf } from '../traefik/routes';
import { containerPortOf } from './chain';
import type { FeatureContext } from './context';
import { appendToSequence, insertIntoMap, lineBreakOf, lineStartOf, overlaps, removePair, replaceScalar, setPath, type TextEdit } from './yamlEdit';

export type FixKind = 'quickfix' | 'suppress';

export interface Fix {
  title: string;
  /** The findings the fix repairs or silences: one, or all of a file's findings of a code for a file-wide fix. */
  findings: Finding[];
  edits: TextEdit[];
  /** The one obvious repair: offered first, and applied by "Fix all". */
  preferred: boolean;
  kind: FixKind;
}

type Repair = (ctx: FeatureContext, finding: Finding) => Fix[];

/** The repairs and suppressions offered for one finding, repairs first. */
export function fixesFor(ctx: FeatureContext, finding: Finding): Fix[] {
  const repair = repairs[finding.code];
  return [...(repair ? repair(ctx, finding) : []), ...suppressions(ctx, finding)];
}

/** Fixes that repair several findings of one file at once: today, moving every traefik.containo.us object to traefik.io. */
export function fileWideFixes(ctx: FeatureContext, file: string, findings: readonly Finding[]): Fix[] {
  const deprecated = findings.filter((f) => f.file === file && f.code === 'deprecated-api-group');
  if (deprecated.length < 2) return [];
  const edits = deprecated.flatMap((f) => apiGroupFix(ctx, f).flatMap((fix) => fix.edits));
  if (edits.length !== deprecated.length) return [];
  return [{ title: 'Use apiVersion traefik.io/v1alpha1 for every Traefik object in this file', findings: deprecated, edits, preferred: false, kind: 'quickfix' }];
}

/**
 * The edits of "Fix all" for one file: every preferred repair whose edits stay in that file, skipping a repair that
 * would overlap one already taken (two findings on one scalar), so that the result is well defined.
 */
export function fixAllEdits(ctx: FeatureContext, file: string, findings: readonly Finding[]): TextEdit[] {
  const taken: TextEdit[] = [];
  for (const finding of findings) {
    if (finding.file !== file) continue;
    const fix = fixesFor(ctx, finding).find((f) => f.preferred && f.kind === 'quickfix' && f.edits.every((e) => e.file === file));
    if (!fix) continue;
    const fresh = fix.edits.filter((e) => !taken.some((t) => sameEdit(t, e)));
    if (fresh.some((e) => taken.some((t) => overlaps(t, e)))) continue;
    taken.push(...fresh);
  }
  return taken;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.file === b.file && a.span.start === b.span.start && a.span.end === b.span.end && a.newText === b.newText;
}

/** A one-fix list, or none when an edit could not be computed (a fix is all of its edits or nothing). */
function fix(finding: Finding, title: string, edits: readonly (TextEdit | undefined)[], preferred = false): Fix[] {
  if (edits.length === 0 || edits.some((e) => e === undefined)) return [];
  const defined = edits as TextEdit[];
  if (defined.some((e, i) => defined.some((o, j) => j > i && overlaps(e, o)))) return [];
  return [{ title, findings: [finding], edits: defined, preferred, kind: 'quickfix' }];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end;
}

/** The reference site a finding is reported on: its name, or its port. */
function siteOf(ctx: FeatureContext, finding: Finding): RefSite | undefined {
  const resource = resourceAt(ctx.index, finding.file, finding.span.start);
  if (!resource) return undefined;
  return referenceSites(resource).find((s) => sameSpan(s.span, finding.span) || (s.port !== undefined && sameSpan(s.port.node.span, finding.span)));
}

/** The resource a finding was reported on (the object whose check reported it), in the finding's file. */
function holderOf(ctx: FeatureContext, finding: Finding): Resource | undefined {
  const ref = finding.resource;
  if (!ref) return undefined;
  const candidates = (ctx.index.getFile(finding.file)?.resources ?? []).filter((r) => r.kind === ref.kind && r.namespace === ref.namespace && r.name === ref.name);
  return candidates.find((r) => touches(r.docSpan, finding.span.start)) ?? candidates[0];
}

const repairs: Record<string, Repair> = {
  'service-not-found': serviceNotFound,
  'service-port-not-found': servicePortFixes,
  'service-port-missing': servicePortFixes,
  'selector-no-match': alignLabels,
  'service-no-endpoints': (ctx, f) => [...alignLabels(ctx, f), ...routeTargetPortFixes(ctx, f)],
  'target-port-not-found': targetPortNotFound,
  'middleware-not-found': (ctx, f) => renameReference(ctx, f, 'Middleware'),
  'tls-options-not-found': (ctx, f) => renameReference(ctx, f, 'TLSOption'),
  'traefikservice-not-found': (ctx, f) => renameReference(ctx, f, 'TraefikService'),
  'deprecated-api-group': apiGroupFix,
  'route-kind-missing': routeKindFix,
  'middleware-annotation-format': annotationFormatFix,
  'kustomize-unlisted-file': listInKustomization,
};

// ---- Kustomize

/** Adds the file to the resources of its folder's kustomization (a path relative to it: the file's own name). */
function listInKustomization(ctx: FeatureContext, finding: Finding): Fix[] {
  const kustomization = finding.data?.['kustomization'];
  const entry = finding.data?.['entry'];
  if (typeof kustomization !== 'string' || typeof entry !== 'string') return [];
  const text = ctx.textOf(kustomization);
  const root = asMap(ctx.index.getFile(kustomization)?.documents?.[0]?.root);
  const resources = get(root, 'resources');
  if (text === undefined || resources?.type !== 'seq') return [];
  const edit = appendToSequence(kustomization, text, resources, entry);
  return edit ? [{ title: `Add ${entry} to the resources of ${basename(kustomization)}`, findings: [finding], edits: [edit], preferred: true, kind: 'quickfix' }] : [];
}

// ---- Services

/**
 * The closest Services of the reference's namespace (up to three; preferred when there is exactly one), and, when
 * Traefik allows cross-namespace references, `namespace:` set to a namespace where a Service of that name exists.
 */
function serviceNotFound(ctx: FeatureContext, finding: Finding): Fix[] {
  const site = siteOf(ctx, finding);
  const text = site && ctx.textOf(site.holder.file);
  if (!site?.nameNode || site.lookup.by !== 'name' || text === undefined) return [];
  const { namespace, name } = site.lookup;
  const file = site.holder.file;
  const listed = strings(finding.data?.candidates);
  const names = closestNames(name, listed.length > 0 ? listed : ctx.index.inNamespace('Service', namespace).map((s) => s.name));
  const elsewhere = site.role === 'service' && ctx.options.traefik.allowCrossNamespace && site.refMap
    ? [...new Set(ctx.index.ofKind('Service').filter((s) => s.name === name && s.namespace !== namespace).map((s) => s.namespace))].sort()
    : [];
  const single = names.length + elsewhere.length === 1;
  const inFlow = site.refMap?.flow ?? false;
  return [
    ...names.flatMap((candidate) => fix(finding, `Change to Service ${candidate}`, [replaceScalar(file, text, site.nameNode!, candidate, inFlow)], single)),
    ...elsewhere.flatMap((ns) => fix(finding, `Set namespace: ${ns} (Service ${ns}/${name} exists)`, [setPath(file, text, site.refMap!, ['namespace'], ns)], single)),
  ];
}

/** `(targetPort 8080)`, `(targetPort http = 8080)`, or '' for a port whose targetPort is itself. */
function targetDescription(ctx: FeatureContext, service: Resource, port: ServicePort): string {
  if (port.targetPort === undefined) return '';
  if (typeof port.targetPort === 'number') return `targetPort ${port.targetPort}`;
  const container = containerPortOf(ctx.index, service, port);
  return container !== undefined ? `targetPort ${port.targetPort} = ${container}` : `targetPort ${port.targetPort}`;
}

/**
 * One fix per port of the referenced Service, written the way the reference writes ports (a number, or a name where
 * the reference names ports). Preferred is the one port the written value evidently meant (its targetPort, the
 * container port behind it, the same number quoted, a close name), or the only port.
 */
function servicePortFixes(ctx: FeatureContext, finding: Finding): Fix[] {
  const site = siteOf(ctx, finding);
  const text = site && ctx.textOf(site.holder.file);
  if (!site?.refMap || text === undefined) return [];
  const service = resolveSite(ctx.index, site).find((s) => servicePorts(s).length > 0);
  if (!service) return [];
  const ports = servicePorts(service).filter((p) => p.port !== undefined);
  const wanted = site.port?.node.value;
  const names = ports.map((p) => p.name).filter((n) => n !== '');
  const closeName = typeof wanted === 'string' ? closestMatch(wanted, names) : undefined;
  const meant = (p: ServicePort): boolean => typeof wanted === 'number'
    ? p.targetPort === wanted || containerPortOf(ctx.index, service, p) === wanted
    : typeof wanted === 'string' && (String(p.port) === wanted || (closeName !== undefined && p.name === closeName));
  const likely = ports.filter(meant);
  const preferredPort = likely.length === 1 ? likely[0] : ports.length === 1 ? ports[0] : undefined;
  const file = site.holder.file;
  return ports.flatMap((p) => {
    const byName = site.port?.field === 'name' || (site.port?.field === 'port' && typeof wanted === 'string' && !/^\d+$/.test(wanted) && p.name !== '');
    if (byName && p.name === '') return [];
    const value: string | number = byName ? p.name : p.port!;
    const target = targetDescription(ctx, service, p);
    const title = byName
      ? `Use Service port ${p.name} (${[String(p.port), target].filter((s) => s !== '').join(', ')})`
      : `Use Service port ${p.port}${target ? ` (${target})` : ''}`;
    const edit = site.port
      ? replaceScalar(file, text, site.port.node, value, site.refMap!.flow)
      : setPath(file, text, site.refMap!, site.role === 'ingress-backend' ? ['port', 'number'] : ['port'], value);
    return fix(finding, title, [edit], p === preferredPort);
  });
}

// ---- Labels

/** The Service whose selector a `no-match` finding is about: the finding's own object, or the one its reference names. */
function serviceOfFinding(ctx: FeatureContext, finding: Finding, selector: Readonly<Record<string, string>>): Resource | undefined {
  let candidates: readonly Resource[] = [];
  if (finding.code === 'selector-no-match') {
    const own = resourceAt(ctx.index, finding.file, finding.span.start);
    if (own?.kind === 'Service') candidates = [own];
  } else {
    const site = siteOf(ctx, finding);
    if (site) candidates = resolveSite(ctx.index, site);
  }
  return candidates.find((s) => {
    const own = serviceSelector(s);
    return own !== undefined && Object.keys(own).length === Object.keys(selector).length && equalitySelectorMatches(selector, own);
  });
}

function formatPairs(pairs: readonly { key: string; value: string }[]): string {
  return pairs.map((p) => `${p.key}: ${p.value}`).join(', ');
}

/**
 * Aligning a Service's selector with the Pods it most likely meant, in both directions: change the selector (its
 * differing values become the Pods' values; keys the Pods lack are removed), or change the Pod template (its labels
 * take the selector's values; missing labels are added). The second is only offered when it breaks nothing: the
 * workload's own spec.selector must still select its template, and every Service that selects the Pods today must
 * still select them.
 */
function alignLabels(ctx: FeatureContext, finding: Finding): Fix[] {
  const data = finding.data as Partial<NoMatchData> | undefined;
  if (!data?.workload || !data.differing || !data.serviceSelector || data.differing.length === 0) return [];
  const service = serviceOfFinding(ctx, finding, data.serviceSelector);
  const ref = data.workload;
  const docs = ctx.index.find(ref.kind, ref.namespace, ref.name).filter((w) => w.file === ref.file);
  const workload = docs.find((w) => {
    const labels = podTemplateLabels(w);
    return labels != null && JSON.stringify(labels) === JSON.stringify(data.workloadLabels);
  }) ?? docs[0];
  if (!service || !workload) return [];
  return [...selectorSide(ctx, finding, service, workload, data.differing), ...templateSide(ctx, finding, service, workload, data.differing)];
}

function selectorSide(ctx: FeatureContext, finding: Finding, service: Resource, workload: Resource, differing: NoMatchData['differing']): Fix[] {
  const text = ctx.textOf(service.file);
  const selector = asMap(get(service.root, 'spec', 'selector'));
  if (text === undefined || !selector) return [];
  const removed = differing.filter((d) => d.labels === null).length;
  if (removed >= selector.pairs.length) return [];
  const edits = differing.map((d) => {
    const p = pair(selector, d.key);
    const scalar = asScalar(p?.value);
    if (!p || !scalar) return undefined;
    return d.labels !== null ? replaceScalar(service.file, text, scalar, d.labels, selector.flow) : removePair(service.file, text, selector, p);
  });
  return fix(finding, `Change the Service selector to match ${workload.kind} ${workload.name}`, edits);
}

function templateSide(ctx: FeatureContext, finding: Finding, service: Resource, workload: Resource, differing: NoMatchData['differing']): Fix[] {
  const text = ctx.textOf(workload.file);
  const read = readWorkload(workload);
  const template = read?.template;
  if (text === undefined || !read || !template) return [];
  const labels = { ...template.labels };
  for (const d of differing) labels[d.key] = d.selector;
  const own = parseLabelSelector(read.selectorNode);
  if (own && !labelSelectorMatches(own, labels)) return [];
  if (selectingServices(ctx.index, workload).some((s) => s !== service && !equalitySelectorMatches(serviceSelector(s) ?? {}, labels))) return [];
  const changed = differing.filter((d) => d.labels !== null);
  const added = differing.filter((d) => d.labels === null);
  const labelsNode = template.labelsNode;
  const edits: (TextEdit | undefined)[] = changed.map((d) => {
    const scalar = asScalar(pair(labelsNode, d.key)?.value);
    return scalar ? replaceScalar(workload.file, text, scalar, d.selector, labelsNode!.flow) : undefined;
  });
  if (added.length > 0) {
    if (labelsNode) edits.push(insertIntoMap(workload.file, text, labelsNode, added.map((d) => ({ path: [d.key], value: d.selector }))));
    else if (added.length === 1) edits.push(setPath(workload.file, text, template.node, ['metadata', 'labels', added[0]!.key], added[0]!.selector));
    else edits.push(undefined);
  }
  const where = workload.kind === 'Pod' ? `Pod ${workload.name}` : `the pod template of ${workload.kind} ${workload.name}`;
  const all = differing.map((d) => ({ key: d.key, value: d.selector }));
  const title = changed.length === 0 ? `Add ${formatPairs(all)} to ${where}` : `Set ${formatPairs(all)} on ${where}`;
  return fix(finding, title, edits);
}

// ---- Target ports

/** The Service port a route's reference uses, for findings on the route about the Service's targetPort. */
function routeTargetPortFixes(ctx: FeatureContext, finding: Finding): Fix[] {
  const data = finding.data as Partial<NamedPortMissingData> | undefined;
  if (!data?.declaredPorts || data.targetPort === undefined) return [];
  const site = siteOf(ctx, finding);
  const wanted = site?.port?.node.value;
  if (!site || (typeof wanted !== 'number' && typeof wanted !== 'string')) return [];
  for (const service of resolveSite(ctx.index, site)) {
    const port = matchServicePort(servicePorts(service), wanted);
    const node = asScalar(get(port?.node, 'targetPort'));
    if (port && node && node.value === data.targetPort) return targetPortFixes(ctx, finding, service, port.node, node, data as NamedPortMissingData);
  }
  return [];
}

function targetPortNotFound(ctx: FeatureContext, finding: Finding): Fix[] {
  const data = finding.data as Partial<NamedPortMissingData> | undefined;
  const service = resourceAt(ctx.index, finding.file, finding.span.start);
  if (!data?.declaredPorts || service?.kind !== 'Service') return [];
  for (const item of items(get(service.root, 'spec', 'ports'))) {
    const portMap = asMap(item);
    const node = asScalar(get(portMap, 'targetPort'));
    if (portMap && node && sameSpan(node.span, finding.span)) return targetPortFixes(ctx, finding, service, portMap, node, data as NamedPortMissingData);
  }
  return [];
}

/**
 * A targetPort the containers declare: each declared name, and each declared number, of the port's protocol.
 * Preferred is the declared name closest to the written one, or the only declared port.
 */
function targetPortFixes(ctx: FeatureContext, finding: Finding, service: Resource, portMap: YMap, node: YScalar, data: NamedPortMissingData): Fix[] {
  const text = ctx.textOf(service.file);
  if (text === undefined) return [];
  const declared = data.declaredPorts.filter((p) => p.protocol === data.protocol);
  const only = declared.length === 1 ? declared[0]! : undefined;
  const fixes: Fix[] = [];
  const seen = new Set<string | number>();
  for (const p of declared) {
    if (p.name !== null && !seen.has(p.name)) {
      seen.add(p.name);
      const preferred = data.suggestion !== undefined ? p.name === data.suggestion : p === only;
      const number = p.containerPort !== null ? `, ${p.containerPort}` : '';
      fixes.push(...fix(finding, `Use container port ${p.name} (container ${p.container}${number})`, [replaceScalar(service.file, text, node, p.name, portMap.flow)], preferred));
    }
    if (p.containerPort !== null && !seen.has(p.containerPort)) {
      seen.add(p.containerPort);
      const preferred = data.suggestion === undefined && p === only && p.name === null;
      fixes.push(...fix(finding, `Use container port ${p.containerPort} (container ${p.container})`, [replaceScalar(service.file, text, node, p.containerPort, portMap.flow)], preferred));
    }
  }
  return fixes;
}

// ---- Middlewares, TLSOptions, TraefikServices

/**
 * The candidates the finding lists, written in place of the name. A reference by Traefik id (`…@kubernetescrd`)
 * gets candidate ids. Nothing is offered when the target exists but fails (`data.cause`): renaming would not help.
 */
function renameReference(ctx: FeatureContext, finding: Finding, kindLabel: string): Fix[] {
  if (finding.data?.cause !== undefined) return [];
  const site = siteOf(ctx, finding);
  const text = site && ctx.textOf(site.holder.file);
  if (!site?.nameNode || text === undefined) return [];
  const file = site.holder.file;
  if (site.role === 'ingress-middleware') {
    const candidates = closestNames(site.written, strings(finding.data?.candidates));
    return candidates.flatMap((c) => fix(finding, `Change to ${c}`, [entryEdit(file, text, site, c)], candidates.length === 1));
  }
  const candidates = strings(finding.data?.candidates);
  const inFlow = site.refMap?.flow ?? false;
  if (site.lookup.by === 'name') {
    return candidates.flatMap((c) => fix(finding, `Change to ${kindLabel} ${c}`, [replaceScalar(file, text, site.nameNode!, c, inFlow)], candidates.length === 1));
  }
  // A TraefikService id is made of the namespace field and the name, so a candidate id only fits without that field.
  if (site.lookup.by === 'id' && !(site.targetKind === 'TraefikService' && site.namespaceNode)) {
    return candidates.flatMap((c) => fix(finding, `Change to ${c}@${crdProvider}`, [replaceScalar(file, text, site.nameNode!, `${c}@${crdProvider}`, inFlow)], candidates.length === 1));
  }
  return [];
}

/**
 * Replaces one entry of a comma-separated annotation. When the entries' offsets are not known (the site spans the
 * whole value), only a value with that single entry can be replaced.
 */
function entryEdit(file: string, text: string, site: RefSite, value: string): TextEdit | undefined {
  const scalar = site.nameNode!;
  if (!sameSpan(site.span, scalar.span)) return { file, span: site.span, newText: value };
  const entries = String(scalar.value ?? '').split(',').filter((e) => e.trim() !== '');
  return entries.length === 1 ? replaceScalar(file, text, scalar, value) : undefined;
}

// ---- Objects

function apiGroupFix(ctx: FeatureContext, finding: Finding): Fix[] {
  const resource = resourceAt(ctx.index, finding.file, finding.span.start);
  const text = ctx.textOf(finding.file);
  const node = asScalar(pair(resource?.root, 'apiVersion')?.value);
  if (!node || text === undefined || !sameSpan(node.span, finding.span)) return [];
  const replacement = typeof finding.data?.replacement === 'string' ? finding.data.replacement : 'traefik.io/v1alpha1';
  // Under v2 the new group needs Traefik v2.10 or newer, which the options cannot tell: "Fix all" leaves it alone.
  const v3 = ctx.options.traefik.version === 'v3';
  return fix(finding, `Use apiVersion ${replacement}${v3 ? '' : ' (Traefik v2.10 or newer)'}`, [replaceScalar(finding.file, text, node, replacement)], v3);
}

/** `kind: Rule` on the route: the wrong value replaced, or the key added after `match`. */
function routeKindFix(ctx: FeatureContext, finding: Finding): Fix[] {
  const resource = resourceAt(ctx.index, finding.file, finding.span.start);
  const text = ctx.textOf(finding.file);
  if (!resource || text === undefined) return [];
  const route = routesOf(resource).map(asMap).find((r): r is YMap => r !== undefined && touches(r.span, finding.span.start));
  if (!route) return [];
  const replacement = typeof finding.data?.replacement === 'string' ? finding.data.replacement : 'Rule';
  const kind = asScalar(pair(route, 'kind')?.value);
  const edit = kind
    ? replaceScalar(finding.file, text, kind, replacement, route.flow)
    : insertIntoMap(finding.file, text, route, [{ path: ['kind'], value: replacement }], pair(route, 'match'));
  return fix(finding, `Set kind: ${replacement}`, [edit], true);
}

/** The annotation entry rewritten as `<namespace>-<name>@kubernetescrd`, or the whole corrected value. */
function annotationFormatFix(ctx: FeatureContext, finding: Finding): Fix[] {
  const resource = resourceAt(ctx.index, finding.file, finding.span.start);
  const text = ctx.textOf(finding.file);
  const data = finding.data ?? {};
  const key = typeof data.annotation === 'string' ? data.annotation : middlewaresAnnotation;
  const scalar = asScalar(get(resource?.root, 'metadata', 'annotations', key));
  if (!scalar || text === undefined || typeof data.replacement !== 'string' || typeof data.value !== 'string') return [];
  const edit = sameSpan(scalar.span, finding.span)
    ? replaceScalar(finding.file, text, scalar, data.value)
    : { file: finding.file, span: finding.span, newText: data.replacement };
  return fix(finding, `Write ${data.replacement}`, [edit], true);
}

// ---- Suppression

/**
 * "Ignore <code> for this resource" (the `route-doctor.io/ignore` annotation, the code appended when the annotation
 * exists) and "Ignore <code> on this line" (a `# route-doctor-ignore` comment on the line above, or the code added
 * to such a comment). The engine honours both; this only writes them.
 */
function suppressions(ctx: FeatureContext, finding: Finding): Fix[] {
  const resource = holderOf(ctx, finding);
  const text = ctx.textOf(finding.file);
  if (!resource || text === undefined) return [];
  const fixes: Fix[] = [];
  const annotation = annotationSuppression(finding, resource, text);
  if (annotation) fixes.push({ title: `Ignore ${finding.code} for this resource`, findings: [finding], edits: [annotation], preferred: false, kind: 'suppress' });
  const comment = commentSuppression(finding, resource, text);
  if (comment) fixes.push({ title: `Ignore ${finding.code} on this line`, findings: [finding], edits: [comment], preferred: false, kind: 'suppress' });
  return fixes;
}

function annotationSuppression(finding: Finding, resource: Resource, text: string): TextEdit | undefined {
  const metadata = asMap(get(resource.root, 'metadata'));
  if (!metadata) return undefined;
  const existing = asScalar(get(metadata, 'annotations', ignoreAnnotation));
  if (!existing) return setPath(finding.file, text, metadata, ['annotations', ignoreAnnotation], finding.code);
  const codes = (str(existing) ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (codes.includes(finding.code)) return undefined;
  if (codes.length === 0) return replaceScalar(finding.file, text, existing, finding.code);
  // Appending keeps the user's spacing; codes are letters and dashes, which need no quoting in any style.
  if (existing.style === 'plain') return { file: finding.file, span: { start: existing.span.end, end: existing.span.end }, newText: `,${finding.code}` };
  if (existing.style === 'single' || existing.style === 'double') {
    const at = existing.span.end - 1;
    return { file: finding.file, span: { start: at, end: at }, newText: `,${finding.code}` };
  }
  return undefined;
}

const ignoreComment = /^([ \t]*#[ \t]*route-doctor-ignore[ \t]*:?[ \t]*)([\w.-]+(?:[ \t]*,[ \t]*[\w.-]+)*)/;

function commentSuppression(finding: Finding, resource: Resource, text: string): TextEdit | undefined {
  const lineStart = lineStartOf(text, finding.span.start);
  // A comment line inside a multi-line scalar would become part of its value.
  if (scalarAcross(resource.root, lineStart)) return undefined;
  if (lineStart > 0) {
    const previousStart = lineStartOf(text, lineStart - 1);
    const previous = ignoreComment.exec(text.slice(previousStart, lineStart - 1));
    if (previous) {
      const codes = previous[2]!.split(',').map((c) => c.trim());
      if (codes.includes(finding.code)) return undefined;
      const at = previousStart + previous[1]!.length + previous[2]!.length;
      return { file: finding.file, span: { start: at, end: at }, newText: `,${finding.code}` };
    }
  }
  const indent = /^[ \t]*/.exec(text.slice(lineStart, lineStart + 200))![0];
  return { file: finding.file, span: { start: lineStart, end: lineStart }, newText: `${indent}# route-doctor-ignore ${finding.code}${lineBreakOf(text)}` };
}

/** Whether a scalar of the tree starts before `offset` and ends after it, that is, spans the line starting there. */
function scalarAcross(node: YNode, offset: number): boolean {
  if (offset <= node.span.start || offset >= node.span.end) return false;
  if (node.type === 'scalar') return true;
  const children = node.type === 'map' ? node.pairs.map((p) => p.value) : node.items;
  return children.some((child) => scalarAcross(child, offset));
}


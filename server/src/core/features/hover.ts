/**
 * Hovers: the why behind a squiggle. On a service reference the whole chain (the Service, its ports down to the
 * container port, the Pods it selects, and what Traefik builds or why it drops the route); on a Service its Pods
 * and the routes using it, or, when it selects nothing, its selector side by side with the closest Pod labels; on a
 * Pod template's labels the Services and routes that reach those Pods; on any other reference what it resolves to;
 * inside a Traefik rule, the matcher or the routes sharing a host (ruleHelp.ts).
 *
 * The Markdown is compact and links every object to its file and line; links come from the host (`linkTo`), so
 * the core stays free of URIs and line numbers.
 */
import { predictEndpointsFromWorkloads, serviceSelector, type NoMatchData } from '../k8s/endpoints';
import { traefikProcessesIngress } from '../k8s/ingress';
import { formatLabels } from '../k8s/labels';
import { readWorkload, workloadKinds } from '../k8s/workloads';
import { podTemplateLabels } from '../index/workspaceIndex';
import type { Finding, Resource, Span, TraefikOptions, YNode } from '../model';
import { asMap, asScalar, get, items, str } from '../parse/ynode';
import { idOf, nameSpanOf, referencesTo, resolveSite, resourceAt, selectedWorkloads, selectingServices, siteAt, touches } from '../refs/resolve';
import type { RefSite } from '../refs/sites';
import { plainView } from '../refs/view';
import { matchServicePort, referencedPort, secretKeys, servicePorts, serviceType, type ServicePort } from '../traefik/kubernetes';
import { crdProvider, objectId } from '../traefik/names';
import { ignoredBecause } from '../traefik/visibility';
import { containerPortOf, ingressRouterName, ingressRouteRouterName, kubernetesServiceName } from './chain';
import type { FeatureContext, OptionOrigin } from './context';
import { ruleHoverAt } from './ruleHelp';

/** One Pod of a live cluster, as a hover lists it. */
export interface LivePodSummary {
  name: string;
  ready: boolean;
  ip?: string;
}

/**
 * Live Pods behind a Service, from a cluster snapshot (core/live builds one on request). Undefined means that no
 * snapshot covers the Service, as opposed to an empty list: a snapshot that shows no Pods.
 */
export interface LivePodsProvider {
  podsOf(namespace: string, service: string): readonly LivePodSummary[] | undefined;
}

export interface HoverContext extends FeatureContext {
  /** A Markdown link target and label for a place in a file, e.g. `file:///…/service.yaml#L5` and `service.yaml:5`. */
  linkTo(file: string, offset: number): { href: string; label: string };
  livePods?: LivePodsProvider;
}

export interface Hover {
  markdown: string;
  /** The range the hover is about, for the editor to highlight. */
  span: Span;
}

export function hoverAt(ctx: HoverContext, file: string, offset: number): Hover | undefined {
  const site = siteAt(ctx.index, file, offset);
  if (site) {
    const markdown = site.targetKind === 'Service' && site.lookup.by === 'name' ? serviceSiteHover(ctx, site) : objectSiteHover(ctx, site);
    return { markdown, span: site.port && touches(site.port.node.span, offset) ? site.port.node.span : site.span };
  }
  const inRule = ruleHoverAt(ctx, file, offset);
  if (inRule) return inRule;
  const resource = resourceAt(ctx.index, file, offset);
  if (!resource) return undefined;
  if (resource.kind === 'Service') {
    const name = get(resource.root, 'metadata', 'name');
    const selector = get(resource.root, 'spec', 'selector');
    const selectorKey = asMap(get(resource.root, 'spec'))?.pairs.find((p) => p.key === 'selector')?.keySpan;
    const span = [name?.span, selector?.span, selectorKey].find((s) => s !== undefined && touches(s, offset));
    if (span) return { markdown: serviceHover(ctx, resource), span };
  }
  if (workloadKinds.includes(resource.kind)) {
    const labelsNode = readWorkload(resource)?.template?.labelsNode;
    if (labelsNode && touches(labelsNode.span, offset)) return { markdown: workloadHover(ctx, resource), span: labelsNode.span };
  }
  return undefined;
}

// ---- Markdown helpers

/** Inline code that survives inside table cells. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

function link(ctx: HoverContext, resource: Resource, offset = nameSpanOf(resource).start): string {
  const { href, label } = ctx.linkTo(resource.file, offset);
  return `[${label}](${href})`;
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).length > 0 ? code(formatLabels(labels)) : '(no labels)';
}

/** `1, 3 and 4`. */
function list(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The findings of a file inside a span, errors first. */
function findingsWithin(ctx: HoverContext, file: string, span: Span): Finding[] {
  const order = { error: 0, warning: 1, information: 2, hint: 3 } as const;
  return ctx.findingsOf(file)
    .filter((f) => f.span.start >= span.start && f.span.end <= span.end)
    .sort((a, b) => order[a.severity] - order[b.severity] || a.span.start - b.span.start);
}

function findingLines(findings: readonly Finding[]): string[] {
  const icon = { error: '❌', warning: '⚠️', information: 'ℹ️', hint: '💡' } as const;
  return findings.map((f) => `${icon[f.severity]} ${f.message} (${code(f.code)})`);
}

// ---- Service references

function serviceSiteHover(ctx: HoverContext, site: RefSite): string {
  const lookup = site.lookup as { namespace: string; name: string };
  const services = resolveSite(ctx.index, site);
  const service = services.find((s) => servicePorts(s).length > 0) ?? services[0];
  const id = `${lookup.namespace}/${lookup.name}`;
  const out: string[] = [];
  if (!service) {
    out.push(lookup.name === '' ? 'This service reference names no Service.' : `**Service** ${code(id)} does not exist in the workspace.`);
  } else {
    out.push(`**Service** ${code(id)} · ${serviceType(service)} · ${link(ctx, service)}`);
    const wanted = referencedPort(site.port?.node);
    out.push('', ...portTable(ctx, service, wanted), '', ...podsSection(ctx, service));
  }
  out.push('', ...traefikSection(ctx, site, service));
  out.push(...optionsSection(ctx, site, service, findingsWithin(ctx, site.holder.file, site.route?.node.span ?? site.refMap?.span ?? site.span)));
  return out.join('\n');
}

/** `port → targetPort → containerPort` for every port of the Service, the referenced one in bold. */
function portTable(ctx: HoverContext, service: Resource, wanted: number | string | undefined): string[] {
  const ports = servicePorts(service);
  if (ports.length === 0) return ['The Service declares no ports.'];
  const chosen = wanted !== undefined ? matchServicePort(ports, wanted) : undefined;
  const rows = ports.map((p) => {
    const label = `${p.port ?? '?'}${p.name ? ` ${code(p.name)}` : ''}${p.protocol !== 'TCP' ? ` ${p.protocol}` : ''}`;
    const container = containerPortOf(ctx.index, service, p);
    const target = p.targetPort === undefined ? `${p.port ?? '?'}` : typeof p.targetPort === 'number' ? String(p.targetPort) : code(p.targetPort);
    return `| ${p === chosen ? `**${label}** ←` : label} | ${target} | ${container ?? '—'} |`;
  });
  const missing = wanted !== undefined && !chosen ? [`The reference asks for port ${code(String(wanted))}, which is none of these.`] : [];
  return ['| port | targetPort | containerPort |', '|---|---|---|', ...rows, ...missing];
}

/** The workloads whose Pods the Service selects, the live Pods when a snapshot has them, or why nothing matches. */
function podsSection(ctx: HoverContext, service: Resource): string[] {
  const selector = serviceSelector(service);
  const out: string[] = [];
  if (!selector) {
    out.push('**Pods:** the Service has no selector; its endpoints are managed by hand (EndpointSlices or Endpoints).');
  } else {
    const { matched, unknown } = selectedWorkloads(ctx.index, service);
    if (matched.length > 0) {
      out.push(`**Pods** selected by ${code(formatLabels(selector))}:`);
      for (const w of matched) out.push(`- ${workloadLine(ctx, w)}`);
    } else if (unknown.length === 0) {
      out.push(...noMatchTable(ctx, service, selector));
    }
    for (const w of unknown) out.push(`- ${w.kind} ${code(w.name)}: its Pod labels cannot be read from the workspace · ${link(ctx, w)}`);
  }
  const live = ctx.livePods?.podsOf(service.namespace, service.name);
  if (live) {
    out.push('', live.length > 0 ? '**Live Pods** (cluster snapshot):' : '**Live Pods** (cluster snapshot): none.');
    for (const pod of live) out.push(`- ${code(pod.name)} · ${pod.ready ? 'ready' : 'not ready'}${pod.ip ? ` · ${pod.ip}` : ''}`);
  }
  return out;
}

function workloadLine(ctx: HoverContext, w: Resource): string {
  const read = readWorkload(w);
  const replicas = w.kind === 'DaemonSet' ? 'one per node'
    : read?.replicas !== undefined ? `${read.replicas} replica${read.replicas === 1 ? '' : 's'}`
      : ['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout'].includes(w.kind) ? '1 replica (default)' : '';
  const labels = podTemplateLabels(w);
  return [`${w.kind} ${code(w.name)}`, replicas, labels ? labelsText(labels) : '', link(ctx, w)].filter((s) => s !== '').join(' · ');
}

/**
 * The selector and the labels of the workload it most likely meant, side by side, the differing keys marked. The
 * endpoint prediction's choice is used when it has one; otherwise the workload sharing the most selector pairs.
 */
function noMatchTable(ctx: HoverContext, service: Resource, selector: Record<string, string>): string[] {
  const verdict = predictEndpointsFromWorkloads(plainView(ctx.index), service, undefined);
  let workload: Resource | undefined;
  if (verdict.state === 'none' && verdict.reason === 'no-match') {
    const ref = (verdict.data as NoMatchData).workload;
    workload = ctx.index.find(ref.kind, ref.namespace, ref.name).find((w) => w.file === ref.file);
  }
  workload ??= closestBySharedPairs(ctx, service.namespace, selector);
  const head = `**Pods:** the selector ${code(formatLabels(selector))} matches no Pod template in namespace ${code(service.namespace)}.`;
  const labels = workload && podTemplateLabels(workload);
  if (!workload || !labels) return [head];
  const keys = [...new Set([...Object.keys(selector), ...Object.keys(labels)])];
  const rows = keys.map((key) => {
    const differs = Object.hasOwn(selector, key) && labels[key] !== selector[key];
    const cell = (v: string | undefined) => (v === undefined ? '—' : code(v));
    return `| ${differs ? `**${code(key)}** ✗` : code(key)} | ${cell(selector[key])} | ${cell(labels[key])} |`;
  });
  return [head, '', `| label | Service selector | ${workload.kind} ${workload.name} (${link(ctx, workload, readWorkload(workload)?.template?.labelsNode?.span.start)}) |`, '|---|---|---|', ...rows];
}

function closestBySharedPairs(ctx: HoverContext, namespace: string, selector: Record<string, string>): Resource | undefined {
  let best: Resource | undefined;
  let bestScore = 0;
  for (const kind of workloadKinds) {
    for (const w of ctx.index.inNamespace(kind, namespace)) {
      const labels = podTemplateLabels(w);
      if (!labels) continue;
      const score = Object.entries(selector).filter(([k, v]) => labels[k] === v).length * 2 + Object.keys(selector).filter((k) => Object.hasOwn(labels, k)).length;
      if (score > bestScore) [best, bestScore] = [w, score];
    }
  }
  return best;
}

/**
 * What Traefik builds from the reference: the router and service names and the servers, or the findings that say
 * why the route is dropped or degraded.
 */
function traefikSection(ctx: HoverContext, site: RefSite, service: Resource | undefined): string[] {
  const around = site.route?.node.span ?? site.refMap?.span ?? site.span;
  const findings = findingsWithin(ctx, site.holder.file, around);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const what = site.route ? 'this route' : site.role === 'ingress-backend' ? 'this backend' : `this ${site.holder.kind}`;
    return [`**Traefik** does not serve ${what}:`, ...findingLines(findings).map((l) => `- ${l}`)];
  }
  // Ignored objects get no route findings at all, so silence here would read as success.
  const ignored = site.role === 'ingress-backend'
    ? (traefikProcessesIngress(plainView(ctx.index), site.holder, ctx.options.traefik) ? undefined : 'its ingress class is not one Traefik serves')
    : ignoredBecause({ index: plainView(ctx.index), options: ctx.options.traefik }, site.holder)?.reason;
  if (ignored) return [`**Traefik** ignores this ${site.holder.kind}: ${ignored}.`, ...findingLines(findings).map((l) => `- ${l}`)];
  const out: string[] = [];
  const port = referencedPort(site.port?.node);
  const lookup = site.lookup as { namespace: string; name: string };
  const serviceName = kubernetesServiceName(lookup.namespace, lookup.name, port);
  const match = str(get(site.route?.node, 'match'));
  if (site.holder.kind === 'IngressRoute' && site.route && match) {
    const siblings = items(get(site.route.node, 'services')).length;
    const target = siblings > 1 ? `a weighted service over its ${siblings} services, one of them ${code(serviceName)}` : `service ${code(serviceName)}`;
    out.push(`**Traefik** builds router ${code(`${ingressRouteRouterName(site.holder, match)}@${crdProvider}`)} → ${target}.`);
  } else if (site.role === 'ingress-backend' && site.ingressRule) {
    out.push(`**Traefik** builds router ${code(`${ingressRouterName(site.holder, site.ingressRule.host, site.ingressRule.path)}@kubernetes`)} → service ${code(kubernetesServiceName(lookup.namespace, lookup.name, port))}.`);
  } else if (site.holder.kind === 'TraefikService') {
    out.push(`**Traefik** uses it inside TraefikService ${code(`${idOf(site.holder)}@${crdProvider}`)}.`);
  } else if (site.holder.kind === 'Middleware') {
    out.push(`**Traefik** sends the error pages of Middleware ${code(`${idOf(site.holder)}@${crdProvider}`)} to it.`);
  } else {
    out.push(`**Traefik** builds a ${site.protocol?.toUpperCase() ?? ''} router for this route.`);
  }
  if (service && port !== undefined) {
    const servicePort = matchServicePort(servicePorts(service), port);
    if (servicePort) out.push(`Servers: ${serversText(ctx, service, servicePort)}.`);
  }
  out.push(...findingLines(findings).map((l) => `- ${l}`));
  return out;
}

function serversText(ctx: HoverContext, service: Resource, port: ServicePort): string {
  const live = ctx.livePods?.podsOf(service.namespace, service.name);
  const container = containerPortOf(ctx.index, service, port);
  const at = container !== undefined ? ` on port ${container}` : '';
  if (live) return `${live.filter((p) => p.ready).length} ready of ${live.length} live Pods${at}`;
  const { matched } = selectedWorkloads(ctx.index, service);
  if (matched.length === 0) return serviceSelector(service) ? 'none predicted (the selector matches no Pod template)' : 'from the Service\'s own endpoints';
  return `the Pods of ${list(matched.map((w) => `${w.kind} ${w.name}`))}${at}`;
}

// ---- Provider options

/** The Traefik options a finding's verdict depends on. */
const optionsOfCode: Readonly<Record<string, readonly (keyof TraefikOptions)[]>> = {
  'cross-namespace-reference': ['allowCrossNamespace'],
  'cross-provider-reference': ['crossProviderNamespaces', 'allowCrossNamespace'],
  'external-name-not-allowed': ['allowExternalNameServices'],
  'service-no-endpoints': ['allowEmptyServices'],
  'namespace-not-watched': ['namespaces'],
  'ingress-class-mismatch': ['ingressClass'],
  'deprecated-api-group': ['version'],
  'route-kind-missing': ['version'],
  'rule-v2-matcher': ['version'],
  'rule-syntax-deprecated': ['version'],
};

/** The Traefik option that makes Traefik ignore an object, per `ignoredBecause` code. */
const optionOfIgnored: Readonly<Record<string, keyof TraefikOptions>> = { 'api-group': 'version', 'namespace-not-watched': 'namespaces', 'ingress-class-mismatch': 'ingressClass' };

const optionOrder: readonly (keyof TraefikOptions)[] = [
  'version', 'allowCrossNamespace', 'allowExternalNameServices', 'allowEmptyServices', 'nativeLBByDefault', 'disableClusterScopeResources',
  'namespaces', 'ingressClass', 'crossProviderNamespaces',
];

/**
 * One line per Traefik option the verdict on a reference depends on (it crosses namespaces, it names an ExternalName
 * Service, a finding or Traefik ignoring the holder follows from an option): its value and where the value came from,
 * a setting, the repository's Traefik installation or Traefik's default. Only when the host says where options came from.
 */
function optionsSection(ctx: HoverContext, site: RefSite, target: Resource | undefined, findings: readonly Finding[]): string[] {
  const originOf = ctx.optionOrigin;
  if (!originOf) return [];
  const wanted = new Set<keyof TraefikOptions>();
  if (site.lookup.by === 'name' && site.lookup.namespace !== site.holder.namespace) wanted.add('allowCrossNamespace');
  if (target?.kind === 'Service' && serviceType(target) === 'ExternalName') wanted.add('allowExternalNameServices');
  for (const f of findings) for (const option of optionsOfCode[f.code] ?? []) wanted.add(option);
  if (site.role !== 'ingress-backend') {
    const ignored = ignoredBecause({ index: plainView(ctx.index), options: ctx.options.traefik }, site.holder)?.code;
    const option = ignored === undefined ? undefined : optionOfIgnored[ignored];
    if (option) wanted.add(option);
  }
  return optionOrder.filter((o) => wanted.has(o)).flatMap((o) => ['', `${o} = ${code(optionValueText(ctx.options.traefik, o))} (${originText(ctx, o, originOf(o))})`]);
}

function optionValueText(options: TraefikOptions, option: keyof TraefikOptions): string {
  const value = options[option];
  if (value === undefined) return option === 'namespaces' ? 'all' : 'any';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return value === '' ? '""' : String(value);
}

/** Text of the repository, safe in Markdown. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, '\\$&');
}

function originText(ctx: HoverContext, option: keyof TraefikOptions, origin: OptionOrigin): string {
  switch (origin.from) {
    case 'setting': return `from the setting ${code(`routeDoctor.traefik.${option}`)}`;
    case 'repository': {
      const { href, label } = ctx.linkTo(origin.source.file, origin.source.span.start);
      return `from [${label}](${href}), ${escapeMarkdown(origin.source.description)}`;
    }
    case 'default': return `Traefik's default: neither a setting nor the repository sets it`;
  }
}

// ---- Other references

const kindTitles: Record<string, string> = { Middleware: 'Middleware', MiddlewareTCP: 'MiddlewareTCP', TLSOption: 'TLSOption', Secret: 'Secret', TraefikService: 'TraefikService' };

function objectSiteHover(ctx: HoverContext, site: RefSite): string {
  const title = kindTitles[site.targetKind] ?? site.targetKind;
  const out: string[] = [];
  const { lookup } = site;
  if (lookup.by === 'external') {
    out.push(`${code(site.written)} is defined by Traefik's ${code(lookup.provider)} provider, outside the workspace.`);
  } else {
    const targets = resolveSite(ctx.index, site);
    const target = targets.find((t) => t.group === 'traefik.io') ?? targets[0];
    if (target) {
      out.push(`**${target.kind}** ${code(`${target.namespace}/${target.name}`)} · ${link(ctx, target)}${traefikIdText(target)}`);
      out.push(...summary(target));
      if (targets.length > 1) out.push(`Also written in ${list(targets.filter((t) => t !== target).map((t) => link(ctx, t)))}.`);
    } else if (lookup.by === 'id') {
      out.push(`**${title}**: Traefik looks up ${code(`${lookup.id}@${crdProvider}`)}, which will not exist: no ${title} of the workspace has that id.`);
    } else {
      const traefikName = site.targetKind === 'Secret' ? '' : `: Traefik looks up ${code(`${traefikIdFor(site.targetKind, lookup.namespace, lookup.name)}@${crdProvider}`)}, which will not exist`;
      out.push(`**${title}** ${code(`${lookup.namespace}/${lookup.name}`)} does not exist in the workspace${traefikName}.`);
    }
  }
  const findings = findingsWithin(ctx, site.holder.file, site.refMap?.span ?? site.span);
  if (findings.length > 0) out.push('', ...findingLines(findings));
  const target = lookup.by === 'name' ? resolveSite(ctx.index, site)[0] : undefined;
  out.push(...optionsSection(ctx, site, target, findings));
  return out.join('\n');
}

/** The id Traefik registers an object of `kind` under (see `idOf`), for an object that does not exist. */
function traefikIdFor(kind: string, namespace: string, name: string): string {
  if (kind === 'TLSOption') return name === 'default' ? 'default' : `${namespace}-${name}`;
  return objectId(namespace, name);
}

function traefikIdText(target: Resource): string {
  return target.group.startsWith('traefik.') ? ` · Traefik id ${code(`${idOf(target)}@${crdProvider}`)}` : '';
}

/** The key fields of an object: a Secret's type and keys (never values), otherwise the scalars of its spec. */
function summary(target: Resource): string[] {
  if (target.kind === 'Secret') {
    const type = str(get(target.root, 'type')) ?? 'Opaque';
    const keys = secretKeys(target);
    return [`- type: ${code(type)}`, `- keys: ${keys && keys.length > 0 ? keys.map(code).join(', ') : 'not in the manifest'}`];
  }
  // A SealedSecret's values are ciphertext: only the key names say anything.
  if (target.kind === 'SealedSecret') {
    const keys = asMap(get(target.root, 'spec', 'encryptedData'))?.pairs.map((p) => code(p.key)) ?? [];
    return [`- keys: ${keys.length > 0 ? keys.join(', ') : 'not in the manifest'}`];
  }
  const lines: string[] = [];
  const visit = (node: YNode | undefined, path: string): void => {
    if (!node || lines.length >= 8) return;
    if (node.type === 'scalar') {
      if (path !== '') lines.push(`- ${path}: ${code(str(node) ?? 'null')}`);
    } else if (node.type === 'seq') {
      const scalars = node.items.map((i) => asScalar(i)).filter((s) => s !== undefined);
      if (scalars.length === node.items.length) lines.push(`- ${path}: ${scalars.map((s) => code(str(s) ?? 'null')).join(', ')}`);
      else node.items.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else {
      for (const p of node.pairs) visit(p.value, path === '' ? p.key : `${path}.${p.key}`);
    }
  };
  visit(get(target.root, 'spec'), '');
  return lines;
}

// ---- Services and workloads themselves

function serviceHover(ctx: HoverContext, service: Resource): string {
  const selector = serviceSelector(service);
  const out = [
    `**Service** ${code(`${service.namespace}/${service.name}`)} · ${serviceType(service)}${selector ? ` · selector ${code(formatLabels(selector))}` : ''}`,
    '', ...portTable(ctx, service, undefined), '', ...podsSection(ctx, service), '', ...usedBy(ctx, service),
  ];
  return out.join('\n');
}

/** The objects that reference `target`, one line per holder with the route numbers. */
function usedBy(ctx: HoverContext, target: Resource): string[] {
  const sites = referencesTo(ctx.index, target);
  if (sites.length === 0) return ['**Used by:** no route, TraefikService or Ingress of the workspace.'];
  const byHolder = new Map<Resource, RefSite[]>();
  for (const s of sites) byHolder.set(s.holder, [...(byHolder.get(s.holder) ?? []), s]);
  return ['**Used by:**', ...[...byHolder].map(([holder, holderSites]) => {
    const routes = [...new Set(holderSites.flatMap((s) => (s.route ? [s.route.index + 1] : [])))];
    const where = routes.length > 0 ? ` route${routes.length > 1 ? 's' : ''} ${list(routes.map(String))}` : '';
    return `- ${holder.kind} ${code(holder.name)}${where} · ${link(ctx, holder, holderSites[0]!.span.start)}`;
  })];
}

function workloadHover(ctx: HoverContext, workload: Resource): string {
  const labels = podTemplateLabels(workload) ?? {};
  const out = [`**Pods of ${workload.kind}** ${code(workload.name)} · ${labelsText(labels)}`, ''];
  const services = selectingServices(ctx.index, workload);
  if (services.length === 0) {
    out.push(`**Selected by:** no Service of namespace ${code(workload.namespace)}.`);
    for (const s of ctx.index.inNamespace('Service', workload.namespace)) {
      const selector = serviceSelector(s);
      const shared = selector && Object.keys(selector).filter((k) => Object.hasOwn(labels, k));
      if (!selector || !shared || shared.length === 0) continue;
      const differing = Object.keys(selector).filter((k) => labels[k] !== selector[k]);
      out.push(`- Service ${code(s.name)} selects ${code(formatLabels(selector))}, which differs on ${list(differing.map(code))} · ${link(ctx, s)}`);
    }
    return out.join('\n');
  }
  out.push('**Selected by:**');
  for (const s of services) out.push(`- Service ${code(s.name)} · ${link(ctx, s)}`);
  const routes = services.flatMap((s) => referencesTo(ctx.index, s).map((site) => ({ site, service: s })));
  if (routes.length > 0) {
    out.push('', '**Reached by:**');
    const seen = new Set<string>();
    for (const { site, service } of routes) {
      const line = `- ${site.holder.kind} ${code(site.holder.name)}${site.route ? ` route ${site.route.index + 1}` : ''} via Service ${code(service.name)} · ${link(ctx, site.holder, site.span.start)}`;
      if (!seen.has(line)) out.push(line);
      seen.add(line);
    }
  }
  return out.join('\n');
}

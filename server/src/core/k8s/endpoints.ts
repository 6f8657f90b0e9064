/**
 * Predicts, from the workspace's workloads, whether the EndpointSlice controller would give a Service endpoints
 * for one of its ports. Used when the workspace ships no EndpointSlice/Endpoints objects for the Service.
 *
 * Traefik never looks at selectors or Pods: it reads EndpointSlices (v3.1+) or Endpoints. The controller that
 * writes them selects Pods of the Service's namespace whose labels carry every selector pair, resolves a named
 * targetPort in each Pod's container ports, and marks an endpoint ready when the Pod is ready. This module replays
 * that on Pod templates. A false alarm is worse than a missed fault, so every doubt gives `unknown`: no workload
 * in the namespace, a workload whose template cannot be read, selector keys that controllers add at runtime, or no
 * workload that looks like the one the Service meant.
 */
import type { IndexView } from '../analyze';
import { derived } from '../index/derived';
import type { RelatedInformation, Resource, Span, YMap } from '../model';
import { asScalar, get, isTrue, pair, str, stringMap } from '../parse/ynode';
import { equalitySelectorMatches, formatLabels } from './labels';
import { closestMatch } from './similar';
import { describePorts, findNamedPort, readWorkload, workloadKinds, type Container, type ProbePort, type Workload } from './workloads';

export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
  file: string;
}

/** Data of a `no-match` verdict, shaped for an "align labels" quick fix. */
export type NoMatchData = {
  serviceSelector: Record<string, string>;
  /** The workload the selector most likely meant. */
  workload: WorkloadRef;
  workloadLabels: Record<string, string>;
  /** Each selector pair the workload's Pods lack; `labels` is the Pods' value for the key, or null when absent. */
  differing: { key: string; selector: string; labels: string | null }[];
  /** True when the workload's own metadata.labels satisfy the selector but its Pod template labels do not. */
  onlyMetadataLabelsMatch: boolean;
};

/** Data of a `named-port-missing` verdict: the name, what the containers declare, and the nearest declared name. */
export type NamedPortMissingData = {
  targetPort: string;
  protocol: string;
  workloads: WorkloadRef[];
  declaredPorts: { container: string; name: string | null; containerPort: number | null; protocol: string }[];
  suggestion?: string;
};

interface NoneVerdictBase {
  state: 'none';
  /** The route-level message: what Traefik does, then why. */
  message: string;
  /** The reason alone, without Traefik's consequence, for callers that phrase the consequence themselves. */
  cause: string;
  related: RelatedInformation[];
}

export type EndpointVerdict =
  /** Some workload's Pods would be endpoints of this port. */
  | {
    state: 'servers';
    /** Every workload that would serve is explicitly scaled to `replicas: 0`: a deliberate state, at most worth a note. */
    scaledToZero?: boolean;
  }
  /** No Pod would be an endpoint: the message says why (for the route's diagnostic), related points at the causes. */
  | (NoneVerdictBase & { reason: 'no-match'; data: NoMatchData })
  | (NoneVerdictBase & { reason: 'named-port-missing'; data: NamedPortMissingData })
  | (NoneVerdictBase & { reason: 'no-selector' | 'never-ready'; data: Record<string, unknown> })
  /** Nothing in the workspace allows a verdict (for example the Pods come from elsewhere). */
  | { state: 'unknown' };

/**
 * Label keys that controllers put on Pods at runtime (pod-template-hash, the StatefulSet Pod name, Job ids…).
 * They never appear in templates, so a selector using one cannot be judged from manifests.
 */
const runtimeLabelKeys: ReadonlySet<string> = new Set([
  'pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index', 'job-name', 'controller-uid', 'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-completion-index', 'rollouts-pod-template-hash',
]);

/**
 * Label keys that many unrelated workloads share (release, tier, environment, version…). Sharing only these with a
 * Service is no sign that the Service meant that workload: its Pods may well come from a chart outside the workspace.
 */
const sharedLabelKeys: ReadonlySet<string> = new Set([
  'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version',
  'app.kubernetes.io/component', 'helm.sh/chart', 'release', 'heritage', 'chart', 'version', 'tier', 'env',
  'environment', 'stage', 'team', 'owner', 'component',
]);

/** Label keys that name the application: a shared value on one of them outweighs any other shared pair. */
const identityLabelKeys: ReadonlySet<string> = new Set(['app', 'app.kubernetes.io/name', 'name', 'k8s-app']);

/** All documents of one workload (kind, namespace, name): a base and its kustomize patches, or copies per environment. */
interface WorkloadGroup {
  docs: Workload[];
  /** The union of the documents' template labels, for a base whose labels a patch completes. */
  mergedLabels: Record<string, string>;
}

/** The Service's `spec.selector` as an equality map; undefined when it has none (or an empty one). */
export function serviceSelector(service: Resource): Record<string, string> | undefined {
  const selector = stringMap(get(service.root, 'spec', 'selector'));
  return Object.keys(selector).length > 0 ? selector : undefined;
}

/** Whether the workspace ships EndpointSlices (labelled with the Service's name) or an Endpoints object for the Service. */
function hasExplicitEndpoints(index: IndexView, service: Resource): boolean {
  if (index.find('Endpoints', service.namespace, service.name).length > 0) return true;
  return index.inNamespace('EndpointSlice', service.namespace).some((s) => s.labels['kubernetes.io/service-name'] === service.name);
}

/**
 * The verdict for one port of a Service (`servicePort` a node of its spec.ports; undefined to judge the selector
 * alone). Each is computed once per state of the index: the Service's own checks and every route to the port share
 * it. Shared: never mutate it.
 */
export function predictEndpointsFromWorkloads(index: IndexView, service: Resource, servicePort: YMap | undefined): EndpointVerdict {
  return derived(index, predict, service, servicePort);
}

/**
 * What the selector of a Service selects, which every port of the Service shares: a verdict already, or the
 * workload groups it matches.
 */
type Selection =
  | { verdict: EndpointVerdict }
  | { unreadable: WorkloadGroup[]; matched: WorkloadGroup[] };

function predict(index: IndexView, service: Resource, servicePort: YMap | undefined): EndpointVerdict {
  const selection = derived(index, selectionOf, service);
  if ('verdict' in selection) return selection.verdict;
  return portVerdict(service, servicePort, selection.unreadable, selection.matched);
}

function selectionOf(index: IndexView, service: Resource): Selection {
  if (str(get(service.root, 'spec', 'type')) === 'ExternalName') return { verdict: { state: 'unknown' } };
  if (hasExplicitEndpoints(index, service)) return { verdict: { state: 'unknown' } };
  const selector = serviceSelector(service);
  if (!selector) {
    // Another document of the same Service (a kustomize base or overlay) may carry the selector this one leaves out.
    const siblings = index.find('Service', service.namespace, service.name);
    if (siblings.some((s) => s !== service && serviceSelector(s))) return { verdict: { state: 'unknown' } };
    return { verdict: noSelector(service) };
  }
  if (Object.keys(selector).some((k) => runtimeLabelKeys.has(k))) return { verdict: { state: 'unknown' } };

  // Workloads whose template carries the selector's labels, with all documents of each (a patch may hold the
  // containers). Only when none matches directly are all workloads of the namespace read: to find the one the
  // selector meant, or a base whose labels a patch completes. Reading less keeps the Service's file from being
  // re-analysed on every workload edit in its namespace.
  const direct = index.podTemplatesMatching(service.namespace, selector);
  const groups = direct.some((r) => readWorkload(r)?.template)
    ? workloadGroups(index, service.namespace, direct)
    : workloadGroups(index, service.namespace);
  if (groups.length === 0) return { verdict: { state: 'unknown' } };
  const unreadable = groups.filter((g) => g.docs.every((d) => !d.template));
  const matched = groups.filter((g) => groupMatches(g, selector));
  if (matched.length === 0) {
    if (unreadable.length > 0) return { verdict: { state: 'unknown' } };
    return { verdict: noMatch(service, selector, groups) };
  }
  return { unreadable, matched };
}

/** The verdict for one port (or, without `servicePort`, for the selector alone) of a Service whose selector matches. */
function portVerdict(service: Resource, servicePort: YMap | undefined, unreadable: WorkloadGroup[], matched: WorkloadGroup[]): EndpointVerdict {
  let candidates = matched;
  if (servicePort) {
    const targetPort = asScalar(get(servicePort, 'targetPort'));
    const name = targetPort && typeof targetPort.value === 'string' ? targetPort.value : undefined;
    if (name !== undefined) {
      // The API server rejects a targetPort name without a letter, so a quoted number is not ours to judge.
      if (!/[a-z]/i.test(name)) return { state: 'unknown' };
      const protocol = str(get(servicePort, 'protocol')) ?? 'TCP';
      const withPort = matched.filter((g) => g.docs.some((d) => d.template?.containers && findNamedPort(d.template.containers, name, protocol)));
      if (withPort.length === 0) {
        const containersUnknown = matched.some((g) => g.docs.every((d) => !d.template?.containers));
        if (containersUnknown || unreadable.length > 0) return { state: 'unknown' };
        return namedPortMissing(service, servicePort, name, protocol, matched);
      }
      candidates = withPort;
    }
  }

  // With publishNotReadyAddresses the controller marks every endpoint ready, so probes no longer matter.
  if (!isTrue(get(service.root, 'spec', 'publishNotReadyAddresses'))) {
    const failing = candidates.map((g) => ({ group: g, probes: neverReadyProbes(g) }));
    if (failing.every((f) => f.probes.length > 0)) {
      if (unreadable.length > 0) return { state: 'unknown' };
      return neverReady(service, failing);
    }
  }

  const scaledToZero = candidates.every((g) => g.docs.some((d) => d.replicas === 0) && g.docs.every((d) => d.replicas === undefined || d.replicas === 0));
  return scaledToZero ? { state: 'servers', scaledToZero } : { state: 'servers' };
}

/** Groups the documents of the given workloads (each with every document of its identity), or of the whole namespace. */
function workloadGroups(index: IndexView, namespace: string, seeds?: readonly Resource[]): WorkloadGroup[] {
  const byKey = new Map<string, WorkloadGroup>();
  const place = (resource: Resource): void => {
    const workload = readWorkload(resource);
    if (!workload) return;
    const key = `${resource.kind}/${resource.name}`;
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { docs: [], mergedLabels: {} }));
    group.docs.push(workload);
    Object.assign(group.mergedLabels, workload.template?.labels);
  };
  if (seeds) {
    const identities = new Map(seeds.map((r) => [`${r.kind}/${r.name}`, r]));
    for (const r of identities.values()) for (const doc of index.find(r.kind, namespace, r.name)) place(doc);
  } else {
    for (const kind of workloadKinds) for (const r of index.inNamespace(kind, namespace)) place(r);
  }
  return [...byKey.values()];
}

function groupMatches(group: WorkloadGroup, selector: Record<string, string>): boolean {
  if (group.docs.some((d) => d.template && equalitySelectorMatches(selector, d.template.labels))) return true;
  return group.docs.length > 1 && equalitySelectorMatches(selector, group.mergedLabels);
}

/** How a diagnostic names a workload's Pods, with verbs that agree: "Deployment go-app's Pods are", "Pod web is". */
function podsOf(w: Workload): { subject: string; are: string; have: string } {
  return w.resource.kind === 'Pod'
    ? { subject: `Pod ${w.resource.name}`, are: 'is', have: 'has' }
    : { subject: `${w.resource.kind} ${w.resource.name}'s Pods`, are: 'are', have: 'have' };
}

function workloadRef(w: Workload): WorkloadRef {
  return { kind: w.resource.kind, namespace: w.resource.namespace, name: w.resource.name, file: w.resource.file };
}

function consequence(service: Resource, cause: string): string {
  return `Traefik finds no servers for ${service.namespace}/${service.name} and drops this route (404): ${cause}.`;
}

function noSelector(service: Resource): EndpointVerdict {
  const spec = pair(service.root, 'spec');
  const cause = `Service ${service.namespace}/${service.name} has no spec.selector, so Kubernetes manages no endpoints for it, and the workspace ships no EndpointSlice or Endpoints object for it`;
  return {
    state: 'none', reason: 'no-selector', cause, message: consequence(service, cause),
    related: [{ file: service.file, span: spec?.keySpan ?? service.docSpan, message: `Service ${service.name} has no selector.` }],
    data: { service: { namespace: service.namespace, name: service.name, file: service.file } },
  };
}

interface Candidate {
  workload: Workload;
  onlyMetadata: boolean;
  rank: number[];
}

/**
 * The workload the selector most likely meant, or undefined when none looks meant: then the Pods probably come
 * from outside the workspace and nothing can be said. Evidence is a shared selector pair on a distinctive key, the
 * workload's own metadata.labels satisfying the selector, or the workload's name being the Service's name or a
 * distinctive selector value. Among candidates, own labels that satisfy the selector come first (the classic
 * mistake), then a shared application-name label, then the number of shared distinctive pairs.
 */
function closestWorkload(service: Resource, selector: Record<string, string>, groups: WorkloadGroup[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const group of groups) {
    for (const workload of group.docs) {
      const labels = workload.template?.labels;
      if (!labels) continue;
      let identity = 0;
      let distinctive = 0;
      let shared = 0;
      let sameKeys = 0;
      for (const [key, value] of Object.entries(selector)) {
        if (!(key in labels)) continue;
        sameKeys++;
        if (labels[key] !== value) continue;
        if (sharedLabelKeys.has(key)) shared++;
        else distinctive++;
        if (identityLabelKeys.has(key)) identity++;
      }
      const onlyMetadata = equalitySelectorMatches(selector, workload.resource.labels);
      const name = workload.resource.name;
      const named = name === service.name || Object.entries(selector).some(([k, v]) => v === name && !sharedLabelKeys.has(k));
      if (!onlyMetadata && distinctive === 0 && !named) continue;
      const rank = [onlyMetadata ? 1 : 0, identity, distinctive, named ? 1 : 0, shared, sameKeys];
      if (!best || compareRanks(rank, best.rank) > 0) best = { workload, onlyMetadata, rank };
    }
  }
  return best;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function noMatch(service: Resource, selector: Record<string, string>, groups: WorkloadGroup[]): EndpointVerdict {
  const closest = closestWorkload(service, selector, groups);
  if (!closest) return { state: 'unknown' };
  const workload = closest.workload;
  const template = workload.template!;
  const differing = Object.entries(selector)
    .filter(([key, value]) => template.labels[key] !== value)
    .map(([key, value]) => ({ key, selector: value, labels: key in template.labels ? template.labels[key]! : null }));
  const pods = podsOf(workload);
  const labelled = differing.filter((d) => d.labels !== null).map((d) => `${d.key}=${d.labels}`);
  const missing = differing.filter((d) => d.labels === null).map((d) => d.key);
  const parts: string[] = [];
  if (labelled.length > 0) parts.push(`${pods.are} labelled ${labelled.join(',')}`);
  if (missing.length > 0) parts.push(`${pods.have} no label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  let cause = `the Service selects ${formatLabels(selector)} but ${pods.subject} ${parts.join(' and ')}`;
  if (closest.onlyMetadata) {
    cause += ` (only the ${workload.resource.kind}'s own metadata.labels match; a Service selects Pods by spec.template.metadata.labels)`;
  }
  const related: RelatedInformation[] = [
    {
      file: service.file,
      span: selectorSpan(service, differing[0]?.key)!,
      message: `Service ${service.name} selects ${formatLabels(selector)}.`,
    },
    {
      file: workload.resource.file,
      span: template.labelsNode?.span ?? template.node.span,
      message: `${pods.subject} ${pods.are} labelled ${formatLabels(template.labels) || '(no labels)'}.`,
    },
  ];
  return {
    state: 'none', reason: 'no-match', cause, message: consequence(service, cause), related,
    data: {
      serviceSelector: selector,
      workload: workloadRef(workload),
      workloadLabels: template.labels,
      differing,
      onlyMetadataLabelsMatch: closest.onlyMetadata,
    },
  };
}

function servicePortLabel(servicePort: YMap): string {
  const name = str(get(servicePort, 'name'));
  const port = str(get(servicePort, 'port')) ?? '?';
  return name ? `${name} (${port})` : port;
}

function namedPortMissing(service: Resource, servicePort: YMap, name: string, protocol: string, groups: WorkloadGroup[]): EndpointVerdict {
  const docs = groups.flatMap((g) => g.docs.filter((d) => d.template?.containers));
  const containers = docs.flatMap((d) => d.template!.containers!);
  const declared = describePorts(containers, protocol !== 'TCP');
  const owners = groups.map((g) => podsOf(g.docs[0]!).subject);
  const subject = owners.length === 1 ? owners[0]! : `the selected Pods (${groups.map((g) => `${g.docs[0]!.resource.kind} ${g.docs[0]!.resource.name}`).join(', ')})`;
  const withProtocol = protocol === 'TCP' ? '' : ` with protocol ${protocol}`;
  const cause = `the Service's port ${servicePortLabel(servicePort)} sends traffic to targetPort "${name}", but no container of ${subject} declares a port named "${name}"${withProtocol}`
    + (declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ' (they declare no ports)');
  const related: RelatedInformation[] = [{ file: service.file, span: pair(servicePort, 'targetPort')!.value.span, message: `targetPort "${name}"` }];
  for (const d of docs) {
    for (const c of d.template!.containers!) {
      const portsPair = pair(c.node, 'ports');
      related.push({
        file: d.resource.file,
        span: portsPair?.keySpan ?? c.node.span,
        message: `Container ${c.name} of ${d.resource.kind} ${d.resource.name} declares ${c.ports.length > 0 ? describePorts([c]).join(', ') : 'no ports'}.`,
      });
    }
  }
  const data: NamedPortMissingData = {
    targetPort: name,
    protocol,
    workloads: docs.map(workloadRef),
    declaredPorts: containers.flatMap((c) => c.ports.map((p) => ({ container: c.name, name: p.name ?? null, containerPort: p.containerPort ?? null, protocol: p.protocol }))),
  };
  const suggestion = closestMatch(name, data.declaredPorts.flatMap((p) => (p.name === null ? [] : [p.name])));
  if (suggestion) data.suggestion = suggestion;
  return { state: 'none', reason: 'named-port-missing', cause, message: consequence(service, cause), related, data };
}

/** A probe whose port name the container does not declare: the kubelet fails it on every attempt. */
export function probeWithMissingNamedPort(container: Container, probe: ProbePort): boolean {
  return typeof probe.port === 'string' && !container.ports.some((p) => p.name === probe.port);
}

/**
 * The probes that keep every Pod of the workload unready: a readiness probe, or a startup probe (readiness is not
 * probed until startup succeeds), on a port name its container does not declare. Empty when the Pods can become
 * ready, or when no document of the workload lists its containers.
 */
function neverReadyProbes(group: WorkloadGroup): { workload: Workload; container: Container; probe: ProbePort }[] {
  const docs = group.docs.filter((d) => d.template?.containers);
  const found: { workload: Workload; container: Container; probe: ProbePort }[] = [];
  for (const workload of docs) {
    const before = found.length;
    for (const container of workload.template!.containers!) {
      for (const probe of container.probes) {
        if (probe.probe !== 'livenessProbe' && probeWithMissingNamedPort(container, probe)) found.push({ workload, container, probe });
      }
    }
    if (found.length === before) return [];
  }
  return found;
}

function neverReady(service: Resource, failing: { group: WorkloadGroup; probes: { workload: Workload; container: Container; probe: ProbePort }[] }[]): EndpointVerdict {
  const first = failing[0]!.probes[0]!;
  const kind = first.probe.probe === 'readinessProbe' ? 'readiness' : 'startup';
  const declared = describePorts([first.container]);
  const cause = `${podsOf(first.workload).subject} never become ready: the ${kind} probe of container ${first.container.name} uses port "${first.probe.port}", which that container does not declare`
    + (declared.length > 0 ? ` (declared: ${declared.join(', ')})` : '');
  const all = failing.flatMap((f) => f.probes);
  return {
    state: 'none', reason: 'never-ready', cause, message: consequence(service, cause),
    related: all.map((p): RelatedInformation => ({
      file: p.workload.resource.file,
      span: p.probe.node.span,
      message: `The ${p.probe.probe} of container ${p.container.name} (${p.workload.resource.kind} ${p.workload.resource.name}) uses undeclared port "${p.probe.port}".`,
    })),
    data: {
      workloads: failing.map((f) => workloadRef(f.group.docs[0]!)),
      probes: all.map((p) => ({ workload: workloadRef(p.workload), container: p.container.name, probe: p.probe.probe, port: p.probe.port })),
    },
  };
}

/** The span of a Service selector's value for `key`, or of the `selector` key itself. */
export function selectorSpan(service: Resource, key: string | undefined): Span | undefined {
  const selectorPair = pair(get(service.root, 'spec'), 'selector');
  if (!selectorPair) return undefined;
  return (key !== undefined ? pair(selectorPair.value, key)?.value.span : undefined) ?? selectorPair.keySpan;
}

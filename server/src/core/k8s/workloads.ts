/**
 * Pod templates of the objects that create Pods: what a Service selector is matched against, which container
 * ports a named targetPort can resolve to, and which probes decide whether the Pods become ready.
 */
import type { Resource, YMap, YNode, YScalar } from '../model';
import { asMap, asScalar, asSeq, get, items, str, stringMap } from '../parse/ynode';
import { labelSelectorMatches, parseLabelSelector, requirementHolds, type LabelSelector, type SelectorRequirement } from './labels';

/** Kinds whose objects create Pods, in the order diagnostics prefer to name them. */
export const workloadKinds: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout', 'Job', 'CronJob', 'Pod'];

/** Kinds whose `spec.selector` the API server requires to select their own Pod template. */
const selectorCheckedKinds: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  /** TCP unless the manifest says otherwise, as the API server defaults it. */
  protocol: string;
}

export type ProbeKind = 'readinessProbe' | 'livenessProbe' | 'startupProbe';
export type ProbeHandler = 'httpGet' | 'tcpSocket' | 'grpc';

/** The port a probe connects to, as written. */
export interface ProbePort {
  probe: ProbeKind;
  handler: ProbeHandler;
  /** A number, or a port name. A quoted number counts as a number: the kubelet falls back to reading it as one. */
  port: number | string;
  node: YScalar;
}

export interface Container {
  name: string;
  node: YMap;
  ports: ContainerPort[];
  probes: ProbePort[];
  /** An init container with `restartPolicy: Always` (a sidecar) keeps running, so its ports serve Service traffic too. */
  sidecar: boolean;
}

export interface PodTemplate {
  /** The map holding `metadata` and `spec` (the Pod itself for kind Pod). */
  node: YMap;
  labels: Record<string, string>;
  /** The `metadata.labels` map, for spans; undefined when the template has no labels. */
  labelsNode: YMap | undefined;
  /**
   * Regular containers and sidecars; undefined when the template lists no containers, which happens in partial
   * documents such as kustomize patches: their ports and probes are unknown, not absent.
   */
  containers: Container[] | undefined;
}

export interface Workload {
  resource: Resource;
  /** Undefined when the document holds no readable Pod template (see `templateUnknownReason`). */
  template: PodTemplate | undefined;
  templateUnknownReason?: 'workloadRef' | 'missing';
  /** `spec.replicas` when written as a number; undefined when absent (the default, or left to an autoscaler). */
  replicas: number | undefined;
  /** `spec.selector`, for kinds that have one. */
  selectorNode: YNode | undefined;
}

/** Kinds with `spec.replicas`, and kinds whose `spec.selector` picks their Pods (a Job's is generated). */
const replicatedKinds: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout']);
const selectingKinds: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);

/**
 * What readWorkload read from each object: a pure function of the object, which many checks and every prediction
 * of the endpoints of a Service selecting it ask for. Shared: never mutate it.
 */
const workloads = new WeakMap<Resource, Workload>();

/** Reads the Pod template and related fields of a workload object; undefined for other kinds. */
export function readWorkload(resource: Resource): Workload | undefined {
  if (!workloadKinds.includes(resource.kind)) return undefined;
  let workload = workloads.get(resource);
  if (!workload) workloads.set(resource, (workload = readWorkloadOf(resource)));
  return workload;
}

function readWorkloadOf(resource: Resource): Workload {
  const spec = get(resource.root, 'spec');
  const workload: Workload = {
    resource,
    template: undefined,
    replicas: replicatedKinds.has(resource.kind) ? numberValue(get(spec, 'replicas')) : undefined,
    selectorNode: selectingKinds.has(resource.kind) ? get(spec, 'selector') : undefined,
  };
  if (resource.kind === 'Rollout' && get(spec, 'workloadRef') !== undefined) {
    // An Argo Rollout with workloadRef takes its Pod template from another object at runtime; Argo may also
    // add labels of its own, so nothing here can be verified.
    workload.templateUnknownReason = 'workloadRef';
    return workload;
  }
  let templateNode: YNode | undefined;
  if (resource.kind === 'Pod') templateNode = resource.root;
  else if (resource.kind === 'CronJob') templateNode = get(spec, 'jobTemplate', 'spec', 'template');
  else templateNode = get(spec, 'template');
  const templateMap = asMap(templateNode);
  if (templateMap) workload.template = readTemplate(templateMap);
  else workload.templateUnknownReason = 'missing';
  return workload;
}

function readTemplate(node: YMap): PodTemplate {
  const labelsNode = asMap(get(node, 'metadata', 'labels'));
  const podSpec = get(node, 'spec');
  const containerSeq = asSeq(get(podSpec, 'containers'));
  let containers: Container[] | undefined;
  if (containerSeq) {
    containers = [];
    for (const c of containerSeq.items) {
      const container = readContainer(c, false);
      if (container) containers.push(container);
    }
    for (const c of items(get(podSpec, 'initContainers'))) {
      if (str(get(c, 'restartPolicy')) !== 'Always') continue;
      const container = readContainer(c, true);
      if (container) containers.push(container);
    }
  }
  return { node, labels: stringMap(labelsNode), labelsNode, containers };
}

function readContainer(node: YNode, sidecar: boolean): Container | undefined {
  const map = asMap(node);
  if (!map) return undefined;
  const ports: ContainerPort[] = [];
  for (const p of items(get(map, 'ports'))) {
    const portMap = asMap(p);
    if (!portMap) continue;
    ports.push({
      name: str(get(portMap, 'name')),
      containerPort: numberValue(get(portMap, 'containerPort')),
      protocol: str(get(portMap, 'protocol')) ?? 'TCP',
    });
  }
  const probes: ProbePort[] = [];
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const portNode = asScalar(get(map, probe, handler, 'port'));
      if (!portNode || portNode.value === null || typeof portNode.value === 'boolean') continue;
      const raw = portNode.value;
      const port = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      probes.push({ probe, handler, port, node: portNode });
    }
  }
  return { name: str(get(map, 'name')) ?? '', node: map, ports, probes, sidecar };
}

function numberValue(node: YNode | undefined): number | undefined {
  const s = asScalar(node);
  return s && typeof s.value === 'number' ? s.value : undefined;
}

/** The container port a Service's named targetPort resolves to, as the EndpointSlice controller finds it. */
export function findNamedPort(containers: readonly Container[], name: string, protocol: string): { container: Container; port: ContainerPort } | undefined {
  for (const container of containers) {
    for (const port of container.ports) {
      if (port.name === name && port.protocol === protocol) return { container, port };
    }
  }
  return undefined;
}

/** `http/8080`, `8080` or `dns/53/UDP` for each declared port: what diagnostics list as the alternatives. */
export function describePorts(containers: readonly Container[], withProtocol = false): string[] {
  const out: string[] = [];
  for (const c of containers) {
    for (const p of c.ports) {
      const number = p.containerPort !== undefined ? String(p.containerPort) : '?';
      const protocol = withProtocol || p.protocol !== 'TCP' ? `/${p.protocol}` : '';
      out.push(`${p.name ? `${p.name}/` : ''}${number}${protocol}`);
    }
  }
  return out;
}

export type TemplateSelection =
  | { state: 'match' }
  | { state: 'mismatch'; selector: LabelSelector; unmet: SelectorRequirement[] }
  /** The workload has no selector to check, an unreadable one, or no template (patches, older API groups). */
  | { state: 'unknown' };

/**
 * Whether a Deployment/StatefulSet/DaemonSet/ReplicaSet's `spec.selector` selects its own Pod template, which the
 * API server requires. Documents without a template or without containers are treated as partial (kustomize
 * patches carry only the fields they change), so they are not judged.
 */
export function selectorMatchesTemplate(workload: Workload): TemplateSelection {
  if (!selectorCheckedKinds.has(workload.resource.kind)) return { state: 'unknown' };
  const template = workload.template;
  if (!template || !template.containers) return { state: 'unknown' };
  const selector = parseLabelSelector(workload.selectorNode);
  if (!selector || selector.requirements.length === 0) return { state: 'unknown' };
  if (labelSelectorMatches(selector, template.labels)) return { state: 'match' };
  return { state: 'mismatch', selector, unmet: selector.requirements.filter((r) => !requirementHolds(r, template.labels)) };
}

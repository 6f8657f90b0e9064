/**
 * The servers Traefik would get for one Service port from the cluster's EndpointSlices (or Endpoints), and when
 * there are none, why: no selector, no Pod with the selector's labels, a named targetPort the Pods lack, or Pods
 * that are not ready. The reasons are read from the Pods, the way the endpoint controllers build endpoints.
 */
import type { ClusterSnapshot, LivePod, LiveService, LiveServicePort, StringMap } from './snapshot';
import { wasRead } from './snapshot';
import type { TraefikFacts } from './traefik';

/** Which endpoint condition makes a server, per Traefik version and route protocol (traefik-semantics §2.2 step 8). */
export type EndpointRule = 'serving' | 'ready' | 'endpoints';

export function endpointRule(facts: TraefikFacts, protocol: 'http' | 'tcp' | 'udp', slicesServed: boolean): EndpointRule {
  const v = facts.version;
  const major = v?.major ?? (facts.options.version === 'v2' ? 2 : 3);
  if (major < 3 || (major === 3 && v !== undefined && v.minor === 0)) return 'endpoints';
  if (!slicesServed) return 'endpoints';
  // HTTP uses `serving` from v3.3 on; an unknown minor version is taken to be a current one.
  if (protocol === 'http' && (v === undefined || major > 3 || v.minor >= 3)) return 'serving';
  return 'ready';
}

export interface ServerList {
  /** Where the answer came from: the EndpointSlices or the Endpoints object. */
  source: 'EndpointSlices' | 'Endpoints';
  /** False when the source could not be read in that namespace: nothing can be said. */
  known: boolean;
  /** "ip:port" of every usable server. */
  servers: string[];
  /** Objects looked at (slice names or the Endpoints name). */
  objects: string[];
}

/** Usable servers for a Service port, following the rule; duplicate addresses count once, as in Traefik. */
export function serversFor(snapshot: ClusterSnapshot, svc: LiveService, port: LiveServicePort, rule: EndpointRule): ServerList {
  const portName = port.name ?? '';
  const servers = new Set<string>();
  const slicesRead = wasRead(snapshot, 'endpointslices.discovery.k8s.io', svc.namespace);
  const useSlices = snapshot.discovery.endpointSlices && (rule !== 'endpoints' || !wasRead(snapshot, 'endpoints', svc.namespace));
  if (useSlices) {
    const slices = snapshot.endpointSlices.filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name);
    for (const slice of slices) {
      const p = slice.ports.find((x) => x.name !== null && x.name === portName);
      if (!p || p.port === undefined) continue;
      for (const ep of slice.endpoints) {
        // Endpoints objects list ready addresses only; slices mirror that as ready=true.
        const usable = rule === 'serving' ? ep.serving !== false : ep.ready === true;
        if (usable) for (const a of ep.addresses) servers.add(`${a}:${p.port}`);
      }
    }
    return { source: 'EndpointSlices', known: slicesRead, servers: [...servers], objects: slices.map((s) => s.name) };
  }
  const eps = snapshot.endpoints.find((e) => e.namespace === svc.namespace && e.name === svc.name);
  for (const subset of eps?.subsets ?? []) {
    const p = subset.ports.find((x) => (x.name ?? '') === portName);
    if (!p) continue;
    for (const a of subset.addresses) servers.add(`${a.ip}:${p.port}`);
  }
  return { source: 'Endpoints', known: wasRead(snapshot, 'endpoints', svc.namespace), servers: [...servers], objects: eps ? [eps.name] : [] };
}

export function labelsMatch(labels: StringMap, selector: StringMap): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export function formatLabels(labels: StringMap): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '(no labels)' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** Labels that controllers add to every Pod they create; they never express what a Service means to select. */
const generatedLabels = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'pod-template-generation', 'apps.kubernetes.io/pod-index']);

export function userLabels(labels: StringMap): StringMap {
  const out: StringMap = {};
  for (const [k, v] of Object.entries(labels)) if (!generatedLabels.has(k)) out[k] = v;
  return out;
}

/** The container port a Service port reaches on a Pod, as the endpoint controller resolves it; undefined if none. */
export function podPort(pod: LivePod, port: LiveServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.containers) {
    for (const p of c.ports) if (p.name === target && p.protocol === port.protocol) return p.containerPort;
  }
  return undefined;
}

export type NoEndpointsReason = 'no-selector' | 'pods-unknown' | 'no-match' | 'named-port-missing' | 'not-ready' | 'not-updated';

export interface NoEndpointsExplanation {
  reason: NoEndpointsReason;
  /** Sentences explaining the cause (without the "no endpoints" preamble). */
  detail: string;
  /** What to change. */
  hint: string;
  /** Pods the explanation is about (the nearest ones for no-match). */
  pods: string[];
  data: Record<string, unknown>;
}

/** Running or pending Pods: the ones the endpoint controller considers. */
function live(p: LivePod): boolean {
  return p.phase !== 'Succeeded' && p.phase !== 'Failed';
}

/** Why a Service with a selector has no usable server for a port, read from the Pods of its namespace. */
export function explainNoEndpoints(snapshot: ClusterSnapshot, svc: LiveService, port: LiveServicePort): NoEndpointsExplanation {
  const selector = svc.selector;
  if (!selector) {
    return {
      reason: 'no-selector', pods: [], data: {},
      detail: `The Service has no selector, so Kubernetes manages no endpoints for it, and no EndpointSlice with a port named "${port.name ?? ''}" lists a ready address.`,
      hint: 'Give the Service a selector that matches your Pods, or create the EndpointSlice for it yourself.',
    };
  }
  if (!wasRead(snapshot, 'pods', svc.namespace)) {
    return { reason: 'pods-unknown', pods: [], data: {}, detail: `The Pods of namespace ${svc.namespace} could not be read, so the cause is unknown.`, hint: 'Check the Pods with kubectl get pods --show-labels.' };
  }
  const inNamespace = snapshot.pods.filter((p) => p.namespace === svc.namespace && live(p));
  const selected = inNamespace.filter((p) => labelsMatch(p.labels, selector));
  if (selected.length === 0) return explainNoMatch(svc, selector, inNamespace);

  const withPort = selected.filter((p) => podPort(p, port) !== undefined);
  if (withPort.length === 0) {
    const declared = [...new Set(selected.flatMap((p) => p.containers.flatMap((c) => c.ports.map((cp) => `${cp.name ?? '(unnamed)'}:${cp.containerPort}`))))];
    return {
      reason: 'named-port-missing', pods: selected.map((p) => p.name),
      data: { targetPort: port.targetPort, declaredPorts: declared },
      detail: `Its targetPort "${String(port.targetPort)}" is not the name of a container port of the ${selected.length} selected Pod${plural(selected.length)} (${names(selected)}), which declare ${declared.length > 0 ? declared.join(', ') : 'no ports'}.`,
      hint: `Name the container port "${String(port.targetPort)}" in the Pod template, or set the Service's targetPort to a port the containers declare.`,
    };
  }

  const ready = withPort.filter((p) => p.ready && !p.terminating);
  if (ready.length === 0 && !svc.publishNotReadyAddresses) {
    const why = withPort.slice(0, 3).map((p) => `${p.name} (${podState(snapshot, p)})`);
    return {
      reason: 'not-ready', pods: withPort.map((p) => p.name), data: { pods: withPort.map((p) => ({ name: p.name, phase: p.phase, ready: p.ready })) },
      detail: `${withPort.length} Pod${plural(withPort.length)} match${withPort.length === 1 ? 'es' : ''} the selector but none is ready: ${why.join('; ')}${withPort.length > 3 ? '; …' : ''}.`,
      hint: 'Fix what keeps the Pods from becoming ready (the readiness probe, a crash, a missing image); kubectl describe pod shows the events.',
    };
  }
  return {
    reason: 'not-updated', pods: ready.map((p) => p.name), data: {},
    detail: `${ready.length} ready Pod${plural(ready.length)} match${ready.length === 1 ? 'es' : ''} the selector (${names(ready)}), but the cluster's endpoints do not list ${ready.length === 1 ? 'it' : 'them'} yet: the endpoint controller is behind, or the Pods became ready after the endpoints were read.`,
    hint: 'Run the diagnosis again in a moment; if it persists, check kube-controller-manager.',
  };
}

function explainNoMatch(svc: LiveService, selector: StringMap, pods: LivePod[]): NoEndpointsExplanation {
  const wanted = Object.entries(selector);
  // The nearest Pods share the most selector pairs; failing that, the most selector keys.
  const score = (p: LivePod) => wanted.filter(([k, v]) => p.labels[k] === v).length * 2 + wanted.filter(([k]) => k in p.labels).length;
  const best = Math.max(0, ...pods.map(score));
  const nearest = best > 0 ? pods.filter((p) => score(p) === best) : [];
  const selectorText = `{${formatLabels(selector)}}`;
  if (nearest.length === 0) {
    const sample = pods.slice(0, 3).map((p) => `${p.name} {${formatLabels(userLabels(p.labels))}}`);
    return {
      reason: 'no-match', pods: [], data: { selector, podLabels: pods.slice(0, 3).map((p) => userLabels(p.labels)) },
      detail: pods.length === 0
        ? `Its selector ${selectorText} matches no Pod: namespace ${svc.namespace} has no running Pods at all.`
        : `Its selector ${selectorText} matches no Pod in ${svc.namespace}; no Pod there has any of these labels (for example ${sample.join(', ')}).`,
      hint: pods.length === 0 ? 'Deploy the workload (kubectl get deploy,sts -n ' + svc.namespace + ') or fix the Service\'s namespace.' : 'Make the selector match the labels of the Pods you mean to serve.',
    };
  }
  // Group the nearest Pods by their (user) labels so that a Deployment's replicas are shown once.
  const groups = new Map<string, LivePod[]>();
  for (const p of nearest) {
    const key = formatLabels(userLabels(p.labels));
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const shown = [...groups].slice(0, 2).map(([labels, ps]) => `${names(ps)} ${ps.length === 1 ? 'has' : 'have'} {${labels}}`);
  const first = nearest[0]!;
  const differences = wanted.filter(([k, v]) => first.labels[k] !== v)
    .map(([k, v]) => (k in first.labels ? `${k} is ${first.labels[k]}, not ${v}` : `${k} is missing`));
  const fix = wanted.filter(([k, v]) => first.labels[k] !== v && k in first.labels).map(([k]) => `${k}: ${first.labels[k]}`);
  return {
    reason: 'no-match', pods: nearest.map((p) => p.name),
    data: { selector, podLabels: [...groups.values()].map((ps) => userLabels(ps[0]!.labels)), differences },
    detail: `Its selector ${selectorText} matches no Pod in ${svc.namespace}: the nearest Pods ${shown.join('; ')} (${differences.join('; ')}).`,
    hint: fix.length > 0
      ? `Change the Service's selector to ${fix.join(', ')} (or drop those keys), or relabel the Pods to match.`
      : 'Add the missing labels to the Pod template, or drop them from the Service\'s selector.',
  };
}

function podState(snapshot: ClusterSnapshot, p: LivePod): string {
  const parts = [p.phase];
  const waiting = p.containerStatuses.filter((c) => c.state).map((c) => `${c.name}: ${c.state}`);
  if (waiting.length > 0) parts.push(waiting.join(', '));
  else if (p.notReadyReason) parts.push(p.notReadyReason);
  const restarts = p.containerStatuses.reduce((n, c) => n + c.restartCount, 0);
  if (restarts > 0) parts.push(`${restarts} restart${plural(restarts)}`);
  const probe = snapshot.events
    .filter((e) => e.namespace === p.namespace && e.involvedName === p.name && /readiness probe/i.test(e.message))
    .sort((a, b) => (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''))[0];
  if (probe) parts.push(`"${probe.message}"${probe.count > 1 ? ` ×${probe.count}` : ''}`);
  return parts.join(', ');
}

function names(pods: LivePod[]): string {
  const shown = pods.slice(0, 3).map((p) => p.name).join(', ');
  return pods.length > 3 ? `${shown} and ${pods.length - 3} more` : shown;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/**
 * Raw API objects (untrusted JSON) → the snapshot's small records. Every reader tolerates missing or mistyped
 * fields, because a proxy, an old server or a broken CRD can return anything; nothing here throws.
 */
import type {
  LiveContainer, LiveCustomObject, LiveEndpoints, LiveEndpointSlice, LiveEvent, LiveObjectMeta, LivePod, LiveService,
  LiveWorkload, StringMap,
} from '../core/live/snapshot';

export type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function s(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function n(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function b(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function strings(v: unknown): StringMap {
  const out: StringMap = {};
  for (const [k, val] of Object.entries(obj(v))) {
    const str = s(val);
    if (str !== undefined) out[k] = str;
  }
  return out;
}

function metaOf(o: Json): { namespace: string; name: string; labels: StringMap } {
  const m = obj(o.metadata);
  return { namespace: s(m.namespace) ?? '', name: s(m.name) ?? '', labels: strings(m.labels) };
}

function containers(v: unknown): LiveContainer[] {
  return arr(v).map((c) => {
    const co = obj(c);
    return {
      name: s(co.name) ?? '',
      image: s(co.image) ?? '',
      args: arr(co.args).map((a) => s(a) ?? ''),
      command: arr(co.command).map((a) => s(a) ?? ''),
      ports: arr(co.ports).map((p) => {
        const po = obj(p);
        const port: LiveContainer['ports'][number] = { containerPort: n(po.containerPort) ?? 0, protocol: s(po.protocol) ?? 'TCP' };
        const name = s(po.name);
        if (name) port.name = name;
        return port;
      }),
    };
  });
}

export function toPod(o: Json): LivePod {
  const spec = obj(o.spec);
  const status = obj(o.status);
  const ready = arr(status.conditions).map(obj).find((c) => c.type === 'Ready');
  const pod: LivePod = {
    ...metaOf(o),
    phase: s(status.phase) ?? 'Unknown',
    ready: ready?.status === 'True',
    terminating: obj(o.metadata).deletionTimestamp !== undefined,
    containers: containers(spec.containers),
    containerStatuses: arr(status.containerStatuses).map((c) => {
      const co = obj(c);
      const state = obj(co.state);
      const waiting = obj(state.waiting);
      const terminated = obj(state.terminated);
      const why = s(waiting.reason) ?? (state.terminated !== undefined ? `terminated: ${s(terminated.reason) ?? 'exit ' + String(terminated.exitCode)}` : undefined);
      const out: LivePod['containerStatuses'][number] = { name: s(co.name) ?? '', ready: co.ready === true, restartCount: n(co.restartCount) ?? 0 };
      if (why) out.state = why;
      return out;
    }),
  };
  const podIP = s(status.podIP);
  if (podIP) pod.podIP = podIP;
  if (ready && ready.status !== 'True') {
    const reason = [s(ready.reason), s(ready.message)].filter((x) => x).join(': ');
    if (reason) pod.notReadyReason = reason;
  }
  return pod;
}

export function toService(o: Json): LiveService {
  const spec = obj(o.spec);
  const selector = spec.selector === undefined || spec.selector === null ? undefined : strings(spec.selector);
  const svc: LiveService = {
    ...metaOf(o),
    type: s(spec.type) ?? 'ClusterIP',
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    ports: arr(spec.ports).map((p) => {
      const po = obj(p);
      const port: LiveService['ports'][number] = { port: n(po.port) ?? 0, protocol: s(po.protocol) ?? 'TCP' };
      const name = s(po.name);
      if (name) port.name = name;
      if (typeof po.targetPort === 'number' || typeof po.targetPort === 'string') port.targetPort = po.targetPort;
      return port;
    }),
  };
  if (selector && Object.keys(selector).length > 0) svc.selector = selector;
  const clusterIP = s(spec.clusterIP);
  if (clusterIP) svc.clusterIP = clusterIP;
  const externalName = s(spec.externalName);
  if (externalName) svc.externalName = externalName;
  return svc;
}

export function toEndpointSlice(o: Json): LiveEndpointSlice {
  const m = metaOf(o);
  const slice: LiveEndpointSlice = {
    ...m,
    addressType: s(o.addressType) ?? 'IPv4',
    ports: arr(o.ports).map((p) => {
      const po = obj(p);
      const port: LiveEndpointSlice['ports'][number] = { name: s(po.name) ?? null, protocol: s(po.protocol) ?? 'TCP' };
      const num = n(po.port);
      if (num !== undefined) port.port = num;
      return port;
    }),
    endpoints: arr(o.endpoints).map((e) => {
      const eo = obj(e);
      const c = obj(eo.conditions);
      const ep: LiveEndpointSlice['endpoints'][number] = { addresses: arr(eo.addresses).map((a) => s(a) ?? '') };
      const ready = b(c.ready);
      const serving = b(c.serving);
      const terminating = b(c.terminating);
      if (ready !== undefined) ep.ready = ready;
      if (serving !== undefined) ep.serving = serving;
      if (terminating !== undefined) ep.terminating = terminating;
      const ref = obj(eo.targetRef);
      if (ref.kind === 'Pod' && s(ref.name)) ep.pod = s(ref.name);
      return ep;
    }),
  };
  const serviceName = m.labels['kubernetes.io/service-name'];
  if (serviceName !== undefined) slice.serviceName = serviceName;
  const created = s(obj(o.metadata).creationTimestamp);
  if (created) slice.creationTimestamp = created;
  return slice;
}

export function toEndpoints(o: Json): LiveEndpoints {
  const address = (a: unknown) => {
    const ao = obj(a);
    const out: { ip: string; pod?: string } = { ip: s(ao.ip) ?? '' };
    const ref = obj(ao.targetRef);
    if (ref.kind === 'Pod' && s(ref.name)) out.pod = s(ref.name);
    return out;
  };
  const { namespace, name } = metaOf(o);
  return {
    namespace, name,
    subsets: arr(o.subsets).map((sub) => {
      const so = obj(sub);
      return {
        addresses: arr(so.addresses).map(address),
        notReadyAddresses: arr(so.notReadyAddresses).map(address),
        ports: arr(so.ports).map((p) => {
          const po = obj(p);
          const port: { name?: string; port: number; protocol: string } = { port: n(po.port) ?? 0, protocol: s(po.protocol) ?? 'TCP' };
          const pname = s(po.name);
          if (pname) port.name = pname;
          return port;
        }),
      };
    }),
  };
}

export function toWorkload(kind: LiveWorkload['kind'], o: Json): LiveWorkload {
  const spec = obj(o.spec);
  const template = obj(spec.template);
  const status = obj(o.status);
  const w: LiveWorkload = {
    kind, ...metaOf(o),
    selector: strings(obj(spec.selector).matchLabels),
    templateLabels: strings(obj(template.metadata).labels),
    containers: containers(obj(template.spec).containers),
  };
  const replicas = n(spec.replicas);
  if (replicas !== undefined) w.replicas = replicas;
  const readyReplicas = n(status.readyReplicas) ?? n(status.numberReady);
  if (readyReplicas !== undefined) w.readyReplicas = readyReplicas;
  return w;
}

export function toCustomObject(group: string, version: string, kind: string, o: Json): LiveCustomObject {
  return { group, version, kind, ...metaOf(o), spec: o.spec ?? null };
}

export function toObjectMeta(kind: string, o: Json): LiveObjectMeta {
  return { kind, ...metaOf(o) };
}

export function toEvent(o: Json): LiveEvent {
  const involved = obj(o.involvedObject);
  const ev: LiveEvent = {
    namespace: s(obj(o.metadata).namespace) ?? '',
    involvedKind: s(involved.kind) ?? '',
    involvedName: s(involved.name) ?? '',
    reason: s(o.reason) ?? '',
    message: s(o.message) ?? s(o.note) ?? '',
    type: s(o.type) ?? '',
    count: n(o.count) ?? 1,
  };
  const last = s(o.lastTimestamp) ?? s(o.eventTime) ?? s(obj(o.metadata).creationTimestamp);
  if (last) ev.lastTimestamp = last;
  return ev;
}

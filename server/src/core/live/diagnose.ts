/**
 * Compares the workspace with a live cluster snapshot. Pure: the snapshot is plain data passed in.
 *
 * For every route of every IngressRoute(TCP/UDP) in the workspace it follows the chain Traefik follows —
 * IngressRoute → Service → EndpointSlices → Pods — in the cluster, records each hop as ok, broken (with the reason)
 * or unknown (not readable), and reports findings at the workspace manifest's spans:
 *   live-crd-missing       the cluster does not serve the route's CRD / API group
 *   live-not-deployed      the IngressRoute (or a Middleware/TraefikService of the workspace) is not in the cluster
 *   live-service-not-found a referenced Service does not exist in the cluster
 *   live-no-endpoints      the Service has no usable endpoint for the port, with the cause read from the Pods
 *   live-drift             the cluster runs something else than the file says (selector, labels, ports, services)
 *   live-traefik-error     Traefik's own log complains about this route's Service or Middleware (quoted)
 * Nothing is reported from a list that could not be read: an unread namespace gives "unknown", never a guess.
 */
import type { AnalysisOptions, Finding, RelatedInformation, Resource, ResourceRef, ScalarValue, Span, TraefikOptions, YMap, YNode } from '../model';
import { asScalar, get, getPath, items, pair, str, stringMap } from '../parse/ynode';
import { defaultSeverity } from '../rules/catalog';
import { endpointRule, explainNoEndpoints, formatLabels, labelsMatch, serversFor, type EndpointRule } from './endpoints';
import { qualifiedResource, readStatus, wasRead, type ClusterSnapshot, type LiveCustomObject, type LiveService, type LiveServicePort, type SnapshotProblem, type StringMap } from './snapshot';
import { normalize } from '../traefik/names';
import { traefikFacts, traefikLogErrors, type TraefikFacts, type TraefikLogEntry } from './traefik';

export type HopStatus = 'ok' | 'broken' | 'unknown';

export interface Hop {
  kind: 'IngressRoute' | 'IngressRouteTCP' | 'IngressRouteUDP' | 'Middleware' | 'Service' | 'TraefikService' | 'EndpointSlices' | 'Endpoints' | 'Pods';
  /** "namespace/name" for objects; slice names for EndpointSlices. */
  name: string;
  status: HopStatus;
  reason: string;
}

/** One services[] entry of a route: Service → EndpointSlices → Pods (shorter when a hop is broken or not applicable). */
export interface BackendChain {
  /** The reference as written, e.g. "go-app:80". */
  reference: string;
  status: HopStatus;
  hops: Hop[];
}

export interface RouteRow {
  kind: string;
  namespace: string;
  name: string;
  /** Index in spec.routes. */
  routeIndex: number;
  match?: string;
  file: string;
  span: Span;
  /** The worst status of the route's hops. */
  status: HopStatus;
  ingressRoute: Hop;
  middlewares: Hop[];
  backends: BackendChain[];
}

export interface ClusterOnlyObject {
  kind: string;
  namespace: string;
  name: string;
}

/** The report a view shows: one row per route, plus what exists only in the cluster. Plain JSON. */
export interface LiveReport {
  context: string;
  server: string;
  takenAt: string;
  traefik?: { namespace: string; name: string; image: string; version?: string; options: Partial<TraefikOptions> };
  problems: SnapshotProblem[];
  routes: RouteRow[];
  /** Route-related objects (Traefik objects, Services, workloads) in the workspace's namespaces that no workspace file defines. */
  clusterOnly: ClusterOnlyObject[];
  summary: { routes: number; ok: number; broken: number; unknown: number };
}

export interface LiveDiagnosis {
  findings: Finding[];
  report: LiveReport;
}

/** The index lookups the comparison needs (the workspace index and the analyzer's tracking view both have them). */
export interface LiveIndex {
  find(kind: string, namespace: string, name: string): readonly Resource[];
  inNamespace(kind: string, namespace: string): readonly Resource[];
  ofKind(kind: string): readonly Resource[];
}

const routeKinds = ['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP'] as const;
const noServers = /no servers found|subset not found|endpoints not found/;
const workloadKinds = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
const maxClusterOnly = 500;

/**
 * The namespaces worth reading for this workspace: those of its objects and those its routes reference
 * explicitly. Traefik's own namespace is added by the cluster reader.
 */
export function namespacesOfInterest(index: LiveIndex): string[] {
  const out = new Set<string>();
  const kinds = [...routeKinds, 'Middleware', 'MiddlewareTCP', 'TraefikService', 'Service', ...workloadKinds, 'Pod', 'Ingress'];
  for (const kind of kinds) {
    for (const r of index.ofKind(kind)) {
      out.add(r.namespace);
      if (!(routeKinds as readonly string[]).includes(kind)) continue;
      for (const route of items(get(r.root, 'spec', 'routes'))) {
        for (const ref of [...items(get(route, 'services')), ...items(get(route, 'middlewares'))]) {
          const ns = str(get(ref, 'namespace'));
          if (ns) out.add(ns);
        }
      }
    }
  }
  return [...out].sort();
}

export function diagnoseLive(index: LiveIndex, snapshot: ClusterSnapshot, options: AnalysisOptions): LiveDiagnosis {
  return new LiveDiagnoser(index, snapshot, options).run();
}

class LiveDiagnoser {
  private readonly findings: Finding[] = [];
  /** The chain of every service reference, by file and offset, so log lines can be matched to how it broke. */
  private readonly chains = new Map<string, BackendChain>();
  private readonly facts: TraefikFacts;
  private readonly logErrors: TraefikLogEntry[];

  constructor(private readonly index: LiveIndex, private readonly snapshot: ClusterSnapshot, private readonly options: AnalysisOptions) {
    this.facts = traefikFacts(snapshot, options.traefik);
    this.logErrors = traefikLogErrors(snapshot);
  }

  run(): LiveDiagnosis {
    const routes: RouteRow[] = [];
    for (const kind of routeKinds) for (const r of this.index.ofKind(kind)) routes.push(...this.routeResource(r));
    for (const kind of ['Middleware', 'MiddlewareTCP', 'TraefikService']) for (const r of this.index.ofKind(kind)) this.traefikObject(r);
    for (const r of this.index.ofKind('Service')) this.serviceDrift(r);
    for (const kind of workloadKinds) for (const r of this.index.ofKind(kind)) this.workloadDrift(r);
    this.logFindings();

    const s = this.snapshot;
    const instance = this.facts.instance;
    const report: LiveReport = {
      context: s.context, server: s.server, takenAt: s.takenAt, problems: s.problems, routes,
      clusterOnly: this.clusterOnly(),
      summary: {
        routes: routes.length,
        ok: routes.filter((r) => r.status === 'ok').length,
        broken: routes.filter((r) => r.status === 'broken').length,
        unknown: routes.filter((r) => r.status === 'unknown').length,
      },
    };
    if (instance) {
      report.traefik = { namespace: instance.namespace, name: instance.name, image: instance.image, options: this.facts.fromArgs };
      if (this.facts.version) report.traefik.version = this.facts.version.text;
    }
    return { findings: this.applySeverity(this.findings), report };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Findings

  private report(code: string, r: Resource, span: Span, message: string, hint: string, data: Record<string, unknown> = {}, related?: RelatedInformation[]): void {
    const ref: ResourceRef = { kind: r.kind, namespace: r.namespace, name: r.name };
    const f: Finding = {
      code, severity: defaultSeverity(code), message: `${message} Fix: ${hint.charAt(0).toUpperCase()}${hint.slice(1)}`, file: r.file, span, resource: ref,
      data: { ...data, hint, context: this.snapshot.context },
    };
    if (related && related.length > 0) f.related = related;
    this.findings.push(f);
  }

  private applySeverity(findings: Finding[]): Finding[] {
    const out: Finding[] = [];
    for (const f of findings) {
      const o = this.options.severityOverrides[f.code];
      if (o === 'off') continue;
      out.push(o ? { ...f, severity: o } : f);
    }
    return out;
  }

  /** Why a list is not known in a namespace: the problem that says so, or that the namespace was not read. */
  private unread(resource: string, namespace: string): string {
    const p = this.snapshot.problems.find((x) => x.resource === resource && (x.namespace ?? '') === namespace)
      ?? this.snapshot.problems.find((x) => x.fatal);
    if (p) return p.message;
    return this.snapshot.namespaces.includes(namespace) ? `${resource} in ${namespace} could not be read.` : `Namespace ${namespace} was not read.`;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Routes

  /** Whether the cluster serves a Traefik resource: true, false, or undefined when discovery did not answer. */
  private served(group: string, plural: string, namespace: string): boolean | undefined {
    const d = this.snapshot.discovery;
    if (readStatus(this.snapshot, qualifiedResource(group, plural), namespace) === 'not-served') return false;
    if (d.traefik.some((t) => t.group === group && t.resources.includes(plural))) return true;
    return Object.keys(d.groups).some((g) => g !== '') ? false : undefined;
  }

  private clusterObject(kind: string, group: string | undefined, namespace: string, name: string): LiveCustomObject | undefined {
    return this.snapshot.traefikObjects.find((o) => o.kind === kind && o.namespace === namespace && o.name === name && (group === undefined || o.group === group));
  }

  private routeResource(r: Resource): RouteRow[] {
    const plural = `${r.kind.toLowerCase()}s`;
    const resource = qualifiedResource(r.group, plural);
    const nameSpan = valueSpan(r.root, ['metadata', 'name']);
    let irHop: Hop;
    let deployed: LiveCustomObject | undefined;
    const served = this.served(r.group, plural, r.namespace);
    if (served === false) {
      const other = r.group === 'traefik.io' ? 'traefik.containo.us' : 'traefik.io';
      const otherServed = this.served(other, plural, r.namespace) === true;
      const why = `The cluster does not serve ${resource}: ${otherServed ? `only ${other} is installed${other === 'traefik.io' ? ' (Traefik v3 dropped traefik.containo.us)' : ''}` : 'Traefik\'s CRDs are not installed'}, so this ${r.kind} cannot exist there and Traefik never sees it.`;
      irHop = { kind: r.kind as Hop['kind'], name: `${r.namespace}/${r.name}`, status: 'broken', reason: why };
      this.report('live-crd-missing', r, valueSpan(r.root, ['apiVersion']), why,
        otherServed ? `use apiVersion: ${other}/v1alpha1, or install the ${r.group} CRDs.` : 'install Traefik\'s CRDs (the Helm chart does, or apply kubernetes-crd-definition-v1.yml of your Traefik version).',
        { resource, otherGroupServed: otherServed });
    } else if (served === undefined || !wasRead(this.snapshot, resource, r.namespace)) {
      irHop = { kind: r.kind as Hop['kind'], name: `${r.namespace}/${r.name}`, status: 'unknown', reason: this.unread(resource, r.namespace) };
    } else {
      deployed = this.clusterObject(r.kind, r.group, r.namespace, r.name);
      if (deployed) {
        irHop = { kind: r.kind as Hop['kind'], name: `${r.namespace}/${r.name}`, status: 'ok', reason: `In the cluster (${r.group}).` };
        this.routeDrift(r, deployed);
      } else {
        const elsewhere = this.clusterObject(r.kind, undefined, r.namespace, r.name);
        const why = `${r.kind} ${r.namespace}/${r.name} is not in the cluster${elsewhere ? ` (only a ${elsewhere.group} one is)` : ''}: Traefik has no such routes, so their requests get 404.`;
        irHop = { kind: r.kind as Hop['kind'], name: `${r.namespace}/${r.name}`, status: 'broken', reason: why };
        this.report('live-not-deployed', r, nameSpan, `${why} Not applied yet?`, `kubectl apply -f ${r.file}${r.namespaceExplicit ? '' : ` -n ${r.namespace}`}`, { resource });
      }
    }

    const rows: RouteRow[] = [];
    items(get(r.root, 'spec', 'routes')).forEach((route, routeIndex) => {
      const match = str(get(route, 'match'));
      const row: RouteRow = {
        kind: r.kind, namespace: r.namespace, name: r.name, routeIndex, file: r.file,
        span: asScalar(get(route, 'match'))?.span ?? route.span, status: 'ok', ingressRoute: irHop,
        middlewares: items(get(route, 'middlewares')).map((m) => this.middlewareHop(r, m)),
        backends: items(get(route, 'services')).map((ref) => {
          const chain = this.backend(r, ref);
          this.chains.set(`${r.file}:${ref.span.start}`, chain);
          return chain;
        }),
      };
      if (match !== undefined) row.match = match;
      row.status = worst([irHop.status, ...row.middlewares.map((m) => m.status), ...row.backends.map((b) => b.status)]);
      rows.push(row);
    });
    return rows;
  }

  private middlewareHop(r: Resource, ref: YNode): Hop {
    const name = str(get(ref, 'name')) ?? '';
    const kind = r.kind === 'IngressRouteTCP' ? 'MiddlewareTCP' : 'Middleware';
    if (name.includes('@')) return { kind: 'Middleware', name, status: 'unknown', reason: 'A name@provider reference: it lives outside the Kubernetes CRD provider.' };
    const ns = str(get(ref, 'namespace')) || r.namespace;
    const resource = qualifiedResource(r.group, `${kind.toLowerCase()}s`);
    if (!wasRead(this.snapshot, resource, ns)) return { kind: 'Middleware', name: `${ns}/${name}`, status: 'unknown', reason: this.unread(resource, ns) };
    const found = this.clusterObject(kind, undefined, ns, name);
    return found
      ? { kind: 'Middleware', name: `${ns}/${name}`, status: 'ok', reason: 'In the cluster.' }
      : { kind: 'Middleware', name: `${ns}/${name}`, status: 'broken', reason: `${kind} ${ns}/${name} is not in the cluster: Traefik disables the router (middleware "${normalize(`${ns}-${name}`)}@kubernetescrd" does not exist).` };
  }

  private backend(r: Resource, ref: YNode): BackendChain {
    const name = str(get(ref, 'name')) ?? '';
    const portNode = asScalar(get(ref, 'port'));
    const port: ScalarValue | undefined = portNode?.value;
    const reference = `${name}${port !== undefined && port !== null ? `:${String(port)}` : ''}`;
    const hops: Hop[] = [];
    const chain = (): BackendChain => ({ reference, hops, status: worst(hops.map((h) => h.status)) });
    const refKind = r.kind === 'IngressRoute' ? str(get(ref, 'kind')) ?? 'Service' : 'Service';
    const ns = str(get(ref, 'namespace')) || r.namespace;
    const key = `${ns}/${name}`;
    if (name.includes('@')) {
      hops.push({ kind: refKind === 'TraefikService' ? 'TraefikService' : 'Service', name, status: 'unknown', reason: 'A name@provider reference: not checked against the cluster.' });
      return chain();
    }
    if (ns !== r.namespace && !this.facts.options.allowCrossNamespace) {
      hops.push({ kind: 'Service', name: key, status: 'broken', reason: `A reference to namespace ${ns}, and allowCrossNamespace is off${this.facts.fromArgs.allowCrossNamespace === undefined ? '' : ' in the running Traefik'}: Traefik refuses it and drops the route.` });
      return chain();
    }
    if (refKind === 'TraefikService') {
      const resource = qualifiedResource(r.group, 'traefikservices');
      if (!wasRead(this.snapshot, resource, ns)) hops.push({ kind: 'TraefikService', name: key, status: 'unknown', reason: this.unread(resource, ns) });
      else if (this.clusterObject('TraefikService', undefined, ns, name)) hops.push({ kind: 'TraefikService', name: key, status: 'ok', reason: 'In the cluster.' });
      else hops.push({ kind: 'TraefikService', name: key, status: 'broken', reason: `TraefikService ${key} is not in the cluster: the router fails (the service "${normalize(`${ns}-${name}`)}@kubernetescrd" does not exist).` });
      return chain();
    }

    // Service
    const nameNode = asScalar(get(ref, 'name'));
    const refSpan = nameNode?.span ?? ref.span;
    if (!wasRead(this.snapshot, 'services', ns)) {
      hops.push({ kind: 'Service', name: key, status: 'unknown', reason: this.unread('services', ns) });
      return chain();
    }
    const svc = this.snapshot.services.find((s) => s.namespace === ns && s.name === name);
    if (!svc) {
      const reason = `Service ${key} does not exist in the cluster: Traefik logs "kubernetes service not found: ${key}" and drops the route (404).`;
      hops.push({ kind: 'Service', name: key, status: 'broken', reason });
      this.report('live-service-not-found', r, refSpan, reason, this.serviceNotFoundHint(ns, name), { service: key });
      return chain();
    }
    const servicePort = findServicePort(svc, port);
    if (!servicePort) {
      const have = svc.ports.map((p) => `${p.name ? p.name + ':' : ''}${p.port}`).join(', ') || 'none';
      hops.push({ kind: 'Service', name: key, status: 'broken', reason: port === undefined || port === null || port === '' ? 'The reference gives no port; Traefik requires one for a Service.' : `Port ${JSON.stringify(port)} is not a port of the Service in the cluster (it has ${have}); Traefik logs "service port not found" and drops the route. A number matches spec.ports[].port, a string the port's name.` });
      return chain();
    }
    if (svc.type === 'ExternalName') {
      const allowed = this.facts.options.allowExternalNameServices;
      hops.push({ kind: 'Service', name: key, status: allowed ? 'ok' : 'broken', reason: allowed ? `ExternalName Service → ${svc.externalName ?? '?'}.` : 'An ExternalName Service, and allowExternalNameServices is off: Traefik refuses it.' });
      return chain();
    }
    hops.push({ kind: 'Service', name: key, status: 'ok', reason: `Port ${servicePort.name ? servicePort.name + ':' : ''}${servicePort.port} → targetPort ${String(servicePort.targetPort ?? servicePort.port)}.` });
    const nativeLB = asScalar(get(ref, 'nativeLB'))?.value;
    if (nativeLB === true || (nativeLB !== false && this.facts.options.nativeLBByDefault)) {
      hops.push({ kind: 'EndpointSlices', name: key, status: 'ok', reason: `nativeLB: Traefik sends to the ClusterIP ${svc.clusterIP ?? '?'}, not to the endpoints.` });
      return chain();
    }

    const protocol = r.kind === 'IngressRoute' ? 'http' : r.kind === 'IngressRouteTCP' ? 'tcp' : 'udp';
    const rule = endpointRule(this.facts, protocol, this.snapshot.discovery.endpointSlices);
    const servers = serversFor(this.snapshot, svc, servicePort, rule);
    if (!servers.known) {
      hops.push({ kind: servers.source, name: key, status: 'unknown', reason: this.unread(servers.source === 'EndpointSlices' ? 'endpointslices.discovery.k8s.io' : 'endpoints', ns) });
      return chain();
    }
    const objects = servers.objects.join(', ') || '(none)';
    if (servers.servers.length > 0) {
      const shown = servers.servers.slice(0, 3).join(', ') + (servers.servers.length > 3 ? `, … (${servers.servers.length})` : '');
      hops.push({ kind: servers.source, name: objects, status: 'ok', reason: `${servers.servers.length} server${servers.servers.length === 1 ? '' : 's'}: ${shown}.` });
      hops.push(this.podsHop(svc));
      return chain();
    }
    const why = explainNoEndpoints(this.snapshot, svc, servicePort);
    const outcome = this.noServersOutcome(key, rule, why.reason === 'not-ready');
    const portLabel = servicePort.name ? `"${servicePort.name}" (${servicePort.port})` : String(servicePort.port);
    const message = `Service ${key} has no ${ruleWord(rule)} endpoint for port ${portLabel} in the cluster: ${outcome} ${why.detail}`;
    hops.push({ kind: servers.source, name: objects, status: 'broken', reason: `No ${ruleWord(rule)} endpoint for port ${portLabel}.` });
    hops.push(why.reason === 'no-selector'
      ? { kind: 'Pods', name: key, status: 'broken', reason: 'The Service has no selector.' }
      : why.reason === 'pods-unknown' ? { kind: 'Pods', name: key, status: 'unknown', reason: why.detail } : { kind: 'Pods', name: why.pods.slice(0, 3).join(', ') || ns, status: 'broken', reason: why.detail });
    this.report('live-no-endpoints', r, refSpan, message, why.hint, { service: key, reason: why.reason, port: servicePort.name ?? servicePort.port, ...why.data }, this.noEndpointsRelated(svc, why.pods));
    return chain();
  }

  private podsHop(svc: LiveService): Hop {
    if (!svc.selector) return { kind: 'Pods', name: `${svc.namespace}/${svc.name}`, status: 'ok', reason: 'No selector: the endpoints are managed by hand.' };
    if (!wasRead(this.snapshot, 'pods', svc.namespace)) return { kind: 'Pods', name: svc.namespace, status: 'unknown', reason: this.unread('pods', svc.namespace) };
    const selector = svc.selector;
    const pods = this.snapshot.pods.filter((p) => p.namespace === svc.namespace && labelsMatch(p.labels, selector));
    const ready = pods.filter((p) => p.ready);
    return { kind: 'Pods', name: pods.slice(0, 3).map((p) => p.name).join(', ') + (pods.length > 3 ? ', …' : ''), status: 'ok', reason: `${ready.length}/${pods.length} selected Pods ready ({${formatLabels(selector)}}).` };
  }

  private noServersOutcome(key: string, rule: EndpointRule, notReady: boolean): string {
    if (this.facts.options.allowEmptyServices) return 'Traefik keeps the route without servers (allowEmptyServices) and answers 503.';
    // Traefik ≤ v3.0 reads Endpoints: unready Pods still make a subset, so there is no error, only 503.
    if (rule === 'endpoints' && notReady) return 'Traefik keeps the route with no servers and answers 503.';
    return rule === 'endpoints'
      ? `Traefik logs "subset not found for ${key}" (or finds no servers) and drops the route (404).`
      : `Traefik finds no servers ("no servers found for ${key}") and drops the route (404).`;
  }

  private serviceNotFoundHint(ns: string, name: string): string {
    const inWorkspace = this.index.find('Service', ns, name)[0];
    if (inWorkspace) return `the workspace defines it in ${inWorkspace.file} but the cluster does not have it: not applied yet? kubectl apply -f ${inWorkspace.file}`;
    const candidates = this.snapshot.services.filter((s) => s.namespace === ns).map((s) => s.name);
    // Close names: a typo away, or one name inside the other ("go-app" for "go-app-svc").
    const close = candidates
      .filter((c) => editDistance(c, name) <= Math.max(2, Math.floor(name.length / 4)) || (Math.min(c.length, name.length) >= 3 && (c.includes(name) || name.includes(c))))
      .sort((a, b) => editDistance(a, name) - editDistance(b, name));
    if (close.length > 0) return `did you mean ${close.slice(0, 3).map((c) => `"${c}"`).join(' or ')}? Use the exact name of a Service in ${ns} (kubectl get svc -n ${ns}).`;
    return candidates.length > 0
      ? `use the exact name of a Service in ${ns}: ${candidates.slice(0, 5).join(', ')}${candidates.length > 5 ? ', …' : ''}.`
      : `create the Service in ${ns}, or fix the reference's name and namespace.`;
  }

  /** The workspace's Service selector and the Pod templates that made the nearest Pods, for "related" links. */
  private noEndpointsRelated(svc: LiveService, podNames: string[]): RelatedInformation[] {
    const related: RelatedInformation[] = [];
    for (const ws of this.index.find('Service', svc.namespace, svc.name)) {
      const sel = get(ws.root, 'spec', 'selector');
      related.push({ file: ws.file, span: sel?.span ?? valueSpan(ws.root, ['metadata', 'name']), message: `The Service's selector (the cluster's: {${formatLabels(svc.selector ?? {})}}).` });
    }
    const pods = this.snapshot.pods.filter((p) => p.namespace === svc.namespace && podNames.includes(p.name));
    for (const kind of workloadKinds) {
      for (const w of this.index.inNamespace(kind, svc.namespace)) {
        const labelsNode = get(w.root, 'spec', 'template', 'metadata', 'labels');
        const template = stringMap(labelsNode);
        if (!labelsNode || !pods.some((p) => labelsMatch(p.labels, template))) continue;
        related.push({ file: w.file, span: labelsNode.span, message: `The Pod template of ${kind} ${w.name}, whose Pods the selector misses or that are not ready.` });
      }
    }
    return related;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Drift and deployment of the other objects

  /** Middlewares and TraefikServices of the workspace: deployed, and deployed as written? */
  private traefikObject(r: Resource): void {
    const plural = `${r.kind.toLowerCase()}s`;
    const resource = qualifiedResource(r.group, plural);
    if (this.served(r.group, plural, r.namespace) !== true || !wasRead(this.snapshot, resource, r.namespace)) return;
    const deployed = this.clusterObject(r.kind, r.group, r.namespace, r.name);
    if (!deployed) {
      const used = r.kind === 'TraefikService' ? 'routes using it fail with "the service … does not exist"' : `routers using it are disabled (middleware "${normalize(`${r.namespace}-${r.name}`)}@kubernetescrd" does not exist)`;
      this.report('live-not-deployed', r, valueSpan(r.root, ['metadata', 'name']), `${r.kind} ${r.namespace}/${r.name} is not in the cluster: ${used}. Not applied yet?`,
        `kubectl apply -f ${r.file}${r.namespaceExplicit ? '' : ` -n ${r.namespace}`}`, { resource });
      return;
    }
    const specNode = get(r.root, 'spec');
    if (specNode && canonical(plain(specNode)) !== canonical(deployed.spec)) {
      this.report('live-drift', r, pair(r.root, 'spec')!.keySpan, `The cluster runs a different spec for ${r.kind} ${r.namespace}/${r.name} than this file. Not applied yet, or changed in the cluster?`,
        `kubectl diff -f ${r.file} shows the difference; kubectl apply -f ${r.file} makes the cluster match the file.`, { resource });
    }
  }

  private routeDrift(r: Resource, deployed: LiveCustomObject): void {
    const clusterRoutes = arr(obj(deployed.spec).routes);
    const fileRoutes = items(get(r.root, 'spec', 'routes'));
    const apply = `kubectl diff -f ${r.file} shows the difference; kubectl apply -f ${r.file} makes the cluster match the file.`;
    if (clusterRoutes.length !== fileRoutes.length) {
      const routesKey = pair(get(r.root, 'spec'), 'routes')?.keySpan ?? valueSpan(r.root, ['metadata', 'name']);
      this.report('live-drift', r, routesKey, `In the cluster ${r.kind} ${r.namespace}/${r.name} has ${clusterRoutes.length} route${clusterRoutes.length === 1 ? '' : 's'}; this file has ${fileRoutes.length}. Not applied yet?`, apply, { field: 'routes' });
    }
    fileRoutes.forEach((route, i) => {
      const live = obj(clusterRoutes[i]);
      if (clusterRoutes[i] === undefined) return;
      const fileMatch = str(get(route, 'match'));
      const liveMatch = typeof live.match === 'string' ? live.match : undefined;
      if (fileMatch !== undefined && liveMatch !== undefined && fileMatch !== liveMatch) {
        this.report('live-drift', r, asScalar(get(route, 'match'))?.span ?? route.span, `In the cluster route ${i + 1} matches ${liveMatch}; this file says ${fileMatch}. Not applied yet?`, apply, { field: `routes[${i}].match`, cluster: liveMatch });
      }
      const fileServices = describeRefs(items(get(route, 'services')).map(plain));
      const liveServices = describeRefs(arr(live.services));
      if (fileServices !== liveServices) {
        const span = pair(route, 'services')?.keySpan ?? route.span;
        this.report('live-drift', r, span, `In the cluster route ${i + 1} sends to ${liveServices || 'no service'}; this file says ${fileServices || 'no service'}. Not applied yet?`, apply, { field: `routes[${i}].services`, cluster: liveServices });
      }
      const fileMiddlewares = describeRefs(items(get(route, 'middlewares')).map(plain));
      const liveMiddlewares = describeRefs(arr(live.middlewares));
      if (fileMiddlewares !== liveMiddlewares) {
        const span = pair(route, 'middlewares')?.keySpan ?? route.span;
        this.report('live-drift', r, span, `In the cluster route ${i + 1} uses the middlewares ${liveMiddlewares || '(none)'}; this file says ${fileMiddlewares || '(none)'}. Not applied yet?`, apply, { field: `routes[${i}].middlewares`, cluster: liveMiddlewares });
      }
    });
  }

  private serviceDrift(r: Resource): void {
    if (!wasRead(this.snapshot, 'services', r.namespace)) return;
    const svc = this.snapshot.services.find((s) => s.namespace === r.namespace && s.name === r.name);
    if (!svc) return;
    const apply = `kubectl diff -f ${r.file} shows the difference; kubectl apply -f ${r.file} makes the cluster match the file.`;
    const spec = get(r.root, 'spec');
    const selectorNode = get(spec, 'selector');
    const fileSelector = stringMap(selectorNode);
    const liveSelector = svc.selector ?? {};
    if (!sameMap(fileSelector, liveSelector)) {
      this.report('live-drift', r, selectorNode?.span ?? pair(r.root, 'spec')?.keySpan ?? valueSpan(r.root, ['metadata', 'name']),
        `The cluster's Service ${r.namespace}/${r.name} selects {${formatLabels(liveSelector)}}; this file says {${formatLabels(fileSelector)}}. Not applied yet, or changed in the cluster?`,
        apply, { field: 'spec.selector', cluster: liveSelector, file: fileSelector });
    }
    const portsNode = get(spec, 'ports');
    const filePorts = describePorts(items(portsNode).map((p) => ({
      name: str(get(p, 'name')), port: asScalar(get(p, 'port'))?.value, targetPort: asScalar(get(p, 'targetPort'))?.value, protocol: str(get(p, 'protocol')),
    })));
    const livePorts = describePorts(svc.ports);
    if (portsNode && filePorts !== livePorts) {
      this.report('live-drift', r, pair(spec, 'ports')?.keySpan ?? portsNode.span,
        `The cluster's Service ${r.namespace}/${r.name} has the ports ${livePorts || '(none)'}; this file says ${filePorts || '(none)'}. Not applied yet?`,
        apply, { field: 'spec.ports', cluster: livePorts, file: filePorts });
    }
  }

  private workloadDrift(r: Resource): void {
    if (!wasRead(this.snapshot, `${r.kind.toLowerCase()}s`, r.namespace)) return;
    const w = this.snapshot.workloads.find((x) => x.kind === r.kind && x.namespace === r.namespace && x.name === r.name);
    if (!w) return;
    const apply = `kubectl diff -f ${r.file} shows the difference; kubectl apply -f ${r.file} makes the cluster match the file.`;
    const labelsNode = get(r.root, 'spec', 'template', 'metadata', 'labels');
    const fileLabels = stringMap(labelsNode);
    if (labelsNode && !sameMap(fileLabels, w.templateLabels)) {
      this.report('live-drift', r, labelsNode.span,
        `In the cluster the Pods of ${r.kind} ${r.namespace}/${r.name} are labelled {${formatLabels(w.templateLabels)}}; this file says {${formatLabels(fileLabels)}}. Not applied yet, or changed in the cluster?`,
        apply, { field: 'spec.template.metadata.labels', cluster: w.templateLabels, file: fileLabels });
    }
    const containers = items(get(r.root, 'spec', 'template', 'spec', 'containers'));
    const filePorts = containers.flatMap((c) => items(get(c, 'ports')).map((p) => `${str(get(c, 'name')) ?? ''}/${str(get(p, 'name')) ?? ''}:${str(get(p, 'containerPort')) ?? ''}`)).sort().join(', ');
    const livePorts = w.containers.flatMap((c) => c.ports.map((p) => `${c.name}/${p.name ?? ''}:${p.containerPort}`)).sort().join(', ');
    if (containers.length > 0 && filePorts !== livePorts) {
      const firstPorts = containers.map((c) => pair(c, 'ports')).find((p) => p !== undefined);
      this.report('live-drift', r, firstPorts?.keySpan ?? containers[0]!.span,
        `In the cluster the containers of ${r.kind} ${r.namespace}/${r.name} declare the ports ${livePorts || '(none)'}; this file says ${filePorts || '(none)'}. Not applied yet?`,
        apply, { field: 'spec.template.spec.containers[].ports', cluster: livePorts, file: filePorts });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Traefik's log

  /**
   * Attributes Traefik's error lines to workspace objects: a line with ingress=<name> namespace=<ns> belongs to
   * that IngressRoute; within it (or, without those fields, anywhere) a mention of "<ns>/<service>" points at the
   * service reference, "<ns>-<middleware>@kubernetescrd" at the middleware reference, and a routerName at the
   * IngressRoute. Repeated lines (Traefik logs on every configuration refresh) give one finding with a count.
   */
  private logFindings(): void {
    type Hit = { r: Resource; span: Span; entry: TraefikLogEntry; count: number; subject: string };
    const hits = new Map<string, Hit>();
    const hit = (r: Resource, span: Span, entry: TraefikLogEntry, subject: string) => {
      const key = `${r.file}:${span.start}:${entry.text}`;
      const prev = hits.get(key);
      // Lines are oldest first: keep the latest occurrence for the quote.
      hits.set(key, { r, span, entry, count: (prev?.count ?? 0) + 1, subject });
    };
    const routes = routeKinds.flatMap((k) => [...this.index.ofKind(k)]);
    for (const entry of this.logErrors) {
      const haystack = `${entry.text} ${entry.line}`;
      for (const r of routes) {
        const ingress = entry.fields.ingress;
        if (ingress !== undefined && (ingress !== r.name || (entry.fields.namespace ?? r.namespace) !== r.namespace)) continue;
        const byField = ingress !== undefined;
        const router = entry.fields.routerName ?? entry.fields.routerNameQualified;
        const byRouter = router !== undefined && router.startsWith(`${normalize(`${r.namespace}-${r.name}`)}-`);
        let specific = false;
        for (const route of items(get(r.root, 'spec', 'routes'))) {
          for (const ref of items(get(route, 'services'))) {
            const name = str(get(ref, 'name'));
            if (!name) continue;
            const ns = str(get(ref, 'namespace')) || r.namespace;
            const portNode = asScalar(get(ref, 'port'));
            const port = portNode?.value;
            const byName = mentions(haystack, `${ns}/${name}`);
            const byPort = !byName && (byField || byRouter) && port !== undefined && port !== null
              && new RegExp(`port not (found|defined)[^\\n]*\\b${escapeRegExp(String(port))}\\b`).test(entry.text);
            if (!byName && !byPort) continue;
            // "No servers" cannot be about a reference that already failed at the Service (a wrong port, say).
            const serviceHop = this.chains.get(`${r.file}:${ref.span.start}`)?.hops.find((h) => h.kind === 'Service');
            if (noServers.test(entry.text) && serviceHop?.status === 'broken') continue;
            specific = true;
            const span = byPort ? portNode!.span : asScalar(get(ref, 'name'))?.span ?? ref.span;
            hit(r, span, entry, byPort ? `the port of the Service reference ${name}` : `the Service reference ${name}`);
          }
          for (const ref of items(get(route, 'middlewares'))) {
            const name = str(get(ref, 'name'));
            if (!name) continue;
            const ns = str(get(ref, 'namespace')) || r.namespace;
            const id = name.includes('@') ? name : `${normalize(`${ns}-${name}`)}@kubernetescrd`;
            if (!mentions(haystack, id)) continue;
            specific = true;
            hit(r, asScalar(get(ref, 'name'))?.span ?? ref.span, entry, `the Middleware reference ${name}`);
          }
        }
        if (!specific && (byField || byRouter)) hit(r, valueSpan(r.root, ['metadata', 'name']), entry, `${r.kind} ${r.name}`);
      }
      for (const kind of ['Middleware', 'MiddlewareTCP']) {
        for (const m of this.index.ofKind(kind)) {
          const id = `${normalize(`${m.namespace}-${m.name}`)}@kubernetescrd`;
          const named = entry.fields.middlewareName === id || entry.fields.middlewareName === normalize(`${m.namespace}-${m.name}`);
          // A router's "middleware … does not exist" is about the reference, reported above; this is about the object.
          if (named || (mentions(haystack, id) && !/does not exist/.test(entry.text))) hit(m, valueSpan(m.root, ['metadata', 'name']), entry, `${kind} ${m.name}`);
        }
      }
    }
    for (const h of hits.values()) {
      const quote = h.entry.line.length > 400 ? h.entry.line.slice(0, 400) + '…' : h.entry.line;
      const times = h.count > 1 ? ` (${h.count} times in the lines read)` : '';
      this.report('live-traefik-error', h.r, h.span,
        `Traefik (${h.entry.namespace}/${h.entry.pod}) logged an ${h.entry.level} about ${h.subject}${times}: ${quote}`,
        traefikErrorHint(h.entry.text), { line: h.entry.line, error: h.entry.text, pod: `${h.entry.namespace}/${h.entry.pod}`, count: h.count });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Objects only in the cluster

  private clusterOnly(): ClusterOnlyObject[] {
    const workspaceNamespaces = new Set(namespacesOfInterest(this.index));
    const out: ClusterOnlyObject[] = [];
    const consider = (kind: string, namespace: string, name: string) => {
      if (out.length >= maxClusterOnly || !workspaceNamespaces.has(namespace)) return;
      if (this.index.find(kind, namespace, name).length > 0) return;
      out.push({ kind, namespace, name });
    };
    for (const o of this.snapshot.traefikObjects) {
      if (['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'TraefikService'].includes(o.kind)) consider(o.kind, o.namespace, o.name);
    }
    // The API server's own Service exists in every cluster; listing it would only be noise.
    for (const s of this.snapshot.services) if (!(s.namespace === 'default' && s.name === 'kubernetes')) consider('Service', s.namespace, s.name);
    for (const w of this.snapshot.workloads) consider(w.kind, w.namespace, w.name);
    return out;
  }
}

// -------------------------------------------------------------------------------------------------------------
// Helpers

function worst(statuses: HopStatus[]): HopStatus {
  if (statuses.includes('broken')) return 'broken';
  if (statuses.includes('unknown')) return 'unknown';
  return 'ok';
}

function ruleWord(rule: EndpointRule): string {
  return rule === 'serving' ? 'serving' : 'ready';
}

function findServicePort(svc: LiveService, port: ScalarValue | undefined): LiveServicePort | undefined {
  if (typeof port === 'number') return svc.ports.find((p) => p.port === port);
  if (typeof port === 'string' && port !== '') return svc.ports.find((p) => p.name === port);
  return undefined;
}

function valueSpan(root: YMap, path: string[]): Span {
  const node = getPath(root, path);
  if (node) return node.span;
  return root.pairs[0]?.keySpan ?? root.span;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A YNode as the JSON the API server stores for it. */
function plain(node: YNode): unknown {
  if (node.type === 'scalar') return node.value;
  if (node.type === 'seq') return node.items.map(plain);
  const out: Record<string, unknown> = {};
  for (const p of node.pairs) out[p.key] = plain(p.value);
  return out;
}

/** JSON with sorted keys and nulls dropped (the API server prunes them), for comparing specs. */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const val = (x as Record<string, unknown>)[k];
        if (val !== null && val !== undefined) out[k] = norm(val);
      }
      return out;
    }
    return x;
  };
  return JSON.stringify(norm(v) ?? null);
}

/** "name[.namespace]:port" of service/middleware references, in order, for drift messages and comparison. */
function describeRefs(refs: unknown[]): string {
  return refs.map((x) => {
    const o = obj(x);
    const ns = typeof o.namespace === 'string' && o.namespace ? `${o.namespace}/` : '';
    const port = o.port !== undefined && o.port !== null ? `:${String(o.port)}` : '';
    const kind = o.kind === 'TraefikService' ? ' (TraefikService)' : '';
    return `${ns}${String(o.name ?? '')}${port}${kind}`;
  }).join(', ');
}

function describePorts(ports: { name?: string; port?: ScalarValue | number; targetPort?: ScalarValue | number | string; protocol?: string }[]): string {
  return ports.map((p) => {
    const target = p.targetPort === undefined || p.targetPort === null ? p.port : p.targetPort;
    return `${p.name ? p.name + ':' : ''}${String(p.port)}→${String(target)}${(p.protocol ?? 'TCP') === 'TCP' ? '' : '/' + p.protocol}`;
  }).sort().join(', ');
}

function sameMap(a: StringMap, b: StringMap): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/** True when `needle` occurs in `text` not glued to more name characters (so "default/go-ap" ≠ "default/go-app"). */
function mentions(text: string, needle: string): boolean {
  return new RegExp(`(^|[^\\w.@/-])${escapeRegExp(needle)}($|[^\\w.@-])`).test(text);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** What to do about the errors Traefik logs for routes (traefik-semantics §2.2, §3, §7). */
function traefikErrorHint(text: string): string {
  if (/kubernetes service not found|service not found/.test(text)) return 'use the exact name of an existing Service in that namespace, or apply the Service.';
  if (noServers.test(text)) return 'the Service has no ready endpoints: make its selector match ready Pods (see live-no-endpoints).';
  if (/service port not found|port not defined/.test(text)) return 'use one of the Service\'s ports: a number matches spec.ports[].port (not targetPort), a string matches the port\'s name.';
  if (/middleware .* does not exist/.test(text)) return 'create the Middleware in the route\'s namespace, or fix the reference\'s name.';
  if (/does not exist/.test(text)) return 'create the referenced object, or fix the reference.';
  if (/cross-?namespace|not in the parent resource namespace|not in the IngressRoute namespace/i.test(text)) return 'keep the reference in the route\'s namespace, or enable providers.kubernetesCRD.allowCrossNamespace.';
  if (/externalName services not allowed/.test(text)) return 'enable providers.kubernetesCRD.allowExternalNameServices, or use a Service with a selector.';
  if (/error while parsing rule|unsupported function/.test(text)) return 'fix the match rule\'s syntax.';
  return 'read the quoted line; Traefik ignores or disables what it names until the cause is fixed.';
}

/**
 * A code lens on each Service: how many workloads it selects and how many routes use it ("selects 2 workloads ·
 * 3 routes"), so a Service that selects nothing or serves no route shows it without a hover. Clicked, it lists the
 * places behind those numbers (`lensPlaces`).
 */
import { serviceSelector } from '../k8s/endpoints';
import { readWorkload } from '../k8s/workloads';
import type { Resource, Span } from '../model';
import { allSites, nameSpanOf, resolveSite, resourceAt, sameObject, selectedWorkloads } from '../refs/resolve';
import type { RefSite } from '../refs/sites';
import type { FeatureContext } from './context';
import { referencesAt, type Place } from './navigation';

export interface Lens {
  span: Span;
  title: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Route objects count once per route (an IngressRoute's routes[] entry, an Ingress path); other holders once each. */
function routeKey(site: RefSite): string {
  const holder = `${site.holder.kind}/${site.holder.namespace}/${site.holder.name}`;
  if (site.route) return `${holder}#${site.route.index}`;
  return site.role === 'ingress-backend' ? `${holder}@${site.span.start}` : holder;
}

const routeHolders: ReadonlySet<string> = new Set(['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Ingress']);

export function codeLenses(ctx: FeatureContext, file: string): Lens[] {
  const services = (ctx.index.getFile(file)?.resources ?? []).filter((r) => r.kind === 'Service');
  if (services.length === 0) return [];
  // One pass over the workspace's Service references serves every Service of the file.
  const sitesByService = new Map<Resource, RefSite[]>();
  for (const site of allSites(ctx.index)) {
    if (site.targetKind !== 'Service') continue;
    const resolved = resolveSite(ctx.index, site);
    for (const service of services) if (resolved.some((r) => sameObject(r, service))) sitesByService.set(service, [...(sitesByService.get(service) ?? []), site]);
  }
  return services.map((service) => {
    const sites = sitesByService.get(service) ?? [];
    const routes = new Set(sites.filter((s) => routeHolders.has(s.holder.kind)).map(routeKey));
    const others = new Set(sites.filter((s) => !routeHolders.has(s.holder.kind)).map(routeKey));
    const { matched, unknown } = selectedWorkloads(ctx.index, service);
    const workloads = new Set([...matched, ...unknown].map((w) => `${w.kind}/${w.name}`));
    const parts = [
      serviceSelector(service) ? `selects ${plural(workloads.size, 'workload')}` : 'no selector',
      plural(routes.size, 'route'),
      ...(others.size > 0 ? [`${others.size} TraefikService or Middleware`] : []),
    ];
    return { span: nameSpanOf(service), title: parts.join(' · ') };
  });
}

/**
 * The places a Service's lens stands for: every reference to the Service (what Find All References lists), then the
 * Pod templates it selects, so that both numbers of the title can be checked from one list.
 */
export function lensPlaces(ctx: FeatureContext, file: string, lens: Lens): Place[] {
  const service = resourceAt(ctx.index, file, lens.span.start);
  if (service?.kind !== 'Service') return [];
  const { matched, unknown } = selectedWorkloads(ctx.index, service);
  const workloads = [...matched, ...unknown].map((w) => ({ file: w.file, span: readWorkload(w)?.template?.labelsNode?.span ?? nameSpanOf(w) }));
  return [...referencesAt(ctx, file, lens.span.start, false), ...workloads];
}

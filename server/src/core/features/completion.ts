/**
 * Completion of the names a reference can take, from the objects of the right kind in the right namespace: Services
 * (or TraefikServices, with `kind: TraefikService`), their ports by number and by name, Middlewares, TLSOptions,
 * ServersTransports, parent IngressRoutes and Secrets. It works while the value is still empty (`name: |`). Inside
 * a Traefik rule, ruleHelp.ts answers instead: matcher names and the workspace's hosts.
 */
import type { Resource, Span, YScalar } from '../model';
import { get, str } from '../parse/ynode';
import { resolveSite, resourceAt, touches } from '../refs/resolve';
import { referenceSites, type RefSite } from '../refs/sites';
import { servicePorts, serviceType } from '../traefik/kubernetes';
import { containerPortOf } from './chain';
import type { FeatureContext } from './context';
import { ruleCompletionsAt } from './ruleHelp';
import { renderScalar } from './yamlEdit';

export interface CompletionItem {
  label: string;
  detail: string;
  /** Objects and ports of references; matchers and hosts inside Traefik rules (ruleHelp.ts). */
  kind: 'object' | 'port' | 'matcher' | 'host';
  /** The text that replaces `span`; for a quoted value it carries the quotes, and is what the editor filters on. */
  newText: string;
  /** True when `newText` is a snippet with tab stops (`Host(`$1`)`); the editor then filters on the label. */
  snippet?: boolean;
  /** Markdown shown beside the list. */
  documentation?: string;
  span: Span;
}

export function completionsAt(ctx: FeatureContext, file: string, offset: number): CompletionItem[] {
  const inRule = ruleCompletionsAt(ctx, file, offset);
  if (inRule) return inRule;
  const resource = resourceAt(ctx.index, file, offset);
  const text = ctx.textOf(file);
  if (!resource || text === undefined) return [];
  for (const site of referenceSites(resource)) {
    // Annotation entries share one scalar; completing inside a comma-separated list is left to the user.
    if (site.role === 'ingress-middleware') continue;
    if (site.nameNode && inSlot(text, site.nameNode, offset)) return nameItems(ctx, site, site.nameNode, text, offset);
    if (site.port && inSlot(text, site.port.node, offset)) return portItems(ctx, site, site.port.node, text, offset);
  }
  return [];
}

/** Whether the cursor is in a scalar, or after the key of an empty value on the same line. */
function inSlot(text: string, node: YScalar, offset: number): boolean {
  if (touches(node.span, offset)) return true;
  if (node.value !== null || node.span.start !== node.span.end) return false;
  const lineEnd = text.indexOf('\n', node.span.start);
  return offset >= node.span.start && offset <= (lineEnd < 0 ? text.length : lineEnd);
}

/** The range a completion replaces and the text for a value: the whole scalar, or the cursor for an empty value. */
function replacement(text: string, node: YScalar, offset: number, value: string | number, inFlow: boolean): { span: Span; newText: string } {
  if (node.value === null && node.span.start === node.span.end) {
    const space = text.charCodeAt(offset - 1) === 58 /* : */ ? ' ' : '';
    return { span: { start: offset, end: offset }, newText: space + renderScalar(value, 'plain', inFlow) };
  }
  const style = node.style === 'single' || node.style === 'double' ? node.style : 'plain';
  return { span: node.span, newText: renderScalar(value, style, inFlow) };
}

function namespaceOf(site: RefSite): string {
  return site.lookup.by === 'name' ? site.lookup.namespace : site.holder.namespace;
}

/** Objects of the site's kind in its namespace, named as a reference writes them. */
function candidates(ctx: FeatureContext, site: RefSite): { name: string; detail: string }[] {
  const namespace = namespaceOf(site);
  const describe = (r: Resource, what: string) => ({ name: r.name, detail: `${r.kind} ${namespace}/${r.name}${what ? ` · ${what}` : ''}` });
  switch (site.targetKind) {
    case 'Service':
      return ctx.index.inNamespace('Service', namespace).map((s) => describe(s, `${serviceType(s)} · ports ${servicePorts(s).map((p) => p.port ?? p.name).join(', ') || 'none'}`));
    case 'Secret':
      return [
        ...ctx.index.inNamespace('Secret', namespace).map((s) => describe(s, str(get(s.root, 'type')) ?? 'Opaque')),
        ...ctx.index.inNamespace('Certificate', namespace).flatMap((c) => {
          const name = str(get(c.root, 'spec', 'secretName'));
          return name ? [{ name, detail: `Secret ${namespace}/${name} · created by Certificate ${c.name}` }] : [];
        }),
      ];
    case 'IngressRoute':
      return ctx.index.inNamespace('IngressRoute', namespace).filter((r) => r !== site.holder).map((r) => describe(r, ''));
    default:
      return ctx.index.inNamespace(site.targetKind, namespace).map((r) => describe(r, topLevelSpecKey(r)));
  }
}

/** What a Middleware or TraefikService is (its first spec key: `stripPrefix`, `weighted`). */
function topLevelSpecKey(r: Resource): string {
  const spec = get(r.root, 'spec');
  return spec?.type === 'map' ? spec.pairs[0]?.key ?? '' : '';
}

function nameItems(ctx: FeatureContext, site: RefSite, node: YScalar, text: string, offset: number): CompletionItem[] {
  const inFlow = site.refMap?.flow ?? false;
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const c of candidates(ctx, site)) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    items.push({ label: c.name, detail: c.detail, kind: 'object', ...replacement(text, node, offset, c.name, inFlow) });
  }
  return items.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/**
 * The ports of the Service the reference names: numbers everywhere, names where the reference can use names (a
 * Traefik `port`, an Ingress `port.name`).
 */
function portItems(ctx: FeatureContext, site: RefSite, node: YScalar, text: string, offset: number): CompletionItem[] {
  const service = resolveSite(ctx.index, site).find((s) => servicePorts(s).length > 0);
  if (!service) return [];
  const inFlow = site.refMap?.flow ?? false;
  const field = site.port!.field;
  const items: CompletionItem[] = [];
  for (const p of servicePorts(service)) {
    const container = containerPortOf(ctx.index, service, p);
    const target = p.targetPort === undefined ? '' : ` → targetPort ${p.targetPort}${typeof p.targetPort === 'string' && container !== undefined ? ` (${container})` : ''}`;
    if (p.port !== undefined && field !== 'name') {
      items.push({ label: String(p.port), detail: `Service port${p.name ? ` ${p.name}` : ''}${target}`, kind: 'port', ...replacement(text, node, offset, p.port, inFlow) });
    }
    if (p.name !== '' && field !== 'number') {
      items.push({ label: p.name, detail: `Service port ${p.port ?? '?'}${target}`, kind: 'port', ...replacement(text, node, offset, p.name, inFlow) });
    }
  }
  return items;
}

/**
 * Traefik's provider options as the repository sets them: the arguments and environment of Traefik's own
 * Deployment or DaemonSet, the values of a Traefik HelmRelease, k3s HelmChart/HelmChartConfig, Argo CD
 * Application or plain Helm values file (`providers.kubernetesCRD.*`, `additionalArguments`), and the image tag or
 * chart version, which gives the Traefik version. Every option keeps where it was read, for hovers.
 *
 * A repository may install Traefik more than once (one per cluster). Where installations disagree, the option
 * that reports fewer problems wins (an allow* option any of them turns on), and the version, namespaces and
 * ingress class are only taken when all agree: a false alarm costs more than a missed one.
 */
import type { Resource, Span, TraefikOptions, YNode } from '../model';
import { fullParseDocument } from '../parse/fullYaml';
import { asScalar, get, items, str } from '../parse/ynode';
import { flattenSpans } from '../kustomize/tree';

export interface OptionSource {
  file: string;
  span: Span;
  /** What set it, for a hover: `--providers.kubernetescrd.allowCrossNamespace=true in Deployment traefik/traefik`. */
  description: string;
}

export interface DiscoveredOptions {
  options: Partial<TraefikOptions>;
  sources: Partial<Record<keyof TraefikOptions, OptionSource>>;
}

type Found = { [K in keyof TraefikOptions]?: { value: TraefikOptions[K]; source: OptionSource } };

/** A plain YAML document with the file it is in. */
export interface PlainValues {
  file: string;
  root: YNode;
}

const booleanOptions = ['allowCrossNamespace', 'allowExternalNameServices', 'allowEmptyServices', 'nativeLBByDefault', 'disableClusterScopeResources'] as const;

/** Option names as Traefik reads them from flags and environment variables (case-insensitive). */
const byLowerName: ReadonlyMap<string, keyof TraefikOptions> = new Map([
  ...booleanOptions.map((o) => [o.toLowerCase(), o] as const),
  ['namespaces', 'namespaces'], ['ingressclass', 'ingressClass'],
]);

/** Whether a container image is Traefik itself (not traefik/whoami or another image of the Traefik organisation). */
export function isTraefikImage(image: string): boolean {
  const path = image.split('@')[0]!.replace(/:[^/:]*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === 'traefik' || last === 'mirrored-library-traefik';
}

function traefikContainers(r: Resource): YNode[] {
  if (r.kind !== 'Deployment' && r.kind !== 'DaemonSet') return [];
  return items(get(r.root, 'spec', 'template', 'spec', 'containers')).filter((c) => isTraefikImage(str(get(c, 'image')) ?? ''));
}

function isTraefikChart(name: string | undefined): boolean {
  return name !== undefined && /(^|\/)traefik$/.test(name);
}

/** Whether a resource installs or configures Traefik (so that a change to it can change the provider options). */
export function isTraefikInstall(r: Resource): boolean {
  switch (r.kind) {
    case 'Deployment':
    case 'DaemonSet': return traefikContainers(r).length > 0;
    case 'HelmRelease': return isTraefikChart(str(get(r.root, 'spec', 'chart', 'spec', 'chart'))) || r.name === 'traefik';
    case 'HelmChart':
    case 'HelmChartConfig': return r.name === 'traefik' || isTraefikChart(str(get(r.root, 'spec', 'chart')));
    case 'Application': return applicationSources(r).some((s) => isTraefikChart(str(get(s, 'chart'))));
    default: return false;
  }
}

/** Whether a plain YAML document is Helm values for Traefik's chart. */
export function isTraefikValues(root: YNode): boolean {
  return get(root, 'providers', 'kubernetesCRD') !== undefined || items(get(root, 'additionalArguments')).some((a) => /^--providers\./i.test(str(a) ?? ''));
}

function applicationSources(r: Resource): YNode[] {
  const single = get(r.root, 'spec', 'source');
  return single ? [single] : items(get(r.root, 'spec', 'sources'));
}

function versionOf(tag: string | undefined): TraefikOptions['version'] | undefined {
  const major = /^v?(\d+)\./.exec(tag ?? '')?.[1];
  return major === '2' ? 'v2' : major === '3' ? 'v3' : undefined;
}

/** Traefik's chart 28 was the first to install Traefik v3. */
function versionOfChart(version: string | undefined): TraefikOptions['version'] | undefined {
  const major = /(\d+)/.exec(version ?? '')?.[1];
  if (major === undefined) return undefined;
  return Number(major) >= 28 ? 'v3' : 'v2';
}

function parseValue(option: keyof TraefikOptions, raw: string | boolean | number | null): unknown {
  if (booleanOptions.includes(option as typeof booleanOptions[number])) return raw === null || raw === '' || raw === true || String(raw).toLowerCase() === 'true';
  if (option === 'namespaces') return String(raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return String(raw ?? '');
}

class Collector {
  readonly found: Found = {};
  constructor(private readonly what: string, private readonly file: string) {}

  set(option: keyof TraefikOptions, value: unknown, node: YNode, setting: string): void {
    (this.found as Record<string, unknown>)[option] = { value, source: { file: this.file, span: node.span, description: `${setting} in ${this.what}` } };
  }

  /** `--providers.kubernetescrd.<option>[=value]` */
  flag(node: YNode): void {
    const text = str(node) ?? '';
    const m = /^--providers\.kubernetescrd\.([a-z]+)(?:=(.*))?$/i.exec(text.trim());
    const option = m && byLowerName.get(m[1]!.toLowerCase());
    if (option) this.set(option, parseValue(option, m[2] ?? null), node, text.trim());
  }

  /** `TRAEFIK_PROVIDERS_KUBERNETESCRD_<OPTION>` */
  env(name: string, node: YNode): void {
    const m = /^TRAEFIK_PROVIDERS_KUBERNETESCRD_([A-Z]+)$/.exec(name);
    const option = m && byLowerName.get(m[1]!.toLowerCase());
    if (option) this.set(option, parseValue(option, asScalar(node)?.value ?? null), node, `${name}=${str(node) ?? ''}`);
  }

  /** Helm values of Traefik's chart. */
  values(root: YNode | undefined): void {
    const crd = get(root, 'providers', 'kubernetesCRD');
    for (const [lower, option] of byLowerName) {
      const node = crd?.type === 'map' ? crd.pairs.find((p) => p.key.toLowerCase() === lower)?.value : undefined;
      if (!node) continue;
      const raw = node.type === 'seq' ? node.items.map(str).join(',') : asScalar(node)?.value ?? null;
      this.set(option, parseValue(option, raw), node, `providers.kubernetesCRD.${option}`);
    }
    for (const arg of items(get(root, 'additionalArguments'))) this.flag(arg);
    const tag = get(root, 'image', 'tag');
    const version = versionOf(str(tag));
    if (tag && version) this.set('version', version, tag, `image.tag ${str(tag)}`);
  }

  /** Helm values held in a string (k3s valuesContent, Argo CD helm.values): read as YAML, located at the string. */
  valuesText(node: YNode | undefined): void {
    const text = str(node);
    if (!node || !text) return;
    const parsed = fullParseDocument(text, 0, text.length).node;
    if (parsed) this.values(flattenSpans(parsed, node.span));
  }

  chartVersion(node: YNode | undefined): void {
    const version = versionOfChart(str(node));
    if (node && version && this.found.version === undefined) this.set('version', version, node, `chart version ${str(node)}`);
  }
}

function fromResource(r: Resource): Found {
  const c = new Collector(`${r.kind} ${r.namespace}/${r.name}`, r.file);
  switch (r.kind) {
    case 'Deployment':
    case 'DaemonSet':
      for (const container of traefikContainers(r)) {
        for (const arg of [...items(get(container, 'args')), ...items(get(container, 'command'))]) c.flag(arg);
        for (const env of items(get(container, 'env'))) {
          const value = get(env, 'value');
          if (value) c.env(str(get(env, 'name')) ?? '', value);
        }
        const image = get(container, 'image');
        const version = versionOf(/:([^:/@]+)(@.*)?$/.exec(str(image) ?? '')?.[1]);
        if (image && version) c.set('version', version, image, `image ${str(image)}`);
      }
      break;
    case 'HelmRelease':
      c.values(get(r.root, 'spec', 'values'));
      c.chartVersion(get(r.root, 'spec', 'chart', 'spec', 'version'));
      break;
    case 'HelmChart':
    case 'HelmChartConfig':
      c.valuesText(get(r.root, 'spec', 'valuesContent'));
      c.chartVersion(get(r.root, 'spec', 'version'));
      break;
    case 'Application':
      for (const source of applicationSources(r).filter((s) => isTraefikChart(str(get(s, 'chart'))))) {
        c.values(get(source, 'helm', 'valuesObject'));
        c.valuesText(get(source, 'helm', 'values'));
        c.chartVersion(get(source, 'targetRevision'));
      }
      break;
  }
  return c.found;
}

/**
 * The provider options the repository's Traefik installations set. `installs` are the objects that install or
 * configure Traefik (see isTraefikInstall), `values` the plain Helm values documents for its chart.
 */
export function discoverProviderOptions(installs: Iterable<Resource>, values: Iterable<PlainValues>): DiscoveredOptions {
  const all: Found[] = [];
  for (const r of installs) all.push(fromResource(r));
  for (const v of values) {
    const c = new Collector(`Helm values ${v.file}`, v.file);
    c.values(v.root);
    all.push(c.found);
  }
  const result: DiscoveredOptions = { options: {}, sources: {} };
  const found = all.filter((f) => Object.keys(f).length > 0);
  if (found.length === 0) return result;
  const take = <K extends keyof TraefikOptions>(option: K, pick: (values: TraefikOptions[K][]) => TraefikOptions[K] | undefined): void => {
    const entries = found.map((f) => f[option]).filter((e): e is NonNullable<Found[K]> => e !== undefined);
    if (entries.length === 0) return;
    const value = pick(entries.map((e) => e.value as TraefikOptions[K]));
    if (value === undefined) return;
    (result.options as Record<string, unknown>)[option] = value;
    result.sources[option] = entries.find((e) => JSON.stringify(e.value) === JSON.stringify(value))?.source ?? entries[0]!.source;
  };
  const allAgree = <T>(values: T[]): T | undefined => (values.every((v) => JSON.stringify(v) === JSON.stringify(values[0])) && values.length === found.length ? values[0] : undefined);
  take('allowCrossNamespace', (v) => v.some(Boolean));
  take('allowExternalNameServices', (v) => v.some(Boolean));
  take('allowEmptyServices', (v) => v.some(Boolean));
  take('nativeLBByDefault', (v) => (v.length === found.length ? v.every(Boolean) : false));
  take('disableClusterScopeResources', (v) => (v.length === found.length ? v.every(Boolean) : false));
  take('namespaces', allAgree);
  take('ingressClass', allAgree);
  take('version', (v) => (v.every((x) => x === v[0]) ? v[0] : undefined));
  return result;
}

/**
 * Sources of objects that the workspace does not spell out: Flux HelmReleases, Argo CD Applications and
 * ApplicationSets, k3s HelmCharts, Flux Kustomizations of other repositories, Helm charts kept in the repository,
 * the remote bases and Helm charts of kustomizations, and operator custom resources. When a reference names a
 * missing object that one of them could create in that namespace, the object is unverified, not missing.
 *
 * A source whose namespace is known may create anything there. A source whose namespace cannot be known (a
 * remote base in a kustomization without `namespace`, a templated ApplicationSet, a chart no release installs)
 * only counts when its name resembles the missing object's, or it would excuse every missing reference of the
 * repository.
 */
import type { Resource, Span } from '../model';
import { get, items, str } from '../parse/ynode';
import { operatorKinds } from './operators';

export interface Creator {
  /** How messages name it: `HelmRelease monitoring/kube-prometheus-stack`. */
  description: string;
  file: string;
  span: Span;
  /** The namespace it creates objects in; undefined when that cannot be known. */
  namespace?: string;
  /** The kinds it can create; undefined for any kind. */
  kinds?: ReadonlySet<string>;
  /** The exact objects it creates, for operators whose names are fixed. */
  objects?: readonly { kind: string; name: string }[];
  /** Names (release, chart, application) that make it the likely source of an object whose name contains them. */
  hints: readonly string[];
  /**
   * Namespaces where what it creates is known, because a host rendered it there (a local Helm chart rendered with
   * `helm template`): it is no source of other objects in them.
   */
  renderedIn?: ReadonlySet<string>;
}

/** What a reference looks for. */
export interface Wanted {
  kind: string;
  namespace: string;
  name: string;
}

/** The lookups creators are found with; the engine's tracking view, so that a new source re-analyses the file. */
export interface CreatorLookups {
  ofKind(kind: string): readonly Resource[];
  inNamespace(kind: string, namespace: string): readonly Resource[];
}

function nameSpan(r: Resource): Span {
  return get(r.root, 'metadata', 'name')?.span ?? r.docSpan;
}

function resembles(name: string, hints: readonly string[]): boolean {
  return hints.some((h) => h.length >= 3 && (name.includes(h) || h.includes(name)));
}

/** Whether a path of another tool (Argo CD, Flux) names a folder the workspace holds. */
export type FolderTest = (repositoryPath: string) => boolean;

/** Whether the objects a HelmRelease installs are in the workspace: a host rendered its local chart for it. */
export type RenderedTest = (helmRelease: Resource) => boolean;

function helmReleaseCreator(r: Resource): Creator {
  const chart = str(get(r.root, 'spec', 'chart', 'spec', 'chart')) ?? str(get(r.root, 'spec', 'chartRef', 'name'));
  const release = str(get(r.root, 'spec', 'releaseName'));
  return {
    description: `HelmRelease ${r.namespace}/${r.name}`, file: r.file, span: nameSpan(r),
    namespace: str(get(r.root, 'spec', 'targetNamespace')) || r.namespace,
    hints: [r.name, ...(chart ? [chart.replace(/^.*\//, '')] : []), ...(release ? [release] : [])],
  };
}

/** An Argo CD Application, unless every one of its sources is a folder of this workspace (then it is judged here). */
function applicationCreator(r: Resource, folders: FolderTest): Creator | undefined {
  const single = get(r.root, 'spec', 'source');
  const sources = single ? [single] : items(get(r.root, 'spec', 'sources'));
  const remote = sources.filter((s) => str(get(s, 'chart')) !== undefined || !folders(str(get(s, 'path')) ?? ''));
  if (sources.length > 0 && remote.length === 0) return undefined;
  const namespace = str(get(r.root, 'spec', 'destination', 'namespace'));
  return {
    description: `Application ${r.namespace}/${r.name}`, file: r.file, span: nameSpan(r),
    ...(namespace ? { namespace } : {}),
    hints: [r.name, ...remote.flatMap((s) => [str(get(s, 'chart')), str(get(s, 'helm', 'releaseName'))].filter((h): h is string => !!h))],
  };
}

function applicationSetCreator(r: Resource): Creator {
  const namespace = str(get(r.root, 'spec', 'template', 'spec', 'destination', 'namespace'));
  return {
    description: `ApplicationSet ${r.namespace}/${r.name}`, file: r.file, span: nameSpan(r),
    ...(namespace && !namespace.includes('{{') ? { namespace } : {}),
    hints: [r.name],
  };
}

/** A Flux Kustomization of a path this workspace does not hold (another repository, or a generated folder). */
function fluxKustomizationCreator(r: Resource, folders: FolderTest): Creator | undefined {
  if (folders(str(get(r.root, 'spec', 'path')) ?? '')) return undefined;
  const namespace = str(get(r.root, 'spec', 'targetNamespace'));
  return { description: `Flux Kustomization ${r.namespace}/${r.name}`, file: r.file, span: nameSpan(r), ...(namespace ? { namespace } : {}), hints: [r.name] };
}

function helmChartCreator(r: Resource): Creator {
  const chart = str(get(r.root, 'spec', 'chart'));
  return {
    description: `HelmChart ${r.namespace}/${r.name}`, file: r.file, span: nameSpan(r),
    namespace: str(get(r.root, 'spec', 'targetNamespace')) || r.namespace,
    hints: [r.name, ...(chart ? [chart.replace(/^.*\//, '')] : [])],
  };
}

/**
 * The sources that could create `wanted`, the most likely first: an operator that creates exactly that object,
 * then sources whose names resemble it, then the other sources of its namespace. `extra` are sources that are not
 * objects (kustomize's remote bases and Helm charts, charts kept in the repository). When the name is one edit or
 * two away from an object that exists (`likelyTypo`), only a source that names it, or whose name it resembles,
 * counts: a typo is likelier than an unseen object with a near-identical name. A HelmRelease whose chart was
 * rendered (`rendered`) creates what the rendering shows and nothing else.
 */
export function possibleCreators(lookups: CreatorLookups, wanted: Wanted, extra: readonly Creator[], folders: FolderTest, likelyTypo: boolean, rendered: RenderedTest): Creator[] {
  const creators: Creator[] = [];
  for (const [kind, products] of operatorKinds) {
    for (const r of lookups.inNamespace(kind, wanted.namespace)) {
      const product = products.find((p) => p.group === r.group);
      if (!product) continue;
      creators.push({
        description: `${kind} ${r.namespace}/${r.name} (${product.operator})`, file: r.file, span: nameSpan(r),
        namespace: r.namespace, objects: product.creates(r.name), hints: [r.name],
      });
    }
  }
  for (const r of lookups.ofKind('HelmRelease')) if (!rendered(r)) creators.push(helmReleaseCreator(r));
  for (const r of lookups.ofKind('Application')) {
    const c = applicationCreator(r, folders);
    if (c) creators.push(c);
  }
  for (const r of lookups.ofKind('ApplicationSet')) creators.push(applicationSetCreator(r));
  for (const r of lookups.ofKind('Kustomization')) {
    const c = fluxKustomizationCreator(r, folders);
    if (c) creators.push(c);
  }
  for (const r of lookups.ofKind('HelmChart')) creators.push(helmChartCreator(r));
  creators.push(...extra);
  const able = creators.filter((c) => {
    if (c.objects) return c.objects.some((o) => o.kind === wanted.kind && o.name === wanted.name);
    if (c.renderedIn?.has(wanted.namespace)) return false;
    if (c.kinds && !c.kinds.has(wanted.kind)) return false;
    if (c.namespace === undefined || likelyTypo) return resembles(wanted.name, c.hints) && (c.namespace === undefined || c.namespace === wanted.namespace);
    return c.namespace === wanted.namespace;
  });
  const rank = (c: Creator): number => (c.objects ? 0 : resembles(wanted.name, c.hints) ? 1 : 2);
  return able.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
}

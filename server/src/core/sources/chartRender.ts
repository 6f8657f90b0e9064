/**
 * Rendering the Helm charts kept in the repository with `helm template`, for hosts that run it (only when the user
 * enables it, and only in trusted workspaces). The core runs nothing: it says which charts to render with which
 * release, namespace and values (planChartRenders), and turns the output a host hands back into a parsed pseudo-file
 * (readRenderedChart).
 *
 * A chart's rendered objects are indexed under a pseudo-file named after its Chart.yaml, the release's namespace and
 * name (`charts/wiki/Chart.yaml#helm-template:default:wiki`), the way a kustomize build's objects are. References
 * resolve against them; no finding is ever reported on them (they have no editor file); and the chart no longer
 * excuses a missing object in the namespace it was rendered for, since what it creates there is now known.
 *
 * Which releases: each Flux HelmRelease (chart from a GitRepository or Bucket) and each Argo CD Application source
 * whose chart path is the chart's folder gives one render, with its release name, namespace and values. A chart that
 * nothing in the workspace installs is rendered once, as release <chart name> in namespace `default`. Charts inside
 * another chart's folder are rendered by their parent, and library charts create nothing.
 */
import { basename, dirname, isInside, resolvePath } from '../kustomize/paths';
import type { Resource, YNode } from '../model';
import { defaultMaxFileLength, parseFile, type ParsedFile } from '../parse/parseFile';
import { asMap, asScalar, asSeq, get, isTrue, items, str } from '../parse/ynode';

const marker = '#helm-template:';

/** Of the kinds the analysis reads, those without a namespace: Helm does not move them into the release's. */
const clusterScopedKinds: ReadonlySet<string> = new Set(['Namespace', 'IngressClass']);

/** Helm's rule for release names (at most 53 characters) and Kubernetes' for namespaces (at most 63). */
const releaseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const namespaceName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One `helm template` run. */
export interface ChartRender {
  /** The pseudo-file the rendered objects are indexed under. */
  file: string;
  chartFile: string;
  /** The chart's folder, which `helm template` is given. */
  chartDir: string;
  chartName: string;
  release: string;
  namespace: string;
  /** Values written in the installer itself, as the text of a values file (JSON, or the YAML an Application holds). */
  values?: string;
  /** Values files of the workspace the installer names, in order. */
  valuesFiles: string[];
  /** The installer that chose the release, namespace and values (`HelmRelease flux-system/wiki`); absent for the defaults. */
  installer?: string;
  /** Why this release cannot be rendered faithfully; a host reports it instead of running helm. */
  problem?: string;
}

/** The pseudo-file of a chart's render for one release. */
export function renderedChartFile(chartFile: string, namespace: string, release: string): string {
  return `${chartFile}${marker}${namespace}:${release}`;
}

/** Whether a file is a rendered chart (a pseudo-file of the index, not a file of the workspace). */
export function isRenderedChartFile(file: string): boolean {
  return file.includes(marker);
}

/** The chart, namespace and release of a rendered chart's pseudo-file. */
export function renderedChartOf(file: string): { chartFile: string; namespace: string; release: string } | undefined {
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const [namespace = '', release = ''] = file.slice(at + marker.length).split(':');
  return { chartFile: file.slice(0, at), namespace, release };
}

/** The folders holding a Chart.yaml that no other chart holds in its charts/, templates/ or crds/ folder. */
export function topLevelChartDirs(chartFiles: readonly string[]): string[] {
  const dirs = chartFiles.map(dirname);
  return dirs.filter((dir) => !dirs.some((other) => other !== dir && ['charts', 'templates', 'crds'].some((folder) => isInside(resolvePath(other, folder), dir))));
}

/** A path as Flux and Argo CD write it (`./charts/wiki/`), for comparison with the workspace's paths. */
function repositoryPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/**
 * The workspace paths a repository path names: the repository's root is not known, so a path whose end is the
 * repository path matches (`/work/gitops/charts/wiki` for `./charts/wiki`).
 */
function pathsNamed(path: string, candidates: Iterable<string>): string[] {
  const wanted = repositoryPath(path);
  if (wanted === '' || wanted === '.') return [];
  const out: string[] = [];
  for (const candidate of candidates) {
    const normal = candidate.replace(/\\/g, '/');
    if (normal === wanted || normal.endsWith(`/${wanted}`)) out.push(candidate);
  }
  return out;
}

/** A YAML tree as plain data, for a values file. */
function plain(node: YNode): unknown {
  if (node.type === 'scalar') return node.value;
  if (node.type === 'seq') return node.items.map(plain);
  return Object.fromEntries(node.pairs.map((p) => [p.key, plain(p.value)]));
}

/** A release of a chart as its installer (or, without one, the defaults) chooses it. */
type Installation = Omit<ChartRender, 'file' | 'chartFile' | 'chartName'>;

/**
 * What a Flux HelmRelease installs from a chart folder of the workspace. Flux names the release
 * `[targetNamespace-]name` unless `releaseName` is set; its values files are paths in the source, like the chart.
 */
function fluxInstallations(r: Resource, chartDirs: readonly string[], files: ReadonlySet<string>): Installation[] {
  const chartSpec = get(r.root, 'spec', 'chart', 'spec');
  const sourceKind = str(get(chartSpec, 'sourceRef', 'kind'));
  const chart = str(get(chartSpec, 'chart'));
  if ((sourceKind !== 'GitRepository' && sourceKind !== 'Bucket') || !chart) return [];
  const target = str(get(r.root, 'spec', 'targetNamespace'));
  const release = str(get(r.root, 'spec', 'releaseName')) ?? (target ? `${target}-${r.name}` : r.name);
  const values = asMap(get(r.root, 'spec', 'values'));
  const problems: string[] = [];
  const valuesFiles: string[] = [];
  for (const entry of items(get(chartSpec, 'valuesFiles'))) {
    const path = str(entry);
    if (path === undefined) continue;
    const found = pathsNamed(path, files);
    if (found.length === 1) valuesFiles.push(found[0]!);
    else problems.push(`its values file ${path} is ${found.length === 0 ? 'not in the workspace' : 'ambiguous in the workspace'}`);
  }
  if (items(get(r.root, 'spec', 'valuesFrom')).length > 0) problems.push('it takes values from ConfigMaps or Secrets (valuesFrom), which Route Doctor does not read');
  return pathsNamed(chart, chartDirs).map((chartDir) => ({
    chartDir, release, namespace: target || r.namespace, valuesFiles, installer: `HelmRelease ${r.namespace}/${r.name}`,
    ...(values ? { values: JSON.stringify(plain(values)) } : {}),
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
  }));
}

/**
 * What an Argo CD Application installs from chart folders of the workspace: each source with a `path` (not a `chart`
 * of a Helm repository). The release is named after the Application unless `helm.releaseName` is set; values files
 * are relative to the source's path.
 */
function argoInstallations(r: Resource, chartDirs: readonly string[], files: ReadonlySet<string>): Installation[] {
  const single = get(r.root, 'spec', 'source');
  const sources = single ? [single] : items(get(r.root, 'spec', 'sources'));
  const namespace = str(get(r.root, 'spec', 'destination', 'namespace')) || 'default';
  const out: Installation[] = [];
  for (const source of sources) {
    const path = str(get(source, 'path'));
    if (str(get(source, 'chart')) !== undefined || path === undefined) continue;
    const helm = get(source, 'helm');
    const release = str(get(helm, 'releaseName')) ?? r.name;
    const valuesObject = asMap(get(helm, 'valuesObject'));
    const valuesText = asScalar(get(helm, 'values'));
    const values = valuesObject ? JSON.stringify(plain(valuesObject)) : typeof valuesText?.value === 'string' ? valuesText.value : undefined;
    const ignoreMissing = isTrue(get(helm, 'ignoreMissingValueFiles'));
    for (const chartDir of pathsNamed(path, chartDirs)) {
      const problems: string[] = [];
      const valuesFiles: string[] = [];
      for (const entry of items(get(helm, 'valueFiles'))) {
        const file = str(entry);
        if (file === undefined) continue;
        if (file.startsWith('$') || /^[a-z][a-z0-9+.-]*:\/\//i.test(file)) problems.push(`its values file ${file} comes from outside the workspace`);
        else if (files.has(resolvePath(chartDir, file))) valuesFiles.push(resolvePath(chartDir, file));
        else if (!ignoreMissing) problems.push(`its values file ${file} is not in the workspace`);
      }
      if ((asSeq(get(helm, 'parameters'))?.items.length ?? 0) > 0) problems.push('it sets helm.parameters, which Route Doctor does not pass to helm');
      out.push({
        chartDir, release, namespace, valuesFiles, installer: `Application ${r.namespace}/${r.name}`,
        ...(values !== undefined ? { values } : {}),
        ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
      });
    }
  }
  return out;
}

function installations(r: Resource, chartDirs: readonly string[], files: ReadonlySet<string>): Installation[] {
  if (r.kind === 'HelmRelease' && r.group === 'helm.toolkit.fluxcd.io') return fluxInstallations(r, chartDirs, files);
  if (r.kind === 'Application' && r.group === 'argoproj.io') return argoInstallations(r, chartDirs, files);
  return [];
}

/**
 * Whether every release a Flux HelmRelease installs from a chart folder of the workspace was rendered (`rendered`
 * says whether a pseudo-file is indexed): then the release's objects are known, and it is no source of others.
 */
export function installsRenderedCharts(r: Resource, chartDirs: readonly string[], rendered: (file: string) => boolean): boolean {
  const found = installations(r, chartDirs, new Set());
  return found.length > 0 && found.every((i) => rendered(renderedChartFile(resolvePath(i.chartDir, 'Chart.yaml'), i.namespace, i.release)));
}

/** Every release of every chart kept in the repository that a host should render, in a stable order. */
export function planChartRenders(parsedFiles: Iterable<ParsedFile>): ChartRender[] {
  const files = [...parsedFiles].filter((p) => !isRenderedChartFile(p.file));
  const known = new Set(files.map((p) => p.file));
  const charts = new Map(files.filter((p) => basename(p.file) === 'Chart.yaml').map((p) => [dirname(p.file), p]));
  const chartDirs = topLevelChartDirs([...charts.values()].map((p) => p.file)).filter((dir) => str(get(charts.get(dir)?.documents?.[0]?.root, 'type')) !== 'library');
  const byChart = new Map<string, Installation[]>(chartDirs.map((dir) => [dir, []]));
  for (const p of files) {
    for (const r of p.resources) for (const i of installations(r, chartDirs, known)) byChart.get(i.chartDir)!.push(i);
  }
  const renders = new Map<string, ChartRender>();
  for (const [chartDir, found] of byChart) {
    const chart = charts.get(chartDir)!;
    const chartName = str(get(chart.documents?.[0]?.root, 'name')) ?? basename(chartDir);
    const releases: Installation[] = found.length > 0 ? found : [{ chartDir, release: chartName, namespace: 'default', valuesFiles: [] }];
    for (const i of releases) {
      const problems = [
        ...(releaseName.test(i.release) && i.release.length <= 53 ? [] : [`the release name "${i.release}" is not one Helm accepts`]),
        ...(namespaceName.test(i.namespace) && i.namespace.length <= 63 ? [] : [`the namespace "${i.namespace}" is not a valid namespace`]),
        ...(i.problem ? [i.problem] : []),
      ];
      const file = renderedChartFile(chart.file, i.namespace, i.release);
      // Two installers of one release (the same Application in two files, say) render the same objects.
      if (renders.has(file)) continue;
      renders.set(file, {
        file, chartFile: chart.file, chartDir, chartName, release: i.release, namespace: i.namespace, valuesFiles: i.valuesFiles,
        ...(i.values !== undefined ? { values: i.values } : {}),
        ...(i.installer ? { installer: i.installer } : {}),
        ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
      });
    }
  }
  return [...renders.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * The output of `helm template` for `render` as the pseudo-file indexed for it. Helm applies objects without a
 * namespace in the release's namespace; nothing is reported on the file, so problems reading it are dropped, and so
 * are plain documents (rendered values are no Traefik settings of the repository).
 */
export function readRenderedChart(render: ChartRender, text: string): ParsedFile {
  const parsed = parseFile(render.file, text, { maxFileLength: Math.max(text.length, defaultMaxFileLength) });
  for (const r of parsed.resources) if (!r.namespaceExplicit && !clusterScopedKinds.has(r.kind)) r.namespace = render.namespace;
  return { file: render.file, resources: parsed.resources, skipped: parsed.skipped, problems: [] };
}

/** How logs name a render: `Helm chart wiki (charts/wiki), release wiki in namespace default`. */
export function describeRender(render: ChartRender): string {
  return `Helm chart ${render.chartName} (${render.chartDir || '.'}), release ${render.release} in namespace ${render.namespace}${render.installer ? ` of ${render.installer}` : ''}`;
}

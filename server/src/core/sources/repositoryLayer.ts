/**
 * What a real repository adds to the analysis of its files, plugged into the engine as one layer (analyze.ts):
 *
 * - Kustomize: files that kustomizations use are judged in what each build makes of them (kustomize/world.ts),
 *   once per build that uses them; a finding that only some builds have says which.
 * - Sources the workspace does not spell out: a "not found" finding whose object a Helm release, an Argo CD
 *   application, a remote base or an operator could create becomes `reference-unverified` (sources/creators.ts).
 *   Local charts a host rendered with `helm template` are judged by their output instead (sources/chartRender.ts).
 * - Provider options found in the repository (Traefik's own Deployment, its Helm values) fill in every option the
 *   user did not set explicitly (sources/providerOptions.ts).
 * - Suppressions: the `route-doctor.io/ignore` annotation and `# route-doctor-ignore` comments (suppress.ts).
 *
 * The layer follows the index through the engine's calls; the keys it asks the engine to record make an edit
 * re-analyse every file whose findings the edit can change through a build, a source or a discovered option.
 */
import type { AnalysisLayer, IndexView, LayerSession } from '../analyze';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import { World, type WorldChange } from '../kustomize/world';
import { isKustomizationFileName } from '../kustomize/kustomization';
import { decodeFinding } from '../kustomize/origin';
import { basename, dirname, isInside, resolvePath } from '../kustomize/paths';
import type { AnalysisOptions, Finding, Resource, TraefikOptions } from '../model';
import type { ParsedFile } from '../parse/parseFile';
import { get, str } from '../parse/ynode';
import { explainedByNameReference } from '../rules/kustomizeNameReferences';
import { missingObject, unverifiedFinding } from '../rules/sourcesUnverified';
import { ignoredCodes, silencedByComment } from '../suppress';
import { installsRenderedCharts, isRenderedChartFile, renderedChartOf } from './chartRender';
import { possibleCreators, type Creator } from './creators';
import { discoverProviderOptions, isTraefikInstall, isTraefikValues, type DiscoveredOptions, type PlainValues } from './providerOptions';

/** Read by every file whose options may come from the repository; provided by changes to Traefik's installation. */
const traefikInstallKey = 'repository/traefik-install';
/** Read by files that looked for a source of a missing object; provided by changes to builds and Helm charts. */
const sourcesKey = 'repository/sources';


const discoverableOptions: readonly (keyof TraefikOptions)[] = [
  'version', 'allowCrossNamespace', 'allowExternalNameServices', 'allowEmptyServices', 'nativeLBByDefault', 'disableClusterScopeResources', 'namespaces', 'ingressClass',
];

const installKinds = ['Deployment', 'DaemonSet', 'HelmRelease', 'HelmChart', 'HelmChartConfig', 'Application'];

type Run = (resources: readonly Resource[], keys?: Set<string>) => Finding[];

/** Findings of one group of objects checked together: a file's own documents, or its objects in one build. */
interface Unit {
  /** The root kustomization of the build, for objects of a build. */
  root?: string;
  resources: readonly Resource[];
}

function installsIn(parsed: ParsedFile | undefined): boolean {
  return !!parsed && (parsed.resources.some(isTraefikInstall) || (parsed.documents ?? []).some((d) => isTraefikValues(d.root)));
}

export class RepositoryLayer implements AnalysisLayer {
  private readonly world = new World();
  private discovered: DiscoveredOptions | undefined;
  private extraCreators: { version: number; creators: Creator[] } | undefined;
  private folders: { version: number; folders: Set<string> } | undefined;
  private missing: { version: number; byFile: Map<string, Map<number, MissingEntry>> } | undefined;
  private effective: { base: AnalysisOptions; discovered: DiscoveredOptions; options: AnalysisOptions } | undefined;
  /** Findings of built objects, for the state of the index, world and options they were computed in. */
  private checked: { generation: number; version: number; options: AnalysisOptions | undefined; results: Map<Resource, { findings: Finding[]; keys: Set<string> }> } = {
    generation: -1, version: -1, options: undefined, results: new Map(),
  };

  /** The provider options the repository sets, with where each was read (undefined before the first analysis). */
  providerOptions(): DiscoveredOptions | undefined {
    return this.discovered;
  }

  session(index: WorkspaceIndex, options: AnalysisOptions): LayerSession {
    this.note(this.world.sync(index));
    const lookups = this.world.lookups(index);
    const discovering = this.discovers(options);
    const effective = discovering ? this.withDiscovered(options, lookups) : options;
    if (this.checked.generation !== index.generation || this.checked.version !== this.world.version || this.checked.options !== effective) {
      this.checked = { generation: index.generation, version: this.world.version, options: effective, results: new Map() };
    }
    return {
      options: effective,
      lookups,
      findings: (file, parsed, view, run, depend) => {
        if (discovering) depend(traefikInstallKey);
        return this.findings(file, parsed, view, run, depend, effective);
      },
    };
  }

  changed(index: WorkspaceIndex, file: string, before: ParsedFile | undefined, after: ParsedFile | undefined): { files: ParsedFile[]; keys: string[]; reanalyse: string[] } {
    const changes = [this.world.sync(index, { file, parsed: before }), this.world.apply(new Map([[file, after]]))];
    const files: ParsedFile[] = [];
    const keys = new Set<string>();
    const reanalyse = new Set<string>();
    for (const change of changes) {
      this.note(change);
      // A file whose own documents joined or left the deployed repository is now judged differently: as it is, in
      // a build, or (in a chart) not at all.
      files.push(...change.exposed);
      for (const p of change.exposed) reanalyse.add(p.file);
      for (const b of change.builds) {
        files.push({ file: b.root, resources: [...b.before, ...b.after], skipped: [], problems: [] });
        // A file whose built objects changed is judged again in this build, including a file the build has just
        // started to use (its last analysis never read anything of the build, so no key would reach it).
        for (const f of b.files) reanalyse.add(f);
        if (b.unknownChanged) keys.add(sourcesKey);
        if ([...b.before, ...b.after].some(isTraefikInstall)) keys.add(traefikInstallKey);
      }
    }
    if (installsIn(before) || installsIn(after)) keys.add(traefikInstallKey);
    if (basename(file) === 'Chart.yaml' || this.world.isChartContent(file) || isRenderedChartFile(file)) keys.add(sourcesKey);
    if (isKustomizationFileName(file)) keys.add(folderKey(dirname(file)));
    return { files, keys: [...keys], reanalyse: [...reanalyse] };
  }

  /** Forgets what was derived from changed files. */
  private note(change: WorldChange): void {
    // Until the options are discovered there is nothing to forget, and the cold start changes every file: scanning
    // them all for a Traefik installation would only find out what the first analysis reads anyway.
    if (this.discovered === undefined) return;
    if (change.files.some((f) => installsIn(f.before) || installsIn(f.after))
      || change.builds.some((b) => [...b.before, ...b.after].some(isTraefikInstall))) this.discovered = undefined;
  }

  /** Whether some provider option may come from the repository: only those the user did not set explicitly do. */
  private discovers(options: AnalysisOptions): boolean {
    const explicit = options.explicitTraefik;
    return explicit !== undefined && discoverableOptions.some((o) => !explicit.includes(o));
  }

  private withDiscovered(options: AnalysisOptions, lookups: { ofKind(kind: string): readonly Resource[] }): AnalysisOptions {
    if (!this.discovered) {
      const installs = installKinds.flatMap((kind) => lookups.ofKind(kind).filter(isTraefikInstall));
      const values: PlainValues[] = [];
      for (const [file, parsed] of this.world.files()) {
        if (isKustomizationFileName(file)) continue;
        for (const doc of parsed.documents ?? []) if (isTraefikValues(doc.root)) values.push({ file, root: doc.root });
      }
      this.discovered = discoverProviderOptions(installs, values);
    }
    if (this.effective?.base === options && this.effective.discovered === this.discovered) return this.effective.options;
    const explicit = new Set(options.explicitTraefik);
    const found = Object.entries(this.discovered.options).filter(([key]) => !explicit.has(key as keyof TraefikOptions));
    const effective = found.length === 0 ? options : { ...options, traefik: { ...options.traefik, ...Object.fromEntries(found) } };
    this.effective = { base: options, discovered: this.discovered, options: effective };
    return effective;
  }

  private findings(file: string, parsed: ParsedFile, view: IndexView, run: Run, depend: (key: string) => void, options: AnalysisOptions): Finding[] {
    // Chart templates are no manifests, and a rendered chart has no editor file: its objects are lookup targets only.
    if (this.world.isChartContent(file) || isRenderedChartFile(file)) return [];
    const units: Unit[] = this.world.isManaged(file)
      ? [...this.world.holdersOf(file)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([root, resources]) => ({ root, resources }))
      : [{ resources: parsed.resources }];
    const perUnit = units.map((unit) => {
      const found = (unit.root ? this.runBuilt(unit.resources, run, depend) : run(unit.resources)).map(decodeFinding).filter((f) => f.file === file);
      return this.suppressByAnnotation(this.unverified(withoutExplained(found), view, depend, options), unit.resources);
    });
    const merged = units.length === 1 && !units[0]!.root ? perUnit[0]! : this.merge(file, units, perUnit);
    merged.push(...this.buildFindings(file, parsed, depend));
    const comments = parsed.ignoreComments ?? [];
    return comments.length > 0 ? merged.filter((f) => !silencedByComment(f, comments)) : merged;
  }

  /**
   * What the file does to the builds of the repository: a folder whose kustomization does not list the file leaves
   * its objects undeployed; a kustomization that names a file or folder the workspace lacks, or a document that is
   * not valid YAML in a file a build takes, makes kustomize fail the whole build.
   */
  private buildFindings(file: string, parsed: ParsedFile, depend: (key: string) => void): Finding[] {
    const out: Finding[] = [];
    if (!this.world.isManaged(file) && parsed.resources.length > 0) {
      depend(folderKey(dirname(file)));
      const kustomization = this.world.builtKustomizationIn(dirname(file));
      const first = parsed.resources[0]!;
      if (kustomization) {
        const others = parsed.resources.length - 1;
        out.push({
          code: 'kustomize-unlisted-file', severity: 'warning', file, span: get(first.root, 'metadata', 'name')?.span ?? first.docSpan,
          message: `${basename(kustomization)} in this folder does not list ${basename(file)}, so kustomize, Flux and Argo CD never apply ${first.kind} ${first.name}${others > 0 ? ` and the ${others} other object${others === 1 ? '' : 's'} of the file` : ''}: Traefik never sees ${others > 0 ? 'them' : 'it'}. Add ${basename(file)} to its resources, or move the file out of the folder.`,
          resource: { kind: first.kind, namespace: first.namespace, name: first.name },
          related: [{ file: kustomization, span: { start: 0, end: 0 }, message: 'the kustomization of this folder' }],
          data: { kustomization, entry: basename(file) },
        });
      }
    }
    const broken = parsed.skipped.filter((s) => s.reason === 'syntax-error');
    if (broken.length > 0) {
      const names = this.world.buildsUsing(file).map((e) => e.name);
      for (const problem of parsed.problems) {
        if (names.length === 0 || problem.code !== 'yaml-unparsed' || !broken.some((s) => s.span.start <= problem.span.start && problem.span.start <= s.span.end)) continue;
        out.push({
          code: 'kustomize-build-fails', severity: 'error', file, span: problem.span,
          message: `kustomize build ${names.join(' and ')} fails on this document: it is not valid YAML, so kustomize, Flux and Argo CD apply nothing of ${names.length === 1 ? 'that build' : 'those builds'}. ${problem.message.replace(/^.*?: /, '')}`,
          data: { kustomizeBuilds: names },
        });
      }
    }
    if (isKustomizationFileName(file)) {
      // When a build's unknown content changes, sourcesKey reaches this file again.
      depend(sourcesKey);
      for (const m of this.missingEntries().get(file)?.values() ?? []) {
        out.push({
          code: 'kustomize-build-fails', severity: 'error', file, span: m.span,
          message: `kustomize build ${m.names.join(' and ')} fails: ${m.entry} names no file of the workspace, nor a folder with a kustomization ("no such file or directory"), so kustomize, Flux and Argo CD apply nothing of ${m.names.length === 1 ? 'that build' : 'those builds'}. Fix the path, or remove the entry.`,
          data: { kustomizeBuilds: m.names, entry: m.entry },
        });
      }
    }
    return out;
  }

  /**
   * Per kustomization file, the resources and components entries that name no file or folder of the workspace, with
   * the builds they fail: computed once per state of the world.
   */
  private missingEntries(): Map<string, Map<number, MissingEntry>> {
    if (this.missing?.version === this.world.version) return this.missing.byFile;
    const byFile = new Map<string, Map<number, MissingEntry>>();
    for (const entry of this.world.entries()) {
      for (const u of entry.build.unknown) {
        if (u.reason !== 'missing' || !namesManifestOrFolder(u.entry)) continue;
        // A path outside the workspace is unknown, not missing: the workspace may be part of a larger repository.
        if (!this.world.withinWorkspace(resolvePath(dirname(u.kustomization), u.entry))) continue;
        let missing = byFile.get(u.kustomization);
        if (!missing) byFile.set(u.kustomization, (missing = new Map()));
        const known = missing.get(u.node.span.start);
        if (known) known.names.push(entry.name);
        else missing.set(u.node.span.start, { entry: u.entry, names: [entry.name], span: u.node.span });
      }
    }
    this.missing = { version: this.world.version, byFile };
    return byFile;
  }

  /**
   * The checks' findings on built objects. A built object holds values of several files (its document, patches,
   * kustomization files), and each of those files' analyses needs its findings: they are computed once per state of
   * the index, with the keys they read, which every analysis that reuses them records too.
   */
  private runBuilt(resources: readonly Resource[], run: Run, depend: (key: string) => void): Finding[] {
    const out: Finding[] = [];
    for (const r of resources) {
      let result = this.checked.results.get(r);
      if (!result) {
        const keys = new Set<string>();
        result = { findings: run([r], keys), keys };
        this.checked.results.set(r, result);
      }
      for (const key of result.keys) depend(key);
      out.push(...result.findings);
    }
    return out;
  }

  /**
   * One list from the findings of every build a file takes part in. A finding every build has is reported once, as
   * it is; one that only some builds have says which (they break the file, the others do not), and so does the
   * finding of a file that only a build of another folder uses, whose namespace and names come from there.
   */
  private merge(file: string, units: readonly Unit[], perUnit: readonly Finding[][]): Finding[] {
    const groups = new Map<string, { finding: Finding; roots: string[] }>();
    perUnit.forEach((findings, i) => {
      for (const f of findings) {
        const key = `${f.code}\n${f.span.start}\n${f.span.end}\n${f.message}`;
        const group = groups.get(key);
        if (group) {
          if (!group.roots.includes(units[i]!.root!)) group.roots.push(units[i]!.root!);
        } else groups.set(key, { finding: f, roots: [units[i]!.root!] });
      }
    });
    const out: Finding[] = [];
    for (const { finding, roots } of groups.values()) {
      const everywhere = roots.length === units.length;
      const fromElsewhere = units.length === 1 && !isInside(this.world.entry(roots[0]!)?.build.root.dir ?? dirname(roots[0]!), file);
      if ((everywhere && !fromElsewhere) || finding.code === 'kustomize-name-reference') {
        out.push(finding);
        continue;
      }
      const entries = roots.map((root) => this.world.entry(root)).filter((e) => e !== undefined);
      const names = entries.map((e) => e.name);
      out.push({
        ...finding,
        message: `In kustomize build ${names.join(' and ')}: ${finding.message}`,
        related: [...(finding.related ?? []), ...entries.map((e) => ({ file: e.build.root.file, span: e.build.root.root.span, message: `kustomize build ${e.name}` }))],
        data: { ...finding.data, kustomizeBuilds: names },
      });
    }
    return out;
  }

  private unverified(findings: Finding[], view: IndexView, depend: (key: string) => void, options: AnalysisOptions): Finding[] {
    return findings.map((f) => {
      const wanted = missingObject(f);
      if (!wanted) return f;
      depend(sourcesKey);
      const candidates = f.data?.['candidates'];
      const likelyTypo = Array.isArray(candidates) && candidates.length > 0;
      const rendered = (release: Resource) => installsRenderedCharts(release, this.world.charts(), (pseudo) => this.world.file(pseudo) !== undefined);
      const creator = possibleCreators(view, wanted, this.repositoryCreators(), (path) => this.holdsFolder(path), likelyTypo, rendered)[0];
      return creator ? unverifiedFinding(f, wanted, creator, options.unverifiedAsErrors === true) : f;
    });
  }

  private suppressByAnnotation(findings: Finding[], resources: readonly Resource[]): Finding[] {
    const ignored = new Map<string, ReadonlySet<string>>();
    for (const r of resources) {
      const codes = ignoredCodes(r);
      if (codes.size > 0) ignored.set(`${r.kind}/${r.namespace}/${r.name}`, codes);
    }
    if (ignored.size === 0) return findings;
    return findings.filter((f) => !(f.resource && ignored.get(`${f.resource.kind}/${f.resource.namespace}/${f.resource.name}`)?.has(f.code)));
  }

  /** Sources that are not objects: what kustomizations include from outside the workspace, and local Helm charts. */
  private repositoryCreators(): Creator[] {
    if (this.extraCreators?.version === this.world.version) return this.extraCreators.creators;
    const creators: Creator[] = [];
    for (const entry of this.world.entries()) {
      for (const u of entry.build.unknown) {
        const what = u.reason === 'remote' ? `remote base ${u.entry}` : u.reason === 'helm-chart' ? `Helm chart ${u.entry}` : `resource ${u.entry} (not in the workspace)`;
        const last = u.entry.replace(/[?#].*$/, '').replace(/\/+$/, '').split(/[/\\]/).pop() ?? u.entry;
        creators.push({
          description: `${what} of kustomize build ${entry.name}`, file: u.kustomization, span: u.node.span,
          ...(u.namespace ? { namespace: u.namespace } : {}), hints: [last.replace(/\.git$/, '')],
        });
      }
    }
    const renderedIn = new Map<string, Set<string>>();
    for (const [file] of this.world.files()) {
      const rendered = renderedChartOf(file);
      if (rendered) renderedIn.set(rendered.chartFile, (renderedIn.get(rendered.chartFile) ?? new Set()).add(rendered.namespace));
    }
    for (const dir of this.world.charts()) creators.push(this.chartCreator(dir, renderedIn.get(resolvePath(dir, 'Chart.yaml'))));
    this.extraCreators = { version: this.world.version, creators };
    return creators;
  }

  /**
   * A Helm chart kept in the repository: it may create the kinds its templates hold, in a namespace its installer
   * picks, except in the namespaces it was rendered for (`renderedIn`), where its objects are known.
   */
  private chartCreator(dir: string, renderedIn: ReadonlySet<string> | undefined): Creator {
    const chartFile = resolvePath(dir, 'Chart.yaml');
    const chart = this.world.file(chartFile);
    const name = str(get(chart?.documents?.[0]?.root, 'name')) ?? basename(dir);
    const kinds = new Set<string>();
    let anyKind = false;
    for (const [file, parsed] of this.world.files()) {
      if (!isInside(resolvePath(dir, 'templates'), file)) continue;
      for (const r of parsed.resources) kinds.add(r.kind);
      for (const s of parsed.skipped) {
        if (s.kind && !s.kind.includes('{')) kinds.add(s.kind);
        else if (s.reason === 'template') anyKind = true;
      }
    }
    return {
      description: `Helm chart ${name} (${dir || '.'})`, file: chartFile, span: chart?.documents?.[0]?.root.span ?? { start: 0, end: 0 },
      ...(anyKind ? {} : { kinds }), ...(renderedIn ? { renderedIn } : {}), hints: [name],
    };
  }

  /** Whether a repository path of Argo CD or Flux (`./apps/prod`) names a folder of the workspace. */
  private holdsFolder(path: string): boolean {
    const wanted = path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    if (wanted === '' || wanted === '.') return false;
    if (this.folders?.version !== this.world.version) {
      const folders = new Set<string>();
      for (const [file] of this.world.files()) folders.add(dirname(file).replace(/\\/g, '/'));
      this.folders = { version: this.world.version, folders };
    }
    for (const folder of this.folders.folders) if (folder === wanted || folder.endsWith(`/${wanted}`)) return true;
    return false;
  }
}

/** A resources or components entry that names nothing of the workspace, and the builds it fails (by name). */
interface MissingEntry {
  entry: string;
  names: string[];
  span: Finding['span'];
}

/** Read by files that look for the kustomization of their folder; provided by changes to kustomization files there. */
function folderKey(dir: string): string {
  return `repository/kustomization-folder/${dir}`;
}

/** A resources entry whose absence fails a build for sure: a YAML file, or a folder (no file extension). */
function namesManifestOrFolder(entry: string): boolean {
  return /\.ya?ml$/i.test(entry) || !/\.[A-Za-z0-9]+$/.test(entry.replace(/[/\\]+$/, ''));
}

/** A reference kustomize broke by renaming its target is reported once, as kustomize-name-reference. */
function withoutExplained(findings: Finding[]): Finding[] {
  const explained = new Set(findings.filter((f) => f.code === 'kustomize-name-reference').map((f) => `${f.file}\n${f.span.start}`));
  return explained.size === 0 ? findings : findings.filter((f) => !(explainedByNameReference.has(f.code) && explained.has(`${f.file}\n${f.span.start}`)));
}

/**
 * What the parser keeps for the repository-level analysis besides Kubernetes objects: the kinds of GitOps and
 * operator objects that create other objects (HelmRelease, Argo CD Application, k3s HelmChartConfig, operator
 * custom resources), and the plain YAML documents that tools read (kustomization files, Chart.yaml, kustomize
 * transformer configurations, JSON patches, Helm values of Traefik's chart). Everything else without a kind stays
 * unread.
 */
import type { Span } from '../model';
import { isKustomizationFileName } from '../kustomize/kustomization';
import { basename } from '../kustomize/paths';
import { operatorKinds } from './operators';

const gitOpsKinds: readonly (readonly [string, readonly string[]])[] = [
  ['HelmRelease', ['helm.toolkit.fluxcd.io']],
  ['Kustomization', ['kustomize.toolkit.fluxcd.io']],
  ['Application', ['argoproj.io']],
  ['ApplicationSet', ['argoproj.io']],
  ['HelmChart', ['helm.cattle.io']],
  ['HelmChartConfig', ['helm.cattle.io']],
];

/**
 * Kinds whose own syntax holds `{{ }}` (an ApplicationSet's template parameters, always inside quoted strings): their
 * documents are valid YAML, not Helm templates.
 */
export const ownTemplateKinds: ReadonlySet<string> = new Set(['ApplicationSet']);

/** Kinds the parser reads for sources, with the API groups they must come from. */
export const repositoryKinds: readonly (readonly [string, readonly string[]])[] = [
  ...gitOpsKinds,
  ...[...operatorKinds.entries()].map(([kind, operators]) => [kind, [...new Set(operators.map((o) => o.group))]] as const),
];

/** Files whose every document is kept as plain YAML: kustomization files (often without a kind) and Chart.yaml. */
export function isPlainYamlFile(file: string): boolean {
  return isKustomizationFileName(file) || basename(file) === 'Chart.yaml';
}

const jsonPatchStart = /^[ \t]*-[ \t]+\{?[ \t]*["']?op["']?[ \t]*:/;

/**
 * Whether a document without a kind is one that repository tooling reads: a JSON 6902 patch (a list of `op:`
 * entries), a transformer configuration (`nameReference:`), or Helm values for Traefik's chart (`providers:` with
 * `kubernetesCRD`, or `additionalArguments:`).
 */
export function isRepositoryDocument(text: string, span: Span): boolean {
  const doc = text.slice(span.start, span.end);
  const firstLine = /^[ \t]*[^\s#].*$/m.exec(doc)?.[0] ?? '';
  if (jsonPatchStart.test(firstLine)) return true;
  if (/^nameReference:/m.test(doc)) return true;
  return (/^providers:/m.test(doc) && doc.includes('kubernetesCRD')) || /^additionalArguments:/m.test(doc);
}

/**
 * The analysis core's data model. Everything here is plain data: the core never touches the file system,
 * the network or the editor, and every position is an offset (UTF-16 code units) into a file's whole text.
 * Line/character positions exist only at the protocol edges (lsp/ and cli/).
 */

/** A half-open range [start, end) of offsets into a file's text. */
export interface Span {
  start: number;
  end: number;
}

export type ScalarValue = string | number | boolean | null;

/** A YAML scalar with its resolved value (YAML 1.2 core schema) and its exact source range. */
export interface YScalar {
  type: 'scalar';
  value: ScalarValue;
  /** How the scalar was written; fixes use it to keep the user's quoting style. */
  style: 'plain' | 'single' | 'double' | 'block' | 'alias';
  span: Span;
}

export interface YPair {
  key: string;
  keySpan: Span;
  value: YNode;
}

export interface YMap {
  type: 'map';
  pairs: YPair[];
  flow: boolean;
  span: Span;
}

export interface YSeq {
  type: 'seq';
  items: YNode[];
  flow: boolean;
  span: Span;
}

export type YNode = YScalar | YMap | YSeq;

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
}

/** One Kubernetes object read from one YAML document. */
export interface Resource {
  file: string;
  /** Position of the document within its file (0-based); the items of a List share their document's. */
  docIndex: number;
  /** The object's range: its document, or its item in a List. */
  docSpan: Span;
  apiVersion: string;
  /** API group: '' for the core group, e.g. 'apps', 'traefik.io'. */
  group: string;
  kind: string;
  name: string;
  /** metadata.namespace, or 'default' when absent. */
  namespace: string;
  namespaceExplicit: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  root: YMap;
  /**
   * The text of the file, kept only for kinds whose checks look inside scalar values (the rules of IngressRoute and
   * IngressRouteTCP), so that a position inside a decoded value can be mapped back to the file.
   */
  fileText?: string;
}

/** A document that was recognised but not analysed, and why. */
export interface SkippedDocument {
  docIndex: number;
  span: Span;
  reason: 'template' | 'not-kubernetes' | 'irrelevant-kind' | 'syntax-error' | 'too-complex';
  kind?: string;
  message?: string;
}

export interface RelatedInformation {
  file: string;
  span: Span;
  message: string;
}

/** A problem found by a rule, before it is turned into an LSP diagnostic or a CLI record. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  span: Span;
  resource?: ResourceRef;
  related?: RelatedInformation[];
  /** Machine-readable details for quick fixes; never parsed from the message. */
  data?: Record<string, unknown>;
}

/** Traefik provider options (`providers.kubernetesCRD`) and the Traefik major version to emulate. */
export interface TraefikOptions {
  version: 'v2' | 'v3';
  allowCrossNamespace: boolean;
  allowExternalNameServices: boolean;
  allowEmptyServices: boolean;
  nativeLBByDefault: boolean;
  disableClusterScopeResources: boolean;
  /** Watched namespaces; undefined watches all. */
  namespaces?: string[];
  ingressClass: string;
  /** Namespaces whose objects may use `name@provider` references; undefined is unrestricted, [] allows none. */
  crossProviderNamespaces?: string[];
}

export const defaultTraefikOptions: TraefikOptions = {
  version: 'v3',
  allowCrossNamespace: false,
  allowExternalNameServices: false,
  allowEmptyServices: false,
  nativeLBByDefault: false,
  disableClusterScopeResources: false,
  ingressClass: '',
};

export interface AnalysisOptions {
  traefik: TraefikOptions;
  /** Per rule code: a replacement severity, or 'off' to silence the rule. */
  severityOverrides: Record<string, Severity | 'off'>;
  /**
   * The Traefik options the user set. The others may come from the repository (Traefik's own Deployment, its Helm
   * values); undefined means every option was set, so nothing is taken from the repository.
   */
  explicitTraefik?: readonly (keyof TraefikOptions)[];
  /**
   * Report references to objects that only a source outside the workspace could create (a Helm release, an Argo CD
   * application, a remote base, an operator) as errors instead of `reference-unverified` information.
   */
  unverifiedAsErrors?: boolean;
}

export function makeAnalysisOptions(partial: Partial<TraefikOptions> = {}, severityOverrides: Record<string, Severity | 'off'> = {}): AnalysisOptions {
  return { traefik: { ...defaultTraefikOptions, ...partial }, severityOverrides, explicitTraefik: Object.keys(partial) as (keyof TraefikOptions)[] };
}

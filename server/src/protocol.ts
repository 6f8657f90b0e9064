/**
 * The typed contract between the VS Code client and the language server: settings, custom requests and
 * command ids. Both sides import this file; nothing else is shared.
 */
import type { LiveReport } from './core/live/diagnose';
import type { SnapshotProblem } from './core/live/snapshot';
import type { Severity, TraefikOptions } from './core/model';

/** The client's id: VS Code derives the `routeDoctor.trace.server` setting from it. */
export const languageServerId = 'routeDoctor';
/** The server's name, also the name of the output channel. */
export const languageServerName = 'Route Doctor';

/** The settings section the server reads (workspace/configuration) and registers change notifications for. */
export const configurationSection = 'routeDoctor';

/** The files the server analyses from disk; the client watches the same ones. */
export const yamlGlob = '**/*.{yaml,yml}';

/** The `routeDoctor.*` settings as the server receives them (workspace/configuration section "routeDoctor"). */
export interface RouteDoctorSettings {
  traefik: {
    version: TraefikOptions['version'];
    allowCrossNamespace: boolean;
    allowExternalNameServices: boolean;
    allowEmptyServices: boolean;
    nativeLBByDefault: boolean;
    disableClusterScopeResources: boolean;
    /** Watched namespaces; empty watches all. */
    namespaces: string[];
    ingressClass: string;
    /** null: unrestricted; []: no name@provider references allowed. */
    crossProviderNamespaces: string[] | null;
  };
  /** Per rule code: a severity, or "off". */
  severity: Record<string, Severity | 'off'>;
  /** Glob patterns (relative to a workspace folder) of files never analysed. */
  exclude: string[];
  /** Files over this size in bytes are skipped with an information diagnostic. */
  maxFileSize: number;
  /**
   * Report references to objects that only a source outside the workspace could create (a Helm release, an Argo CD
   * application, a remote base, an operator) as errors instead of `reference-unverified` information.
   */
  unverifiedAsErrors: boolean;
  helm: {
    /**
     * Render the Helm charts kept in the workspace with `helm template` and judge references against their output.
     * The server runs helm only when the client says the workspace is trusted (see workspaceTrustField).
     */
    render: boolean;
    /** The helm executable: a name looked up on the PATH, or a path. */
    path: string;
  };
}

export const defaultSettings: RouteDoctorSettings = {
  traefik: {
    version: 'v3',
    allowCrossNamespace: false,
    allowExternalNameServices: false,
    allowEmptyServices: false,
    nativeLBByDefault: false,
    disableClusterScopeResources: false,
    namespaces: [],
    ingressClass: '',
    crossProviderNamespaces: null,
  },
  severity: {},
  exclude: ['**/node_modules/**', '**/.git/**', '**/charts/*.tgz'],
  maxFileSize: 2_000_000,
  unverifiedAsErrors: false,
  helm: { render: false, path: 'helm' },
};

/**
 * A field the VS Code client adds to the `routeDoctor` section it answers workspace/configuration with: the settings
 * the user set in some scope (user, workspace, folder), as keys relative to the section (`traefik.allowCrossNamespace`).
 * VS Code answers with values merged with the defaults, which cannot tell "left at its default" from "set to the
 * default"; the Traefik options the user did not set are taken from the repository when it sets them (Traefik's own
 * Deployment arguments, its Helm values). A client that does not send the field is taken to send only the settings
 * the user set, as most editors do.
 */
export const explicitSettingsField = 'explicit';

/**
 * A field the VS Code client adds to the `routeDoctor` section it answers workspace/configuration with, always, over
 * any value of that name in the settings: whether the workspace is trusted. The server runs `helm template` (an
 * executable that a workspace's settings and charts steer) only when it is `true`; without it the workspace counts
 * as untrusted. The client asks the server to read its settings again when the user grants trust.
 */
export const workspaceTrustField = 'workspaceTrusted';

/** Groups of settings in the `routeDoctor` section; `severity` is one setting whose keys are user data. */
const settingGroups: ReadonlySet<string> = new Set(['traefik', 'helm']);

/** The keys of the `routeDoctor` section the server reads, relative to it: `traefik.version`, …, `severity`, `exclude`, … */
export function settingKeys(): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(defaultSettings)) {
    if (settingGroups.has(key)) keys.push(...Object.keys(value as object).map((k) => `${key}.${k}`));
    else keys.push(key);
  }
  return keys;
}

/**
 * The files the server reads besides `yamlGlob`: kustomize also reads a kustomization from a YAML file named just
 * `Kustomization`. The client watches them too.
 */
export const kustomizationGlob = '**/Kustomization';

export const commands = {
  restartServer: 'routeDoctor.restartServer',
  showOutput: 'routeDoctor.showOutput',
  diagnoseCluster: 'routeDoctor.diagnoseCluster',
  selectContext: 'routeDoctor.selectContext',
  showClusterReport: 'routeDoctor.showClusterReport',
  /** Applies the file's `source.fixAll.routeDoctor` action: every unambiguous fix at once. */
  fixAllInFile: 'routeDoctor.fixAllInFile',
  /**
   * Internal, run by the Service code lenses: opens the references peek. Its arguments are JSON (a URI string, an LSP
   * position, LSP locations), which the client converts to the VS Code types `editor.action.showReferences` requires.
   */
  showReferences: 'routeDoctor.showReferences',
} as const;

/** The code action kind of "Fix all auto-fixable problems" in a file; clients may run it on save (`editor.codeActionsOnSave`). */
export const fixAllCodeActionKind = 'source.fixAll.routeDoctor';

/** Sent by the server when a workspace scan finishes: how many files and problems it found. */
export const workspaceStatusNotification = 'routeDoctor/workspaceStatus';

export interface WorkspaceStatus {
  files: number;
  resources: number;
  errors: number;
  warnings: number;
  /** True while the initial scan is running. */
  indexing: boolean;
}

// ---- Live cluster

/**
 * The `routeDoctor.cluster.*` settings. Unlike RouteDoctorSettings they are read by the client only, which passes
 * them in the request: the client knows whether the workspace is trusted, and VS Code ignores an untrusted
 * workspace's values for them (package.json lists them as restricted configurations).
 */
export interface ClusterSettings {
  /** The kubeconfig context; empty: the kubeconfig's current-context. */
  context: string;
  /** The namespaces to read; empty: the workspace objects' namespaces. */
  namespaces: string[];
  timeoutSeconds: number;
  /** Re-run the diagnosis when a workspace YAML file is saved, once it has run in the window. */
  autoRefresh: boolean;
}

export const clusterSettingsSection = 'routeDoctor.cluster';

export const defaultClusterSettings: ClusterSettings = { context: '', namespaces: [], timeoutSeconds: 10, autoRefresh: false };

/** The one sentence both sides answer with when a cluster is asked for from an untrusted workspace. */
export const untrustedClusterMessage = 'Route Doctor does not access clusters from untrusted workspaces; static checks still run. Trust the workspace to diagnose the live cluster.';

/**
 * Reads the live cluster and compares it with the workspace; the live findings are published as diagnostics beside
 * the static ones. Cancellable (the request's cancellation aborts every API request in flight), and it reports
 * work-done progress when the params carry a `workDoneToken`. The kubeconfig is never a parameter: the server uses
 * only its own KUBECONFIG or ~/.kube/config, so a workspace cannot point it at credentials.
 */
export const diagnoseClusterRequest = 'routeDoctor/diagnoseCluster';

export interface DiagnoseClusterParams {
  /** The client's workspace trust; the server refuses to touch a cluster unless this is true. */
  trusted: boolean;
  /** The kubeconfig context; absent or empty: the kubeconfig's current-context. */
  context?: string;
  /** The namespaces to read; absent or empty: those of the workspace's objects (Traefik's is always added). */
  namespaces?: string[];
  /** Timeout of each request to the API server; default 10 000. */
  timeoutMs?: number;
  /** LSP work-done progress token, chosen by the client. */
  workDoneToken?: string | number;
}

/** A place in a workspace file (0-based line and character), for the report view to open. */
export interface WorkspaceLink {
  uri: string;
  line: number;
  character: number;
}

export interface DiagnoseClusterSummary {
  routes: number;
  ok: number;
  broken: number;
  unknown: number;
  /** The live findings published, by severity, and the number of files they are in. */
  errors: number;
  warnings: number;
  files: number;
  /** The live findings published, per code. */
  codes: Record<string, number>;
}

export interface DiagnoseClusterReport {
  outcome: 'done';
  report: LiveReport;
  summary: DiagnoseClusterSummary;
  /** What could not be read (the same list as `report.problems`); a fatal one means nothing was read. */
  problems: SnapshotProblem[];
  /** Where the report's workspace objects are, keyed by `routeLinkKey` and `objectLinkKey`. */
  links: Record<string, WorkspaceLink>;
}

export interface DiagnoseClusterNotRun {
  /** `cancelled`: by the client, or replaced by a newer request; nothing was published. */
  outcome: 'cancelled' | 'refused';
  message: string;
}

export type DiagnoseClusterResult = DiagnoseClusterReport | DiagnoseClusterNotRun;

/** The link key of the report's `index`th route row: where its `match` is. */
export function routeLinkKey(index: number): string {
  return `route:${index}`;
}

/** The link key of a hop's object (`kind` and `name` as in the report's hops, e.g. "Service", "default/go-app"). */
export function objectLinkKey(kind: string, name: string): string {
  return `${kind}:${name}`;
}

/** The contexts of the kubeconfig the server uses, for a picker: names only, never credentials. */
export const listContextsRequest = 'routeDoctor/listContexts';

export interface ListContextsParams {
  trusted: boolean;
}

export interface KubeContext {
  name: string;
  cluster: string;
  namespace?: string;
}

export type ListContextsResult =
  | { outcome: 'done'; contexts: KubeContext[]; current?: string }
  | { outcome: 'refused' | 'failed'; message: string };

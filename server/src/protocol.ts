/**
 * The typed contract between the VS Code client and the language server: settings, custom requests and
 * command ids. Both sides import this file; nothing else is shared.
 */
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
};

export const commands = {
  restartServer: 'routeDoctor.restartServer',
  showOutput: 'routeDoctor.showOutput',
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

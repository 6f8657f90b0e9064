/**
 * The `routeDoctor` settings as the server uses them. Whatever the client sends is validated field by field:
 * a hand-edited settings.json can hold any JSON, and a wrong type in one setting must fall back to that setting's
 * default instead of breaking the analysis.
 */
import { makeAnalysisOptions, type AnalysisOptions, type Severity, type TraefikOptions } from '../core/model';
import { defaultSettings, explicitSettingsField, workspaceTrustField, type RouteDoctorSettings } from '../protocol';

const severities: ReadonlySet<string> = new Set<Severity | 'off'>(['error', 'warning', 'information', 'hint', 'off']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function string(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function strings(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;
}

/** The `routeDoctor` section as received (pulled with workspace/configuration or pushed in didChangeConfiguration). */
export function normalizeSettings(raw: unknown): RouteDoctorSettings {
  const r = isRecord(raw) ? raw : {};
  const t = isRecord(r.traefik) ? r.traefik : {};
  const d = defaultSettings.traefik;
  const severity: RouteDoctorSettings['severity'] = {};
  if (isRecord(r.severity)) {
    for (const [code, value] of Object.entries(r.severity)) {
      if (typeof value === 'string' && severities.has(value)) severity[code] = value as Severity | 'off';
    }
  }
  const maxFileSize = r.maxFileSize;
  const helm = isRecord(r.helm) ? r.helm : {};
  const helmPath = string(helm.path, defaultSettings.helm.path).trim();
  return {
    traefik: {
      version: t.version === 'v2' || t.version === 'v3' ? t.version : d.version,
      allowCrossNamespace: bool(t.allowCrossNamespace, d.allowCrossNamespace),
      allowExternalNameServices: bool(t.allowExternalNameServices, d.allowExternalNameServices),
      allowEmptyServices: bool(t.allowEmptyServices, d.allowEmptyServices),
      nativeLBByDefault: bool(t.nativeLBByDefault, d.nativeLBByDefault),
      disableClusterScopeResources: bool(t.disableClusterScopeResources, d.disableClusterScopeResources),
      namespaces: strings(t.namespaces, d.namespaces),
      ingressClass: string(t.ingressClass, d.ingressClass),
      crossProviderNamespaces: Array.isArray(t.crossProviderNamespaces) ? strings(t.crossProviderNamespaces, []) : d.crossProviderNamespaces,
    },
    severity,
    exclude: strings(r.exclude, defaultSettings.exclude),
    maxFileSize: typeof maxFileSize === 'number' && Number.isFinite(maxFileSize) && maxFileSize > 0 ? maxFileSize : defaultSettings.maxFileSize,
    unverifiedAsErrors: bool(r.unverifiedAsErrors, defaultSettings.unverifiedAsErrors),
    helm: {
      render: bool(helm.render, defaultSettings.helm.render),
      path: helmPath === '' ? defaultSettings.helm.path : helmPath,
    },
  };
}

/**
 * The settings, which Traefik options among them the user set (the others may come from the repository), and
 * whether the client says the workspace is trusted.
 */
export interface ServerSettings {
  settings: RouteDoctorSettings;
  explicitTraefik: (keyof TraefikOptions)[];
  trusted: boolean;
}

const traefikSettingKeys = Object.keys(defaultSettings.traefik) as (keyof RouteDoctorSettings['traefik'])[];

/**
 * The Traefik options the user set: those the client lists in the section's `explicit` field (the VS Code client
 * adds it, see protocol.ts), or, from a client that does not, those present in the section it sent.
 */
export function explicitTraefikOptions(raw: unknown): (keyof TraefikOptions)[] {
  const r = isRecord(raw) ? raw : {};
  const listed = r[explicitSettingsField];
  if (Array.isArray(listed)) {
    const keys = new Set(listed.filter((k): k is string => typeof k === 'string'));
    return traefikSettingKeys.filter((k) => keys.has(`traefik.${k}`));
  }
  const t = isRecord(r.traefik) ? r.traefik : {};
  return traefikSettingKeys.filter((k) => t[k] !== undefined);
}

/** The `routeDoctor` section as received → the settings, the Traefik options the user set, and the workspace's trust. */
export function readSettings(raw: unknown): ServerSettings {
  const trusted = isRecord(raw) && raw[workspaceTrustField] === true;
  return { settings: normalizeSettings(raw), explicitTraefik: explicitTraefikOptions(raw), trusted };
}

/** The helm executable to render charts with, when the user enabled rendering and the workspace is trusted. */
export function helmRendering(s: ServerSettings): { path: string } | undefined {
  return s.settings.helm.render && s.trusted ? { path: s.settings.helm.path } : undefined;
}

/**
 * The analysis options of the settings. `explicitTraefik` lists the Traefik options the user set; the analysis takes
 * the others from the repository when it sets them. Without it every option counts as set.
 */
export function toAnalysisOptions(s: RouteDoctorSettings, explicitTraefik?: readonly (keyof TraefikOptions)[]): AnalysisOptions {
  const t = s.traefik;
  const options = makeAnalysisOptions({
    version: t.version,
    allowCrossNamespace: t.allowCrossNamespace,
    allowExternalNameServices: t.allowExternalNameServices,
    allowEmptyServices: t.allowEmptyServices,
    nativeLBByDefault: t.nativeLBByDefault,
    disableClusterScopeResources: t.disableClusterScopeResources,
    // The setting uses [] for "all namespaces" because settings cannot be undefined; the core uses undefined.
    namespaces: t.namespaces.length > 0 ? t.namespaces : undefined,
    ingressClass: t.ingressClass,
    crossProviderNamespaces: t.crossProviderNamespaces ?? undefined,
  }, s.severity);
  return { ...options, ...(explicitTraefik ? { explicitTraefik: [...explicitTraefik] } : {}), unverifiedAsErrors: s.unverifiedAsErrors };
}

/** True when a settings change alters the findings of the files as they are (not only what rendering adds). */
export function changesAnalysis(before: ServerSettings, after: ServerSettings): boolean {
  const withoutHelm = (s: ServerSettings) => JSON.stringify({ ...s.settings, helm: undefined, explicit: s.explicitTraefik });
  return withoutHelm(before) !== withoutHelm(after);
}

/** True when a settings change alters which files are read or how, so the workspace must be read again. */
export function changesFileSet(before: RouteDoctorSettings, after: RouteDoctorSettings): boolean {
  return before.maxFileSize !== after.maxFileSize || JSON.stringify(before.exclude) !== JSON.stringify(after.exclude);
}

export function sameSettings<T extends RouteDoctorSettings | ServerSettings>(a: T, b: T): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Adds the globs of VS Code's `files.exclude` that are switched on (set to true) to the excluded files.
 * Entries with a `when` clause depend on sibling files and are left out: excluding too little is safe, too much is not.
 */
export function withFilesExclude(loaded: ServerSettings, filesExclude: unknown): ServerSettings {
  if (!isRecord(filesExclude)) return loaded;
  const globs = Object.entries(filesExclude).filter(([, on]) => on === true).map(([glob]) => glob);
  if (globs.length === 0) return loaded;
  return { ...loaded, settings: { ...loaded.settings, exclude: [...loaded.settings.exclude, ...globs] } };
}

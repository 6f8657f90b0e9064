/**
 * The `routeDoctor` settings as the server uses them. Whatever the client sends is validated field by field:
 * a hand-edited settings.json can hold any JSON, and a wrong type in one setting must fall back to that setting's
 * default instead of breaking the analysis.
 */
import { makeAnalysisOptions, type AnalysisOptions, type Severity } from '../core/model';
import { defaultSettings, type RouteDoctorSettings } from '../protocol';

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
  };
}

export function toAnalysisOptions(s: RouteDoctorSettings): AnalysisOptions {
  const t = s.traefik;
  return makeAnalysisOptions({
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
}

/** True when a settings change alters which files are read or how, so the workspace must be read again. */
export function changesFileSet(before: RouteDoctorSettings, after: RouteDoctorSettings): boolean {
  return before.maxFileSize !== after.maxFileSize || JSON.stringify(before.exclude) !== JSON.stringify(after.exclude);
}

export function sameSettings(a: RouteDoctorSettings, b: RouteDoctorSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

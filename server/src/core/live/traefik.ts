/**
 * What the running Traefik tells about itself: its version (from the image tag), its provider options (from its
 * command-line arguments) and the errors it logged. Options set through a configuration file or environment
 * variables are not visible here; the analysis options fill the gaps.
 */
import type { TraefikOptions } from '../model';
import type { ClusterSnapshot, TraefikInstance } from './snapshot';

export interface TraefikFacts {
  instance?: TraefikInstance;
  /** Parsed image tag, when it is a version ("v3.1.2", "3.1", "2.11.0-rc1"). */
  version?: { major: number; minor: number; patch: number; text: string };
  /** Analysis options with what the arguments say laid over them. */
  options: TraefikOptions;
  /** Only the options the arguments set. */
  fromArgs: Partial<TraefikOptions>;
}

export function traefikFacts(snapshot: ClusterSnapshot, fallback: TraefikOptions): TraefikFacts {
  const instance = snapshot.traefik[0];
  if (!instance) return { options: fallback, fromArgs: {} };
  const version = parseImageVersion(instance.image);
  const fromArgs = parseProviderArgs(instance.args);
  if (version) fromArgs.version = version.major >= 3 ? 'v3' : 'v2';
  const facts: TraefikFacts = { instance, options: { ...fallback, ...fromArgs }, fromArgs };
  if (version) facts.version = version;
  return facts;
}

export function parseImageVersion(image: string): TraefikFacts['version'] {
  const withoutDigest = image.replace(/@.*$/, '');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon < 0 || withoutDigest.indexOf('/', colon) >= 0) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  const m = tag.match(/^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), text: tag };
}

/**
 * `--providers.kubernetescrd.<option>[=value]` arguments. Traefik's flag names are case-insensitive, and a boolean
 * flag without a value means true.
 */
export function parseProviderArgs(args: readonly string[]): Partial<TraefikOptions> {
  const out: Partial<TraefikOptions> = {};
  const prefix = '--providers.kubernetescrd.';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.toLowerCase().startsWith(prefix)) continue;
    const eq = arg.indexOf('=');
    const key = (eq >= 0 ? arg.slice(prefix.length, eq) : arg.slice(prefix.length)).toLowerCase();
    // "--flag value" (two words) is accepted by Traefik too, for non-boolean options.
    const next = args[i + 1];
    const value = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const bool = value === undefined ? true : value.toLowerCase() === 'true';
    const text = value ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
    switch (key) {
      case 'allowcrossnamespace': out.allowCrossNamespace = bool; break;
      case 'allowexternalnameservices': out.allowExternalNameServices = bool; break;
      case 'allowemptyservices': out.allowEmptyServices = bool; break;
      case 'nativelbbydefault': out.nativeLBByDefault = bool; break;
      case 'disableclusterscoperesources': out.disableClusterScopeResources = bool; break;
      case 'ingressclass': if (text !== undefined) out.ingressClass = text; break;
      case 'namespaces': if (text !== undefined) out.namespaces = splitList(text); break;
      case 'crossprovidernamespaces': if (text !== undefined) out.crossProviderNamespaces = splitList(text); break;
    }
  }
  return out;
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** One error or warning line from Traefik's log, with the fields Traefik attaches (ingress, namespace, …). */
export interface TraefikLogEntry {
  pod: string;
  namespace: string;
  /** The line as logged, for quoting. */
  line: string;
  level: 'error' | 'warning';
  /** The error text (the `error` field, else the message). */
  text: string;
  fields: Record<string, string>;
}

const levelWords: Record<string, 'error' | 'warning'> = {
  err: 'error', error: 'error', fatal: 'error', ftl: 'error', panic: 'error',
  wrn: 'warning', warn: 'warning', warning: 'warning',
};

/**
 * Parses the error and warning lines of Traefik's logs in its three formats: v3's console format
 * (`2025-… ERR msg key=value …`), v2's logfmt (`time=… level=error msg="…" key=value`) and JSON (`{"level":…}`).
 * Other lines are left out.
 */
export function traefikLogErrors(snapshot: ClusterSnapshot): TraefikLogEntry[] {
  const out: TraefikLogEntry[] = [];
  for (const log of snapshot.logs) {
    for (const raw of log.lines) {
      // Color codes appear when Traefik thinks it writes to a terminal.
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
      const entry = parseLine(line);
      if (entry) out.push({ pod: log.pod, namespace: log.namespace, line, ...entry });
    }
  }
  return out;
}

function parseLine(line: string): Omit<TraefikLogEntry, 'pod' | 'namespace' | 'line'> | undefined {
  if (line.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (!parsed || typeof parsed !== 'object') return undefined;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'number') fields[k] = String(v);
    const level = levelWords[(fields.level ?? '').toLowerCase()];
    if (!level) return undefined;
    return { level, text: fields.error ?? fields.message ?? fields.msg ?? '', fields };
  }
  const fields: Record<string, string> = {};
  const pairs = /([A-Za-z][\w.]*)=("(?:[^"\\]|\\.)*"|\S+)/g;
  let firstPair = line.length;
  for (let m = pairs.exec(line); m; m = pairs.exec(line)) {
    if (firstPair === line.length) firstPair = m.index;
    const v = m[2]!;
    fields[m[1]!] = v.startsWith('"') ? unquote(v) : v;
  }
  let level = levelWords[(fields.level ?? '').toLowerCase()];
  let message = fields.msg ?? '';
  if (!level) {
    // v3 console format: a timestamp, a three-letter level, then the message up to the first key=value.
    const m = line.match(/^\S+\s+([A-Z]{3})\s+(.*)$/);
    if (!m) return undefined;
    level = levelWords[m[1]!.toLowerCase()];
    if (!level) return undefined;
    message = line.slice(line.length - m[2]!.length, firstPair).trim();
  }
  return { level, text: fields.error ?? message, fields };
}

function unquote(v: string): string {
  try {
    return JSON.parse(v) as string;
  } catch {
    return v.slice(1, -1);
  }
}


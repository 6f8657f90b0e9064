/**
 * How Traefik names the objects it builds from Kubernetes CRDs, and the small string helpers the checks share
 * (did-you-mean suggestions). Diagnostics quote Traefik's own object names so that users can find them in
 * Traefik's logs and dashboard.
 */
import { editDistanceWithin } from '../k8s/similar';

/** The provider name Traefik gives every object built from its CRDs. */
export const crdProvider = 'kubernetescrd';

/**
 * Traefik's `provider.Normalize`: every run of characters that are not Unicode letters or decimal digits becomes
 * one `-`, and leading or trailing separators disappear (`test.route` → `test-route`).
 */
export function normalize(name: string): string {
  // Most names already are what Normalize makes of them (ASCII letters and digits in runs joined by single dashes).
  if (normalizedAscii.test(name)) return name;
  return name.split(/[^\p{L}\p{N}]+/u).filter((piece) => piece !== '').join('-');
}

const normalizedAscii = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

/** The id Traefik gives a Middleware, TraefikService or ServersTransport object: `Normalize(namespace-name)`. */
export function objectId(namespace: string, name: string): string {
  return normalize(`${namespace}-${name}`);
}

export interface ProviderName {
  /** The part before `@`. */
  base: string;
  /** The part after `@`, or undefined for a plain name. */
  provider?: string;
}

/** Splits `name@provider` references; a name without `@` belongs to the referencing object's provider. */
export function splitProvider(name: string): ProviderName {
  const at = name.indexOf('@');
  return at < 0 ? { base: name } : { base: name.slice(0, at), provider: name.slice(at + 1) };
}

/**
 * Names close enough to `wanted` to be what the user meant, best first, with the same distance limit as the
 * Kubernetes checks' suggestions (a third of the name's length, at least 2 edits).
 */
export function closestNames(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const allowed = Math.max(2, Math.floor(wanted.length / 3));
  const lower = wanted.toLowerCase();
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(candidates)) {
    if (name === wanted) continue;
    const distance = editDistanceWithin(lower, name.toLowerCase(), allowed);
    if (distance <= allowed) scored.push({ name, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.name);
}

/** ` Did you mean "a" or "b"?`, or '' when there is nothing to suggest. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  const quoted = suggestions.map((s) => `"${s}"`);
  const list = quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  return `Did you mean ${list}?`;
}

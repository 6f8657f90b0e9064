/**
 * The HostSNI value check of Traefik's TCP router. Traefik accepts `*`, or a value matching a host-or-IP pattern;
 * Traefik v3 also retries a failing value after converting an internationalised name to punycode.
 */

/** Traefik 3.7's pattern (`^(\*\.)?[[:word:]\.\-\:]+$`): one leading `*.` wildcard label is allowed. */
const hostOrIPv3 = /^(\*\.)?[A-Za-z0-9_.\-:]+$/;
/** Traefik 2.11's pattern (`^[[:alnum:]\.\-\:]+$`): no underscore, no wildcard. */
const hostOrIPv2 = /^[A-Za-z0-9.\-:]+$/;

/** Label separators that IDNA maps to a dot. */
const idnaDots = /[.\u3002\uff0e\uff61]/;

/**
 * Whether golang.org/x/net/idna's Lookup profile would convert the name to ASCII without error. Only the rules
 * that decide real names are modelled: the mapped name may hold ASCII letters, digits and hyphens (STD3 rules) and
 * non-ASCII letters, marks and digits (symbols and emoji are refused), and no label may start or end with a hyphen
 * or have hyphens in its third and fourth positions. Bidi and joiner rules are not modelled.
 */
function convertsToPunycode(host: string): boolean {
  const mapped = host.normalize('NFKC').toLowerCase();
  return mapped.split(idnaDots).every((label) => {
    if (label === '') return true;
    if (label.startsWith('-') || label.endsWith('-') || label.slice(2, 4) === '--') return false;
    for (const ch of label) {
      if (ch < '\u0080') {
        if (!/[a-z0-9-]/.test(ch)) return false;
      } else if (!/[\p{L}\p{M}\p{Nd}]/u.test(ch)) {
        return false;
      }
    }
    return true;
  });
}

/** Whether Traefik accepts the HostSNI value (the value must be valid UTF-8 to get this far). */
export function isValidHostSNI(host: string, traefik: 'v2' | 'v3'): boolean {
  if (host === '*') return true;
  if (traefik === 'v2') return hostOrIPv2.test(host);
  if (hostOrIPv3.test(host)) return true;
  return /[^\x00-\x7f]/.test(host) && convertsToPunycode(host);
}

/**
 * Go's `net.ParseIP` and `net.ParseCIDR` acceptance rules, which Traefik's ClientIP matcher relies on (its IP
 * checker takes each value as an IP, else as a CIDR). Go is stricter than many parsers: IPv4 octets may not have
 * leading zeros, zones (`fe80::1%eth0`) are refused, and `::` must stand for at least one group of zeros.
 */

/** Whether Go's net.ParseIP accepts the string. */
export function goParseIP(s: string): boolean {
  for (const c of s) {
    if (c === '.') return parseIPv4(s);
    if (c === ':') return parseIPv6(s);
    if (c === '%') return false;
  }
  return false;
}

/** Whether Go's net.ParseCIDR accepts the string: an address without zone, `/`, and a prefix length in range. */
export function goParseCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let bits: number;
  if (firstSeparator(addr) === '.') {
    if (!parseIPv4(addr)) return false;
    bits = 32;
  } else if (firstSeparator(addr) === ':') {
    if (!parseIPv6(addr)) return false;
    bits = 128;
  } else {
    return false;
  }
  // Go's dtoi: decimal digits only (leading zeros allowed), all of the mask, at most the address size.
  if (!/^[0-9]+$/.test(mask)) return false;
  return parseInt(mask, 10) <= bits;
}

function firstSeparator(s: string): string | undefined {
  for (const c of s) if (c === '.' || c === ':' || c === '%') return c;
  return undefined;
}

function parseIPv4(s: string): boolean {
  const fields = s.split('.');
  if (fields.length !== 4) return false;
  return fields.every((f) => /^[0-9]{1,3}$/.test(f) && !(f.length > 1 && f[0] === '0') && parseInt(f, 10) <= 255);
}

/** netip.ParseAddr's IPv6 grammar, zones refused as net.ParseIP does. */
function parseIPv6(s: string): boolean {
  if (s.includes('%')) return false;
  let rest = s;
  let groups = 0;
  let ellipsis = false;
  if (rest.startsWith('::')) {
    ellipsis = true;
    rest = rest.slice(2);
    if (rest === '') return true;
  }
  while (groups < 8) {
    const m = /^[0-9a-fA-F]+/.exec(rest);
    if (!m) return false;
    const hex = m[0];
    if (hex.length > 4) return false;
    if (rest[hex.length] === '.') {
      // An embedded IPv4 address must take the place of the last two groups.
      if ((!ellipsis && groups !== 6) || groups + 2 > 8) return false;
      if (!parseIPv4(rest)) return false;
      groups += 2;
      rest = '';
      break;
    }
    groups++;
    rest = rest.slice(hex.length);
    if (rest === '') break;
    if (rest[0] !== ':' || rest.length === 1) return false;
    rest = rest.slice(1);
    if (rest[0] === ':') {
      if (ellipsis) return false;
      ellipsis = true;
      rest = rest.slice(1);
      if (rest === '') break;
    }
  }
  if (rest !== '') return false;
  if (groups < 8) return ellipsis;
  return !ellipsis;
}

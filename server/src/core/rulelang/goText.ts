/** Go's formatting of values in error texts, so that messages quote Traefik's errors as Traefik logs them. */

/** Go's strconv.Quote (what `%q` prints): printable characters as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
    if (named[ch] !== undefined) out += named[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && !/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) {
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/** Go's `%v` of a []string: the elements separated by spaces, in brackets. */
export function goStringList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** Go's `%v` of an []int. */
export function goIntList(values: readonly number[]): string {
  return `[${values.join(' ')}]`;
}

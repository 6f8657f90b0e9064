/**
 * Glob matching for the `routeDoctor.exclude` setting, written here so that the server needs no glob dependency.
 * It supports what VS Code's own exclude settings use: `**` (any number of folders), `*` and `?` (within one path
 * segment), `{a,b}` alternatives and `[abc]` / `[!abc]` character classes. Paths are relative to a workspace folder
 * and use `/` as separator.
 */

/** Translates one glob into the source of an anchored regular expression. */
function translate(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const wholeSegment = (i === 0 || glob[i - 1] === '/') && (i + 2 === glob.length || glob[i + 2] === '/');
        if (wholeSegment && i + 2 === glob.length) {
          out += '.*';
          i += 2;
        } else if (wholeSegment) {
          // "**/" also matches no folder at all, so "**/x" matches "x" itself.
          out += '(?:[^/]*/)*';
          i += 3;
        } else {
          out += '[^/]*';
          i += 2;
        }
      } else {
        out += '[^/]*';
        i += 1;
      }
    } else if (c === '?') {
      out += '[^/]';
      i += 1;
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        i += 1;
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negated = body[0] === '!' || body[0] === '^';
      if (negated) body = body.slice(1);
      out += `[${negated ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close + 1;
    } else if (c === '{') {
      const close = matchingBrace(glob, i);
      if (close < 0) {
        out += '\\{';
        i += 1;
        continue;
      }
      out += `(?:${splitAlternatives(glob.slice(i + 1, close)).map(translate).join('|')})`;
      i = close + 1;
    } else {
      out += c.replace(/[.+^$()|\\]/g, '\\$&');
      i += 1;
    }
  }
  return out;
}

function matchingBrace(glob: string, open: number): number {
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === '{') depth++;
    else if (glob[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits "a,{b,c},d" at its top-level commas only. */
function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function normalize(pattern: string): string {
  return pattern.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${translate(normalize(pattern))}$`);
}

/** A set of globs, tested against files and, so that excluded folders are never walked, against folders. */
export class GlobSet {
  private readonly files: RegExp[];
  /** For each pattern "P/**": P, which matching a folder means the pattern matches everything inside it. */
  private readonly folders: RegExp[];

  constructor(patterns: readonly string[]) {
    const usable = patterns.map(normalize).filter((p) => p.length > 0);
    this.files = usable.map(globToRegExp);
    this.folders = usable.filter((p) => p === '**' || p.endsWith('/**')).map((p) => globToRegExp(p === '**' ? '**' : p.slice(0, -3)));
  }

  matchesFile(relativePath: string): boolean {
    return this.files.some((re) => re.test(relativePath));
  }

  /** True when every path inside the folder is matched, so the folder need not be read at all. */
  matchesFolder(relativePath: string): boolean {
    return this.folders.some((re) => re.test(relativePath));
  }
}

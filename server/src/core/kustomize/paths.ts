/**
 * Path arithmetic on the file names the edges hand in. The core never touches the file system, so these helpers
 * only rewrite strings: they resolve `../base` against a kustomization's folder the way kustomize does, keeping the
 * separator style of the paths they are given (POSIX paths from the tests and Linux editors, `\` on Windows).
 */

/** The separator a path uses: `\` when it has one and no `/`, else `/`. */
export function separatorOf(path: string): string {
  return path.includes('\\') && !path.includes('/') ? '\\' : '/';
}

/** The folder of a file path ('' for a bare file name). */
export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return '';
  // The root of an absolute path keeps its separator: the folder of "/x" is "/", not "".
  return i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(i + 1);
}

/** Whether a `resources` entry names something kustomize fetches (a URL or a Git repository) rather than a path. */
export function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('git@') || /^(github\.com|gitlab\.com|bitbucket\.org)\//i.test(entry)
    || entry.includes('?ref=') || entry.includes('?version=');
}

/**
 * `relative` resolved against the folder `base`, with `.` and `..` segments removed. A `..` that climbs above a
 * relative base stays in the result, so that the path simply matches no file of the workspace.
 */
export function resolvePath(base: string, relative: string): string {
  if (relative !== '' && isPlainPath(base) && isPlainPath(relative) && !isAbsolute(relative)) return base === '' ? relative : `${base}/${relative}`;
  const sep = separatorOf(base || relative);
  const absolute = /^([/\\]|[a-zA-Z]:[/\\])/.test(relative);
  const start = absolute ? relative : base === '' ? relative : `${base}${sep}${relative}`;
  const root = /^[a-zA-Z]:[/\\]/.test(start) ? start.slice(0, 3) : /^[/\\]/.test(start) ? start.slice(0, 1) : '';
  const out: string[] = [];
  for (const segment of start.slice(root.length).split(/[/\\]+/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (segment === '..' && root !== '') continue;
    else out.push(segment);
  }
  return root.replace(/[/\\]$/, sep) + out.join(sep);
}

/**
 * Whether a path is already in the form resolvePath makes: `/` separators only, and no empty, `.` or `..` segment
 * (the root `/` aside). Joining such paths needs no normalising; builds join thousands of them.
 */
function isPlainPath(path: string): boolean {
  return !path.includes('\\') && !path.includes('//') && !path.endsWith('/') && !dotSegment.test(path);
}

const dotSegment = /(?:^|\/)\.\.?(?:\/|$)/;

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[a-zA-Z]:/.test(path);
}

/** Whether `path` lies inside the folder `dir` (at any depth). */
export function isInside(dir: string, path: string): boolean {
  if (dir === '') return true;
  const sep = separatorOf(dir);
  return path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** `path` relative to the folder `dir` when it lies inside it, else `path` unchanged; '.' for the folder itself. */
export function relativeTo(dir: string, path: string): string {
  if (path === dir) return '.';
  if (!isInside(dir, path) || dir === '') return path;
  return path.slice(dir.length).replace(/^[/\\]+/, '');
}

/** The deepest folder that contains every one of `paths` ('' when they share none). */
export function commonFolder(paths: Iterable<string>): string {
  let common: string[] | undefined;
  let sep = '/';
  for (const path of paths) {
    sep = separatorOf(path);
    const parts = path.split(/[/\\]/);
    if (!common) {
      common = parts;
      continue;
    }
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  if (!common) return '';
  const joined = common.join(sep);
  return joined === '' && common.length > 0 ? sep : joined;
}

/**
 * File-system edge shared by the CLI and the language server: walking folders for YAML files and decoding them.
 * The analysis core never reads files itself; it is handed text.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Folders never worth walking: dependencies, VCS data, build output. */
export const defaultExcludedDirs = new Set(['node_modules', '.git', '.hg', '.svn', '.terraform', '.cache']);

const yamlExtension = /\.ya?ml$/i;
/** kustomize also reads a kustomization from a file named just `Kustomization` (in this case only). */
const kustomizationWithoutExtension = /(^|[\\/])Kustomization$/;

export function isYamlPath(path: string): boolean {
  return yamlExtension.test(path) || kustomizationWithoutExtension.test(path);
}

/** Every YAML file under `root` (a file is returned as is), in a stable order. Unreadable folders are skipped. */
export function walkYamlFiles(root: string, excludedDirs: ReadonlySet<string> = defaultExcludedDirs): string[] {
  const out: string[] = [];
  const st = statSync(root);
  if (st.isFile()) return [root];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    // path.join normalises the root once; below it every folder path is already normal, so appending a name is
    // the same join at a fraction of its cost (it matters for the tens of thousands of entries of a large repository).
    const prefix = dir === root ? undefined : dir + sep;
    for (const e of entries) {
      const p = prefix === undefined ? join(dir, e.name) : prefix + e.name;
      if (e.isDirectory()) {
        if (!excludedDirs.has(e.name)) stack.push(p);
      } else if (e.isFile() && isYamlPath(e.name)) {
        out.push(p);
      }
    }
  }
  return out.sort();
}

export type DecodedFile = { ok: true; text: string } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes → text; non-UTF-8 content is reported instead of being read as garbage. The decoder drops a BOM. */
export function decodeYaml(bytes: Uint8Array): DecodedFile {
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, reason: 'it is not valid UTF-8' };
  }
}

/**
 * One buffer reused for every read. Allocating a fresh Buffer per file (as readFileSync does) makes cold checks of
 * thousands of files spend much of their time in garbage collection of short-lived external memory. Reads are
 * synchronous, so no two ever share the buffer.
 */
let readBuffer = Buffer.allocUnsafe(1 << 20);

/** Reads and decodes one file; I/O failures (missing file, permissions) throw. */
export function readYamlFile(path: string, maxBytes: number): DecodedFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return { ok: false, reason: `it is ${size} bytes, over the limit of ${maxBytes}` };
    if (size > readBuffer.length) readBuffer = Buffer.allocUnsafe(Math.max(size, readBuffer.length * 2));
    let length = 0;
    while (length < size) {
      const n = readSync(fd, readBuffer, length, size - length, length);
      if (n === 0) break;
      length += n;
    }
    return decodeYaml(readBuffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}

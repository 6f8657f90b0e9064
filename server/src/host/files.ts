/**
 * File-system edge shared by the CLI and the language server: walking folders for YAML files and decoding them.
 * The analysis core never reads files itself; it is handed text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const yamlExtensions = ['.yaml', '.yml'];

/** Folders never worth walking: dependencies, VCS data, build output. */
export const defaultExcludedDirs = new Set(['node_modules', '.git', '.hg', '.svn', '.terraform', '.cache']);

export function isYamlPath(path: string): boolean {
  const lower = path.toLowerCase();
  return yamlExtensions.some((e) => lower.endsWith(e));
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
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
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

/** Bytes → text; non-UTF-8 content is reported instead of being read as garbage. */
export function decodeYaml(bytes: Uint8Array): DecodedFile {
  try {
    let text = decoder.decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    return { ok: false, reason: 'it is not valid UTF-8' };
  }
}

export function readYamlFile(path: string, maxBytes: number): DecodedFile {
  const size = statSync(path).size;
  if (size > maxBytes) return { ok: false, reason: `it is ${size} bytes, over the limit of ${maxBytes}` };
  return decodeYaml(readFileSync(path));
}

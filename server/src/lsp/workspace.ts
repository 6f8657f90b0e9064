/**
 * What the server can see of the user's files: the workspace folders (several in a multi-root workspace), which
 * files are excluded, and the current text of a file — the open editor's text when the file is open, the disk
 * contents otherwise. Excluded files and folders are never read.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFile, readScanned, skippedFileScan, type ParsedFile } from '../core/parse/parseFile';
import { renderedChartOf } from '../core/sources/chartRender';
import { defaultExcludedDirs, isYamlPath, readYamlFile, type DecodedFile } from '../host/files';
import { defaultSettings } from '../protocol';
import { GlobSet } from './glob';

/** The editor's view of an open document; TextDocuments provides it. */
export interface OpenDocuments {
  get(uri: string): { getText(): string; readonly version: number } | undefined;
}

/** A file's current contents, parsed. */
export interface Source {
  text: string;
  parsed: ParsedFile;
  /** The editor's document version when the text comes from an open editor. */
  version?: number;
}

interface Folder {
  uri: string;
  path: string;
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class Workspace {
  private folders: Folder[] = [];
  /** Open editors: file path → the URI the client uses for it (it may differ in encoding from ours). */
  private readonly open = new Map<string, string>();
  private exclude = new GlobSet(defaultSettings.exclude);
  private maxFileSize = defaultSettings.maxFileSize;

  constructor(private readonly documents: OpenDocuments) {}

  configure(exclude: readonly string[], maxFileSize: number): void {
    this.exclude = new GlobSet(exclude);
    this.maxFileSize = maxFileSize;
  }

  addFolders(uris: readonly string[]): void {
    for (const uri of uris) {
      const path = uriToPath(uri);
      if (path !== undefined && !this.folders.some((f) => f.path === path)) this.folders.push({ uri, path });
    }
  }

  removeFolders(uris: readonly string[]): void {
    const paths = new Set(uris.map(uriToPath));
    this.folders = this.folders.filter((f) => !paths.has(f.path));
  }

  /** Records an editor opening; returns the file path, or undefined for documents that are not files. */
  opened(uri: string): string | undefined {
    const file = uriToPath(uri);
    if (file !== undefined) this.open.set(file, uri);
    return file;
  }

  closed(uri: string): string | undefined {
    const file = uriToPath(uri);
    if (file !== undefined) this.open.delete(file);
    return file;
  }

  openFiles(): IterableIterator<string> {
    return this.open.keys();
  }

  /**
   * The URI of a file. A rendered chart has no file of its own: locations in its objects (the other side of a
   * finding, a definition) point at its Chart.yaml.
   */
  uriOf(file: string): string {
    const shown = renderedChartOf(file)?.chartFile ?? file;
    return this.open.get(shown) ?? pathToFileURL(shown).toString();
  }

  /** Every YAML file of every workspace folder that is not excluded. Nested folders may yield a file twice. */
  *yamlFiles(): Generator<string> {
    for (const folder of this.folders) yield* this.walk(folder.path);
  }

  /** Every YAML file at or under `path` (a file or a folder) that is not excluded. */
  *walk(path: string): Generator<string> {
    if (this.isInExcludedFolder(path)) return;
    const stack = [path];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        // Not a folder: a path from an event is a file, or gone (then reading it drops it from the analysis). Only
        // regular files are read, so that a FIFO named x.yaml cannot block the server.
        if (dir !== path || !isYamlPath(path) || this.isExcluded(path)) continue;
        const st = statSync(path, { throwIfNoEntry: false });
        if (!st || st.isFile()) yield path;
        continue;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        // Symbolic links are not followed: they can loop, and they usually point outside the workspace.
        if (e.isDirectory()) {
          if (!this.isExcludedFolder(p)) stack.push(p);
        } else if (e.isFile() && isYamlPath(e.name) && !this.isExcluded(p)) {
          yield p;
        }
      }
    }
  }

  /**
   * True when `path` is `folder` or inside it. Both are normalized absolute paths (from fileURLToPath or join), so a
   * prefix test is exact; it runs several times per file of a scan, where path.relative() was a measurable cost.
   */
  static contains(folder: string, path: string): boolean {
    return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
  }

  /** The path used to match exclude globs: relative to the innermost workspace folder, else absolute; always with "/". */
  private globPath(path: string): string {
    let best: Folder | undefined;
    for (const f of this.folders) if (Workspace.contains(f.path, path) && (!best || f.path.length > best.path.length)) best = f;
    const rel = best ? path.slice(best.path.length).replace(/^[\\/]/, '') : path;
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  isExcluded(file: string): boolean {
    const rel = this.globPath(file);
    const folders = rel.split('/').slice(0, -1);
    return folders.some((name) => defaultExcludedDirs.has(name)) || this.exclude.matchesFile(rel);
  }

  /** For a folder met while walking: its parent was already checked, so only its own name and path matter. */
  private isExcludedFolder(dir: string): boolean {
    return defaultExcludedDirs.has(basename(dir)) || this.exclude.matchesFolder(this.globPath(dir));
  }

  /** For a path from an event: whether it is, or lies in, an excluded folder (the walk must not start there). */
  private isInExcludedFolder(path: string): boolean {
    const segments = this.globPath(path).split('/');
    return segments.some((name, i) => defaultExcludedDirs.has(name) || this.exclude.matchesFolder(segments.slice(0, i + 1).join('/')));
  }

  private inWorkspace(file: string): boolean {
    return this.folders.some((f) => Workspace.contains(f.path, file));
  }

  /**
   * The current contents of `file`, or undefined when it is not part of the analysis (excluded, deleted, outside
   * every workspace folder and not open). Open editors win over the disk; any YAML-language editor counts, whatever
   * its file name, while on disk only *.yaml and *.yml files are read.
   */
  read(file: string): Source | undefined {
    if (this.isExcluded(file)) return undefined;
    const uri = this.open.get(file);
    const doc = uri === undefined ? undefined : this.documents.get(uri);
    if (doc) {
      const text = doc.getText();
      // maxFileSize is in bytes and the editor's text is in characters; for the size guard the difference is moot.
      return { text, parsed: parseFile(file, text, { maxFileLength: this.maxFileSize }), version: doc.version };
    }
    if (!isYamlPath(file) || !this.inWorkspace(file)) return undefined;
    return this.readDisk(file);
  }

  private readDisk(file: string): Source | undefined {
    let decoded: DecodedFile;
    try {
      decoded = readYamlFile(file, this.maxFileSize);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Gone, or not a file any more: the file leaves the analysis. Anything else (permissions) is worth showing.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      return { text: '', parsed: readScanned(skippedFileScan(file, `it could not be read (${code ?? (e as Error).message})`), '') };
    }
    if (!decoded.ok) return { text: '', parsed: readScanned(skippedFileScan(file, decoded.reason), '') };
    return { text: decoded.text, parsed: parseFile(file, decoded.text, { maxFileLength: this.maxFileSize }) };
  }
}

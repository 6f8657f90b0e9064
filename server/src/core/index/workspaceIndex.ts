/**
 * The workspace index: every file's resources, looked up by kind, namespace and name. It is incremental per file:
 * replacing one file's resources touches only that file's entries, never the others.
 */
import type { Resource } from '../model';
import type { ParsedFile } from '../parse/parseFile';

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function namespaceKey(kind: string, namespace: string): string {
  return `${kind}/${namespace}`;
}

export class WorkspaceIndex {
  private readonly parsed = new Map<string, ParsedFile>();
  private readonly byObject = new Map<string, Resource[]>();
  private readonly byNamespace = new Map<string, Resource[]>();
  private readonly byKind = new Map<string, Resource[]>();

  /** Replaces the resources of one file (adding it when new). */
  setFile(file: ParsedFile): void {
    this.removeFile(file.file);
    this.parsed.set(file.file, file);
    for (const r of file.resources) {
      push(this.byObject, objectKey(r.kind, r.namespace, r.name), r);
      push(this.byNamespace, namespaceKey(r.kind, r.namespace), r);
      push(this.byKind, r.kind, r);
    }
  }

  removeFile(file: string): ParsedFile | undefined {
    const old = this.parsed.get(file);
    if (!old) return undefined;
    this.parsed.delete(file);
    for (const r of old.resources) {
      pull(this.byObject, objectKey(r.kind, r.namespace, r.name), r);
      pull(this.byNamespace, namespaceKey(r.kind, r.namespace), r);
      pull(this.byKind, r.kind, r);
    }
    return old;
  }

  getFile(file: string): ParsedFile | undefined {
    return this.parsed.get(file);
  }

  files(): IterableIterator<string> {
    return this.parsed.keys();
  }

  get fileCount(): number {
    return this.parsed.size;
  }

  get resourceCount(): number {
    let n = 0;
    for (const f of this.parsed.values()) n += f.resources.length;
    return n;
  }

  /** Objects of a kind with a namespace and name (several when the workspace defines one twice). */
  find(kind: string, namespace: string, name: string): readonly Resource[] {
    return this.byObject.get(objectKey(kind, namespace, name)) ?? [];
  }

  inNamespace(kind: string, namespace: string): readonly Resource[] {
    return this.byNamespace.get(namespaceKey(kind, namespace)) ?? [];
  }

  ofKind(kind: string): readonly Resource[] {
    return this.byKind.get(kind) ?? [];
  }
}

function push(map: Map<string, Resource[]>, key: string, r: Resource): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}

function pull(map: Map<string, Resource[]>, key: string, r: Resource): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(r);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

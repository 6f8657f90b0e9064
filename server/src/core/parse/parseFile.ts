/**
 * Text of one file → the Kubernetes resources it holds, plus the documents it skipped and why.
 *
 * "Parsing never fails": every input, including binary data and broken YAML, gives a result. Documents are found
 * by their `---` markers; each is pre-scanned for its top-level `kind:` and skipped without parsing when no rule
 * needs that kind (in real repositories most YAML bytes are CustomResourceDefinition schemas). Documents with
 * Helm/Go template actions (`{{ }}`) are recognised and skipped.
 */
import type { Finding, Resource, SkippedDocument, Span, YMap, YNode } from '../model';
import { isPlainYamlFile, isRepositoryDocument, ownTemplateKinds, repositoryKinds } from '../sources/repositoryFiles';
import { findIgnoreComments, type IgnoreComment } from '../suppress';
import { fastParseDocument } from './fastYaml';
import { fullParseDocument } from './fullYaml';
import { asMap, get, str, stringMap } from './ynode';

const traefikGroups = ['traefik.io', 'traefik.containo.us'];

/**
 * Kinds some rule reads, with the API groups they must come from (a Knative `Service` is not a core Service).
 * Everything else is skipped before parsing.
 */
export const analysedKinds: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['Service', ['']], ['Endpoints', ['']], ['Pod', ['']], ['Secret', ['']], ['Namespace', ['']],
  ['EndpointSlice', ['discovery.k8s.io']],
  ['Deployment', ['apps', 'extensions']], ['StatefulSet', ['apps']], ['DaemonSet', ['apps', 'extensions']], ['ReplicaSet', ['apps', 'extensions']],
  ['Job', ['batch']], ['CronJob', ['batch']], ['Rollout', ['argoproj.io']],
  ['Certificate', ['cert-manager.io']], ['SealedSecret', ['bitnami.com']], ['ExternalSecret', ['external-secrets.io']],
  ['Ingress', ['networking.k8s.io', 'extensions']], ['IngressClass', ['networking.k8s.io']],
  ...['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'TraefikService', 'TLSOption',
    'TLSStore', 'ServersTransport', 'ServersTransportTCP'].map((k): [string, readonly string[]] => [k, traefikGroups]),
  // GitOps and operator objects that create objects the repository does not spell out (core/sources).
  ...repositoryKinds,
]);

/** A document without a kind that repository tooling reads (see sources/repositoryFiles.ts); only its tree is kept. */
export interface PlainDocument {
  docIndex: number;
  span: Span;
  root: YNode;
}

export interface ParsedFile {
  file: string;
  resources: Resource[];
  skipped: SkippedDocument[];
  /** Problems about the file itself (unreadable documents, size); reported as `yaml-unparsed`/`file-skipped`. */
  problems: Finding[];
  /** Plain documents: kustomization files, transformer configurations, JSON patches, Helm values. */
  documents?: PlainDocument[];
  /** `# route-doctor-ignore` comments (see suppress.ts). */
  ignoreComments?: IgnoreComment[];
}

export interface ParseOptions {
  /** Files longer than this many characters are not read; default 2,000,000. */
  maxFileLength?: number;
}

export const defaultMaxFileLength = 2_000_000;

/** A document the pre-scan kept for reading, with the kind it saw (undefined for flow-style documents). */
export interface DocumentToRead {
  docIndex: number;
  span: Span;
  kind?: string;
  /** Read as a plain document rather than as a Kubernetes object. */
  plain?: boolean;
}

/**
 * The result of the cheap first pass over a file: which documents need reading and which were skipped. It is plain,
 * small data, so a host may compute it in a worker thread and send it to the thread that builds the trees.
 */
export interface FileScan {
  file: string;
  toRead: DocumentToRead[];
  skipped: SkippedDocument[];
  problems: Finding[];
  ignoreComments?: IgnoreComment[];
}

/** Kinds whose checks map positions inside scalar values back to the file (rule problems), so they keep its text. */
const keepsFileText = new Set(['IngressRoute', 'IngressRouteTCP']);

const kindLine = /^kind:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"][^\s#]*))[ \t]*(?:#.*)?$/gm;

export function parseFile(file: string, text: string, options: ParseOptions = {}): ParsedFile {
  return readScanned(scanFile(file, text, options), text);
}

/** Splits a file into documents and decides, without parsing, which of them to read. Linear in the file's length. */
export function scanFile(file: string, text: string, options: ParseOptions = {}): FileScan {
  const scan: FileScan = { file, toRead: [], skipped: [], problems: [] };
  const maxLength = options.maxFileLength ?? defaultMaxFileLength;
  if (text.length > maxLength) {
    scan.problems.push(fileSkipped(file, `it is ${text.length} characters long, over the limit of ${maxLength}`));
    return scan;
  }
  if (text.includes('\0')) {
    scan.problems.push(fileSkipped(file, 'it looks binary (it contains NUL characters)'));
    return scan;
  }
  // Both searches below run forward only: each remembers its next hit, so a file of many documents is still
  // scanned once, not once per document.
  let kindMatch: RegExpExecArray | null = null;
  let kindSearched = false;
  let templateAt = -1;
  let templateSearched = false;
  const docs = splitDocuments(text);
  const plainFile = isPlainYamlFile(file);
  const ignoreComments = findIgnoreComments(text);
  if (ignoreComments.length > 0) scan.ignoreComments = ignoreComments;
  for (let docIndex = 0; docIndex < docs.length; docIndex++) {
    const span = docs[docIndex]!;
    if (plainFile) {
      scan.toRead.push({ docIndex, span, plain: true });
      continue;
    }
    if (!kindSearched || (kindMatch !== null && kindMatch.index < span.start)) {
      kindLine.lastIndex = span.start;
      kindMatch = kindLine.exec(text);
      kindSearched = true;
    }
    const kind = kindMatch && kindMatch.index < span.end ? kindMatch[1] ?? kindMatch[2] ?? kindMatch[3] : undefined;
    if (kind !== undefined && !analysedKinds.has(kind) && !isListKind(kind)) {
      scan.skipped.push({ docIndex, span, reason: 'irrelevant-kind', kind });
      continue;
    }
    if (!templateSearched || (templateAt >= 0 && templateAt < span.start)) {
      templateAt = text.indexOf('{{', span.start);
      templateSearched = true;
    }
    if (templateAt >= 0 && templateAt < span.end && !(kind !== undefined && ownTemplateKinds.has(kind))) {
      // The kind says what a Helm chart's template may create (see sources/).
      scan.skipped.push({ docIndex, span, reason: 'template', ...(kind !== undefined ? { kind } : {}) });
      continue;
    }
    if (kind === undefined && isRepositoryDocument(text, span)) {
      scan.toRead.push({ docIndex, span, plain: true });
      continue;
    }
    // Flow-style documents ("{kind: Service, ...}") have no kind line; only those are worth a full read.
    if (kind === undefined && firstContentChar(text, span) !== '{') {
      scan.skipped.push({ docIndex, span, reason: 'not-kubernetes' });
      continue;
    }
    scan.toRead.push(kind === undefined ? { docIndex, span } : { docIndex, span, kind });
  }
  return scan;
}

/** Builds the trees of the documents a scan kept. `text` must be the text the scan was made of. */
export function readScanned(scan: FileScan, text: string): ParsedFile {
  const result: ParsedFile = { file: scan.file, resources: [], skipped: [...scan.skipped], problems: [...scan.problems] };
  if (scan.ignoreComments) result.ignoreComments = scan.ignoreComments;
  if (scan.toRead.length === 0) return result;
  for (const doc of scan.toRead) readDocument(text, scan.file, doc, result);
  if (result.skipped.length > scan.skipped.length) result.skipped.sort((a, b) => a.docIndex - b.docIndex);
  return result;
}

/** The scan of a file that is not read at all (for example because it is not UTF-8), with the reason as a problem. */
export function skippedFileScan(file: string, why: string): FileScan {
  return { file, toRead: [], skipped: [], problems: [fileSkipped(file, why)] };
}

function fileSkipped(file: string, why: string): Finding {
  return { code: 'file-skipped', severity: 'information', file, span: { start: 0, end: 0 }, message: `Route Doctor skipped this file: ${why}.` };
}

function readDocument(text: string, file: string, doc: DocumentToRead, result: ParsedFile): void {
  const { docIndex, span, kind } = doc;
  let node: YNode | null | undefined = fastParseDocument(text, span.start, span.end);
  if (node === undefined) {
    const full = fullParseDocument(text, span.start, span.end);
    if (full.errors.length > 0) {
      const error = full.errors[0]!;
      result.skipped.push({ docIndex, span, reason: full.tooComplex ? 'too-complex' : 'syntax-error', kind, message: error.message });
      result.problems.push({
        code: 'yaml-unparsed', severity: 'information', file, span: error.span,
        message: `Route Doctor could not read this ${kind ?? 'YAML'} document, so it was not checked: ${error.message}`,
      });
      return;
    }
    node = full.node;
  }
  if (doc.plain) {
    if (node) (result.documents ??= []).push({ docIndex, span, root: node });
    return;
  }
  const root = asMap(node);
  if (!root) {
    result.skipped.push({ docIndex, span, reason: 'not-kubernetes' });
    return;
  }
  const items = listItems(root);
  if (items) {
    // kubectl and kustomize apply the items of a List, not the List: each is an object of its own, in this document.
    for (const item of items) addObject(text, file, docIndex, item.span, item, kind, result);
    return;
  }
  addObject(text, file, docIndex, span, root, kind, result);
}

/** Adds the object `root` (a document, or an item of a List) to the file's resources, or says why it is skipped. */
function addObject(text: string, file: string, docIndex: number, span: Span, root: YMap, kind: string | undefined, result: ParsedFile): void {
  const resource = toResource(file, docIndex, span, root);
  if (!resource) {
    result.skipped.push({ docIndex, span, reason: 'not-kubernetes', kind });
    return;
  }
  if (!analysedKinds.get(resource.kind)?.includes(resource.group)) {
    result.skipped.push({ docIndex, span, reason: 'irrelevant-kind', kind: resource.kind });
    return;
  }
  if (keepsFileText.has(resource.kind)) resource.fileText = text;
  result.resources.push(resource);
}

/**
 * Kinds kubectl and kustomize read as a list of objects: `List`, and `ServiceList`, `DeploymentList`… (what
 * `kubectl get -o yaml` writes), when they hold `items`.
 */
function isListKind(kind: string): boolean {
  return kind.endsWith('List');
}

/** The items of a List document, as maps; undefined when the document is no List. */
function listItems(root: YMap): YMap[] | undefined {
  const kind = str(get(root, 'kind'));
  const items = get(root, 'items');
  if (kind === undefined || !isListKind(kind) || items?.type !== 'seq') return undefined;
  return items.items.filter((item): item is YMap => item.type === 'map');
}

function firstContentChar(text: string, span: Span): string | undefined {
  const re = /^[ \t]*([^\s#])/gm;
  re.lastIndex = span.start;
  const m = re.exec(text);
  return m && m.index < span.end ? m[1] : undefined;
}

export function toResource(file: string, docIndex: number, docSpan: Span, root: YMap): Resource | undefined {
  const apiVersion = str(get(root, 'apiVersion'));
  const kind = str(get(root, 'kind'));
  if (!apiVersion || !kind) return undefined;
  if (kind === 'Secret') forgetSecretValues(root);
  const metadata = get(root, 'metadata');
  const name = str(get(metadata, 'name')) ?? str(get(metadata, 'generateName')) ?? '';
  const ns = str(get(metadata, 'namespace'));
  const slash = apiVersion.indexOf('/');
  return {
    file, docIndex, docSpan, apiVersion, kind, name,
    group: slash >= 0 ? apiVersion.slice(0, slash) : '',
    namespace: ns || 'default',
    namespaceExplicit: !!ns,
    labels: stringMap(get(metadata, 'labels')),
    annotations: stringMap(get(metadata, 'annotations')),
    root,
  };
}

/**
 * Spans of the documents of a YAML stream: text between `---` / `...` marker lines. The first document needs
 * no marker. A marker line may carry content after `--- ` (for example `--- !tag`), which stays in the document.
 */
export function splitDocuments(text: string): Span[] {
  const spans: Span[] = [];
  const n = text.length;
  // A byte order mark is not content (editors may hand one over); the first document starts after it.
  let docStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Marker lines are found with indexOf, which is native and fast, instead of by visiting every line: in large
  // CRD files this split is most of the work a skipped document costs.
  let nextDashes = lineStartingWith(text, '---', docStart);
  let nextDots = lineStartingWith(text, '...', docStart);
  for (;;) {
    const pos = Math.min(nextDashes, nextDots);
    if (pos >= n) break;
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    if (pos === nextDashes) {
      const marker = markerLength(text, pos, eol);
      if (marker > 0) {
        pushIfContent(text, spans, docStart, pos);
        docStart = pos + marker;
      }
      nextDashes = lineStartingWith(text, '---', eol + 1);
    } else {
      if (pos + 3 === eol || isSpaceOrCr(text.charCodeAt(pos + 3))) {
        pushIfContent(text, spans, docStart, pos);
        docStart = eol + 1;
      }
      nextDots = lineStartingWith(text, '...', eol + 1);
    }
  }
  if (docStart < n) pushIfContent(text, spans, docStart, n);
  return spans;
}

/**
 * The first offset at or after `from`, itself the start of a line, where a line starts with `prefix`; the text's
 * length when there is none.
 */
function lineStartingWith(text: string, prefix: string, from: number): number {
  if (text.startsWith(prefix, from)) return from;
  const i = text.indexOf('\n' + prefix, from);
  return i < 0 ? text.length : i + 1;
}

function isSpaceOrCr(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/**
 * Length of the document marker at `pos`, or 0. Besides `---` (alone or followed by a space) a line of four or more
 * dashes counts too: YAML would read it as text, but Traefik's and many users' tooling split on it, and nobody means
 * it as a value.
 */
function markerLength(text: string, pos: number, eol: number): number {
  let i = pos + 3;
  if (i === eol || isSpaceOrCr(text.charCodeAt(i))) return 3;
  while (i < eol && text.charCodeAt(i) === 45) i++;
  return /^[ \t\r]*$/.test(text.slice(i, eol)) ? i - pos : 0;
}

function pushIfContent(text: string, spans: Span[], start: number, end: number): void {
  // A document that holds only whitespace and comments is not a document.
  if (onlyCommentsAndSpace(text, start, end)) return;
  // Skip the rest of the marker line (a "--- # comment" or the newline) so the document starts on its own line.
  let s = start;
  const nl = text.indexOf('\n', s);
  if (nl >= 0 && nl < end && /^[ \t\r]*(#.*)?$/.test(text.slice(s, nl))) s = nl + 1;
  spans.push({ start: s, end });
}

function onlyCommentsAndSpace(text: string, start: number, end: number): boolean {
  let inComment = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) inComment = false;
    else if (inComment) continue;
    else if (c === 35) inComment = true;
    else if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * Secret data never stays in memory: only the key names are kept (some Traefik middlewares need to know which
 * keys a Secret has), every value is replaced by null.
 */
function forgetSecretValues(root: YMap): void {
  for (const p of root.pairs) {
    if (p.key !== 'data' && p.key !== 'stringData') continue;
    const data = asMap(p.value);
    if (!data) {
      p.value = { type: 'scalar', value: null, style: 'plain', span: p.value.span };
      continue;
    }
    for (const entry of data.pairs) entry.value = { type: 'scalar', value: null, style: 'plain', span: entry.value.span };
  }
}

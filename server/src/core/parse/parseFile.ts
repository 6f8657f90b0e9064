/**
 * Text of one file → the Kubernetes resources it holds, plus the documents it skipped and why.
 *
 * "Parsing never fails": every input, including binary data and broken YAML, gives a result. Documents are found
 * by their `---` markers; each is pre-scanned for its top-level `kind:` and skipped without parsing when no rule
 * needs that kind (in real repositories most YAML bytes are CustomResourceDefinition schemas). Documents with
 * Helm/Go template actions (`{{ }}`) are recognised and skipped.
 */
import type { Finding, Resource, SkippedDocument, Span, YMap, YNode } from '../model';
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
  ['Certificate', ['cert-manager.io']],
  ['Ingress', ['networking.k8s.io', 'extensions']], ['IngressClass', ['networking.k8s.io']],
  ...['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'TraefikService', 'TLSOption',
    'TLSStore', 'ServersTransport', 'ServersTransportTCP'].map((k): [string, readonly string[]] => [k, traefikGroups]),
]);

export interface ParsedFile {
  file: string;
  resources: Resource[];
  skipped: SkippedDocument[];
  /** Problems about the file itself (unreadable documents, size); reported as `yaml-unparsed`/`file-skipped`. */
  problems: Finding[];
}

export interface ParseOptions {
  /** Files longer than this many characters are not read; default 2,000,000. */
  maxFileLength?: number;
}

export const defaultMaxFileLength = 2_000_000;

const kindLine = /^kind:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"][^\s#]*))[ \t]*(?:#.*)?$/gm;

export function parseFile(file: string, text: string, options: ParseOptions = {}): ParsedFile {
  const result: ParsedFile = { file, resources: [], skipped: [], problems: [] };
  const maxLength = options.maxFileLength ?? defaultMaxFileLength;
  if (text.length > maxLength) {
    result.problems.push({
      code: 'file-skipped', severity: 'information', file, span: { start: 0, end: 0 },
      message: `Route Doctor skipped this file: it is ${text.length} characters long, over the limit of ${maxLength}.`,
    });
    return result;
  }
  if (text.includes('\0')) {
    result.problems.push({
      code: 'file-skipped', severity: 'information', file, span: { start: 0, end: 0 },
      message: 'Route Doctor skipped this file: it looks binary (it contains NUL characters).',
    });
    return result;
  }
  const docs = splitDocuments(text);
  for (let docIndex = 0; docIndex < docs.length; docIndex++) {
    const span = docs[docIndex]!;
    readDocument(text, file, docIndex, span, result);
  }
  return result;
}

function readDocument(text: string, file: string, docIndex: number, span: Span, result: ParsedFile): void {
  const templateAt = text.indexOf('{{', span.start);
  if (templateAt >= 0 && templateAt < span.end) {
    result.skipped.push({ docIndex, span, reason: 'template' });
    return;
  }
  kindLine.lastIndex = span.start;
  const m = kindLine.exec(text);
  let kind: string | undefined;
  if (m && m.index < span.end) kind = m[1] ?? m[2] ?? m[3];
  if (kind === undefined) {
    // Flow-style documents ("{kind: Service, ...}") have no kind line; only those are worth a full read.
    const first = firstContentChar(text, span);
    if (first !== '{') {
      result.skipped.push({ docIndex, span, reason: 'not-kubernetes' });
      return;
    }
  } else if (!analysedKinds.has(kind)) {
    result.skipped.push({ docIndex, span, reason: 'irrelevant-kind', kind });
    return;
  }
  let node: YNode | null | undefined = fastParseDocument(text, span.start, span.end);
  if (node === undefined) {
    const full = fullParseDocument(text, span.start, span.end);
    if (full.errors.length > 0) {
      const error = full.errors[0]!;
      result.skipped.push({ docIndex, span, reason: 'syntax-error', kind, message: error.message });
      result.problems.push({
        code: 'yaml-unparsed', severity: 'information', file, span: error.span,
        message: `Route Doctor could not read this ${kind ?? 'YAML'} document, so it was not checked: ${error.message}`,
      });
      return;
    }
    node = full.node;
  }
  const root = asMap(node);
  if (!root) {
    result.skipped.push({ docIndex, span, reason: 'not-kubernetes' });
    return;
  }
  const resource = toResource(file, docIndex, span, root);
  if (!resource) {
    result.skipped.push({ docIndex, span, reason: 'not-kubernetes', kind });
    return;
  }
  if (!analysedKinds.get(resource.kind)?.includes(resource.group)) {
    result.skipped.push({ docIndex, span, reason: 'irrelevant-kind', kind: resource.kind });
    return;
  }
  result.resources.push(resource);
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
  let docStart = 0;
  let pos = 0;
  let sawContent = false;
  const n = text.length;
  while (pos <= n) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    const marker = text.charCodeAt(pos) === 45 && text.startsWith('---', pos) ? markerLength(text, pos, eol) : 0;
    if (marker > 0) {
      if (sawContent || pos > docStart) pushIfContent(text, spans, docStart, pos);
      docStart = pos + marker;
      sawContent = false;
    } else if (text.charCodeAt(pos) === 46 && text.startsWith('...', pos) && (pos + 3 === eol || /[ \t\r]/.test(text[pos + 3] ?? ''))) {
      pushIfContent(text, spans, docStart, pos);
      docStart = eol + 1;
      sawContent = false;
    } else {
      sawContent = true;
    }
    pos = eol + 1;
  }
  if (docStart < n) pushIfContent(text, spans, docStart, n);
  return spans;
}

/**
 * Length of the document marker at `pos`, or 0. Besides `---` (alone or followed by a space) a line of four or more
 * dashes counts too: YAML would read it as text, but Traefik's and many users' tooling split on it, and nobody means
 * it as a value.
 */
function markerLength(text: string, pos: number, eol: number): number {
  let i = pos + 3;
  if (i === eol || /[ \t\r]/.test(text[i] ?? '')) return 3;
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

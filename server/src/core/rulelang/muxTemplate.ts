/**
 * gorilla/mux route templates, the value syntax of Traefik v2 rules: `/users/{id}`, `{sub:[a-z]+}.example.com`,
 * `k={v:[0-9]+}`. Text outside braces is literal; `{name}` matches a default pattern and `{name:regexp}` a Go
 * regexp. Traefik v2 builds one Go regexp per template (literal parts quoted), which is what this module checks
 * and what the v2 → v3 conversion reuses.
 */
import { goRegexpErrorText, quoteMeta, validateGoRegexp } from './goRegexp';
import { goQuote } from './goText';

export type MuxTemplateKind = 'path' | 'prefix' | 'host' | 'query' | 'hostSNI';

export interface MuxVariable {
  name: string;
  /** The variable's regexp: the text after the first `:`, or the default pattern of the template kind. */
  pattern: string;
  /** Range of `{…}` in the template. */
  start: number;
  end: number;
}

export interface MuxTemplate {
  /** Literal text and variables in template order. */
  parts: (string | MuxVariable)[];
  variables: MuxVariable[];
}

export interface MuxTemplateError {
  /** gorilla/mux's or Go's error text. */
  message: string;
  /** Range in the template of what is wrong. */
  start: number;
  end: number;
}

const defaultPatterns: Record<MuxTemplateKind, string> = { path: '[^/]+', prefix: '[^/]+', host: '[^.]+', query: '.*', hostSNI: '[^.]+' };

/** gorilla/mux's braceIndices and variable split; braces nest, so `{id:[0-9]{3}}` is one variable. */
export function parseMuxTemplate(template: string, kind: MuxTemplateKind): MuxTemplate | MuxTemplateError {
  const ranges: [number, number][] = [];
  let level = 0;
  let open = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{') {
      if (++level === 1) open = i;
    } else if (c === '}') {
      if (--level === 0) ranges.push([open, i + 1]);
      else if (level < 0) return { message: `mux: unbalanced braces in ${goQuote(template)}`, start: 0, end: template.length };
    }
  }
  if (level !== 0) return { message: `mux: unbalanced braces in ${goQuote(template)}`, start: 0, end: template.length };
  const parts: (string | MuxVariable)[] = [];
  const variables: MuxVariable[] = [];
  let end = 0;
  for (const [start, stop] of ranges) {
    if (start > end) parts.push(template.slice(end, start));
    const inner = template.slice(start + 1, stop - 1);
    const colon = inner.indexOf(':');
    const name = colon < 0 ? inner : inner.slice(0, colon);
    const pattern = colon < 0 ? defaultPatterns[kind] : inner.slice(colon + 1);
    if (name === '' || pattern === '') {
      return { message: `mux: missing name or pattern in ${goQuote(template.slice(start, stop))}`, start, end: stop };
    }
    const variable: MuxVariable = { name, pattern, start, end: stop };
    parts.push(variable);
    variables.push(variable);
    end = stop;
  }
  if (end < template.length) parts.push(template.slice(end));
  return { parts, variables };
}

export function isMuxTemplateError(t: MuxTemplate | MuxTemplateError): t is MuxTemplateError {
  return 'message' in t;
}

/**
 * The Go regexp gorilla/mux (or Traefik's copy of it for HostSNIRegexp) builds from a parsed template:
 * `^`, quoted literals, one capture group per variable, and `$` except for path prefixes.
 */
function muxTemplateRegexp(template: MuxTemplate, kind: MuxTemplateKind, source: string): string {
  let pattern = kind === 'hostSNI' ? '(?i)^' : '^';
  for (const part of template.parts) {
    if (typeof part === 'string') pattern += quoteMeta(part);
    else pattern += `(?P<v${template.variables.indexOf(part)}>${part.pattern})`;
  }
  if (kind === 'query' && source.slice(source.indexOf('=') + 1) === '') pattern += defaultPatterns.query;
  if (kind !== 'prefix') pattern += '$';
  return pattern;
}

/**
 * Checks a template as gorilla/mux's newRouteRegexp does (HostSNIRegexp: as Traefik's preparePattern does, which
 * skips the per-variable compile). `invalidUtf8At` is the first byte of the value that is not UTF-8, or -1.
 */
export function validateMuxTemplate(template: string, kind: MuxTemplateKind, invalidUtf8At: number): MuxTemplateError | undefined {
  if ((kind === 'path' || kind === 'prefix') && template !== '' && template[0] !== '/') {
    return { message: `mux: path must start with a slash, got ${goQuote(template)}`, start: 0, end: 1 };
  }
  const parsed = parseMuxTemplate(template, kind);
  if (isMuxTemplateError(parsed)) return parsed;
  if (kind !== 'hostSNI') {
    for (const v of parsed.variables) {
      const error = validateGoRegexp(`^${v.pattern}$`);
      if (error) return { message: goRegexpErrorText(error), start: v.start, end: v.end };
    }
  }
  if (invalidUtf8At >= 0) {
    return { message: goRegexpErrorText({ code: 'invalid UTF-8', expr: template.slice(invalidUtf8At), start: invalidUtf8At, end: template.length }), start: invalidUtf8At, end: template.length };
  }
  const error = validateGoRegexp(muxTemplateRegexp(parsed, kind, template));
  if (error) {
    const culprit = parsed.variables.find((v) => validateGoRegexp(`(?:${v.pattern})`) !== undefined);
    return { message: goRegexpErrorText(error), start: culprit?.start ?? 0, end: culprit?.end ?? template.length };
  }
  return undefined;
}

/**
 * Suppressions written in the repository, for findings a team has judged and accepted:
 *
 * - the annotation `route-doctor.io/ignore: code[,code…]` on an object silences those codes for findings on that
 *   object (its checks' findings, wherever in the repository they are shown);
 * - a comment line `# route-doctor-ignore code[,code…]` silences those codes for findings that start on the line
 *   right after it.
 *
 * The parser finds the comments (comments are not part of the YAML trees); the engine applies both after the checks
 * ran, so every check honours them without knowing about them.
 */
import type { Finding, Resource, Span } from './model';

export const ignoreAnnotation = 'route-doctor.io/ignore';

const commentWord = 'route-doctor-ignore';

export interface IgnoreComment {
  codes: string[];
  /** The line after the comment, without its line break: findings that start on it are silenced. */
  line: Span;
}

function codeList(text: string): string[] {
  return text.split(',').map((c) => c.trim()).filter((c) => c !== '');
}

/**
 * Every `# route-doctor-ignore code[,code…]` comment line of a file. Text after the codes (separated by a space)
 * is free: `# route-doctor-ignore service-not-found created by the chart`.
 */
export function findIgnoreComments(text: string): IgnoreComment[] {
  const comments: IgnoreComment[] = [];
  for (let at = text.indexOf(commentWord); at >= 0; at = text.indexOf(commentWord, at + commentWord.length)) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    if (!/^[ \t]*#[ \t]*$/.test(text.slice(lineStart, at))) continue;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) continue;
    const codes = /^[ \t]*:?[ \t]*([\w.-]+(?:[ \t]*,[ \t]*[\w.-]+)*)/.exec(text.slice(at + commentWord.length, lineEnd).replace(/\r$/, ''));
    if (!codes) continue;
    const nextStart = lineEnd + 1;
    lineEnd = text.indexOf('\n', nextStart);
    const nextEnd = lineEnd < 0 ? text.length : lineEnd;
    comments.push({ codes: codeList(codes[1]!), line: { start: nextStart, end: nextEnd } });
  }
  return comments;
}

/** The codes an object's `route-doctor.io/ignore` annotation silences. */
export function ignoredCodes(resource: Resource): ReadonlySet<string> {
  const value = resource.annotations[ignoreAnnotation];
  return value === undefined ? none : new Set(codeList(value));
}

const none: ReadonlySet<string> = new Set();

/** Whether a comment of the finding's file silences it. `comments` are those of `finding.file`. */
export function silencedByComment(finding: Finding, comments: readonly IgnoreComment[]): boolean {
  return comments.some((c) => c.codes.includes(finding.code) && finding.span.start >= c.line.start && finding.span.start <= c.line.end);
}

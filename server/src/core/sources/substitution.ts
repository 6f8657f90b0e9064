/**
 * Variables that GitOps tools replace before anything is applied: Flux's postBuild substitution (`${NAME}`,
 * `${NAME:=default}` and the other forms of its envsubst syntax) and envsubst in deployment pipelines. A value that
 * holds one is not the value the cluster will see, so no check can judge it.
 */
import type { Span, YNode } from '../model';

const variable = /\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}/;

export function hasSubstitutionVariable(value: string): boolean {
  return value.includes('${') && variable.test(value);
}

/** Whether the scalar written exactly at `span` in the tree `root` holds a substitution variable. */
export function substitutedAt(root: YNode, span: Span): boolean {
  switch (root.type) {
    case 'scalar':
      return root.span.start === span.start && root.span.end === span.end && typeof root.value === 'string' && hasSubstitutionVariable(root.value);
    case 'seq':
      return root.items.some((item) => substitutedAt(item, span));
    case 'map':
      return root.pairs.some((p) => substitutedAt(p.value, span));
  }
}

/**
 * Label selectors as Kubernetes evaluates them: the plain equality maps of `Service.spec.selector` and the
 * `LabelSelector` of workloads (`matchLabels` plus `matchExpressions` with In/NotIn/Exists/DoesNotExist).
 */
import type { Span, YNode } from '../model';
import { asMap, get, items, str } from '../parse/ynode';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
  /** Where the manifest states it: the matchLabels value, or the matchExpressions entry. */
  span: Span;
}

/** A parsed `LabelSelector`: every requirement must hold (matchLabels become `In` with one value). */
export interface LabelSelector {
  requirements: SelectorRequirement[];
}

const operators: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Reads a `LabelSelector` node. Returns undefined when the node is missing or holds something the API server
 * would reject (an unknown operator, a requirement without a key), because such a selector cannot be evaluated.
 */
export function parseLabelSelector(node: YNode | undefined): LabelSelector | undefined {
  if (!asMap(node)) return undefined;
  const requirements: SelectorRequirement[] = [];
  for (const p of asMap(get(node, 'matchLabels'))?.pairs ?? []) {
    const value = str(p.value);
    if (value !== undefined) requirements.push({ key: p.key, operator: 'In', values: [value], span: p.value.span });
  }
  for (const expression of items(get(node, 'matchExpressions'))) {
    const key = str(get(expression, 'key'));
    const operator = str(get(expression, 'operator'));
    if (!key || !operator || !operators.has(operator)) return undefined;
    const values = items(get(expression, 'values')).map(str).filter((v): v is string => v !== undefined);
    requirements.push({ key, operator: operator as SelectorOperator, values, span: expression.span });
  }
  return { requirements };
}

export function requirementHolds(req: SelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.operator) {
    case 'In': return has && req.values.includes(labels[req.key]!);
    case 'NotIn': return !has || !req.values.includes(labels[req.key]!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
  }
}

export function labelSelectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((req) => requirementHolds(req, labels));
}

/** Whether `labels` carries every key/value pair of an equality selector (how a Service selects Pods). */
export function equalitySelectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector)) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== value) return false;
  }
  return true;
}

/** `app=go-app,version=v1`: the way kubectl writes selectors, so users recognise it. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

export function formatRequirement(req: SelectorRequirement): string {
  switch (req.operator) {
    case 'In': return req.values.length === 1 ? `${req.key}=${req.values[0]}` : `${req.key} in (${req.values.join(',')})`;
    case 'NotIn': return `${req.key} notin (${req.values.join(',')})`;
    case 'Exists': return req.key;
    case 'DoesNotExist': return `!${req.key}`;
  }
}

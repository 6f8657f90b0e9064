/**
 * How Traefik's Kubernetes Ingress provider reads a networking.k8s.io/v1 Ingress: whether it processes the object at
 * all (ingress class), which backends it resolves, and how it reads the `router.middlewares` annotation.
 */
import type { IndexView } from '../analyze';
import type { Resource, Span, TraefikOptions, YMap, YNode, YScalar } from '../model';
import { asMap, asScalar, get, items, str } from '../parse/ynode';

const ingressClassAnnotation = 'kubernetes.io/ingress.class';
const traefikController = 'traefik.io/ingress-controller';
export const middlewaresAnnotation = 'traefik.ingress.kubernetes.io/router.middlewares';

/**
 * Whether Traefik handles this Ingress (`shouldProcessIngress`). With `spec.ingressClassName`, an IngressClass of that
 * name whose controller is Traefik's must exist; the workspace rarely holds it (the Traefik chart installs it, named
 * `traefik`), so without the object only the chart's name or the configured class count. Without a class name, the
 * annotation must equal the configured class, or be `traefik` or absent when none is configured.
 */
export function traefikProcessesIngress(index: IndexView, ingress: Resource, options: TraefikOptions): boolean {
  if (options.namespaces && !options.namespaces.includes(ingress.namespace)) return false;
  const className = str(get(ingress.root, 'spec', 'ingressClassName'));
  if (className !== undefined) {
    if (options.ingressClass !== '' && className !== options.ingressClass) return false;
    const classes = index.ofKind('IngressClass').filter((c) => c.name === className);
    if (classes.length > 0) return classes.some((c) => str(get(c.root, 'spec', 'controller')) === traefikController);
    return className === (options.ingressClass || 'traefik');
  }
  const annotation = ingress.annotations[ingressClassAnnotation] ?? '';
  return annotation === options.ingressClass || (options.ingressClass === '' && annotation === 'traefik');
}

/** One `backend.service` of an Ingress, as written. */
export interface IngressBackend {
  /** The `service` map. */
  node: YMap;
  name: YScalar | undefined;
  /** `port.number` or `port.name`: the API server accepts exactly one of them. */
  port: { number: number; node: YScalar } | { name: string; node: YScalar } | undefined;
  isDefault: boolean;
}

/**
 * The service backends Traefik resolves: every rule path's backend, or the default backend, which Traefik uses only
 * when the Ingress has no rules at all. `resource` backends are left out: Traefik does not support them.
 */
export function ingressBackends(ingress: Resource): IngressBackend[] {
  const spec = get(ingress.root, 'spec');
  const rules = items(get(spec, 'rules'));
  const out: IngressBackend[] = [];
  if (rules.length === 0) {
    const backend = readBackend(get(spec, 'defaultBackend'), true);
    if (backend) out.push(backend);
    return out;
  }
  for (const rule of rules) {
    for (const path of items(get(rule, 'http', 'paths'))) {
      const backend = readBackend(get(path, 'backend'), false);
      if (backend) out.push(backend);
    }
  }
  return out;
}

function readBackend(backend: YNode | undefined, isDefault: boolean): IngressBackend | undefined {
  const service = asMap(get(backend, 'service'));
  if (!service) return undefined;
  const numberNode = asScalar(get(service, 'port', 'number'));
  const nameNode = asScalar(get(service, 'port', 'name'));
  let port: IngressBackend['port'];
  if (numberNode && typeof numberNode.value === 'number') port = { number: numberNode.value, node: numberNode };
  else if (nameNode && typeof nameNode.value === 'string' && nameNode.value !== '') port = { name: nameNode.value, node: nameNode };
  return { node: service, name: asScalar(get(service, 'name')), port, isDefault };
}

/** One comma-separated entry of the `router.middlewares` annotation. */
export interface MiddlewareEntry {
  text: string;
  /** The entry's own range when the scalar's source can be mapped back; otherwise the whole value. */
  span: Span;
}

/**
 * Splits the annotation value the way Traefik's label parser does (on commas, trimming spaces). Offsets are exact
 * for single-line plain and quoted scalars without escapes, which is how annotations are written; for anything else
 * each entry points at the whole value.
 */
export function middlewareEntries(value: YScalar): MiddlewareEntry[] {
  const text = typeof value.value === 'string' ? value.value : '';
  const length = value.span.end - value.span.start;
  let base: number | undefined;
  if (value.style === 'plain' && length === text.length) base = value.span.start;
  else if ((value.style === 'single' || value.style === 'double') && length === text.length + 2) base = value.span.start + 1;
  const entries: MiddlewareEntry[] = [];
  let from = 0;
  for (const part of text.split(',')) {
    const lead = part.length - part.trimStart().length;
    const trimmed = part.trim();
    if (trimmed !== '') {
      const start = base === undefined ? undefined : base + from + lead;
      entries.push({ text: trimmed, span: start === undefined ? value.span : { start, end: start + trimmed.length } });
    }
    from += part.length + 1;
  }
  return entries;
}

/**
 * Values derived from the index that many analyses share: the endpoints a Service's port gets, whether a Middleware
 * is dropped, whether the workspace is a copy of a cluster's state. Many references ask the same question (every
 * route to a Service, the Service's own checks, every build holding a copy of it); each is answered once per state
 * of the index and options.
 *
 * Dependency tracking stays exact: a derivation runs through a view that records the index keys it reads, the cache
 * keeps those keys with the value, and every reader of the value records them, exactly as if it had computed the
 * value itself. The cache holds one state only (one lookups object at one generation, one options object): any
 * change of the index, of the deployed repository or of the options starts an empty one.
 */
import type { IndexView } from '../analyze';

/**
 * A derivation: a function of the index (read only through `view`) and of its arguments, nothing else. Objects among
 * the arguments are compared by identity, other values by value. The value it returns is shared: never mutate it.
 */
export type Derivation<A extends unknown[], T> = (view: IndexView, ...args: A) => T;

/** A derived value with the index keys its computation read. */
export interface DerivedEntry {
  value: unknown;
  keys: readonly string[];
}

interface Node {
  objects?: WeakMap<object, Node>;
  values?: Map<unknown, Node>;
  entry?: DerivedEntry;
}

/** The value of `fn(view, ...args)`, through the view's cache when it has one. */
export function derived<A extends unknown[], T>(view: IndexView, fn: Derivation<A, T>, ...args: A): T {
  return view.derive ? view.derive(fn, ...args) : fn(view, ...args);
}

/** One state's derived values, by derivation and arguments. */
export class DerivedCache {
  private readonly roots = new Map<Function, Node>();

  constructor(
    /** The lookups the values were derived from, */
    readonly lookups: object,
    /** at this generation of theirs, */
    readonly generation: number,
    /** under these options. */
    readonly options: object,
    /**
     * Whether readers track dependencies: only then are the keys each derivation reads recorded (an engine that
     * tracks nothing never replays them).
     */
    readonly tracking = true,
  ) {}

  /** Whether the cache holds values of this state. */
  holds(lookups: object, generation: number, options: object): boolean {
    return this.lookups === lookups && this.generation === generation && this.options === options;
  }

  get(fn: Function, args: readonly unknown[]): DerivedEntry | undefined {
    let node = this.roots.get(fn);
    for (let i = 0; node && i < args.length; i++) {
      const arg = args[i];
      node = isObject(arg) ? node.objects?.get(arg) : node.values?.get(arg);
    }
    return node?.entry;
  }

  set(fn: Function, args: readonly unknown[], entry: DerivedEntry): void {
    let node = this.roots.get(fn);
    if (!node) this.roots.set(fn, (node = {}));
    for (const arg of args) {
      let next: Node | undefined;
      if (isObject(arg)) {
        node.objects ??= new WeakMap();
        next = node.objects.get(arg);
        if (!next) node.objects.set(arg, (next = {}));
      } else {
        node.values ??= new Map();
        next = node.values.get(arg);
        if (!next) node.values.set(arg, (next = {}));
      }
      node = next;
    }
    node.entry = entry;
  }
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

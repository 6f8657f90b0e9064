/**
 * The index seen through the `IndexView` interface that Traefik and Kubernetes resolution functions take. Checks get
 * a tracking view from the engine; editor features only read, so they need no tracking and use this plain one.
 */
import type { IndexView } from '../analyze';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { Resource } from '../model';

const views = new WeakMap<WorkspaceIndex, IndexView>();

export function plainView(index: WorkspaceIndex): IndexView {
  let view = views.get(index);
  if (!view) {
    view = {
      find: (kind, namespace, name) => index.find(kind, namespace, name),
      inNamespace: (kind, namespace) => index.inNamespace(kind, namespace),
      ofKind: (kind) => index.ofKind(kind),
      podTemplatesMatching: (namespace, selector): readonly Resource[] => index.podTemplatesMatching(namespace, selector).results,
    };
    views.set(index, view);
  }
  return view;
}

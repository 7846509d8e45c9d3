import type { ClusterExternalSecret, LabelSelector } from '../../api/generated.ts';
import { compileSelector, type LabelMatcher } from '../../kube/label-selector.ts';

/** What the controller reads of a Namespace. */
export interface NamespaceInfo {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string; finalizers?: string[] };
}

/** The deprecated spec.namespaceSelector first, then spec.namespaceSelectors; all ORed. */
export function selectorsOf(ces: ClusterExternalSecret): LabelSelector[] {
  const selectors: LabelSelector[] = [];
  if (ces.spec.namespaceSelector) selectors.push(ces.spec.namespaceSelector);
  for (const s of ces.spec.namespaceSelectors ?? []) if (s) selectors.push(s);
  return selectors;
}

/**
 * A predicate for the namespaces a ClusterExternalSecret selects: any selector
 * matches its labels (an empty selector matches every namespace), or spec.namespaces
 * names it (ESO matches those through the kubernetes.io/metadata.name label, which the
 * apiserver always sets to the name). Throws SelectorError for an invalid selector.
 */
export function namespaceMatcher(ces: ClusterExternalSecret): (ns: NamespaceInfo) => boolean {
  const matchers: LabelMatcher[] = selectorsOf(ces).map(compileSelector);
  const names = new Set(ces.spec.namespaces ?? []);
  return (ns) => names.has(ns.metadata.name) || matchers.some((m) => m(ns.metadata.labels ?? {}));
}

/** The selected namespaces, sorted by name. Throws SelectorError for an invalid selector. */
export function selectedNamespaces<N extends NamespaceInfo>(ces: ClusterExternalSecret, namespaces: Iterable<N>): N[] {
  const matches = namespaceMatcher(ces);
  return [...namespaces].filter(matches).sort((a, b) => compare(a.metadata.name, b.metadata.name));
}

/**
 * Whether a namespace change may concern this ClusterExternalSecret, for routing
 * namespace events. An invalid selector selects nothing here, as in ESO's mapping;
 * the reconcile reports it.
 */
export function selectsNamespace(ces: ClusterExternalSecret, ns: NamespaceInfo): boolean {
  if (ces.spec.namespaces?.includes(ns.metadata.name)) return true;
  return selectorsOf(ces).some((selector) => {
    try {
      return compileSelector(selector)(ns.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
}

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

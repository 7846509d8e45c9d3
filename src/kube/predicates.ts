import { isDeepStrictEqual } from 'node:util';
import type { InformerEvent, KubeObject } from './informer.ts';

/** One watch event: the object now and, for a modification, as the cache held it before. */
export interface Change<T> {
  readonly type: InformerEvent;
  readonly object: T;
  readonly old?: T;
}

/**
 * Whether a change is worth a reconcile. As controller-runtime's predicates, these filter
 * modifications only: a creation or a deletion always passes. The cache's previous copy is
 * the "last seen" state, so no predicate keeps one of its own.
 */
export type Predicate<T> = (change: Change<T>) => boolean;

/** A modification passes when `field` differs between the old and the new object (deep, key order ignored). */
export const changed = <T>(field: (object: T) => unknown): Predicate<T> =>
  ({ type, object, old }) => type !== 'modified' || old === undefined || !isDeepStrictEqual(field(old), field(object));

export const anyOf = <T>(...predicates: Predicate<T>[]): Predicate<T> => (change) => predicates.some((p) => p(change));

export const always: Predicate<unknown> = () => true;

/** The spec changed (status writes do not move the generation). */
export const generationChanged: Predicate<KubeObject> = changed((o) => o.metadata.generation ?? 0);
export const labelsChanged: Predicate<KubeObject> = changed((o) => o.metadata.labels ?? {});
export const annotationsChanged: Predicate<KubeObject> = changed((o) => o.metadata.annotations ?? {});
export const ownerReferencesChanged: Predicate<KubeObject> = changed((o) => o.metadata.ownerReferences ?? []);
/** The object started terminating (deletionTimestamp set). */
export const deletionStarted: Predicate<KubeObject> = changed((o) => o.metadata.deletionTimestamp ?? null);

/** What ESO's syncedResourceVersion covers: the spec, the labels or the annotations (force-sync) changed. */
export const specOrMetadataChanged: Predicate<KubeObject> = anyOf(generationChanged, labelsChanged, annotationsChanged);

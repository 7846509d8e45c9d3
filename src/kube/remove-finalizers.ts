import { FINALIZER_ORPHAN } from '../api/well-known.ts';
import { isNotFound, type KubeClient } from './client.ts';

/**
 * Taking another controller's finalizers off an object, and nothing else. ESO 2.x leaves finalizers
 * on ExternalSecrets, ClusterExternalSecrets and Namespaces that only ESO takes off; after a move
 * from ESO this operator takes them off for what it serves, and must never drop or put back a
 * finalizer someone else added or removed meanwhile, as a whole-list write could.
 */

/** Whether the deletion under way asked to keep the object's dependents (`kubectl delete --cascade=orphan`). */
export const orphansDependents = (metadata: { finalizers?: string[] }): boolean => metadata.finalizers?.includes(FINALIZER_ORPHAN) ?? false;

export type JsonPatch = Array<{ op: 'test' | 'remove'; path: string; value?: unknown }>;

/**
 * A JSON patch removing every entry of `finalizers` that is one of `names`, by its index. Each index
 * is first tested for the name it held when read, so the apiserver refuses the patch (and the
 * reconcile is retried on the fresh object) if the list moved since; the removals run from the last
 * index down, so each index still points where it did.
 */
export function removeFinalizersPatch(finalizers: readonly string[], names: readonly string[]): JsonPatch {
  const at = finalizers.flatMap((f, i) => (names.includes(f) ? [i] : []));
  if (at.length === 0) throw new Error(`removeFinalizersPatch: none of ${names.join(', ')} is among the finalizers`);
  return [
    ...at.map((i) => ({ op: 'test' as const, path: `/metadata/finalizers/${i}`, value: finalizers[i] })),
    ...at.reverse().map((i) => ({ op: 'remove' as const, path: `/metadata/finalizers/${i}` })),
  ];
}

/**
 * Sends removeFinalizersPatch for the object at `path`, as read (`finalizers`). An object already
 * gone counts as done: someone else let it go.
 */
export async function removeFinalizers(kube: KubeClient, path: string, finalizers: readonly string[], names: readonly string[]): Promise<void> {
  try {
    await kube.request('PATCH', path, { body: removeFinalizersPatch(finalizers, names), contentType: 'application/json-patch+json' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

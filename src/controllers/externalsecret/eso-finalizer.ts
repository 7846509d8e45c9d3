import type { ExternalSecret } from '../../api/generated.ts';
import { isNotFound, KubeApiError, type KubeClient } from '../../kube/client.ts';
import { externalSecrets, secrets } from '../../kube/resources.ts';
import { controllerOf, creationPolicy, targetName } from '../../sync/desired-secret.ts';
import { readSecret } from './target-secret.ts';

/**
 * ESO 2.x's cleanup finalizer. ESO puts it on every ExternalSecret it reconciles; when one is deleted, ESO
 * deletes the target Secret if deletionPolicy is Delete and the ExternalSecret owns it, then takes the
 * finalizer off. After a move from ESO the ExternalSecrets still carry it, and with ESO gone nothing would
 * take it off: their deletion (and their namespace's) would wait forever. So for the ExternalSecrets this
 * operator serves, it does ESO's part. It never puts the finalizer on: with creationPolicy Owner the garbage
 * collector removes the Secret, which needs no finalizer.
 */
export const ESO_CLEANUP_FINALIZER = 'externalsecrets.external-secrets.io/externalsecret-cleanup';

/** The garbage collector's finalizer on an object deleted with `--cascade=orphan`: its dependents are to stay. */
const ORPHAN_DEPENDENTS = 'orphan';

export const holdsEsoFinalizer = (es: ExternalSecret): boolean => es.metadata.finalizers?.includes(ESO_CLEANUP_FINALIZER) ?? false;

export type JsonPatch = Array<{ op: 'test' | 'remove'; path: string; value?: unknown }>;

/**
 * Takes one finalizer off and nothing else, as a JSON patch: the test makes the apiserver refuse it (and the
 * reconcile is retried on the fresh object) if the list moved since it was read, so a finalizer another
 * controller added or removed meanwhile is never lost or put back, as a whole-list write could.
 */
export function removeFinalizerPatch(finalizers: readonly string[], name: string): JsonPatch {
  const at = finalizers.indexOf(name);
  if (at < 0) throw new Error(`removeFinalizerPatch: ${name} is not among the finalizers`);
  return [
    { op: 'test', path: `/metadata/finalizers/${at}`, value: name },
    { op: 'remove', path: `/metadata/finalizers/${at}` },
  ];
}

/**
 * Whether ESO's cleanup deletes the target Secret of this ExternalSecret, before the Secret is read:
 * deletionPolicy Delete with creationPolicy Owner (the only Secret ESO deletes is one it owns), unless the
 * deletion asked to keep the dependents.
 */
export function cleanupDeletesTarget(es: ExternalSecret): boolean {
  if (es.metadata.finalizers?.includes(ORPHAN_DEPENDENTS)) return false;
  return (es.spec.target?.deletionPolicy ?? 'Retain') === 'Delete' && creationPolicy(es) === 'Owner';
}

/**
 * ESO's cleanup for an ExternalSecret being deleted that carries ESO's finalizer: the target Secret goes
 * when cleanupDeletesTarget says so and this ExternalSecret controls it (by uid, checked again by the
 * apiserver, so a Secret recreated meanwhile by someone else stays), then the finalizer comes off. Returns
 * whether a Secret was deleted.
 */
export async function releaseEsoFinalizer(kube: KubeClient, es: ExternalSecret): Promise<boolean> {
  const deleted = cleanupDeletesTarget(es) && await deleteControlledTarget(kube, es);
  try {
    await kube.request('PATCH', externalSecrets.path(es.metadata.namespace, es.metadata.name), {
      body: removeFinalizerPatch(es.metadata.finalizers ?? [], ESO_CLEANUP_FINALIZER),
      contentType: 'application/json-patch+json',
    });
  } catch (err) {
    // Already gone: someone else let it go.
    if (!isNotFound(err)) throw err;
  }
  return deleted;
}

async function deleteControlledTarget(kube: KubeClient, es: ExternalSecret): Promise<boolean> {
  const live = await readSecret(kube, es.metadata.namespace!, targetName(es));
  if (!live || live.metadata.deletionTimestamp || controllerOf(live.metadata)?.uid !== es.metadata.uid) return false;
  try {
    await kube.request('DELETE', secrets.path(live.metadata.namespace, live.metadata.name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: live.metadata.uid } },
    });
  } catch (err) {
    // Gone, or replaced by another Secret of that name (the uid precondition): neither is ours to delete.
    if (isNotFound(err) || (err instanceof KubeApiError && err.status === 409)) return false;
    throw err;
  }
  return true;
}

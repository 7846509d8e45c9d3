import type { ExternalSecret } from '../../api/generated.ts';
import { isNotFound, KubeApiError, type KubeClient } from '../../kube/client.ts';
import { orphansDependents, removeFinalizers } from '../../kube/remove-finalizers.ts';
import { configMaps, externalSecrets, secrets } from '../../kube/resources.ts';
import { controllerOf, creationPolicy, targetName } from '../../sync/desired-secret.ts';
import type { TargetKind } from '../../sync/target-kind.ts';
import { readConfigMap } from './target-configmap.ts';
import { readSecret } from './target-secret.ts';

/**
 * ESO 2.x's cleanup finalizer. ESO puts it on every ExternalSecret it reconciles; when one is deleted, ESO
 * deletes the target if deletionPolicy is Delete and the ExternalSecret owns it, then takes the
 * finalizer off. After a move from ESO the ExternalSecrets still carry it, and with ESO gone nothing would
 * take it off: their deletion (and their namespace's) would wait forever. So for the ExternalSecrets this
 * operator serves, it does ESO's part. It never puts the finalizer on: with creationPolicy Owner the garbage
 * collector removes the target, which needs no finalizer.
 */
export const ESO_CLEANUP_FINALIZER = 'externalsecrets.external-secrets.io/externalsecret-cleanup';

export const holdsEsoFinalizer = (es: ExternalSecret): boolean => es.metadata.finalizers?.includes(ESO_CLEANUP_FINALIZER) ?? false;

/**
 * Whether ESO's cleanup deletes the target of this ExternalSecret, before the target is read:
 * deletionPolicy Delete with creationPolicy Owner (the only target ESO deletes is one it owns), unless the
 * deletion asked to keep the dependents.
 */
export function cleanupDeletesTarget(es: ExternalSecret): boolean {
  if (orphansDependents(es.metadata)) return false;
  return (es.spec.target?.deletionPolicy ?? 'Retain') === 'Delete' && creationPolicy(es) === 'Owner';
}

/**
 * ESO's cleanup for an ExternalSecret being deleted that carries ESO's finalizer: the target goes
 * when cleanupDeletesTarget says so and this ExternalSecret controls it (by uid, checked again by the
 * apiserver, so a target recreated meanwhile by someone else stays), then the finalizer comes off.
 * The target is of `kind`, a Secret or a spec.target.manifest ConfigMap; undefined for a manifest
 * this operator does not write (generic targets disallowed, or another kind), which it never deletes
 * either: its RBAC has no delete on it, and with creationPolicy Owner the garbage collector removes
 * it. Returns whether a target was deleted.
 */
export async function releaseEsoFinalizer(kube: KubeClient, es: ExternalSecret, kind: TargetKind | undefined): Promise<boolean> {
  const deleted = kind !== undefined && cleanupDeletesTarget(es) && await deleteControlledTarget(kube, es, kind);
  await removeFinalizers(kube, externalSecrets.path(es.metadata.namespace, es.metadata.name), es.metadata.finalizers ?? [], [ESO_CLEANUP_FINALIZER]);
  return deleted;
}

async function deleteControlledTarget(kube: KubeClient, es: ExternalSecret, kind: TargetKind): Promise<boolean> {
  const namespace = es.metadata.namespace!;
  const live = kind === 'ConfigMap' ? await readConfigMap(kube, namespace, targetName(es)) : await readSecret(kube, namespace, targetName(es));
  if (!live || live.metadata.deletionTimestamp || controllerOf(live.metadata)?.uid !== es.metadata.uid) return false;
  const path = (kind === 'ConfigMap' ? configMaps : secrets).path(namespace, live.metadata.name);
  try {
    await kube.request('DELETE', path, { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: live.metadata.uid } } });
  } catch (err) {
    // Gone, or replaced by another object of that name (the uid precondition): neither is ours to delete.
    if (isNotFound(err) || (err instanceof KubeApiError && err.status === 409)) return false;
    throw err;
  }
  return true;
}

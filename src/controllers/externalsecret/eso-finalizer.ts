import type { ExternalSecret } from '../../api/generated.ts';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import { orphansDependents, removeFinalizers } from '../../kube/remove-finalizers.ts';
import { externalSecrets } from '../../kube/resources.ts';
import { controllerOf, creationPolicy, targetName } from '../../sync/desired-secret.ts';
import type { TargetKind } from '../../sync/target-kind.ts';
import { configMapKind } from './target-configmap.ts';
import { secretKind } from './target-secret.ts';
import { deleteIfThere, readTarget, type TargetKind as WriteKind, type TargetObject } from './target-write.ts';

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

/** The write flow's table of each kind this cleanup may delete. */
const kinds: { [K in TargetKind]: WriteKind<TargetObject> } = { Secret: secretKind, ConfigMap: configMapKind };

async function deleteControlledTarget(kube: KubeClient, es: ExternalSecret, kind: TargetKind): Promise<boolean> {
  const { resource } = kinds[kind];
  const live = await readTarget(kube, resource, es.metadata.namespace!, targetName(es));
  if (!live || live.metadata.deletionTimestamp || controllerOf(live.metadata)?.uid !== es.metadata.uid) return false;
  try {
    return await deleteIfThere(kube, resource, live);
  } catch (err) {
    // Replaced by another object of that name (the uid precondition): not ours to delete.
    if (err instanceof KubeApiError && err.status === 409) return false;
    throw err;
  }
}

import type { ExternalSecret } from '../../api/generated.ts';
import { ANNOTATION_DATA_HASH, LABEL_OWNER } from '../../api/well-known.ts';
import type { KubeClient } from '../../kube/client.ts';
import { secrets } from '../../kube/resources.ts';
import type { Secret } from '../../api/core.ts';
import { controllerOf, decodeData, nextSecret, ownerLabel, targetName, type RenderedTarget } from '../../sync/desired-secret.ts';
import { dataHash } from '../../go/hash.ts';
import { canonicalJson } from '../conditions.ts';
import { checkControlledForDelete, deleteIfThere, readTarget, sameTargetFields, writeTarget, type TargetKind, type WriteResult } from './target-write.ts';

/** The target Secret, written by the flow of target-write.ts; what is the Secret's own lives here. */

/** True when the Secret's data still matches the hash written with it: nobody edited it by hand. */
export function hashMatches(secret: Secret): boolean {
  return secret.metadata.annotations?.[ANNOTATION_DATA_HASH] === dataHash(decodeData(secret.data));
}

export const readSecret = (kube: KubeClient, namespace: string, name: string): Promise<Secret | undefined> =>
  readTarget<Secret>(kube, secrets, namespace, name);

export const secretKind: TargetKind<Secret> = {
  noun: 'Secret',
  resource: secrets,
  next: nextSecret,
  same: sameSecret,
  // A Secret's type is as immutable as its data.
  changesImmutable: (live, next) => canonicalJson(live.data) !== canonicalJson(next.data) || live.type !== next.type,
  rejectedHint: 'spec.target.template',
};

/** Compares and writes the target Secret (writeTarget says how). */
export const writeTargetSecret = (kube: KubeClient, es: ExternalSecret, rendered: RenderedTarget, cached: Secret | undefined): Promise<WriteResult<Secret>> =>
  writeTarget(kube, secretKind, es, rendered, cached);

/**
 * Under creationPolicy Owner, Secrets this ExternalSecret created under an earlier
 * target name are deleted, as ESO does (found by its created-by label). `keep` is the
 * Secret that is the target now, if the target is a Secret.
 */
export async function deleteOrphanedSecrets(kube: KubeClient, es: ExternalSecret, managed: Secret[], keep: string | undefined = targetName(es)): Promise<string[]> {
  const hash = ownerLabel(es);
  const orphans = managed.filter((s) => s.metadata.labels?.[LABEL_OWNER] === hash && s.metadata.name !== keep
    && controllerOf(s.metadata)?.uid === es.metadata.uid);
  // With the cached uid as a precondition: a Secret of that name made anew since the cache saw ours is not ours.
  for (const orphan of orphans) await deleteIfThere(kube, secrets, orphan);
  return orphans.map((s) => s.metadata.name);
}

/**
 * Deletes the target for deletionPolicy Delete: only a Secret this ExternalSecret controls.
 * Returns false when there is none, or when its deletion is already under way (a finalizer, e.g.
 * from template.metadata.finalizers, holds it until its controller lets go): each refresh would
 * otherwise delete it again and record another Event. Any other Secret of that name is left in
 * place, and the failure says so: reporting SecretDeleted for a Secret still there would be false.
 */
export async function deleteTargetSecret(kube: KubeClient, es: ExternalSecret): Promise<boolean> {
  const live = await readSecret(kube, es.metadata.namespace!, targetName(es));
  if (!live) return false;
  checkControlledForDelete(es, live, 'Secret');
  if (live.metadata.deletionTimestamp) return false;
  await deleteIfThere(kube, secrets, live);
  return true;
}

/** Besides what every target compares, a Secret's finalizers (template.metadata.finalizers) and type. */
function sameSecret(a: Secret, b: Secret): boolean {
  return sameTargetFields(a, b)
    && canonicalJson(a.metadata.finalizers ?? []) === canonicalJson(b.metadata.finalizers ?? [])
    && (a.type ?? 'Opaque') === (b.type ?? 'Opaque');
}

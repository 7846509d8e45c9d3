import type { ExternalSecret, ObjectMeta } from '../../api/generated.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_VALUE, LABEL_OWNER } from '../../api/well-known.ts';
import { OperatorError } from '../../errors.ts';
import { isConflict, isNotFound, KubeApiError, type KubeClient } from '../../kube/client.ts';
import { secrets } from '../../kube/resources.ts';
import type { Secret } from '../../api/core.ts';
import { controllerOf, creationPolicy, decodeData, mergesIntoOthers, nextSecret, ownerLabel, targetName, type RenderedTarget } from '../../sync/desired-secret.ts';
import { dataHash } from '../../go/hash.ts';
import { fieldManagerFor } from '../../sync/managed-fields.ts';
import { canonicalJson } from '../conditions.ts';

export type WriteOutcome = 'created' | 'updated' | 'unchanged' | 'missing';

/**
 * Whether an existing target (a Secret, or a ConfigMap for spec.target.manifest) may be written by
 * this ExternalSecret. Another ExternalSecret's target is never touched; one this operator did not
 * create is written into only with creationPolicy Merge or CreateOrMerge.
 */
export function checkOwnership(es: ExternalSecret, live: { metadata: ObjectMeta }, kind: 'Secret' | 'ConfigMap' = 'Secret'): void {
  const owner = controllerOf(live.metadata);
  if (owner && owner.uid !== es.metadata.uid) {
    if (owner.kind === 'ExternalSecret') {
      throw new OperatorError('TargetOwnedByAnother', `target is owned by another ExternalSecret: ${kind} "${live.metadata.name}" is controlled by ExternalSecret "${owner.name}"; choose another spec.target.name`);
    }
    throw new OperatorError('TargetNotManaged', `failed to take ownership of target ${kind.toLowerCase()}: ${kind} "${live.metadata.name}" is controlled by ${owner.kind} "${owner.name}"; choose another spec.target.name`);
  }
  const ours = owner?.uid === es.metadata.uid || live.metadata.labels?.[LABEL_MANAGED] === LABEL_MANAGED_VALUE;
  if (!ours && !mergesIntoOthers(es)) {
    throw new OperatorError('TargetNotManaged', `target ${kind} "${live.metadata.name}" already exists and is not managed by an ExternalSecret; delete it, choose another spec.target.name, or set spec.target.creationPolicy: Merge or CreateOrMerge to write into it`);
  }
}

/** True when the Secret's data still matches the hash written with it: nobody edited it by hand. */
export function hashMatches(secret: Secret): boolean {
  return secret.metadata.annotations?.[ANNOTATION_DATA_HASH] === dataHash(decodeData(secret.data));
}

export async function readSecret(kube: KubeClient, namespace: string, name: string): Promise<Secret | undefined> {
  try {
    return await kube.get<Secret>(secrets.path(namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Compares and writes the target Secret; no write when nothing changed. creationPolicy None
 * writes nothing; Merge never creates the Secret ('missing'). `cached` is the managed Secret of
 * that name in the operator's cache: it stands for the live one (a stale copy makes the update
 * fail with 409, and the live one is read and compared instead, once), so a Secret already as
 * desired costs no request. With
 * none cached the Secret is created at once, and read only when the apiserver says it exists;
 * Merge writes into Secrets the operator does not manage (not cached), so it reads first.
 */
export async function writeTargetSecret(
  kube: KubeClient, es: ExternalSecret, rendered: RenderedTarget, cached: Secret | undefined, reread = false,
): Promise<WriteOutcome> {
  const policy = creationPolicy(es);
  if (policy === 'None') return 'unchanged';
  const namespace = es.metadata.namespace!;
  const name = targetName(es);
  const query = { fieldManager: fieldManagerFor(es.metadata.name) };
  let live = policy === 'Merge' ? await readSecret(kube, namespace, name) : cached;
  if (!live && policy === 'Merge') return 'missing';
  if (!live) {
    try {
      await rejectedAsTarget(name, () => kube.request('POST', secrets.path(namespace), { body: nextSecret(es, rendered, undefined), query }));
      return 'created';
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    }
    live = await readSecret(kube, namespace, name);
    // Deleted again in between: the retry creates it.
    if (!live) throw new KubeApiError(409, 'Conflict', `Secret "${name}" existed when created and was gone when read; retrying`);
  }
  checkOwnership(es, live);
  const next = nextSecret(es, rendered, live);
  if (sameSecret(live, next)) return 'unchanged';
  if (live.immutable && (canonicalJson(live.data) !== canonicalJson(next.data) || live.type !== next.type)) {
    throw new OperatorError('TargetImmutable', `could not update secret, target is immutable: Secret "${name}" is immutable and its data would change; delete it to have it recreated`);
  }
  // The base's resourceVersion makes this a compare-and-swap: a concurrent edit gives 409.
  try {
    await rejectedAsTarget(name, () => kube.request('PUT', secrets.path(namespace, name), { body: next, query }));
  } catch (err) {
    // A cached base the watch had not yet brought up to date (e.g. this operator's own last write):
    // compare again with the live Secret, once; a 409 on that is a concurrent edit, retried later.
    if (!(isConflict(err) && live === cached && policy !== 'Merge' && !reread)) throw err;
    return writeTargetSecret(kube, es, rendered, await readSecret(kube, namespace, name), true);
  }
  return 'updated';
}

/** A write of the target that the apiserver refuses as invalid is the rendered Secret's fault, not the apiserver's. */
async function rejectedAsTarget(name: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 422)) throw err;
    // The client's message names the refused fields and never quotes what was sent.
    throw new OperatorError('TargetRejected', `the apiserver refused Secret "${name}" as rendered; check spec.target.template: ${err.message}`, { cause: err });
  }
}

/**
 * Under creationPolicy Owner, Secrets this ExternalSecret created under an earlier
 * target name are deleted, as ESO does (found by its created-by label). `keep` is the
 * Secret that is the target now, if the target is a Secret.
 */
export async function deleteOrphanedSecrets(kube: KubeClient, es: ExternalSecret, managed: Secret[], keep: string | undefined = targetName(es)): Promise<string[]> {
  const hash = ownerLabel(es);
  const orphans = managed.filter((s) => s.metadata.labels?.[LABEL_OWNER] === hash && s.metadata.name !== keep
    && controllerOf(s.metadata)?.uid === es.metadata.uid);
  for (const orphan of orphans) {
    try {
      await kube.request('DELETE', secrets.path(orphan.metadata.namespace, orphan.metadata.name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
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
  if (controllerOf(live.metadata)?.uid !== es.metadata.uid) {
    const owner = controllerOf(live.metadata);
    const code = owner?.kind === 'ExternalSecret' ? 'TargetOwnedByAnother' : 'TargetNotManaged';
    const by = owner ? `is controlled by ${owner.kind} "${owner.name}"` : 'is not controlled by this ExternalSecret';
    throw new OperatorError(code, `the provider secrets are gone and deletionPolicy is Delete, but Secret "${live.metadata.name}" ${by}: it was left in place, not deleted; choose another spec.target.name or delete it yourself`);
  }
  if (live.metadata.deletionTimestamp) return false;
  try {
    await kube.request('DELETE', secrets.path(live.metadata.namespace, live.metadata.name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: live.metadata.uid } },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return true;
}

function sameSecret(a: Secret, b: Secret): boolean {
  return canonicalJson(a.data ?? {}) === canonicalJson(b.data ?? {})
    && canonicalJson(a.metadata.labels ?? {}) === canonicalJson(b.metadata.labels ?? {})
    && canonicalJson(a.metadata.annotations ?? {}) === canonicalJson(b.metadata.annotations ?? {})
    && canonicalJson(a.metadata.ownerReferences ?? []) === canonicalJson(b.metadata.ownerReferences ?? [])
    && canonicalJson(a.metadata.finalizers ?? []) === canonicalJson(b.metadata.finalizers ?? [])
    && (a.type ?? 'Opaque') === (b.type ?? 'Opaque')
    && Boolean(a.immutable) === Boolean(b.immutable);
}

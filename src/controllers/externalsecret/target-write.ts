import type { ExternalSecret, ObjectMeta } from '../../api/generated.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_VALUE } from '../../api/well-known.ts';
import { OperatorError } from '../../errors.ts';
import { isConflict, isNotFound, KubeApiError, type KubeClient } from '../../kube/client.ts';
import type { ResourceType } from '../../kube/resources.ts';
import { controllerOf, creationPolicy, mergesIntoOthers, targetName, type RenderedTarget } from '../../sync/desired-secret.ts';
import { fieldManagerFor } from '../../sync/managed-fields.ts';
import { canonicalJson } from '../conditions.ts';

/**
 * How a target object (the Secret, or the ConfigMap of spec.target.manifest) is written: one flow
 * for both kinds, with the same ownership rules; target-secret.ts and target-configmap.ts supply
 * what differs between them (TargetKind).
 */

export type WriteOutcome = 'created' | 'updated' | 'unchanged' | 'missing';

/** What a write did; for an update that changed the data, the object as written. */
export interface WriteResult<T extends TargetObject = TargetObject> {
  outcome: WriteOutcome;
  /**
   * Set when an update changed the data from what this operator last wrote: the live object's
   * data-hash annotation (written with the data) differs from the new one. Never on create, never
   * when only labels or annotations changed, never for a repair that restores the data last
   * written (a hand edit leaves the annotation as it was); a live object without the annotation
   * (written by someone else, under Merge) holds nothing of ours to compare.
   */
  dataChanged?: T;
}

/** A target object: what the write flow reads of it. */
export interface TargetObject {
  metadata: ObjectMeta;
  data?: Record<string, string>;
  immutable?: boolean;
}

/** What the write flow needs to know of one target kind. */
export interface TargetKind<T extends TargetObject> {
  /** The kind's name as messages say it. */
  noun: 'Secret' | 'ConfigMap';
  resource: ResourceType;
  /** The object to write: the live one (if any) with this ExternalSecret's content laid over it. */
  next(es: ExternalSecret, rendered: RenderedTarget, live: T | undefined): T;
  /** True when writing `next` over `live` would change nothing this operator writes. */
  same(live: T, next: T): boolean;
  /** True when `next` changes what an immutable object cannot change. */
  changesImmutable(live: T, next: T): boolean;
  /** What to check when the apiserver refuses the rendered object as invalid. */
  rejectedHint: string;
}

/** The object of that kind and name, or undefined when there is none. */
export async function readTarget<T extends TargetObject>(kube: KubeClient, resource: ResourceType, namespace: string, name: string): Promise<T | undefined> {
  try {
    return await kube.get<T>(resource.path(namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Whether an existing target may be written by this ExternalSecret. Another ExternalSecret's
 * target is never touched; one this operator did not create is written into only with
 * creationPolicy Merge or CreateOrMerge.
 */
export function checkOwnership(es: ExternalSecret, live: { metadata: ObjectMeta }, kind: 'Secret' | 'ConfigMap'): void {
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

/**
 * For deletionPolicy Delete: the live target may be deleted only if this ExternalSecret controls
 * it; any other object of that name is left in place, and the failure says so (reporting it
 * deleted while it is still there would be false).
 */
export function checkControlledForDelete(es: ExternalSecret, live: { metadata: ObjectMeta }, kind: 'Secret' | 'ConfigMap'): void {
  const owner = controllerOf(live.metadata);
  if (owner?.uid === es.metadata.uid) return;
  const code = owner?.kind === 'ExternalSecret' ? 'TargetOwnedByAnother' : 'TargetNotManaged';
  const by = owner ? `is controlled by ${owner.kind} "${owner.name}"` : 'is not controlled by this ExternalSecret';
  throw new OperatorError(code, `the provider secrets are gone and deletionPolicy is Delete, but ${kind} "${live.metadata.name}" ${by}: it was left in place, not deleted; choose another spec.target.name or delete it yourself`);
}

/**
 * Compares and writes the target; no write when nothing changed. creationPolicy None writes
 * nothing; Merge never creates the target ('missing'). `cached` is the managed object of that name
 * in the operator's cache: it stands for the live one (a stale copy makes the update fail with
 * 409, and the live one is read and compared instead, once), so a target already as desired costs
 * no request. With none cached the target is created at once, and read only when the apiserver
 * says it exists; Merge writes into objects the operator does not manage (not cached), so it
 * reads first.
 */
export async function writeTarget<T extends TargetObject>(
  kube: KubeClient, kind: TargetKind<T>, es: ExternalSecret, rendered: RenderedTarget, cached: T | undefined, reread = false,
): Promise<WriteResult<T>> {
  const policy = creationPolicy(es);
  if (policy === 'None') return { outcome: 'unchanged' };
  const namespace = es.metadata.namespace!;
  const name = targetName(es);
  const query = { fieldManager: fieldManagerFor(es.metadata.name) };
  const read = () => readTarget<T>(kube, kind.resource, namespace, name);
  let live = policy === 'Merge' ? await read() : cached;
  if (!live && policy === 'Merge') return { outcome: 'missing' };
  if (!live) {
    try {
      await rejectedAsTarget(kind, name, () => kube.request('POST', kind.resource.path(namespace), { body: kind.next(es, rendered, undefined), query }));
      return { outcome: 'created' };
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    live = await read();
    // Deleted again in between: the retry creates it.
    if (!live) throw new KubeApiError(409, 'Conflict', `${kind.noun} "${name}" existed when created and was gone when read; retrying`);
  }
  checkOwnership(es, live, kind.noun);
  const next = kind.next(es, rendered, live);
  if (kind.same(live, next)) return { outcome: 'unchanged' };
  if (live.immutable && kind.changesImmutable(live, next)) {
    throw new OperatorError('TargetImmutable', `could not update ${kind.noun.toLowerCase()}, target is immutable: ${kind.noun} "${name}" is immutable and its data would change; delete it to have it recreated`);
  }
  // The base's resourceVersion makes this a compare-and-swap: a concurrent edit gives 409.
  try {
    await rejectedAsTarget(kind, name, () => kube.request('PUT', kind.resource.path(namespace, name), { body: next, query }));
  } catch (err) {
    // A cached base the watch had not yet brought up to date (e.g. this operator's own last write):
    // compare again with the live object, once; a 409 on that is a concurrent edit, retried later.
    if (!(isConflict(err) && live === cached && policy !== 'Merge' && !reread)) throw err;
    return writeTarget(kube, kind, es, rendered, await read(), true);
  }
  const before = live.metadata.annotations?.[ANNOTATION_DATA_HASH];
  return before !== undefined && before !== next.metadata.annotations?.[ANNOTATION_DATA_HASH] ? { outcome: 'updated', dataChanged: next } : { outcome: 'updated' };
}

/** A write of the target that the apiserver refuses as invalid is the rendered object's fault, not the apiserver's. */
async function rejectedAsTarget(kind: Pick<TargetKind<TargetObject>, 'noun' | 'rejectedHint'>, name: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 422)) throw err;
    // The client's message names the refused fields and never quotes what was sent.
    throw new OperatorError('TargetRejected', `the apiserver refused ${kind.noun} "${name}" as rendered; check ${kind.rejectedHint}: ${err.message}`, { cause: err });
  }
}

/**
 * Deletes that very object (its uid as precondition); one already gone is fine. Returns whether it
 * was deleted (false: already gone). Another object of that name (the precondition fails, 409) is an
 * error: the caller decides what that means.
 */
export async function deleteIfThere(kube: KubeClient, resource: ResourceType, object: { metadata: ObjectMeta }): Promise<boolean> {
  try {
    await kube.request('DELETE', resource.path(object.metadata.namespace, object.metadata.name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: object.metadata.uid } },
    });
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return true;
}

/** The fields both kinds compare before a write: data, labels, annotations, owner references, immutability. */
export function sameTargetFields(a: TargetObject, b: TargetObject): boolean {
  return canonicalJson(a.data ?? {}) === canonicalJson(b.data ?? {})
    && canonicalJson(a.metadata.labels ?? {}) === canonicalJson(b.metadata.labels ?? {})
    && canonicalJson(a.metadata.annotations ?? {}) === canonicalJson(b.metadata.annotations ?? {})
    && canonicalJson(a.metadata.ownerReferences ?? []) === canonicalJson(b.metadata.ownerReferences ?? [])
    && Boolean(a.immutable) === Boolean(b.immutable);
}

import type { ConfigMap } from '../../api/core.ts';
import type { ExternalSecret } from '../../api/generated.ts';
import { LABEL_OWNER } from '../../api/well-known.ts';
import { OperatorError } from '../../errors.ts';
import { isConflict, isNotFound, KubeApiError, type KubeClient } from '../../kube/client.ts';
import { configMaps } from '../../kube/resources.ts';
import { nextConfigMap } from '../../sync/desired-configmap.ts';
import { controllerOf, creationPolicy, ownerLabel, targetName, type RenderedTarget } from '../../sync/desired-secret.ts';
import { fieldManagerFor } from '../../sync/managed-fields.ts';
import { canonicalJson } from '../conditions.ts';
import { checkOwnership, type WriteOutcome } from './target-secret.ts';

/**
 * The ConfigMap target of spec.target.manifest {apiVersion: v1, kind: ConfigMap}, written as the
 * target Secret is (target-secret.ts): with the same ownership rules, created without a read,
 * compared with the operator's cache of managed ConfigMaps and updated at its resourceVersion.
 */

export async function readConfigMap(kube: KubeClient, namespace: string, name: string): Promise<ConfigMap | undefined> {
  try {
    return await kube.get<ConfigMap>(configMaps.path(namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Compares and writes the target ConfigMap; no write when nothing changed. creationPolicy None
 * writes nothing; Merge never creates it ('missing') and reads it first (it is not in the cache of
 * managed ConfigMaps). `cached` stands for the live one; a stale copy makes the update fail with
 * 409, and the live one is read and compared instead, once.
 */
export async function writeTargetConfigMap(
  kube: KubeClient, es: ExternalSecret, rendered: RenderedTarget, cached: ConfigMap | undefined, reread = false,
): Promise<WriteOutcome> {
  const policy = creationPolicy(es);
  if (policy === 'None') return 'unchanged';
  const namespace = es.metadata.namespace!;
  const name = targetName(es);
  const query = { fieldManager: fieldManagerFor(es.metadata.name) };
  let live = policy === 'Merge' ? await readConfigMap(kube, namespace, name) : cached;
  if (!live && policy === 'Merge') return 'missing';
  if (!live) {
    try {
      await rejectedAsTarget(name, () => kube.request('POST', configMaps.path(namespace), { body: nextConfigMap(es, rendered, undefined), query }));
      return 'created';
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    }
    live = await readConfigMap(kube, namespace, name);
    // Deleted again in between: the retry creates it.
    if (!live) throw new KubeApiError(409, 'Conflict', `ConfigMap "${name}" existed when created and was gone when read; retrying`);
  }
  checkOwnership(es, live, 'ConfigMap');
  const next = nextConfigMap(es, rendered, live);
  if (sameConfigMap(live, next)) return 'unchanged';
  if (live.immutable && canonicalJson(live.data ?? {}) !== canonicalJson(next.data ?? {})) {
    throw new OperatorError('TargetImmutable', `could not update configmap, target is immutable: ConfigMap "${name}" is immutable and its data would change; delete it to have it recreated`);
  }
  try {
    await rejectedAsTarget(name, () => kube.request('PUT', configMaps.path(namespace, name), { body: next, query }));
  } catch (err) {
    // A cached base the watch had not yet brought up to date: compare again with the live one, once.
    if (!(isConflict(err) && live === cached && policy !== 'Merge' && !reread)) throw err;
    return writeTargetConfigMap(kube, es, rendered, await readConfigMap(kube, namespace, name), true);
  }
  return 'updated';
}

/** A write the apiserver refuses as invalid (e.g. a key a ConfigMap cannot hold) is the rendered target's fault. */
async function rejectedAsTarget(name: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 422)) throw err;
    // The client's message names the refused fields and never quotes what was sent.
    throw new OperatorError('TargetRejected', `the apiserver refused ConfigMap "${name}" as rendered; check the data keys and spec.target.template: ${err.message}`, { cause: err });
  }
}

/**
 * Deletes the target ConfigMap for deletionPolicy Delete: only one this ExternalSecret controls.
 * Returns false when there is none; any other ConfigMap of that name is left, and the failure says so.
 */
export async function deleteTargetConfigMap(kube: KubeClient, es: ExternalSecret): Promise<boolean> {
  const live = await readConfigMap(kube, es.metadata.namespace!, targetName(es));
  if (!live) return false;
  const owner = controllerOf(live.metadata);
  if (owner?.uid !== es.metadata.uid) {
    const code = owner?.kind === 'ExternalSecret' ? 'TargetOwnedByAnother' : 'TargetNotManaged';
    const by = owner ? `is controlled by ${owner.kind} "${owner.name}"` : 'is not controlled by this ExternalSecret';
    throw new OperatorError(code, `the provider secrets are gone and deletionPolicy is Delete, but ConfigMap "${live.metadata.name}" ${by}: it was left in place, not deleted; choose another spec.target.name or delete it yourself`);
  }
  await deleteIfThere(kube, live);
  return true;
}

/**
 * Under creationPolicy Owner, ConfigMaps this ExternalSecret created and no longer targets (an
 * earlier target name, or the target is a Secret again) are deleted, as Secrets are.
 */
export async function deleteOrphanedConfigMaps(kube: KubeClient, es: ExternalSecret, managed: ConfigMap[], keep: string | undefined): Promise<string[]> {
  const hash = ownerLabel(es);
  const orphans = managed.filter((c) => c.metadata.labels?.[LABEL_OWNER] === hash && c.metadata.name !== keep
    && controllerOf(c.metadata)?.uid === es.metadata.uid);
  for (const orphan of orphans) await deleteIfThere(kube, orphan);
  return orphans.map((c) => c.metadata.name);
}

/** Deletes that very ConfigMap (its uid as precondition); one already gone is fine. */
async function deleteIfThere(kube: KubeClient, configMap: ConfigMap): Promise<void> {
  try {
    await kube.request('DELETE', configMaps.path(configMap.metadata.namespace, configMap.metadata.name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: configMap.metadata.uid } },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function sameConfigMap(a: ConfigMap, b: ConfigMap): boolean {
  return canonicalJson(a.data ?? {}) === canonicalJson(b.data ?? {})
    && canonicalJson(a.metadata.labels ?? {}) === canonicalJson(b.metadata.labels ?? {})
    && canonicalJson(a.metadata.annotations ?? {}) === canonicalJson(b.metadata.annotations ?? {})
    && canonicalJson(a.metadata.ownerReferences ?? []) === canonicalJson(b.metadata.ownerReferences ?? [])
    && Boolean(a.immutable) === Boolean(b.immutable);
}

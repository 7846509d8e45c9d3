import type { ConfigMap } from '../../api/core.ts';
import type { ExternalSecret } from '../../api/generated.ts';
import { LABEL_OWNER } from '../../api/well-known.ts';
import type { KubeClient } from '../../kube/client.ts';
import { configMaps } from '../../kube/resources.ts';
import { nextConfigMap } from '../../sync/desired-configmap.ts';
import { controllerOf, ownerLabel, targetName, type RenderedTarget } from '../../sync/desired-secret.ts';
import { canonicalJson } from '../conditions.ts';
import { checkControlledForDelete, deleteIfThere, readTarget, sameTargetFields, writeTarget, type TargetKind, type WriteResult } from './target-write.ts';

/**
 * The ConfigMap target of spec.target.manifest {apiVersion: v1, kind: ConfigMap}, written as the
 * target Secret is (target-write.ts): with the same ownership rules, created without a read,
 * compared with the operator's cache of managed ConfigMaps and updated at its resourceVersion.
 */

export const readConfigMap = (kube: KubeClient, namespace: string, name: string): Promise<ConfigMap | undefined> =>
  readTarget<ConfigMap>(kube, configMaps, namespace, name);

export const configMapKind: TargetKind<ConfigMap> = {
  noun: 'ConfigMap',
  resource: configMaps,
  next: nextConfigMap,
  same: sameTargetFields,
  changesImmutable: (live, next) => canonicalJson(live.data ?? {}) !== canonicalJson(next.data ?? {}),
  // e.g. a key a ConfigMap cannot hold
  rejectedHint: 'the data keys and spec.target.template',
};

/**
 * Compares and writes the target ConfigMap (writeTarget says how). Merge reads it first: it is
 * not in the cache of managed ConfigMaps.
 */
export const writeTargetConfigMap = (kube: KubeClient, es: ExternalSecret, rendered: RenderedTarget, cached: ConfigMap | undefined): Promise<WriteResult<ConfigMap>> =>
  writeTarget(kube, configMapKind, es, rendered, cached);

/**
 * Deletes the target ConfigMap for deletionPolicy Delete: only one this ExternalSecret controls.
 * Returns false when there is none, or when its deletion is already under way (another
 * controller's finalizer holds it): each refresh would otherwise delete it again and record
 * another Event. Any other ConfigMap of that name is left, and the failure says so.
 */
export async function deleteTargetConfigMap(kube: KubeClient, es: ExternalSecret): Promise<boolean> {
  const live = await readConfigMap(kube, es.metadata.namespace!, targetName(es));
  if (!live) return false;
  checkControlledForDelete(es, live, 'ConfigMap');
  if (live.metadata.deletionTimestamp) return false;
  await deleteIfThere(kube, configMaps, live);
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
  for (const orphan of orphans) await deleteIfThere(kube, configMaps, orphan);
  return orphans.map((c) => c.metadata.name);
}

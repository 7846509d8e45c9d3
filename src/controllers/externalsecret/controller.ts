import type { ClusterSecretStore, ExternalSecret, SecretStore } from '../../api/generated.ts';
import type { Informer } from '../../kube/informer.ts';
import { objectKey } from '../../kube/informer.ts';
import type { WorkQueue } from '../../kube/queue.ts';
import type { Secret } from '../../api/core.ts';
import { targetName } from '../../sync/desired-secret.ts';
import { syncedResourceVersion } from '../../go/hash.ts';
import { storeIndexKey } from './store-resolver.ts';

export const BY_STORE = 'store';
export const BY_TARGET = 'target';

export interface ExternalSecretInformers {
  externalSecrets: Informer<ExternalSecret>;
  secretStores: Informer<SecretStore>;
  clusterSecretStores: Informer<ClusterSecretStore>;
  managedSecrets: Informer<Secret>;
}

/**
 * Turns watch events into queue keys. Handlers only enqueue: a relist replays
 * objects, so they must stay cheap and idempotent.
 */
export function wireExternalSecretEvents(informers: ExternalSecretInformers, queue: WorkQueue): void {
  const { externalSecrets, secretStores, clusterSecretStores, managedSecrets } = informers;
  externalSecrets
    .addIndex(BY_STORE, (es) => [storeIndexKey(es)])
    .addIndex(BY_TARGET, (es) => [`${es.metadata.namespace}/${targetName(es)}`]);

  const lastSeen = new Map<string, string>();
  externalSecrets.on((event, es) => {
    const key = objectKey(es);
    if (event === 'deleted') {
      lastSeen.delete(key);
      queue.forget(key);
      return;
    }
    // Our own status writes must not wake the reconciler: only spec, labels or annotations count.
    const version = syncedResourceVersion(es.metadata.generation ?? 0, es.metadata.labels, es.metadata.annotations);
    if (lastSeen.get(key) === version) return;
    lastSeen.set(key, version);
    queue.add(key);
  });

  const enqueueUsers = (indexKey: string) => {
    for (const es of externalSecrets.byIndex(BY_STORE, indexKey)) queue.add(objectKey(es));
  };
  // Store status writes do not change what ExternalSecrets see: only a new generation counts.
  const storeGenerations = new Map<string, number | undefined>();
  const onStore = (indexKey: string) => (event: string, store: { metadata: { generation?: number } }) => {
    if (event !== 'deleted' && storeGenerations.has(indexKey) && storeGenerations.get(indexKey) === store.metadata.generation) return;
    if (event === 'deleted') storeGenerations.delete(indexKey);
    else storeGenerations.set(indexKey, store.metadata.generation);
    enqueueUsers(indexKey);
  };
  secretStores.on((event, store) => onStore(`SecretStore/${store.metadata.namespace}/${store.metadata.name}`)(event, store));
  clusterSecretStores.on((event, store) => onStore(`ClusterSecretStore/${store.metadata.name}`)(event, store));

  // A managed Secret deleted or edited by hand wakes the ExternalSecret that targets it.
  managedSecrets.on((_event, secret) => {
    for (const es of externalSecrets.byIndex(BY_TARGET, objectKey(secret))) queue.add(objectKey(es));
  });
}

import type { Logger } from 'pino';
import { reasonOf } from '../../errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { ReconcileResult } from '../../kube/queue.ts';
import { clusterSecretStores, secretStores } from '../../kube/resources.ts';
import { sameContent, withReady } from '../conditions.ts';
import { validateStore, type AnyStore } from './validate.ts';

export interface StoreReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  store(key: string): AnyStore | undefined;
}

/** Queue keys for stores: the two kinds share one queue. */
export const storeKey = (store: AnyStore): string =>
  store.kind === 'ClusterSecretStore' ? `ClusterSecretStore/${store.metadata.name}` : `SecretStore/${store.metadata.namespace}/${store.metadata.name}`;

/**
 * Reports whether a store is usable, as ESO does: Ready=True with reason Valid, or
 * Ready=False with InvalidProviderConfig and the reason code in the message.
 * Credentials are checked per ExternalSecret, where the namespace is known.
 */
export class SecretStoreReconciler {
  private readonly deps: StoreReconcilerDeps;

  constructor(deps: StoreReconcilerDeps) {
    this.deps = deps;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const store = this.deps.store(key);
    if (!store || store.metadata.deletionTimestamp) return {};
    let ready: { status: 'True' | 'False'; reason: string; message: string };
    try {
      validateStore(store);
      ready = { status: 'True', reason: 'Valid', message: 'store validated' };
    } catch (err) {
      ready = { status: 'False', reason: 'InvalidProviderConfig', message: `${reasonOf(err)}: ${(err as Error).message}` };
    }
    const status = { ...store.status, conditions: withReady(store.status?.conditions, ready, this.deps.clock.now()), capabilities: 'ReadOnly' };
    if (sameContent(store.status, status)) return {};
    const type = store.kind === 'ClusterSecretStore' ? clusterSecretStores : secretStores;
    await this.deps.kube.request('PATCH', type.path(store.metadata.namespace, store.metadata.name, 'status'), {
      body: { status },
      contentType: 'application/merge-patch+json',
    });
    store.status = status as AnyStore['status'];
    if (ready.status === 'True') this.deps.events.normal(store, 'Valid', ready.message);
    else this.deps.events.warning(store, 'InvalidProviderConfig', ready.message);
    return {};
  }
}

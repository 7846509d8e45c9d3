import type { Logger } from 'pino';
import { failureMessage, reasonOf } from '../../errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { ReconcileResult } from '../../kube/queue.ts';
import { clusterSecretStores, secretStores } from '../../kube/resources.ts';
import { sameContent, withReady, type Ready } from '../conditions.ts';
import { validateStore, type AnyStore } from './validate.ts';

export interface StoreReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
}

/**
 * Ready=True with reason Valid, as ESO says it; else Ready=False with the failure's reason
 * code (InvalidProviderConfig where ESO would say so too, UnsupportedProvider, UnsupportedField),
 * the message starting with it.
 */
export function storeReady(store: AnyStore): Ready {
  try {
    validateStore(store);
    return { status: 'True', reason: 'Valid', message: 'store validated' };
  } catch (err) {
    return { status: 'False', reason: reasonOf(err), message: failureMessage(err) };
  }
}

/**
 * Reports whether a store is usable. Credentials are checked per ExternalSecret, where the
 * namespace is known.
 */
export class SecretStoreReconciler {
  private readonly deps: StoreReconcilerDeps;

  constructor(deps: StoreReconcilerDeps) {
    this.deps = deps;
  }

  async reconcile(store: AnyStore): Promise<ReconcileResult> {
    if (store.metadata.deletionTimestamp) return {};
    const ready = storeReady(store);
    const status = { ...store.status, conditions: withReady(store.status?.conditions, ready, this.deps.clock.now()), capabilities: 'ReadOnly' };
    if (sameContent(store.status, status)) return {};
    const type = store.kind === 'ClusterSecretStore' ? clusterSecretStores : secretStores;
    await this.deps.kube.request('PATCH', type.path(store.metadata.namespace, store.metadata.name, 'status'), {
      body: { status },
      contentType: 'application/merge-patch+json',
    });
    store.status = status as AnyStore['status'];
    if (ready.status === 'True') this.deps.events.normal(store, ready.reason, ready.message);
    else this.deps.events.warning(store, ready.reason, ready.message);
    return {};
  }
}

import type { Logger } from 'pino';
import { failureMessage, reasonOf } from '../../errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { ReconcileResult } from '../../kube/queue.ts';
import { clusterSecretStores, secretStores } from '../../kube/resources.ts';
import { sameContent, withReady, type Ready } from '../conditions.ts';
import { changeNotificationsCondition, CHANGE_NOTIFICATIONS, withChangeNotifications, type StoreChangeState } from './change-notifications.ts';
import { validateStore, type AnyStore } from './validate.ts';

export interface StoreReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  /** How changes in AWS reach the store's ExternalSecrets (changes/queue-listeners.ts): its ChangeNotifications condition. */
  changeState?: (store: AnyStore) => StoreChangeState;
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
    const now = this.deps.clock.now();
    const change = this.deps.changeState ? changeNotificationsCondition(this.deps.changeState(store)) : undefined;
    const conditions = withReady(withChangeNotifications(store.status?.conditions, change, now), ready, now);
    const status = { ...store.status, conditions, capabilities: 'ReadOnly' };
    if (sameContent(store.status, status)) return {};
    const type = store.kind === 'ClusterSecretStore' ? clusterSecretStores : secretStores;
    await this.deps.kube.request('PATCH', type.path(store.metadata.namespace, store.metadata.name, 'status'), {
      body: { status },
      contentType: 'application/merge-patch+json',
    });
    const before = store.status?.conditions;
    store.status = status as AnyStore['status'];
    // An Event for each condition whose content changed, not for every status write.
    if (changedFrom(before, 'Ready', ready)) {
      if (ready.status === 'True') this.deps.events.normal(store, ready.reason, ready.message);
      else this.deps.events.warning(store, ready.reason, ready.message);
    }
    if (change && change.status !== 'Unknown' && changedFrom(before, CHANGE_NOTIFICATIONS, change)) {
      if (change.status === 'True') this.deps.events.normal(store, change.reason, change.message);
      else this.deps.events.warning(store, change.reason, change.message);
    }
    return {};
  }
}

function changedFrom(conditions: ReadonlyArray<{ type?: string; status?: string; reason?: string; message?: string }> | undefined, type: string, now: { status: string; reason: string; message: string }): boolean {
  const old = conditions?.find((c) => c.type === type);
  return old?.status !== now.status || old.reason !== now.reason || old.message !== now.message;
}

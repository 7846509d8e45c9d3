import type { Logger } from 'pino';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import { Controller, type ReconcileObserver } from '../../kube/controller.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { Caches } from '../caches.ts';
import { servesStore, type ControllerClass } from '../controller-class.ts';
import { SecretStoreReconciler } from './reconciler.ts';
import type { AnyStore } from './validate.ts';
import type { StoreChangeState } from './change-notifications.ts';

export interface SecretStoreControllerOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  observe?: ReconcileObserver;
  /** CONTROLLER_CLASS: stores of another class (spec.controller) are left alone, status included. */
  controllerClass?: ControllerClass;
  /** The stores' ChangeNotifications condition (changes/queue-listeners.ts). */
  changeState?: (store: AnyStore) => StoreChangeState;
}

/**
 * The store controller: both kinds of store (SecretStores only when the operator serves one
 * namespace), in one queue, on every change; those of this operator's controller class only.
 */
export function secretStoreController(caches: Caches, options: SecretStoreControllerOptions): Controller<AnyStore> {
  const reconciler = new SecretStoreReconciler(options);
  const controller = new Controller<AnyStore>({ name: 'secretstore', clock: options.clock, log: options.log, concurrency: 2, observe: options.observe })
    .for(caches.secretStores);
  if (caches.cluster) controller.for(caches.cluster.clusterSecretStores);
  return controller
    .serves((store) => servesStore(store, options.controllerClass))
    .reconciles((store) => reconciler.reconcile(store));
}

import type { Logger } from 'pino';
import type { ClusterExternalSecret, ClusterSecretStore, ExternalSecret, SecretStore } from './api/generated.ts';
import { LABEL_MANAGED, LABEL_MANAGED_VALUE } from './api/well-known.ts';
import { AwsProviders } from './aws/store-providers.ts';
import { clusterExternalSecretController } from './controllers/clusterexternalsecret/controller.ts';
import { wireExternalSecretEvents } from './controllers/externalsecret/controller.ts';
import { ExternalSecretReconciler } from './controllers/externalsecret/reconciler.ts';
import { SecretStoreReconciler, storeKey } from './controllers/secretstore/reconciler.ts';
import type { AnyStore } from './controllers/secretstore/validate.ts';
import { failedOnApiserver, isRetryable } from './errors.ts';
import type { BackoffPolicy } from './kube/backoff.ts';
import type { KubeClient } from './kube/client.ts';
import { systemClock, type Clock } from './kube/clock.ts';
import { eventRecorder } from './kube/events.ts';
import { Informer, type InformerOptions, type KubeObject } from './kube/informer.ts';
import { WorkQueue } from './kube/queue.ts';
import * as resources from './kube/resources.ts';
import { forgetObject, operatorMetrics, type OperatorMetrics } from './metrics/operator-metrics.ts';
import type { Namespace, Secret } from './api/core.ts';

const BY_NAMESPACE = 'namespace';

export interface OperatorOptions {
  kube: KubeClient;
  log: Logger;
  clock?: Clock;
  /** ExternalSecrets reconciled at once. */
  concurrency?: number;
  watchTimeoutSeconds?: [number, number];
  /** Silence after which a watch that has had bookmarks is restarted (tests shorten it). */
  bookmarkSilenceMs?: number;
  /** The ExternalSecret queue's retry backoff (tests lengthen it). */
  reconcileBackoff?: BackoffPolicy;
  metrics?: OperatorMetrics;
}

/** The running operator: informers feeding one work queue, and the reconciler behind it. */
export class Operator {
  readonly queue: WorkQueue;
  readonly storeQueue: WorkQueue;
  readonly externalSecrets: Informer<ExternalSecret>;
  readonly secretStores: Informer<SecretStore>;
  readonly clusterSecretStores: Informer<ClusterSecretStore>;
  readonly managedSecrets: Informer<Secret & KubeObject>;
  readonly namespaces: Informer<Namespace>;
  readonly clusterExternalSecrets: Informer<ClusterExternalSecret>;
  readonly cesQueue: WorkQueue;
  readonly metrics: OperatorMetrics;
  private synced = false;
  private readonly providers: AwsProviders;
  private readonly log: Logger;
  private readonly informers: Informer<any>[];
  /** Starts the workers; called once every cache has synced. */
  private readonly startWorkers: () => void;

  constructor(options: OperatorOptions) {
    const clock = options.clock ?? systemClock;
    const log = (this.log = options.log);
    const metrics = (this.metrics = options.metrics ?? operatorMetrics());
    const { kube } = options;
    const informer = <T extends KubeObject>(type: resources.ResourceType, extra: Partial<InformerOptions> = {}) =>
      new Informer<T>(kube, type, {
        clock,
        log,
        ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
        ...(options.bookmarkSilenceMs ? { bookmarkSilenceMs: options.bookmarkSilenceMs } : {}),
        onRestart: (resource, cause) => metrics.watchRestarts.inc({ resource, cause }),
        // What failed on the apiserver runs again as soon as it serves, not after its grown backoff.
        onRecovered: (resource) => this.retryApiserverFailures(resource),
        ...extra,
      });

    this.externalSecrets = informer<ExternalSecret>(resources.externalSecrets);
    this.secretStores = informer<SecretStore>(resources.secretStores);
    this.clusterSecretStores = informer<ClusterSecretStore>(resources.clusterSecretStores);
    this.managedSecrets = informer<Secret & KubeObject>(resources.secrets, { labelSelector: `${LABEL_MANAGED}=${LABEL_MANAGED_VALUE}` });
    this.managedSecrets.addIndex(BY_NAMESPACE, (s) => [s.metadata.namespace]);
    this.namespaces = informer(resources.namespaces);
    this.providers = new AwsProviders(kube, clock, {
      onStsCall: (kind, ok) => metrics.stsCalls.inc({ kind, outcome: ok ? 'success' : 'error' }),
      onSecretsManagerCall: (call, ok) => metrics.providerCalls.inc({ provider: 'AWS/SecretsManager', call, status: ok ? 'success' : 'error' }),
    });

    this.queue = new WorkQueue({
      clock,
      concurrency: options.concurrency ?? 16,
      ...(options.reconcileBackoff ? { backoff: options.reconcileBackoff } : {}),
      onError: (key, error, retryIn) => log.debug({ externalSecret: key, retryInMs: retryIn, err: (error as Error)?.message }, 'reconcile failed'),
    });
    wireExternalSecretEvents(this, this.queue);
    this.externalSecrets.on((event, es) => {
      if (event === 'deleted') forgetObject(metrics, { name: es.metadata.name, namespace: es.metadata.namespace ?? '' });
    });

    const events = eventRecorder(kube, clock, log);
    const reconciler = new ExternalSecretReconciler({
      kube,
      clock,
      log,
      events,
      providers: this.providers,
      stores: {
        secretStore: (ns, name) => this.secretStores.get(`${ns}/${name}`),
        clusterSecretStore: (name) => this.clusterSecretStores.get(name),
        namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata.labels,
      },
      externalSecret: (key) => this.externalSecrets.get(key),
      managedSecret: (ns, name) => this.managedSecrets.get(`${ns}/${name}`),
      managedSecrets: (ns) => this.managedSecrets.byIndex(BY_NAMESPACE, ns),
      onSync: (es, outcome, reason, durationMs) => {
        const labels = { name: es.metadata.name, namespace: es.metadata.namespace ?? '' };
        metrics.syncCalls.inc(labels);
        if (outcome === 'error') {
          metrics.syncErrors.inc(labels);
          metrics.syncErrorsByReason.inc({ ...labels, reason });
        }
        metrics.reconcileDuration.observe(labels, durationMs / 1000);
        metrics.statusCondition.set({ ...labels, condition: 'Ready', status: 'True' }, outcome === 'ok' ? 1 : 0);
        metrics.statusCondition.set({ ...labels, condition: 'Ready', status: 'False' }, outcome === 'ok' ? 0 : 1);
      },
    });
    const storeQueue = new WorkQueue({ clock, concurrency: 2 });
    const storeReconciler = new SecretStoreReconciler({
      kube, clock, log, events,
      store: (key) => key.startsWith('ClusterSecretStore/')
        ? this.clusterSecretStores.get(key.slice('ClusterSecretStore/'.length))
        : this.secretStores.get(key.slice('SecretStore/'.length)),
    });
    for (const informer of [this.secretStores, this.clusterSecretStores] as Informer<AnyStore>[]) {
      informer.on((event, store) => (event === 'deleted' ? storeQueue.forget(storeKey(store)) : storeQueue.add(storeKey(store))));
    }
    this.storeQueue = storeQueue;

    this.clusterExternalSecrets = informer<ClusterExternalSecret>(resources.clusterExternalSecrets);
    const ces = clusterExternalSecretController({ kube, clock, log, metrics: metrics.clusterExternalSecrets, informers: this });
    this.cesQueue = ces.queue;

    this.informers = [this.externalSecrets, this.secretStores, this.clusterSecretStores, this.managedSecrets, this.namespaces, this.clusterExternalSecrets];
    this.startWorkers = () => {
      this.queue.start((key) => reconciler.reconcile(key), (_key, error) => isRetryable(error));
      storeQueue.start((key) => storeReconciler.reconcile(key));
      ces.start();
      log.info({ concurrency: options.concurrency ?? 16 }, 'caches synced; reconciling');
    };
  }

  async start(): Promise<void> {
    for (const informer of this.informers) informer.start();
    // Nothing reconciles before every cache has its first full list.
    await Promise.all(this.informers.map((informer) => informer.synced()));
    this.startWorkers();
    this.synced = true;
  }

  private retryApiserverFailures(resource: string): void {
    const keys = [this.queue, this.storeQueue, this.cesQueue].flatMap((queue) => queue.retryFailedNow(failedOnApiserver));
    if (keys.length) this.log.info({ resource, retried: keys.length }, 'apiserver serves again; retrying what failed on it');
  }

  /** True once every cache has its first full list (the readiness probe). */
  isReady(): boolean {
    return this.synced;
  }

  async stop(): Promise<void> {
    this.queue.stop();
    this.storeQueue.stop();
    this.cesQueue.stop();
    await Promise.all(this.informers.map((informer) => informer.stop()));
    this.providers.destroy();
    this.log.info('stopped');
  }
}

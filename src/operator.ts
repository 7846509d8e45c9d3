import type { Logger } from 'pino';
import { AwsProviders } from './aws/store-providers.ts';
import { AwsGeneratorClients } from './generators/aws-generator-clients.ts';
import { generatorKinds } from './generators/generator-kinds.ts';
import { KubeGeneratorRunner } from './generators/runner.ts';
import { createCaches, informersOf, type Caches } from './controllers/caches.ts';
import { storeLookup, type ControllerClass } from './controllers/controller-class.ts';
import { clusterExternalSecretController } from './controllers/clusterexternalsecret/controller.ts';
import { esoNamespaceFinalizerController } from './controllers/clusterexternalsecret/eso-namespace-controller.ts';
import { cesServing } from './controllers/clusterexternalsecret/serving.ts';
import { externalSecretController } from './controllers/externalsecret/controller.ts';
import { RolloutRestarts } from './controllers/externalsecret/rollout-restart.ts';
import { RefreshRequests } from './controllers/externalsecret/refresh-requests.ts';
import { ChangeIndex } from './changes/change-index.ts';
import { ChangeRouter } from './changes/change-router.ts';
import type { ChangeSink, ReadsByStore } from './changes/secret-change.ts';
import { QueueListeners } from './changes/queue-listeners.ts';
import { ChangePoller, storeIdentityOf } from './changes/change-poller.ts';
import { refFromKey } from './kube/object-ref.ts';
import { secretStoreController } from './controllers/secretstore/controller.ts';
import { failedOnApiserver } from './errors.ts';
import type { BackoffPolicy } from './kube/backoff.ts';
import type { KubeClient } from './kube/client.ts';
import { systemClock, type Clock } from './kube/clock.ts';
import type { RunningController } from './kube/controller.ts';
import { eventRecorder } from './kube/events.ts';
import type { Informer, KubeObject } from './kube/informer.ts';
import { operatorMetrics, type OperatorMetrics } from './metrics/operator-metrics.ts';
import { pushSecretController, pushSecretsServed, type PushSecretControl } from './push/controller.ts';

const DEFAULT_CONCURRENCY = 16;

export interface OperatorOptions {
  kube: KubeClient;
  log: Logger;
  clock?: Clock;
  /** ExternalSecrets reconciled at once. */
  concurrency?: number;
  watchTimeoutSeconds?: [number, number];
  /** Silence after which a watch that has had bookmarks is restarted (tests shorten it). */
  bookmarkSilenceMs?: number;
  /** The ExternalSecret controller's retry backoff (tests lengthen it). */
  reconcileBackoff?: BackoffPolicy;
  metrics?: OperatorMetrics;
  /** Bound on the bytes of AWS secret values cached in memory (default 16 MiB). */
  cacheBytes?: number;
  /**
   * The one namespace served (WATCH_NAMESPACE): its ExternalSecrets, SecretStores and Secrets only,
   * and no cluster-scoped kind at all. Default: the whole cluster.
   */
  watchNamespace?: string;
  /**
   * CONTROLLER_CLASS: serve only the stores whose spec.controller names it, the ExternalSecrets and
   * ClusterExternalSecrets that use them, and leave the rest to another controller (ESO) untouched.
   * Default: the stores without spec.controller, as ESO's default class.
   */
  controllerClass?: ControllerClass;
  /**
   * ESO's generic targets (UNSAFE_ALLOW_GENERIC_TARGETS): spec.target.manifest may write a ConfigMap.
   * Off by default: no ConfigMap is watched or written, and such ExternalSecrets are reported.
   */
  allowGenericTargets?: boolean;
  /**
   * CHANGE_QUEUE_URL: the operator's own SQS queue of EventBridge change events and its region
   * (changeQueueUrlFrom), read with the operator pod's own credentials; every served store shows it.
   */
  changeQueue?: { url: string; region: string };
  /** CHANGE_POLL_INTERVAL: the change poll of every store without its own annotation (ms); none by default. */
  changePollIntervalMs?: number;
  /** The shortest change poll a store's annotation may ask for (default 10 s; tests shorten it). */
  changePollMinimumMs?: number;
  /**
   * ROLLING_RESTART: when a write changes a Secret's data, restart the workloads of its namespace that
   * its ExternalSecret names (aws-secrets-operator.io/restart) or Reloader's annotations select. Off by
   * default: nothing is listed or patched, and an ExternalSecret that asks for restarts is told why not.
   */
  rollingRestart?: boolean;
}

/** The running operator: the shared caches and the controllers that read them. */
export class Operator {
  readonly caches: Caches;
  /** Running once started; the PushSecret controller joins them at start when the API serves PushSecrets. */
  readonly controllers: RunningController[];
  readonly metrics: OperatorMetrics;
  /** Where change notifications and change polls report secrets changed in AWS. */
  readonly changes: ChangeSink;
  /** What the served ExternalSecrets read, per store and namespace (what change polls list). */
  readonly reads: ReadsByStore;
  private synced = false;
  private readonly providers: AwsProviders;
  /** The ECR and STS clients of the AWS generators (ECRAuthorizationToken, STSSessionToken). */
  private readonly generatorClients: AwsGeneratorClients;
  private readonly queues: QueueListeners;
  private readonly changePoller: ChangePoller;
  private readonly log: Logger;
  private readonly kube: KubeClient;
  private readonly push: PushSecretControl;
  private readonly informers: Informer<KubeObject>[];
  private readonly concurrency: number;
  private readonly restarts: RolloutRestarts;

  constructor(options: OperatorOptions) {
    const clock = options.clock ?? systemClock;
    const log = (this.log = options.log);
    const metrics = (this.metrics = options.metrics ?? operatorMetrics());
    const { kube, controllerClass } = options;
    this.kube = kube;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    // Every informer's settings: the shared caches' and the PushSecret controller's own.
    const informerOptions = {
      clock,
      log,
      ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
      ...(options.bookmarkSilenceMs ? { bookmarkSilenceMs: options.bookmarkSilenceMs } : {}),
      onRestart: (resource: string, cause: string) => metrics.watchRestarts.inc({ resource, cause }),
      // What failed on the apiserver runs again as soon as it serves, not after its grown backoff.
      onRecovered: (resource: string) => this.retryApiserverFailures(resource),
    };
    this.caches = createCaches(kube, informerOptions, options.watchNamespace, options.allowGenericTargets ?? false);
    this.informers = informersOf(this.caches);
    this.providers = new AwsProviders(kube, clock, {
      log,
      ...(options.cacheBytes !== undefined ? { cacheBytes: options.cacheBytes } : {}),
      hooks: {
        onStsCall: (kind, ok) => {
          metrics.stsCalls.inc({ kind, outcome: ok ? 'success' : 'error' });
          metrics.awsCalls.inc({ service: 'sts', operation: kind, outcome: ok ? 'success' : 'error' });
        },
        onSecretsManagerCall: (call, ok) => {
          metrics.providerCalls.inc({ provider: 'AWS/SecretsManager', call, status: ok ? 'success' : 'error' });
          metrics.awsCalls.inc({ service: 'secretsmanager', operation: call, outcome: ok ? 'success' : 'error' });
        },
        onParameterStoreCall: (call, ok) => {
          // ESO's label for DescribeParameters is DescribeParameter (its CallAWSPSDescribeParameter).
          metrics.providerCalls.inc({ provider: 'AWS/ParameterStore', call: call === 'DescribeParameters' ? 'DescribeParameter' : call, status: ok ? 'success' : 'error' });
          metrics.awsCalls.inc({ service: 'ssm', operation: call, outcome: ok ? 'success' : 'error' });
        },
        onCache: (result) => metrics.valueReads.inc({ result }),
        onBatch: (size) => metrics.batchSize.observe(size),
        onFallback: (operation) => metrics.fallbacks.inc({ operation }),
      },
    });
    this.generatorClients = new AwsGeneratorClients(this.providers, (service, operation, ok) => {
      const outcome = ok ? 'success' : 'error';
      metrics.awsCalls.inc({ service, operation, outcome });
      if (service === 'sts') metrics.stsCalls.inc({ kind: operation, outcome });
    });
    const events = eventRecorder(kube, clock, log);
    this.restarts = new RolloutRestarts({
      kube, clock, log, events, enabled: options.rollingRestart ?? false,
      onRestart: (kind, outcome) => metrics.workloadRestarts.inc({ kind, outcome }),
    });
    const { cluster } = this.caches;
    // One judgement of which ClusterExternalSecrets are served, shared by both controllers that need it.
    const serving = cluster && cesServing(cluster, this.caches.secretStores, controllerClass);
    // Generators (src/generators/): one runner for every kind of object that names a generatorRef.
    const generators = new KubeGeneratorRunner({ kube, kinds: generatorKinds({ aws: this.generatorClients }), clusterGenerators: cluster !== undefined });
    const changeIndex = new ChangeIndex();
    const refreshRequests = new RefreshRequests();
    const externalSecrets = externalSecretController(this.caches, {
      kube, clock, log, events, metrics,
      providers: this.providers,
      concurrency: this.concurrency,
      backoff: options.reconcileBackoff,
      controllerClass,
      refreshRequests,
      changeIndex,
      restarts: this.restarts,
      generators,
    });
    this.reads = changeIndex;
    this.changes = new ChangeRouter({
      index: changeIndex,
      invalidate: (changes) => this.providers.invalidate(changes),
      refresh: (keys, at) => {
        for (const key of keys) {
          refreshRequests.request(key, at);
          externalSecrets.enqueue(refFromKey(key));
        }
        metrics.changeRefreshes.inc(keys.length);
      },
      clock,
      log,
      onChange: (source, matched) => metrics.secretChanges.inc({ source, result: matched ? 'matched' : 'unmatched' }),
    });
    const stores = secretStoreController(this.caches, {
      kube, clock, log, events, observe: metrics.reconcileObserver(), controllerClass, changeState: (store) => this.queues.stateOf(store),
    });
    // Change notifications from SQS: the operator's queue and the stores' (their ChangeNotifications condition).
    this.queues = new QueueListeners({
      caches: this.caches, providers: this.providers, sink: this.changes, clock, log, controllerClass,
      defaults: { pollIntervalMs: options.changePollIntervalMs },
      ...(options.changeQueue ? { operatorQueue: options.changeQueue } : {}),
      onStoresAffected: (refs) => refs.forEach((ref) => stores.enqueue(ref)),
      onMessage: (outcome) => metrics.changeQueueMessages.inc({ outcome }),
      onQueueHealth: (queue, receiving) => (receiving === undefined ? metrics.changeQueueReceiving.remove({ queue }) : metrics.changeQueueReceiving.set({ queue }, receiving ? 1 : 0)),
    });
    // Change polls: each polled store's reads, through the fetch engine, into the same sink as the queues.
    this.changePoller = new ChangePoller({
      reads: this.reads,
      sink: this.changes,
      store: storeLookup(this.caches.secretStores, cluster),
      poll: (store, namespace, secretIds, namesWanted) => this.providers.pollVersions(storeIdentityOf(store), namespace, secretIds, namesWanted),
      defaults: { pollIntervalMs: options.changePollIntervalMs, minPollIntervalMs: options.changePollMinimumMs },
      clock,
      log,
      onPoll: (outcome) => metrics.changePolls.inc({ outcome }),
    });
    // PushSecrets (src/push/): their caches start and stop with the others.
    const push = pushSecretController(this.caches, {
      kube, clock, log, events, controllerClass,
      providers: this.providers,
      watchNamespace: options.watchNamespace,
      concurrency: this.concurrency,
      backoff: options.reconcileBackoff,
      observe: metrics.reconcileObserver(),
      informerOptions,
      onAwsCall: (service, operation, ok) => {
        metrics.awsCalls.inc({ service, operation, outcome: ok ? 'success' : 'error' });
        // ESO counts its push calls in its provider metric too, under the AWS operation's name.
        metrics.providerCalls.inc({ provider: service === 'ssm' ? 'AWS/ParameterStore' : 'AWS/SecretsManager', call: operation, status: ok ? 'success' : 'error' });
      },
      generators,
    });
    this.push = push;
    this.controllers = [
      externalSecrets,
      stores,
      ...(cluster && serving ? [
        clusterExternalSecretController(this.caches.externalSecrets, cluster, {
          kube, clock, log, metrics: metrics.clusterExternalSecrets, observe: metrics.reconcileObserver(metrics.clusterExternalSecrets.reconcileDuration),
          secretStores: this.caches.secretStores, serving,
        }),
        esoNamespaceFinalizerController(cluster, {
          kube, clock, log, observe: metrics.reconcileObserver(),
          serving, secretStores: this.caches.secretStores,
        }),
      ] : []),
    ];
  }

  async start(): Promise<void> {
    // PushSecrets are served when their CRD is installed (beside ESO's own CRDs it may not be): else their
    // caches would never sync, and nothing else would start.
    if (await pushSecretsServed(this.kube)) {
      this.informers.push(...this.push.informers);
      this.controllers.push(this.push.controller);
    } else {
      this.log.warn('the API serves no pushsecrets.external-secrets.io (its CRD is not installed): PushSecrets are not served; install the CRD and restart');
    }
    for (const informer of this.informers) informer.start();
    // Nothing reconciles before every cache has its first full list.
    await Promise.all(this.informers.map((informer) => informer.synced()));
    this.queues.start();
    for (const controller of this.controllers) controller.start();
    this.changePoller.start();
    this.log.info({ concurrency: this.concurrency }, 'caches synced; reconciling');
    this.synced = true;
  }

  private retryApiserverFailures(resource: string): void {
    const retried = this.controllers.flatMap((controller) => controller.retryFailedNow(failedOnApiserver));
    if (retried.length) this.log.info({ resource, retried: retried.length }, 'apiserver serves again; retrying what failed on it');
  }

  /** True once every cache has its first full list (the readiness probe). */
  isReady(): boolean {
    return this.synced;
  }

  async stop(): Promise<void> {
    this.changePoller.stop();
    for (const controller of this.controllers) controller.stop();
    await this.queues.stop();
    this.restarts.stop();
    await Promise.all(this.informers.map((informer) => informer.stop()));
    this.generatorClients.destroy();
    this.providers.destroy();
    this.log.info('stopped');
  }
}

import type { Logger } from 'pino';
import type { ExternalSecret } from '../../api/generated.ts';
import type { AwsProviders } from '../../aws/store-providers.ts';
import type { BackoffPolicy } from '../../kube/backoff.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import { Controller, type Mapper } from '../../kube/controller.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { cacheKey, objectKey, type KubeObject } from '../../kube/informer.ts';
import { refKey, refOf } from '../../kube/object-ref.ts';
import { anyOf, deletionStarted, generationChanged, specOrMetadataChanged } from '../../kube/predicates.ts';
import { markExternalSecretDeleted, setExternalSecretReady, type OperatorMetrics } from '../../metrics/operator-metrics.ts';
import { ownerLabel, targetName } from '../../sync/desired-secret.ts';
import { LABEL_OWNER } from '../../api/well-known.ts';
import type { Caches } from '../caches.ts';
import { servesExternalSecret, storeLookup, storeRefsOf, type ControllerClass } from '../controller-class.ts';
import type { AnyStore } from '../secretstore/validate.ts';
import { ReadAheads } from './read-ahead.ts';
import { ExternalSecretReconciler } from './reconciler.ts';
import type { RolloutRestarts } from './rollout-restart.ts';
import type { RefreshRequests } from './refresh-requests.ts';
import type { ChangeIndex } from '../../changes/change-index.ts';
import type { GeneratorRunner } from '../../generators/generator.ts';

/**
 * Every store an ExternalSecret names, sourceRefs included: each store's changes wake it, their
 * class decides whether it is served, and each store's read-ahead lists it.
 */
const BY_NAMED_STORE = 'namedStore';
const BY_TARGET = 'target';
const BY_OWNER = 'owner';

export interface ExternalSecretControllerOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  providers: AwsProviders;
  metrics: OperatorMetrics;
  concurrency: number;
  backoff?: BackoffPolicy;
  /** CONTROLLER_CLASS: only ExternalSecrets whose stores are of this class are served (controller-class.ts). */
  controllerClass?: ControllerClass;
  /** Rolling restarts of the workloads that use a Secret whose data changed (ROLLING_RESTART). */
  restarts?: RolloutRestarts;
  /** Refreshes asked for by changes in AWS, and the index those changes are found in (changes/change-router.ts). */
  refreshRequests?: RefreshRequests;
  changeIndex?: ChangeIndex;
  /** Runs dataFrom[].sourceRef.generatorRef (src/generators/runner.ts). */
  generators?: GeneratorRunner;
}

/**
 * The ExternalSecret controller. Its own status writes wake nothing (spec, labels and
 * annotations only); a store wakes the ExternalSecrets that use it when its spec changes
 * (its status writes do not change what they see); a managed Secret or ConfigMap deleted or
 * edited by hand wakes the ExternalSecret that targets it. An ExternalSecret whose stores are of another
 * controller class is left alone, status included; a store moved to this class (its spec
 * changes) wakes the ExternalSecrets that name it.
 */
export function externalSecretController(caches: Caches, options: ExternalSecretControllerOptions): Controller<ExternalSecret> {
  const { kube, clock, log, events, providers, metrics } = options;
  const { externalSecrets, secretStores, managedSecrets, managedConfigMaps, cluster } = caches;
  externalSecrets
    .addIndex(BY_NAMED_STORE, (es) => [...new Set(storeRefsOf(es.spec, es.metadata.namespace).map(refKey))])
    .addIndex(BY_TARGET, (es) => [cacheKey(es.metadata.namespace, targetName(es))]);
  const byOwnerLabel = (o: { metadata: { namespace?: string; labels?: Record<string, string> } }): string[] => {
    const owner = o.metadata.labels?.[LABEL_OWNER];
    return owner ? [cacheKey(o.metadata.namespace, owner)] : [];
  };
  managedSecrets.addIndex(BY_OWNER, byOwnerLabel);
  managedConfigMaps?.addIndex(BY_OWNER, byOwnerLabel);
  // When the cache received each ExternalSecret's spec, labels and annotations as they are (a status
  // write keeps the time): a first sync, spec change or force-sync takes only values read after it.
  const observed = new WeakMap<ExternalSecret, number>();
  externalSecrets.on((type, object, old) => {
    if (type === 'deleted') return;
    const since = old && !specOrMetadataChanged({ type, object, old }) ? observed.get(old) : undefined;
    observed.set(object, since ?? clock.now());
  });

  const store = storeLookup(secretStores, cluster);
  const served = (es: ExternalSecret): boolean => servesExternalSecret(storeRefsOf(es.spec, es.metadata.namespace), store, options.controllerClass);
  // The ExternalSecrets this operator has reported on (their Ready series exist): only those get ESO's
  // Deleted mark when they go. Beside ESO, one of ESO's leaves no series here; and one of ours whose
  // store went first (so the class rule no longer says it is ours) still loses its Ready series.
  const reported = new Set<string>();

  const reconciler = new ExternalSecretReconciler({
    kube,
    clock,
    log,
    events,
    providers,
    stores: {
      secretStore: (ns, name) => secretStores.get(cacheKey(ns, name)),
      ...(cluster ? {
        cluster: {
          clusterSecretStore: (name) => cluster.clusterSecretStores.get(name),
          namespaceLabels: (ns) => cluster.namespaces.get(ns)?.metadata.labels,
        },
      } : {}),
    },
    observedAt: (es) => observed.get(es),
    ...(options.restarts ? { restarts: options.restarts } : {}),
    // Only what this operator serves is read ahead: not an ExternalSecret another of whose stores is ESO's.
    readAheads: new ReadAheads(clock, (named) => externalSecrets.byIndex(BY_NAMED_STORE, refKey(named)).filter(served), (es) => observed.get(es)),
    managedSecret: (ns, name) => managedSecrets.get(cacheKey(ns, name)),
    createdBy: (es) => managedSecrets.byIndex(BY_OWNER, cacheKey(es.metadata.namespace, ownerLabel(es))),
    // Only with generic targets allowed (the cache exists only then): otherwise such ExternalSecrets are refused.
    ...(managedConfigMaps ? {
      configMaps: {
        managed: (ns: string, name: string) => managedConfigMaps.get(cacheKey(ns, name)),
        createdBy: (es: ExternalSecret) => managedConfigMaps.byIndex(BY_OWNER, cacheKey(es.metadata.namespace, ownerLabel(es))),
      },
    } : {}),
    ...(options.refreshRequests ? { refreshRequests: options.refreshRequests } : {}),
    ...(options.changeIndex ? { changeIndex: options.changeIndex } : {}),
    ...(options.generators ? { generators: options.generators } : {}),
    onSync: (es, outcome, reason) => {
      const labels = { name: es.metadata.name, namespace: es.metadata.namespace ?? '' };
      reported.add(cacheKey(es.metadata.namespace, es.metadata.name));
      metrics.syncCalls.inc(labels);
      if (outcome === 'error') {
        metrics.syncErrors.inc(labels);
        metrics.syncErrorsByReason.inc({ ...labels, reason });
      }
      setExternalSecretReady(metrics, labels, outcome === 'ok');
    },
  });

  const usersOf: Mapper<AnyStore> = ({ object: store }) => externalSecrets.byIndex(BY_NAMED_STORE, refKey(refOf(store))).map(refOf);
  const targeting: Mapper<KubeObject> = ({ object: target }) => externalSecrets.byIndex(BY_TARGET, objectKey(target)).map(refOf);
  const controller = new Controller<ExternalSecret>({
    name: 'externalsecret', clock, log, concurrency: options.concurrency, backoff: options.backoff, observe: metrics.reconcileObserver(metrics.reconcileDuration),
  })
    // A deletion under way wakes it too: ESO's finalizer may be there to take off (eso-finalizer.ts).
    .for(externalSecrets, anyOf(specOrMetadataChanged, deletionStarted))
    .watches(secretStores, usersOf, generationChanged)
    .watches(managedSecrets, targeting);
  if (managedConfigMaps) controller.watches(managedConfigMaps, targeting);
  if (cluster) controller.watches(cluster.clusterSecretStores, usersOf, generationChanged);
  return controller
    .onDeleted((es) => {
      const key = refKey(refOf(es));
      options.changeIndex?.forget(key);
      options.refreshRequests?.forget(key);
      if (reported.delete(cacheKey(es.metadata.namespace, es.metadata.name))) {
        markExternalSecretDeleted(metrics, { name: es.metadata.name, namespace: es.metadata.namespace ?? '' });
      }
    })
    .serves(served)
    .reconciles((es) => reconciler.reconcile(es));
}

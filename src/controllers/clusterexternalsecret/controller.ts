import type { Logger } from 'pino';
import type { Namespace } from '../../api/core.ts';
import type { ClusterExternalSecret, ExternalSecret, SecretStore } from '../../api/generated.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import { Controller, type Mapper, type ReconcileObserver } from '../../kube/controller.ts';
import { cacheKey, type Informer } from '../../kube/informer.ts';
import { ref } from '../../kube/object-ref.ts';
import { anyOf, deletionStarted, generationChanged, labelsChanged, ownerReferencesChanged, specOrMetadataChanged } from '../../kube/predicates.ts';
import * as resources from '../../kube/resources.ts';
import { forgetObject } from '../../metrics/operator-metrics.ts';
import type { ClusterCaches } from '../caches.ts';
import type { AnyStore } from '../secretstore/validate.ts';
import { controllingCes } from './external-secret.ts';
import { selectsNamespace } from './namespaces.ts';
import { ClusterExternalSecretReconciler, type ClusterExternalSecretMetrics } from './reconciler.ts';
import type { CesServing } from './serving.ts';
import { externalSecretName } from './spec.ts';

/** Index of ExternalSecrets by the name of the ClusterExternalSecret that controls them. */
export const BY_CES_OWNER = 'clusterExternalSecret';

export interface ClusterExternalSecretControllerOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  metrics: ClusterExternalSecretMetrics;
  observe?: ReconcileObserver;
  concurrency?: number;
  /** The SecretStores of every namespace, watched with CONTROLLER_CLASS to tell whose a ClusterExternalSecret is. */
  secretStores: Informer<SecretStore>;
  /** Which ClusterExternalSecrets this operator serves: one whose stores are of another class is left alone (controller-class.ts). */
  serving: CesServing;
}

const cesRef = (name: string) => ref(resources.clusterExternalSecrets.kind, name);

/** A foreign ExternalSecret of the wanted name, that failed this ClusterExternalSecret in its namespace. */
const blockedBy = (ces: ClusterExternalSecret, es: ExternalSecret): boolean =>
  externalSecretName(ces) === es.metadata.name && !!ces.status?.failedNamespaces?.some((f) => f.namespace === es.metadata.namespace);

/**
 * The ClusterExternalSecret controller. Its ExternalSecrets edited, re-owned or deleted by
 * someone else wake it (status writes, its own and the ExternalSecret controller's, do not),
 * and so does a namespace created, deleted, relabelled or terminating. With a controller class,
 * one whose stores are of another class is left alone, status included, and a change to a store
 * it names wakes it, so that moving the store to this class serves it.
 */
export function clusterExternalSecretController(
  externalSecrets: Informer<ExternalSecret>, caches: ClusterCaches, options: ClusterExternalSecretControllerOptions,
): Controller<ClusterExternalSecret> {
  const { kube, clock, log } = options;
  const { clusterExternalSecrets, namespaces } = caches;
  const { metrics } = options;
  externalSecrets.addIndex(BY_CES_OWNER, (es) => {
    const owner = controllingCes(es);
    return owner ? [owner] : [];
  });

  /**
   * Its controller now and before; once deleted, also the ClusterExternalSecrets it blocked
   * in its namespace, which can be provisioned now. Other ExternalSecrets concern none.
   */
  const controllersOf: Mapper<ExternalSecret> = ({ type, object, old }) => {
    const names = new Set([object, old].map((es) => es && controllingCes(es)).filter((name) => name !== undefined));
    if (type === 'deleted') for (const ces of clusterExternalSecrets.list()) if (blockedBy(ces, object)) names.add(ces.metadata.name);
    return [...names].map(cesRef);
  };

  /**
   * Those that select the namespace now, and those that have (or failed) an ExternalSecret
   * there, so a namespace that stops matching loses its ExternalSecret at once rather than at
   * the next refresh.
   */
  const concernedBy: Mapper<Namespace> = ({ object: ns }) => clusterExternalSecrets.list()
    .filter((ces) => selectsNamespace(ces, ns)
      || ces.status?.provisionedNamespaces?.includes(ns.metadata.name)
      || ces.status?.failedNamespaces?.some((f) => f.namespace === ns.metadata.name)
      || externalSecrets.byIndex(BY_CES_OWNER, ces.metadata.name).some((es) => es.metadata.namespace === ns.metadata.name))
    .map((ces) => cesRef(ces.metadata.name));

  const { served, namingStore: cesNamingStore } = options.serving;
  const namingStore: Mapper<AnyStore> = ({ object }) => cesNamingStore(object).map((ces) => cesRef(ces.metadata.name));

  const reconciler = new ClusterExternalSecretReconciler({
    kube,
    clock,
    log,
    metrics,
    namespaces: () => namespaces.list(),
    externalSecret: (namespace, name) => externalSecrets.get(cacheKey(namespace, name)),
    ownedExternalSecrets: (cesName) => externalSecrets.byIndex(BY_CES_OWNER, cesName),
  });
  const controller = new Controller<ClusterExternalSecret>({ name: 'clusterexternalsecret', clock, log, concurrency: options.concurrency ?? 4, observe: options.observe })
    // A deletion under way wakes it too: ESO's finalizer may be there to take off (eso-finalizers.ts).
    .for(clusterExternalSecrets, anyOf(specOrMetadataChanged, deletionStarted))
    .watches(externalSecrets, controllersOf, anyOf(specOrMetadataChanged, ownerReferencesChanged))
    .watches(namespaces, concernedBy, anyOf(labelsChanged, deletionStarted));
  if (options.serving.byStores) {
    controller.watches(options.secretStores, namingStore, generationChanged).watches(caches.clusterSecretStores, namingStore, generationChanged);
  }
  return controller
    .serves(served)
    .onDeleted((ces) => forgetObject(metrics, { name: ces.metadata.name, namespace: '' }))
    .reconciles((ces) => reconciler.reconcile(ces));
}

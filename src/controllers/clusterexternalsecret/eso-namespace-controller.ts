import type { Logger } from 'pino';
import type { Namespace } from '../../api/core.ts';
import type { SecretStore } from '../../api/generated.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import { Controller, type Mapper, type ReconcileObserver } from '../../kube/controller.ts';
import type { Informer } from '../../kube/informer.ts';
import { ref } from '../../kube/object-ref.ts';
import { deletionStarted, generationChanged } from '../../kube/predicates.ts';
import * as resources from '../../kube/resources.ts';
import type { ClusterCaches } from '../caches.ts';
import type { AnyStore } from '../secretstore/validate.ts';
import { cesNamesHeldBy, releaseNamespace } from './eso-finalizers.ts';
import type { CesServing } from './serving.ts';

/** Index of Namespaces by the ClusterExternalSecrets whose ESO finalizer they carry. */
const BY_ESO_CES_FINALIZER = 'esoCesFinalizer';

export interface EsoNamespaceFinalizerControllerOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  observe?: ReconcileObserver;
  serving: CesServing;
  /** The SecretStores of every namespace: with a controller class, a store moving to it may make a ClusterExternalSecret this operator's. */
  secretStores: Informer<SecretStore>;
}

const namespaceRef = (name: string) => ref(resources.namespaces.kind, name);

/**
 * ESO's cleanup when a Namespace is deleted: the Namespace carries ESO's finalizer of each
 * ClusterExternalSecret that wrote into it (eso-finalizers.ts), and ESO takes off those of the
 * ClusterExternalSecrets that still select it. This takes off those of the ClusterExternalSecrets this
 * operator serves, selecting the Namespace or not (ESO leaves one that stopped matching for ever,
 * its issue #6677), and those of ClusterExternalSecrets that no longer exist (nothing else ever
 * would); a ClusterExternalSecret of another controller class keeps its entry, for ESO beside this
 * operator. Other finalizers are never touched, and the Namespace itself is left to the namespace
 * controller. Unlike ESO, a Namespace starting to terminate wakes it at once (ESO waits for its next
 * periodic look at the ClusterExternalSecret, #5426); so do a ClusterExternalSecret deleted or changed
 * and, with a controller class, a store changed, as they decide whose an entry is.
 */
export function esoNamespaceFinalizerController(caches: ClusterCaches, options: EsoNamespaceFinalizerControllerOptions): Controller<Namespace> {
  const { kube, clock, log, serving } = options;
  const { namespaces, clusterExternalSecrets } = caches;
  namespaces.addIndex(BY_ESO_CES_FINALIZER, (ns) => cesNamesHeldBy(ns.metadata.finalizers));

  /** The terminating Namespaces that carry ESO's finalizer of a ClusterExternalSecret of this name. */
  const terminatingHolding = (cesName: string) => namespaces.byIndex(BY_ESO_CES_FINALIZER, cesName)
    .filter((ns) => ns.metadata.deletionTimestamp)
    .map((ns) => namespaceRef(ns.metadata.name));
  const holdingCes: Mapper<{ metadata: { name: string } }> = ({ object }) => terminatingHolding(object.metadata.name);
  const holdingNamingCes: Mapper<AnyStore> = ({ object }) => serving.namingStore(object).flatMap((ces) => terminatingHolding(ces.metadata.name));

  /** An entry is this operator's to take off when its ClusterExternalSecret is gone or served here. */
  const releasable = (cesName: string): boolean => {
    const ces = clusterExternalSecrets.get(cesName);
    return ces === undefined || serving.served(ces);
  };

  const controller = new Controller<Namespace>({ name: 'eso-namespace-finalizers', clock, log, concurrency: 2, observe: options.observe })
    .for(namespaces, deletionStarted)
    // Creation and deletion always pass; a spec change may change the class its stores give it.
    .watches(clusterExternalSecrets, holdingCes, generationChanged);
  if (serving.byStores) {
    controller.watches(options.secretStores, holdingNamingCes, generationChanged).watches(caches.clusterSecretStores, holdingNamingCes, generationChanged);
  }
  return controller.reconciles(async (ns) => {
    if (!ns.metadata.deletionTimestamp) return {};
    const names = cesNamesHeldBy(ns.metadata.finalizers).filter(releasable);
    if (names.length === 0) return {};
    await releaseNamespace(kube, ns, names);
    log.info({ namespace: ns.metadata.name, clusterExternalSecrets: names }, "took ESO's ClusterExternalSecret finalizers off a terminating namespace");
    return {};
  });
}

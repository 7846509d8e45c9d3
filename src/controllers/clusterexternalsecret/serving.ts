import type { ClusterExternalSecret, SecretStore } from '../../api/generated.ts';
import type { Informer } from '../../kube/informer.ts';
import { SelectorError } from '../../kube/label-selector.ts';
import type { ClusterCaches } from '../caches.ts';
import { servesClusterExternalSecret, storeLookup, storeRefsOf, type ControllerClass } from '../controller-class.ts';
import type { AnyStore } from '../secretstore/validate.ts';
import { selectedNamespaces } from './namespaces.ts';

/**
 * Which ClusterExternalSecrets this operator serves (controller-class.ts), read from the shared
 * caches: one place for the ClusterExternalSecret controller and the controller that takes ESO's
 * finalizers off terminating Namespaces, so both judge a ClusterExternalSecret alike.
 */
export interface CesServing {
  /** Whether stores decide it (with a controller class): then a store changed may change it, so controllers watch stores. */
  readonly byStores: boolean;
  /** Whether this operator serves the ClusterExternalSecret now (always, without a controller class). */
  served(ces: ClusterExternalSecret): boolean;
  /** The ClusterExternalSecrets whose template names the store (by kind and name; the namespace is theirs to select). */
  namingStore(store: AnyStore): ClusterExternalSecret[];
}

export function cesServing(caches: ClusterCaches, secretStores: Informer<SecretStore>, controllerClass: ControllerClass): CesServing {
  const store = storeLookup(secretStores, caches);
  return {
    byStores: controllerClass !== undefined,
    served: (ces) => {
      if (controllerClass === undefined) return true;
      let selected: string[];
      try {
        selected = selectedNamespaces(ces, caches.namespaces.list()).map((ns) => ns.metadata.name);
      } catch (err) {
        // An invalid selector selects nothing: judged by its ClusterSecretStores alone.
        if (!(err instanceof SelectorError)) throw err;
        selected = [];
      }
      return servesClusterExternalSecret(ces, selected, store, controllerClass);
    },
    namingStore: (s) => caches.clusterExternalSecrets.list()
      .filter((ces) => ces.spec.externalSecretSpec && storeRefsOf(ces.spec.externalSecretSpec, s.metadata.namespace)
        .some((r) => r.kind === s.kind && r.name === s.metadata.name)),
  };
}

import type { ClusterExternalSecret, ClusterSecretStore, ExternalSecret, SecretStore } from '../api/generated.ts';
import { LABEL_MANAGED, LABEL_MANAGED_VALUE } from '../api/well-known.ts';
import type { KubeClient } from '../kube/client.ts';
import { Informer, withoutManagedFields, type InformerOptions, type KubeObject } from '../kube/informer.ts';
import * as resources from '../kube/resources.ts';
import type { ConfigMap, Namespace, Secret } from '../api/core.ts';

/** The shared caches: one informer per kind, read by every controller that needs the kind. */
export interface Caches {
  externalSecrets: Informer<ExternalSecret>;
  secretStores: Informer<SecretStore>;
  /** Only the Secrets this operator manages (its label), not every Secret in the cluster. */
  managedSecrets: Informer<Secret & KubeObject>;
  /**
   * Only the ConfigMaps this operator manages (spec.target.manifest), by the same label; absent
   * unless generic targets are allowed (UNSAFE_ALLOW_GENERIC_TARGETS), so that by default the
   * operator lists no ConfigMap and its RBAC needs no list or watch on them.
   */
  managedConfigMaps?: Informer<ConfigMap & KubeObject>;
  /**
   * The cluster-scoped kinds; absent when the operator serves one namespace (WATCH_NAMESPACE), so
   * that it makes no cluster-scoped request and a Role in that namespace is all it needs.
   */
  cluster?: ClusterCaches;
}

export interface ClusterCaches {
  clusterSecretStores: Informer<ClusterSecretStore>;
  namespaces: Informer<Namespace>;
  clusterExternalSecrets: Informer<ClusterExternalSecret>;
}

/**
 * The caches for the whole cluster, or, given a namespace, for that namespace only; the managed
 * ConfigMaps only when generic targets are allowed.
 */
export function createCaches(kube: KubeClient, options: InformerOptions, watchNamespace?: string, allowGenericTargets = false): Caches {
  const served = (type: resources.ResourceType) => (watchNamespace === undefined ? type : resources.inNamespace(type, watchNamespace));
  const managed = `${LABEL_MANAGED}=${LABEL_MANAGED_VALUE}`;
  const caches: Caches = {
    externalSecrets: new Informer(kube, served(resources.externalSecrets), options),
    secretStores: new Informer(kube, served(resources.secretStores), options),
    // Whole, managedFields included: a cached Secret is the base of the next write, whose managedFields say which
    // labels, annotations and keys the ExternalSecret wrote before (sync/managed-fields.ts). A PUT that carries a
    // subset of them would replace the rest, so they are kept entire.
    managedSecrets: new Informer(kube, served(resources.secrets), { ...options, labelSelector: managed, transform: (s) => s }),
  };
  if (allowGenericTargets) {
    // Whole too, for the same reason; the label keeps ConfigMaps nobody made through an ExternalSecret out of memory.
    caches.managedConfigMaps = new Informer(kube, served(resources.configMaps), { ...options, labelSelector: managed, transform: (c) => c });
  }
  if (watchNamespace !== undefined) return caches;
  return {
    ...caches,
    cluster: {
      clusterSecretStores: new Informer(kube, resources.clusterSecretStores, options),
      namespaces: new Informer(kube, resources.namespaces, { ...options, transform: namespaceAsRead }),
      clusterExternalSecrets: new Informer(kube, resources.clusterExternalSecrets, options),
    },
  };
}

/** Every informer of the caches, to start, await and stop together. */
export function informersOf(caches: Caches): Informer<KubeObject>[] {
  const { cluster, ...namespaced } = caches;
  return [...Object.values(namespaced), ...Object.values(cluster ?? {})].filter((informer) => informer !== undefined);
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A Namespace as the controllers read it (name, labels, deletionTimestamp): kubectl
 * apply's copy of the whole manifest in an annotation is not kept. Other kinds keep
 * their annotations: an ExternalSecret's are hashed into syncedResourceVersion, a
 * managed Secret's or ConfigMap's carry its data hash.
 */
export function namespaceAsRead(ns: Namespace): Namespace {
  if (ns.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _, ...annotations } = ns.metadata.annotations;
    ns.metadata.annotations = annotations;
  }
  return withoutManagedFields(ns);
}

import type { ClusterSecretStore, PushSecret, PushSecretStoreRef, SecretStore } from '../api/generated.ts';
import type { StoreIdentity } from '../aws/store-providers.ts';
import { servesStore, type ControllerClass } from '../controllers/controller-class.ts';
import { checkConditions, type ClusterStoreLookup } from '../controllers/externalsecret/store-resolver.ts';
import { validateStore, type AnyStore } from '../controllers/secretstore/validate.ts';
import { OperatorError } from '../errors.ts';
import { compileSelector, SelectorError } from '../kube/label-selector.ts';
import { storeKey } from './synced-pushes.ts';

export interface PushStoreLookup {
  secretStore(namespace: string, name: string): SecretStore | undefined;
  /** The SecretStores of one namespace. */
  secretStores(namespace: string): SecretStore[];
  /** Absent when the operator serves one namespace (WATCH_NAMESPACE). */
  cluster?: ClusterStoreLookup & { clusterSecretStores(): ClusterSecretStore[] };
}

/** A store a PushSecret writes to, found and checked. */
export interface PushStore {
  /** ESO's key in status.syncedPushSecrets: `SecretStore/name` or `ClusterSecretStore/name`. */
  key: string;
  identity: StoreIdentity;
  /** The store's labels, which dataTo's storeRef.labelSelector matches. */
  labels: Record<string, string>;
}

/** The stores a PushSecret writes to; `foreign` counts the stores left to another controller class. */
export interface ResolvedPushStores {
  stores: PushStore[];
  foreign: number;
}

/**
 * The stores of spec.secretStoreRefs, as ESO's GetSecretStores and removeUnmanagedStores find them: a
 * name, or every store of the kind whose labels match the labelSelector; each store once; stores of
 * another controller class left out (counted, so that a PushSecret all of whose stores are another
 * controller's is left alone). A SecretStore is looked up in the PushSecret's namespace only, by name
 * and by selector, as ESO lists them. A ClusterSecretStore must admit the
 * namespace (spec.conditions). Throws an OperatorError for the first store that cannot be used.
 */
export function resolvePushStores(ps: PushSecret, lookup: PushStoreLookup, controllerClass: ControllerClass): ResolvedPushStores {
  const namespace = ps.metadata.namespace!;
  const found = new Map<string, AnyStore>();
  ps.spec.secretStoreRefs.forEach((ref, i) => {
    for (const store of storesOf(ref, i, namespace, lookup)) found.set(storeKey(store.kind ?? kindOf(ref), store.metadata.name), store);
  });
  const stores: PushStore[] = [];
  let foreign = 0;
  for (const [key, store] of found) {
    // A store being deleted is skipped, as ESO skips it.
    if (store.metadata.deletionTimestamp) continue;
    if (!servesStore(store, controllerClass)) {
      foreign++;
      continue;
    }
    const kind = key.startsWith('ClusterSecretStore/') ? 'ClusterSecretStore' : 'SecretStore';
    if (kind === 'ClusterSecretStore') checkConditions(store as ClusterSecretStore, namespace, lookup.cluster!);
    stores.push({
      key,
      labels: store.metadata.labels ?? {},
      identity: { kind, name: store.metadata.name, ...(kind === 'SecretStore' ? { namespace } : {}), aws: validateStore(store) },
    });
  }
  return { stores, foreign };
}

const kindOf = (ref: PushSecretStoreRef): 'SecretStore' | 'ClusterSecretStore' => (ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore');

function storesOf(ref: PushSecretStoreRef, i: number, namespace: string, lookup: PushStoreLookup): AnyStore[] {
  const kind = kindOf(ref);
  const at = `spec.secretStoreRefs[${i}]`;
  if (kind === 'ClusterSecretStore' && !lookup.cluster) {
    throw new OperatorError('ClusterSecretStoreDisabled', `${at}: ClusterSecretStores are not served: this operator watches only namespace "${namespace}" `
      + '(WATCH_NAMESPACE) and reads no ClusterSecretStore in that mode; use a SecretStore of this namespace');
  }
  if (ref.labelSelector) {
    let matches;
    try {
      matches = compileSelector(ref.labelSelector);
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      throw new OperatorError('InvalidSpec', `${at}.labelSelector: could not convert labels: ${err.message}`);
    }
    const candidates: AnyStore[] = kind === 'ClusterSecretStore' ? lookup.cluster!.clusterSecretStores() : lookup.secretStores(namespace);
    return candidates.filter((s) => matches(s.metadata.labels ?? {})).map((s) => ({ ...s, kind }) as AnyStore);
  }
  if (!ref.name) throw new OperatorError('InvalidSpec', `${at}: refStore Name must be provided`);
  const store = kind === 'ClusterSecretStore' ? lookup.cluster!.clusterSecretStore(ref.name) : lookup.secretStore(namespace, ref.name);
  if (!store) {
    throw new OperatorError('StoreNotFound', kind === 'ClusterSecretStore'
      ? `could not get ClusterSecretStore "${ref.name}": not found`
      : `could not get SecretStore "${ref.name}": not found in namespace "${namespace}"`);
  }
  return [{ ...store, kind } as AnyStore];
}

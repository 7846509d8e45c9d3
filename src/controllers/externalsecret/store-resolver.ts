import type { ClusterSecretStore, ExternalSecret, LabelSelector, SecretStore } from '../../api/generated.ts';
import type { StoreIdentity } from '../../aws/store-providers.ts';
import { OperatorError } from '../../errors.ts';
import { GoRegexpLimitError } from '../../go/regexp/regexp.ts';
import { compileSelector, SelectorError } from '../../kube/label-selector.ts';
import type { ObjectRef } from '../../kube/object-ref.ts';
import { DEFAULT_STORE, usedStores, type StoreKey, type UsedStore } from '../../sync/entry-store.ts';
import { compileGoRegexp } from '../../sync/rewrite.ts';
import { storeRef } from '../controller-class.ts';
import { validateStore } from '../secretstore/validate.ts';

export interface StoreLookup {
  secretStore(namespace: string, name: string): SecretStore | undefined;
  /** Absent when the operator serves one namespace (WATCH_NAMESPACE): it reads no cluster-scoped kind then. */
  cluster?: ClusterStoreLookup;
}

export interface ClusterStoreLookup {
  clusterSecretStore(name: string): ClusterSecretStore | undefined;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}

/**
 * Distinct stores one ExternalSecret may read through (ESO sets no bound). Each costs a lookup,
 * a credential read (a ServiceAccount or Secret) and a client held while the ExternalSecret
 * syncs: so one ExternalSecret cannot turn a reconcile into hundreds of apiserver reads, nor
 * crowd the per-identity clients (aws/store-providers.ts keeps 512) that the other reconciles
 * running at once are using.
 */
export const MOST_STORES = 16;

/** A store an ExternalSecret's entries read through, found and checked. */
export interface ResolvedStore {
  /** The store as the caches and watches name it. */
  ref: ObjectRef;
  identity: StoreIdentity;
  /** Where the spec names it when that is a sourceRef (`spec.data[1].sourceRef.storeRef`), for messages. */
  namedAt?: string;
}

/**
 * An error about a store, located at the sourceRef that names it. Messages about secretStoreRef
 * read as they always have: the ExternalSecret names one store there.
 */
export function atStore(namedAt: string | undefined, err: unknown): unknown {
  if (namedAt === undefined || !(err instanceof OperatorError)) return err;
  return new OperatorError(err.code, `${namedAt}: ${err.message}`, { cause: err });
}

/**
 * Every store the ExternalSecret's entries read through (sync/entry-store.ts: an entry's own
 * sourceRef.storeRef, else secretStoreRef), found and checked for what this operator supports,
 * as ESO's client manager checks each entry's store: a store the entries do not use is not
 * looked up, so a secretStoreRef every entry overrides may be absent or name a missing store.
 * Resolved in ESO's order (dataFrom, then data); the first failure is reported, naming the
 * sourceRef it came from. A namespaced SecretStore is looked up only in the ExternalSecret's
 * own namespace, so no namespace can use another's store.
 */
export function resolveStores(es: ExternalSecret, lookup: StoreLookup): Map<StoreKey, ResolvedStore> {
  const namespace = es.metadata.namespace!;
  const resolved = new Map<StoreKey, ResolvedStore>();
  for (const used of usedStores(es.spec)) {
    if (resolved.size === MOST_STORES) {
      throw new OperatorError('InvalidSpec', `${used.at}: the entries read through more than ${MOST_STORES} stores; this operator reads at most ${MOST_STORES} per ExternalSecret`);
    }
    const namedAt = used.key === DEFAULT_STORE ? undefined : used.at;
    try {
      resolved.set(used.key, { ...resolveRef(used, namespace, lookup), ...(namedAt ? { namedAt } : {}) });
    } catch (err) {
      throw atStore(namedAt, err);
    }
  }
  return resolved;
}

function resolveRef(used: UsedStore, namespace: string, lookup: StoreLookup): ResolvedStore {
  const { ref } = used;
  if (!ref?.name) {
    throw new OperatorError('InvalidSpec', used.key === DEFAULT_STORE
      ? `spec.secretStoreRef.name is required: ${used.usedBy} names no sourceRef.storeRef of its own`
      : 'name is required');
  }
  const kind = ref.kind ?? 'SecretStore';
  let store: SecretStore | ClusterSecretStore | undefined;
  if (kind === 'ClusterSecretStore') {
    if (!lookup.cluster) {
      throw new OperatorError('ClusterSecretStoreDisabled', `ClusterSecretStore "${ref.name}" is not served: this operator watches only `
        + `namespace "${namespace}" (WATCH_NAMESPACE) and reads no ClusterSecretStore in that mode; use a SecretStore of this namespace`);
    }
    store = lookup.cluster.clusterSecretStore(ref.name);
    if (!store) throw new OperatorError('StoreNotFound', `ClusterSecretStore "${ref.name}" not found`);
    checkConditions(store, namespace, lookup.cluster);
  } else {
    store = lookup.secretStore(namespace, ref.name);
    if (!store) throw new OperatorError('StoreNotFound', `SecretStore "${ref.name}" not found in namespace "${namespace}"`);
  }
  const aws = validateStore(store);
  return {
    ref: storeRef(ref, namespace),
    identity: { kind, name: ref.name, ...(kind === 'SecretStore' ? { namespace } : {}), aws: aws as StoreIdentity['aws'] },
  };
}

/**
 * A ClusterSecretStore with conditions is usable only from namespaces one of them admits. Each
 * condition is read as ESO reads it (clientmanager validateNamespaceConditions): the names and
 * the selector, then the regexes in order, as Go's regexp.MatchString (unanchored); a regex that
 * does not compile fails there (ESO's webhook would have refused the store).
 */
export function checkConditions(store: ClusterSecretStore, namespace: string, lookup: ClusterStoreLookup): void {
  const conditions = store.spec?.conditions;
  if (!conditions || conditions.length === 0) return;
  for (const [i, condition] of conditions.entries()) {
    if (condition.namespaces?.includes(namespace)) return;
    if (condition.namespaceSelector && selects(store, condition.namespaceSelector, lookup.namespaceLabels(namespace) ?? {})) return;
    const at = (j: number): string => `ClusterSecretStore "${store.metadata.name}": spec.conditions[${i}].namespaceRegexes[${j}]`;
    if (condition.namespaceRegexes?.some((source, j) => regexAdmits(source, namespace, at(j)))) return;
  }
  throw new OperatorError('StoreNotAllowed', `ClusterSecretStore "${store.metadata.name}" does not allow namespace "${namespace}" (spec.conditions)`);
}

/** Throws InvalidProviderConfig for a pattern Go cannot compile, UnsupportedField for one we refuse to run. */
function regexAdmits(source: string, namespace: string, at: string): boolean {
  const re = compileGoRegexp(source, at, 'InvalidProviderConfig');
  try {
    return re.matches(namespace);
  } catch (error) {
    if (!(error instanceof GoRegexpLimitError)) throw error;
    throw new OperatorError('UnsupportedField', `${at}: ${error.message} on namespace "${namespace}"; this operator refuses patterns that costly`, { cause: error });
  }
}

function selects(store: ClusterSecretStore, selector: LabelSelector, labels: Record<string, string>): boolean {
  try {
    return compileSelector(selector)(labels);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new OperatorError('InvalidProviderConfig', `ClusterSecretStore "${store.metadata.name}": spec.conditions namespaceSelector: ${err.message}`);
  }
}

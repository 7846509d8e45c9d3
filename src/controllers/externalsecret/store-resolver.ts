import type { ClusterSecretStore, ExternalSecret, LabelSelector, SecretStore } from '../../api/generated.ts';
import type { StoreIdentity } from '../../aws/store-providers.ts';
import { OperatorError } from '../../errors.ts';
import { compileSelector, SelectorError } from '../../kube/label-selector.ts';
import { ref, type ObjectRef } from '../../kube/object-ref.ts';
import { validateStore } from '../secretstore/validate.ts';

export interface StoreLookup {
  secretStore(namespace: string, name: string): SecretStore | undefined;
  clusterSecretStore(name: string): ClusterSecretStore | undefined;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}

/** The store an ExternalSecret names: a SecretStore in its own namespace, or a ClusterSecretStore. */
export function storeRefOf(es: ExternalSecret): ObjectRef {
  const { kind = 'SecretStore', name = '' } = es.spec.secretStoreRef ?? {};
  return ref(kind, name, kind === 'ClusterSecretStore' ? undefined : es.metadata.namespace);
}

/**
 * The store an ExternalSecret reads through, checked for what this operator
 * supports. A namespaced SecretStore is looked up only in the ExternalSecret's own
 * namespace, so no namespace can use another's store.
 */
export function resolveStore(es: ExternalSecret, lookup: StoreLookup): StoreIdentity {
  const ref = es.spec.secretStoreRef;
  const namespace = es.metadata.namespace!;
  if (!ref?.name) throw new OperatorError('InvalidSpec', 'spec.secretStoreRef.name is required');
  const kind = ref.kind ?? 'SecretStore';
  let store: SecretStore | ClusterSecretStore | undefined;
  if (kind === 'ClusterSecretStore') {
    store = lookup.clusterSecretStore(ref.name);
    if (!store) throw new OperatorError('StoreNotFound', `ClusterSecretStore "${ref.name}" not found`);
    checkConditions(store, namespace, lookup);
  } else {
    store = lookup.secretStore(namespace, ref.name);
    if (!store) throw new OperatorError('StoreNotFound', `SecretStore "${ref.name}" not found in namespace "${namespace}"`);
  }
  const aws = validateStore(store);
  return {
    kind,
    name: ref.name,
    ...(kind === 'SecretStore' ? { namespace } : {}),
    aws: aws as StoreIdentity['aws'],
  };
}

/** A ClusterSecretStore with conditions is usable only from namespaces one of them admits. */
function checkConditions(store: ClusterSecretStore, namespace: string, lookup: StoreLookup): void {
  const conditions = store.spec?.conditions;
  if (!conditions || conditions.length === 0) return;
  for (const condition of conditions) {
    if (condition.namespaces?.includes(namespace)) return;
    if (condition.namespaceRegexes?.some((re) => safeRegex(re)?.test(namespace))) return;
    if (condition.namespaceSelector && selects(store, condition.namespaceSelector, lookup.namespaceLabels(namespace) ?? {})) return;
  }
  throw new OperatorError('StoreNotAllowed', `ClusterSecretStore "${store.metadata.name}" does not allow namespace "${namespace}" (spec.conditions)`);
}

function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
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

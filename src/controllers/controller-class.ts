import type { ClusterExternalSecret, ClusterSecretStore, ExternalSecretSpec, SecretStore, SecretStoreRef } from '../api/generated.ts';
import { cacheKey, type Informer } from '../kube/informer.ts';
import { ref, type ObjectRef } from '../kube/object-ref.ts';
import type { AnyStore } from './secretstore/validate.ts';

/**
 * Which stores, and so which ExternalSecrets, this operator serves: a store's `spec.controller`
 * against CONTROLLER_CLASS, as ESO's `--controller-class` does, so that it can run beside ESO.
 *
 * Without a class this is ESO's rule for its default (empty) class: a store with an empty
 * `controller` is served, one naming any class is left alone. With a class, only stores naming
 * exactly that class are served, not the unclassed ones too as ESO would: beside an ESO of the
 * default class those are ESO's, and both controllers writing them would fight.
 */
export type ControllerClass = string | undefined;

const MAX_CLASS_LENGTH = 253;

/**
 * CONTROLLER_CLASS: unset or empty for no class. ESO puts no rule on `spec.controller`; this
 * refuses only what is surely a typo (surrounding spaces, control characters, an absurd length),
 * which would otherwise leave the operator serving nothing without a word.
 */
export function controllerClassFrom(value: string | undefined): ControllerClass {
  if (value === undefined || value === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (value.length > MAX_CLASS_LENGTH || value.trim() !== value || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(`CONTROLLER_CLASS ${JSON.stringify(value)} is not a class name: at most ${MAX_CLASS_LENGTH} characters, `
      + 'without surrounding spaces or control characters, to match the stores\' spec.controller exactly (leave it unset or empty for no class)');
  }
  return value;
}

/** Whether this operator serves a store of this `spec.controller`. */
export function servesStore(store: Pick<AnyStore, 'spec'>, controllerClass: ControllerClass): boolean {
  const storeClass = store.spec?.controller ?? '';
  return storeClass === (controllerClass ?? '');
}

/**
 * Every store an ExternalSecret's spec names, for one in `namespace`: secretStoreRef and the
 * storeRef of each data and dataFrom sourceRef (ESO checks the class of each).
 */
export function storeRefsOf(spec: ExternalSecretSpec, namespace: string | undefined): ObjectRef[] {
  const named: (SecretStoreRef | undefined)[] = [
    spec.secretStoreRef,
    ...(spec.data ?? []).map((d) => d.sourceRef?.storeRef),
    ...(spec.dataFrom ?? []).map((d) => d.sourceRef?.storeRef),
  ];
  return named.filter((r) => !!r?.name).map((r) => storeRef(r!, namespace));
}

/** The store a reference names, from an object in `namespace` (a SecretStore lives in that namespace). */
export function storeRef(r: SecretStoreRef, namespace: string | undefined): ObjectRef {
  const kind = r.kind ?? 'SecretStore';
  return ref(kind, r.name ?? '', kind === 'ClusterSecretStore' ? undefined : namespace);
}

/**
 * The store an ObjectRef names, as the caches hold it now: a ClusterSecretStore from the cluster
 * cache (none when the operator serves one namespace), otherwise the SecretStore cache.
 */
export function storeLookup(
  secretStores: Informer<SecretStore>, cluster: { clusterSecretStores: Informer<ClusterSecretStore> } | undefined,
): (r: ObjectRef) => AnyStore | undefined {
  return (r) => (r.kind === 'ClusterSecretStore'
    ? cluster?.clusterSecretStores.get(r.name)
    : secretStores.get(cacheKey(r.namespace, r.name)));
}

/**
 * Whether this operator serves an ExternalSecret, from the stores it names as they are now
 * (undefined when absent). As ESO (shouldSkipUnmanagedStore): one existing store of another class
 * is enough to leave it alone, and a missing store is no reason to, so that an ExternalSecret whose
 * store does not exist yet is reported StoreNotFound. With a class, one store of that class must
 * exist: an ExternalSecret whose stores are all missing is left to ESO, which reports it.
 */
export function servesExternalSecret(refs: readonly ObjectRef[], store: (r: ObjectRef) => AnyStore | undefined, controllerClass: ControllerClass): boolean {
  const existing = refs.map(store).filter((s) => s !== undefined);
  if (existing.some((s) => !servesStore(s, controllerClass))) return false;
  return controllerClass === undefined || existing.length > 0;
}

/**
 * Whether this operator serves a ClusterExternalSecret. ESO's ClusterExternalSecret controller
 * ignores classes, so without a class every one is served. With a class, it is served when the
 * ExternalSecrets it makes would be: by the stores its template names, in the namespaces it
 * selects (at least one of them existing, none of another class); else ESO, beside it, fans it
 * out and keeps its status.
 */
export function servesClusterExternalSecret(
  ces: ClusterExternalSecret, namespaces: readonly string[], store: (r: ObjectRef) => AnyStore | undefined, controllerClass: ControllerClass,
): boolean {
  if (controllerClass === undefined) return true;
  const spec = ces.spec.externalSecretSpec;
  if (!spec) return false;
  const refs = namespaces.flatMap((ns) => storeRefsOf(spec, ns));
  // A template naming only ClusterSecretStores is judged on them even with no namespace selected.
  if (refs.length === 0) refs.push(...storeRefsOf(spec, undefined).filter((r) => r.kind === 'ClusterSecretStore'));
  return servesExternalSecret(refs, store, controllerClass);
}

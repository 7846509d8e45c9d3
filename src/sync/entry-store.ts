import type { ExternalSecretSpec, SecretStoreRef } from '../api/generated.ts';

/**
 * Which store each entry of an ExternalSecret reads through. As in ESO, an entry's own
 * `sourceRef.storeRef` takes precedence over the ExternalSecret's `secretStoreRef`, which is
 * only the default: an ExternalSecret whose entries all name their store needs none.
 *
 * Within one ExternalSecret a store is named by a StoreKey: DEFAULT_STORE for its
 * secretStoreRef (also when a sourceRef names that same store, so its entries share one
 * provider), else the kind and name of the sourceRef's store (a SecretStore is always the
 * one of the ExternalSecret's namespace).
 */
export type StoreKey = string;

/** The ExternalSecret's spec.secretStoreRef. */
export const DEFAULT_STORE: StoreKey = '';

/** The prefix of each store an ExternalSecret reads through, by StoreKey. */
export type StorePrefixes = ReadonlyMap<StoreKey, string>;

/** A store that entries use, with where the spec names it first (for messages). */
export interface UsedStore {
  key: StoreKey;
  /** The reference as written; undefined when an entry falls back to a secretStoreRef the spec lacks. */
  ref: SecretStoreRef | undefined;
  /** `spec.secretStoreRef`, or the first entry's `spec.data[i].sourceRef.storeRef`. */
  at: string;
  /** The first entry that reads through it. */
  usedBy: string;
}

type SourceRefLike = { storeRef?: SecretStoreRef } | undefined;

const kindOf = (ref: SecretStoreRef): string => ref.kind ?? 'SecretStore';
const sameStore = (a: SecretStoreRef, b: SecretStoreRef | undefined): boolean => !!b && kindOf(a) === kindOf(b) && (a.name ?? '') === (b.name ?? '');

/** The key of the store an entry with this sourceRef reads through. */
export function entryStoreKey(spec: ExternalSecretSpec, sourceRef: SourceRefLike): StoreKey {
  const own = sourceRef?.storeRef;
  return own && !sameStore(own, spec.secretStoreRef) ? storeKeyOf(own) : DEFAULT_STORE;
}

/** The key a store has in this spec: how its entries reading through `ref` are keyed. */
export function storeKeyIn(spec: ExternalSecretSpec, ref: SecretStoreRef): StoreKey {
  return sameStore(ref, spec.secretStoreRef) ? DEFAULT_STORE : storeKeyOf(ref);
}

function storeKeyOf(ref: SecretStoreRef): StoreKey {
  return `${kindOf(ref)}/${ref.name ?? ''}`;
}

/**
 * Every store the spec's entries read through, in ESO's order (dataFrom, then data), each
 * once. Only entries that read from a store count: a dataFrom entry with neither extract nor
 * find reads nothing, and ESO looks up no store for it. Pure.
 */
export function usedStores(spec: ExternalSecretSpec): UsedStore[] {
  const used = new Map<StoreKey, UsedStore>();
  const use = (sourceRef: SourceRefLike, entry: string): void => {
    const key = entryStoreKey(spec, sourceRef);
    if (used.has(key)) return;
    used.set(key, key === DEFAULT_STORE
      ? { key, ref: spec.secretStoreRef, at: 'spec.secretStoreRef', usedBy: entry }
      : { key, ref: sourceRef!.storeRef, at: `${entry}.sourceRef.storeRef`, usedBy: entry });
  };
  (spec.dataFrom ?? []).forEach((entry, i) => {
    if (entry.extract || entry.find) use(entry.sourceRef, `spec.dataFrom[${i}]`);
  });
  (spec.data ?? []).forEach((item, i) => use(item.sourceRef, `spec.data[${i}]`));
  return [...used.values()];
}

/**
 * status.syncedPushSecrets, as ESO keeps it: by store (`SecretStore/name`, `ClusterSecretStore/name`),
 * then by remote reference (`remoteKey`, or `remoteKey/property`), the spec's entry as pushed. It is
 * what deletionPolicy Delete removes from the provider: when the PushSecret goes, everything in it;
 * on each push, what the last push wrote and this one no longer does (an entry or a store removed).
 * Pure.
 */
import type { PushSecretData } from '../api/generated.ts';

export type SyncedPushes = Record<string, Record<string, PushSecretData>>;

/** ESO's key of a store in the map. */
export const storeKey = (kind: string, name: string): string => `${kind}/${name}`;

/** The store's kind and name back from its key. */
export function storeOfKey(key: string): { kind: 'SecretStore' | 'ClusterSecretStore'; name: string } {
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash) === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  return { kind, name: key.slice(slash + 1) };
}

/** ESO's statusRef: the remote key, with `/property` when the entry sets one. */
export const remoteRefKey = (entry: PushSecretData): string =>
  entry.match.remoteRef.property ? `${entry.match.remoteRef.remoteKey}/${entry.match.remoteRef.property}` : entry.match.remoteRef.remoteKey;

/** One remote secret to delete: the store it is in, and the entry that pushed it. */
export interface StaleEntry {
  store: string;
  ref: string;
  entry: PushSecretData;
}

/**
 * What `previous` holds that `current` does not, store by store: the remote secrets deletionPolicy
 * Delete removes. Against an empty `current`, everything (the PushSecret is being deleted).
 */
export function staleEntries(previous: SyncedPushes | undefined, current: SyncedPushes): StaleEntry[] {
  const stale: StaleEntry[] = [];
  for (const [store, entries] of Object.entries(previous ?? {})) {
    for (const [ref, entry] of Object.entries(entries)) {
      if (!current[store]?.[ref]) stale.push({ store, ref, entry });
    }
  }
  return stale;
}

/**
 * The map to record after a push that failed part-way: what this push wrote, and whatever the
 * previous push recorded, so that nothing written is forgotten by deletionPolicy Delete (ESO's
 * mergeSecretState).
 */
export function mergeSynced(current: SyncedPushes, previous: SyncedPushes | undefined): SyncedPushes {
  const out: SyncedPushes = {};
  for (const [store, entries] of Object.entries(current)) out[store] = { ...entries };
  for (const [store, entries] of Object.entries(previous ?? {})) out[store] = { ...entries, ...out[store] };
  return out;
}

/** `synced` without the entries deleted: what is left to delete if deleting failed part-way. */
export function withoutDeleted(synced: SyncedPushes, deleted: readonly StaleEntry[]): SyncedPushes {
  const out: SyncedPushes = {};
  for (const [store, entries] of Object.entries(synced)) {
    const kept = Object.fromEntries(Object.entries(entries).filter(([ref]) => !deleted.some((d) => d.store === store && d.ref === ref)));
    if (Object.keys(kept).length) out[store] = kept;
  }
  return out;
}

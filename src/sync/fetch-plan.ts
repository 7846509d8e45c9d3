import type { ExternalSecretSpec, GeneratorRef } from '../api/generated.ts';
import { DEFAULT_VERSION, type SecretRef } from '../aws/provider.ts';
import { DEFAULT_STORE, entryStoreKey, type StoreKey, type StorePrefixes } from './entry-store.ts';

/**
 * One call to the provider of one store (sync/entry-store.ts). Several spec entries needing
 * the same call through the same store share it.
 */
export type StoreFetch =
  | { id: string; store: StoreKey; kind: 'value'; ref: SecretRef }
  | { id: string; store: StoreKey; kind: 'tags'; key: string }
  | { id: string; store: StoreKey; kind: 'find'; find: FindSpec };

/**
 * One run of a generator, for one dataFrom entry (its sourceRef.generatorRef). Never shared: as in
 * ESO, every entry gets its own values, even when two name the same generator. It reads no store.
 */
export interface GenerateFetch { id: string; kind: 'generate'; ref: GeneratorRef }

export type Fetch = StoreFetch | GenerateFetch;

export interface FindSpec {
  nameRegexp?: string;
  tags?: Record<string, string>;
  path?: string;
}

type RemoteRefLike = { key: string; version?: string; metadataPolicy?: string };

/** The fetch an entry of data or dataFrom.extract needs, through `store`, with that store's prefix applied. */
export function fetchFor(ref: RemoteRefLike, prefix: string, store: StoreKey = DEFAULT_STORE): StoreFetch {
  const key = prefix + ref.key;
  if (ref.metadataPolicy === 'Fetch') return { id: `${store}\u0000tags\u0000${key}`, store, kind: 'tags', key };
  const version = ref.version || DEFAULT_VERSION;
  return { id: `${store}\u0000value\u0000${version}\u0000${key}`, store, kind: 'value', ref: { key, version } };
}

/** The fetch a dataFrom.find entry needs, through `store`. The store prefix does not apply to find. */
export function fetchForFind(find: NonNullable<NonNullable<ExternalSecretSpec['dataFrom']>[number]['find']>, store: StoreKey = DEFAULT_STORE): StoreFetch {
  const spec: FindSpec = {
    ...(find.name?.regexp !== undefined ? { nameRegexp: find.name.regexp } : {}),
    ...(find.tags && Object.keys(find.tags).length ? { tags: find.tags } : {}),
    ...(find.path ? { path: find.path } : {}),
  };
  const canonical = JSON.stringify([spec.nameRegexp ?? null, Object.entries(spec.tags ?? {}).sort(), spec.path ?? null]);
  return { id: `${store}\u0000find\u0000${canonical}`, store, kind: 'find', find: spec };
}

/**
 * Every distinct provider call a spec needs through the stores in `prefixes`, in first-use
 * order; entries reading through any other store are left out (a read-ahead plans one
 * store's calls). Pure.
 */
export function planFetches(spec: ExternalSecretSpec, prefixes: StorePrefixes): StoreFetch[] {
  const fetches = new Map<string, StoreFetch>();
  const add = (f: StoreFetch) => fetches.has(f.id) || fetches.set(f.id, f);
  for (const entry of spec.dataFrom ?? []) {
    if (!entry.extract && !entry.find) continue;
    const store = entryStoreKey(spec, entry.sourceRef);
    const prefix = prefixes.get(store);
    if (prefix === undefined) continue;
    if (entry.extract) add(fetchFor(entry.extract, prefix, store));
    if (entry.find) add(fetchForFind(entry.find, store));
  }
  for (const item of spec.data ?? []) {
    const store = entryStoreKey(spec, item.sourceRef);
    const prefix = prefixes.get(store);
    if (prefix !== undefined) add(fetchFor(item.remoteRef, prefix, store));
  }
  return [...fetches.values()];
}

/** The generator run of dataFrom entry `index`, whose sourceRef.generatorRef is `ref`. */
export function generateFetchFor(index: number, ref: GeneratorRef): GenerateFetch {
  return { id: `generate\u0000${index}`, kind: 'generate', ref };
}

/**
 * The dataFrom entries that run a generator: those with a sourceRef.generatorRef and neither
 * extract nor find (ESO reads extract or find first; the schema refuses both at once). In
 * entry order; kept apart from planFetches, which plans reads from stores (read-aheads, the
 * change index): a generator reads nothing that a change in AWS could touch. Pure.
 */
export function planGenerations(spec: ExternalSecretSpec): GenerateFetch[] {
  const runs: GenerateFetch[] = [];
  (spec.dataFrom ?? []).forEach((entry, i) => {
    const ref = generatorRefOf(entry);
    if (ref) runs.push(generateFetchFor(i, ref));
  });
  return runs;
}

/** The generatorRef a dataFrom entry runs, if it runs one. */
export function generatorRefOf(entry: NonNullable<ExternalSecretSpec['dataFrom']>[number]): GeneratorRef | undefined {
  return !entry.extract && !entry.find ? entry.sourceRef?.generatorRef : undefined;
}

import type { ExternalSecretSpec } from '../api/generated.ts';
import { DEFAULT_VERSION, type SecretRef } from '../aws/provider.ts';

/** One call to the provider. Several spec entries needing the same call share it. */
export type Fetch =
  | { id: string; kind: 'value'; ref: SecretRef }
  | { id: string; kind: 'tags'; key: string }
  | { id: string; kind: 'find'; find: FindSpec };

export interface FindSpec {
  nameRegexp?: string;
  tags?: Record<string, string>;
  path?: string;
}

type RemoteRefLike = { key: string; version?: string; metadataPolicy?: string };

/** The fetch an entry of data or dataFrom.extract needs, with the store's prefix applied. */
export function fetchFor(ref: RemoteRefLike, prefix: string): Fetch {
  const key = prefix + ref.key;
  if (ref.metadataPolicy === 'Fetch') return { id: `tags\u0000${key}`, kind: 'tags', key };
  const version = ref.version || DEFAULT_VERSION;
  return { id: `value\u0000${version}\u0000${key}`, kind: 'value', ref: { key, version } };
}

/** The fetch a dataFrom.find entry needs. The store prefix does not apply to find. */
export function fetchForFind(find: NonNullable<NonNullable<ExternalSecretSpec['dataFrom']>[number]['find']>): Fetch {
  const spec: FindSpec = {
    ...(find.name?.regexp !== undefined ? { nameRegexp: find.name.regexp } : {}),
    ...(find.tags && Object.keys(find.tags).length ? { tags: find.tags } : {}),
    ...(find.path ? { path: find.path } : {}),
  };
  const canonical = JSON.stringify([spec.nameRegexp ?? null, Object.entries(spec.tags ?? {}).sort(), spec.path ?? null]);
  return { id: `find\u0000${canonical}`, kind: 'find', find: spec };
}

/** Every distinct provider call a spec needs, in first-use order. Pure. */
export function planFetches(spec: ExternalSecretSpec, prefix = ''): Fetch[] {
  const fetches = new Map<string, Fetch>();
  const add = (f: Fetch) => fetches.has(f.id) || fetches.set(f.id, f);
  for (const entry of spec.dataFrom ?? []) {
    if (entry.extract) add(fetchFor(entry.extract, prefix));
    if (entry.find) add(fetchForFind(entry.find));
  }
  for (const item of spec.data ?? []) add(fetchFor(item.remoteRef, prefix));
  return [...fetches.values()];
}

import { LRUCache } from 'lru-cache';
import type { FetchedSecret } from './provider.ts';

/** A value read from AWS, with when it was read and when it was last known to be current. */
export interface CachedValue {
  secret: FetchedSecret;
  /** When the call that read the value was sent (ms). */
  fetchedAt: number;
  /** When the value was last confirmed current: fetchedAt, or the start of a version listing that found it unchanged. */
  checkedAt: number;
}

/** Default bound on the bytes of secret values held, across all identities. */
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;
/** Per entry, beyond its value: the key, the version id, the bookkeeping. */
const ENTRY_OVERHEAD = 256;

/**
 * Secret values in memory only, bounded in bytes, least recently used first out. Each identity
 * sees only its own entries (its IdentityValues view): a value read with one identity's
 * credentials is never served to another.
 */
export class ValueCache {
  private readonly lru: LRUCache<string, CachedValue>;
  private readonly byIdentity = new Map<number, Set<string>>();
  private nextIdentity = 0;

  constructor(maxBytes = DEFAULT_CACHE_BYTES) {
    this.lru = new LRUCache<string, CachedValue>({
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => key.length + sizeOf(entry.secret) + ENTRY_OVERHEAD,
      dispose: (_entry, key) => this.byIdentity.get(identityOf(key))?.delete(key),
    });
  }

  /** A new identity's view; drop() it when the identity's client goes. */
  identity(): IdentityValues {
    const id = this.nextIdentity++;
    const keys = new Set<string>();
    this.byIdentity.set(id, keys);
    const lru = this.lru;
    const full = (key: string) => `${id}\u0000${key}`;
    return {
      get: (key) => lru.get(full(key)),
      set: (key, value) => {
        const k = full(key);
        // lru-cache refuses an entry larger than the whole cache; then there is nothing to serve later.
        if (lru.set(k, value).has(k)) keys.add(k);
      },
      delete: (key) => void lru.delete(full(key)),
      *keys() {
        for (const k of keys) yield k.slice(k.indexOf('\u0000') + 1);
      },
      size: () => keys.size,
      drop: () => {
        for (const k of [...keys]) lru.delete(k);
        this.byIdentity.delete(id);
      },
    };
  }

  /** Bytes held, as counted against the bound. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}

/** One identity's entries, by cache key (see valueKey). */
export interface IdentityValues {
  get(key: string): CachedValue | undefined;
  set(key: string, value: CachedValue): void;
  delete(key: string): void;
  keys(): Iterable<string>;
  size(): number;
  drop(): void;
}

/** The cache key of a secret at a version. */
export const valueKey = (secretId: string, version: string): string => `${version}\u0000${secretId}`;
export const keyParts = (key: string): { secretId: string; version: string } => {
  const at = key.indexOf('\u0000');
  return { version: key.slice(0, at), secretId: key.slice(at + 1) };
};

const identityOf = (fullKey: string): number => Number(fullKey.slice(0, fullKey.indexOf('\u0000')));

/** Bytes a value holds: JavaScript strings take two per code unit. */
function sizeOf(secret: FetchedSecret): number {
  return (secret.secretString?.length ?? 0) * 2 + (secret.secretBinary?.byteLength ?? 0) + secret.name.length * 2;
}

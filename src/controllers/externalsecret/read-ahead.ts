import type { ExternalSecret } from '../../api/generated.ts';
import { DEFAULT_VERSION, type ReadAhead } from '../../aws/provider.ts';
import type { Clock } from '../../kube/clock.ts';
import { refKey, type ObjectRef } from '../../kube/object-ref.ts';
import { storeKeyIn } from '../../sync/entry-store.ts';
import { planFetches } from '../../sync/fetch-plan.ts';
import { syncIsStale } from './refresh.ts';

/** ExternalSecrets looked at per list: bounds the work one store's list can cause. */
const MOST_EXAMINED = 20_000;
/** How long a store's list serves the batches that ask for it before it is made again. */
const LIST_KEPT_MS = 1_000;
/** Lists kept at once (one per store and namespace in use). */
const MOST_LISTS = 1_000;

/**
 * The default-version secrets that the ExternalSecrets of one store in one namespace will ask
 * for as soon as the queue reaches them (their last sync does not cover them: new, changed or
 * force-synced), each with the time the operator saw that change. Read in a batch that has room,
 * they cost no extra call, and those ExternalSecrets find them in the cache: a cold start reads
 * 100 secrets in 5 calls, not in as many as the workers happen to ask for at once. A list is
 * made at most once a second per store and namespace; it only steers what a batch reads ahead,
 * never what a read may be answered with. An ExternalSecret counts for each store it reads
 * through (its secretStoreRef and its entries' sourceRef.storeRef), with only the entries that
 * read through that store: the batch is made with that store's identity.
 */
export class ReadAheads {
  private readonly lists = new Map<string, { madeAt: number; wanted: Array<{ secretId: string; notBefore: number }> }>();
  private readonly clock: Clock;
  private readonly namingStore: (store: ObjectRef) => ExternalSecret[];
  private readonly observedAt: (es: ExternalSecret) => number | undefined;

  constructor(clock: Clock, namingStore: (store: ObjectRef) => ExternalSecret[], observedAt: (es: ExternalSecret) => number | undefined) {
    this.clock = clock;
    this.namingStore = namingStore;
    this.observedAt = observedAt;
  }

  /** What the ExternalSecrets of `es`'s namespace will read next through `store`, with the store's prefix. */
  for(es: ExternalSecret, store: ObjectRef, prefix: string): ReadAhead {
    const namespace = es.metadata.namespace!;
    const key = `${namespace}\u0000${refKey(store)}`;
    return { key, wanted: () => this.list(key, namespace, store, prefix) };
  }

  private list(key: string, namespace: string, store: ObjectRef, prefix: string): Array<{ secretId: string; notBefore: number }> {
    const now = this.clock.now();
    const kept = this.lists.get(key);
    if (kept && now - kept.madeAt < LIST_KEPT_MS) return kept.wanted;
    const wanted = new Map<string, number>();
    const storeRef = { kind: store.kind as 'SecretStore' | 'ClusterSecretStore', name: store.name };
    let examined = 0;
    for (const sibling of this.namingStore(store)) {
      if (++examined > MOST_EXAMINED) break;
      if (sibling.metadata.namespace !== namespace || sibling.metadata.deletionTimestamp) continue;
      const seen = this.observedAt(sibling);
      if (seen === undefined || !syncIsStale(sibling)) continue;
      for (const fetch of planFetches(sibling.spec, new Map([[storeKeyIn(sibling.spec, storeRef), prefix]]))) {
        if (fetch.kind !== 'value' || fetch.ref.version !== DEFAULT_VERSION) continue;
        wanted.set(fetch.ref.key, Math.max(wanted.get(fetch.ref.key) ?? seen, seen));
      }
    }
    const list = [...wanted].map(([secretId, notBefore]) => ({ secretId, notBefore }));
    this.lists.delete(key);
    this.lists.set(key, { madeAt: now, wanted: list });
    if (this.lists.size > MOST_LISTS) this.lists.delete(this.lists.keys().next().value!);
    return list;
  }
}

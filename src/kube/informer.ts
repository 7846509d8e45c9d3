import type { Logger } from 'pino';
import { backoffDelay, watchBackoff, type BackoffPolicy } from './backoff.ts';
import { KubeApiError, PARTIAL_METADATA, PARTIAL_METADATA_LIST, isUnreachable, type KubeClient } from './client.ts';
import { sleep, type Clock } from './clock.ts';
import type { ResourceType } from './resources.ts';

export type InformerEvent = 'added' | 'modified' | 'deleted';
/** `old` is the cache's previous copy of a modified object, for predicates that compare. */
export type InformerHandler<T> = (event: InformerEvent, object: T, old?: T) => void;

export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: any };
}

export interface InformerOptions {
  clock: Clock;
  log: Logger;
  labelSelector?: string;
  /** Server-side watch timeout range in seconds; each watch picks one at random. */
  watchTimeoutSeconds?: [number, number];
  /** How long past its expected end a silent watch is considered stalled. */
  stallGraceMs?: number;
  /**
   * Once the apiserver has sent this informer a bookmark (kube-apiserver sends one about
   * every minute to a watch that asks for them), a watch silent this long is stalled.
   * Default 150 s: two and a half bookmark periods.
   */
  bookmarkSilenceMs?: number;
  backoff?: BackoffPolicy;
  /** A watch healthy this long resets the backoff. */
  healthyResetMs?: number;
  pageSize?: number;
  random?: () => number;
  onRestart?: (resource: string, cause: 'error' | 'stalled' | 'expired') => void;
  /** The apiserver serves this informer again (a list or an accepted watch) after errors or a stall. */
  onRecovered?: (resource: string) => void;
  /**
   * What the cache keeps of each object, applied as it arrives (as controller-runtime's
   * cache TransformFunc): only what reconciles read need be held. Default: the object
   * without metadata.managedFields, often the largest part of a small object; a cache
   * whose objects are the base of writes that read them keeps them (caches.ts).
   */
  transform?: (object: any) => any;
  /**
   * List and watch metadata only (PartialObjectMetadata): for a cache of a kind whose objects' names,
   * labels and versions are all a controller needs, so that their data never crosses the wire.
   */
  metadataOnly?: boolean;
}

/** The object without metadata.managedFields (changed in place: it was just parsed). */
export function withoutManagedFields<T extends KubeObject>(object: T): T {
  delete object.metadata?.managedFields;
  return object;
}

/** The cache key of an object: namespace/name, or the name of a cluster-scoped one. */
export const cacheKey = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name);

export const objectKey = (o: KubeObject): string => cacheKey(o.metadata.namespace, o.metadata.name);

/**
 * A supervised list+watch cache. It never gives up: errors restart it with jittered
 * backoff (cut short when an unreachable apiserver answers again), a 410 relists, a
 * watch silent past its server-side timeout, or past two and a half bookmark periods
 * once bookmarks have been seen, is treated as stalled and restarted, and a relist is
 * swapped in whole so readers never see half a list. Handlers must be cheap (enqueue a
 * key): a relist replays changed objects.
 */
export class Informer<T extends KubeObject> {
  private cache = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly indexers = new Map<string, (o: T) => string[]>();
  private indexes = new Map<string, Map<string, Set<string>>>();
  private resourceVersion: string | undefined;
  /** The apiserver sends this informer bookmarks, so their absence means a stall. */
  private bookmarksSeen = false;
  /** Errors or a stall since the apiserver last served this informer. */
  private troubled = false;
  private readonly abort = new AbortController();
  private syncedResolve!: () => void;
  private readonly syncedPromise = new Promise<void>((r) => (this.syncedResolve = r));
  private loop: Promise<void> | undefined;

  private readonly client: KubeClient;
  readonly resource: ResourceType;
  private readonly options: InformerOptions;

  constructor(client: KubeClient, resource: ResourceType, options: InformerOptions) {
    this.client = client;
    this.resource = resource;
    this.options = options;
  }

  on(handler: InformerHandler<T>): this {
    this.handlers.push(handler);
    return this;
  }

  /** Adds a named secondary index, e.g. ExternalSecrets by the store they use. */
  addIndex(name: string, keysOf: (o: T) => string[]): this {
    this.indexers.set(name, keysOf);
    this.indexes.set(name, new Map());
    return this;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    return keys ? [...keys].map((k) => this.cache.get(k)!).filter(Boolean) : [];
  }

  /** Resolves once the first list has been loaded. */
  synced(): Promise<void> {
    return this.syncedPromise;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private transform(object: T): T {
    return (this.options.transform ?? withoutManagedFields)(object);
  }

  private get log(): Logger {
    return this.options.log;
  }

  private async run(): Promise<void> {
    const { clock } = this.options;
    const random = this.options.random ?? Math.random;
    let failures = 0;
    let wasUnreachable = false;
    while (!this.abort.signal.aborted) {
      const startedAt = clock.now();
      let unreachable = false;
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const outcome = await this.watchOnce();
        if (clock.now() - startedAt >= (this.options.healthyResetMs ?? 120_000)) failures = 0;
        if (outcome === 'closed') continue;
        this.options.onRestart?.(this.resource.plural, outcome);
        if (outcome === 'stalled') this.troubled = true;
        if (outcome === 'expired') {
          this.resourceVersion = undefined;
          continue;
        }
        // A stalled watch is restarted after a backoff step like an error.
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (clock.now() - startedAt >= (this.options.healthyResetMs ?? 120_000)) failures = 0;
        if (err instanceof KubeApiError && err.status === 410) this.resourceVersion = undefined;
        this.log.warn({ resource: this.resource.plural, err: describe(err) }, 'watch failed; restarting');
        this.options.onRestart?.(this.resource.plural, 'error');
        this.troubled = true;
        unreachable = isUnreachable(err);
        // The apiserver answers again (if with an error, e.g. 429 while its storage initializes):
        // the backoff grown while it could not be reached starts over.
        if (wasUnreachable && !unreachable) failures = 0;
      }
      wasUnreachable = unreachable;
      const delay = backoffDelay(this.options.backoff ?? watchBackoff, failures++, random());
      await this.pause(delay, unreachable);
    }
  }

  /**
   * Waits out a backoff step. After a transport failure the wait ends early (though not
   * before the policy's first step, so a flapping connection cannot spin) once the
   * apiserver answers again: a backoff grown during a long outage must not delay
   * catching up after it.
   */
  private async pause(ms: number, untilReachable: boolean): Promise<void> {
    const { clock } = this.options;
    const floor = Math.min(ms, (this.options.backoff ?? watchBackoff).initialMs);
    await sleep(clock, untilReachable ? floor : ms, this.abort.signal);
    if (!untilReachable || ms <= floor || this.abort.signal.aborted) return;
    const woken = new AbortController();
    const onStop = () => woken.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    try {
      await Promise.race([sleep(clock, ms - floor, woken.signal), this.client.whenReachable(woken.signal)]);
    } finally {
      woken.abort();
      this.abort.signal.removeEventListener('abort', onStop);
    }
  }

  /** The apiserver served this informer: after trouble, say so once. */
  private served(): void {
    if (!this.troubled) return;
    this.troubled = false;
    this.options.onRecovered?.(this.resource.plural);
  }

  private async relist(): Promise<void> {
    const next = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.client.request<{ items: T[] | null; metadata: { resourceVersion: string; continue?: string } }>(
        'GET', this.resource.listPath(), {
          query: { labelSelector: this.options.labelSelector, limit: this.options.pageSize ?? 500, continue: continueToken },
          signal: this.abort.signal,
          ...(this.options.metadataOnly ? { accept: PARTIAL_METADATA_LIST } : {}),
        });
      // A metadata-only list of nothing says `items: null`.
      for (const item of page.items ?? []) {
        // List items omit apiVersion and kind; handlers and writers expect them.
        const full = this.transform({ apiVersion: this.resource.apiVersion, kind: this.resource.kind, ...item } as T);
        next.set(objectKey(full), full);
      }
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken);

    const previous = this.cache;
    this.cache = next;
    this.rebuildIndexes();
    this.resourceVersion = resourceVersion;
    for (const [key, object] of next) {
      const old = previous.get(key);
      if (!old) this.emit('added', object);
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) this.emit('modified', object, old);
    }
    for (const [key, object] of previous) if (!next.has(key)) this.emit('deleted', object);
    this.syncedResolve();
    this.served();
  }

  /** One watch from the current resourceVersion until it ends. */
  private async watchOnce(): Promise<'closed' | 'stalled' | 'expired'> {
    const { clock } = this.options;
    const random = this.options.random ?? Math.random;
    const [min, max] = this.options.watchTimeoutSeconds ?? [300, 600];
    const timeoutSeconds = Math.round(min + (max - min) * random());
    // Silence allowed before the watch counts as stalled, measured from its last event.
    const silenceLimit = () => Math.min(
      timeoutSeconds * 1000 + (this.options.stallGraceMs ?? 30_000),
      this.bookmarksSeen ? this.options.bookmarkSilenceMs ?? 150_000 : Infinity);
    const watchAbort = new AbortController();
    const onStop = () => watchAbort.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    let stalled: number | undefined;
    const arm = () => {
      const limit = silenceLimit();
      return clock.setTimeout(() => ((stalled = limit), watchAbort.abort()), limit);
    };
    let watchdog = arm();
    const feed = () => {
      clock.clearTimeout(watchdog);
      watchdog = arm();
    };
    try {
      const events = this.client.watch(this.resource.listPath(), {
        labelSelector: this.options.labelSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
      }, watchAbort.signal, () => this.served(), this.options.metadataOnly ? PARTIAL_METADATA : undefined);
      for await (const event of events) {
        if (event.type === 'BOOKMARK') this.bookmarksSeen = true;
        feed();
        if (event.type === 'ERROR') {
          if (event.object?.code === 410) return 'expired';
          throw new KubeApiError(event.object?.code ?? 500, event.object?.reason ?? 'WatchError', event.object?.message ?? 'watch error');
        }
        const object = { apiVersion: this.resource.apiVersion, kind: this.resource.kind, ...event.object } as T;
        this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
        if (event.type === 'BOOKMARK') continue;
        this.apply(event.type === 'DELETED' ? 'deleted' : 'upsert', this.transform(object));
      }
      return 'closed';
    } catch (err) {
      if (stalled !== undefined) {
        this.log.warn({ resource: this.resource.plural, silentMs: stalled }, 'watch stalled; restarting');
        return 'stalled';
      }
      throw err;
    } finally {
      clock.clearTimeout(watchdog);
      this.abort.signal.removeEventListener('abort', onStop);
      watchAbort.abort();
    }
  }

  private apply(op: 'upsert' | 'deleted', object: T): void {
    const key = objectKey(object);
    const old = this.cache.get(key);
    if (op === 'deleted') {
      this.cache.delete(key);
      if (old) this.unindex(key, old);
      this.emit('deleted', object);
      return;
    }
    this.cache.set(key, object);
    if (old) this.unindex(key, old);
    this.index(key, object);
    this.emit(old ? 'modified' : 'added', object, old);
  }

  private emit(event: InformerEvent, object: T, old?: T): void {
    for (const handler of this.handlers) {
      try {
        handler(event, object, old);
      } catch (err) {
        this.log.error({ resource: this.resource.plural, err: describe(err) }, 'informer handler failed');
      }
    }
  }

  private rebuildIndexes(): void {
    this.indexes = new Map([...this.indexers.keys()].map((name) => [name, new Map()]));
    for (const [key, object] of this.cache) this.index(key, object);
  }

  private index(key: string, object: T): void {
    for (const [name, keysOf] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const value of keysOf(object)) {
        let set = index.get(value);
        if (!set) index.set(value, (set = new Set()));
        set.add(key);
      }
    }
  }

  private unindex(key: string, object: T): void {
    for (const [name, keysOf] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const value of keysOf(object)) {
        const set = index.get(value);
        set?.delete(key);
        if (set?.size === 0) index.delete(value);
      }
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

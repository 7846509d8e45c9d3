import type { Logger } from 'pino';
import { OperatorError, reasonOf } from '../errors.ts';
import type { Clock, Timer } from '../kube/clock.ts';
import { DEFAULT_VERSION, type FetchedSecret, type Freshness } from './provider.ts';
import { keyParts, valueKey, type CachedValue, type IdentityValues } from './value-cache.ts';

/** How a read was answered: from the cache, by joining a call in flight, by a listing that found it unchanged, or by a new call. */
export type CacheOutcome = 'hit' | 'joined' | 'confirmed' | 'miss';
/** Operations an identity may be refused and read without. */
export type FallbackOperation = 'BatchGetSecretValue' | 'ListSecrets' | 'GetParameters';

export interface ReadHooks {
  onCache?: (outcome: CacheOutcome) => void;
  onBatch?: (size: number) => void;
  /** An identity was refused an operation and reads another way for a while. */
  onFallback?: (operation: FallbackOperation) => void;
}

/** What one batch call answered. */
export interface BatchAnswer {
  /** The values found, each with the name and the ARN it may have been asked by. */
  found: Array<{ name: string | undefined; arn: string | undefined; secret: FetchedSecret }>;
  /** The ids the service answered with a failure of their own. */
  failed: Array<{ id: string; error: unknown }>;
}

/** What differs between the services an engine reads: their calls, their batch size, their words. */
export interface ServiceReads {
  /** Ids one batch call takes at most. */
  batchSize: number;
  /** How long default-version reads wait, by default, for others to share a batch call. */
  batchWindowMs: number;
  /** The batch call, for the count and the log line when it is refused. */
  batchOperation: FallbackOperation;
  /** Reads up to batchSize ids, all distinct, at their default version. */
  readBatch(ids: string[]): Promise<BatchAnswer>;
  /** Reads one id at one version; a value nobody may read throws the service's OperatorError. */
  readOne(id: string, version: string): Promise<FetchedSecret>;
  /** Versions whose value never changes: a cached one answers however old. */
  pinned?(version: string): boolean;
  /** The log line when an identity is refused `operation`, saying how it reads meanwhile and what to grant. */
  deniedMessage(operation: FallbackOperation): string;
}

/** Who reads, and how: what each service's fetcher is made with, beside its client. */
export interface ReadEngineOptions {
  /** The role the calls are made as, for error messages and the denial's log line. */
  role: string | undefined;
  values: IdentityValues;
  clock: Clock;
  log: Logger;
  hooks?: ReadHooks;
  /** How long default-version reads wait for others to share a batch call (the service's default otherwise). */
  batchWindowMs?: number;
}

/** A refused batch call (or listing) is not tried again for this long (IAM policies change rarely). */
export const DENIAL_REMEMBERED_MS = 60 * 60_000;

/** Failures that say nothing about the value itself: a cached value stays valid through them. */
const TRANSIENT = new Set<string>(['AWSThrottled', 'AWSRequestFailed']);
export const isTransient = (error: unknown): boolean => TRANSIENT.has(reasonOf(error));

interface Flight {
  key: string;
  /** When the call was sent; a read still waiting for its batch is sent later, so it answers anyone. */
  startedAt: number;
  waiting: boolean;
  /** Sent before a change to its value was reported: it answers its own askers, nobody later. */
  stale?: boolean;
  promise: Promise<FetchedSecret>;
  resolve(secret: FetchedSecret): void;
  reject(error: unknown): void;
}

/**
 * The reads of one service's values made with one identity's credentials (secret-fetcher.ts for
 * Secrets Manager, parameter-fetcher.ts for Parameter Store). Reads of the same id and version
 * share a call in flight; values are served from the identity's cache while they are as recent
 * as the asker's Freshness demands; default-version reads arriving within a few milliseconds
 * share one batch call, its spare room filled with the values other ExternalSecrets are about
 * to ask for, then with cached values as stale as those being re-read; each id's answer, or
 * failure, goes to whoever asked for it. An identity refused the batch call reads one by one.
 */
export class ReadEngine {
  private readonly service: ServiceReads;
  private readonly role: string | undefined;
  private readonly values: IdentityValues;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly hooks: ReadHooks;
  private readonly batchWindowMs: number;

  private readonly inFlight = new Map<string, Flight>();
  /** Default-version reads waiting for the next batch, and what their askers demanded. */
  private queued: Flight[] = [];
  private askers: Freshness[] = [];
  private timer: Timer | undefined;
  private batchDeniedUntil = -Infinity;

  constructor(options: ReadEngineOptions, service: ServiceReads) {
    this.service = service;
    this.role = options.role;
    this.values = options.values;
    this.clock = options.clock;
    this.log = options.log;
    this.hooks = options.hooks ?? {};
    this.batchWindowMs = options.batchWindowMs ?? service.batchWindowMs;
  }

  /** The value at `key` (see valueKey): from memory when recent enough for the asker, else by a new read. */
  read(key: string, freshness: Freshness): Promise<FetchedSecret> {
    return this.served(key, freshness) ?? this.miss(key, freshness);
  }

  /** A cached value or a call in flight recent enough for the asker, counted as `outcome` (or joined). */
  served(key: string, freshness: Freshness, outcome: CacheOutcome = 'hit'): Promise<FetchedSecret> | undefined {
    const cached = this.values.get(key);
    if (cached && this.serves(cached, keyParts(key).version, freshness)) {
      this.hooks.onCache?.(outcome);
      return Promise.resolve(cached.secret);
    }
    const joined = this.joinable(key, freshness.notBefore);
    if (joined) this.hooks.onCache?.('joined');
    return joined;
  }

  /** A call in flight for `key` sent at or after `notBefore`, or still waiting to be sent. */
  joinable(key: string, notBefore: number): Promise<FetchedSecret> | undefined {
    const flight = this.inFlight.get(key);
    return flight && !flight.stale && (flight.waiting || flight.startedAt >= notBefore) ? flight.promise : undefined;
  }

  /** Whether a read of `key` is in flight or waiting for its batch. */
  reading(key: string): boolean {
    return this.inFlight.has(key);
  }

  /** A new read, counted as a miss. */
  miss(key: string, freshness: Freshness): Promise<FetchedSecret> {
    this.hooks.onCache?.('miss');
    return this.send(key, freshness);
  }

  /** A new read, not counted: a default-version one waits for its batch, any other is sent alone. */
  send(key: string, freshness: Freshness): Promise<FetchedSecret> {
    const flight = this.flight(key);
    if (keyParts(key).version === DEFAULT_VERSION) this.enqueue(flight, freshness);
    else void this.readOne(flight);
    return flight.promise;
  }

  /**
   * Values changed in AWS: their cached values go, and calls already sent for them answer only
   * their own askers, so that every read from now on is sent after the change. Reads still
   * waiting for their batch are sent later anyway.
   */
  forget(changed: (key: string) => boolean): void {
    for (const key of [...this.values.keys()]) if (changed(key)) this.values.delete(key);
    for (const flight of this.inFlight.values()) if (!flight.waiting && changed(flight.key)) flight.stale = true;
  }

  /** One log line and one count when an identity is first refused an operation; it then reads another way. */
  denied(operation: FallbackOperation): void {
    this.hooks.onFallback?.(operation);
    this.log.info({ role: this.role ?? 'default credentials', operation }, this.service.deniedMessage(operation));
  }

  /** The identity's client is going: reads still waiting for a batch fail (their reconciles retry), cached values go. */
  destroy(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const closed = new OperatorError('AWSRequestFailed', 'the AWS client of this identity was closed; retrying');
    for (const flight of this.queued) this.settle(flight, undefined, closed);
    this.queued = [];
    this.askers = [];
    this.values.drop();
  }

  /** Whether a cached value may answer: a pinned version never changes; otherwise it must be as recent as the asker demands. */
  private serves(cached: CachedValue, version: string, freshness: Freshness): boolean {
    if (this.service.pinned?.(version)) return true;
    return (freshness.fresh ? cached.fetchedAt : cached.checkedAt) >= freshness.notBefore;
  }

  private flight(key: string): Flight {
    const { promise, resolve, reject } = Promise.withResolvers<FetchedSecret>();
    // A read started for a value nobody awaits yet (a top-up) must not fail unobserved.
    promise.catch(() => {});
    const flight = { key, startedAt: this.clock.now(), waiting: false, promise, resolve, reject };
    this.inFlight.set(key, flight);
    return flight;
  }

  private settle(flight: Flight, secret: FetchedSecret | undefined, error?: unknown): void {
    // A later read of the same value may have replaced this one in flight: it stays.
    if (this.inFlight.get(flight.key) === flight) this.inFlight.delete(flight.key);
    if (secret === undefined) {
      // AWS answered that the value is gone or no longer readable: the value held must not answer for it.
      if (!isTransient(error)) this.values.delete(flight.key);
      return flight.reject(error);
    }
    const cached = this.values.get(flight.key);
    if (!flight.stale && (!cached || cached.fetchedAt <= flight.startedAt)) {
      this.values.set(flight.key, { secret, fetchedAt: flight.startedAt, checkedAt: flight.startedAt });
    }
    flight.resolve(secret);
  }

  private enqueue(flight: Flight, freshness: Freshness): void {
    flight.waiting = true;
    this.queued.push(flight);
    this.askers.push(freshness);
    if (this.queued.length >= this.service.batchSize) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), this.batchWindowMs);
  }

  private flush(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const flights = this.queued;
    const askers = this.askers;
    this.queued = [];
    this.askers = [];
    const now = this.clock.now();
    for (const flight of flights) {
      flight.waiting = false;
      flight.startedAt = now;
    }
    const size = this.service.batchSize;
    const room = (size - (flights.length % size)) % size;
    for (const key of this.topUps(room, askers)) flights.push(this.flight(key));
    for (let i = 0; i < flights.length; i += size) void this.readBatch(flights.slice(i, i + size));
  }

  /**
   * What fills a batch's spare room at no extra call: the values other ExternalSecrets of the
   * askers' stores are about to ask for, then cached values as stale as those being re-read
   * (a periodic refresh of many values then costs one call a batch, not one a value).
   */
  private topUps(room: number, askers: Freshness[]): string[] {
    const chosen: string[] = [];
    if (room === 0) return chosen;
    const wanted = (key: string, stale: (c: CachedValue) => boolean): boolean => {
      if (chosen.includes(key) || this.inFlight.has(key)) return false;
      const cached = this.values.get(key);
      return !cached || stale(cached);
    };
    const readAheads = new Map(askers.flatMap((a) => (a.alsoWanted ? [[a.alsoWanted.key, a.alsoWanted] as const] : [])));
    for (const readAhead of readAheads.values()) {
      for (const soon of readAhead.wanted()) {
        if (chosen.length >= room) return chosen;
        const key = valueKey(soon.secretId, DEFAULT_VERSION);
        if (wanted(key, (c) => c.fetchedAt < soon.notBefore)) chosen.push(key);
      }
    }
    const periodic = askers.filter((a) => !a.fresh).map((a) => a.notBefore);
    if (periodic.length === 0) return chosen;
    const threshold = Math.max(...periodic);
    for (const key of this.values.keys()) {
      if (chosen.length >= room) break;
      if (keyParts(key).version !== DEFAULT_VERSION) continue;
      if (wanted(key, (c) => c.checkedAt < threshold)) chosen.push(key);
    }
    return chosen;
  }

  /** Up to batchSize default-version reads in one call; each id's answer or error goes to whoever asked for it. */
  private async readBatch(flights: Flight[]): Promise<void> {
    if (flights.length === 1 || this.clock.now() < this.batchDeniedUntil) {
      await Promise.all(flights.map((flight) => this.readOne(flight)));
      return;
    }
    this.hooks.onBatch?.(flights.length);
    // One read per id is waiting at a time (the ones waiting answer every asker), so ids are distinct.
    const byId = new Map(flights.map((flight) => [keyParts(flight.key).secretId, flight]));
    let answer: BatchAnswer;
    try {
      answer = await this.service.readBatch([...byId.keys()]);
    } catch (error) {
      const reason = reasonOf(error);
      if (reason === 'AWSThrottled') {
        for (const flight of flights) this.settle(flight, undefined, error);
        return;
      }
      if (reason === 'AWSAccessDenied') {
        this.batchDeniedUntil = this.clock.now() + DENIAL_REMEMBERED_MS;
        this.denied(this.service.batchOperation);
      }
      // Read one by one, so that each id's own answer (a denial of one of them, say) reaches its asker.
      await Promise.all(flights.map((flight) => this.readOne(flight)));
      return;
    }
    for (const { name, arn, secret } of answer.found) {
      const flight = take(byId, name !== undefined && byId.has(name) ? name : arn);
      if (flight) this.settle(flight, secret);
    }
    for (const { id, error } of answer.failed) {
      const flight = take(byId, id);
      if (flight) this.settle(flight, undefined, error);
    }
    // An id AWS answered under another form (a partial ARN): read it alone.
    await Promise.all([...byId.values()].map((flight) => this.readOne(flight)));
  }

  private async readOne(flight: Flight): Promise<void> {
    const { secretId, version } = keyParts(flight.key);
    try {
      this.settle(flight, await this.service.readOne(secretId, version));
    } catch (error) {
      this.settle(flight, undefined, error);
    }
  }
}

/** The entry under `key`, taken out: each id of a batch is answered once. */
function take<V>(map: Map<string, V>, key: string | undefined): V | undefined {
  if (key === undefined) return undefined;
  const value = map.get(key);
  map.delete(key);
  return value;
}

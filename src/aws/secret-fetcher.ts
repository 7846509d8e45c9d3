import { BatchGetSecretValueCommand, GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import { OperatorError, reasonOf } from '../errors.ts';
import type { Clock, Timer } from '../kube/clock.ts';
import { awsCall, fromAwsError } from './aws-errors.ts';
import { DEFAULT_VERSION, type FetchedSecret, type Freshness, type SecretRef } from './provider.ts';
import { keyParts, valueKey, type CachedValue, type IdentityValues } from './value-cache.ts';
import { BATCH_SIZE, LIST_PAGE_SIZE, VersionListing, type CurrentVersions, type PolledVersion, type PolledVersions } from './version-listing.ts';
import { secretNamesOf } from '../changes/secret-name.ts';

/** How a read was answered: from the cache, by joining a call in flight, by a listing that found it unchanged, or by a new call. */
export type CacheOutcome = 'hit' | 'joined' | 'confirmed' | 'miss';
/** Operations an identity may be refused and read without (GetParameters: Parameter Store, aws/parameter-fetcher.ts). */
export type FallbackOperation = 'BatchGetSecretValue' | 'ListSecrets' | 'GetParameters';

export interface FetcherHooks {
  onCall?: (action: string, ok: boolean) => void;
  onCache?: (outcome: CacheOutcome) => void;
  onBatch?: (size: number) => void;
  /** An identity was refused an operation and reads another way for a while. */
  onFallback?: (operation: FallbackOperation) => void;
}

export interface FetcherOptions {
  client: SecretsManagerClient;
  /** The role the calls are made as, for error messages. */
  role: string | undefined;
  values: IdentityValues;
  clock: Clock;
  log: Logger;
  hooks?: FetcherHooks;
  /** How long default-version reads wait for others to share a BatchGetSecretValue. */
  batchWindowMs?: number;
}

export const BATCH_WINDOW_MS = 5;
/** How long a change poll waits for the polls of the same identity from other namespaces and stores. */
const POLL_GATHER_MS = 100;
/** A refused BatchGetSecretValue or ListSecrets is not tried again for this long (IAM policies change rarely). */
const DENIAL_REMEMBERED_MS = 60 * 60_000;

/** Failures that say nothing about the secret itself: a cached value stays valid through them. */
const TRANSIENT = new Set<string>(['AWSThrottled', 'AWSRequestFailed']);

interface Flight {
  key: string;
  /** When the call was sent; a read still waiting for its batch is sent later, so it answers anyone. */
  startedAt: number;
  waiting: boolean;
  /** Sent before a change to its secret was reported: it answers its own askers, nobody later. */
  stale?: boolean;
  promise: Promise<FetchedSecret>;
  resolve(secret: FetchedSecret): void;
  reject(error: unknown): void;
}

/**
 * Every read of Secrets Manager made with one identity's credentials. Reads of the same
 * secret and version share a call in flight; values are served from the identity's cache
 * while they are as recent as the asker's Freshness demands; default-version reads that
 * arrive within a few milliseconds share one BatchGetSecretValue (20 secrets a call), with
 * spare room filled by secrets about to be asked for; periodic reads of cached values are
 * confirmed by a ListSecrets listing of versions when that costs fewer calls.
 */
export class SecretFetcher {
  readonly client: SecretsManagerClient;
  readonly role: string | undefined;
  private readonly values: IdentityValues;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly hooks: FetcherHooks;
  private readonly batchWindowMs: number;

  private readonly inFlight = new Map<string, Flight>();
  /** Default-version reads waiting for the next batch, and what their askers demanded. */
  private queued: Flight[] = [];
  private askers: Freshness[] = [];
  private timer: Timer | undefined;
  private readonly listing = new VersionListing();
  /** The listing in flight: confirms of cached values and change polls share it. */
  private round: { startedAt: number; done: Promise<CurrentVersions | undefined> } | undefined;
  private batchDeniedUntil = -Infinity;
  /** Change polls arriving together, and the listing round that will answer them all. */
  private gathering: { ids: Set<string>; namesWanted: boolean; listing: Promise<CurrentVersions | undefined> } | undefined;

  constructor(options: FetcherOptions) {
    this.client = options.client;
    this.role = options.role;
    this.values = options.values;
    this.clock = options.clock;
    this.log = options.log;
    this.hooks = options.hooks ?? {};
    this.batchWindowMs = options.batchWindowMs ?? BATCH_WINDOW_MS;
  }

  async get(ref: SecretRef, freshness: Freshness): Promise<FetchedSecret> {
    const version = ref.version || DEFAULT_VERSION;
    const key = valueKey(ref.key, version);
    const served = this.fromMemory(key, version, freshness);
    if (served) return served;
    if (!freshness.fresh && version === DEFAULT_VERSION && this.values.get(key)) {
      await this.confirmByListing(freshness.notBefore);
      const confirmed = this.fromMemory(key, version, freshness, 'confirmed');
      if (confirmed) return confirmed;
    }
    this.hooks.onCache?.('miss');
    const flight = this.flight(key);
    if (version === DEFAULT_VERSION) this.enqueue(flight, freshness);
    else void this.readOne(flight);
    return flight.promise;
  }

  /** Makes one call with this identity, reported and mapped like every other. */
  call<T>(action: string, secretId: string | undefined, send: () => Promise<T>): Promise<T> {
    return awsCall({ action, key: secretId, role: this.role }, this.hooks.onCall, send);
  }

  /**
   * Secrets reported changed in AWS (by name, as secret-name.ts reads ids): their cached values
   * go, in every version (a deleted secret must not answer by version id either), and calls
   * already sent for them answer only their own askers, so that every read from now on is sent
   * after the change. Reads still waiting for their batch are sent later anyway.
   */
  invalidate(names: ReadonlySet<string>): void {
    const named = (key: string) => secretNamesOf(keyParts(key).secretId).names.some((name) => names.has(name));
    for (const key of [...this.values.keys()]) if (named(key)) this.values.delete(key);
    for (const flight of this.inFlight.values()) if (!flight.waiting && named(flight.key)) flight.stale = true;
  }

  /** The identity's client is going: reads still waiting for a batch fail (their reconciles retry), cached values go. */
  destroy(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    const closed = new OperatorError('AWSRequestFailed', 'the AWS client of this identity was closed; retrying');
    for (const flight of this.queued) this.settle(flight, undefined, closed);
    this.queued = [];
    this.values.drop();
  }

  /** A cached value or a call in flight recent enough for the asker. */
  private fromMemory(key: string, version: string, freshness: Freshness, outcome: CacheOutcome = 'hit'): Promise<FetchedSecret> | undefined {
    const cached = this.values.get(key);
    if (cached && serves(cached, version, freshness)) {
      this.hooks.onCache?.(outcome);
      return Promise.resolve(cached.secret);
    }
    const flight = this.inFlight.get(key);
    if (flight && !flight.stale && (flight.waiting || flight.startedAt >= freshness.notBefore)) {
      this.hooks.onCache?.('joined');
      return flight.promise;
    }
    return undefined;
  }

  private flight(key: string): Flight {
    const { promise, resolve, reject } = Promise.withResolvers<FetchedSecret>();
    // A read started for a secret nobody awaits yet (a top-up) must not fail unobserved.
    promise.catch(() => {});
    const flight = { key, startedAt: this.clock.now(), waiting: false, promise, resolve, reject };
    this.inFlight.set(key, flight);
    return flight;
  }

  private settle(flight: Flight, secret: FetchedSecret | undefined, error?: unknown): void {
    // A later read of the same secret may have replaced this one in flight: it stays.
    if (this.inFlight.get(flight.key) === flight) this.inFlight.delete(flight.key);
    if (secret === undefined) {
      // AWS answered that the secret is gone or no longer readable: the value held must not answer for it.
      if (!TRANSIENT.has(reasonOf(error))) this.values.delete(flight.key);
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
    if (this.queued.length >= BATCH_SIZE) this.flush();
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
    const room = (BATCH_SIZE - (flights.length % BATCH_SIZE)) % BATCH_SIZE;
    for (const key of this.topUps(room, askers)) flights.push(this.flight(key));
    for (let i = 0; i < flights.length; i += BATCH_SIZE) void this.readBatch(flights.slice(i, i + BATCH_SIZE));
  }

  /**
   * What fills a batch's spare room at no extra call: the secrets other ExternalSecrets of the
   * askers' stores are about to ask for, then cached values as stale as those being re-read.
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

  /** Up to 20 default-version reads in one call; each secret's error goes to whoever asked for it. */
  private async readBatch(flights: Flight[]): Promise<void> {
    if (flights.length === 1 || this.clock.now() < this.batchDeniedUntil) {
      await Promise.all(flights.map((flight) => this.readOne(flight)));
      return;
    }
    this.hooks.onBatch?.(flights.length);
    // One read per secret is waiting at a time (the ones waiting answer every asker), so ids are distinct.
    const byId = new Map(flights.map((flight) => [keyParts(flight.key).secretId, flight]));
    let out;
    try {
      out = await this.call('BatchGetSecretValue', undefined, () => this.client.send(new BatchGetSecretValueCommand({ SecretIdList: [...byId.keys()] })));
    } catch (error) {
      const reason = reasonOf(error);
      if (reason === 'AWSThrottled') {
        for (const flight of flights) this.settle(flight, undefined, error);
        return;
      }
      if (reason === 'AWSAccessDenied') this.denied('BatchGetSecretValue', () => (this.batchDeniedUntil = this.clock.now() + DENIAL_REMEMBERED_MS));
      // Read one by one, so that each secret's own answer reaches its asker.
      await Promise.all(flights.map((flight) => this.readOne(flight)));
      return;
    }
    for (const value of out.SecretValues ?? []) {
      const secretId = byId.has(value.Name!) ? value.Name! : value.ARN!;
      const flight = byId.get(secretId);
      if (flight === undefined) continue;
      byId.delete(secretId);
      this.settle(flight, fetched(value, secretId));
    }
    for (const failure of out.Errors ?? []) {
      const flight = byId.get(failure.SecretId!);
      if (flight === undefined) continue;
      byId.delete(failure.SecretId!);
      // BatchGetSecretValue needs GetSecretValue on each secret: a per-secret failure is that call's.
      this.settle(flight, undefined, fromAwsError({ name: failure.ErrorCode, message: failure.Message }, { action: 'GetSecretValue', key: failure.SecretId, role: this.role }));
    }
    // An id AWS answered under another form (a partial ARN): read it alone.
    await Promise.all([...byId.values()].map((flight) => this.readOne(flight)));
  }

  private async readOne(flight: Flight): Promise<void> {
    const { secretId, version } = keyParts(flight.key);
    const byId = version.startsWith('uuid/');
    try {
      const out = await this.call('GetSecretValue', secretId, () => this.client.send(new GetSecretValueCommand({
        SecretId: secretId,
        ...(byId ? { VersionId: version.slice('uuid/'.length) } : { VersionStage: version }),
      })));
      this.settle(flight, fetched(out, secretId));
    } catch (error) {
      this.settle(flight, undefined, error);
    }
  }

  /**
   * Confirms this identity's cached default-version values against a listing of current
   * versions, when listing is the cheaper plan; one round at a time, shared by every asker
   * whose values it is recent enough for. Changed secrets are re-read at once, in batches.
   */
  private async confirmByListing(notBefore: number): Promise<void> {
    if (this.round && this.round.startedAt >= notBefore) return void await this.round.done;
    if (this.round) await this.round.done;
    if (this.round && this.round.startedAt >= notBefore) return void await this.round.done;
    let cached = 0;
    for (const key of this.values.keys()) if (keyParts(key).version === DEFAULT_VERSION) cached++;
    const startedAt = this.clock.now();
    const budget = this.listing.budget(cached, startedAt);
    if (budget === 0) return;
    await this.listRound(startedAt, budget);
  }

  /** A listing round that others may join while it runs; as it ends, its versions confirm the cached values. */
  private async listRound(startedAt: number, budget: number): Promise<CurrentVersions | undefined> {
    const round = {
      startedAt,
      done: this.listVersions(budget).then((versions) => {
        if (versions) this.applyListing(versions, startedAt);
        return versions;
      }),
    };
    this.round = round;
    try {
      return await round.done;
    } finally {
      if (this.round === round) this.round = undefined;
    }
  }

  private async listVersions(budget: number): Promise<CurrentVersions | undefined> {
    try {
      return await this.listing.list(budget, (token) => this.call('ListSecrets', undefined, () => this.client.send(new ListSecretsCommand({ MaxResults: LIST_PAGE_SIZE, NextToken: token }))));
    } catch (error) {
      if (reasonOf(error) === 'AWSAccessDenied') this.denied('ListSecrets', () => this.listing.denied(this.clock.now() + DENIAL_REMEMBERED_MS));
      // Any failure: the values are re-read instead.
      return undefined;
    }
  }

  private applyListing(versions: CurrentVersions, startedAt: number): void {
    const changed: string[] = [];
    for (const key of this.values.keys()) {
      const { secretId, version } = keyParts(key);
      if (version !== DEFAULT_VERSION) continue;
      const current = versions.get(secretId);
      const cached = this.values.get(key);
      if (current === undefined || !cached) continue;
      if (current === cached.secret.versionId) cached.checkedAt = Math.max(cached.checkedAt, startedAt);
      else if (!this.inFlight.has(key)) changed.push(key);
    }
    const asker: Freshness = { notBefore: startedAt, fresh: false };
    for (const key of changed) this.enqueue(this.flight(key), asker);
  }

  // Change polls (changes/change-poller.ts).

  /**
   * The current AWSCURRENT version of each id, found the cheapest way: one listing of the
   * account's versions when its pages are fewer than the batches reading the ids would take
   * (the listing also confirms the cached values it finds unchanged, so periodic refreshes after
   * it make no call), else reads of the ids in shared batches, which refresh the cached values.
   * Polls of the identity arriving together (several namespaces and stores) are counted together
   * and share one listing, as does a listing in flight; ids a listing cannot answer (a partial
   * ARN, another account's) are read.
   */
  async pollVersions(secretIds: readonly string[], namesWanted = false): Promise<PolledVersions> {
    const ids = [...new Set(secretIds)];
    // Taken first: the reads below replace the cached values.
    const cached = new Map<string, string>();
    for (const id of ids) {
      const versionId = this.values.get(valueKey(id, DEFAULT_VERSION))?.secret.versionId;
      if (versionId !== undefined) cached.set(id, versionId);
    }
    const versions = new Map<string, PolledVersion>();
    const listed = await this.pollRound(ids, namesWanted);
    const unlisted = listed ? ids.filter((id) => !answeredByListing(id, listed, versions)) : ids;
    const failure = await this.readVersions(unlisted, versions);
    return { versions, cached, ...(listed && namesWanted ? { listed: byName(listed) } : {}), ...(failure ? { failure } : {}) };
  }

  /**
   * The listing that answers the polls arriving together (the poller polls every namespace of a
   * store at once): the ids they ask for, all told, decide whether listing is the cheaper way.
   */
  private pollRound(ids: readonly string[], namesWanted: boolean): Promise<CurrentVersions | undefined> {
    if (!this.gathering) {
      const { promise, resolve } = Promise.withResolvers<CurrentVersions | undefined>();
      const gathering = { ids: new Set<string>(), namesWanted: false, listing: promise };
      this.gathering = gathering;
      this.clock.setTimeout(() => {
        if (this.gathering === gathering) this.gathering = undefined;
        resolve(this.pollListing(gathering.ids.size, gathering.namesWanted));
      }, POLL_GATHER_MS);
    }
    for (const id of ids) this.gathering.ids.add(id);
    this.gathering.namesWanted ||= namesWanted;
    return this.gathering.listing;
  }

  /** The listing in flight, else a new one when it is the cheaper way to learn `asked` versions (or names); undefined when reading is. */
  private async pollListing(asked: number, namesWanted: boolean): Promise<CurrentVersions | undefined> {
    if (this.round) return this.round.done;
    const startedAt = this.clock.now();
    const budget = this.listing.budget(asked, startedAt, namesWanted);
    return budget === 0 ? undefined : this.listRound(startedAt, budget);
  }

  /**
   * Reads the ids anew (joining reads sent since the poll began) and records each one's version,
   * or that it is gone; returns the first passing failure (throttling) that left an id unknown.
   */
  private async readVersions(ids: readonly string[], into: Map<string, PolledVersion>): Promise<unknown> {
    const startedAt = this.clock.now();
    const asker: Freshness = { notBefore: startedAt, fresh: true };
    let failure: unknown;
    await Promise.all(ids.map(async (id) => {
      const key = valueKey(id, DEFAULT_VERSION);
      const sent = this.inFlight.get(key);
      let read: Promise<FetchedSecret>;
      if (sent && !sent.stale && (sent.waiting || sent.startedAt >= startedAt)) {
        read = sent.promise;
      } else {
        const flight = this.flight(key);
        this.enqueue(flight, asker);
        read = flight.promise;
      }
      try {
        const secret = await read;
        into.set(id, { state: 'current', versionId: secret.versionId ?? '', name: secret.name });
      } catch (error) {
        if (TRANSIENT.has(reasonOf(error))) failure ??= error;
        else into.set(id, { state: 'gone' });
      }
    }));
    return failure;
  }

  /** One log line and one count when an identity is first refused an operation; it then reads another way. */
  private denied(operation: FallbackOperation, remember: () => void): void {
    remember();
    this.hooks.onFallback?.(operation);
    this.log.info({ role: this.role ?? 'default credentials', operation }, `${operation} was denied: reading secrets without it for an hour; grant secretsmanager:${operation} to cut AWS calls`);
  }
}

/**
 * Whether a complete listing answers for an id, recording what it says. It names every secret of
 * the account that has a current version and is not scheduled for deletion, so a name it does not
 * hold is gone; an ARN it does not hold may be a partial ARN or another account's, and is read.
 */
function answeredByListing(id: string, listed: CurrentVersions, into: Map<string, PolledVersion>): boolean {
  const versionId = listed.get(id);
  if (versionId !== undefined) into.set(id, { state: 'current', versionId });
  else if (!isArn(id)) into.set(id, { state: 'gone' });
  else return false;
  return true;
}

/** A listing's secrets by name only (it holds each by name and by ARN; a name holds no colon). */
function byName(listed: CurrentVersions): Map<string, string> {
  return new Map([...listed].filter(([key]) => !isArn(key)));
}

const isArn = (id: string): boolean => id.startsWith('arn:');

/** A value as GetSecretValue returns it, or as one entry of BatchGetSecretValue's SecretValues. */
function fetched(
  out: { Name?: string; VersionId?: string; SecretString?: string; SecretBinary?: Uint8Array }, secretId: string,
): FetchedSecret {
  return { name: out.Name ?? secretId, versionId: out.VersionId, secretString: out.SecretString, secretBinary: out.SecretBinary };
}

/** Whether a cached value may answer: a version id never changes; otherwise it must be as recent as the asker demands. */
function serves(cached: CachedValue, version: string, freshness: Freshness): boolean {
  if (version.startsWith('uuid/')) return true;
  return (freshness.fresh ? cached.fetchedAt : cached.checkedAt) >= freshness.notBefore;
}

import type { Logger } from 'pino';
import type { PolledVersion, PolledVersions } from '../aws/version-listing.ts';
import type { StoreIdentity } from '../aws/store-providers.ts';
import { validateStore, type AnyStore } from '../controllers/secretstore/validate.ts';
import { failureMessage, reasonOf } from '../errors.ts';
import type { Clock, Timer } from '../kube/clock.ts';
import { describeRef, refKey, type ObjectRef } from '../kube/object-ref.ts';
import type { ChangeSink, ReadsByStore, SecretChange, StoreReads } from './secret-change.ts';
import { secretNamesOf } from './secret-name.ts';
import { MIN_CHANGE_POLL_MS, pollIntervalFrom, storeChangeSettings, type ChangeDefaults } from './store-settings.ts';

/**
 * CHANGE_POLL_INTERVAL: the change poll of every store without the annotation, a Go duration
 * (`30s`); unset, empty or `0` is none. A value that cannot be read is refused at start.
 */
export function changePollIntervalFrom(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : pollIntervalFrom(value, 'CHANGE_POLL_INTERVAL');
}

export type PollOutcome = 'changed' | 'unchanged' | 'error';

export interface ChangePollerOptions {
  /** What the served ExternalSecrets read, per store and namespace: the pairs polled. */
  reads: ReadsByStore;
  sink: ChangeSink;
  /** The store a reference names, as the caches hold it now. */
  store(ref: ObjectRef): AnyStore | undefined;
  /** The current versions of secrets read through a store from a namespace (AwsProviders.pollVersions); `namesWanted` for dataFrom.find. */
  poll(store: AnyStore, namespace: string, secretIds: readonly string[], namesWanted: boolean): Promise<PolledVersions>;
  /** The operator-wide settings: CHANGE_POLL_INTERVAL for stores without the annotation. */
  defaults: ChangeDefaults;
  clock: Clock;
  log: Logger;
  /** In [0, 1): where in its first interval each store's polls fall. */
  random?: () => number;
  onPoll?: (outcome: PollOutcome) => void;
}

/** A secret no longer readable (deleted, scheduled for deletion, refused), as remembered between polls. */
const GONE = Symbol('gone');
type Seen = string | typeof GONE;

/** What the poller remembers of one store and namespace between polls: only the ids still read. */
interface PairMemory {
  /** The version each id had at the last poll that learned it. */
  versions: Map<string, Seen>;
  /** The account's secrets and their versions at the last listing, for a pair whose ExternalSecrets list secrets (dataFrom.find). */
  listed?: ReadonlyMap<string, string>;
  /** The reason code of the failure the pair is in, logged once as it began. */
  failing?: string;
}

interface StoreSchedule {
  intervalMs: number;
  dueAt: number;
}

/**
 * The change poll: for each store with a poll interval (its annotation, else CHANGE_POLL_INTERVAL),
 * asks the fetch engine every interval for the current versions of what the store's ExternalSecrets
 * read, per namespace, and reports the secrets whose version moved since the last poll to the sink,
 * which refreshes the ExternalSecrets that read them. All namespaces of a store poll together, so
 * those sharing an identity share one listing; stores start at a random point of their first
 * interval, so that they do not poll together. Failures are retried the next interval.
 */
export class ChangePoller {
  private readonly options: ChangePollerOptions;
  private readonly random: () => number;
  /** How often the reads are looked at for new stores: the shortest interval a store may have. */
  private readonly rescanMs: number;
  private readonly schedules = new Map<string, StoreSchedule>();
  private readonly memories = new Map<string, PairMemory>();
  private readonly polling = new Set<string>();
  /** The pairs polled at the last look at the reads. */
  private pairs = new Set<string>();
  /** Stores whose settings could not be read, with the message logged. */
  private readonly invalid = new Map<string, string>();
  private timer: Timer | undefined;
  private running = false;

  constructor(options: ChangePollerOptions) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.rescanMs = options.defaults.minPollIntervalMs ?? MIN_CHANGE_POLL_MS;
  }

  start(): void {
    this.running = true;
    this.wake();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Polls every pair whose store is due, forgets what is no longer read, and sleeps until the next store is due. */
  private wake(): void {
    this.timer = undefined;
    if (!this.running) return;
    const { clock } = this.options;
    const now = clock.now();
    for (const [key, reads, store] of this.duePairs(now)) void this.pollPair(key, reads, store);
    let next = now + this.rescanMs;
    for (const schedule of this.schedules.values()) next = Math.min(next, schedule.dueAt);
    this.timer = clock.setTimeout(() => this.wake(), next - now);
  }

  private duePairs(now: number): Array<[string, StoreReads, AnyStore]> {
    const due: Array<[string, StoreReads, AnyStore]> = [];
    const intervals = new Map<string, number | undefined>();
    const pairs = new Set<string>();
    for (const reads of this.options.reads.storeReads()) {
      // Only pinned versions or tags read: nothing a version poll can tell.
      if (reads.secretIds.length === 0 && !reads.finds) continue;
      const storeKey = refKey(reads.store);
      const store = this.options.store(reads.store);
      if (!store) continue;
      if (!intervals.has(storeKey)) intervals.set(storeKey, this.intervalOf(storeKey, reads.store, store));
      const intervalMs = intervals.get(storeKey);
      if (intervalMs === undefined) continue;
      let schedule = this.schedules.get(storeKey);
      if (!schedule || schedule.intervalMs !== intervalMs) {
        schedule = { intervalMs, dueAt: now + Math.floor(this.random() * intervalMs) };
        this.schedules.set(storeKey, schedule);
      }
      const key = pairKey(reads);
      pairs.add(key);
      if (schedule.dueAt <= now && !this.polling.has(key)) due.push([key, reads, store]);
    }
    for (const [storeKey, schedule] of this.schedules) {
      if (intervals.get(storeKey) === undefined) this.schedules.delete(storeKey);
      else if (schedule.dueAt <= now) schedule.dueAt = now + schedule.intervalMs;
    }
    this.pairs = pairs;
    for (const key of this.memories.keys()) if (!pairs.has(key)) this.memories.delete(key);
    for (const storeKey of this.invalid.keys()) if (!intervals.has(storeKey)) this.invalid.delete(storeKey);
    return due;
  }

  /** The store's poll interval; a store whose annotation cannot be read is not polled, and said so once. */
  private intervalOf(storeKey: string, ref: ObjectRef, store: AnyStore): number | undefined {
    try {
      const { pollIntervalMs } = storeChangeSettings(store, this.options.defaults);
      this.invalid.delete(storeKey);
      return pollIntervalMs;
    } catch (error) {
      const message = failureMessage(error);
      if (this.invalid.get(storeKey) !== message) {
        this.options.log.warn({ store: describeRef(ref), reason: reasonOf(error) }, `not polling for changes: ${message}`);
        this.invalid.set(storeKey, message);
      }
      return undefined;
    }
  }

  private async pollPair(key: string, reads: StoreReads, store: AnyStore): Promise<void> {
    const { sink, log, onPoll } = this.options;
    this.polling.add(key);
    let polled: PolledVersions;
    try {
      polled = await this.options.poll(store, reads.namespace, reads.secretIds, reads.finds);
    } catch (error) {
      this.failed(key, reads, error);
      log.debug({ store: describeRef(reads.store), namespace: reads.namespace, secrets: reads.secretIds.length, outcome: 'error' }, 'change poll');
      onPoll?.('error');
      return;
    } finally {
      this.polling.delete(key);
    }
    // The pair may have gone while it was polled: what it saw then concerns nobody.
    if (!this.running || !this.hasPair(key)) return;
    const memory = this.memory(key);
    const changes = changesSeen(reads, memory, polled, store.spec?.provider?.aws?.region);
    if (changes.length) {
      const queued = sink.changed(changes, { kind: 'store', store: reads.store, namespace: reads.namespace }, 'poll');
      log.info({ store: describeRef(reads.store), namespace: reads.namespace, changed: changes.length, queued }, 'change poll: secrets changed in AWS; refreshing the ExternalSecrets that read them');
    }
    if (polled.failure !== undefined) this.failed(key, reads, polled.failure);
    else if (memory.failing !== undefined) {
      log.info({ store: describeRef(reads.store), namespace: reads.namespace }, 'change poll works again');
      memory.failing = undefined;
    }
    const outcome = polled.failure !== undefined ? 'error' : changes.length ? 'changed' : 'unchanged';
    log.debug({ store: describeRef(reads.store), namespace: reads.namespace, secrets: reads.secretIds.length, outcome }, 'change poll');
    onPoll?.(outcome);
  }

  /** A failed poll is logged as the pair begins failing (or fails another way), and retried the next interval. */
  private failed(key: string, reads: StoreReads, error: unknown): void {
    if (!this.hasPair(key)) return;
    const memory = this.memory(key);
    const reason = reasonOf(error);
    if (memory.failing === reason) return;
    memory.failing = reason;
    this.options.log.warn({ store: describeRef(reads.store), namespace: reads.namespace, reason }, `change poll failed, retrying every interval: ${failureMessage(error)}`);
  }

  /** Whether the pair was polled at the last look (pairs are forgotten as the reads stop). */
  private hasPair(key: string): boolean {
    return this.pairs.has(key);
  }

  private memory(key: string): PairMemory {
    let memory = this.memories.get(key);
    if (!memory) this.memories.set(key, (memory = { versions: new Map() }));
    return memory;
  }
}

/** The identity a store's ExternalSecrets read with (as store-resolver.ts builds it), for its poll; an unusable store throws its reason. */
export function storeIdentityOf(store: AnyStore): StoreIdentity {
  const aws = validateStore(store);
  return store.kind === 'ClusterSecretStore'
    ? { kind: 'ClusterSecretStore', name: store.metadata.name, aws }
    : { kind: 'SecretStore', name: store.metadata.name, namespace: store.metadata.namespace!, aws };
}

const pairKey = (reads: StoreReads): string => `${refKey(reads.store)}\u0000${reads.namespace}`;

/**
 * The secrets of one store and namespace whose version moved since the last poll, and the
 * memory updated to this poll. An id polled for the first time is compared with the value the
 * fetch engine holds, if any (the one the ExternalSecret's last sync most likely read); an id
 * the poll could not learn keeps its version until a poll does. Where a listing answered and the
 * ExternalSecrets list secrets (dataFrom.find), every secret new, changed or gone since the last
 * listing is reported too.
 */
function changesSeen(reads: StoreReads, memory: PairMemory, polled: PolledVersions, region: string | undefined): SecretChange[] {
  const changes: SecretChange[] = [];
  const asked = new Set(reads.secretIds);
  for (const id of memory.versions.keys()) if (!asked.has(id)) memory.versions.delete(id);
  for (const id of asked) {
    const seen = polled.versions.get(id);
    if (seen === undefined) continue;
    const now: Seen = seen.state === 'gone' ? GONE : seen.versionId;
    const before = memory.versions.has(id) ? memory.versions.get(id) : polled.cached.get(id);
    if (before !== undefined && before !== now) changes.push(changeOf(id, seen, region));
    memory.versions.set(id, now);
  }
  if (!reads.finds) {
    memory.listed = undefined;
  } else if (polled.listed) {
    // A find may list any secret: each one new, changed or gone since the last listing is reported (the sink matches it to the finds).
    const before = memory.listed;
    if (before) {
      for (const [name, versionId] of polled.listed) if (before.get(name) !== versionId && !asked.has(name)) changes.push(withRegion({ name }, region));
      for (const name of before.keys()) if (!polled.listed.has(name) && !asked.has(name)) changes.push(withRegion({ name }, region));
    }
    memory.listed = polled.listed;
  }
  return changes;
}

/** The change to report for an id as the ExternalSecrets asked for it: a name, or an ARN with the name AWS gave it, if a read did. */
function changeOf(id: string, seen: PolledVersion, region: string | undefined): SecretChange {
  const { names, region: arnRegion } = secretNamesOf(id);
  if (arnRegion === undefined && names[0] === id) return withRegion({ name: id }, region);
  // The router matches every name an ARN can stand for; AWS's own answer is the exact one.
  const name = (seen.state === 'current' ? seen.name : undefined) ?? names[0]!;
  return withRegion({ name, arn: id }, arnRegion ?? region);
}

const withRegion = (change: SecretChange, region: string | undefined): SecretChange => (region ? { ...change, region } : change);

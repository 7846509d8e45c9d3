import { BatchGetSecretValueCommand, GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { reasonOf } from '../errors.ts';
import type { Clock } from '../kube/clock.ts';
import { awsCall, fromAwsError } from './aws-errors.ts';
import { DEFAULT_VERSION, type FetchedSecret, type Freshness, type SecretRef } from './provider.ts';
import { DENIAL_REMEMBERED_MS, isTransient, ReadEngine, type BatchAnswer, type ReadEngineOptions, type ReadHooks } from './read-engine.ts';
import { keyParts, valueKey, type IdentityValues } from './value-cache.ts';
import { BATCH_SIZE, LIST_PAGE_SIZE, VersionListing, type CurrentVersions, type PolledVersion, type PolledVersions } from './version-listing.ts';
import { secretNamesOf } from '../changes/secret-name.ts';

export interface FetcherHooks extends ReadHooks {
  onCall?: (action: string, ok: boolean) => void;
}

export interface FetcherOptions extends ReadEngineOptions {
  client: SecretsManagerClient;
  hooks?: FetcherHooks;
}

export const BATCH_WINDOW_MS = 5;
/** How long a change poll waits for the polls of the same identity from other namespaces and stores. */
const POLL_GATHER_MS = 100;

/**
 * Every read of Secrets Manager made with one identity's credentials. The shared read engine
 * (read-engine.ts) shares calls in flight, serves the identity's cache as the asker's
 * Freshness allows, and batches default-version reads in BatchGetSecretValue (20 secrets a
 * call) with spare room topped up; what is Secrets Manager's own stays here: periodic reads of
 * cached values are confirmed by a ListSecrets listing of versions when that costs fewer calls,
 * change polls learn current versions the same way, and secrets reported changed are forgotten.
 */
export class SecretFetcher {
  readonly client: SecretsManagerClient;
  readonly role: string | undefined;
  private readonly values: IdentityValues;
  private readonly clock: Clock;
  private readonly hooks: FetcherHooks;
  private readonly engine: ReadEngine;

  private readonly listing = new VersionListing();
  /** The listing in flight: confirms of cached values and change polls share it. */
  private round: { startedAt: number; done: Promise<CurrentVersions | undefined> } | undefined;
  /** Change polls arriving together, and the listing round that will answer them all. */
  private gathering: { ids: Set<string>; namesWanted: boolean; listing: Promise<CurrentVersions | undefined> } | undefined;

  constructor(options: FetcherOptions) {
    this.client = options.client;
    this.role = options.role;
    this.values = options.values;
    this.clock = options.clock;
    this.hooks = options.hooks ?? {};
    this.engine = new ReadEngine(options, {
      batchSize: BATCH_SIZE,
      batchWindowMs: BATCH_WINDOW_MS,
      batchOperation: 'BatchGetSecretValue',
      readBatch: (ids) => this.readBatch(ids),
      readOne: (id, version) => this.readOne(id, version),
      pinned: (version) => version.startsWith('uuid/'),
      deniedMessage: (operation) => `${operation} was denied: reading secrets without it for an hour; grant secretsmanager:${operation} to cut AWS calls`,
    });
  }

  async get(ref: SecretRef, freshness: Freshness): Promise<FetchedSecret> {
    const version = ref.version || DEFAULT_VERSION;
    const key = valueKey(ref.key, version);
    const served = this.engine.served(key, freshness);
    if (served) return served;
    if (!freshness.fresh && version === DEFAULT_VERSION && this.values.get(key)) {
      await this.confirmByListing(freshness.notBefore);
      const confirmed = this.engine.served(key, freshness, 'confirmed');
      if (confirmed) return confirmed;
    }
    return this.engine.miss(key, freshness);
  }

  /** Makes one call with this identity, reported and mapped like every other. */
  call<T>(action: string, secretId: string | undefined, send: () => Promise<T>): Promise<T> {
    return awsCall({ action, key: secretId, role: this.role }, this.hooks.onCall, send);
  }

  /**
   * Secrets reported changed in AWS (by name, as secret-name.ts reads ids): their cached values
   * go, in every version (a deleted secret must not answer by version id either), and calls
   * already sent for them answer only their own askers (ReadEngine.forget).
   */
  invalidate(names: ReadonlySet<string>): void {
    this.engine.forget((key) => secretNamesOf(keyParts(key).secretId).names.some((name) => names.has(name)));
  }

  /** The identity's client is going: reads still waiting for a batch fail (their reconciles retry), cached values go. */
  destroy(): void {
    this.engine.destroy();
  }

  /** One BatchGetSecretValue; a per-secret failure is GetSecretValue's (the batch call needs it on each secret). */
  private async readBatch(ids: string[]): Promise<BatchAnswer> {
    const out = await this.call('BatchGetSecretValue', undefined, () => this.client.send(new BatchGetSecretValueCommand({ SecretIdList: ids })));
    return {
      // A secret found only by its ARN is named by it.
      found: (out.SecretValues ?? []).map((value) => ({ name: value.Name, arn: value.ARN, secret: fetched(value, value.ARN ?? '') })),
      failed: (out.Errors ?? []).map((failure) => ({
        id: failure.SecretId!,
        error: fromAwsError({ name: failure.ErrorCode, message: failure.Message }, { action: 'GetSecretValue', key: failure.SecretId, role: this.role }),
      })),
    };
  }

  private async readOne(secretId: string, version: string): Promise<FetchedSecret> {
    const byId = version.startsWith('uuid/');
    const out = await this.call('GetSecretValue', secretId, () => this.client.send(new GetSecretValueCommand({
      SecretId: secretId,
      ...(byId ? { VersionId: version.slice('uuid/'.length) } : { VersionStage: version }),
    })));
    return fetched(out, secretId);
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
      if (reasonOf(error) === 'AWSAccessDenied') {
        this.listing.denied(this.clock.now() + DENIAL_REMEMBERED_MS);
        this.engine.denied('ListSecrets');
      }
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
      else if (!this.engine.reading(key)) changed.push(key);
    }
    const asker: Freshness = { notBefore: startedAt, fresh: false };
    for (const key of changed) void this.engine.send(key, asker);
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
      const read = this.engine.joinable(key, startedAt) ?? this.engine.send(key, asker);
      try {
        const secret = await read;
        into.set(id, { state: 'current', versionId: secret.versionId ?? '', name: secret.name });
      } catch (error) {
        if (isTransient(error)) failure ??= error;
        else into.set(id, { state: 'gone' });
      }
    }));
    return failure;
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

import { GetParameterCommand, GetParametersCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from 'pino';
import { OperatorError, reasonOf } from '../errors.ts';
import type { Clock, Timer } from '../kube/clock.ts';
import { fromSsmError, ssmCall } from './parameter-errors.ts';
import { DEFAULT_VERSION, type FetchedSecret, type Freshness, type SecretRef } from './provider.ts';
import type { CacheOutcome, FallbackOperation } from './secret-fetcher.ts';
import { keyParts, valueKey, type IdentityValues } from './value-cache.ts';

export interface ParameterFetcherHooks {
  onCall?: (action: string, ok: boolean) => void;
  onCache?: (outcome: CacheOutcome) => void;
  /** An identity was refused GetParameters and reads one parameter a call for a while. */
  onFallback?: (operation: FallbackOperation) => void;
}

export interface ParameterFetcherOptions {
  client: SSMClient;
  /** The role the calls are made as, for error messages. */
  role: string | undefined;
  /** The identity's own partition of the value cache, apart from its Secrets Manager values. */
  values: IdentityValues;
  clock: Clock;
  log: Logger;
  hooks?: ParameterFetcherHooks;
  /** How long default-version reads wait for others to share a GetParameters. */
  batchWindowMs?: number;
}

/** GetParameters takes at most 10 names. */
export const PARAMETER_BATCH_SIZE = 10;
export const PARAMETER_BATCH_WINDOW_MS = 5;
/** A refused GetParameters is not tried again for this long (IAM policies change rarely). */
const DENIAL_REMEMBERED_MS = 60 * 60_000;
/** Failures that say nothing about the parameter itself: a cached value stays valid through them. */
const TRANSIENT = new Set<string>(['AWSThrottled', 'AWSRequestFailed']);

interface Flight {
  key: string;
  /** When the call was sent; a read still waiting for its batch is sent later, so it answers anyone. */
  startedAt: number;
  waiting: boolean;
  promise: Promise<FetchedSecret>;
  resolve(secret: FetchedSecret): void;
  reject(error: unknown): void;
}

/**
 * Every read of Parameter Store values made with one identity's credentials, the way
 * secret-fetcher.ts reads Secrets Manager, in a small engine of its own: that one's version
 * listings and change polls have no Parameter Store counterpart here (Parameter Store changes
 * are not followed), and its batches take 20 ids in another API. Reads of the same name and
 * version share a call in flight; values are served from the identity's cache while they are
 * as recent as the asker's Freshness demands; default-version reads arriving within a few
 * milliseconds share one GetParameters (10 names, decrypted), its spare room filled with the
 * parameters the store's other ExternalSecrets are about to ask for. A parameter with a
 * version (`name:3`, `name:label`) is read alone with GetParameter, as ESO reads every one.
 */
export class ParameterFetcher {
  readonly client: SSMClient;
  readonly role: string | undefined;
  private readonly values: IdentityValues;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly hooks: ParameterFetcherHooks;
  private readonly batchWindowMs: number;

  private readonly inFlight = new Map<string, Flight>();
  private queued: Flight[] = [];
  private askers: Freshness[] = [];
  private timer: Timer | undefined;
  private batchDeniedUntil = -Infinity;

  constructor(options: ParameterFetcherOptions) {
    this.client = options.client;
    this.role = options.role;
    this.values = options.values;
    this.clock = options.clock;
    this.log = options.log;
    this.hooks = options.hooks ?? {};
    this.batchWindowMs = options.batchWindowMs ?? PARAMETER_BATCH_WINDOW_MS;
  }

  /** A parameter's value; `version` DEFAULT_VERSION (or none) reads the latest. */
  get(ref: SecretRef, freshness: Freshness): Promise<FetchedSecret> {
    const version = ref.version || DEFAULT_VERSION;
    const key = valueKey(ref.key, version);
    const cached = this.values.get(key);
    if (cached && cached.fetchedAt >= freshness.notBefore) {
      this.hooks.onCache?.('hit');
      return Promise.resolve(cached.secret);
    }
    const sent = this.inFlight.get(key);
    if (sent && (sent.waiting || sent.startedAt >= freshness.notBefore)) {
      this.hooks.onCache?.('joined');
      return sent.promise;
    }
    this.hooks.onCache?.('miss');
    const flight = this.flight(key);
    if (version === DEFAULT_VERSION) this.enqueue(flight, freshness);
    else void this.readOne(flight);
    return flight.promise;
  }

  /** Makes one SSM call with this identity, reported and mapped like every other. */
  call<T>(action: string, name: string | undefined, send: () => Promise<T>): Promise<T> {
    return ssmCall({ action, key: name, role: this.role }, this.hooks.onCall, send);
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

  private flight(key: string): Flight {
    const { promise, resolve, reject } = Promise.withResolvers<FetchedSecret>();
    // A read-ahead nobody awaits yet must not fail unobserved.
    promise.catch(() => {});
    const flight = { key, startedAt: this.clock.now(), waiting: false, promise, resolve, reject };
    this.inFlight.set(key, flight);
    return flight;
  }

  private settle(flight: Flight, secret: FetchedSecret | undefined, error?: unknown): void {
    if (this.inFlight.get(flight.key) === flight) this.inFlight.delete(flight.key);
    if (secret === undefined) {
      // AWS answered that the parameter is gone or unreadable: the value held must not answer for it.
      if (!TRANSIENT.has(reasonOf(error))) this.values.delete(flight.key);
      return flight.reject(error);
    }
    const cached = this.values.get(flight.key);
    if (!cached || cached.fetchedAt <= flight.startedAt) {
      this.values.set(flight.key, { secret, fetchedAt: flight.startedAt, checkedAt: flight.startedAt });
    }
    flight.resolve(secret);
  }

  private enqueue(flight: Flight, freshness: Freshness): void {
    flight.waiting = true;
    this.queued.push(flight);
    this.askers.push(freshness);
    if (this.queued.length >= PARAMETER_BATCH_SIZE) this.flush();
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
    const room = (PARAMETER_BATCH_SIZE - (flights.length % PARAMETER_BATCH_SIZE)) % PARAMETER_BATCH_SIZE;
    for (const key of this.readAheads(room, askers)) flights.push(this.flight(key));
    for (let i = 0; i < flights.length; i += PARAMETER_BATCH_SIZE) void this.readBatch(flights.slice(i, i + PARAMETER_BATCH_SIZE));
  }

  /** The parameters other ExternalSecrets of the askers' stores are about to ask for, as room allows, at no extra call. */
  private readAheads(room: number, askers: Freshness[]): string[] {
    const chosen: string[] = [];
    if (room === 0) return chosen;
    const lists = new Map(askers.flatMap((a) => (a.alsoWanted ? [[a.alsoWanted.key, a.alsoWanted] as const] : [])));
    for (const list of lists.values()) {
      for (const soon of list.wanted()) {
        if (chosen.length >= room) return chosen;
        const key = valueKey(soon.secretId, DEFAULT_VERSION);
        if (chosen.includes(key) || this.inFlight.has(key)) continue;
        const cached = this.values.get(key);
        if (!cached || cached.fetchedAt < soon.notBefore) chosen.push(key);
      }
    }
    return chosen;
  }

  /** Up to 10 latest-version reads in one GetParameters; each name's answer goes to whoever asked for it. */
  private async readBatch(flights: Flight[]): Promise<void> {
    if (flights.length === 1 || this.clock.now() < this.batchDeniedUntil) {
      await Promise.all(flights.map((flight) => this.readOne(flight)));
      return;
    }
    const byName = new Map(flights.map((flight) => [keyParts(flight.key).secretId, flight]));
    let out;
    try {
      out = await this.call('GetParameters', undefined, () => this.client.send(new GetParametersCommand({ Names: [...byName.keys()], WithDecryption: true })));
    } catch (error) {
      const reason = reasonOf(error);
      if (reason === 'AWSThrottled') {
        for (const flight of flights) this.settle(flight, undefined, error);
        return;
      }
      if (reason === 'AWSAccessDenied') this.denied();
      // One by one, so that each parameter's own answer (a denial of one of them, say) reaches its asker.
      await Promise.all(flights.map((flight) => this.readOne(flight)));
      return;
    }
    for (const parameter of out.Parameters ?? []) {
      const asked = byName.has(parameter.Name!) ? parameter.Name! : parameter.ARN!;
      const flight = byName.get(asked);
      if (flight === undefined) continue;
      byName.delete(asked);
      this.settle(flight, fetched(parameter, asked));
    }
    for (const name of out.InvalidParameters ?? []) {
      const flight = byName.get(name);
      if (flight === undefined) continue;
      byName.delete(name);
      // GetParameters names each parameter it could not find; GetParameter would have answered ParameterNotFound.
      this.settle(flight, undefined, fromSsmError({ name: 'ParameterNotFound' }, { action: 'GetParameter', key: name, role: this.role }));
    }
    // A name AWS answered under another form: read it alone.
    await Promise.all([...byName.values()].map((flight) => this.readOne(flight)));
  }

  private async readOne(flight: Flight): Promise<void> {
    const { secretId: name, version } = keyParts(flight.key);
    // ESO's selector: `name:version` (a number or a label).
    const selector = version === DEFAULT_VERSION ? name : `${name}:${version}`;
    try {
      const out = await this.call('GetParameter', selector, () => this.client.send(new GetParameterCommand({ Name: selector, WithDecryption: true })));
      if (out.Parameter?.Value === undefined) {
        throw new OperatorError('AWSRequestFailed', `GetParameter parameter "${selector}": AWS answered without a value`);
      }
      this.settle(flight, fetched(out.Parameter, name));
    } catch (error) {
      this.settle(flight, undefined, error);
    }
  }

  /** One log line and one count when an identity is first refused GetParameters; it then reads one by one. */
  private denied(): void {
    this.batchDeniedUntil = this.clock.now() + DENIAL_REMEMBERED_MS;
    this.hooks.onFallback?.('GetParameters');
    this.log.info({ role: this.role ?? 'default credentials', operation: 'GetParameters' }, 'GetParameters was denied: reading parameters one by one (GetParameter) for an hour; grant ssm:GetParameters to cut AWS calls');
  }
}

/** A parameter as GetParameter or GetParameters returns it: its value as is (a StringList stays comma-separated, a SecureString decrypted). */
function fetched(parameter: Parameter, asked: string): FetchedSecret {
  return {
    name: parameter.Name ?? asked,
    ...(parameter.Version !== undefined ? { versionId: String(parameter.Version) } : {}),
    secretString: parameter.Value ?? '',
  };
}

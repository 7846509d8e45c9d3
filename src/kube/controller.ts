import type { Logger } from 'pino';
import { isRetryable } from '../errors.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Clock } from './clock.ts';
import { cacheKey, type InformerHandler, type KubeObject } from './informer.ts';
import { describeRef, ref, refFromKey, refKey, type ObjectRef } from './object-ref.ts';
import { always, type Change, type Predicate } from './predicates.ts';
import { WorkQueue, type ReconcileResult } from './queue.ts';
import type { ResourceType } from './resources.ts';

/** A shared cache a controller listens to (an Informer); it never starts or stops one. */
export interface Source<T> {
  on(handler: InformerHandler<T>): unknown;
}

/** A cache of a kind the controller reconciles: it also reads the object for the reconcile. */
export interface PrimarySource<T> extends Source<T> {
  readonly resource: ResourceType;
  get(key: string): T | undefined;
}

/** The objects a change to a watched kind concerns, e.g. the ExternalSecrets that use a store. */
export type Mapper<T> = (change: Change<T>) => Iterable<ObjectRef>;

/**
 * Told of every reconcile the runtime runs, with its duration and, when it failed, the error:
 * the operator's metrics record it (kube/ knows no metrics library).
 */
export type ReconcileObserver = (controller: string, object: KubeObject, seconds: number, error?: unknown) => void;

export interface ControllerOptions {
  /** Names the controller in logs. */
  name: string;
  clock: Clock;
  log: Logger;
  /** Objects reconciled at once. */
  concurrency: number;
  /** Retry backoff of failed reconciles; default reconcileBackoff. */
  backoff?: BackoffPolicy;
  observe?: ReconcileObserver;
}

/** What the operator does with a controller, whatever kind it reconciles. */
export interface RunningController {
  readonly name: string;
  start(): void;
  retryFailedNow(matches: (error: unknown) => boolean): ObjectRef[];
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * A controller as kube-rs's Controller and controller-runtime's builder make one: a work queue
 * of typed references, the kinds it reconciles (`for`), the other kinds it watches and maps
 * to references (`watches`), each behind a named predicate, and one reconcile that sees only
 * the current object. Failures are retried or not by the one table in errors.ts. The caches
 * are shared and started by the caller, who starts the controller once all have synced.
 */
export class Controller<T extends KubeObject> implements RunningController {
  readonly name: string;
  private readonly queue: WorkQueue;
  private readonly clock: Clock;
  private readonly observe: ReconcileObserver;
  private readonly primaries = new Map<string, PrimarySource<T>>();
  private readonly deletedHooks: Array<(object: T) => void> = [];
  private reconcile: ((object: T) => Promise<ReconcileResult>) | undefined;
  private served: (object: T) => boolean = () => true;
  private readonly log: Logger;

  constructor(options: ControllerOptions) {
    const { name, log } = options;
    this.name = name;
    this.clock = options.clock;
    this.observe = options.observe ?? (() => {});
    this.log = log;
    this.queue = new WorkQueue({
      clock: options.clock,
      concurrency: options.concurrency,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onError: (key, error, retryInMs) =>
        log.debug({ controller: name, object: describeRef(refFromKey(key)), retryInMs, err: (error as Error)?.message }, 'reconcile failed'),
    });
  }

  /**
   * A kind this controller reconciles: a change that passes the predicate queues the object
   * itself; its deletion drops its schedule and backoff (and runs the onDeleted hooks).
   */
  for<K extends T>(source: PrimarySource<K>, predicate: Predicate<K> = always): this {
    this.primaries.set(source.resource.kind, source);
    source.on((type, object, old) => {
      const own = ref(source.resource.kind, object.metadata.name, object.metadata.namespace);
      if (type === 'deleted') {
        this.queue.forget(refKey(own));
        for (const hook of this.deletedHooks) hook(object);
      } else if (predicate({ type, object, old })) {
        this.enqueue(own);
      }
    });
    return this;
  }

  /** Another kind whose changes (those that pass the predicate) queue the objects `map` names. */
  watches<W>(source: Source<W>, map: Mapper<W>, predicate: Predicate<W> = always): this {
    source.on((type, object, old) => {
      const change = { type, object, old };
      if (predicate(change)) for (const target of map(change)) this.enqueue(target);
    });
    return this;
  }

  /** Runs when a reconciled object is deleted, e.g. to drop its metric series. */
  onDeleted(hook: (object: T) => void): this {
    this.deletedHooks.push(hook);
    return this;
  }

  /**
   * The objects this controller serves (by default all): another is not reconciled, nor written,
   * judged on the current object when its turn comes, as the stores it depends on may have
   * changed since it was queued. Its schedule ends there; a change that serves it queues it again.
   */
  serves(filter: (object: T) => boolean): this {
    this.served = filter;
    return this;
  }

  /** The reconcile: brings one current object in line and says when to look again. */
  reconciles(reconcile: (object: T) => Promise<ReconcileResult>): this {
    this.reconcile = reconcile;
    return this;
  }

  enqueue(target: ObjectRef): void {
    this.queue.add(refKey(target));
  }

  /** Starts the workers; call once every cache the controller reads has synced. */
  start(): void {
    if (!this.reconcile) throw new Error(`controller ${this.name} has no reconcile`);
    this.queue.start((key) => this.reconcileKey(key), (_key, error) => isRetryable(error));
  }

  /** Runs at once the objects whose last failure matches (see WorkQueue.retryFailedNow). */
  retryFailedNow(matches: (error: unknown) => boolean): ObjectRef[] {
    return this.queue.retryFailedNow(matches).map(refFromKey);
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
  }

  private async reconcileKey(key: string): Promise<ReconcileResult> {
    const target = refFromKey(key);
    const object = this.primaries.get(target.kind)?.get(cacheKey(target.namespace, target.name));
    // Gone from the cache: its deletion event has already dropped its schedule.
    if (!object) return {};
    if (!this.served(object)) {
      this.log.debug({ controller: this.name, object: describeRef(target) }, 'not served here (controller class); left alone');
      return {};
    }
    const started = this.clock.now();
    const seconds = () => (this.clock.now() - started) / 1000;
    try {
      const result = await this.reconcile!(object);
      this.observe(this.name, object, seconds());
      return result;
    } catch (error) {
      this.observe(this.name, object, seconds(), error);
      throw error;
    }
  }
}

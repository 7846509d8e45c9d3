import { backoffDelay, reconcileBackoff, type BackoffPolicy } from './backoff.ts';
import type { Clock, Timer } from './clock.ts';

/** What a reconcile asks of the queue once it succeeded. */
export interface ReconcileResult {
  /** Reconcile this key again after this many ms; absent: wait for a change. */
  requeueAfter?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult>;

/** Decides whether a failed reconcile is retried with backoff (true) or waits for a change (false). */
export type ErrorPolicy = (key: string, error: unknown) => boolean;

/**
 * The longest single timer the queue arms. Node's timers hold at most 2^31-1 ms (~24.8 days)
 * and fire at once, with a warning, when asked for more; a refreshInterval of 720h would then
 * requeue in a tight loop. Longer waits are re-armed in steps of at most this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface QueueOptions {
  clock: Clock;
  concurrency: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  onError?: (key: string, error: unknown, retryInMs: number | undefined) => void;
}

/**
 * A work queue of keys with controller-runtime's semantics: a burst of adds for one
 * key collapses into one reconcile, one key is never reconciled twice at once, a key
 * added while in flight runs again afterwards, failures back off per key and the
 * backoff resets on success, and timed requeues keep only the earliest deadline.
 */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: Timer }>();
  private readonly failures = new Map<string, number>();
  /** Why each key waiting on its backoff last failed. */
  private readonly lastErrors = new Map<string, unknown>();
  private readonly idleWaiters: Array<() => void> = [];
  private running = 0;
  private stopped = false;
  private reconcile: Reconciler | undefined;
  private errorPolicy: ErrorPolicy = () => true;

  private readonly options: QueueOptions;

  constructor(options: QueueOptions) {
    this.options = options;
  }

  /** Starts the workers. */
  start(reconcile: Reconciler, errorPolicy?: ErrorPolicy): void {
    this.reconcile = reconcile;
    if (errorPolicy) this.errorPolicy = errorPolicy;
    this.pump();
  }

  add(key: string): void {
    if (this.stopped) return;
    this.cancelTimer(key);
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Adds the key after a delay, unless an earlier add is already scheduled. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = this.options.clock.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.options.clock.clearTimeout(existing.timer);
    this.arm(key, at);
  }

  /** Arms the key's timer for `at`, in steps no longer than a timer can hold. */
  private arm(key: string, at: number): void {
    const { clock } = this.options;
    const timer = clock.setTimeout(() => {
      if (clock.now() < at) return this.arm(key, at);
      this.timers.delete(key);
      this.add(key);
    }, Math.min(at - clock.now(), MAX_TIMER_MS));
    this.timers.set(key, { at, timer });
  }

  /** Drops a key's schedule and backoff, for objects that no longer exist. */
  forget(key: string): void {
    this.cancelTimer(key);
    this.failures.delete(key);
    this.lastErrors.delete(key);
  }

  /**
   * Runs at once, with their backoff reset, the keys waiting on a backoff whose last
   * failure matches: e.g. everything that failed on the apiserver, once it serves
   * again, rather than after backoffs grown during the outage. Returns those keys.
   */
  retryFailedNow(matches: (error: unknown) => boolean): string[] {
    const keys: string[] = [];
    for (const [key, error] of this.lastErrors) {
      // A key being retried right now reports its own outcome.
      if (this.active.has(key) || !matches(error)) continue;
      keys.push(key);
      this.lastErrors.delete(key);
      this.failures.delete(key);
      this.add(key);
    }
    return keys;
  }

  get length(): number {
    return this.ready.length;
  }

  /** Resolves when nothing is queued or running (scheduled timers may remain). */
  idle(): Promise<void> {
    if (this.ready.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) this.options.clock.clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
  }

  private cancelTimer(key: string): void {
    const existing = this.timers.get(key);
    if (existing) {
      this.options.clock.clearTimeout(existing.timer);
      this.timers.delete(key);
    }
  }

  private pump(): void {
    while (!this.stopped && this.reconcile && this.running < this.options.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.ready.length === 0 && this.running === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.reconcile!(key);
      this.failures.delete(key);
      this.lastErrors.delete(key);
      if (result.requeueAfter !== undefined) this.addAfter(key, result.requeueAfter);
    } catch (error) {
      let retryIn: number | undefined;
      if (this.errorPolicy(key, error)) {
        const attempt = this.failures.get(key) ?? 0;
        this.failures.set(key, attempt + 1);
        this.lastErrors.set(key, error);
        retryIn = backoffDelay(this.options.backoff ?? reconcileBackoff, attempt, (this.options.random ?? Math.random)());
        this.addAfter(key, retryIn);
      }
      if (retryIn === undefined) this.lastErrors.delete(key);
      this.options.onError?.(key, error, retryIn);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}

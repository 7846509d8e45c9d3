import type { Clock, Timer } from './clock.ts';

/** Asks the apiserver whether it serves again; true when it does. */
export type ReachabilityProbe = () => Promise<boolean>;

/**
 * Whether the apiserver can be reached. A transport failure (refused connection, dead
 * connection, no answer in time) marks it unreachable and starts a cheap probe every
 * `intervalMs`; the first answer marks it reachable again and wakes every waiter. An
 * informer whose backoff grew during a long outage waits for this instead of its
 * whole delay, so the operator catches up within a probe interval of the apiserver's
 * return rather than after up to 30 s (and its queue's up to 5 min) of backoff.
 */
export class Reachability {
  private down = false;
  private probing: Timer | undefined;
  private stopped = false;
  private waiters = new Set<() => void>();
  private readonly probe: ReachabilityProbe;
  private readonly clock: Clock;
  private readonly intervalMs: number;

  constructor(probe: ReachabilityProbe, clock: Clock, intervalMs = 2_000) {
    this.probe = probe;
    this.clock = clock;
    this.intervalMs = intervalMs;
  }

  get reachable(): boolean {
    return !this.down;
  }

  /** Records a transport failure; probing starts unless it already runs. */
  failed(): void {
    if (this.stopped) return;
    this.down = true;
    this.probing ??= this.clock.setTimeout(() => void this.check(), this.intervalMs);
  }

  /** A call succeeded: the apiserver serves (the probe need not say so). */
  served(): void {
    if (this.down) this.up();
  }

  /** Resolves once the apiserver answers again (at once if it is not known to be down), or when `signal` aborts. */
  whenReachable(signal?: AbortSignal): Promise<void> {
    if (!this.down || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.probing) this.clock.clearTimeout(this.probing);
    this.probing = undefined;
    this.up();
  }

  private async check(): Promise<void> {
    let answered = false;
    try {
      answered = await this.probe();
    } catch {
      // Still unreachable.
    }
    this.probing = undefined;
    // Stopped, or a call succeeded meanwhile.
    if (this.stopped || !this.down) return;
    if (answered) this.up();
    else this.probing = this.clock.setTimeout(() => void this.check(), this.intervalMs);
  }

  private up(): void {
    this.down = false;
    if (this.probing) this.clock.clearTimeout(this.probing);
    this.probing = undefined;
    for (const wake of [...this.waiters]) wake();
  }
}

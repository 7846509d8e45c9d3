import { describe, expect, it } from 'vitest';
import { backoffDelay, reconcileBackoff } from '../../src/kube/backoff.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { MAX_TIMER_MS, WorkQueue, type ReconcileResult } from '../../src/kube/queue.ts';

/** A reconcile whose completion the test controls. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('WorkQueue', () => {
  it('collapses a burst of adds for one key into one reconcile', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const q = new WorkQueue({ clock, concurrency: 4 });
    for (let i = 0; i < 5; i++) q.add('a');
    q.add('b');
    q.start(async (key) => (seen.push(key), {}));
    await q.idle();
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('never reconciles one key twice at once, and reruns a key added while in flight', async () => {
    const clock = new ManualClock();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const first = gate();
    const q = new WorkQueue({ clock, concurrency: 4 });
    q.start(async () => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls === 1) await first.opened;
      running--;
      return {};
    });
    q.add('a');
    await settle();
    q.add('a');
    q.add('a');
    await settle();
    expect(calls).toBe(1);
    first.open();
    await q.idle();
    expect(calls).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('respects the concurrency limit', async () => {
    const clock = new ManualClock();
    let running = 0;
    let maxRunning = 0;
    const q = new WorkQueue({ clock, concurrency: 3 });
    q.start(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await settle();
      running--;
      return {};
    });
    for (let i = 0; i < 20; i++) q.add(`k${i}`);
    await q.idle();
    expect(maxRunning).toBe(3);
  });

  it('requeues after the requested delay, keeping only the earliest schedule', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const q = new WorkQueue({ clock, concurrency: 1 });
    q.start(async (): Promise<ReconcileResult> => (calls++, calls === 1 ? { requeueAfter: 10_000 } : {}));
    q.add('a');
    await q.idle();
    expect(clock.dueTimes()).toEqual([10_000]);
    q.addAfter('a', 20_000);
    expect(clock.dueTimes()).toEqual([10_000]);
    q.addAfter('a', 5_000);
    expect(clock.dueTimes()).toEqual([5_000]);
    clock.advance(4_999);
    await q.idle();
    expect(calls).toBe(1);
    clock.advance(1);
    await q.idle();
    expect(calls).toBe(2);
    expect(clock.pending()).toBe(0);
  });

  it('backs off per key on errors, exponentially, and resets after a success', async () => {
    const clock = new ManualClock();
    const delays: Array<number | undefined> = [];
    let fail = true;
    const q = new WorkQueue({ clock, concurrency: 1, random: () => 0.5, onError: (_k, _e, retryIn) => delays.push(retryIn) });
    q.start(async () => {
      if (fail) throw new Error('boom');
      return {};
    });
    q.add('a');
    for (let i = 0; i < 4; i++) {
      await q.idle();
      clock.advanceToNextTimer();
    }
    await q.idle();
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    fail = false;
    clock.advanceToNextTimer();
    await q.idle();
    fail = true;
    q.add('a');
    await q.idle();
    expect(delays.at(-1)).toBe(1_000);
  });

  it('does not retry errors the policy calls terminal', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock, concurrency: 1 });
    q.start(async () => {
      throw new Error('bad spec');
    }, () => false);
    q.add('a');
    await q.idle();
    expect(clock.pending()).toBe(0);
  });
});

describe('WorkQueue timers', () => {
  /** Node's timers fire at once when asked for more than 2^31-1 ms; this clock refuses such a timer. */
  class NodeLikeClock extends ManualClock {
    readonly requested: number[] = [];
    override setTimeout(fn: () => void, ms: number) {
      this.requested.push(ms);
      if (ms > 2 ** 31 - 1) throw new Error(`timer of ${ms} ms overflows`);
      return super.setTimeout(fn, ms);
    }
  }

  it('waits out a requeue longer than a timer can hold (720h) and runs the key once, on time', async () => {
    const clock = new NodeLikeClock();
    const ran: number[] = [];
    const q = new WorkQueue({ clock, concurrency: 1 });
    q.start(async () => (ran.push(clock.now()), ran.length === 1 ? { requeueAfter: 720 * 3_600_000 } : {}));
    q.add('a');
    await q.idle();
    expect(ran).toEqual([0]);
    // Armed in steps: the first fires at the longest timer Node holds, not at 720h.
    expect(clock.dueTimes()).toEqual([MAX_TIMER_MS]);

    clock.advance(720 * 3_600_000 - 1);
    await q.idle();
    expect(ran).toEqual([0]);
    expect(clock.requested.length).toBeGreaterThan(1);
    expect(Math.max(...clock.requested)).toBeLessThanOrEqual(MAX_TIMER_MS);

    clock.advance(1);
    await q.idle();
    expect(ran).toEqual([0, 720 * 3_600_000]);
    expect(clock.pending()).toBe(0);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const delays = Array.from({ length: 12 }, (_, i) => backoffDelay(reconcileBackoff, i, 0.5));
    expect(delays.slice(0, 4)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(Math.max(...delays)).toBe(reconcileBackoff.maxMs);
  });

  it('spreads delays by the jitter fraction', () => {
    expect(backoffDelay(reconcileBackoff, 3, 0)).toBe(6_400);
    expect(backoffDelay(reconcileBackoff, 3, 0.999999)).toBe(9_600);
  });
});

describe('WorkQueue.retryFailedNow', () => {
  class ApiDown extends Error {}

  it('runs at once, with their backoff reset, the keys whose last failure matches', async () => {
    const clock = new ManualClock();
    const delays: Record<string, Array<number | undefined>> = { a: [], b: [] };
    const runs: string[] = [];
    const q = new WorkQueue({ clock, concurrency: 2, random: () => 0.5, onError: (k, _e, retryIn) => delays[k]!.push(retryIn) });
    q.start(async (key) => {
      runs.push(key);
      throw key === 'a' ? new ApiDown('apiserver unreachable') : new Error('AWS throttled');
    });
    q.add('a');
    q.add('b');
    // Three failures each: a and b now wait 8 s.
    for (let i = 0; i < 2; i++) {
      await q.idle();
      clock.advanceToNextTimer();
    }
    await q.idle();
    expect(delays.a).toEqual([1_000, 2_000, 4_000]);
    expect(delays.b).toEqual([1_000, 2_000, 4_000]);
    const bDue = clock.now() + 4_000;
    expect(clock.dueTimes()).toEqual([bDue, bDue]);
    runs.length = 0;

    expect(q.retryFailedNow((e) => e instanceof ApiDown)).toEqual(['a']);
    await q.idle();
    // a ran without time passing, and failing again starts its backoff over; b still waits.
    expect(runs).toEqual(['a']);
    expect(delays.a!.at(-1)).toBe(1_000);
    expect(clock.dueTimes()).toEqual([clock.now() + 1_000, bDue]);
  });

  it('leaves keys alone that succeeded since, or that are not retried', async () => {
    const clock = new ManualClock();
    let fail = true;
    const q = new WorkQueue({ clock, concurrency: 1 });
    q.start(async (key) => {
      if (fail || key === 'terminal') throw new ApiDown(key);
      return {};
    }, (key) => key !== 'terminal');
    q.add('a');
    q.add('terminal');
    await q.idle();
    fail = false;
    clock.advanceToNextTimer();
    await q.idle();
    expect(q.retryFailedNow(() => true)).toEqual([]);
  });

  it('does not start a second run of a key being retried right now', async () => {
    const clock = new ManualClock();
    let calls = 0;
    let release!: () => void;
    const q = new WorkQueue({ clock, concurrency: 1 });
    q.start(async () => {
      calls++;
      if (calls === 2) await new Promise<void>((r) => (release = r));
      throw new ApiDown('down');
    });
    q.add('a');
    await q.idle();
    clock.advanceToNextTimer();
    await settle();
    expect(calls).toBe(2);
    expect(q.retryFailedNow(() => true)).toEqual([]);
    release();
    await q.idle();
    expect(calls).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.ts';
import { Reachability } from '../../src/kube/reachability.ts';

const settle = () => new Promise((r) => setImmediate(r));

describe('Reachability', () => {
  it('after a failure, probes every interval until the apiserver answers, then wakes the waiters', async () => {
    const clock = new ManualClock();
    const answers = [false, false, true];
    let probes = 0;
    const r = new Reachability(async () => answers[probes++]!, clock, 2_000);
    expect(r.reachable).toBe(true);
    await r.whenReachable();

    r.failed();
    r.failed();
    expect(r.reachable).toBe(false);
    let woken = false;
    void r.whenReachable().then(() => (woken = true));
    for (let i = 0; i < 2; i++) {
      clock.advance(2_000);
      await settle();
    }
    expect(probes).toBe(2);
    expect(woken).toBe(false);
    clock.advance(2_000);
    await settle();
    expect(probes).toBe(3);
    expect(woken).toBe(true);
    expect(r.reachable).toBe(true);
    // Nothing probes while the apiserver is reachable.
    expect(clock.pending()).toBe(0);
  });

  it('keeps probing through probe errors, and a waiter can give up', async () => {
    const clock = new ManualClock();
    const r = new Reachability(async () => {
      throw new Error('ECONNREFUSED');
    }, clock, 1_000);
    r.failed();
    const abort = new AbortController();
    let woken = false;
    void r.whenReachable(abort.signal).then(() => (woken = true));
    clock.advance(1_000);
    await settle();
    expect(r.reachable).toBe(false);
    expect(clock.pending()).toBe(1);
    abort.abort();
    await settle();
    expect(woken).toBe(true);
    r.stop();
    expect(clock.pending()).toBe(0);
  });
});

describe('Reachability.served', () => {
  it('a call that succeeds while probing says the apiserver serves, and stops the probe', async () => {
    const clock = new ManualClock();
    let probes = 0;
    const r = new Reachability(async () => (probes++, false), clock, 1_000);
    r.failed();
    let woken = false;
    void r.whenReachable().then(() => (woken = true));
    r.served();
    await settle();
    expect(woken).toBe(true);
    expect(clock.pending()).toBe(0);
    clock.advance(5_000);
    expect(probes).toBe(0);
  });
});

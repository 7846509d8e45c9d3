import type { Clock, Timer } from '../../src/kube/clock.ts';

/** A clock for tests: timers fire only when the test advances time. */
export class ManualClock implements Clock {
  private current: number;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(timer: Timer): void {
    this.timers.delete(timer.id as number);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.current = next[1].at;
      next[1].fn();
    }
    this.current = target;
  }

  /** Moves time to the earliest pending timer and fires it (and any due with it). */
  advanceToNextTimer(): void {
    const [next] = this.dueTimes();
    if (next === undefined) throw new Error('no timer is pending');
    this.advance(next - this.current);
  }

  /** When the pending timers fire, earliest first: how a test sees what its code scheduled. */
  dueTimes(): number[] {
    return [...this.timers.values()].map((t) => t.at).sort((a, b) => a - b);
  }

  pending(): number {
    return this.timers.size;
  }
}

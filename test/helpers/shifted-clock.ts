import { systemClock, type Clock, type Timer } from '../../src/kube/clock.ts';

/**
 * The system clock read at a time the test chooses: `now()` is the real time moved forward by
 * an offset, and timers run in real time. An integration test sets the operator's time just
 * before a sync window opens (cron windows are whole minutes apart) and lets the operator's
 * own timers carry it across, instead of waiting for the wall clock to get there.
 */
export class ShiftedClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return systemClock.setTimeout(fn, ms);
  }

  clearTimeout(timer: Timer): void {
    systemClock.clearTimeout(timer);
  }

  /**
   * Moves the time forward to `t`. Never backward: times the operator has recorded (refresh
   * times, values read) must not lie in its future. Timers already set still fire after the
   * real time they were given, and the operator's queue checks the clock when they do.
   */
  jumpTo(t: number): void {
    const ahead = t - this.now();
    if (ahead < 0) throw new Error(`ShiftedClock only moves forward (asked to go back ${-ahead} ms)`);
    this.offsetMs += ahead;
  }
}

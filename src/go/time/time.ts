/**
 * Go's time.Time as the sprig date functions use it: an instant (Unix seconds and nanoseconds),
 * a Location, and for times from time.Now() a monotonic clock reading, which Go prints
 * (`m=+0.001`) and subtracts (time.Since) in preference to the wall clock. Written to match Go
 * byte for byte (time.go, format.go), as the template's output must be ESO's.
 */
import { LOCAL, UTC, type Location } from './zone.ts';

export const NANOS_PER_SECOND = 1_000_000_000n;
const MAX_DURATION = (1n << 63n) - 1n;
const MIN_DURATION = -(1n << 63n);

const floorDiv = (a: bigint, b: bigint): bigint => (a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b);

export class GoTime {
  /** Seconds since the Unix epoch. */
  readonly sec: bigint;
  /** Nanoseconds within the second, 0 to 999,999,999. */
  readonly nsec: number;
  readonly loc: Location;
  /** Nanoseconds since the process started, for times that carry a monotonic reading. */
  readonly mono: bigint | undefined;

  constructor(sec: bigint, nsec: number, loc: Location, mono?: bigint) {
    this.sec = sec;
    this.nsec = nsec;
    this.loc = loc;
    this.mono = mono;
  }

  /** time.Unix(sec, 0): in Local, with no monotonic reading. */
  static unix(sec: bigint): GoTime {
    return new GoTime(sec, 0, LOCAL);
  }

  /** t.In(loc), which drops the monotonic reading as Go's setLoc does. */
  in(loc: Location): GoTime {
    return new GoTime(this.sec, this.nsec, loc);
  }

  /** t.Add(d), d in nanoseconds; the monotonic reading moves too. */
  add(d: bigint): GoTime {
    const total = BigInt(this.nsec) + (d % NANOS_PER_SECOND);
    const carry = floorDiv(total, NANOS_PER_SECOND);
    const mono = this.mono === undefined ? undefined : this.mono + d;
    return new GoTime(this.sec + d / NANOS_PER_SECOND + carry, Number(total - carry * NANOS_PER_SECOND), this.loc, mono);
  }

  /** t.Sub(u) in nanoseconds, saturated to the Duration range; by the monotonic readings when both have one. */
  sub(u: GoTime): bigint {
    const d = this.mono !== undefined && u.mono !== undefined
      ? this.mono - u.mono
      : (this.sec - u.sec) * NANOS_PER_SECOND + BigInt(this.nsec - u.nsec);
    return d > MAX_DURATION ? MAX_DURATION : d < MIN_DURATION ? MIN_DURATION : d;
  }
}

/** Where "now" comes from: wall-clock nanoseconds since the epoch and monotonic nanoseconds since start. */
export interface TimeSource {
  now(): { unixNanos: bigint; monoNanos: bigint };
}

/** The process's clocks, to nanoseconds as far as performance.now() resolves them. */
export const systemTimeSource: TimeSource = {
  now() {
    const since = performance.now();
    const monoNanos = BigInt(Math.round(since * 1e6)) + 1n;
    return { unixNanos: BigInt(Math.round(performance.timeOrigin * 1e6)) + monoNanos, monoNanos };
  },
};

/** A source whose wall clock is an injected one (milliseconds since the epoch), monotonic readings the process's. */
export function timeSourceOf(clock: { now(): number }): TimeSource {
  return {
    now: () => ({ unixNanos: BigInt(Math.round(clock.now() * 1e6)), monoNanos: BigInt(Math.round(performance.now() * 1e6)) + 1n }),
  };
}

/** time.Now() from a source: in Local, with the monotonic reading. */
export function now(source: TimeSource): GoTime {
  const { unixNanos, monoNanos } = source.now();
  const sec = floorDiv(unixNanos, NANOS_PER_SECOND);
  return new GoTime(sec, Number(unixNanos - sec * NANOS_PER_SECOND), LOCAL, monoNanos);
}

export { floorDiv, UTC };

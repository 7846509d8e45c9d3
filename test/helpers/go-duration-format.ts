import { nanosToMillis } from '../../src/go/duration.ts';

const NANOS_PER_MILLI = 1_000_000n;

// Go's time.Duration.String(): the operator only parses durations; the tests format them to check the parser.

/** time.Duration.String() of a millisecond count: `1h0m0s`, `1m30s`, `500ms`, `0s`. */
export function formatDuration(ms: number): string {
  return formatDurationNanos(millisToNanos(ms));
}

/** time.Duration.String(). */
export function formatDurationNanos(nanos: bigint): string {
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    // Below a second Go switches to the largest unit that keeps an integer part: 1.5ms, 20µs, 7ns.
    if (u === 0n) return '0s';
    const [unit, precision] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['\u00b5s', 3] : ['ms', 6];
    out = withFraction(u, precision) + unit;
  } else {
    out = withFraction(u % 60_000_000_000n, 9) + 's';
    u /= 60_000_000_000n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      // Go stops at hours: days have no fixed length.
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** `value / 10^precision` in decimal, trailing zeros and a bare point dropped. */
function withFraction(value: bigint, precision: number): string {
  const scale = 10n ** BigInt(precision);
  const fraction = (value % scale).toString().padStart(precision, '0').replace(/0+$/, '');
  return fraction === '' ? `${value / scale}` : `${value / scale}.${fraction}`;
}

/**
 * The nanosecond count whose millisecond value is `ms`, so that parse(format(ms)) === ms. Integer
 * milliseconds convert exactly; for a fraction, the nearest nanosecond count is checked and, when
 * float rounding made it miss, its neighbours.
 */
function millisToNanos(ms: number): bigint {
  if (!Number.isFinite(ms)) throw new RangeError(`duration ${ms} ms is not finite`);
  const whole = Math.trunc(ms);
  const nearest = BigInt(whole) * NANOS_PER_MILLI + BigInt(Math.round((ms - whole) * 1e6));
  for (const delta of [0n, -1n, 1n, -2n, 2n, -3n, 3n]) {
    if (nanosToMillis(nearest + delta) === ms) return nearest + delta;
  }
  return nearest;
}

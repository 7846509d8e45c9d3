/**
 * Durations as ESO reads and prints them. `refreshInterval` (and the store's `retryInterval`) are Go
 * metav1.Duration fields: parsed by `time.ParseDuration` and printed by `time.Duration.String()`.
 * Go counts whole nanoseconds in an int64; the *Nanos functions are exact, the millisecond ones are
 * what timers want.
 */

const NANOS_PER_MILLI = 1_000_000n;
const MAX_NANOS = (1n << 63n) - 1n;
const LIMIT = 1n << 63n;

/** Nanoseconds per unit, as in Go's time.unitMap (`µs` is U+00B5 MICRO SIGN, `μs` U+03BC GREEK MU). */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/**
 * A string time.ParseDuration rejects. The message follows Go's and names the input (a spec
 * field's, to be fixed there); `withoutInput` is Go's words with no part of the input, for a
 * duration that may be secret data (a template's).
 */
export class DurationError extends Error {
  readonly code = 'InvalidDuration';
  readonly input: string;
  readonly withoutInput: string;

  constructor(reason: string, input: string, unit?: string) {
    super(`time: ${unit === undefined ? reason : `unknown unit ${goQuote(unit)} in duration`} ${goQuote(input)}`);
    this.name = 'DurationError';
    this.input = input;
    this.withoutInput = `time: ${reason}`;
  }
}

/** time.ParseDuration, in milliseconds (fractional below 1 ms): `1h30m` is 5_400_000. */
export function parseDuration(text: string): number {
  return nanosToMillis(parseDurationNanos(text));
}

/** time.ParseDuration exactly: `[-+]?([0-9]*(\.[0-9]*)?unit)+`, or a bare `0`. */
export function parseDurationNanos(text: string): bigint {
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError('invalid duration', text);
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]!))) throw new DurationError('invalid duration', text);
    const whole = leadingInt(s);
    if (whole === undefined) throw new DurationError('invalid duration', text);
    const sawWhole = whole.rest.length !== s.length;
    s = whole.rest;
    let fraction = { value: 0n, scale: 1, rest: s };
    let sawFraction = false;
    if (s[0] === '.') {
      fraction = leadingFraction(s.slice(1));
      sawFraction = fraction.rest.length !== s.length - 1;
      s = fraction.rest;
    }
    if (!sawWhole && !sawFraction) throw new DurationError('invalid duration', text);

    let end = 0;
    while (end < s.length && s[end] !== '.' && !isDigit(s[end]!)) end++;
    if (end === 0) throw new DurationError('missing unit in duration', text);
    const unitName = s.slice(0, end);
    s = s.slice(end);
    const unit = UNITS.get(unitName);
    if (unit === undefined) throw new DurationError('unknown unit in duration', text, unitName);

    if (whole.value > LIMIT / unit) throw new DurationError('invalid duration', text);
    let value = whole.value * unit;
    if (fraction.value > 0n) {
      // Go computes the fraction in float64 and truncates; we repeat that arithmetic for equal results.
      value += BigInt(Math.trunc(Number(fraction.value) * (Number(unit) / fraction.scale)));
      if (value > LIMIT) throw new DurationError('invalid duration', text);
    }
    total += value;
    if (total > LIMIT) throw new DurationError('invalid duration', text);
  }
  if (negative) return -total;
  if (total > MAX_NANOS) throw new DurationError('invalid duration', text);
  return total;
}

export function nanosToMillis(nanos: bigint): number {
  // Split so that the whole milliseconds stay exact even where nanoseconds exceed 2^53.
  return Number(nanos / NANOS_PER_MILLI) + Number(nanos % NANOS_PER_MILLI) / 1e6;
}


function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Go's leadingInt: the digits at the start, undefined when they overflow int64's range. */
function leadingInt(s: string): { value: bigint; rest: string } | undefined {
  let i = 0;
  let value = 0n;
  for (; i < s.length && isDigit(s[i]!); i++) {
    if (value > LIMIT / 10n) return undefined;
    value = value * 10n + BigInt(s.charCodeAt(i) - 48);
    if (value > LIMIT) return undefined;
  }
  return { value, rest: s.slice(i) };
}

/** Go's leadingFraction: digits after the point; those that would overflow are read but ignored. */
function leadingFraction(s: string): { value: bigint; scale: number; rest: string } {
  let i = 0;
  let value = 0n;
  let scale = 1;
  let overflow = false;
  for (; i < s.length && isDigit(s[i]!); i++) {
    if (overflow) continue;
    if (value > MAX_NANOS / 10n) {
      overflow = true;
      continue;
    }
    const next = value * 10n + BigInt(s.charCodeAt(i) - 48);
    if (next > LIMIT) {
      overflow = true;
      continue;
    }
    value = next;
    scale *= 10;
  }
  return { value, scale, rest: s.slice(i) };
}

/** Go's time.quote: ASCII printable kept (with `"` and `\` escaped), other bytes as \xNN. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code >= 0x80) {
      for (const byte of Buffer.from(ch, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

/** Go's time.Duration.String() of an int64 count of nanoseconds: `1h0m0s`, `1.5s`, `2µs` (µ as U+00B5), `0s`. */
export function formatDurationNanos(nanos: bigint): string {
  const negative = nanos < 0n;
  const u = negative ? -nanos : nanos;
  const sign = negative ? '-' : '';
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    const [prec, unit] = u < 1_000n ? [0, 'ns'] : u < 1_000_000n ? [3, '\u00b5s'] : [6, 'ms'];
    return `${sign}${withFraction(u, prec)}${unit}`;
  }
  const seconds = u / 1_000_000_000n;
  const fraction = withFraction(u % 1_000_000_000n, 9).slice(1);
  const hours = seconds / 3600n;
  const minutes = (seconds / 60n) % 60n;
  const head = hours > 0n ? `${hours}h${minutes}m` : minutes > 0n ? `${minutes}m` : '';
  return `${sign}${head}${seconds % 60n}${fraction}s`;
}

/** v / 10^prec with its fraction's trailing zeros (and a bare point) dropped, as Go's fmtFrac and fmtInt. */
function withFraction(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const fraction = prec === 0 ? '' : (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return `${v / scale}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * sprig's date functions (date.go, and time.Now as `now`), with Go's time layouts (time/layout.ts)
 * and Durations. sprig's quirks kept: date and friends take a time or an int (Unix seconds) and
 * format the current time for anything else; an unknown zone formats in UTC; toDate and
 * dateModify give the zero time or the time unchanged where parsing fails; `duration` counts
 * only a string or an int64 (a template's integers are int: `duration 60` is "0s", as in ESO).
 * Local is UTC (see time/zone.ts).
 */
import { DurationError, formatDurationNanos, parseDurationNanos } from '../duration.ts';
import { formatTime, parseTime, TimeParseError } from '../time/layout.ts';
import { GoTime, NANOS_PER_SECOND, now } from '../time/time.ts';
import { LOCAL, loadLocation, UTC } from '../time/zone.ts';
import type { CallContext } from './budget.ts';
import { toText, utf8, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import type { Evaluated } from './values.ts';

/** The zero time.Time, 0001-01-01 00:00:00 UTC. */
const ZERO_TIME = new GoTime(-62_135_596_800n, 0, UTC);
const INT64_MAX = (1n << 63n) - 1n;

/** sprig's dateInZone: a time, or an int as Unix seconds, or else now; formatted in the zone (UTC if unknown). */
function dateInZone(ctx: CallContext, layout: GoString, date: Evaluated, zone: GoString): GoString {
  const t = date instanceof GoTime ? date : typeof date === 'bigint' ? GoTime.unix(date) : now(ctx.budget.time);
  const b = ctx.builder();
  formatTime(t.in(loadLocation(zone) ?? UTC), layout, (s) => b.add(s));
  return b.toString();
}

/** time.ParseDuration of a template string (bytes), its error as Go words it but without the string, which may be secret data. */
function parseDuration(s: GoString): bigint {
  try {
    return parseDurationNanos(toText(s));
  } catch (e) {
    if (e instanceof DurationError) throw new FuncError(e.withoutInput);
    throw e;
  }
}

/** time.ParseInLocation in Local; its error (Go's words) leaves out the value, which may be secret data. */
function toDate(layout: GoString, value: GoString): GoTime {
  try {
    return parseTime(layout, value, LOCAL);
  } catch (e) {
    if (e instanceof TimeParseError) throw new FuncError(e.message);
    throw e;
  }
}

/** strconv.ParseInt(s, 10, 64) as sprig's duration reads it: 0 on a syntax error, the int64 bound when out of range. */
function parseInt64(s: GoString): bigint {
  const m = /^([+-]?)(\d+)$/.exec(s);
  if (m === null) return 0n;
  const n = m[1] === '-' ? -BigInt(m[2]!) : BigInt(m[2]!);
  return n > INT64_MAX ? INT64_MAX : n < -INT64_MAX - 1n ? -INT64_MAX - 1n : n;
}

/** Go's Duration.Round(m) for m > 0, saturating at the int64 bounds as Go does. */
function roundDuration(d: bigint, m: bigint): bigint {
  const r = d % m;
  if (d < 0n) {
    const pos = -r;
    if (pos + pos < m) return d + pos;
    const d1 = d - m + pos;
    return d1 < -INT64_MAX - 1n ? -INT64_MAX - 1n : d1;
  }
  if (r + r < m) return d - r;
  const d1 = d + m - r;
  return d1 > INT64_MAX ? INT64_MAX : d1;
}

/** sprig's durationRound: the largest whole unit of a duration (years of 365 days, months of 30). */
function durationRound(ctx: CallContext, v: Evaluated): GoString {
  let d = 0n;
  if (typeof v === 'string') {
    try {
      d = parseDuration(v);
    } catch {
      d = 0n;
    }
  } else if (v instanceof GoTime) {
    d = now(ctx.budget.time).sub(v);
  }
  const u = d < 0n ? -d : d;
  const hour = 3600n * NANOS_PER_SECOND;
  const units: [bigint, string][] = [[hour * 24n * 365n, 'y'], [hour * 24n * 30n, 'mo'], [hour * 24n, 'd'], [hour, 'h'], [60n * NANOS_PER_SECOND, 'm'], [NANOS_PER_SECOND, 's']];
  for (const [size, name] of units) if (u > size) return `${u / size}${name}`;
  return '0s';
}

/** sprig's ago: time since a time (or Unix seconds, or now), to the second. */
function ago(ctx: CallContext, v: Evaluated): GoString {
  const t = v instanceof GoTime ? v : typeof v === 'bigint' ? GoTime.unix(v) : now(ctx.budget.time);
  return utf8(formatDurationNanos(roundDuration(now(ctx.budget.time).sub(t), NANOS_PER_SECOND)));
}

const dateModify = ([d, t]: readonly Evaluated[]): GoTime => {
  try {
    return (t as GoTime).add(parseDuration(d as GoString));
  } catch (e) {
    if (e instanceof FuncError) return t as GoTime;
    throw e;
  }
};
const mustDateModify = ([d, t]: readonly Evaluated[]): GoTime => (t as GoTime).add(parseDuration(d as GoString));
const inZone: FuncDef = { params: ['string', 'any', 'string'], call: ([f, d, z], ctx) => dateInZone(ctx, f as GoString, d, z as GoString) };

export const sprigDates: Record<string, FuncDef> = {
  now: { params: [], call: (_, ctx) => now(ctx.budget.time) },
  date: { params: ['string', 'any'], call: ([f, d], ctx) => dateInZone(ctx, f as GoString, d, 'Local') },
  dateInZone: inZone,
  date_in_zone: inZone,
  htmlDate: { params: ['any'], call: ([d], ctx) => dateInZone(ctx, '2006-01-02', d, 'Local') },
  htmlDateInZone: { params: ['any', 'string'], call: ([d, z], ctx) => dateInZone(ctx, '2006-01-02', d, z as GoString) },
  dateModify: { params: ['string', 'time'], call: dateModify },
  date_modify: { params: ['string', 'time'], call: dateModify },
  mustDateModify: { params: ['string', 'time'], call: mustDateModify },
  must_date_modify: { params: ['string', 'time'], call: mustDateModify },
  toDate: { params: ['string', 'string'], call: ([f, s]) => {
    try {
      return toDate(f as GoString, s as GoString);
    } catch (e) {
      if (e instanceof FuncError) return ZERO_TIME;
      throw e;
    }
  } },
  mustToDate: { params: ['string', 'string'], call: ([f, s]) => toDate(f as GoString, s as GoString) },
  unixEpoch: { params: ['time'], call: ([t]) => (t as GoTime).sec.toString() },
  duration: { params: ['any'], call: ([v]) => {
    const n = typeof v === 'string' ? parseInt64(v) : 0n;
    return utf8(formatDurationNanos(BigInt.asIntN(64, n * NANOS_PER_SECOND)));
  } },
  durationRound: { params: ['any'], call: ([v], ctx) => durationRound(ctx, v) },
  ago: { params: ['any'], call: ([v], ctx) => ago(ctx, v) },
};

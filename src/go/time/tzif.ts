/**
 * Time zones from the system's tzdata files (/usr/share/zoneinfo), read as Go's time package reads
 * them (zoneinfo_read.go): the TZif transitions and zone abbreviations, and Go's lookup rules
 * (the zone before the first transition, the footer's POSIX TZ rule after the last). Go reads
 * these same files, so within the table the abbreviation and offset are Go's; past the last
 * transition the offset is ICU's (Intl) and the abbreviation the footer's standard or daylight
 * name, whichever that offset is.
 */
import { readFileSync } from 'node:fs';

export const ZONEINFO_DIR = '/usr/share/zoneinfo/';

export interface TzifZone {
  readonly offset: number;
  readonly isDst: boolean;
  readonly abbr: string;
}

export interface Tzif {
  /** Transition instants (Unix seconds), ascending, and the zone each starts. */
  readonly when: readonly bigint[];
  readonly index: readonly number[];
  readonly zones: readonly TzifZone[];
  /** The footer's POSIX TZ string, "" if none. */
  readonly extend: string;
}

/** Parses a TZif file (any version, the 64-bit data when there is one); undefined if it is not one. */
export function parseTzif(data: Buffer): Tzif | undefined {
  if (data.length < 44 || data.toString('latin1', 0, 4) !== 'TZif') return undefined;
  const version = data[4]!;
  const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => data.readUInt32BE(at + 20 + i * 4));
  let at = 0;
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(0) as [number, number, number, number, number, number];
  let timeSize = 4;
  if (version >= 0x32) {
    at = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    if (data.length < at + 44 || data.toString('latin1', at, at + 4) !== 'TZif') return undefined;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
    timeSize = 8;
  }
  let p = at + 44;
  const end = p + timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  if (data.length < end || typecnt === 0) return undefined;
  const when: bigint[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) when.push(timeSize === 8 ? data.readBigInt64BE(p) : BigInt(data.readInt32BE(p)));
  const index: number[] = [];
  for (let i = 0; i < timecnt; i++, p++) index.push(data[p]!);
  const raw: { offset: number; isDst: boolean; abbrAt: number }[] = [];
  for (let i = 0; i < typecnt; i++, p += 6) raw.push({ offset: data.readInt32BE(p), isDst: data[p + 4] !== 0, abbrAt: data[p + 5]! });
  const chars = data.toString('latin1', p, p + charcnt);
  if (index.some((i) => i >= typecnt)) return undefined;
  const zones = raw.map((z) => ({ offset: z.offset, isDst: z.isDst, abbr: chars.slice(z.abbrAt, chars.indexOf('\0', z.abbrAt) < 0 ? undefined : chars.indexOf('\0', z.abbrAt)) }));
  let extend = '';
  if (timeSize === 8 && data[end] === 0x0a) {
    const close = data.indexOf(0x0a, end + 1);
    if (close > end) extend = data.toString('latin1', end + 1, close);
  }
  // Go adds a transition at the start of time when there is none (fixed zones such as Etc/GMT+5).
  if (when.length === 0) {
    when.push(-(1n << 63n));
    index.push(0);
  }
  return { when, index, zones, extend };
}

/** Reads the named zone's file; undefined if there is none or it is not TZif. */
export function readTzif(name: string): Tzif | undefined {
  try {
    return parseTzif(readFileSync(ZONEINFO_DIR + name));
  } catch {
    return undefined;
  }
}

/** Go's lookupFirstZone: the zone of instants before the first transition. */
function firstZone(tz: Tzif): number {
  if (!tz.index.includes(0)) return 0;
  const first = tz.index[0]!;
  if (tz.zones[first]!.isDst) {
    for (let zi = first - 1; zi >= 0; zi--) if (!tz.zones[zi]!.isDst) return zi;
  }
  const standard = tz.zones.findIndex((z) => !z.isDst);
  return standard < 0 ? 0 : standard;
}

/** The standard and daylight names and the standard offset (seconds east) of a POSIX TZ string. */
function footerNames(tz: string): { std: string; dst: string | undefined; stdOffset: number } | undefined {
  const m = /^(<[^>]*>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}(?::\d{1,2})?)?)(<[^>]*>|[A-Za-z]{3,})?/.exec(tz);
  if (m === null) return undefined;
  const name = (s: string): string => (s.startsWith('<') ? s.slice(1, -1) : s);
  const [h, mm = '0', ss = '0'] = m[2]!.replace(/^[+-]/, '').split(':');
  const west = Number(h) * 3600 + Number(mm) * 60 + Number(ss);
  return { std: name(m[1]!), dst: m[3] === undefined ? undefined : name(m[3]), stdOffset: m[2]!.startsWith('-') ? west : -west };
}

/**
 * The zone in effect at `sec` as Go finds it; `rule` gives the offset past the last transition
 * (from ICU), where Go would evaluate the footer rule.
 */
export function tzifLookup(tz: Tzif, sec: bigint, rule: () => number): { abbr: string; offset: number } {
  if (sec < tz.when[0]!) {
    const z = tz.zones[firstZone(tz)]!;
    return { abbr: z.abbr, offset: z.offset };
  }
  let lo = 0;
  let hi = tz.when.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sec < tz.when[mid]!) hi = mid;
    else lo = mid;
  }
  const z = tz.zones[tz.index[lo]!]!;
  if (lo === tz.when.length - 1 && tz.extend !== '') {
    const names = footerNames(tz.extend);
    if (names !== undefined) {
      if (names.dst === undefined) return { abbr: names.std, offset: names.stdOffset };
      const offset = rule();
      return { abbr: offset === names.stdOffset ? names.std : names.dst, offset };
    }
  }
  return { abbr: z.abbr, offset: z.offset };
}

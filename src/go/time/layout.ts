/**
 * Go's time layouts (time/format.go): Time.Format and time.ParseInLocation, written again to
 * give Go's bytes and Go's error texts. A layout is Go's reference time, Mon Jan 2 15:04:05 MST
 * 2006, written as the result should look; `nextChunk` finds its elements exactly as Go's
 * nextStdChunk does (so `Janitor` is no month but `Jan` followed by a capital is).
 * Strings are byte strings (one char per byte), as the template engine's.
 */
import { GoTime, floorDiv } from './time.ts';
import { fixedZone, UTC, type Location } from './zone.ts';

type Std =
  | 'longMonth' | 'month' | 'numMonth' | 'zeroMonth' | 'longWeekDay' | 'weekDay' | 'day' | 'underDay' | 'zeroDay'
  | 'underYearDay' | 'zeroYearDay' | 'hour' | 'hour12' | 'zeroHour12' | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond'
  | 'longYear' | 'year' | 'PM' | 'pm' | 'tz'
  | 'iso8601TZ' | 'iso8601SecondsTZ' | 'iso8601ShortTZ' | 'iso8601ColonTZ' | 'iso8601ColonSecondsTZ'
  | 'numTZ' | 'numSecondsTz' | 'numShortTZ' | 'numColonTZ' | 'numColonSecondsTZ' | 'fracSecond0' | 'fracSecond9';

interface Chunk {
  prefix: string;
  std?: Std;
  /** The layout text of the element, for parse errors. */
  text: string;
  suffix: string;
  /** Fractional seconds: digits asked for, and the separator. */
  digits?: number;
  separator?: string;
}

const zeroStd: Record<string, Std> = { '1': 'zeroMonth', '2': 'zeroDay', '3': 'zeroHour12', '4': 'zeroMinute', '5': 'zeroSecond', '6': 'year' };
const isDigitAt = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';
const startsWithLower = (s: string): boolean => s.length > 0 && s[0]! >= 'a' && s[0]! <= 'z';

/** Go's nextStdChunk: the text before the first layout element, the element, and the rest. */
function nextChunk(layout: string): Chunk {
  const at = (i: number, std: Std, len: number, prefixEnd = i): Chunk =>
    ({ prefix: layout.slice(0, prefixEnd), std, text: layout.slice(prefixEnd, i + len), suffix: layout.slice(i + len) });
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    switch (layout[i]) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return at(i, 'longMonth', 7);
          if (!startsWithLower(rest.slice(3))) return at(i, 'month', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return at(i, 'longWeekDay', 6);
          if (!startsWithLower(rest.slice(3))) return at(i, 'weekDay', 3);
        }
        if (rest.startsWith('MST')) return at(i, 'tz', 3);
        break;
      case '0':
        if (rest.length >= 2 && rest[1]! >= '1' && rest[1]! <= '6') return at(i, zeroStd[rest[1]!]!, 2);
        if (rest.startsWith('002')) return at(i, 'zeroYearDay', 3);
        break;
      case '1':
        if (rest.startsWith('15')) return at(i, 'hour', 2);
        return at(i, 'numMonth', 1);
      case '2':
        if (rest.startsWith('2006')) return at(i, 'longYear', 4);
        return at(i, 'day', 1);
      case '_':
        if (rest.startsWith('_2')) {
          if (rest.startsWith('_2006')) return at(i + 1, 'longYear', 4, i + 1);
          return at(i, 'underDay', 2);
        }
        if (rest.startsWith('__2')) return at(i, 'underYearDay', 3);
        break;
      case '3': return at(i, 'hour12', 1);
      case '4': return at(i, 'minute', 1);
      case '5': return at(i, 'second', 1);
      case 'P':
        if (rest.startsWith('PM')) return at(i, 'PM', 2);
        break;
      case 'p':
        if (rest.startsWith('pm')) return at(i, 'pm', 2);
        break;
      case '-':
        if (rest.startsWith('-070000')) return at(i, 'numSecondsTz', 7);
        if (rest.startsWith('-07:00:00')) return at(i, 'numColonSecondsTZ', 9);
        if (rest.startsWith('-0700')) return at(i, 'numTZ', 5);
        if (rest.startsWith('-07:00')) return at(i, 'numColonTZ', 6);
        if (rest.startsWith('-07')) return at(i, 'numShortTZ', 3);
        break;
      case 'Z':
        if (rest.startsWith('Z070000')) return at(i, 'iso8601SecondsTZ', 7);
        if (rest.startsWith('Z07:00:00')) return at(i, 'iso8601ColonSecondsTZ', 9);
        if (rest.startsWith('Z0700')) return at(i, 'iso8601TZ', 5);
        if (rest.startsWith('Z07:00')) return at(i, 'iso8601ColonTZ', 6);
        if (rest.startsWith('Z07')) return at(i, 'iso8601ShortTZ', 3);
        break;
      case '.':
      case ',':
        if (rest.length > 1 && (rest[1] === '0' || rest[1] === '9')) {
          const ch = rest[1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          // Only a fractional second is all digits: "0.000" followed by a digit is something else.
          if (!isDigitAt(layout, j)) {
            const chunk = at(i, ch === '0' ? 'fracSecond0' : 'fracSecond9', j - i);
            return { ...chunk, digits: j - (i + 1), separator: layout[i]! };
          }
        }
        break;
    }
  }
  return { prefix: layout, text: '', suffix: '' };
}

const longMonths = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const longDays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const shortMonths = longMonths.map((m) => m.slice(0, 3));
const shortDays = longDays.map((d) => d.slice(0, 3));

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: bigint, month: number, day: number): bigint {
  const y = month <= 2 ? year - 1n : year;
  const era = floorDiv(y, 400n);
  const yoe = y - era * 400n;
  const m = BigInt(month);
  const doy = (153n * (m > 2n ? m - 3n : m + 9n) + 2n) / 5n + BigInt(day) - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

/** The civil date of a day count since 1970-01-01 (civil_from_days). */
function civilFromDays(days: bigint): { year: bigint; month: number; day: number } {
  const z = days + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = Number(doy - (153n * mp + 2n) / 5n + 1n);
  const month = Number(mp < 10n ? mp + 3n : mp - 9n);
  return { year: yoe + era * 400n + (month <= 2 ? 1n : 0n), month, day };
}

const isLeap = (y: bigint): boolean => y % 4n === 0n && (y % 100n !== 0n || y % 400n === 0n);
const daysIn = (month: number, year: bigint): number => (month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!);

/** Go's appendInt: a minus sign, then at least `width` digits. */
function padInt(x: bigint | number, width: number): string {
  const negative = x < 0;
  const digits = (negative ? -BigInt(x) : BigInt(x)).toString().padStart(width, '0');
  return negative ? `-${digits}` : digits;
}

/** Go's appendNano: `.000` always prints its digits; `.999` drops trailing zeros, and prints nothing for 0. */
function fraction(nsec: number, digits: number, separator: string, trim: boolean): string {
  if (trim && (digits === 0 || nsec === 0)) return '';
  let s = padInt(nsec, 9).slice(0, Math.min(9, digits));
  if (trim) s = s.replace(/0+$/, '');
  return s === '' && trim ? '' : `${separator}${s}`;
}

function zoneOffset(std: Std, offset: number): string {
  if (offset === 0 && std.startsWith('iso8601')) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const minutes = Math.trunc(abs / 60);
  const colon = std === 'iso8601ColonTZ' || std === 'numColonTZ' || std === 'iso8601ColonSecondsTZ' || std === 'numColonSecondsTZ';
  let out = sign + padInt(Math.trunc(minutes / 60), 2);
  if (colon) out += ':';
  if (std !== 'numShortTZ' && std !== 'iso8601ShortTZ') out += padInt(minutes % 60, 2);
  if (std === 'iso8601SecondsTZ' || std === 'numSecondsTz' || std === 'numColonSecondsTZ' || std === 'iso8601ColonSecondsTZ') {
    if (colon) out += ':';
    out += padInt(abs % 60, 2);
  }
  return out;
}

/** Time.Format(layout), written piece by piece to `write` (which bounds the result). */
export function formatTime(t: GoTime, layout: string, write: (s: string) => void): void {
  const { abbr, offset } = t.loc.lookup(t.sec);
  const local = t.sec + BigInt(offset);
  const days = floorDiv(local, 86400n);
  const secondOfDay = Number(local - days * 86400n);
  const { year, month, day } = civilFromDays(days);
  const yday = Number(days - daysFromCivil(year, 1, 1)) + 1;
  const weekday = Number(((days + 4n) % 7n + 7n) % 7n);
  const hour = Math.trunc(secondOfDay / 3600);
  const minute = Math.trunc(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  for (let rest = layout; rest !== '';) {
    const chunk = nextChunk(rest);
    if (chunk.prefix !== '') write(chunk.prefix);
    if (chunk.std === undefined) break;
    rest = chunk.suffix;
    switch (chunk.std) {
      case 'year': write(padInt((year < 0n ? -year : year) % 100n, 2)); break;
      case 'longYear': write(padInt(year, 4)); break;
      case 'month': write(shortMonths[month - 1]!); break;
      case 'longMonth': write(longMonths[month - 1]!); break;
      case 'numMonth': write(String(month)); break;
      case 'zeroMonth': write(padInt(month, 2)); break;
      case 'weekDay': write(shortDays[weekday]!); break;
      case 'longWeekDay': write(longDays[weekday]!); break;
      case 'day': write(String(day)); break;
      case 'underDay': write(day < 10 ? ` ${day}` : String(day)); break;
      case 'zeroDay': write(padInt(day, 2)); break;
      case 'underYearDay': write(String(yday).padStart(3, ' ')); break;
      case 'zeroYearDay': write(padInt(yday, 3)); break;
      case 'hour': write(padInt(hour, 2)); break;
      case 'hour12': write(String(hour12)); break;
      case 'zeroHour12': write(padInt(hour12, 2)); break;
      case 'minute': write(String(minute)); break;
      case 'zeroMinute': write(padInt(minute, 2)); break;
      case 'second': write(String(second)); break;
      case 'zeroSecond': write(padInt(second, 2)); break;
      case 'PM': write(hour >= 12 ? 'PM' : 'AM'); break;
      case 'pm': write(hour >= 12 ? 'pm' : 'am'); break;
      case 'tz': {
        if (abbr !== '') {
          write(abbr);
          break;
        }
        const minutes = Math.trunc(offset / 60);
        write((minutes < 0 ? '-' : '+') + padInt(Math.trunc(Math.abs(minutes) / 60), 2) + padInt(Math.abs(minutes) % 60, 2));
        break;
      }
      case 'fracSecond0':
      case 'fracSecond9':
        write(fraction(t.nsec, chunk.digits!, chunk.separator!, chunk.std === 'fracSecond9'));
        break;
      default: write(zoneOffset(chunk.std, offset));
    }
  }
}

/** What Time.String() and fmt print: the time, offset and zone, and Go's `m=` monotonic reading if any. */
export function timeString(t: GoTime): string {
  let out = '';
  formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST', (s) => { out += s; });
  if (t.mono !== undefined) {
    const negative = t.mono < 0n;
    const m = negative ? -t.mono : t.mono;
    const seconds = m / 1_000_000_000n;
    out += ` m=${negative ? '-' : '+'}${seconds}.${padInt(m % 1_000_000_000n, 9)}`;
  }
  return out;
}

/** Go's time.quote for parse errors: printable ASCII kept (`"` and `\` escaped), other bytes as \xNN. */
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += c === 0x22 || c === 0x5c ? `\\${s[i]}` : s[i];
  }
  return `${out}"`;
}

/**
 * A time.ParseError; `message` is its Error() text with the value left out. The values parsed
 * come from templates, so they may be secret data, and the message reaches the status, Events
 * and logs: Go's words are kept around where Go quotes the value (or a part of it).
 */
export class TimeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeParseError';
  }
}

const BAD = Symbol('bad');

/** Go's `parsing time "value" as "layout": cannot parse "rest" as "elem"`, or `parsing time "value": reason`, without the value. */
function parseError(layout: string, layoutElem: string, reason = ''): TimeParseError {
  if (reason !== '') return new TimeParseError(`parsing time: ${reason}`);
  return new TimeParseError(`parsing time as ${quote(layout)}: cannot parse the value as ${quote(layoutElem)}`);
}

/** Go's getnum: one or two digits (exactly two if fixed). */
function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw BAD;
  if (!isDigitAt(s, 1)) {
    if (fixed) throw BAD;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + s.charCodeAt(1) - 48, s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + s.charCodeAt(i) - 48;
  if (i === 0 || (fixed && i !== 3)) throw BAD;
  return [n, s.slice(i)];
}

/** Go's atoi for layouts: an optional sign and digits, nothing else, within int64. */
function atoi(s: string): number {
  const m = /^([+-]?)(\d*)$/.exec(s);
  if (m === null || BigInt(m[2] === '' ? '0' : m[2]!) > 1n << 63n) throw BAD;
  const x = Number(m[2] === '' ? '0' : m[2]);
  return m[1] === '-' ? -x : x;
}

/** Go's skip: the literal prefix, where a space matches any run of spaces (but not none if the value has other text). */
function skip(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw BAD;
      prefix = prefix.replace(/^ +/, '');
      value = value.replace(/^ +/, '');
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw BAD;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

/** Go's lookup: a name from the table at the start of val, ASCII case ignored. */
function lookup(table: readonly string[], value: string): [number, string] {
  const i = table.findIndex((name) => value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase());
  if (i < 0) throw BAD;
  return [i, value.slice(table[i]!.length)];
}

/** Go's parseSignedOffset: "+h" or "-hh" up to 23; the length read, or 0. */
function signedOffsetLength(value: string): number {
  if (value[0] !== '-' && value[0] !== '+') return 0;
  const m = /^\d+/.exec(value.slice(1));
  if (m === null || m[0].length > 19 || BigInt(m[0]) > 23n) return 0;
  return 1 + m[0].length;
}

/** Go's parseTimeZone: the length of a zone abbreviation at the start of value, or 0. */
function timeZoneLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) return value.length === 3 ? 3 : 3 + signedOffsetLength(value.slice(3));
  if (value[0] === '+' || value[0] === '-') return signedOffsetLength(value);
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= 'A' && value[upper]! <= 'Z') upper++;
  if (upper === 5) return value[4] === 'T' ? 5 : 0;
  if (upper === 4) return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0;
  return upper === 3 ? 3 : 0;
}

/** Go's parseNanoseconds: a separator and digits, scaled to nanoseconds (at most 9 digits count). */
function nanoseconds(value: string, n: number): number {
  if (value[0] !== '.' && value[0] !== ',') throw BAD;
  const digits = value.slice(1, Math.min(n, 10));
  return atoi(digits) * 10 ** (10 - Math.min(n, 10));
}

/** time.Date(...) in a location with a fixed rule: the Unix second of a wall clock reading. */
function date(year: bigint, month: number, day: number, hour: number, min: number, sec: number, offset: number): bigint {
  return daysFromCivil(year, month, day) * 86400n + BigInt(hour * 3600 + min * 60 + sec - offset);
}

/**
 * time.ParseInLocation(layout, value, loc) with Local being `loc` too (sprig parses in Local):
 * the same results as Go, for locations of one zone (UTC, our Local), and Go's error texts
 * without the value (see TimeParseError).
 */
export function parseTime(layout: string, value: string, loc: Location): GoTime {
  const fullLayout = layout;
  let amSet = false;
  let pmSet = false;
  let year = 0n;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let utc = false;
  let offset = -1;
  let zoneName = '';
  for (;;) {
    const chunk = nextChunk(layout);
    try {
      value = skip(value, chunk.prefix);
    } catch {
      throw parseError(fullLayout, chunk.prefix);
    }
    if (chunk.std === undefined) {
      if (value.length !== 0) throw parseError(fullLayout, '', 'extra text');
      break;
    }
    layout = chunk.suffix;
    let range = '';
    try {
      switch (chunk.std) {
        case 'year': {
          if (value.length < 2) throw BAD;
          const y = atoi(value.slice(0, 2));
          value = value.slice(2);
          year = BigInt(y >= 69 ? y + 1900 : y + 2000);
          break;
        }
        case 'longYear':
          if (value.length < 4 || !isDigitAt(value, 0)) throw BAD;
          year = BigInt(atoi(value.slice(0, 4)));
          value = value.slice(4);
          break;
        case 'month': [month, value] = lookup(shortMonths, value); month++; break;
        case 'longMonth': [month, value] = lookup(longMonths, value); month++; break;
        case 'numMonth':
        case 'zeroMonth':
          [month, value] = getnum(value, chunk.std === 'zeroMonth');
          if (month <= 0 || month > 12) range = 'month';
          break;
        case 'weekDay': [, value] = lookup(shortDays, value); break;
        case 'longWeekDay': [, value] = lookup(longDays, value); break;
        case 'day':
        case 'underDay':
        case 'zeroDay':
          if (chunk.std === 'underDay' && value[0] === ' ') value = value.slice(1);
          [day, value] = getnum(value, chunk.std === 'zeroDay');
          break;
        case 'underYearDay':
        case 'zeroYearDay':
          for (let i = 0; i < 2; i++) if (chunk.std === 'underYearDay' && value[0] === ' ') value = value.slice(1);
          [yday, value] = getnum3(value, chunk.std === 'zeroYearDay');
          break;
        case 'hour':
          [hour, value] = getnum(value, false);
          if (hour >= 24) range = 'hour';
          break;
        case 'hour12':
        case 'zeroHour12':
          [hour, value] = getnum(value, chunk.std === 'zeroHour12');
          if (hour > 12) range = 'hour';
          break;
        case 'minute':
        case 'zeroMinute':
          [min, value] = getnum(value, chunk.std === 'zeroMinute');
          if (min >= 60) range = 'minute';
          break;
        case 'second':
        case 'zeroSecond': {
          [sec, value] = getnum(value, chunk.std === 'zeroSecond');
          if (sec >= 60) {
            range = 'second';
            break;
          }
          // A fractional second in the value that the layout does not ask for is read anyway.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = nextChunk(layout).std;
            if (next === 'fracSecond0' || next === 'fracSecond9') break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            nsec = nanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case 'PM':
        case 'pm': {
          if (value.length < 2) throw BAD;
          const p = value.slice(0, 2);
          value = value.slice(2);
          const [pm, am] = chunk.std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
          if (p === pm) pmSet = true;
          else if (p === am) amSet = true;
          else throw BAD;
          break;
        }
        case 'tz': {
          if (value.startsWith('UTC')) {
            utc = true;
            value = value.slice(3);
            break;
          }
          const n = timeZoneLength(value);
          if (n === 0) throw BAD;
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case 'fracSecond0': {
          const n = 1 + chunk.digits!;
          if (value.length < n) throw BAD;
          nsec = nanoseconds(value, n);
          value = value.slice(n);
          break;
        }
        case 'fracSecond9': {
          if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
          nsec = nanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
        default: {
          if (chunk.std.startsWith('iso8601') && value[0] === 'Z') {
            value = value.slice(1);
            utc = true;
            break;
          }
          const std = chunk.std;
          let parts: [string, string, string, string];
          if (std === 'iso8601ColonTZ' || std === 'numColonTZ') {
            if (value.length < 6 || value[3] !== ':') throw BAD;
            parts = [value[0]!, value.slice(1, 3), value.slice(4, 6), '00'];
            value = value.slice(6);
          } else if (std === 'numShortTZ' || std === 'iso8601ShortTZ') {
            if (value.length < 3) throw BAD;
            parts = [value[0]!, value.slice(1, 3), '00', '00'];
            value = value.slice(3);
          } else if (std === 'iso8601ColonSecondsTZ' || std === 'numColonSecondsTZ') {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw BAD;
            parts = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
            value = value.slice(9);
          } else if (std === 'iso8601SecondsTZ' || std === 'numSecondsTz') {
            if (value.length < 7) throw BAD;
            parts = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
            value = value.slice(7);
          } else {
            if (value.length < 5) throw BAD;
            parts = [value[0]!, value.slice(1, 3), value.slice(3, 5), '00'];
            value = value.slice(5);
          }
          const [hh] = getnum(parts[1], true);
          const [mm] = getnum(parts[2], true);
          const [ss] = getnum(parts[3], true);
          if (hh > 24) range = 'time zone offset hour';
          if (mm > 60) range = 'time zone offset minute';
          if (ss > 60) range = 'time zone offset second';
          offset = (hh * 60 + mm) * 60 + ss;
          if (parts[0] === '-') offset = -offset;
          else if (parts[0] !== '+') throw BAD;
        }
      }
    } catch (e) {
      if (e !== BAD) throw e;
      if (range === '') throw parseError(fullLayout, chunk.text);
    }
    if (range !== '') throw parseError(fullLayout, chunk.text, `${range} out of range`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    if (isLeap(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) {
        yday--;
      }
    }
    if (yday < 1 || yday > 365) throw parseError(fullLayout, '', 'day-of-year out of range');
    if (m === 0) {
      const before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
      m = Math.trunc((yday - 1) / 31) + 1;
      if (before[m]! < yday) m++;
      d = yday - before[m - 1]!;
    }
    if (month >= 0 && month !== m) throw parseError(fullLayout, '', 'day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) throw parseError(fullLayout, '', 'day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw parseError(fullLayout, '', 'day out of range');

  if (utc) return new GoTime(date(year, month, day, hour, min, sec, 0), nsec, UTC);
  if (offset !== -1) {
    const t = date(year, month, day, hour, min, sec, offset);
    const zone = loc.lookup(t);
    // The location's own zone if it was in effect then, else a zone that records the offset.
    if (zone.offset === offset && (zoneName === '' || zone.abbr === zoneName)) return new GoTime(t, nsec, loc);
    return new GoTime(t, nsec, fixedZone(zoneName, offset));
  }
  if (zoneName !== '') {
    const t = date(year, month, day, hour, min, sec, 0);
    // Go's lookupName finds only zones the location has had; ours (UTC) have none by name but "UTC".
    let zoneOffset = 0;
    if (zoneName.length > 3 && zoneName.startsWith('GMT')) zoneOffset = atoi(zoneName.slice(3)) * 3600;
    return new GoTime(t, nsec, fixedZone(zoneName, zoneOffset));
  }
  return new GoTime(date(year, month, day, hour, min, sec, loc.lookup(date(year, month, day, hour, min, sec, 0)).offset), nsec, loc);
}

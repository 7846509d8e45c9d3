/**
 * What go-yaml v2 (resolve.go) makes of a plain scalar: YAML 1.1's booleans (yes, no, on,
 * off, y, n), nulls, Go-syntax integers (0x, 0o, 0b, leading-0 octal, underscores
 * ignored), floats, and timestamps, which a decode into interface{} keeps as strings.
 * Hand-written: both fromYaml's values and toYaml's quoting (a string that would read
 * back as something else is double-quoted) must match Go exactly.
 */

export type Resolved =
  | { tag: 'str' | 'timestamp'; value: string }
  | { tag: 'bool'; value: boolean }
  | { tag: 'null'; value: null }
  | { tag: 'int'; value: bigint }
  | { tag: 'float'; value: number }
  | { tag: 'merge'; value: string };

const named = new Map<string, Resolved>();
const add = (words: string, r: Resolved): void => words.split(' ').forEach((w) => named.set(w, r));
add('y Y yes Yes YES true True TRUE on On ON', { tag: 'bool', value: true });
add('n N no No NO false False FALSE off Off OFF', { tag: 'bool', value: false });
add('~ null Null NULL', { tag: 'null', value: null });
named.set('', { tag: 'null', value: null });
add('.nan .NaN .NAN', { tag: 'float', value: NaN });
add('.inf .Inf .INF +.inf +.Inf +.INF', { tag: 'float', value: Infinity });
add('-.inf -.Inf -.INF', { tag: 'float', value: -Infinity });
named.set('<<', { tag: 'merge', value: '<<' });

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt/ParseUint with base 0 (Go syntax prefixes), underscores already removed. */
function parseGoInt(s: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m || (!signed && m[1])) return undefined;
  const body = m[2]!;
  let magnitude: bigint;
  if (/^0[oO]/.test(body)) magnitude = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) magnitude = BigInt('0o' + body.slice(1));
  else magnitude = BigInt(body);
  const v = m[1] === '-' ? -magnitude : magnitude;
  if (signed ? v < INT64_MIN || v > INT64_MAX : v > UINT64_MAX) return undefined;
  return v;
}

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What strconv.ParseFloat takes of a text starting with '.': digits, maybe underscores between them, an exponent. */
const dotFloat = /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/;

export function resolvePlain(s: string): Resolved {
  const first = s.charAt(0);
  const hint = s === '' ? 'N' : /[-+]/.test(first) ? 'S' : /[0-9]/.test(first) ? 'D' : /[yYnNtTfFoO~]/.test(first) ? 'M' : first === '.' ? '.' : '';
  if (hint === '') return { tag: 'str', value: s };
  const known = named.get(s);
  if (known) return known;
  if (hint === '.') {
    if (dotFloat.test(s)) return { tag: 'float', value: Number(s.replace(/_/g, '')) };
  } else if (hint === 'D' || hint === 'S') {
    if (isTimestamp(s)) return { tag: 'timestamp', value: s };
    const plain = s.replace(/_/g, '');
    const i = parseGoInt(plain, true) ?? parseGoInt(plain, false);
    if (i !== undefined) return { tag: 'int', value: i };
    if (yamlStyleFloat.test(plain)) return { tag: 'float', value: Number(plain) };
    const bin = /^-0b([01]+)$/.exec(plain);
    if (bin) {
      const v = -BigInt('0b' + bin[1]!);
      if (v >= INT64_MIN) return { tag: 'int', value: v };
    }
  }
  return { tag: 'str', value: s };
}

/** encode.go's isBase60Float: such strings are quoted on the way out, though no longer read as numbers. */
export const isBase60Float = (s: string): boolean => /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);

const daysIn = (month: number, year: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00" (T or t), "2006-1-2
 * 15:4:5.999999999" or "2006-1-2": one- or two-digit fields, range-checked as time.Parse does.
 */
function isTimestamp(s: string): boolean {
  const m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$/.exec(s);
  if (!m) return false;
  const [, year, month, day, sep, hour, minute, second, zone] = m;
  if (Number(month) < 1 || Number(month) > 12) return false;
  if (Number(day) < 1 || Number(day) > daysIn(Number(month), Number(year))) return false;
  if (sep === undefined) return true;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false;
  // The layout with a space has no zone; the ones with T have one.
  if (sep === ' ') return zone === undefined;
  if (zone === undefined) return false;
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 24 || Number(zone.slice(4, 6)) > 60)) return false;
  return true;
}

/**
 * Go's float64 text conversions, as gjson's Result.String() uses them on a number that is not a plain
 * integer: strconv.ParseFloat(s, 64) with its error ignored (a malformed number is 0, an overflowing
 * one is ±Inf), then strconv.FormatFloat(x, 'f', -1, 64).
 */
import { DIGIT_0, hexDigit } from './chars.ts';

// strconv.ParseFloat(s, 64), as gjson uses it: the error is ignored, so a malformed number is 0,
// and an overflowing one is ±Inf.

export function parseGoFloat(s: string): number {
  const special = goSpecialFloat(s);
  if (special !== undefined) return special[1] === s.length ? special[0] : 0;
  const literal = readGoFloatLiteral(s);
  if (literal === undefined || literal.length !== s.length) return 0;
  const { negative, hex, digits, fractionDigits, exponent } = literal;
  let value: number;
  if (hex) {
    value = scaleBinary(BigInt(`0x${digits}`), exponent - 4 * fractionDigits);
  } else {
    const whole = digits.slice(0, digits.length - fractionDigits) || '0';
    const fraction = digits.slice(digits.length - fractionDigits) || '0';
    value = Number(`${whole}.${fraction}e${exponent}`);
  }
  return negative ? -value : value;
}

/** Infinity (`inf`, `infinity`, any case, optional sign) and NaN (`nan`, any case, no sign). */
function goSpecialFloat(s: string): [value: number, length: number] | undefined {
  if (s.length === 0) return undefined;
  const c = s[0];
  if (c === '+' || c === '-' || c === 'i' || c === 'I') {
    const signLength = c === '+' || c === '-' ? 1 : 0;
    let n = commonPrefixIgnoreCase(s.slice(signLength), 'infinity');
    if (n > 3 && n < 8) n = 3;
    if (n === 3 || n === 8) return [c === '-' ? -Infinity : Infinity, signLength + n];
  } else if ((c === 'n' || c === 'N') && commonPrefixIgnoreCase(s, 'nan') === 3) {
    return [Number.NaN, 3];
  }
  return undefined;
}

function commonPrefixIgnoreCase(s: string, prefix: string): number {
  let n = 0;
  while (n < s.length && n < prefix.length) {
    let code = s.charCodeAt(n);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== prefix.charCodeAt(n)) break;
    n++;
  }
  return n;
}

interface GoFloatLiteral {
  readonly length: number;
  readonly negative: boolean;
  readonly hex: boolean;
  /** Mantissa digits with underscores and the point removed. */
  readonly digits: string;
  /** How many of `digits` follow the point. */
  readonly fractionDigits: number;
  /** Decimal (or, for hex, binary) exponent, clamped as Go clamps it while reading. */
  readonly exponent: number;
}

/** strconv's readFloat: the longest float literal at the start of s, or undefined if there is none. */
function readGoFloatLiteral(s: string): GoFloatLiteral | undefined {
  let i = 0;
  let negative = false;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    negative = true;
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && (s.charCodeAt(i + 1) | 0x20) === 0x78) {
    hex = true;
    i += 2;
  }
  let underscores = false;
  let sawDot = false;
  let digits = '';
  let fractionDigits = 0;
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '_') {
      underscores = true;
    } else if (ch === '.') {
      if (sawDot) break;
      sawDot = true;
    } else if (isDecimalDigit(ch) || (hex && hexDigit(s.charCodeAt(i)) >= 10)) {
      digits += ch;
      if (sawDot) fractionDigits++;
    } else {
      break;
    }
  }
  if (digits.length === 0) return undefined;
  let exponent = 0;
  const exponentMark = hex ? 0x70 : 0x65; // 'p' or 'e', either case
  if (i < s.length && (s.charCodeAt(i) | 0x20) === exponentMark) {
    i++;
    if (i >= s.length) return undefined;
    let sign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      sign = -1;
    }
    if (i >= s.length || !isDecimalDigit(s[i]!)) return undefined;
    let e = 0;
    for (; i < s.length && (isDecimalDigit(s[i]!) || s[i] === '_'); i++) {
      if (s[i] === '_') underscores = true;
      else if (e < 10000) e = e * 10 + (s.charCodeAt(i) - DIGIT_0);
    }
    exponent = e * sign;
  } else if (hex) {
    return undefined;
  }
  if (underscores && !goUnderscoresOk(s.slice(0, i))) return undefined;
  return { length: i, negative, hex, digits, fractionDigits, exponent };
}

function isDecimalDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Underscores may only separate digits (or follow a base prefix). */
function goUnderscoresOk(literal: string): boolean {
  let s = literal;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0') {
    const base = s.charCodeAt(1) | 0x20;
    if (base === 0x62 || base === 0x6f || base === 0x78) {
      i = 2;
      saw = '0';
      hex = base === 0x78;
    }
  }
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (isDecimalDigit(ch) || (hex && hexDigit(s.charCodeAt(i)) >= 10)) {
      saw = '0';
    } else if (ch === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** mantissa × 2^exponent rounded once to float64 (ties to even), as Go's atofHex does. */
function scaleBinary(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const top = mantissa.toString(2).length - 1 + exponent;
  if (top > 1023) return Infinity;
  const lsb = Math.max(top - 52, -1074);
  const shift = lsb - exponent;
  let q: bigint;
  if (shift > 0) {
    const s = BigInt(shift);
    q = mantissa >> s;
    const rem = mantissa - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  } else {
    q = mantissa << BigInt(-shift);
  }
  return timesPowerOfTwo(Number(q), lsb);
}

/** x × 2^e for an integer x < 2^54 whose product is representable (or overflows): exact. */
function timesPowerOfTwo(x: number, e: number): number {
  let value = x;
  let rest = e;
  while (rest > 1000) {
    value *= powerOfTwo(1000);
    rest -= 1000;
  }
  while (rest < -1000) {
    value *= powerOfTwo(-1000);
    rest += 1000;
  }
  return value * powerOfTwo(rest);
}

/** 2^e for -1022 <= e <= 1023, built from its bits so no library rounding is involved. */
function powerOfTwo(e: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(e + 1023) << 52n);
  return view.getFloat64(0);
}

/** strconv.FormatFloat(x, 'f', -1, 64): the shortest digits that round-trip, without exponent. */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  // String() gives the shortest round-trip digits; only the layout differs from Go's 'f' format.
  const [mantissa = '', exponentText] = String(Math.abs(x)).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + (exponentText === undefined ? 0 : Number(exponentText));
  const leadingZeros = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leadingZeros);
  point -= leadingZeros;
  digits = digits.replace(/0+$/, '');
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

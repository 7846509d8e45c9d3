/**
 * Go's strconv for float64: ParseFloat, and FormatFloat exactly as strconv and fmt print. Users see
 * these strings in their Secrets: gjson re-prints a number that is not a plain integer with
 * FormatFloat(f, 'f', -1, 64), a template prints a parsed JSON 1234567 as "1.234567e+06", and
 * sigs.k8s.io/yaml prints a float as FormatFloat(f, 'g', -1, 32).
 */
import { DIGIT_0, hexDigit } from './ascii.ts';

/** A decimal: digits without leading or trailing zeros, the value 0.digits × 10^dp. */
interface Decimal {
  digits: string;
  dp: number;
}

/** Shortest digits that read back as f (what Go's shortest formatting uses); f > 0. */
function shortest(f: number): Decimal {
  const [mantissa = '', exponent = '0'] = f.toExponential().split('e');
  return { digits: mantissa.replace('.', ''), dp: Number(exponent) + 1 };
}

/** Every digit of f (a float64 is a finite binary fraction); f > 0. */
function exact(f: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let exp = biased - 1075;
  if (biased === 0) exp = -1074; // subnormal
  else mant |= 1n << 52n;
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, dp };
}

/** Round to n digits, halfway cases to even, as Go's decimal.Round. */
function round(d: Decimal, n: number): Decimal {
  if (n < 0 || d.digits.length <= n) return n < 0 ? { digits: '', dp: d.dp } : d;
  const next = d.digits.charCodeAt(n) - 48;
  const rest = d.digits.slice(n + 1);
  const prev = n > 0 ? d.digits.charCodeAt(n - 1) - 48 : 0;
  const up = next > 5 || (next === 5 && (/[1-9]/.test(rest) || (n > 0 && prev % 2 === 1)));
  let digits = d.digits.slice(0, n);
  let dp = d.dp;
  if (up) {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === '9') i--;
    if (i < 0) {
      digits = '1';
      dp++;
    } else {
      digits = digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1);
    }
  }
  return { digits: digits.replace(/0+$/, ''), dp };
}

function fmtE(d: Decimal, prec: number, e: 'e' | 'E'): string {
  let s = d.digits[0] ?? '0';
  if (prec > 0) s += '.' + d.digits.slice(1, prec + 1).padEnd(prec, '0');
  let exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${s}${e}${sign}${exp < 10 ? '0' : ''}${exp}`;
}

/** Digits from..to-1 of d, '0' outside its digits; in slices, as a precision may be a million. */
function digitsBetween(digits: string, from: number, to: number): string {
  if (to <= from) return '';
  const a = Math.max(from, 0);
  const b = Math.min(to, digits.length);
  if (a >= b) return '0'.repeat(to - from);
  return '0'.repeat(a - from) + digits.slice(a, b) + '0'.repeat(to - b);
}

function fmtF(d: Decimal, prec: number): string {
  const s = d.dp > 0 ? digitsBetween(d.digits, 0, d.dp) : '0';
  return prec > 0 ? s + '.' + digitsBetween(d.digits, d.dp, d.dp + prec) : s;
}

/**
 * strconv.FormatFloat(f, fmt, prec, 64) for fmt e, E, f, g, G; prec -1 means
 * the shortest representation that reads back as f.
 */
export function formatFloat(f: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const abs = Math.abs(f);
  const isShortest = prec < 0;
  let d: Decimal;
  if (abs === 0) d = { digits: '', dp: 0 };
  else if (isShortest) d = shortest(abs);
  else if (fmt === 'f') d = round(exact(abs), exact(abs).dp + prec);
  else d = round(exact(abs), fmt === 'e' || fmt === 'E' ? prec + 1 : Math.max(prec, 1));
  if (isShortest) {
    if (fmt === 'e' || fmt === 'E') prec = Math.max(d.digits.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(d.digits.length - d.dp, 0);
    else prec = d.digits.length;
  }
  let body: string;
  if (fmt === 'e' || fmt === 'E') body = fmtE(d, prec, fmt);
  else if (fmt === 'f') body = fmtF(d, prec);
  else {
    if (prec === 0) prec = 1;
    let eprec = prec;
    if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
    if (isShortest) eprec = 6;
    const exp = d.dp - 1;
    if (d.digits.length !== 0 && (exp < -4 || exp >= eprec)) {
      body = fmtE(d, Math.min(prec, d.digits.length) - 1, fmt === 'g' ? 'e' : 'E');
    } else {
      body = fmtF(d, Math.max((prec > d.dp ? d.digits.length : prec) - d.dp, 0));
    }
  }
  return (neg ? '-' : '') + body;
}

/**
 * strconv.ParseFloat(s, 64): undefined where Go returns a syntax error; a value out of range is
 * ±Inf, as Go returns it beside its range error.
 */
export function parseFloat64(s: string): number | undefined {
  const special = goSpecialFloat(s);
  if (special !== undefined) return special[1] === s.length ? special[0] : undefined;
  const literal = readGoFloatLiteral(s);
  if (literal === undefined || literal.length !== s.length) return undefined;
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

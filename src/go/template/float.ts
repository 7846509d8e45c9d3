/**
 * float64 to text exactly as Go's strconv and fmt do it. JSON numbers become
 * float64 in fromJson, so `{{ .port }}` of a parsed 1234567 prints
 * "1.234567e+06" in ESO: users see these strings in their Secrets.
 */

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

/** fmt's %v of a float64 (and so text/template's printing of one). */
export const goFloat = (f: number): string => formatFloat(f, 'g', -1);

/** encoding/json's float64: ES6 number formatting, which JS itself implements, but -0 keeps its sign. */
export const jsonFloat = (f: number): string => (Object.is(f, -0) ? '-0' : String(f));

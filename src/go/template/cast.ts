/**
 * spf13/cast v1.7.0's ToInt64 and ToFloat64, which sprig's arithmetic uses on any argument:
 * lenient, 0 for what they cannot convert. Hand-written: the conversions must match Go's
 * byte for byte (strconv.ParseInt with base 0, Go's float-to-int conversion on amd64).
 */
import { parseFloat64 } from '../strconv.ts';
import type { GoString } from './bytes.ts';
import { parseInteger } from './literals.ts';
import type { Evaluated } from './values.ts';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Go's int64 arithmetic wraps around. */
export const wrap64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/** int64(f) on amd64: the truncated value, or the "integer indefinite" (MinInt64) when it does not fit. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** cast's trimZeroDecimal: "12.00" is "12", but "12." and "12.5" stay as they are. */
function trimZeroDecimal(s: GoString): GoString {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') {
      foundZero = true;
    } else {
      return s;
    }
  }
  return s;
}

/** strconv.ParseInt(s, 0, 64), undefined on any error (syntax or range). */
export function parseInt64(s: GoString): bigint | undefined {
  const n = parseInteger(s);
  return n === undefined || n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** cast.ToInt64 (and ToInt, the same on 64-bit Go). */
export function toInt64(v: Evaluated): bigint {
  switch (typeof v) {
    case 'bigint': return v;
    case 'number': return floatToInt64(v);
    case 'boolean': return v ? 1n : 0n;
    case 'string': return parseInt64(trimZeroDecimal(v)) ?? 0n;
  }
  return 0n;
}

/** strconv.ParseFloat(s, 64), undefined on any error (a value out of range is one). */
export function parseFloat64Strict(s: GoString): number | undefined {
  const f = parseFloat64(s);
  if (f === undefined) return undefined;
  // ParseFloat reports a range error beside ±Inf for a number too large.
  if (Number.isFinite(f) || Number.isNaN(f) || /^[+-]?(?:inf|infinity)$/i.test(s)) return f;
  return undefined;
}

/** cast.ToFloat64. */
export function toFloat64(v: Evaluated): number {
  switch (typeof v) {
    case 'bigint': return Number(v);
    case 'number': return v;
    case 'boolean': return v ? 1 : 0;
    case 'string': return parseFloat64Strict(v) ?? 0;
  }
  return 0;
}

/** strconv.Atoi: decimal digits with an optional sign, in range; 0 otherwise (sprig drops the error). */
export function atoi(s: GoString): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0n;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? 0n : n;
}

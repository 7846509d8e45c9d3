/**
 * The part of shopspring/decimal v1.4.0 that sprig's addf, subf, mulf, divf and add1f use:
 * NewFromFloat (the shortest decimal that reads back as the float), exact Add/Sub/Mul, Div
 * rounded half away from zero to 16 places (DivisionPrecision), and Float64 (the nearest float).
 * Hand-written because `addf 0.1 0.2` must print 0.3, as in Go, not 0.30000000000000004.
 */
import { FuncError } from './errors.ts';

/** value × 10^exp */
export interface Decimal {
  readonly value: bigint;
  readonly exp: number;
}

const DIVISION_PRECISION = 16;

/** decimal.NewFromFloat; panics (an error here) on NaN and infinities as it does. */
export function fromFloat(f: number): Decimal {
  if (!Number.isFinite(f)) throw new FuncError(`Cannot create a Decimal from ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  if (f === 0) return { value: 0n, exp: 0 };
  // JavaScript prints the shortest digits that read back as f, as Go's shortest formatting does.
  const [mantissa = '', exponent = '0'] = Math.abs(f).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const value = BigInt(digits);
  return { value: f < 0 ? -value : value, exp: Number(exponent) - (digits.length - 1) };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Both values scaled to the smaller exponent. */
function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.value * pow10(a.exp - exp), b.value * pow10(b.exp - exp), exp];
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return { value: x + y, exp };
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return { value: x - y, exp };
}

export const mul = (a: Decimal, b: Decimal): Decimal => ({ value: a.value * b.value, exp: a.exp + b.exp });

/** Decimal.Div: the quotient to 16 places, rounded half away from zero. */
export function div(a: Decimal, b: Decimal): Decimal {
  if (b.value === 0n) throw new FuncError('decimal division by 0');
  // a/b × 10^16 = (a.value × 10^(a.exp - b.exp + 16)) / b.value
  const e = a.exp - b.exp + DIVISION_PRECISION;
  const num = e >= 0 ? a.value * pow10(e) : a.value;
  const den = e >= 0 ? b.value : b.value * pow10(-e);
  let q = num / den;
  const r = num - q * den;
  const abs = (n: bigint): bigint => (n < 0n ? -n : n);
  if (2n * abs(r) >= abs(den)) q += (num < 0n) !== (den < 0n) ? -1n : 1n;
  return { value: q, exp: -DIVISION_PRECISION };
}

/** Decimal.Float64: the nearest float64 (JavaScript reads decimal text correctly rounded). */
export const toFloat = (d: Decimal): number => Number(`${d.value}e${d.exp}`);

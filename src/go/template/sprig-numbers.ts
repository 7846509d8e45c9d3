/**
 * sprig v3.3.0's numbers (numeric.go and the arithmetic in functions.go): conversions through
 * spf13/cast (0 for what does not convert), int64 arithmetic that wraps as Go's does, float
 * arithmetic through shopspring/decimal, and the lists and strings of numbers (until,
 * untilStep, seq), whose length is known before they are made and refused past the bounds.
 */
import { atoi, INT64_MAX, INT64_MIN, toFloat64, toInt64, wrap64 } from './cast.ts';
import type { CallContext } from './budget.ts';
import * as decimal from './decimal.ts';
import { FuncError } from './errors.ts';
import { printInto } from './format.ts';
import type { FuncDef } from './func-def.ts';
import { reserveValue } from './sprig.ts';
import { GoSlice, type Evaluated } from './values.ts';

const divideByZero = (): never => {
  throw new FuncError('runtime error: integer divide by zero');
};

/** Elements of untilStep(start, stop, step): its loop, counted without running it. */
function stepCount(start: bigint, stop: bigint, step: bigint): bigint {
  if (stop < start) return step >= 0n ? 0n : (start - stop + (-step - 1n)) / -step;
  return step <= 0n ? 0n : (stop - start + (step - 1n)) / step;
}

/** Bytes a list of int prints as, per element, as values.ts measures it. */
const INT_SIZE = 8;

/** sprig's untilStep as a list, its size refused before any element is made. */
function untilStep(ctx: CallContext, start: bigint, stop: bigint, step: bigint): GoSlice {
  const n = stepCount(start, stop, step);
  const count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
  reserveValue(ctx, count, INT_SIZE * count);
  const items: bigint[] = [];
  for (let i = 0, v = start; i < count; i++, v += step) items.push(v);
  return new GoSlice('any', items);
}

/** sprig's seq: untilStep's numbers separated by spaces, written into a bounded builder as they are counted. */
function seq(ctx: CallContext, params: readonly bigint[]): string {
  let start: bigint;
  let stop: bigint;
  let step: bigint;
  if (params.length === 1 || params.length === 2) {
    start = params.length === 1 ? 1n : params[0]!;
    const end = params[params.length - 1]!;
    step = end < start ? -1n : 1n;
    stop = wrap64(end + step);
  } else if (params.length === 3) {
    [start, step] = [params[0]!, params[1]!];
    const end = params[2]!;
    const increment = end < start ? -1n : 1n;
    if (end < start && step > 0n) return '';
    stop = wrap64(end + increment);
  } else {
    return '';
  }
  const b = ctx.builder();
  const n = stepCount(start, stop, step);
  for (let i = 0n, v = start; i < n; i++, v += step) {
    if (i > 0n) b.add(' ');
    b.add(String(v));
  }
  return b.toString();
}

/** math.Pow(10, n) for an integer n, as Go computes it (repeated squaring of Frexp(10) = 0.625 × 2^4). */
function pow10(n: number): number {
  if (n === 0) return 1;
  if (n === 1) return 10;
  let a1 = 1;
  let ae = 0;
  let x1 = 0.625;
  let xe = 4;
  for (let i = Math.abs(n); i !== 0; i = Math.floor(i / 2)) {
    if (xe < -(1 << 12) || 1 << 12 < xe) {
      ae += xe;
      break;
    }
    if (i % 2 === 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe *= 2;
    if (x1 < 0.5) {
      x1 += x1;
      xe--;
    }
  }
  if (n < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  // Ldexp in two exact steps, so that neither overflows before the other.
  const half = Math.trunc(ae / 2);
  return a1 * 2 ** half * 2 ** (ae - half);
}

/** sprig's round: to `places` decimals, up when the fraction is at least `roundOn` (Go's Modf keeps the sign). */
function round(v: Evaluated, places: bigint, roundOn = 0.5): number {
  const pow = pow10(Number(places));
  const digit = pow * toFloat64(v);
  const frac = Number.isFinite(digit) ? digit - Math.trunc(digit) : NaN;
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** strconv.ParseInt(fmt.Sprint(v), 8, 64), 0 on error. */
function toDecimal(ctx: CallContext, v: Evaluated): bigint {
  const b = ctx.builder();
  printInto(b, v ?? null);
  const s = b.toString();
  if (!/^[+-]?[0-7]+$/.test(s)) return 0n;
  const magnitude = BigInt('0o' + s.replace(/^[+-]/, ''));
  const n = s.startsWith('-') ? -magnitude : magnitude;
  return n < INT64_MIN || n > INT64_MAX ? 0n : n;
}

/** A decimal operation over the arguments, as sprig's execDecimalOp. */
function decimalOp(first: Evaluated, rest: readonly Evaluated[], op: (a: decimal.Decimal, b: decimal.Decimal) => decimal.Decimal): number {
  let acc = decimal.fromFloat(toFloat64(first));
  for (const x of rest) acc = op(acc, decimal.fromFloat(toFloat64(x)));
  return decimal.toFloat(acc);
}

function extreme(first: Evaluated, rest: readonly Evaluated[], pick: (a: bigint, b: bigint) => boolean): bigint {
  let acc = toInt64(first);
  for (const x of rest) {
    const v = toInt64(x);
    if (pick(v, acc)) acc = v;
  }
  return acc;
}

/** math.Max and math.Min: NaN wins, and +0 is larger than -0. */
const maxf = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
const minf = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));

const anyT = 'any' as const;
const int = 'int' as const;
const max = { params: [anyT], variadic: anyT, call: ([a, ...rest]) => extreme(a, rest, (v, acc) => v > acc) } satisfies FuncDef;

export const sprigNumbers: Record<string, FuncDef> = {
  atoi: { params: ['string'], call: ([s]) => atoi(s as string) },
  int64: { params: [anyT], call: ([v]) => toInt64(v) },
  int: { params: [anyT], call: ([v]) => toInt64(v) },
  float64: { params: [anyT], call: ([v]) => toFloat64(v) },
  toDecimal: { params: [anyT], call: ([v], ctx) => toDecimal(ctx, v) },
  seq: { params: [], variadic: int, call: (params, ctx) => seq(ctx, params as bigint[]) },
  until: { params: [int], call: ([n], ctx) => untilStep(ctx, 0n, n as bigint, (n as bigint) < 0n ? -1n : 1n) },
  untilStep: { params: [int, int, int], call: ([a, b, c], ctx) => untilStep(ctx, a as bigint, b as bigint, c as bigint) },

  add1: { params: [anyT], call: ([v]) => wrap64(toInt64(v) + 1n) },
  add: { params: [], variadic: anyT, call: (args) => args.reduce<bigint>((acc, v) => wrap64(acc + toInt64(v)), 0n) },
  sub: { params: [anyT, anyT], call: ([a, b]) => wrap64(toInt64(a) - toInt64(b)) },
  div: { params: [anyT, anyT], call: ([a, b]) => {
    const d = toInt64(b);
    return d === 0n ? divideByZero() : wrap64(toInt64(a) / d);
  } },
  mod: { params: [anyT, anyT], call: ([a, b]) => {
    const d = toInt64(b);
    return d === 0n ? divideByZero() : toInt64(a) % d;
  } },
  mul: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => rest.reduce<bigint>((acc, v) => wrap64(acc * toInt64(v)), toInt64(a)) },

  add1f: { params: [anyT], call: ([v]) => decimalOp(v, [1n], decimal.add) },
  addf: { params: [], variadic: anyT, call: (args) => decimalOp(0, args, decimal.add) },
  subf: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => decimalOp(a, rest, decimal.sub) },
  divf: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => decimalOp(a, rest, decimal.div) },
  mulf: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => decimalOp(a, rest, decimal.mul) },

  biggest: max,
  max,
  min: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => extreme(a, rest, (v, acc) => v < acc) },
  maxf: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => rest.reduce<number>((acc, v) => maxf(acc, toFloat64(v)), toFloat64(a)) },
  minf: { params: [anyT], variadic: anyT, call: ([a, ...rest]) => rest.reduce<number>((acc, v) => minf(acc, toFloat64(v)), toFloat64(a)) },
  ceil: { params: [anyT], call: ([v]) => Math.ceil(toFloat64(v)) },
  floor: { params: [anyT], call: ([v]) => Math.floor(toFloat64(v)) },
  round: { params: [anyT, int], variadic: 'float', call: ([v, places, roundOn]) => round(v, places as bigint, roundOn as number | undefined) },
};

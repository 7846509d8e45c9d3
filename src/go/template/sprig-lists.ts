/**
 * sprig v3.3.0's list functions (list.go): each takes any list, returns a new []interface{}
 * and fails, as sprig panics, on what is not a list ("Cannot push on type string"); the must*
 * variants fail with the same message. Every list is measured and charged before it is made.
 */
import type { CallContext } from './budget.ts';
import { deepEqual, DeepEqualSet } from './deep-equal.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { ELEMENT_BYTES, empty, reserveValue, slice } from './sprig.ts';
import { GoSlice, type Evaluated, type GoValue } from './values.ts';

const nilDereference = 'runtime error: invalid memory address or nil pointer dereference';

/** reflect.TypeOf(v).Kind() as sprig prints it in its errors; nil has no type and panics. */
export function kindName(v: Evaluated): string {
  switch (typeof v) {
    case 'string': return 'string';
    case 'bigint': return 'int';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
  }
  if (v === null || v === undefined) throw new FuncError(nilDereference);
  return v instanceof GoSlice ? 'slice' : 'map';
}

/** The list's items, or sprig's error for what is not a list (`what` completes "Cannot ..."). */
function items(v: Evaluated, what: string): readonly GoValue[] {
  const kind = kindName(v);
  if (!(v instanceof GoSlice)) throw new FuncError(`Cannot ${what} ${kind}`);
  return v.items;
}

/** A new []interface{} of `values`, charged and measured before it is made. */
function newList(ctx: CallContext, values: readonly GoValue[]): GoSlice {
  ctx.take(ELEMENT_BYTES * values.length);
  return new GoSlice('any', values);
}

/** Whether `v` is one of `needles`, compared as reflect.DeepEqual; each comparison charged. */
const contains = (ctx: CallContext, needles: readonly GoValue[], v: Evaluated): boolean =>
  needles.some((n) => deepEqual(v, n, (bytes) => ctx.take(bytes)));

/** A DeepEqualSet of `values` charging the render. */
function setOf(ctx: CallContext, values: readonly GoValue[]): DeepEqualSet {
  const set = new DeepEqualSet((bytes) => ctx.take(bytes));
  for (const v of values) set.add(v);
  return set;
}

function chunk(ctx: CallContext, size: bigint, list: Evaluated): GoSlice {
  const all = items(list, 'chunk type');
  const l = all.length;
  // sprig's arithmetic in float64: a size of 0 or below makes a length Go's make refuses.
  const makesliceError = new FuncError('runtime error: makeslice: len out of range');
  const count = Math.floor((l - 1) / Number(size)) + 1;
  if (!Number.isFinite(count) || count < 0) throw makesliceError;
  reserveValue(ctx, count + l, 8 * l);
  const n = Number(size);
  const out: GoSlice[] = [];
  for (let i = 0; i < count; i++) {
    let clen = n;
    if (i === count - 1) clen = l % n || n;
    if (clen < 0) throw makesliceError;
    out.push(new GoSlice('any', all.slice(i * n, i * n + clen)));
  }
  return new GoSlice('any', out);
}

function uniq(ctx: CallContext, list: Evaluated): GoSlice {
  const dest: GoValue[] = [];
  const seen = setOf(ctx, []);
  for (const item of items(list, 'find uniq on type')) {
    if (seen.has(item)) continue;
    seen.add(item);
    dest.push(item);
  }
  return newList(ctx, dest);
}

function has(ctx: CallContext, needle: Evaluated, haystack: Evaluated): boolean {
  if (haystack === null || haystack === undefined) return false;
  return contains(ctx, items(haystack, 'find has on type'), needle);
}

function concat(ctx: CallContext, lists: readonly Evaluated[]): GoSlice {
  const all = lists.map((l) => {
    const kind = kindName(l);
    if (!(l instanceof GoSlice)) throw new FuncError(`Cannot concat type ${kind} as list`);
    return l.items;
  });
  const count = all.reduce((n, l) => n + l.length, 0);
  reserveValue(ctx, count, 8 * count);
  return new GoSlice('any', all.flat());
}

const anyT = 'any' as const;
const one = (f: (list: Evaluated, ctx: CallContext) => Evaluated): FuncDef => ({ params: [anyT], call: ([l], ctx) => f(l, ctx) });
const two = (f: (list: Evaluated, v: Evaluated, ctx: CallContext) => Evaluated): FuncDef =>
  ({ params: [anyT, anyT], call: ([l, v], ctx) => f(l, v, ctx) });

const push = two((l, v, ctx) => newList(ctx, [...items(l, 'push on type'), v ?? null]));
const prepend = two((l, v, ctx) => newList(ctx, [v ?? null, ...items(l, 'prepend on type')]));
const first = one((l) => items(l, 'find first on type')[0] ?? null);
const last = one((l) => items(l, 'find last on type').at(-1) ?? null);
const rest = one((l, ctx) => newList(ctx, items(l, 'find rest on type').slice(1)));
const initial = one((l, ctx) => newList(ctx, items(l, 'find initial on type').slice(0, -1)));
const reverse = one((l, ctx) => newList(ctx, [...items(l, 'find reverse on type')].reverse()));
const compact = one((l, ctx) => newList(ctx, items(l, 'compact on type').filter((x) => !empty(x))));
const without: FuncDef = { params: [anyT], variadic: anyT, call: ([l, ...omit], ctx) => {
  const needles = setOf(ctx, omit.map((o) => o ?? null));
  return newList(ctx, items(l, 'find without on type').filter((x) => !needles.has(x)));
} };
const hasDef = two((needle, haystack, ctx) => has(ctx, needle, haystack));
const chunkDef: FuncDef = { params: ['int', anyT], call: ([n, l], ctx) => chunk(ctx, n as bigint, l) };
const uniqDef = one((l, ctx) => uniq(ctx, l));

export const sprigLists: Record<string, FuncDef> = {
  append: push,
  push,
  mustAppend: push,
  mustPush: push,
  prepend,
  mustPrepend: prepend,
  first,
  mustFirst: first,
  rest,
  mustRest: rest,
  last,
  mustLast: last,
  initial,
  mustInitial: initial,
  reverse,
  mustReverse: reverse,
  uniq: uniqDef,
  mustUniq: uniqDef,
  without,
  mustWithout: without,
  has: hasDef,
  mustHas: hasDef,
  compact,
  mustCompact: compact,
  chunk: chunkDef,
  mustChunk: chunkDef,
  mustSlice: { params: [anyT], variadic: anyT, call: ([list, ...indexes]) => slice(list, indexes) },
  concat: { params: [], variadic: anyT, call: (lists, ctx) => concat(ctx, lists) },
  all: { params: [], variadic: anyT, call: (args) => args.every((a) => !empty(a)) },
  any: { params: [], variadic: anyT, call: (args) => args.some((a) => !empty(a)) },
};

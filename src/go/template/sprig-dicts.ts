/**
 * sprig v3.3.0's dict functions (dict.go). set, unset, merge and mergeOverwrite change the
 * map they are given, in place, as Go's maps are shared: `$_ := set $d "k" "v"` changes $d.
 * merge and mergeOverwrite follow dario.cat/mergo v1.0.1 (Merge, MergeWithOverwrite) on the
 * values a template has: nested maps are merged, and a key is taken from the source when the
 * destination lacks it or holds an empty value (or always, overwriting); a nil source value is
 * copied only when overwriting. Hand-written to match mergo's choices byte for byte.
 */
import type { CallContext } from './budget.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { ELEMENT_BYTES, empty, reserveValue } from './sprig.ts';
import { GoMap, GoSlice, typeName, type Evaluated, type GoValue } from './values.ts';

const visit = (ctx: CallContext) => (n: number): void => ctx.take(ELEMENT_BYTES * n);

/** mergo's deepMerge of one map into another, in place. */
function mergeInto(ctx: CallContext, dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const key of src.sortedKeys()) {
    ctx.take(ELEMENT_BYTES);
    const s = src.entries.get(key)!;
    const present = dst.entries.has(key);
    const d = dst.entries.get(key);
    if (s === null) {
      if (overwrite) dst.set(key, null, visit(ctx));
      continue;
    }
    if (s instanceof GoMap && d instanceof GoMap && d.elem === 'any') mergeInto(ctx, d, s, overwrite);
    if (s instanceof GoSlice) {
      // mergo sets the key to the source list when overwriting or when the destination map
      // is empty, else to what it holds (or a new empty list); then the rules below apply.
      const keep = d !== undefined && d !== null ? d : new GoSlice(s.elem, []);
      dst.set(key, overwrite || dst.entries.size === 0 ? s : keep, visit(ctx));
    }
    if (present && !empty(d)) {
      if (s instanceof GoSlice) continue;
      if (s instanceof GoMap && d instanceof GoMap) continue;
    }
    if (overwrite || !present || empty(d)) dst.set(key, s, visit(ctx));
  }
}

function merge(ctx: CallContext, dst: GoMap, srcs: readonly GoMap[], overwrite: boolean): GoMap {
  for (const src of srcs) mergeInto(ctx, dst, src, overwrite);
  return dst;
}

/** A Go type assertion v.(T) that failed, as the runtime words it. */
const badAssertion = (v: Evaluated, want: string): FuncError =>
  new FuncError(`interface conversion: interface {} is ${v === null || v === undefined ? 'nil' : typeName(v)}, not ${want}`);

/** sprig's dig: the value under the keys, nested, or the default where a key is missing. */
function dig(args: readonly Evaluated[]): Evaluated {
  if (args.length < 3) throw new FuncError('dig needs at least three arguments');
  let dict = args.at(-1);
  const fallback = args.at(-2) ?? null;
  const keys = args.slice(0, -2).map((k) => {
    if (typeof k !== 'string') throw badAssertion(k, 'string');
    return k;
  });
  for (const [i, k] of keys.entries()) {
    if (!(dict instanceof GoMap) || dict.elem !== 'any') throw badAssertion(dict, 'map[string]interface {}');
    if (!dict.entries.has(k)) return fallback;
    const step = dict.entries.get(k)!;
    if (i === keys.length - 1) return step;
    dict = step;
  }
  return fallback;
}

/** A new map of the entries `keep` selects, charged before it is made. */
function filtered(ctx: CallContext, d: GoMap, keep: (k: string) => boolean): GoMap {
  const entries = new Map<string, GoValue>();
  for (const [k, v] of d.entries) if (keep(k)) entries.set(k, v);
  ctx.take(ELEMENT_BYTES * entries.size);
  return new GoMap('any', entries);
}

const dictT = 'dict' as const;
const s = 'string' as const;
const mergeDef = (overwrite: boolean): FuncDef => ({
  params: [dictT],
  variadic: dictT,
  call: ([dst, ...srcs], ctx) => merge(ctx, dst as GoMap, srcs as GoMap[], overwrite),
});

export const sprigDicts: Record<string, FuncDef> = {
  set: { params: [dictT, s, 'any'], call: ([d, k, v], ctx) => {
    (d as GoMap).set(k as string, v ?? null, visit(ctx));
    return d;
  } },
  unset: { params: [dictT, s], call: ([d, k]) => {
    (d as GoMap).delete(k as string);
    return d;
  } },
  pluck: { params: [s], variadic: dictT, call: ([k, ...ds], ctx) => {
    const found = (ds as GoMap[]).filter((d) => d.entries.has(k as string)).map((d) => d.entries.get(k as string)!);
    reserveValue(ctx, found.length, 0);
    return new GoSlice('any', found);
  } },
  pick: { params: [dictT], variadic: s, call: ([d, ...keys], ctx) => {
    const wanted = new Set(keys as string[]);
    return filtered(ctx, d as GoMap, (k) => wanted.has(k));
  } },
  omit: { params: [dictT], variadic: s, call: ([d, ...keys], ctx) => {
    const unwanted = new Set(keys as string[]);
    return filtered(ctx, d as GoMap, (k) => !unwanted.has(k));
  } },
  merge: mergeDef(false),
  mustMerge: mergeDef(false),
  mergeOverwrite: mergeDef(true),
  mustMergeOverwrite: mergeDef(true),
  // Go's map order is random, so sprig's values is too; sorted by key is one of its orders.
  values: { params: [dictT], call: ([d], ctx) => {
    const m = d as GoMap;
    ctx.take(ELEMENT_BYTES * m.entries.size);
    return new GoSlice('any', m.sortedKeys().map((k) => m.entries.get(k)!));
  } },
  dig: { params: [], variadic: 'any', call: (args) => dig(args) },
};

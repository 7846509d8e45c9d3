/**
 * The sprig functions (github.com/Masterminds/sprig/v3, as ESO uses them)
 * that ESO users rely on, with sprig's argument order and its quirks: b64dec
 * returns the error text instead of failing, fromJson returns nil for invalid
 * JSON, toJson returns "" for what it cannot encode.
 */
import { createHash } from 'node:crypto';
import { decodeBase64, STD_ENCODING } from '../base64.ts';
import type { CallContext } from './budget.ts';
import { fromByteString, toByteString } from '../bytes.ts';
import { decodeRune, isAscii, mapRunes, runeCount, type GoString } from './bytes.ts';
import { FuncError, LimitError } from './errors.ts';
import { printInto } from './format.ts';
import type { FuncDef } from './func-def.ts';
import { fromJson } from './json-decode.ts';
import { toJson, toPrettyJson, toRawJson } from './json-encode.ts';
import { limits } from './limits.ts';
import { parseInteger } from './literals.ts';
import { quoteInto } from './quote.ts';
import { isDigit, isLetter, isSpace, toLower, toTitle, toUpper } from './runes.ts';
import { GoMap, GoSlice, GoTime, SemverVersion, SprigCertificate, typeName, type Evaluated, type GoValue } from './values.ts';

/** Memory of one list or map element beside its bytes (a pointer, a map entry), charged as work. */
export const ELEMENT_BYTES = 16;

/** sprig's strval: strings as they are, anything else as fmt's %v (bounded, for lists and maps). */
export function strval(ctx: CallContext, v: Evaluated): GoString {
  if (typeof v === 'string') return v;
  const b = ctx.builder();
  printInto(b, v ?? null);
  return b.toString();
}

/** sprig's empty: the zero value of its type, or nil. */
export function empty(v: Evaluated): boolean {
  switch (typeof v) {
    case 'string': return v.length === 0;
    case 'bigint': return v === 0n;
    case 'number': return v === 0;
    case 'boolean': return !v;
    case 'undefined': return true;
  }
  if (v === null) return true;
  if (v instanceof GoTime || v instanceof SprigCertificate || v instanceof SemverVersion) return false; // a struct or a non-nil pointer is never empty to sprig
  return v instanceof GoSlice ? v.items.length === 0 : v.entries.size === 0;
}

/** sprig's strslice: a list's non-nil elements as strings; any other value as a one-element list. */
export function strslice(ctx: CallContext, v: Evaluated): GoString[] {
  if (v instanceof GoSlice) return v.items.filter((x) => x !== null).map((x) => strval(ctx, x));
  if (v === null || v === undefined) return [];
  return [strval(ctx, v)];
}

/**
 * Refuses a list or map of `count` elements printing as about `bytes` before it is built,
 * and charges its memory: functions that split a string would otherwise make a million
 * elements and only then be measured.
 */
export function reserveValue(ctx: CallContext, count: number, bytes: number): void {
  const size = 2 + bytes + count;
  if (size > limits.valueBytes) throw new LimitError(`value size exceeds the limit of ${limits.valueBytes} bytes`);
  ctx.take(bytes + ELEMENT_BYTES * count);
}

/** Occurrences of a non-empty `sub` in s, left to right without overlap (strings.Count). */
export function count(s: GoString, sub: GoString): number {
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

function repeat(ctx: CallContext, count: bigint, s: GoString): GoString {
  if (count < 0n) throw new FuncError('strings: negative Repeat count');
  return ctx.builder().repeat(s, Number(count)).toString();
}

/** sprig's indent (nindent with a lead newline): the pad before the text and after every newline, measured before it is made. */
function indent(ctx: CallContext, spaces: bigint, s: GoString, lead = ''): GoString {
  if (spaces < 0n) throw new FuncError('strings: negative Repeat count');
  const b = ctx.builder();
  const n = Number(spaces);
  b.ensure(lead.length + s.length + n * (count(s, '\n') + 1));
  const pad = ' '.repeat(n);
  return b.add(lead).add(pad).add(n === 0 ? s : s.replaceAll('\n', () => '\n' + pad)).toString();
}

/** strings.Replace(src, old, new, -1); an empty old inserts new around every rune. Measured before it is made. */
function replace(ctx: CallContext, old: GoString, by: GoString, src: GoString): GoString {
  if (old === by) return src;
  const b = ctx.builder();
  if (old === '') {
    b.ensure(src.length + by.length * (runeCount(src) + 1));
    b.add(by);
    for (let i = 0; i < src.length; ) {
      const size = decodeRune(src, i)[1];
      b.add(src.slice(i, i + size)).add(by);
      i += size;
    }
    return b.toString();
  }
  b.ensure(src.length + (by.length - old.length) * count(src, old));
  return b.add(src.replaceAll(old, () => by)).toString();
}

/** strings.Split; an empty separator splits into runes (and "" into nothing). Measured before it is made. */
export function split(ctx: CallContext, sep: GoString, s: GoString, keyBytes: (n: number) => number = () => 0): GoString[] {
  const n = sep === '' ? runeCount(s) : count(s, sep) + 1;
  reserveValue(ctx, n, s.length - (sep === '' ? 0 : (n - 1) * sep.length) + keyBytes(n));
  if (sep !== '') return s.split(sep);
  const parts: GoString[] = [];
  for (let i = 0; i < s.length; ) {
    const size = decodeRune(s, i)[1];
    parts.push(s.slice(i, i + size));
    i += size;
  }
  return parts;
}

/** Trims runes matching f from both ends, keeping the original bytes between; one pass, nothing materialised. */
function trimFunc(s: GoString, f: (r: number) => boolean): GoString {
  let start = -1;
  let end = 0;
  for (let i = 0; i < s.length; ) {
    const [r, size] = decodeRune(s, i);
    if (!f(r)) {
      if (start < 0) start = i;
      end = i + size;
    }
    i += size;
  }
  return start < 0 ? '' : s.slice(start, end);
}

/** strings.Trim(s, cutset) (sprig's trimAll, with the cutset first). */
function trimAll(cutset: GoString, s: GoString): GoString {
  if (s === '' || cutset === '') return s;
  const set = new Set<number>();
  for (let i = 0; i < cutset.length; ) {
    const [r, size] = decodeRune(cutset, i);
    set.add(r);
    i += size;
  }
  return trimFunc(s, (r) => set.has(r));
}

/** strings.Title: the first letter of each word in title case. */
function title(ctx: CallContext, s: GoString): GoString {
  const isSeparator = (r: number): boolean => {
    if (r < 0x80) return !/[0-9A-Za-z_]/.test(String.fromCharCode(r));
    if (isLetter(r) || isDigit(r)) return false;
    return isSpace(r);
  };
  let prev = 0x20;
  return mapRunes(ctx.builder(), s, (r) => {
    const out = isSeparator(prev) ? toTitle(r) : r;
    prev = r;
    return out;
  });
}

// ASCII keeps its length under case mapping, so the native functions are bounded by the input.
const upper = (ctx: CallContext, s: GoString): GoString => (isAscii(s) ? s.toUpperCase() : mapRunes(ctx.builder(), s, toUpper));
const lower = (ctx: CallContext, s: GoString): GoString => (isAscii(s) ? s.toLowerCase() : mapRunes(ctx.builder(), s, toLower));

const hash = (algorithm: string) => (s: GoString): GoString => createHash(algorithm).update(Buffer.from(s, 'latin1')).digest('hex');

/** spf13/cast's ToInt, which sprig uses for list indexes: lenient, 0 when it cannot tell. */
function toInt(v: Evaluated): number {
  switch (typeof v) {
    case 'bigint': return Number(v);
    case 'number': return Math.trunc(v);
    case 'boolean': return v ? 1 : 0;
    case 'string': {
      const n = parseInteger(v.replace(/\.0*$/, ''));
      return n === undefined || n > 2n ** 63n - 1n || n < -(2n ** 63n) ? 0 : Number(n);
    }
  }
  return 0;
}

/** sprig's slice (which replaces Go's builtin): list[start:end], nil for an empty list. */
export function slice(list: Evaluated, indexes: readonly Evaluated[]): Evaluated {
  if (list === null || list === undefined) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
  if (!(list instanceof GoSlice)) {
    const kind = list instanceof GoMap ? 'map' : typeName(list);
    throw new FuncError(`list should be type of slice or array but ${kind}`);
  }
  const len = list.items.length;
  if (len === 0) return null;
  const start = indexes.length > 0 ? toInt(indexes[0]) : 0;
  const end = indexes.length < 2 ? len : toInt(indexes[1]);
  if (start < 0 || start > end || end > len) throw new FuncError('reflect.Value.Slice: slice index out of bounds');
  return new GoSlice(list.elem, list.items.slice(start, end));
}

function dict(ctx: CallContext, args: readonly Evaluated[]): GoMap {
  const entries = new Map<GoString, GoValue>();
  for (let i = 0; i < args.length; i += 2) entries.set(strval(ctx, args[i]), i + 1 < args.length ? (args[i + 1] ?? null) : '');
  return new GoMap('any', entries);
}

/** The items of a list, or the value, joined by `sep` into one bounded string. */
function join(ctx: CallContext, sep: GoString, v: Evaluated): GoString {
  const b = ctx.builder();
  const items = v instanceof GoSlice ? v.items.filter((x) => x !== null) : v === null || v === undefined ? [] : [v];
  items.forEach((item, i) => {
    if (i > 0) b.add(sep);
    printInto(b, item);
  });
  return b.toString();
}

/** The values, not nil, each written by `write` into one bounded string, separated by spaces. */
function spaced(ctx: CallContext, args: readonly Evaluated[], write: (b: ReturnType<CallContext['builder']>, v: GoValue) => void): GoString {
  const b = ctx.builder();
  args.filter((a) => a !== null).forEach((a, i) => {
    if (i > 0) b.add(' ');
    write(b, a ?? null);
  });
  return b.toString();
}

/**
 * toJson swallows encoding errors (only NaN and infinities, which JSON input cannot
 * produce), but never a bound: a limit is the template's error, not an empty result.
 */
function swallow(encode: () => GoString): GoString {
  try {
    return encode();
  } catch (e) {
    if (e instanceof FuncError && !(e instanceof LimitError)) return '';
    throw e;
  }
}

/** The keys of the dicts, their count charged before the list is made. */
function keys(ctx: CallContext, ds: readonly Evaluated[]): GoSlice {
  const dicts = ds.map((d) => d as GoMap);
  ctx.take(ELEMENT_BYTES * dicts.reduce((n, d) => n + d.entries.size, 0));
  return new GoSlice('string', dicts.flatMap((d) => d.sortedKeys()));
}

const s = 'string' as const;
const anyT = 'any' as const;
type Ctx = CallContext;
const str = (f: (a: GoString, ctx: Ctx) => Evaluated): FuncDef => ({ params: [s], call: ([a], ctx) => f(a as GoString, ctx) });
const str2 = (f: (a: GoString, b: GoString, ctx: Ctx) => Evaluated): FuncDef =>
  ({ params: [s, s], call: ([a, b], ctx) => f(a as GoString, b as GoString, ctx) });
const dictArg = (v: Evaluated): GoMap => v as GoMap;
const splitKeyBytes = (n: number): number => n * (String(n).length + 2);

export const sprig: Record<string, FuncDef> = {
  // Strings
  toString: { params: [anyT], call: ([v]: readonly Evaluated[], ctx) => strval(ctx, v) },
  upper: str((a, ctx) => upper(ctx, a)),
  lower: str((a, ctx) => lower(ctx, a)),
  title: str((a, ctx) => title(ctx, a)),
  trim: str((a) => trimFunc(a, isSpace)),
  trimAll: str2(trimAll),
  trimall: str2(trimAll),
  trimPrefix: str2((prefix, a) => (a.startsWith(prefix) ? a.slice(prefix.length) : a)),
  trimSuffix: str2((suffix, a) => (suffix !== '' && a.endsWith(suffix) ? a.slice(0, a.length - suffix.length) : a)),
  replace: { params: [s, s, s], call: ([o, n, src], ctx) => replace(ctx, o as GoString, n as GoString, src as GoString) },
  contains: str2((sub, a) => a.includes(sub)),
  hasPrefix: str2((prefix, a) => a.startsWith(prefix)),
  hasSuffix: str2((suffix, a) => a.endsWith(suffix)),
  repeat: { params: ['int', s], call: ([n, a], ctx) => repeat(ctx, n as bigint, a as GoString) },
  indent: { params: ['int', s], call: ([n, a], ctx) => indent(ctx, n as bigint, a as GoString) },
  nindent: { params: ['int', s], call: ([n, a], ctx) => indent(ctx, n as bigint, a as GoString, '\n') },
  quote: { params: [], variadic: anyT, call: (args, ctx) => spaced(ctx, args, (b, a) => quoteInto(b, strval(ctx, a))) },
  squote: { params: [], variadic: anyT, call: (args, ctx) => spaced(ctx, args, (b, a) => b.add("'").add(strval(ctx, a)).add("'")) },
  cat: { params: [], variadic: anyT, call: (args, ctx) => spaced(ctx, args, (b, a) => printInto(b, a)) },
  split: str2((sep, a, ctx) => new GoMap('string', new Map(split(ctx, sep, a, splitKeyBytes).map((part, i) => [`_${i}`, part])))),
  splitList: str2((sep, a, ctx) => new GoSlice('string', split(ctx, sep, a))),
  join: { params: [s, anyT], call: ([sep, v], ctx) => join(ctx, sep as GoString, v) },
  sortAlpha: { params: [anyT], call: ([v], ctx) => {
    const items = v instanceof GoSlice ? strslice(ctx, v) : [strval(ctx, v)];
    return new GoSlice('string', items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  } },

  // Encoding and hashing
  b64enc: str((a, ctx) => {
    const b = ctx.builder();
    b.ensure(Math.ceil(a.length / 3) * 4);
    return b.add(Buffer.from(a, 'latin1').toString('base64')).toString();
  }),
  // Never longer than its input. sprig returns Go's error text as the value.
  b64dec: str((a) => {
    const decoded = decodeBase64(fromByteString(a), STD_ENCODING);
    return typeof decoded === 'number' ? `illegal base64 data at input byte ${decoded}` : toByteString(decoded);
  }),
  sha1sum: str(hash('sha1')),
  sha256sum: str(hash('sha256')),
  sha512sum: str(hash('sha512')),
  fromJson: str((a, ctx) => fromJson(a, ctx)),
  toJson: { params: [anyT], call: ([v], ctx) => swallow(() => toJson(ctx.builder(), v)) },
  toPrettyJson: { params: [anyT], call: ([v], ctx) => swallow(() => toPrettyJson(ctx.builder(), v)) },
  toRawJson: { params: [anyT], call: ([v], ctx) => toRawJson(ctx.builder(), v) },

  // Defaults and flow
  default: { params: [anyT], variadic: anyT, call: ([d, ...given]) => (given.length === 0 || empty(given[0]) ? d : given[0]) },
  empty: { params: [anyT], call: ([v]) => empty(v) },
  coalesce: { params: [], variadic: anyT, call: (args) => args.find((a) => !empty(a)) ?? null },
  ternary: { params: [anyT, anyT, 'bool'], call: ([a, b, cond]) => (cond ? a : b) },

  // Lists and dicts (made from the template's own arguments, and measured by values.ts)
  list: { params: [], variadic: anyT, call: (args) => new GoSlice('any', args as GoValue[]) },
  slice: { params: [anyT], variadic: anyT, call: ([list, ...indexes]) => slice(list, indexes) },
  tuple: { params: [], variadic: anyT, call: (args) => new GoSlice('any', args as GoValue[]) },
  dict: { params: [], variadic: anyT, call: (args, ctx) => dict(ctx, args) },
  get: { params: ['dict', s], call: ([d, k]) => {
    const entries = dictArg(d).entries;
    return entries.has(k as GoString) ? entries.get(k as GoString) : '';
  } },
  hasKey: { params: ['dict', s], call: ([d, k]) => dictArg(d).entries.has(k as GoString) },
  // Go's map order is random, so ESO's keys is too; sorted is one of its orders.
  keys: { params: [], variadic: 'dict', call: (ds, ctx) => keys(ctx, ds) },
};

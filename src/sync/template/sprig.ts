/**
 * The sprig functions (github.com/Masterminds/sprig/v3, as ESO uses them)
 * that ESO users rely on, with sprig's argument order and its quirks: b64dec
 * returns the error text instead of failing, fromJson returns nil for invalid
 * JSON, toJson returns "" for what it cannot encode.
 */
import { createHash } from 'node:crypto';
import { b64decode, b64encode } from './base64.ts';
import { isAscii, mapRunes, runes, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { printValue } from './format.ts';
import type { FuncDef } from './func-def.ts';
import { fromJson } from './json-decode.ts';
import { toJson, toPrettyJson, toRawJson } from './json-encode.ts';
import { limits } from './limits.ts';
import { parseInteger } from './literals.ts';
import { quote } from './quote.ts';
import { isDigit, isLetter, isSpace, toLower, toTitle, toUpper } from './runes.ts';
import { GoMap, GoSlice, typeName, type Evaluated, type GoValue } from './values.ts';

/** Refuses a string a function is about to build when it would be too long. */
function checkLength(n: number): void {
  if (n > limits.stringBytes) throw new FuncError(`result exceeds the limit of ${limits.stringBytes} bytes`);
}

/** sprig's strval: strings as they are, anything else as fmt's %v. */
const strval = (v: Evaluated): GoString => (typeof v === 'string' ? v : printValue(v ?? null));

/** sprig's empty: the zero value of its type, or nil. */
function empty(v: Evaluated): boolean {
  switch (typeof v) {
    case 'string': return v.length === 0;
    case 'bigint': return v === 0n;
    case 'number': return v === 0;
    case 'boolean': return !v;
    case 'undefined': return true;
  }
  if (v === null) return true;
  return v instanceof GoSlice ? v.items.length === 0 : v.entries.size === 0;
}

/** sprig's strslice: a list's non-nil elements as strings; any other value as a one-element list. */
function strslice(v: Evaluated): GoString[] {
  if (v instanceof GoSlice) return v.items.filter((x) => x !== null).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

function repeat(count: bigint, s: GoString): GoString {
  if (count < 0n) throw new FuncError('strings: negative Repeat count');
  checkLength(Number(count) * s.length);
  return s.repeat(Number(count));
}

function indent(spaces: bigint, s: GoString): GoString {
  const lines = s.split('\n');
  if (spaces < 0n) throw new FuncError('strings: negative Repeat count');
  checkLength(s.length + Number(spaces) * lines.length);
  const pad = ' '.repeat(Number(spaces));
  return pad + lines.join('\n' + pad);
}

/** strings.Replace(src, old, new, -1); an empty old inserts new around every rune. */
function replace(old: GoString, by: GoString, src: GoString): GoString {
  if (old === by) return src;
  if (old === '') {
    const parts = [...runes(src)].map(([, offset, size]) => src.slice(offset, offset + size));
    checkLength(src.length + by.length * (parts.length + 1));
    return by + parts.map((p) => p + by).join('');
  }
  const parts = src.split(old);
  checkLength(src.length + (by.length - old.length) * (parts.length - 1));
  return parts.join(by);
}

/** strings.Split; an empty separator splits into runes (and "" into nothing). */
function split(sep: GoString, s: GoString): GoString[] {
  if (sep !== '') return s.split(sep);
  return [...runes(s)].map(([, offset, size]) => s.slice(offset, offset + size));
}

/** Trims runes matching f from both ends, keeping the original bytes between. */
function trimFunc(s: GoString, f: (r: number) => boolean): GoString {
  const all = [...runes(s)];
  let start = 0;
  while (start < all.length && f(all[start]![0])) start++;
  let end = all.length;
  while (end > start && f(all[end - 1]![0])) end--;
  if (start === end) return '';
  const first = all[start]!;
  const last = all[end - 1]!;
  return s.slice(first[1], last[1] + last[2]);
}

/** strings.Trim(s, cutset) (sprig's trimAll, with the cutset first). */
function trimAll(cutset: GoString, s: GoString): GoString {
  if (s === '' || cutset === '') return s;
  const set = new Set([...runes(cutset)].map(([r]) => r));
  return trimFunc(s, (r) => set.has(r));
}

/** strings.Title: the first letter of each word in title case. */
function title(s: GoString): GoString {
  const isSeparator = (r: number): boolean => {
    if (r < 0x80) return !/[0-9A-Za-z_]/.test(String.fromCharCode(r));
    if (isLetter(r) || isDigit(r)) return false;
    return isSpace(r);
  };
  let prev = 0x20;
  return mapRunes(s, (r) => {
    const out = isSeparator(prev) ? toTitle(r) : r;
    prev = r;
    return out;
  });
}

const asciiCase = (s: GoString, upper: boolean): GoString => (upper ? s.toUpperCase() : s.toLowerCase());
const upper = (s: GoString): GoString => (isAscii(s) ? asciiCase(s, true) : mapRunes(s, toUpper));
const lower = (s: GoString): GoString => (isAscii(s) ? asciiCase(s, false) : mapRunes(s, toLower));

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
function slice(list: Evaluated, indexes: readonly Evaluated[]): Evaluated {
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

function dict(args: readonly Evaluated[]): GoMap {
  const entries = new Map<GoString, GoValue>();
  for (let i = 0; i < args.length; i += 2) entries.set(strval(args[i]), i + 1 < args.length ? (args[i + 1] ?? null) : '');
  return new GoMap('any', entries);
}

/** toJson swallows encoding errors (only NaN and infinities, which JSON input cannot produce). */
function swallow(encode: (v: Evaluated) => GoString): (v: Evaluated) => GoString {
  return (v) => {
    try {
      return encode(v);
    } catch (e) {
      if (e instanceof FuncError) return '';
      throw e;
    }
  };
}

const s = 'string' as const;
const anyT = 'any' as const;
const str = (f: (a: GoString) => Evaluated): FuncDef => ({ params: [s], call: ([a]) => f(a as GoString) });
const str2 = (f: (a: GoString, b: GoString) => Evaluated): FuncDef => ({ params: [s, s], call: ([a, b]) => f(a as GoString, b as GoString) });
const dictArg = (v: Evaluated): GoMap => v as GoMap;
const toJsonSafe = swallow(toJson);

export const sprig: Record<string, FuncDef> = {
  // Strings
  toString: { params: [anyT], call: ([v]: readonly Evaluated[]) => strval(v) },
  upper: str(upper),
  lower: str(lower),
  title: str(title),
  trim: str((a) => trimFunc(a, isSpace)),
  trimAll: str2(trimAll),
  trimall: str2(trimAll),
  trimPrefix: str2((prefix, a) => (a.startsWith(prefix) ? a.slice(prefix.length) : a)),
  trimSuffix: str2((suffix, a) => (suffix !== '' && a.endsWith(suffix) ? a.slice(0, a.length - suffix.length) : a)),
  replace: { params: [s, s, s], call: ([o, n, src]) => replace(o as GoString, n as GoString, src as GoString) },
  contains: str2((sub, a) => a.includes(sub)),
  hasPrefix: str2((prefix, a) => a.startsWith(prefix)),
  hasSuffix: str2((suffix, a) => a.endsWith(suffix)),
  repeat: { params: ['int', s], call: ([n, a]) => repeat(n as bigint, a as GoString) },
  indent: { params: ['int', s], call: ([n, a]) => indent(n as bigint, a as GoString) },
  nindent: { params: ['int', s], call: ([n, a]) => '\n' + indent(n as bigint, a as GoString) },
  quote: { params: [], variadic: anyT, call: (args) => args.filter((a) => a !== null).map((a) => quote(strval(a))).join(' ') },
  squote: { params: [], variadic: anyT, call: (args) => args.filter((a) => a !== null).map((a) => `'${strval(a)}'`).join(' ') },
  cat: { params: [], variadic: anyT, call: (args) => args.filter((a) => a !== null).map(strval).join(' ') },
  split: str2((sep, a) => new GoMap('string', new Map(split(sep, a).map((part, i) => [`_${i}`, part])))),
  splitList: str2((sep, a) => new GoSlice('string', split(sep, a))),
  join: { params: [s, anyT], call: ([sep, v]) => {
    const parts = strslice(v);
    checkLength(parts.reduce((n, p) => n + p.length + (sep as GoString).length, 0));
    return parts.join(sep as GoString);
  } },
  sortAlpha: { params: [anyT], call: ([v]) => {
    const items = v instanceof GoSlice ? strslice(v) : [strval(v)];
    return new GoSlice('string', items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  } },

  // Encoding and hashing
  b64enc: str((a) => {
    checkLength(Math.ceil(a.length / 3) * 4);
    return b64encode(a);
  }),
  b64dec: str((a) => {
    const r = b64decode(a);
    return 'value' in r ? r.value : r.error;
  }),
  sha1sum: str(hash('sha1')),
  sha256sum: str(hash('sha256')),
  sha512sum: str(hash('sha512')),
  fromJson: str(fromJson),
  toJson: { params: [anyT], call: ([v]) => toJsonSafe(v) },
  toPrettyJson: { params: [anyT], call: ([v]) => swallow(toPrettyJson)(v) },
  toRawJson: { params: [anyT], call: ([v]) => toRawJson(v) },

  // Defaults and flow
  default: { params: [anyT], variadic: anyT, call: ([d, ...given]) => (given.length === 0 || empty(given[0]) ? d : given[0]) },
  empty: { params: [anyT], call: ([v]) => empty(v) },
  coalesce: { params: [], variadic: anyT, call: (args) => args.find((a) => !empty(a)) ?? null },
  ternary: { params: [anyT, anyT, 'bool'], call: ([a, b, cond]) => (cond ? a : b) },

  // Lists and dicts
  list: { params: [], variadic: anyT, call: (args) => new GoSlice('any', args as GoValue[]) },
  slice: { params: [anyT], variadic: anyT, call: ([list, ...indexes]) => slice(list, indexes) },
  tuple: { params: [], variadic: anyT, call: (args) => new GoSlice('any', args as GoValue[]) },
  dict: { params: [], variadic: anyT, call: dict },
  get: { params: ['dict', s], call: ([d, k]) => {
    const entries = dictArg(d).entries;
    return entries.has(k as GoString) ? entries.get(k as GoString) : '';
  } },
  hasKey: { params: ['dict', s], call: ([d, k]) => dictArg(d).entries.has(k as GoString) },
  // Go's map order is random, so ESO's keys is too; sorted is one of its orders.
  keys: { params: [], variadic: 'dict', call: (ds) => new GoSlice('string', ds.flatMap((d) => dictArg(d).sortedKeys())) },
};

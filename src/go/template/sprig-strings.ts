/**
 * sprig v3.3.0's remaining string functions (strings.go, functions.go) and those it takes from
 * Masterminds/goutils v1.1.1 (abbreviations, initials, wrapping, case swapping) and
 * huandu/xstrings (word-case.ts). Hand-written to match Go byte for byte, quirks included:
 * goutils' initials and nospace read bytes as runes, so non-ASCII text comes out re-encoded.
 * Every result grows through a bounded builder, or is a slice of the input.
 */
import type { CallContext } from './budget.ts';
import { decodeRune, encodeRune, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { isSpace, toLower, toTitle, toUpper } from './runes.ts';
import { reserveValue, split, strslice } from './sprig.ts';
import { GoMap, GoSlice } from './values.ts';
import { camelCaseToLowerCase, isUpper, toPascalCase } from './word-case.ts';

const isLower = (r: number): boolean => /^\p{Ll}$/u.test(String.fromCodePoint(r));
const isTitleCase = (r: number): boolean => /^\p{Lt}$/u.test(String.fromCodePoint(r));

/** Go's runtime error for s[from:to] out of range, as the panic words it. */
function sliceBounds(s: GoString, from: number | undefined, to: number | undefined): GoString {
  const start = from ?? 0;
  const end = to ?? s.length;
  if (to !== undefined && (end < 0 || end > s.length)) {
    throw new FuncError(`runtime error: slice bounds out of range [:${end}] with length ${s.length}`);
  }
  if (start < 0 || start > end) throw new FuncError(`runtime error: slice bounds out of range [${start}:${end}]`);
  return s.slice(start, end);
}

/** sprig's substr: s[start:end], with a negative start meaning 0 and an end past the string meaning its end. */
function substr(start: number, end: number, s: GoString): GoString {
  if (start < 0) return sliceBounds(s, undefined, end);
  if (end < 0 || end > s.length) return sliceBounds(s, start, undefined);
  return sliceBounds(s, start, end);
}

function trunc(c: number, s: GoString): GoString {
  if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
  if (c >= 0 && s.length > c) return s.slice(0, c);
  return s;
}

/** goutils' AbbreviateFull; undefined where it returns an error (sprig then writes ""). */
function abbreviateFull(s: GoString, offset: number, maxWidth: number): GoString | undefined {
  if (s === '') return '';
  if (maxWidth < 4) return undefined;
  if (s.length <= maxWidth) return s;
  if (offset > s.length) offset = s.length;
  if (s.length - offset < maxWidth - 3) offset = s.length - (maxWidth - 3);
  if (offset <= 4) return s.slice(0, maxWidth - 3) + '...';
  if (maxWidth < 7) return undefined;
  if (offset + maxWidth - 3 < s.length) return '...' + (abbreviateFull(s.slice(offset), 0, maxWidth - 3) ?? '');
  return '...' + s.slice(s.length - (maxWidth - 3));
}

/** goutils' Initials: the first byte of each word, words split at bytes that are spaces as runes. */
function initials(ctx: CallContext, s: GoString): GoString {
  const b = ctx.builder();
  let gap = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) gap = true;
    else if (gap) {
      b.add(encodeRune(c));
      gap = false;
    }
  }
  return b.toString();
}

/** goutils' DeleteWhiteSpace: the bytes that are not spaces as runes, each written as a rune. */
function nospace(ctx: CallContext, s: GoString): GoString {
  const b = ctx.builder();
  let kept = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isSpace(c)) {
      b.add(encodeRune(c));
      kept++;
    }
  }
  return kept === s.length ? s : b.toString();
}

/** Maps each rune of s (invalid bytes as U+FFFD, as []rune does) with a state carried along. */
function mapWithState(ctx: CallContext, s: GoString, f: (r: number) => number): GoString {
  const b = ctx.builder();
  for (let i = 0; i < s.length; ) {
    const [r, size] = decodeRune(s, i);
    b.add(encodeRune(f(r)));
    i += size;
  }
  return b.toString();
}

/** goutils' Uncapitalize: the first rune and each rune after a space in lower case. */
function untitle(ctx: CallContext, s: GoString): GoString {
  if (s === '') return s;
  let next = true;
  return mapWithState(ctx, s, (r) => {
    if (isSpace(r)) {
      next = true;
      return r;
    }
    if (!next) return r;
    next = false;
    return toLower(r);
  });
}

/** goutils' SwapCase: upper and title case to lower, lower to upper (title case after a space). */
function swapcase(ctx: CallContext, s: GoString): GoString {
  let whitespace = true;
  return mapWithState(ctx, s, (r) => {
    if (isUpper(r) || isTitleCase(r)) {
      whitespace = false;
      return toLower(r);
    }
    if (isLower(r)) {
      const out = whitespace ? toTitle(r) : toUpper(r);
      whitespace = false;
      return out;
    }
    whitespace = isSpace(r);
    return r;
  });
}

/** goutils' WrapCustom: lines broken at the last space within `width` bytes. */
function wrapCustom(ctx: CallContext, s: GoString, width: number, newline: GoString, wrapLongWords: boolean): GoString {
  if (s === '') return '';
  if (newline === '') newline = '\n';
  if (width < 1) width = 1;
  const b = ctx.builder();
  let offset = 0;
  while (s.length - offset > width) {
    if (s[offset] === ' ') {
      offset++;
      continue;
    }
    const at = s.slice(offset, width + offset + 1).lastIndexOf(' ') + offset;
    if (at >= offset) {
      b.add(s.slice(offset, at)).add(newline);
      offset = at + 1;
    } else if (wrapLongWords) {
      b.add(s.slice(offset, width + offset)).add(newline);
      offset += width;
    } else {
      const end = width + offset;
      const index = s.indexOf(' ', end);
      if (index === -1) {
        b.add(s.slice(offset));
        offset = s.length;
      } else {
        b.add(s.slice(offset, index)).add(newline);
        offset = index + 1;
      }
    }
  }
  return b.add(s.slice(offset)).toString();
}

/** hash/adler32 of the bytes, in decimal. */
function adler32(s: GoString): GoString {
  let a = 1;
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    a = (a + s.charCodeAt(i)) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

/** strings.SplitN into sprig's map of "_0", "_1", ...: at most n parts (all if n < 0, none if 0). */
function splitn(ctx: CallContext, sep: GoString, n: number, s: GoString): GoMap {
  if (n === 0) return new GoMap('string', new Map());
  let parts: GoString[];
  if (n < 0) {
    parts = split(ctx, sep, s, (k) => k * (String(k).length + 2));
  } else if (sep === '') {
    parts = [];
    let i = 0;
    while (i < s.length && parts.length < n - 1) {
      const size = decodeRune(s, i)[1];
      parts.push(s.slice(i, i + size));
      i += size;
    }
    if (i < s.length) parts.push(s.slice(i));
    reserveValue(ctx, parts.length, s.length);
  } else {
    parts = [];
    let from = 0;
    for (let at = s.indexOf(sep); at !== -1 && parts.length < n - 1; at = s.indexOf(sep, from)) {
      parts.push(s.slice(from, at));
      from = at + sep.length;
    }
    parts.push(s.slice(from));
    reserveValue(ctx, parts.length, s.length);
  }
  return new GoMap('string', new Map(parts.map((p, i) => [`_${i}`, p])));
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function b32enc(ctx: CallContext, s: GoString): GoString {
  const b = ctx.builder();
  b.ensure(Math.ceil(s.length / 5) * 8);
  for (let i = 0; i < s.length; i += 5) {
    const chunk = s.slice(i, i + 5);
    let bits = 0n;
    for (let k = 0; k < 5; k++) bits = (bits << 8n) | BigInt(k < chunk.length ? chunk.charCodeAt(k) : 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let k = 0; k < 8; k++) b.add(k < chars ? BASE32[Number((bits >> BigInt(35 - 5 * k)) & 31n)]! : '=');
  }
  return b.toString();
}

/** base32.StdEncoding.DecodeString; sprig returns Go's error text in place of the data. */
function b32dec(s: GoString): GoString {
  const src = s.replace(/[\r\n]/g, '');
  const olen = src.length;
  const corrupt = (at: number): GoString => `illegal base32 data at input byte ${at}`;
  let out = '';
  let pos = 0;
  let end = false;
  while (pos < src.length && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8; ) {
      if (pos >= src.length) return corrupt(olen - (src.length - pos) - j);
      const c = src[pos++]!;
      const left = src.length - pos;
      if (c === '=' && j >= 2 && left < 8) {
        if (left + j < 8 - 1) return corrupt(olen);
        for (let k = 0; k < 8 - 1 - j; k++) if (left > k && src[pos + k] !== '=') return corrupt(olen - left + k - 1);
        dlen = j;
        end = true;
        if (dlen === 1 || dlen === 3 || dlen === 6) return corrupt(olen - left - 1);
        break;
      }
      const v = BASE32.indexOf(c);
      if (v < 0) return corrupt(olen - left - 1);
      dbuf[j++] = v;
    }
    const d = dbuf as [number, number, number, number, number, number, number, number];
    const bytes = [
      ((d[0] << 3) | (d[1] >> 2)) & 0xff,
      ((d[1] << 6) | (d[2] << 1) | (d[3] >> 4)) & 0xff,
      ((d[3] << 4) | (d[4] >> 1)) & 0xff,
      ((d[4] << 7) | (d[5] << 2) | (d[6] >> 3)) & 0xff,
      ((d[6] << 5) | d[7]) & 0xff,
    ];
    const n = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[dlen] ?? 0;
    out += String.fromCharCode(...bytes.slice(0, n));
  }
  return out;
}

const s = 'string' as const;
const int = 'int' as const;
const str = (f: (a: GoString, ctx: CallContext) => GoString): FuncDef => ({ params: [s], call: ([a], ctx) => f(a as GoString, ctx) });
const num = (v: unknown): number => Number(v as bigint);

export const sprigStrings: Record<string, FuncDef> = {
  abbrev: { params: [int, s], call: ([w, a]) => (num(w) < 4 ? a : (abbreviateFull(a as GoString, 0, num(w)) ?? '')) },
  abbrevboth: { params: [int, int, s], call: ([l, r, a]) => {
    const [left, right] = [num(l), num(r)];
    if (right < 4 || (left > 0 && right < 7)) return a;
    return abbreviateFull(a as GoString, left, right) ?? '';
  } },
  trunc: { params: [int, s], call: ([c, a]) => trunc(num(c), a as GoString) },
  substr: { params: [int, int, s], call: ([from, to, a]) => substr(num(from), num(to), a as GoString) },
  untitle: str((a, ctx) => untitle(ctx, a)),
  nospace: str((a, ctx) => (a === '' ? a : nospace(ctx, a))),
  initials: str((a, ctx) => (a === '' ? a : initials(ctx, a))),
  swapcase: str((a, ctx) => (a === '' ? a : swapcase(ctx, a))),
  snakecase: str((a, ctx) => camelCaseToLowerCase(ctx.builder(), a, '_')),
  kebabcase: str((a, ctx) => camelCaseToLowerCase(ctx.builder(), a, '-')),
  camelcase: str((a, ctx) => toPascalCase(ctx.builder(), a)),
  wrap: { params: [int, s], call: ([w, a], ctx) => wrapCustom(ctx, a as GoString, num(w), '', false) },
  wrapWith: { params: [int, s, s], call: ([w, nl, a], ctx) => wrapCustom(ctx, a as GoString, num(w), nl as GoString, true) },
  plural: { params: [s, s, int], call: ([one, many, n]) => (n === 1n ? one : many) },
  adler32sum: str(adler32),
  splitn: { params: [s, int, s], call: ([sep, n, a], ctx) => splitn(ctx, sep as GoString, num(n), a as GoString) },
  toStrings: { params: ['any'], call: ([v], ctx) => new GoSlice('string', strslice(ctx, v)) },
  b32enc: str((a, ctx) => b32enc(ctx, a)),
  b32dec: str(b32dec),
};

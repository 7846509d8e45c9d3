import type { Builder } from './builder.ts';
import { decodeRune, RUNE_ERROR, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { jsonFloat } from './float.ts';
import { GoMap, GoSlice, type Evaluated } from './values.ts';

const hex = '0123456789abcdef';
/** The one-letter escapes of encoding/json, by byte. */
const short = new Map<number, number>([[0x22, 0x22], [0x5c, 0x5c], [0x08, 0x62], [0x0c, 0x66], [0x0a, 0x6e], [0x0d, 0x72], [0x09, 0x74]]);

/** ASCII that encoding/json copies as it is. */
const isPlain = (b: number, escapeHTML: boolean): boolean =>
  b >= 0x20 && b < 0x80 && b !== 0x22 && b !== 0x5c && !(escapeHTML && (b === 0x3c || b === 0x3e || b === 0x26));

/** `\u` and four hex digits, byte by byte. */
function u4(out: Builder, v: number): void {
  out.byte(0x5c).byte(0x75);
  for (let k = 3; k >= 0; k--) out.byte(hex.charCodeAt((v >> (4 * k)) & 0xf));
}

/**
 * encoding/json's string encoding: bytes that are not UTF-8 become \ufffd. Plain runs are
 * copied, escapes written byte by byte, so a string of escapes stops at the bound quickly.
 */
function encodeString(out: Builder, s: GoString, escapeHTML: boolean): void {
  out.byte(0x22);
  for (let i = 0; i < s.length; ) {
    const b = s.charCodeAt(i);
    if (isPlain(b, escapeHTML)) {
      let j = i + 1;
      while (j < s.length && isPlain(s.charCodeAt(j), escapeHTML)) j++;
      if (j - i > 32) out.add(s.slice(i, j));
      else for (let k = i; k < j; k++) out.byte(s.charCodeAt(k));
      i = j;
      continue;
    }
    if (b < 0x80) {
      const e = short.get(b);
      if (e === undefined) u4(out, b);
      else out.byte(0x5c).byte(e);
      i++;
      continue;
    }
    const [r, size] = decodeRune(s, i);
    if (r === RUNE_ERROR && size === 1) u4(out, 0xfffd);
    // U+2028 and U+2029 break JavaScript parsers, so Go always escapes them.
    else if (r === 0x2028 || r === 0x2029) u4(out, r);
    else for (let k = i; k < i + size; k++) out.byte(s.charCodeAt(k));
    i += size;
  }
  out.byte(0x22);
}

/** Writes v as JSON into `out`, which stops it at its bound (a shared list printed many times, deep indentation). */
function encode(out: Builder, v: Evaluated, escapeHTML: boolean, indent: string | undefined, depth: number): void {
  if (v === undefined || v === null) {
    out.add('null');
    return;
  }
  switch (typeof v) {
    case 'string': encodeString(out, v, escapeHTML); return;
    case 'bigint': out.add(v.toString()); return;
    case 'boolean': out.add(String(v)); return;
    case 'number':
      if (!Number.isFinite(v)) throw new FuncError(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
      out.add(jsonFloat(v));
      return;
  }
  const isMap = v instanceof GoMap;
  const count = isMap ? v.entries.size : v.items.length;
  out.add(isMap ? '{' : '[');
  const newline = (d: number): void => {
    if (indent !== undefined) out.add('\n').repeat(indent, d);
  };
  const element = (i: number, write: () => void): void => {
    if (i > 0) out.add(',');
    newline(depth + 1);
    write();
  };
  if (v instanceof GoSlice) {
    v.items.forEach((item, i) => element(i, () => encode(out, item, escapeHTML, indent, depth + 1)));
  } else {
    v.sortedKeys().forEach((k, i) => element(i, () => {
      encodeString(out, k, escapeHTML);
      out.add(indent === undefined ? ':' : ': ');
      encode(out, v.entries.get(k) ?? null, escapeHTML, indent, depth + 1);
    }));
  }
  if (count > 0) newline(depth);
  out.add(isMap ? '}' : ']');
}

/** json.Marshal (sprig's toJson and mustToJson): HTML characters escaped, map keys sorted. */
export const toJson = (out: Builder, v: Evaluated): GoString => (encode(out, v, true, undefined, 0), out.toString());

/** json.MarshalIndent(v, "", "  ") (sprig's toPrettyJson). */
export const toPrettyJson = (out: Builder, v: Evaluated): GoString => (encode(out, v, true, '  ', 0), out.toString());

/** An Encoder with SetEscapeHTML(false) (sprig's toRawJson). */
export const toRawJson = (out: Builder, v: Evaluated): GoString => (encode(out, v, false, undefined, 0), out.toString());

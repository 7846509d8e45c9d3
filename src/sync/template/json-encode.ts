import { decodeRune, RUNE_ERROR, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { jsonFloat } from './float.ts';
import { GoMap, GoSlice, type Evaluated } from './values.ts';

const hex = '0123456789abcdef';
const short: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/** encoding/json's string encoding: bytes that are not UTF-8 become \ufffd. */
function encodeString(s: GoString, escapeHTML: boolean): GoString {
  let out = '"';
  for (let i = 0; i < s.length; ) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      const special = b < 0x20 || b === 0x22 || b === 0x5c || (escapeHTML && (b === 0x3c || b === 0x3e || b === 0x26));
      out += special ? (short[b] ?? `\\u00${hex[b >> 4]}${hex[b & 0xf]}`) : s[i];
      i++;
      continue;
    }
    const [r, size] = decodeRune(s, i);
    if (r === RUNE_ERROR && size === 1) out += '\\ufffd';
    // U+2028 and U+2029 break JavaScript parsers, so Go always escapes them.
    else if (r === 0x2028 || r === 0x2029) out += `\\u202${hex[r & 0xf]}`;
    else out += s.slice(i, i + size);
    i += size;
  }
  return out + '"';
}

function encode(v: Evaluated, escapeHTML: boolean, indent: string | undefined, depth: number): GoString {
  if (v === undefined || v === null) return 'null';
  switch (typeof v) {
    case 'string': return encodeString(v, escapeHTML);
    case 'bigint': return v.toString();
    case 'boolean': return String(v);
    case 'number':
      if (!Number.isFinite(v)) throw new FuncError(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
      return jsonFloat(v);
  }
  const parts = v instanceof GoSlice
    ? v.items.map((item) => encode(item, escapeHTML, indent, depth + 1))
    : v.sortedKeys().map((k) => `${encodeString(k, escapeHTML)}:${indent === undefined ? '' : ' '}${encode(v.entries.get(k) ?? null, escapeHTML, indent, depth + 1)}`);
  const [open, close] = v instanceof GoMap ? ['{', '}'] : ['[', ']'];
  if (indent === undefined || parts.length === 0) return open + parts.join(',') + close;
  const inner = '\n' + indent.repeat(depth + 1);
  return open + inner + parts.join(',' + inner) + '\n' + indent.repeat(depth) + close;
}

/** json.Marshal (sprig's toJson and mustToJson): HTML characters escaped, map keys sorted. */
export const toJson = (v: Evaluated): GoString => encode(v, true, undefined, 0);

/** json.MarshalIndent(v, "", "  ") (sprig's toPrettyJson). */
export const toPrettyJson = (v: Evaluated): GoString => encode(v, true, '  ', 0);

/** An Encoder with SetEscapeHTML(false) (sprig's toRawJson). */
export const toRawJson = (v: Evaluated): GoString => encode(v, false, undefined, 0);

import { fromByteString } from '../bytes.ts';
import { formatJsonFloat, needsNoEscape, writeJsonString } from '../json/encode.ts';
import type { Builder } from './builder.ts';
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { formatTime } from '../time/layout.ts';
import { GoMap, GoSlice, GoTime, SemverVersion, SprigCertificate, type Evaluated } from './values.ts';

/** encoding/json's string encoding; a string with something to escape goes through its bytes. */
function encodeString(out: Builder, s: GoString, escapeHTML: boolean): void {
  if (needsNoEscape(s, escapeHTML)) out.add('"').add(s).add('"');
  else writeJsonString(out, fromByteString(s), escapeHTML);
}

/** Time.MarshalJSON's text: RFC 3339 with nanoseconds, for years 0 to 9999 only. */
export function timeJson(t: GoTime): GoString {
  let text = '';
  formatTime(t, '2006-01-02T15:04:05.999999999Z07:00', (s) => { text += s; });
  if (!/^\d{4}-/.test(text)) throw new FuncError('json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]');
  return text;
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
      out.add(formatJsonFloat(v));
      return;
  }
  if (v instanceof GoTime) {
    out.add('"').add(timeJson(v)).add('"');
    return;
  }
  if (v instanceof SemverVersion) {
    // Version.MarshalJSON: its String() as a JSON string.
    encodeString(out, v.string(), escapeHTML);
    return;
  }
  if (v instanceof SprigCertificate) {
    // Its exported fields, in order, as encoding/json writes a struct.
    encode(out, new GoMap('string', new Map([['Cert', v.cert], ['Key', v.key]])), escapeHTML, indent, depth);
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

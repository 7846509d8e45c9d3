/**
 * Go's encoding/json output for the values ESO marshals (tag maps, template toJson): object keys
 * sorted by byte order, and Go's string escaping, which also escapes <, > and & (HTML safety, unless
 * turned off) and U+2028/U+2029, and writes invalid UTF-8 as \ufffd. Byte-compatible output keeps
 * Secrets identical to ESO's.
 */
import { BSLASH, CR, LF, LOWER_B, LOWER_F, LOWER_N, LOWER_R, LOWER_T, LOWER_U, QUOTE, TAB } from '../ascii.ts';
import { RUNE_ERROR, decodeRune, sortedByUtf8 } from '../utf8.ts';

/** Where encoded bytes go: one at a time, or a run copied from the source. */
export interface ByteWriter {
  byte(c: number): unknown;
  /** src[from..to] as it is. */
  bytes(src: Uint8Array, from: number, to: number): unknown;
}

/** The letter of each one-letter escape, by the byte it escapes (0: none). */
const SHORT = new Uint8Array(0x80);
SHORT[QUOTE] = QUOTE;
SHORT[BSLASH] = BSLASH;
SHORT[0x08] = LOWER_B;
SHORT[0x0c] = LOWER_F;
SHORT[LF] = LOWER_N;
SHORT[CR] = LOWER_R;
SHORT[TAB] = LOWER_T;

const HEX = '0123456789abcdef';

/** ASCII that encoding/json copies as it is. */
const isPlain = (b: number, escapeHTML: boolean): boolean =>
  b >= 0x20 && b !== QUOTE && b !== BSLASH && !(escapeHTML && (b === 0x3c || b === 0x3e || b === 0x26));

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7f]*$/;
const PLAIN_FOR_HTML = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7f]*$/;

/**
 * The string (text, or a byte string) is ASCII that encoding/json writes as it is, between quotes:
 * most keys and values are, and need no conversion to bytes.
 */
export const needsNoEscape = (s: string, escapeHTML: boolean): boolean => (escapeHTML ? PLAIN_FOR_HTML : PLAIN).test(s);

/** `\u` and four hex digits. */
function u4(out: ByteWriter, v: number): void {
  out.byte(BSLASH);
  out.byte(LOWER_U);
  for (let k = 3; k >= 0; k--) out.byte(HEX.charCodeAt((v >> (4 * k)) & 0xf));
}

/**
 * encoding/json's string encoding of src into out. Runs that need no escape are copied whole and
 * escapes written byte by byte, so a bounded writer stops a string of escapes quickly.
 */
export function writeJsonString(out: ByteWriter, src: Uint8Array, escapeHTML: boolean): void {
  out.byte(QUOTE);
  let start = 0;
  for (let i = 0; i < src.length; ) {
    const b = src[i]!;
    if (b < 0x80) {
      if (isPlain(b, escapeHTML)) {
        i++;
        continue;
      }
      if (start < i) out.bytes(src, start, i);
      const letter = SHORT[b] ?? 0;
      if (letter === 0) u4(out, b);
      else {
        out.byte(BSLASH);
        out.byte(letter);
      }
      start = ++i;
      continue;
    }
    const [r, size] = decodeRune(src, i);
    const invalid = r === RUNE_ERROR && size === 1;
    // U+2028 and U+2029 break JavaScript parsers, so Go always escapes them.
    if (invalid || r === 0x2028 || r === 0x2029) {
      if (start < i) out.bytes(src, start, i);
      u4(out, invalid ? RUNE_ERROR : r);
      start = i + size;
    }
    i += size;
  }
  if (start < src.length) out.bytes(src, start, src.length);
  out.byte(QUOTE);
}

/** Collects UTF-8 text into an array large enough for it. */
class TextWriter implements ByteWriter {
  readonly #out: Uint8Array;
  #length = 0;

  constructor(capacity: number) {
    this.#out = new Uint8Array(capacity);
  }

  byte(c: number): void {
    this.#out[this.#length++] = c;
  }

  bytes(src: Uint8Array, from: number, to: number): void {
    this.#out.set(src.subarray(from, to), this.#length);
    this.#length += to - from;
  }

  toString(): string {
    return Buffer.from(this.#out.buffer, 0, this.#length).toString('utf8');
  }
}

/** json.Marshal of a string (a lone surrogate, invalid UTF-8 to Go, becomes U+FFFD). */
export function goJsonString(value: string): string {
  if (needsNoEscape(value, true)) return `"${value}"`;
  const src = Buffer.from(value, 'utf8');
  // No byte is written as more than six (`\u00XX`), and the quotes.
  const out = new TextWriter(6 * src.length + 2);
  writeJsonString(out, src, true);
  return out.toString();
}

/** json.Marshal of a map[string]string. */
export function goJsonStringMap(map: Record<string, string>): string {
  return `{${sortedByUtf8(Object.keys(map)).map((k) => `${goJsonString(k)}:${goJsonString(map[k]!)}`).join(',')}}`;
}

/** encoding/json's float64: ES6 number formatting, which JS itself implements, but -0 keeps its sign. */
export const formatJsonFloat = (f: number): string => (Object.is(f, -0) ? '-0' : String(f));

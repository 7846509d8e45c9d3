import { decodeRuneInString, encodeRune as encodeRuneBytes, validUtf8Text } from '../utf8.ts';
import type { Builder } from './builder.ts';

/**
 * A Go string value inside the template engine: a byte string, one char (0..255) per byte (see
 * src/go/bytes.ts for why, and for the representation everywhere else). Byte-wise functions (len,
 * contains, replace, b64enc, ...) work on it directly and output is exact; functions that Go
 * defines on runes decode UTF-8 the way Go does: each invalid byte is one U+FFFD of width 1.
 */
export type GoString = string;

export { RUNE_ERROR } from '../utf8.ts';

/** The UTF-8 bytes of a JS string (template source text and literals). */
export const utf8 = (text: string): GoString => Buffer.from(text, 'utf8').toString('latin1');

/** Go's utf8.DecodeRuneInString: the rune at byte i and its width. */
export const decodeRune = decodeRuneInString;

const scratch = new Uint8Array(4);

/** Go's utf8.AppendRune: invalid runes become U+FFFD. */
export function encodeRune(r: number): GoString {
  const n = encodeRuneBytes(scratch, 0, r);
  if (n === 1) return String.fromCharCode(scratch[0]!);
  if (n === 2) return String.fromCharCode(scratch[0]!, scratch[1]!);
  if (n === 3) return String.fromCharCode(scratch[0]!, scratch[1]!, scratch[2]!);
  return String.fromCharCode(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
}

/** Each rune of s with its byte offset and width, as Go's `for i, r := range s`. */
export function* runes(s: GoString): Generator<[rune: number, offset: number, size: number]> {
  for (let i = 0; i < s.length; ) {
    const [r, size] = decodeRune(s, i);
    yield [r, i, size];
    i += size;
  }
}

export function runeCount(s: GoString): number {
  let n = 0;
  for (let i = 0; i < s.length; n++) i += decodeRune(s, i)[1];
  return n;
}

/** Go's strings.Map into `b` (bounded by it, byte by byte): every rune mapped; invalid bytes come out as U+FFFD. */
export function mapRunes(b: Builder, s: GoString, f: (r: number) => number): GoString {
  for (let i = 0; i < s.length; ) {
    const [r, size] = decodeRune(s, i);
    const n = encodeRuneBytes(scratch, 0, f(r));
    for (let k = 0; k < n; k++) b.byte(scratch[k]!);
    i += size;
  }
  return b.toString();
}

/** Text for JS APIs: the runes of s, invalid bytes as U+FFFD. */
export const toText = (s: GoString): string => validUtf8Text(Buffer.from(s, 'latin1'));

export const isAscii = (s: GoString): boolean => /^[\x00-\x7f]*$/.test(s);

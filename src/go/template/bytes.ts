import type { Builder } from './builder.ts';

/**
 * Go strings are byte sequences, not text: a secret may hold any bytes, and
 * `{{ .key }}` must copy them unchanged. We model a Go string as a JS string
 * with one char (0..255) per byte, so byte-wise functions (len, contains,
 * replace, b64enc, ...) work on it directly and output is exact. Functions that
 * Go defines on runes decode UTF-8 the way Go does: each invalid byte is one
 * U+FFFD of width 1.
 */
export type GoString = string;

export const RUNE_ERROR = 0xfffd;

export const fromBytes = (bytes: Uint8Array): GoString => Buffer.from(bytes).toString('latin1');

export const toBytes = (s: GoString): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** The UTF-8 bytes of a JS string (template source text and literals). */
export const utf8 = (text: string): GoString => Buffer.from(text, 'utf8').toString('latin1');

/** Go's utf8.DecodeRuneInString: the rune at byte i and its width. */
export function decodeRune(s: GoString, i: number): [rune: number, size: number] {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return [b0, 1];
  const cont = (k: number): number => {
    const b = s.charCodeAt(i + k);
    return b >= 0x80 && b <= 0xbf ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    // Overlong forms and UTF-16 surrogates are invalid, as in Go.
    if (c1 < 0 || (b0 === 0xe0 && c1 < 0x20) || (b0 === 0xed && c1 >= 0x20)) return [RUNE_ERROR, 1];
    const c2 = cont(2);
    return c2 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    if (c1 < 0 || (b0 === 0xf0 && c1 < 0x10) || (b0 === 0xf4 && c1 >= 0x10)) return [RUNE_ERROR, 1];
    const c2 = cont(2);
    if (c2 < 0) return [RUNE_ERROR, 1];
    const c3 = cont(3);
    return c3 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [RUNE_ERROR, 1];
}

/** Go's utf8.AppendRune: invalid runes become U+FFFD. */
export function encodeRune(r: number): GoString {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = RUNE_ERROR;
  if (r < 0x80) return String.fromCharCode(r);
  if (r < 0x800) return String.fromCharCode(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  if (r < 0x10000) {
    return String.fromCharCode(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  }
  return String.fromCharCode(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
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
    const e = encodeRune(f(r));
    for (let k = 0; k < e.length; k++) b.byte(e.charCodeAt(k));
    i += size;
  }
  return b.toString();
}

/** Text for JS APIs: the runes of s, invalid bytes as U+FFFD. */
export function toText(s: GoString): string {
  let out = '';
  for (const [r] of runes(s)) out += String.fromCodePoint(r);
  return out;
}

export const isAscii = (s: GoString): boolean => /^[\x00-\x7f]*$/.test(s);

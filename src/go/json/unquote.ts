/**
 * Go's encoding/json unquote, on the content of a string literal the scanner accepted (between its
 * quotes): escapes decoded; a `\u` surrogate without its pair, and each byte of invalid UTF-8,
 * become U+FFFD.
 */
import { BSLASH, CR, LF, LOWER_B, LOWER_F, LOWER_N, LOWER_R, LOWER_T, LOWER_U, QUOTE, SLASH, TAB, hex4 } from '../ascii.ts';
import { RUNE_ERROR, decodeRune, decodeSurrogates, encodeRune } from '../utf8.ts';

/** The byte each one-character escape stands for, by the character after the backslash (0: none). */
const ESCAPED = new Uint8Array(128);
ESCAPED[QUOTE] = QUOTE;
ESCAPED[BSLASH] = BSLASH;
ESCAPED[SLASH] = SLASH;
ESCAPED[LOWER_B] = 0x08;
ESCAPED[LOWER_F] = 0x0c;
ESCAPED[LOWER_N] = LF;
ESCAPED[LOWER_R] = CR;
ESCAPED[LOWER_T] = TAB;

/** The byte `\` then c stands for, or 0 when that is not a one-character escape. */
export const escapedByte = (c: number): number => (c < 128 ? ESCAPED[c]! : 0);

/** `\uXXXX` at `at`, or -1 (Go's getu4). */
const u4 = (s: Uint8Array, at: number): number => (s[at] === BSLASH && s[at + 1] === LOWER_U ? hex4(s, at + 2) : -1);

/**
 * Where in doc[from..to] the first escape or invalid UTF-8 is (`to` if there is none): content
 * without either is its value as it is.
 */
export function firstToUnquote(doc: Uint8Array, from: number, to: number): number {
  let r = from;
  while (r < to) {
    const c = doc[r]!;
    if (c === BSLASH) break;
    if (c < 0x80) r++;
    else {
      const [rune, size] = decodeRune(doc, r);
      if (rune === RUNE_ERROR && size === 1) break;
      r += size;
    }
  }
  return r;
}

/** The unquoted content of the string literal whose content is doc[from..to]: a view of doc when nothing changes. */
export function unquote(doc: Uint8Array, from: number, to: number): Uint8Array {
  let r = firstToUnquote(doc, from, to);
  if (r === to) return doc.subarray(from, to);

  // Escapes shrink; an invalid byte grows to three: room is made as Go makes it.
  let out = new Uint8Array(to - from + 8);
  out.set(doc.subarray(from, r));
  let w = r - from;
  while (r < to) {
    if (w + 8 > out.length) {
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out.subarray(0, w));
      out = bigger;
    }
    const c = doc[r]!;
    if (c === BSLASH) {
      if (doc[r + 1] !== LOWER_U) {
        out[w++] = escapedByte(doc[r + 1]!);
        r += 2;
        continue;
      }
      let rune = u4(doc, r);
      r += 6;
      if (rune >= 0xd800 && rune < 0xe000) {
        // A surrogate pairs with a following low surrogate escape, or becomes U+FFFD alone.
        rune = decodeSurrogates(rune, u4(doc, r));
        if (rune !== RUNE_ERROR) r += 6;
      }
      w += encodeRune(out, w, rune);
    } else if (c < 0x80) {
      out[w++] = c;
      r++;
    } else {
      // Valid UTF-8 is copied; each byte of an invalid sequence becomes U+FFFD.
      const [rune, size] = decodeRune(doc, r);
      if (size === 1 && rune === RUNE_ERROR) w += encodeRune(out, w, RUNE_ERROR);
      else for (let k = 0; k < size; k++) out[w++] = doc[r + k]!;
      r += size;
    }
  }
  return out.slice(0, w);
}

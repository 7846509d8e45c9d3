import { decodeRune, encodeRune, RUNE_ERROR, toText, type GoString } from './bytes.ts';
import { isPrint } from './runes.ts';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

const shortEscapes = new Map([
  [0x07, '\\a'], [0x08, '\\b'], [0x0c, '\\f'], [0x0a, '\\n'], [0x0d, '\\r'], [0x09, '\\t'], [0x0b, '\\v'],
]);

/** One rune of strconv.Quote's output: printable runes as they are (ASCII ones only, if asked), the rest escaped. */
function escapeRune(r: number, quote: number, asciiOnly: boolean): GoString {
  if (r === quote || r === 0x5c) return '\\' + String.fromCharCode(r);
  if (isPrint(r) && (!asciiOnly || r < 0x80)) return encodeRune(r);
  const short = shortEscapes.get(r);
  if (short) return short;
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  return r < 0x10000 ? '\\u' + hex(r, 4) : '\\U' + hex(r, 8);
}

/**
 * strconv.Quote (fmt's %q, sprig's quote), or QuoteToASCII (%+q): a
 * double-quoted Go string literal. Bytes that are not UTF-8 are written \xNN,
 * so nothing is lost.
 */
export function quote(s: GoString, asciiOnly = false): GoString {
  let out = '"';
  for (let i = 0; i < s.length; ) {
    const [r, size] = decodeRune(s, i);
    out += r === RUNE_ERROR && size === 1 ? '\\x' + hex(s.charCodeAt(i), 2) : escapeRune(r, 0x22, asciiOnly);
    i += size;
  }
  return out + '"';
}

/** strconv.QuoteRune, or QuoteRuneToASCII (fmt's %q and %+q of an integer). */
export const quoteRune = (r: number, asciiOnly = false): GoString => {
  const valid = r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);
  return "'" + escapeRune(valid ? r : RUNE_ERROR, 0x27, asciiOnly) + "'";
};

/** Go's %q of a Go string, as text for an error message. */
export const quoted = (s: GoString): string => toText(quote(s));

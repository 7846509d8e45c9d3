import { type Builder, unbounded } from './builder.ts';
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

/** Printable ASCII that strconv.Quote copies as it is. */
const isPlain = (c: number): boolean => c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c;

const HEX_DIGITS = '0123456789abcdef';

/** `\` `kind` and `digits` hex digits of v, byte by byte. */
function hexEscape(b: Builder, kind: number, v: number, digits: number): void {
  b.byte(0x5c).byte(kind);
  for (let k = digits - 1; k >= 0; k--) b.byte(HEX_DIGITS.charCodeAt((v >> (4 * k)) & 0xf));
}

/**
 * strconv.Quote (fmt's %q, sprig's quote), or QuoteToASCII (%+q), into `b`: a
 * double-quoted Go string literal. Bytes that are not UTF-8 are written \xNN,
 * so nothing is lost. Escapes are written byte by byte and plain runs copied,
 * so the builder stops at its bound as soon as the literal would pass it.
 */
export function quoteInto(b: Builder, s: GoString, asciiOnly = false): void {
  b.byte(0x22);
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (isPlain(c)) {
        let j = i + 1;
        while (j < s.length && isPlain(s.charCodeAt(j))) j++;
        if (j - i > 32) b.add(s.slice(i, j));
        else for (let k = i; k < j; k++) b.byte(s.charCodeAt(k));
        i = j;
        continue;
      }
      const short = shortEscapes.get(c);
      if (c === 0x22 || c === 0x5c) b.byte(0x5c).byte(c);
      else if (short) b.byte(0x5c).byte(short.charCodeAt(1));
      else hexEscape(b, 0x78, c, 2);
      i++;
      continue;
    }
    const [r, size] = decodeRune(s, i);
    if (r === RUNE_ERROR && size === 1) hexEscape(b, 0x78, c, 2);
    else if (!asciiOnly && isPrint(r)) for (let k = i; k < i + size; k++) b.byte(s.charCodeAt(k));
    else if (r < 0x10000) hexEscape(b, 0x75, r, 4);
    else hexEscape(b, 0x55, r, 8);
    i += size;
  }
  b.byte(0x22);
}

/** strconv.Quote as a string, without a bound (error messages). */
export function quote(s: GoString, asciiOnly = false): GoString {
  const b = unbounded();
  quoteInto(b, s, asciiOnly);
  return b.toString();
}

/** strconv.QuoteRune, or QuoteRuneToASCII (fmt's %q and %+q of an integer). */
export const quoteRune = (r: number, asciiOnly = false): GoString => {
  const valid = r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);
  return "'" + escapeRune(valid ? r : RUNE_ERROR, 0x27, asciiOnly) + "'";
};

/** Go's %q of a Go string, as text for an error message. */
export const quoted = (s: GoString): string => toText(quote(s));

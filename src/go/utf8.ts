/**
 * Go's unicode/utf8, including how it treats invalid input: a byte that does not start a valid
 * sequence (overlong forms and UTF-16 surrogates included) decodes as U+FFFD of width 1, and an
 * invalid rune encodes as U+FFFD. Decoding reads bytes and the template's byte strings (bytes.ts)
 * with one implementation.
 */

export const RUNE_ERROR = 0xfffd;

type Decoded = [rune: number, size: number];

/** utf8.DecodeRune: the rune at `at` and its width; [RUNE_ERROR, 0] past the end. */
export function decodeRune(bytes: Uint8Array, at: number): Decoded {
  const b0 = bytes[at];
  if (b0 === undefined) return [RUNE_ERROR, 0];
  return b0 < 0x80 ? [b0, 1] : decodeSequence(b0, bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** utf8.DecodeRuneInString, on a byte string. */
export function decodeRuneInString(s: string, at: number): Decoded {
  if (at >= s.length) return [RUNE_ERROR, 0];
  const b0 = s.charCodeAt(at);
  return b0 < 0x80 ? [b0, 1] : decodeSequence(b0, s.charCodeAt(at + 1), s.charCodeAt(at + 2), s.charCodeAt(at + 3));
}

/** Byte b is present (not undefined or NaN past the end) and within lo..hi. */
const within = (b: number | undefined, lo: number, hi: number): b is number => b !== undefined && b >= lo && b <= hi;

/** The sequence led by b0 (0x80 or more), given the bytes after it. */
function decodeSequence(b0: number, b1: number | undefined, b2: number | undefined, b3: number | undefined): Decoded {
  let size: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return [RUNE_ERROR, 1];
  if (!within(b1, low, high)) return [RUNE_ERROR, 1];
  if (size === 2) return [((b0 & 0x1f) << 6) | (b1 & 0x3f), 2];
  if (!within(b2, 0x80, 0xbf)) return [RUNE_ERROR, 1];
  if (size === 3) return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3];
  if (!within(b3, 0x80, 0xbf)) return [RUNE_ERROR, 1];
  return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4];
}

/** utf8.DecodeLastRune. */
export function decodeLastRune(bytes: Uint8Array): Decoded {
  const end = bytes.length;
  if (end === 0) return [RUNE_ERROR, 0];
  const last = bytes[end - 1]!;
  if (last < 0x80) return [last, 1];
  const lowest = Math.max(end - 4, 0);
  let start = end - 1;
  for (start--; start >= lowest; start--) {
    if ((bytes[start]! & 0xc0) !== 0x80) break;
  }
  if (start < 0) start = 0;
  const [rune, size] = decodeRune(bytes, start);
  return start + size === end ? [rune, size] : [RUNE_ERROR, 1];
}

/** utf8.EncodeRune: writes the rune's bytes into `out` from `at` and returns how many. */
export function encodeRune(out: { [index: number]: number }, at: number, rune: number): number {
  const r = rune < 0 || rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff) ? RUNE_ERROR : rune;
  if (r < 0x80) {
    out[at] = r;
    return 1;
  }
  if (r < 0x800) {
    out[at] = 0xc0 | (r >> 6);
    out[at + 1] = 0x80 | (r & 0x3f);
    return 2;
  }
  if (r < 0x10000) {
    out[at] = 0xe0 | (r >> 12);
    out[at + 1] = 0x80 | ((r >> 6) & 0x3f);
    out[at + 2] = 0x80 | (r & 0x3f);
    return 3;
  }
  out[at] = 0xf0 | (r >> 18);
  out[at + 1] = 0x80 | ((r >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((r >> 6) & 0x3f);
  out[at + 3] = 0x80 | (r & 0x3f);
  return 4;
}

/** utf16.DecodeRune: the rune a high and a low surrogate stand for together, else U+FFFD. */
export function decodeSurrogates(high: number, low: number): number {
  if (high >= 0xd800 && high < 0xdc00 && low >= 0xdc00 && low < 0xe000) return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
  return RUNE_ERROR;
}

/**
 * Text in Go's string order, which compares UTF-8 bytes: code point order, unlike JavaScript's
 * UTF-16 order above U+FFFF. (Go sorts map keys so in fmt and encoding/json.)
 */
export function sortedByUtf8(keys: readonly string[]): string[] {
  return keys
    .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ key }) => key);
}

/**
 * Bytes as encoding/json writes them in a JSON string: each byte that does not start a valid
 * sequence becomes U+FFFD (Node's decoder replaces maximal subparts instead, which can give fewer
 * U+FFFD). A ConfigMap value ESO builds with string(bytes) reaches the apiserver this way.
 */
export function validUtf8Text(bytes: Uint8Array): string {
  let text = '';
  let runStart = 0;
  for (let at = 0; at < bytes.length;) {
    const [rune, size] = decodeRune(bytes, at);
    if (rune === RUNE_ERROR && size === 1) {
      text += Buffer.from(bytes.subarray(runStart, at)).toString('utf8') + '\ufffd';
      runStart = at + 1;
    }
    at += size;
  }
  return text + Buffer.from(bytes.subarray(runStart)).toString('utf8');
}

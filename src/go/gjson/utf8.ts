/** Go's unicode/utf8 decoding and encoding on bytes, including how it treats invalid input. */

export const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRune: invalid or truncated sequences decode as U+FFFD of width 1. */
export function decodeRune(bytes: Uint8Array, at: number): [rune: number, size: number] {
  const b0 = bytes[at];
  if (b0 === undefined) return [RUNE_ERROR, 0];
  if (b0 < 0x80) return [b0, 1];
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
  if (at + size > bytes.length) return [RUNE_ERROR, 1];
  const b1 = bytes[at + 1]!;
  if (b1 < low || b1 > high) return [RUNE_ERROR, 1];
  let rune = size === 2 ? b0 & 0x1f : size === 3 ? b0 & 0x0f : b0 & 0x07;
  rune = (rune << 6) | (b1 & 0x3f);
  for (let k = 2; k < size; k++) {
    const b = bytes[at + k]!;
    if (b < 0x80 || b > 0xbf) return [RUNE_ERROR, 1];
    rune = (rune << 6) | (b & 0x3f);
  }
  return [rune, size];
}

/** utf8.DecodeLastRune. */
export function decodeLastRune(bytes: Uint8Array): [rune: number, size: number] {
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
  const [rune, size] = decodeRune(bytes.subarray(0, end), start);
  return start + size === end ? [rune, size] : [RUNE_ERROR, 1];
}

/** utf8.EncodeRune: surrogates become U+FFFD. */
export function pushUtf8(out: number[], rune: number): void {
  const r = rune >= 0xd800 && rune < 0xe000 ? 0xfffd : rune;
  if (r < 0x80) out.push(r);
  else if (r < 0x800) out.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else if (r < 0x10000) out.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  else out.push(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
}

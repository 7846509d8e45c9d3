/**
 * Go's encoding/base64 decoding with padding (StdEncoding, URLEncoding), written out because
 * Buffer's decoder is lenient where Go is strict: `=` padding to a multiple of four is required,
 * `\r` and `\n` are skipped anywhere, any other character (spaces included) and anything after the
 * padding is refused, and non-zero trailing bits are accepted. Used by ESO's decodingStrategy and
 * sprig's b64dec.
 */
import { CR, EQUALS, LF } from './ascii.ts';

function decodeTable(alphabet: string): Int8Array {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

/** base64.StdEncoding's alphabet, `+/`. */
export const STD_ENCODING = decodeTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
/** base64.URLEncoding's alphabet, `-_`. */
export const URL_ENCODING = decodeTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/**
 * Encoding.DecodeString: the decoded bytes, or the input offset Go's CorruptInputError reports.
 * The output is never longer than 3/4 of the input, and is written into one array of that size.
 */
export function decodeBase64(src: Uint8Array, encoding: Int8Array): Uint8Array | number {
  const out = new Uint8Array(Math.floor((src.length * 3) / 4));
  let n = 0;
  let si = 0;
  const skipNewlines = (): void => {
    while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
  };
  // Reused: in a short last quantum the stale symbols past the padding never reach the output.
  const quad = [0, 0, 0, 0];
  for (;;) {
    // One quantum: four characters (newlines skipped), or fewer before the padding.
    let len = 4;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return out.slice(0, n);
        // Padding is required, so running out mid-quantum is an error.
        return si - j;
      }
      const c = src[si++]!;
      const v = encoding[c]!;
      if (v >= 0) {
        quad[j] = v;
        continue;
      }
      if (c === LF || c === CR) {
        j--;
        continue;
      }
      if (c !== EQUALS || j < 2) return si - 1;
      if (j === 2) {
        // "==" is expected; the first "=" is consumed.
        skipNewlines();
        if (si === src.length) return src.length;
        if (src[si] !== EQUALS) return si - 1;
        si++;
      }
      skipNewlines();
      if (si < src.length) return si;
      len = j;
      break;
    }
    const bits = (quad[0]! << 18) | (quad[1]! << 12) | (quad[2]! << 6) | quad[3]!;
    out[n++] = (bits >> 16) & 0xff;
    if (len > 2) out[n++] = (bits >> 8) & 0xff;
    if (len > 3) out[n++] = bits & 0xff;
    if (len < 4) return out.slice(0, n);
  }
}

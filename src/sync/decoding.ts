/**
 * `decodingStrategy` of `data[].remoteRef`, `dataFrom[].extract` and `dataFrom[].find`: ESO's
 * runtime/decoding/decoding.go Decode and DecodeMap.
 *
 *   - None, or no strategy: the value as fetched;
 *   - Base64: Go's base64.StdEncoding (alphabet `+/`), Base64URL: base64.URLEncoding (`-_`). Both
 *     require `=` padding to a multiple of four, ignore `\r` and `\n` anywhere, refuse any other
 *     character (spaces included) and anything after the padding, and accept non-zero trailing bits;
 *   - Auto: Base64 if that succeeds, else Base64URL if that succeeds, else the value as fetched. A
 *     plain value that happens to be valid base64 (`test`, `abcd`) is therefore decoded, as in ESO.
 *
 * ESO decodes `data[]` values after the fetch (and property), and `dataFrom` values after the keys
 * are rewritten, converted and validated. Error messages name the key and the strategy, never the value.
 */
import type { RemoteRef } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { MAX_SECRET_BYTES, secretTooLarge } from './secret-size.ts';

export type DecodingStrategy = NonNullable<RemoteRef['decodingStrategy']>;

/**
 * The value as ESO's Decode would write it. `context` says where the value comes from, e.g.
 * `spec.data[0] (secret "db/creds")`. Throws OperatorError DecodingFailed for invalid base64, and
 * InvalidSpec for a strategy ESO does not know.
 */
export function decodeValue(value: Uint8Array, strategy: DecodingStrategy | undefined, context: string): Uint8Array {
  // What base64 would decode to is known from the input's length: refuse it before decoding.
  if (strategy === 'Base64' || strategy === 'Base64URL' || strategy === 'Auto') {
    if (decodedAtLeast(value) > MAX_SECRET_BYTES) throw secretTooLarge(`${context}: the decoded value`);
  }
  switch (strategy) {
    case undefined:
    case 'None':
      return value;
    case 'Base64':
    case 'Base64URL': {
      const decoded = decodeBase64(value, strategy === 'Base64' ? STD : URL);
      if (typeof decoded === 'number') {
        const encoding = strategy === 'Base64' ? 'standard base64 (alphabet +/ with = padding)' : 'URL-safe base64 (alphabet -_ with = padding)';
        throw new OperatorError('DecodingFailed', `${context}: decodingStrategy ${strategy}: the value is not ${encoding}: illegal data at byte ${decoded}`);
      }
      return decoded;
    }
    case 'Auto': {
      const std = decodeBase64(value, STD);
      if (typeof std !== 'number') return std;
      const url = decodeBase64(value, URL);
      return typeof url !== 'number' ? url : value;
    }
    default:
      throw new OperatorError('InvalidSpec', `${context}: decodingStrategy ${JSON.stringify(strategy)} is not supported`);
  }
}

/** ESO's DecodeMap: every value of a dataFrom entry, after its keys are final. */
export function decodeMap(
  map: Readonly<Record<string, Uint8Array>>,
  strategy: DecodingStrategy | undefined,
  context: string,
): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = Object.create(null);
  for (const [key, value] of Object.entries(map)) out[key] = decodeValue(value, strategy, `${context} key ${JSON.stringify(key)}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Go's encoding/base64 with padding (StdEncoding, URLEncoding), written out because Buffer's decoder
// is lenient where Go is strict (missing padding, spaces, mixed alphabets, data after padding).

const PAD = 0x3d; // '='
const LF = 0x0a;
const CR = 0x0d;

function decodeTable(alphabet: string): Int8Array {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const STD = decodeTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const URL = decodeTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/**
 * The fewest bytes `src` decodes to if it is base64 (newlines skipped, at most two padding
 * characters), from its length alone. (Under Auto, a value that is not base64 is kept as it is,
 * and it is longer still.)
 */
function decodedAtLeast(src: Uint8Array): number {
  let newlines = 0;
  for (let i = 0; i < src.length; i++) if (src[i] === LF || src[i] === CR) newlines++;
  return Math.floor((src.length - newlines) / 4) * 3 - 2;
}

/** The decoded bytes, or the offset Go's CorruptInputError would report. */
function decodeBase64(src: Uint8Array, table: Int8Array): Uint8Array | number {
  const out = new Uint8Array(Math.floor((src.length * 3) / 4));
  let n = 0;
  let si = 0;
  const skipNewlines = (): void => {
    while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
  };
  for (;;) {
    // One quantum: four characters (newlines skipped), or fewer before the padding.
    const quad = [0, 0, 0, 0];
    let len = 4;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return out.slice(0, n);
        // Padding is required, so running out mid-quantum is an error.
        return si - j;
      }
      const c = src[si++]!;
      const v = table[c]!;
      if (v >= 0) {
        quad[j] = v;
        continue;
      }
      if (c === LF || c === CR) {
        j--;
        continue;
      }
      if (c !== PAD || j < 2) return si - 1;
      if (j === 2) {
        // "==" is expected; the first "=" is consumed.
        skipNewlines();
        if (si === src.length) return src.length;
        if (src[si] !== PAD) return si - 1;
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

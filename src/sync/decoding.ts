/**
 * `decodingStrategy` of `data[].remoteRef`, `dataFrom[].extract` and `dataFrom[].find`: ESO's
 * runtime/decoding/decoding.go Decode and DecodeMap.
 *
 *   - None, or no strategy: the value as fetched;
 *   - Base64: Go's base64.StdEncoding (alphabet `+/`), Base64URL: base64.URLEncoding (`-_`), as
 *     strict as Go (src/go/base64.ts);
 *   - Auto: Base64 if that succeeds, else Base64URL if that succeeds, else the value as fetched. A
 *     plain value that happens to be valid base64 (`test`, `abcd`) is therefore decoded, as in ESO.
 *
 * ESO decodes `data[]` values after the fetch (and property), and `dataFrom` values after the keys
 * are rewritten, converted and validated. Error messages name the key and the strategy, never the value.
 */
import type { RemoteRef } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { CR, LF } from '../go/ascii.ts';
import { decodeBase64, STD_ENCODING, URL_ENCODING } from '../go/base64.ts';
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
      const decoded = decodeBase64(value, strategy === 'Base64' ? STD_ENCODING : URL_ENCODING);
      if (typeof decoded === 'number') {
        const encoding = strategy === 'Base64' ? 'standard base64 (alphabet +/ with = padding)' : 'URL-safe base64 (alphabet -_ with = padding)';
        throw new OperatorError('DecodingFailed', `${context}: decodingStrategy ${strategy}: the value is not ${encoding}: illegal data at byte ${decoded}`);
      }
      return decoded;
    }
    case 'Auto': {
      const std = decodeBase64(value, STD_ENCODING);
      if (typeof std !== 'number') return std;
      const url = decodeBase64(value, URL_ENCODING);
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

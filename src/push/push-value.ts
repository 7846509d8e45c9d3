/**
 * The bytes a PushSecret entry pushes, from its source Secret's data, as ESO computes them: the
 * keys first converted by the entry's conversionStrategy (ESO's utils.ReverseKeys), then the
 * entry's secretKey, or with no secretKey the whole Secret as one JSON object (ESO's
 * utils.JSONMarshal: Go's encoding/json with HTML escaping off, keys sorted by bytes). Secrets
 * Manager writes the values as strings; Parameter Store, unless its metadata says
 * encodeAsDecoded, as base64 (Go marshals []byte so). Hand-written to match Go byte for byte. Pure.
 */
import type { PushSecretData } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { BoundedBytes } from '../go/json/any.ts';
import { writeJsonString } from '../go/json/encode.ts';
import { sortedByUtf8 } from '../go/utf8.ts';

export type SecretBytes = Readonly<Record<string, Uint8Array>>;

/** How the whole Secret is encoded when an entry names no key. */
export type WholeSecretEncoding = 'strings' | 'base64';

/** `_U` + four or five hex digits + `_`: what an ExternalSecret's Unicode conversion writes for one character. */
const ESCAPED = /_U([0-9a-fA-F]{4,5})_/g;

/** One key with ESO's ReverseUnicode applied: each escape becomes its character (a surrogate or out-of-range code point U+FFFD, as Go's string(rune)). */
export function reverseKey(key: string, strategy: PushSecretData['conversionStrategy']): string {
  if (strategy !== 'ReverseUnicode') return key;
  return key.replace(ESCAPED, (_all, hex: string) => {
    const cp = parseInt(hex, 16);
    return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
  });
}

/** The Secret's data under the entry's conversionStrategy; two keys becoming one is an error, as in ESO. */
export function convertedData(data: SecretBytes, strategy: PushSecretData['conversionStrategy'], at: string): SecretBytes {
  if (strategy !== 'ReverseUnicode') return data;
  const out: Record<string, Uint8Array> = Object.create(null);
  for (const [key, value] of Object.entries(data)) {
    const reversed = reverseKey(key, strategy);
    if (reversed in out) {
      throw new OperatorError('InvalidSecretKey', `${at}: could not apply conversion strategy to keys: secret name collision during conversion: ${reversed}`);
    }
    out[reversed] = value;
  }
  return out;
}

/**
 * The value an entry pushes. A secretKey the Secret lacks is an error naming it (ESO's
 * "secret key X does not exist"), never a silent skip.
 */
export function entryValue(data: SecretBytes, entry: PushSecretData, whole: WholeSecretEncoding, at: string): Uint8Array {
  const converted = convertedData(data, entry.conversionStrategy, at);
  const key = entry.match.secretKey ?? '';
  if (key === '') return wholeSecretJson(converted, whole);
  const value = Object.hasOwn(converted, key) ? converted[key] : undefined;
  if (value === undefined) throw new OperatorError('SourceKeyNotFound', `secret key ${key} does not exist`);
  return value;
}

/** The Secret as ESO's JSONMarshal writes a map[string]string (strings) or map[string][]byte (base64). */
export function wholeSecretJson(data: SecretBytes, encoding: WholeSecretEncoding): Uint8Array {
  // Each byte is at most six escaped, and base64 is shorter: the Secret's own bound bounds this.
  const out = new BoundedBytes({ left: Number.MAX_SAFE_INTEGER });
  out.byte(0x7b);
  sortedByUtf8(Object.keys(data)).forEach((key, i) => {
    if (i > 0) out.byte(0x2c);
    writeJsonString(out, Buffer.from(key, 'utf8'), false);
    out.byte(0x3a);
    const value = data[key]!;
    writeJsonString(out, encoding === 'base64' ? Buffer.from(Buffer.from(value).toString('base64'), 'latin1') : value, false);
  });
  out.byte(0x7d);
  return out.result();
}

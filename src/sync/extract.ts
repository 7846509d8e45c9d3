/**
 * `dataFrom[].extract`: ESO's AWS GetSecretMap (providers/v1/aws/secretsmanager/secretsmanager.go).
 *
 * ESO takes what `data[]` would write for the same remoteRef (the whole SecretString, else the
 * SecretBinary; or the `property` picked by gjson, see property-path.ts) and gives it to Go's
 * encoding/json as a `map[string]json.RawMessage` (src/go/json/). So, byte for byte:
 *   - the text must be valid JSON by Go's rules, and an object, or `null`, which gives no keys and
 *     no error;
 *   - keys are unescaped as Go does (invalid UTF-8 becomes U+FFFD); of duplicate keys the last wins;
 *   - a string value becomes its unescaped text (same rules), `null` the empty value, and any other
 *     value its source text exactly as written: `{"port": 5432, "nested": {"a" : 1}}` gives
 *     `5432` and `{"a" : 1}`, spacing and number spelling untouched (`1.50` stays `1.50`).
 * Keys are returned as they are; conversion, rewrites, validation and decoding come after (rewrite.ts).
 */
import { OperatorError } from '../errors.ts';
import { LOWER_N, QUOTE } from '../go/ascii.ts';
import { utf8Decoder, utf8Encoder } from '../go/bytes.ts';
import { unmarshalRawMessageMap } from '../go/json/raw-message-map.ts';
import { unquote } from '../go/json/unquote.ts';
import { extractPropertyBytes, PropertyPathError } from './property-path.ts';

/**
 * The key/value map ESO's GetSecretMap returns for one secret's payload (SecretString, or
 * SecretBinary). `key` names the secret in messages. Throws OperatorError: PropertyNotFound,
 * UnsupportedField (gjson syntax we refuse), DecodingFailed (not JSON, or not an object).
 */
export function extractMap(payload: string | Uint8Array, key: string, property?: string): Record<string, Uint8Array> {
  let doc: Uint8Array;
  const what = property ? `property "${property}" of secret "${key}"` : `secret "${key}"`;
  if (property) {
    let selected: Uint8Array | undefined;
    try {
      selected = extractPropertyBytes(payload, property);
    } catch (error) {
      if (!(error instanceof PropertyPathError)) throw error;
      throw new OperatorError('UnsupportedField', `secret "${key}": ${error.message}`, { cause: error });
    }
    if (selected === undefined) throw new OperatorError('PropertyNotFound', `secret "${key}" has no property "${property}"`);
    doc = selected;
  } else {
    doc = typeof payload === 'string' ? utf8Encoder.encode(payload) : payload;
  }
  const top = unmarshalRawMessageMap(doc);
  if (top.kind === 'invalid') {
    throw new OperatorError('DecodingFailed', `${what} is not valid JSON (at byte ${top.at}); dataFrom.extract needs a JSON object`);
  }
  if (top.kind !== 'object' && top.kind !== 'null') {
    throw new OperatorError('DecodingFailed', `${what} is a JSON ${top.kind}, not an object; dataFrom.extract needs a JSON object`);
  }
  const out: Record<string, Uint8Array> = Object.create(null);
  for (const member of top.members) {
    const value = member.value;
    // ESO unmarshals each value into a string when it is one; `null` leaves the string empty.
    const first = value[0];
    const text = first === QUOTE ? unquote(value, 1, value.length - 1) : first === LOWER_N ? value.subarray(0, 0) : value;
    // Copies, so the map holds none of the secret's other bytes.
    out[utf8Decoder.decode(member.key)] = text.slice();
  }
  return out;
}

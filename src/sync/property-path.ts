/**
 * `remoteRef.property`: how ESO's AWS Secrets Manager provider picks one value out of a secret.
 *
 * ESO (providers/v1/aws/secretsmanager/secretsmanager.go: GetSecret, mapSecretToGjson,
 * escapeDotsIfRequired) hands the SecretString, or SecretBinary as text, to tidwall/gjson v1.18.0
 * without validating it first:
 *   1. if the property contains a dot, it asks gjson for the property with every `.` escaped, that is
 *      the whole property as one top-level key; if that exists, it is the answer;
 *   2. otherwise the property is a gjson path: `a.b` nested, `a.0` array index, `\.` an escaped dot,
 *      `*` and `?` wildcards in keys, `a.#` an array's length, `a.#.b` the `b` of every element;
 *   3. the value is gjson's `Result.String()`: a string unescaped; an object or array, and an integer
 *      without sign or fraction, exactly as written; other numbers re-printed by Go's
 *      `strconv.FormatFloat(f, 'f', -1, 64)` (`1.50` becomes `1.5`, `1e3` becomes `1000`);
 *      `true`/`false`; and `null` becomes the empty string.
 *
 * gjson scans without validating, so broken JSON gives whatever its scanner finds, and text without
 * `{` or `[` finds nothing. Manifests written for ESO must produce the same Secret byte for byte, so
 * ./gjson/ reproduces that scanner on UTF-8 bytes instead of using JSON.parse (which would also
 * re-serialise numbers). Path features that compute new JSON (modifiers such as `@reverse`, queries
 * `#(...)`, multipaths `[a,b]` and `{a,b}`, literals `!true`, JSON lines `..a`) throw
 * PropertyPathError rather than guess.
 */
import { utf8Encoder } from '../go/bytes.ts';
import { PropertyPathError } from '../go/gjson/path.ts';
import { lookup, resultText } from '../go/gjson/scanner.ts';

export { PropertyPathError };

/**
 * The bytes ESO would write for `property` of a secret (its SecretString, or its SecretBinary,
 * searched as text as ESO does), or undefined when ESO would report "key ... does not exist in
 * secret ...". An empty property means the whole secret, as in ESO. Throws only PropertyPathError.
 */
export function extractPropertyBytes(payload: Uint8Array | string, property: string): Uint8Array | undefined {
  const doc = typeof payload === 'string' ? utf8Encoder.encode(payload) : payload;
  if (property === '') return doc.slice();
  try {
    let path = utf8Encoder.encode(property);
    if (property.includes('.')) {
      // ESO's literal-key check: a dotted property that names a top-level key wins over the path.
      const literal = utf8Encoder.encode(property.replaceAll('.', '\\.'));
      if (lookup(doc, literal, 0) !== undefined) path = literal;
    }
    const found = lookup(doc, path, 0);
    return found === undefined ? undefined : resultText(found).slice();
  } catch (error) {
    // The scanner's messages say what is wrong; the user needs to see which property it is.
    if (error instanceof PropertyPathError) throw new PropertyPathError(`property ${JSON.stringify(property)} ${error.message}`);
    if (error instanceof RangeError) {
      // Call stack exhausted by a pathological path; gjson in Go would grow its stack instead.
      throw new PropertyPathError(`property ${JSON.stringify(property)} is too complex to evaluate`, { cause: error });
    }
    throw error;
  }
}

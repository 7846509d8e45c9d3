/**
 * `conversionStrategy`: ESO's runtime/esutils/utils.go ConvertKeys. Despite the API text ("decodes
 * \uXXXX escape sequences"), ESO converts *keys*, never values, and only in one place: the keys a
 * `dataFrom[].extract` or `dataFrom[].find` entry produces, and only when that entry has no
 * `rewrite` (pkg/controllers/externalsecret/externalsecret_controller_secret.go). The strategy on
 * `data[].remoteRef` is accepted and ignored, by ESO and so by us.
 *
 * Every character of a key that is not a Unicode letter or number (Go's unicode.IsLetter and
 * IsNumber), `-`, `.` or `_` is replaced:
 *   - Default (or unset): by `_`, so `db password` becomes `db_password` (Default is not a no-op);
 *   - Unicode: by `_U` + its code point in lower-case hex, at least four digits, + `_`, so `a/b`
 *     becomes `a_U002f_b` and `😀` becomes `_U1f600_`.
 * Letters outside ASCII are kept, and later refused by validateSecretKeys (rewrite.ts), as the
 * API server would refuse them in ESO. Two keys converting to the same key are an error, as in ESO.
 */
import type { RemoteRef } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';

export type ConversionStrategy = NonNullable<RemoteRef['conversionStrategy']>;

const KEPT = /^[\p{L}\p{N}._-]$/u;

/** One key as ESO's convert() writes it. A strategy ESO does not know leaves the key as it is, as in ESO. */
export function convertKey(key: string, strategy: ConversionStrategy | undefined): string {
  if (strategy !== undefined && strategy !== 'Default' && strategy !== 'Unicode') return key;
  let out = '';
  for (const ch of key) {
    if (KEPT.test(ch)) {
      out += ch;
      continue;
    }
    // A lone surrogate cannot occur in a Go string; it would be U+FFFD there.
    const cp = ch.length === 1 && ch >= '\ud800' && ch <= '\udfff' ? 0xfffd : ch.codePointAt(0)!;
    out += strategy === 'Unicode' ? `_U${cp.toString(16).padStart(4, '0')}_` : '_';
  }
  return out;
}

/**
 * ESO's ConvertKeys over the keys of one dataFrom entry. `context` names the entry, e.g.
 * `spec.dataFrom[0]`. Throws OperatorError InvalidSecretKey when two keys become one.
 */
export function convertKeys(
  map: Readonly<Record<string, Uint8Array>>,
  strategy: ConversionStrategy | undefined,
  context: string,
): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = Object.create(null);
  const from = new Map<string, string>();
  for (const [key, value] of Object.entries(map)) {
    const converted = convertKey(key, strategy);
    const other = from.get(converted);
    if (other !== undefined) {
      throw new OperatorError(
        'InvalidSecretKey',
        `${context}: keys ${JSON.stringify(other)} and ${JSON.stringify(key)} both become ${JSON.stringify(converted)} ` +
          `under conversionStrategy ${strategy ?? 'Default'}; add a rewrite to tell them apart`,
      );
    }
    from.set(converted, key);
    out[converted] = value;
  }
  return out;
}

/**
 * ESO's filterPEM (runtime/template/v2/pem.go): the PEM blocks of one type (compared without
 * ASCII case; Go's EqualFold also folds other letters, which PEM types do not use), re-encoded with their headers, in order. Like ESO, it first drops what precedes the first
 * "-----BEGIN" (anywhere, even mid-line: what Go's pem.Decode skipped before Go 1.25), and fails
 * only when nothing matched and something undecodable is left.
 */
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { decodePem, encodePem } from './pem.ts';

const asciiLower = (s: GoString): GoString => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function filterPEM(type: GoString, input: GoString): GoString {
  const start = input.indexOf('-----BEGIN');
  let rest = start === -1 ? input : input.slice(start);
  let out = '';
  const wanted = asciiLower(type);
  for (;;) {
    const [block, next] = decodePem(rest);
    rest = next;
    if (block === undefined) break;
    if (asciiLower(block.type) === wanted) out += encodePem(block);
  }
  if (out === '' && rest.length !== 0) throw new FuncError('error filtering pem: found junk');
  return out;
}

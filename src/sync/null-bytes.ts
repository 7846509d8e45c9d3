/**
 * `nullBytePolicy` of `data[].remoteRef`, `dataFrom[].extract` and `dataFrom[].find`, as ESO 2.9
 * applies it (pkg/controllers/externalsecret/externalsecret_controller_secret.go): with `Fail`, a
 * value that holds a NUL byte once it is final (after decodingStrategy; for dataFrom after the keys
 * are rewritten or converted too) fails the sync. ESO names the first such key in Go's string order,
 * so the message is the same from one reconcile to the next. `Ignore` (the default) keeps the bytes.
 */
import type { RemoteRef } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { sortedByUtf8 } from '../go/utf8.ts';

export type NullBytePolicy = NonNullable<RemoteRef['nullBytePolicy']>;

/**
 * Throws DecodingFailed (retried: the value in AWS can be fixed) when the policy is Fail and a value
 * holds a NUL byte, naming the key, never the value.
 */
export function rejectNullBytes(policy: NullBytePolicy | undefined, values: Readonly<Record<string, Uint8Array>>): void {
  if (policy !== 'Fail') return;
  const offending = Object.keys(values).filter((key) => values[key]!.includes(0));
  if (offending.length === 0) return;
  const first = sortedByUtf8(offending)[0]!;
  throw new OperatorError(
    'DecodingFailed',
    `the value of key ${JSON.stringify(first)} contains NUL bytes, which nullBytePolicy: Fail refuses; ` +
      'keep binary data in a text form (PEM, base64 read with decodingStrategy None) or drop nullBytePolicy: Fail',
  );
}

import type { ExternalSecret } from '../api/generated.ts';
import type { FetchedSecret, SecretRef } from '../aws/provider.ts';
import { DEFAULT_VERSION } from '../aws/secrets-manager.ts';
import { OperatorError } from '../errors.ts';
import { extractPropertyBytes } from './property-path.ts';

type Spec = ExternalSecret['spec'];

/** Identifies one fetch, so that several data items reading one AWS secret cost one call. */
export const refId = (ref: SecretRef): string => `${ref.version || DEFAULT_VERSION}\u0000${ref.key}`;

/** The distinct AWS secrets a spec reads, with the store's prefix applied. */
export function plannedFetches(spec: Spec, prefix = ''): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  for (const item of spec.data ?? []) {
    const ref = { key: prefix + item.remoteRef.key, version: item.remoteRef.version || DEFAULT_VERSION };
    refs.set(refId(ref), ref);
  }
  return [...refs.values()];
}

/**
 * The Secret's data from the spec and the fetched AWS secrets: pure, so it is
 * unit-tested without AWS. A missing property is an error naming key and property.
 */
export function secretData(spec: Spec, fetched: ReadonlyMap<string, FetchedSecret>, prefix = ''): Record<string, Uint8Array> {
  const data: Record<string, Uint8Array> = {};
  for (const item of spec.data ?? []) {
    const ref = { key: prefix + item.remoteRef.key, version: item.remoteRef.version || DEFAULT_VERSION };
    const secret = fetched.get(refId(ref));
    if (!secret) throw new OperatorError('InternalError', `secret "${ref.key}" was not fetched`);
    data[item.secretKey] = valueOf(secret, ref.key, item.remoteRef.property);
  }
  return data;
}

/** The bytes a remoteRef selects: the whole secret, or one property of its JSON. */
export function valueOf(secret: FetchedSecret, key: string, property: string | undefined): Uint8Array {
  if (!property) {
    if (secret.secretString !== undefined) return Buffer.from(secret.secretString, 'utf8');
    if (secret.secretBinary !== undefined) return secret.secretBinary;
    throw new OperatorError('AWSSecretNotFound', `secret "${key}" has neither a SecretString nor a SecretBinary`);
  }
  // A SecretBinary is read as JSON bytes too, byte-exact even when it is not valid UTF-8.
  const payload = secret.secretString ?? secret.secretBinary;
  const value = payload === undefined ? undefined : extractPropertyBytes(payload, property);
  if (value === undefined) {
    throw new OperatorError('PropertyNotFound', `secret "${key}" has no property "${property}"`);
  }
  return value;
}

import type { ExternalSecretSpec } from '../api/generated.ts';
import type { FetchedSecret } from '../aws/provider.ts';
import { OperatorError } from '../errors.ts';
import { decodeValue } from './decoding.ts';
import { extractMap } from './extract.ts';
import { entryStoreKey, type StorePrefixes } from './entry-store.ts';
import { fetchFor, fetchForFind, generateFetchFor, generatorRefOf, type Fetch } from './fetch-plan.ts';
import { rejectNullBytes } from './null-bytes.ts';
import { extractPropertyBytes, PropertyPathError } from './property-path.ts';
import { dataFromMap, rewriteKeys, RewriteBudget, validateSecretKeys, type TransformRenderer } from './rewrite.ts';
import { SizeTally } from './secret-size.ts';
import { targetKindNamed } from './target-kind.ts';

/** What one provider call gave: a secret, the secrets a find matched, a generator's output, or the error. */
export type FetchResult =
  | { ok: true; secret: FetchedSecret }
  | { ok: true; found: ReadonlyMap<string, Uint8Array> }
  | { ok: true; generated: Readonly<Record<string, Uint8Array>> }
  | { ok: false; error: unknown };

export interface ProviderData {
  data: Record<string, Uint8Array>;
  /** Entries skipped because their AWS secret is gone (deletionPolicy Delete or Merge), for Events. */
  missing: string[];
}

/**
 * The Secret's data from the spec and the fetch results, as ESO assembles it:
 * dataFrom entries in order (later wins), then data entries (which win over
 * dataFrom). Pure, so it is unit-tested without AWS. nullBytePolicy is checked on each
 * entry's final values, before they are added. Each entry's result is the one of its own
 * store (sync/entry-store.ts), with that store's prefix.
 *
 * A missing AWS secret is an error under deletionPolicy Retain; otherwise the entry
 * is skipped and reported, and an empty result feeds the deletion policy. The data's
 * size is counted as it is assembled: past what a Secret holds it is SecretTooLarge,
 * even if a template would use only part of it.
 */
export function assembleProviderData(
  spec: ExternalSecretSpec,
  results: ReadonlyMap<string, FetchResult>,
  prefixes: StorePrefixes,
  renderTransform: TransformRenderer,
): ProviderData {
  const data: Record<string, Uint8Array> = Object.create(null);
  const size = new SizeTally('the data gathered so far', undefined, targetKindNamed(spec));
  const put = (key: string, value: Uint8Array, at: string): void => {
    size.set(key, value.length, at);
    data[key] = value;
  };
  const missing: string[] = [];
  const rewriteBudget = new RewriteBudget();
  const skipMissing = (spec.target?.deletionPolicy ?? 'Retain') !== 'Retain';
  const prefixOf = (store: string, at: string): string => {
    const prefix = prefixes.get(store);
    if (prefix === undefined) throw new OperatorError('InternalError', `${at}: its store was not resolved`);
    return prefix;
  };
  const outcome = (fetch: Fetch, at: string): FetchResult | undefined => {
    const result = results.get(fetch.id);
    if (!result) throw new OperatorError('InternalError', `${at}: its provider call was not made`);
    if (result.ok) return result;
    if (skipMissing && result.error instanceof OperatorError && result.error.code === 'AWSSecretNotFound') {
      missing.push(`secret does not exist at provider using ${at}`);
      return undefined;
    }
    throw located(result.error, at);
  };

  (spec.dataFrom ?? []).forEach((entry, i) => {
    const at = `spec.dataFrom[${i}]`;
    const generator = generatorRefOf(entry);
    if (generator) {
      // ESO: the generator's keys, rewritten, then validated; no key conversion, no decoding.
      const result = outcome(generateFetchFor(i, generator), at);
      if (!result || !('generated' in result)) throw new OperatorError('InternalError', `${at}: its generator did not run`);
      try {
        const renamed = entry.rewrite?.length ? rewriteKeys(result.generated, entry.rewrite, renderTransform, `${at}.rewrite`, rewriteBudget) : result.generated;
        const entryData = validateSecretKeys(renamed, at);
        for (const [key, value] of Object.entries(entryData)) put(key, value, at);
      } catch (err) {
        throw located(err, at);
      }
      return;
    }
    const source = entry.extract ?? entry.find;
    if (!source) return;
    const store = entryStoreKey(spec, entry.sourceRef);
    const result = outcome(entry.extract ? fetchFor(entry.extract, prefixOf(store, at), store) : fetchForFind(entry.find!, store), at);
    if (!result?.ok || 'generated' in result) return;
    try {
      const map = 'found' in result
        ? Object.assign(Object.create(null), Object.fromEntries(result.found)) as Record<string, Uint8Array>
        : extractMap(payloadOf(result.secret), entry.extract!.key, entry.extract!.property);
      const entryData = dataFromMap(map, {
        rewrite: entry.rewrite,
        conversionStrategy: source.conversionStrategy,
        decodingStrategy: source.decodingStrategy,
        renderTransform,
        context: at,
        budget: rewriteBudget,
      });
      rejectNullBytes(source.nullBytePolicy, entryData);
      for (const [key, value] of Object.entries(entryData)) put(key, value, at);
    } catch (err) {
      throw located(err, at);
    }
  });

  (spec.data ?? []).forEach((item, i) => {
    const at = `spec.data[${i}] (key: ${item.remoteRef.key})`;
    const store = entryStoreKey(spec, item.sourceRef);
    const prefix = prefixOf(store, at);
    const result = outcome(fetchFor(item.remoteRef, prefix, store), at);
    if (!result?.ok || !('secret' in result)) return;
    try {
      const value = decodeValue(valueOf(result.secret, prefix + item.remoteRef.key, item.remoteRef.property), item.remoteRef.decodingStrategy, at);
      rejectNullBytes(item.remoteRef.nullBytePolicy, { [item.secretKey]: value });
      put(item.secretKey, value, at);
    } catch (err) {
      throw located(err, at);
    }
  });
  return { data, missing };
}

/** The bytes a remoteRef selects: the whole secret, or one property of its JSON. */
export function valueOf(secret: FetchedSecret, key: string, property: string | undefined): Uint8Array {
  if (!property) {
    if (secret.secretString !== undefined) return Buffer.from(secret.secretString, 'utf8');
    if (secret.secretBinary !== undefined) return secret.secretBinary;
    throw new OperatorError('AWSRequestFailed', `invalid secret received: no secret string nor binary for key "${key}"`);
  }
  // A SecretBinary is read as JSON bytes too, byte-exact even when it is not valid UTF-8.
  let value: Uint8Array | undefined;
  try {
    value = extractPropertyBytes(payloadOf(secret), property);
  } catch (error) {
    // gjson syntax we refuse (modifiers such as @reverse, queries): a spec error, not retried.
    if (error instanceof PropertyPathError) throw new OperatorError('UnsupportedField', `secret "${key}": ${error.message}`, { cause: error });
    throw error;
  }
  if (value === undefined) throw new OperatorError('PropertyNotFound', `secret "${key}" has no property "${property}"`);
  return value;
}

/** ESO reads the SecretBinary when it is set, else the SecretString. */
const payloadOf = (secret: FetchedSecret): string | Uint8Array => secret.secretBinary ?? secret.secretString ?? '';

/** Prefixes the spec location to an error, keeping its reason code. */
function located(err: unknown, at: string): OperatorError {
  if (err instanceof OperatorError) {
    if (err.message.startsWith('spec.')) return err;
    return new OperatorError(err.code, `${at}: ${err.message}`, { cause: err });
  }
  return new OperatorError('InternalError', `${at}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

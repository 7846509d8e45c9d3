import { createHash } from 'node:crypto';
import { sortedByUtf8 } from './utf8.ts';

/**
 * The hashes ESO writes, reproduced so that objects ESO wrote and objects we write agree.
 *
 * ESO 2.x, runtime/esutils/utils.go:
 *   ObjectHash(object) = hex(SHA3-224(fmt.Sprintf("%+v", object)))
 * (ESO used MD5 until PR #4696, April 2025; 2.x uses SHA3-224.) It is applied to:
 *   - the target Secret's `.data` (map[string][]byte) -> annotation reconcile.external-secrets.io/data-hash
 *     (pkg/controllers/externalsecret: computed over the Secret's final data, after templating and,
 *     for creationPolicy Merge and CreateOrMerge, over the keys already in the Secret as well);
 *   - `struct{annotations, labels map[string]string}` of the ExternalSecret -> HashMeta, and
 *     status.syncedResourceVersion = fmt.Sprintf("%d-%s", generation, HashMeta(meta))
 *     (pkg/controllers/util/util.go: GetResourceVersion);
 *   - the string "<namespace>/<name>" -> label reconcile.external-secrets.io/owner.
 * So the exact text Go's fmt prints for those values matters; the goFormat* helpers produce it.
 */

/** ESO's ObjectHash of a value whose Go `%+v` text is `text`: hex SHA3-224 of its UTF-8 bytes. */
export function objectHash(text: string): string {
  return createHash('sha3-224').update(text, 'utf8').digest('hex');
}

/** The `reconcile.external-secrets.io/data-hash` annotation for a Secret holding `data`. */
export function dataHash(data: Readonly<Record<string, Uint8Array>>): string {
  return objectHash(goFormatByteMap(data));
}

/** ESO's HashMeta: the hash of an object's labels and annotations. */
export function metaHash(labels?: Readonly<Record<string, string>>, annotations?: Readonly<Record<string, string>>): string {
  return objectHash(goFormatMeta(labels, annotations));
}

/**
 * `status.syncedResourceVersion` ESO writes after a sync: the generation and the metadata hash, so
 * that a label or annotation change (e.g. `force-sync=<timestamp>`) also means "sync again".
 */
export function syncedResourceVersion(
  generation: number,
  labels?: Readonly<Record<string, string>>,
  annotations?: Readonly<Record<string, string>>,
): string {
  if (!Number.isSafeInteger(generation)) throw new RangeError(`generation ${generation} is not an integer`);
  return `${generation}-${metaHash(labels, annotations)}`;
}

/** `%+v` of ESO's `meta` struct: fields in declaration order, annotations first. */
export function goFormatMeta(labels?: Readonly<Record<string, string>>, annotations?: Readonly<Record<string, string>>): string {
  return `{annotations:${goFormatStringMap(annotations)} labels:${goFormatStringMap(labels)}}`;
}

/** `%v` of a map[string]string: `map[k:v k2:v2]`, keys sorted (as Go sorts strings), nothing quoted; nil prints `map[]`. */
export function goFormatStringMap(map?: Readonly<Record<string, string>>): string {
  if (map === undefined) return 'map[]';
  return `map[${sortedByUtf8(Object.keys(map)).map((key) => `${key}:${map[key]!}`).join(' ')}]`;
}

/** `%v` of a map[string][]byte: each value as its decimal bytes, `map[password:[97 98]]`. */
export function goFormatByteMap(map: Readonly<Record<string, Uint8Array>>): string {
  return `map[${sortedByUtf8(Object.keys(map)).map((key) => `${key}:[${Array.from(map[key]!).join(' ')}]`).join(' ')}]`;
}

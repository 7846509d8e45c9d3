import type { ConfigMap } from '../api/core.ts';
import type { ExternalSecret } from '../api/generated.ts';
import { ANNOTATION_DATA_HASH } from '../api/well-known.ts';
import { goFormatStringMap, objectHash } from '../go/hash.ts';
import { validUtf8Text } from '../go/utf8.ts';
import { base64Length, layOverTarget, mergesIntoOthers, targetName, type RenderedTarget } from './desired-secret.ts';
import { withoutOwned } from './managed-fields.ts';
import { SizeTally } from './secret-size.ts';

/**
 * ESO's data-hash annotation on a generic target: the hash of the object's `data` as Go prints the
 * map (`map[k:v ...]`, keys sorted), not of bytes as for a Secret. An absent `data` is the empty map.
 */
export const configMapDataHash = (data: Readonly<Record<string, string>> | undefined): string => objectHash(goFormatStringMap(data ?? {}));

/**
 * The ConfigMap to write for spec.target.manifest {apiVersion: v1, kind: ConfigMap}: the live one
 * (if any) with this ExternalSecret's content laid over it, as the Secret is. Pure.
 *
 * As ESO does for a ConfigMap, each value goes to `data` as text (bytes that are not UTF-8 become
 * U+FFFD, as Go's JSON encoder writes them), labels and annotations are laid over the live ones
 * with the managed label added, and the data-hash annotation is the hash of `data`. The ownership
 * rules are the Secret's: a controller reference and the created-by label under creationPolicy
 * Owner, none otherwise; what this ExternalSecret wrote before (managedFields) is removed first, and
 * only Merge and CreateOrMerge keep others' keys. `binaryData`, which the operator never writes, is kept as it is.
 * The data and binaryData together may hold 1 MiB, keys counted, as Kubernetes checks it.
 */
export function nextConfigMap(es: ExternalSecret, rendered: RenderedTarget, live: ConfigMap | undefined): ConfigMap {
  return layOverTarget<ConfigMap>(es, rendered, live, {
    blank: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: targetName(es), namespace: es.metadata.namespace! } }),
    fill(next, owned) {
      // Null-prototype map: `__proto__` is a valid key and must stay one.
      const data: Record<string, string> = Object.create(null);
      if (mergesIntoOthers(es)) Object.assign(data, withoutOwned(live?.data, owned.data));
      for (const [key, value] of Object.entries(rendered.data)) data[key] = validUtf8Text(value);
      const size = new SizeTally("the ConfigMap's data and binaryData, keys included", undefined, 'ConfigMap');
      for (const [key, value] of Object.entries(data)) size.set(`data/${key}`, key.length + Buffer.byteLength(value, 'utf8'));
      for (const [key, value] of Object.entries(next.binaryData ?? {})) size.set(`binaryData/${key}`, key.length + base64Length(value));
      next.data = data;
    },
    hash: (next) => configMapDataHash(next.data),
  });
}

/** True when the ConfigMap's data still matches the hash written with it: nobody edited it by hand. */
export const configMapHashMatches = (configMap: ConfigMap): boolean =>
  configMap.metadata.annotations?.[ANNOTATION_DATA_HASH] === configMapDataHash(configMap.data);

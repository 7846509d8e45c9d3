import type { ConfigMap } from '../api/core.ts';
import type { ExternalSecret } from '../api/generated.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_VALUE, LABEL_OWNER } from '../api/well-known.ts';
import { goFormatStringMap, objectHash } from '../go/hash.ts';
import { validUtf8Text } from '../go/utf8.ts';
import { controllerReference, creationPolicy, mergesIntoOthers, ownerLabel, targetName, type RenderedTarget } from './desired-secret.ts';
import { fieldManagerFor, ownedFields } from './managed-fields.ts';
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
  const policy = creationPolicy(es);
  const next: ConfigMap = live
    ? structuredClone(live)
    : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: targetName(es), namespace: es.metadata.namespace! } };
  const meta = next.metadata;

  const others = (meta.ownerReferences ?? []).filter((r) => r.uid !== es.metadata.uid);
  meta.ownerReferences = policy === 'Owner' ? [...others, controllerReference(es)] : others;
  if (meta.ownerReferences.length === 0) delete meta.ownerReferences;

  if (es.spec.target?.immutable) next.immutable = true;
  // An immutable ConfigMap keeps the data it was created with; only a recreated one gets fresh data.
  if (!live || !es.spec.target?.immutable) {
    const owned = ownedFields(live?.metadata, fieldManagerFor(es.metadata.name));
    meta.labels = { ...without(meta.labels, owned.labels), ...rendered.labels };
    meta.annotations = { ...without(meta.annotations, owned.annotations), ...rendered.annotations };
    // Null-prototype map: `__proto__` is a valid key and must stay one.
    const data: Record<string, string> = Object.create(null);
    if (mergesIntoOthers(es)) Object.assign(data, without(live?.data, owned.data));
    for (const [key, value] of Object.entries(rendered.data)) data[key] = validUtf8Text(value);
    const size = new SizeTally("the ConfigMap's data and binaryData, keys included", undefined, 'ConfigMap');
    for (const [key, value] of Object.entries(data)) size.set(`data/${key}`, key.length + Buffer.byteLength(value, 'utf8'));
    for (const [key, value] of Object.entries(next.binaryData ?? {})) size.set(`binaryData/${key}`, key.length + base64Length(value));
    next.data = data;
  }

  meta.labels = { ...meta.labels, [LABEL_MANAGED]: LABEL_MANAGED_VALUE };
  if (policy === 'Owner') meta.labels[LABEL_OWNER] = ownerLabel(es);
  else delete meta.labels[LABEL_OWNER];
  meta.annotations = { ...meta.annotations, [ANNOTATION_DATA_HASH]: configMapDataHash(next.data) };
  return next;
}

/** True when the ConfigMap's data still matches the hash written with it: nobody edited it by hand. */
export const configMapHashMatches = (configMap: ConfigMap): boolean =>
  configMap.metadata.annotations?.[ANNOTATION_DATA_HASH] === configMapDataHash(configMap.data);

/** The bytes a base64 value decodes to, from its length. */
const base64Length = (s: string): number => Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);

function without<T>(map: Record<string, T> | undefined, drop: Set<string>): Record<string, T> {
  return Object.assign(Object.create(null), Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !drop.has(k))));
}

import type { Secret } from '../api/core.ts';
import type { ExternalSecret, OwnerReference } from '../api/generated.ts';
import { kinds } from '../api/kinds.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_VALUE, LABEL_OWNER } from '../api/well-known.ts';
import { dataHash, objectHash } from '../go/hash.ts';
import { templateFinalizers, withTemplateFinalizers } from './finalizers.ts';
import { fieldManagerFor, ownedFields, withoutOwned, type OwnedFields } from './managed-fields.ts';
import { SizeTally } from './secret-size.ts';

/** What the spec and the provider data ask the Secret to contain (templates applied). */
export interface RenderedTarget {
  data: Record<string, Uint8Array>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** template.type; absent keeps the existing type (a new Secret becomes Opaque). */
  type?: string;
}

export const targetName = (es: ExternalSecret): string => es.spec.target?.name || es.metadata.name;
export const creationPolicy = (es: ExternalSecret): string => es.spec.target?.creationPolicy ?? 'Owner';

/**
 * Merge and CreateOrMerge write their keys into a Secret others may write too: the keys others
 * put there are kept, and the Secret may have been made by someone else.
 */
export const mergesIntoOthers = (es: ExternalSecret): boolean => {
  const policy = creationPolicy(es);
  return policy === 'Merge' || policy === 'CreateOrMerge';
};

/**
 * The Secret to write: the live Secret (if any) with this ExternalSecret's content
 * laid over it, as ESO's mutation does it. Pure.
 *
 * What this ExternalSecret wrote before (from managedFields) is removed first, so
 * keys, labels and annotations it no longer produces disappear while others' stay.
 * Except under creationPolicy Merge and CreateOrMerge, the data is replaced whole. Under
 * those the other writers' keys count too: past what a Secret holds it is SecretTooLarge.
 * The template's finalizers are added, never removed (sync/finalizers.ts).
 */
export function nextSecret(es: ExternalSecret, rendered: RenderedTarget, live: Secret | undefined): Secret {
  return layOverTarget<Secret>(es, rendered, live, {
    blank: () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: targetName(es), namespace: es.metadata.namespace! } }),
    fill(next, owned) {
      const wanted = templateFinalizers(es);
      if (wanted.length) next.metadata.finalizers = withTemplateFinalizers(next.metadata, wanted);
      // Null-prototype maps: `__proto__` is a valid Secret key and must stay one.
      const data: Record<string, string> = Object.create(null);
      if (mergesIntoOthers(es)) {
        Object.assign(data, withoutOwned(live?.data, owned.data));
        const size = new SizeTally("the Secret's data, with the keys it already holds");
        for (const [key, value] of Object.entries(data)) if (!(key in rendered.data)) size.set(key, base64Length(value));
        for (const [key, value] of Object.entries(rendered.data)) size.set(key, value.length);
      }
      for (const [key, value] of Object.entries(rendered.data)) data[key] = Buffer.from(value).toString('base64');
      next.data = data;
      if (rendered.type) next.type = rendered.type;
      else if (!live) next.type = 'Opaque';
    },
    hash: (next) => dataHash(decodeData(next.data)),
  });
}

/** What a target kind (the Secret, the ConfigMap of spec.target.manifest) lays into the object beyond the metadata all targets share. */
export interface TargetContent<T> {
  /** The object to start from when there is none yet. */
  blank(): T;
  /** Writes the kind's content (data and its own fields); `owned` is what this ExternalSecret wrote before. */
  fill(next: T, owned: OwnedFields): void;
  /** ESO's data-hash annotation of the finished object. */
  hash(next: T): string;
}

type TargetMeta = NonNullable<Parameters<typeof ownedFields>[0]> & {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
};

/**
 * The target to write, of either kind: the live one (if any) with this ExternalSecret's content
 * laid over it. Ownership follows creationPolicy; what this ExternalSecret wrote before (from
 * managedFields) is removed before its labels and annotations are laid over; the managed labels
 * and the data-hash annotation come last, over whatever the template said. Pure.
 */
export function layOverTarget<T extends { metadata: TargetMeta; immutable?: boolean }>(
  es: ExternalSecret, rendered: RenderedTarget, live: T | undefined, content: TargetContent<T>,
): T {
  const next = live ? structuredClone(live) : content.blank();
  const meta = next.metadata;

  const others = (meta.ownerReferences ?? []).filter((r) => r.uid !== es.metadata.uid);
  meta.ownerReferences = creationPolicy(es) === 'Owner' ? [...others, controllerReference(es)] : others;
  if (meta.ownerReferences.length === 0) delete meta.ownerReferences;

  if (es.spec.target?.immutable) next.immutable = true;
  // An immutable target keeps the data it was created with; only a recreated one gets fresh data.
  if (!live || !es.spec.target?.immutable) {
    const owned = ownedFields(live?.metadata, fieldManagerFor(es.metadata.name));
    meta.labels = { ...withoutOwned(meta.labels, owned.labels), ...rendered.labels };
    meta.annotations = { ...withoutOwned(meta.annotations, owned.annotations), ...rendered.annotations };
    content.fill(next, owned);
  }

  // ESO's managed label always, its created-by label under creationPolicy Owner only.
  meta.labels = { ...meta.labels, [LABEL_MANAGED]: LABEL_MANAGED_VALUE };
  if (creationPolicy(es) === 'Owner') meta.labels[LABEL_OWNER] = ownerLabel(es);
  else delete meta.labels[LABEL_OWNER];
  meta.annotations = { ...meta.annotations, [ANNOTATION_DATA_HASH]: content.hash(next) };
  return next;
}

export function controllerReference(es: ExternalSecret): OwnerReference {
  return {
    apiVersion: kinds.ExternalSecret.apiVersion,
    kind: kinds.ExternalSecret.kind,
    name: es.metadata.name,
    uid: es.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller ownerReference of an object, if any. */
export const controllerOf = (metadata: { ownerReferences?: OwnerReference[] }): OwnerReference | undefined =>
  metadata.ownerReferences?.find((ref) => ref.controller);

/** The bytes a base64 value decodes to, from its length. */
export const base64Length = (s: string): number => Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);

export function decodeData(data: Record<string, string> | undefined): Record<string, Uint8Array> {
  const decoded: Record<string, Uint8Array> = Object.create(null);
  for (const [k, v] of Object.entries(data ?? {})) decoded[k] = Buffer.from(v, 'base64');
  return decoded;
}

/** ESO's owner label value: the hash of the ExternalSecret's "<namespace>/<name>". */
export const ownerLabel = (es: ExternalSecret): string => objectHash(`${es.metadata.namespace}/${es.metadata.name}`);

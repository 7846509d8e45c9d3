import { createHash } from 'node:crypto';

/**
 * The field manager this operator writes Secrets with. It is ESO's own name for the
 * same ExternalSecret, so a Secret written by ESO before a migration is recognised:
 * the keys, labels and annotations ESO wrote count as ours.
 */
export function fieldManagerFor(esName: string): string {
  const plain = `externalsecrets.external-secrets.io/${esName}`;
  if (plain.length <= 63) return plain;
  return `externalsecrets.external-secrets.io/sha3/${createHash('sha3-224').update(esName).digest('hex')}`;
}

export interface OwnedFields {
  data: Set<string>;
  labels: Set<string>;
  annotations: Set<string>;
}

interface ManagedFieldsEntry {
  manager?: string;
  fieldsV1?: Record<string, any>;
}

/**
 * The data keys, labels and annotations a manager last wrote, from the object's
 * managedFields. Knowing them lets an update remove what this ExternalSecret no
 * longer produces while keeping what others added.
 */
export function ownedFields(metadata: { managedFields?: ManagedFieldsEntry[] } | undefined, manager: string): OwnedFields {
  const owned: OwnedFields = { data: new Set(), labels: new Set(), annotations: new Set() };
  for (const entry of metadata?.managedFields ?? []) {
    if (entry.manager !== manager || !entry.fieldsV1) continue;
    collect(entry.fieldsV1['f:data'], owned.data);
    collect(entry.fieldsV1['f:metadata']?.['f:labels'], owned.labels);
    collect(entry.fieldsV1['f:metadata']?.['f:annotations'], owned.annotations);
  }
  return owned;
}

function collect(fields: Record<string, unknown> | undefined, into: Set<string>): void {
  for (const key of Object.keys(fields ?? {})) if (key.startsWith('f:')) into.add(key.slice(2));
}

/** The map without the keys a manager owned; a null-prototype map, so `__proto__` stays an ordinary key. */
export function withoutOwned<T>(map: Record<string, T> | undefined, owned: Set<string>): Record<string, T> {
  return Object.assign(Object.create(null), Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !owned.has(k))));
}

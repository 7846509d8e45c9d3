import type { ExternalSecret } from '../api/generated.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_VALUE, LABEL_OWNER } from '../api/well-known.ts';
import { dataHash, objectHash } from './go-hash.ts';

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    resourceVersion?: string;
    uid?: string;
    [k: string]: unknown;
  };
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export const targetName = (es: ExternalSecret): string => es.spec.target?.name || es.metadata.name;
export const creationPolicy = (es: ExternalSecret): string => es.spec.target?.creationPolicy ?? 'Owner';

/**
 * The Secret an ExternalSecret asks for, as a pure function of the ExternalSecret
 * and the resolved data. Labels and annotations match what ESO writes, so tooling
 * that reads ESO's Secrets reads ours.
 */
export function desiredSecret(es: ExternalSecret, data: Record<string, Uint8Array>): Secret {
  const owner = creationPolicy(es) === 'Owner';
  const labels: Record<string, string> = { [LABEL_MANAGED]: LABEL_MANAGED_VALUE };
  if (owner) labels[LABEL_OWNER] = objectHash(`${es.metadata.namespace}/${es.metadata.name}`);
  const encoded: Record<string, string> = {};
  for (const key of Object.keys(data).sort()) encoded[key] = Buffer.from(data[key]!).toString('base64');
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: targetName(es),
      namespace: es.metadata.namespace!,
      labels,
      annotations: { [ANNOTATION_DATA_HASH]: dataHash(data) },
    },
    type: 'Opaque',
    data: encoded,
  };
  if (owner) secret.metadata.ownerReferences = [controllerReference(es)];
  if (es.spec.target?.immutable) secret.immutable = true;
  return secret;
}

export function controllerReference(es: ExternalSecret): OwnerReference {
  return {
    apiVersion: es.apiVersion,
    kind: 'ExternalSecret',
    name: es.metadata.name,
    uid: es.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller ownerReference of an object, if any. */
export const controllerOf = (metadata: { ownerReferences?: OwnerReference[] }): OwnerReference | undefined =>
  metadata.ownerReferences?.find((ref) => ref.controller);

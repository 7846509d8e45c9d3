import { API_GROUP, type ClusterExternalSecret, type ExternalSecret, type OwnerReference } from '../../api/generated.ts';
import { clusterExternalSecrets, externalSecrets } from '../../kube/resources.ts';
import { canonicalJson } from '../conditions.ts';
import { externalSecretName } from './spec.ts';

/** Set, changed or removed on a ClusterExternalSecret, ESO mirrors it onto every ExternalSecret it owns. */
export const ANNOTATION_FORCE_SYNC = 'external-secrets.io/force-sync';

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** Whether an owner reference points at a ClusterExternalSecret, in any served version. */
const isCesRef = (ref: OwnerReference): boolean => groupOf(ref.apiVersion) === API_GROUP && ref.kind === clusterExternalSecrets.kind;
const refersTo = (ref: OwnerReference, cesName: string): boolean => isCesRef(ref) && ref.name === cesName;

/**
 * Name of the ClusterExternalSecret that controls this ExternalSecret, if one does.
 * As in ESO, ownership is the controller owner reference's group, kind and name: a
 * ClusterExternalSecret deleted and re-created under the same name takes its
 * ExternalSecrets back.
 */
export function controllingCes(es: ExternalSecret): string | undefined {
  const ref = es.metadata.ownerReferences?.find((r) => r.controller);
  return ref && isCesRef(ref) ? ref.name : undefined;
}

export function ownerReference(ces: ClusterExternalSecret): OwnerReference {
  return {
    apiVersion: clusterExternalSecrets.apiVersion,
    kind: clusterExternalSecrets.kind,
    name: ces.metadata.name,
    uid: ces.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner references with ours replacing any to the same ClusterExternalSecret (in place), else appended. */
function withOwner(refs: OwnerReference[] | undefined, ours: OwnerReference): OwnerReference[] {
  const list = refs ?? [];
  const at = list.findIndex((r) => refersTo(r, ours.name));
  return at === -1 ? [...list, ours] : list.map((r, i) => (i === at ? ours : r));
}

/**
 * The ExternalSecret a ClusterExternalSecret wants in a namespace, laid over the live
 * one when there is one. As ESO does it: labels and annotations are exactly
 * spec.externalSecretMetadata's (others are removed), the force-sync annotation
 * mirrors the ClusterExternalSecret's, the spec is spec.externalSecretSpec, and the
 * ClusterExternalSecret is the controller owner (other owners are kept).
 */
export function desiredExternalSecret(ces: ClusterExternalSecret, namespace: string, live?: ExternalSecret): ExternalSecret {
  const metadata = ces.spec.externalSecretMetadata ?? {};
  const annotations: Record<string, string> = { ...metadata.annotations };
  const forceSync = ces.metadata.annotations?.[ANNOTATION_FORCE_SYNC];
  if (forceSync !== undefined) annotations[ANNOTATION_FORCE_SYNC] = forceSync;
  else delete annotations[ANNOTATION_FORCE_SYNC];
  const labels = { ...metadata.labels };
  const { status: _status, ...base } = live ?? { metadata: { name: externalSecretName(ces), namespace } };
  return {
    ...base,
    apiVersion: externalSecrets.apiVersion,
    kind: externalSecrets.kind,
    metadata: {
      ...base.metadata,
      name: externalSecretName(ces),
      namespace,
      labels: Object.keys(labels).length ? labels : undefined,
      annotations: Object.keys(annotations).length ? annotations : undefined,
      ownerReferences: withOwner(live?.metadata.ownerReferences, ownerReference(ces)),
    },
    spec: structuredClone(ces.spec.externalSecretSpec),
  };
}

/** Whether writing `desired` over `live` would change anything the ClusterExternalSecret manages. */
export function sameExternalSecret(live: ExternalSecret, desired: ExternalSecret): boolean {
  const a = live.metadata;
  const b = desired.metadata;
  return canonicalJson(a.labels ?? {}) === canonicalJson(b.labels ?? {})
    && canonicalJson(a.annotations ?? {}) === canonicalJson(b.annotations ?? {})
    && canonicalJson(a.ownerReferences ?? []) === canonicalJson(b.ownerReferences ?? [])
    && canonicalJson(live.spec ?? {}) === canonicalJson(desired.spec ?? {});
}

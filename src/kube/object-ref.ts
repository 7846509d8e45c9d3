/**
 * Which object a controller reconciles: kind, namespace (absent when cluster-scoped) and
 * name, as controller-runtime's reconcile.Request and kube-rs's ObjectRef carry it. Typed, so
 * a controller serving two kinds (SecretStore and ClusterSecretStore) never parses a string.
 */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The reference to an object read from the apiserver (its kind set, as informers set it). */
export function refOf(object: { kind: string; metadata: { name: string; namespace?: string } }): ObjectRef {
  return ref(object.kind, object.metadata.name, object.metadata.namespace);
}

export function ref(kind: string, name: string, namespace?: string): ObjectRef {
  return namespace ? { kind, namespace, name } : { kind, name };
}

/** A string that names the reference exactly, for queues and indexes; refFromKey reads it back. */
export const refKey = (r: ObjectRef): string => JSON.stringify([r.kind, r.namespace ?? '', r.name]);

export function refFromKey(key: string): ObjectRef {
  const [kind, namespace, name] = JSON.parse(key) as [string, string, string];
  return ref(kind, name, namespace || undefined);
}

/** For logs: Kind/namespace/name. */
export const describeRef = (r: ObjectRef): string => [r.kind, r.namespace, r.name].filter(Boolean).join('/');

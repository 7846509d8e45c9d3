import { kinds, type KindInfo } from '../api/kinds.ts';

/** A kind's paths in the Kubernetes API. */
export interface ResourceType extends KindInfo {
  /** Collection path the kind is listed and watched at: across all namespaces, of a cluster-scoped kind, or of one namespace (inNamespace). */
  listPath(): string;
  /** Path of one object, or of the namespaced collection when name is omitted. */
  path(namespace: string | undefined, name?: string, subresource?: string): string;
}

/** Paths for a kind; `apiVersion` may name another served version than the table's (a v1beta1 manifest). */
export function resourceType(info: KindInfo, apiVersion = info.apiVersion): ResourceType {
  const { kind, plural, namespaced } = info;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return {
    apiVersion,
    kind,
    plural,
    namespaced,
    listPath: () => `${base}/${plural}`,
    path(namespace, name, subresource) {
      const ns = namespaced ? `/namespaces/${encodeURIComponent(namespace ?? '')}` : '';
      const one = name === undefined ? '' : `/${encodeURIComponent(name)}`;
      return `${base}${ns}/${plural}${one}${subresource ? `/${subresource}` : ''}`;
    },
  };
}

/** A namespaced kind listed and watched in one namespace only, as a namespace-scoped Role allows. */
export function inNamespace(type: ResourceType, namespace: string): ResourceType {
  if (!type.namespaced) throw new Error(`${type.kind} is cluster-scoped: it cannot be watched in one namespace`);
  return { ...type, listPath: () => type.path(namespace) };
}

// The kinds of src/api/kinds.ts the operator reads and writes, by the names its code uses.
export const externalSecrets = resourceType(kinds.ExternalSecret);
export const secretStores = resourceType(kinds.SecretStore);
export const clusterSecretStores = resourceType(kinds.ClusterSecretStore);
export const clusterExternalSecrets = resourceType(kinds.ClusterExternalSecret);
export const pushSecrets = resourceType(kinds.PushSecret);
export const secrets = resourceType(kinds.Secret);
export const configMaps = resourceType(kinds.ConfigMap);
export const serviceAccounts = resourceType(kinds.ServiceAccount);
export const namespaces = resourceType(kinds.Namespace);
export const events = resourceType(kinds.Event);
export const leases = resourceType(kinds.Lease);
export const deployments = resourceType(kinds.Deployment);
export const statefulSets = resourceType(kinds.StatefulSet);
export const daemonSets = resourceType(kinds.DaemonSet);
export const customResourceDefinitions = resourceType(kinds.CustomResourceDefinition);

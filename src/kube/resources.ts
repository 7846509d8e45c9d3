/** Where a kind lives in the Kubernetes API. */
export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Collection path across all namespaces (or of a cluster-scoped kind). */
  listPath(): string;
  /** Path of one object, or of the namespaced collection when name is omitted. */
  path(namespace: string | undefined, name?: string, subresource?: string): string;
}

export function resourceType(apiVersion: string, kind: string, plural: string, namespaced: boolean): ResourceType {
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

export const externalSecrets = resourceType('external-secrets.io/v1', 'ExternalSecret', 'externalsecrets', true);
export const secretStores = resourceType('external-secrets.io/v1', 'SecretStore', 'secretstores', true);
export const clusterSecretStores = resourceType('external-secrets.io/v1', 'ClusterSecretStore', 'clustersecretstores', false);
export const clusterExternalSecrets = resourceType('external-secrets.io/v1', 'ClusterExternalSecret', 'clusterexternalsecrets', false);
export const secrets = resourceType('v1', 'Secret', 'secrets', true);
export const serviceAccounts = resourceType('v1', 'ServiceAccount', 'serviceaccounts', true);
export const namespaces = resourceType('v1', 'Namespace', 'namespaces', false);
export const events = resourceType('v1', 'Event', 'events', true);
export const customResourceDefinitions = resourceType('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false);

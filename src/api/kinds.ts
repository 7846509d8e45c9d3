import { crdKinds } from './generated.ts';

/** Where a kind lives in the Kubernetes API. */
export interface KindInfo {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/**
 * Every kind the operator, the local environment and the tests address: the external-secrets.io kinds as the CRDs
 * define them (generated), and the core kinds. The informers, the writers and `dev/apply.ts` all find paths here.
 */
export const kinds = {
  ...crdKinds,
  Secret: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  Namespace: { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  Event: { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  Lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  // The workloads a rolling restart patches (ROLLING_RESTART).
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
  // The RBAC the local environment applies from deploy/aws-secrets-operator.yaml.
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
} as const satisfies Record<string, KindInfo>;

/** The table's entry for a manifest's kind, if the kind is one of ours and its API group matches. */
export function kindOf(apiVersion: string, kind: string): KindInfo | undefined {
  const info: KindInfo | undefined = (kinds as Record<string, KindInfo>)[kind];
  return info && groupOf(info.apiVersion) === groupOf(apiVersion) ? info : undefined;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

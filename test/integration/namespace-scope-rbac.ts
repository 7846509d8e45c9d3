export interface NamespaceScope {
  /** The one namespace the operator serves (WATCH_NAMESPACE). */
  watchNamespace: string;
  /** The operator's own namespace (POD_NAMESPACE), where its ServiceAccount and its leader-election Lease live. */
  operatorNamespace: string;
  serviceAccount: string;
}

/**
 * The RBAC of an operator installed for one namespace: a Role and RoleBinding there (no ClusterRole), and the
 * leader-election Role in its own namespace, with exactly the verbs that mode uses. The one place these rules are
 * written, until the Helm chart's `scope.namespace` renders them.
 */
export function namespaceScopeRbac(scope: NamespaceScope): any[] {
  const subjects = [{ kind: 'ServiceAccount', name: scope.serviceAccount, namespace: scope.operatorNamespace }];
  const bound = (namespace: string, name: string, rules: unknown[]) => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects,
    },
  ];
  return [
    ...bound(scope.watchNamespace, 'aws-secrets-operator', [
      // Its ExternalSecrets and SecretStores: cached (list and watch), their status written.
      { apiGroups: ['external-secrets.io'], resources: ['externalsecrets', 'secretstores'], verbs: ['list', 'watch'] },
      { apiGroups: ['external-secrets.io'], resources: ['externalsecrets/status', 'secretstores/status'], verbs: ['patch'] },
      // Target Secrets: watched through the managed label, read and written by name; static credentials read.
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
      // templateFrom ConfigMaps.
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      // auth.jwt.serviceAccountRef: the role annotation, then a token.
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
      { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]),
    ...bound(scope.operatorNamespace, 'aws-secrets-operator-leader-election', [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]),
  ];
}

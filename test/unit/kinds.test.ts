import { describe, expect, it } from 'vitest';
import { objectPath } from '../../dev/apply.ts';
import { kindOf, kinds } from '../../src/api/kinds.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';

describe('the table of kinds', () => {
  it('finds a manifest\'s kind only within its API group', () => {
    expect(kindOf('external-secrets.io/v1beta1', 'ExternalSecret')).toBe(kinds.ExternalSecret);
    expect(kindOf('v1', 'Secret')).toBe(kinds.Secret);
    expect(kindOf('example.com/v1', 'Secret')).toBeUndefined();
    expect(kindOf('v1', 'ExternalSecret')).toBeUndefined();
    expect(kindOf('v1', 'Pod')).toBeUndefined();
  });

  it('gives the paths the apiserver serves, in the manifest\'s own version', () => {
    expect(externalSecrets.path('team a', 'db')).toBe('/apis/external-secrets.io/v1/namespaces/team%20a/externalsecrets/db');
    expect(secrets.listPath()).toBe('/api/v1/secrets');
    expect(objectPath({ apiVersion: 'external-secrets.io/v1beta1', kind: 'ClusterSecretStore', metadata: { name: 'aws' } }))
      .toBe('/apis/external-secrets.io/v1beta1/clustersecretstores/aws');
    expect(objectPath({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r', namespace: 'ns' } }))
      .toBe('/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings/r');
    expect(() => objectPath({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toThrow(/no resource mapping for v1 Pod/);
  });
});

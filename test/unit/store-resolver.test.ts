import { describe, expect, it } from 'vitest';
import type { ClusterSecretStore, ExternalSecret, SecretStore } from '../../src/api/generated.ts';
import { resolveStore, type StoreLookup } from '../../src/controllers/externalsecret/store-resolver.ts';
import { compileSelector } from '../../src/kube/label-selector.ts';
import { codeOf } from '../helpers/expect-helpers.ts';
import { validateStore } from '../../src/controllers/secretstore/validate.ts';

const aws = { service: 'SecretsManager' as const, region: 'eu-west-1' };
const ss = (namespace: string, name: string, provider: any = { aws }): SecretStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace }, spec: { provider } });
const css = (name: string, conditions?: any[]): ClusterSecretStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { aws }, conditions } });
const es = (namespace: string, storeName: string, kind?: 'SecretStore' | 'ClusterSecretStore'): ExternalSecret =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace }, spec: { secretStoreRef: { name: storeName, kind } } });

function lookup(stores: Array<SecretStore | ClusterSecretStore>, nsLabels: Record<string, Record<string, string>> = {}): StoreLookup {
  return {
    secretStore: (ns, name) => stores.find((s): s is SecretStore => s.kind === 'SecretStore' && s.metadata.namespace === ns && s.metadata.name === name),
    cluster: {
      clusterSecretStore: (name) => stores.find((s): s is ClusterSecretStore => s.kind === 'ClusterSecretStore' && s.metadata.name === name),
      namespaceLabels: (ns) => nsLabels[ns],
    },
  };
}

describe('resolveStore', () => {
  it('finds a SecretStore only in the ExternalSecret\'s own namespace', () => {
    const stores = [ss('team-a', 'aws')];
    expect(resolveStore(es('team-a', 'aws'), lookup(stores))).toMatchObject({ kind: 'SecretStore', namespace: 'team-a', name: 'aws' });
    expect(codeOf(() => resolveStore(es('team-b', 'aws'), lookup(stores)))).toBe('StoreNotFound');
  });

  it('admits a namespace to a ClusterSecretStore by name, regex or label selector', () => {
    const stores = [css('shared', [{ namespaces: ['a'] }, { namespaceRegexes: ['^team-'] }, { namespaceSelector: { matchLabels: { tier: 'prod' } } }])];
    const l = lookup(stores, { labelled: { tier: 'prod' }, other: { tier: 'dev' } });
    for (const ns of ['a', 'team-x', 'labelled']) expect(resolveStore(es(ns, 'shared', 'ClusterSecretStore'), l).kind).toBe('ClusterSecretStore');
    for (const ns of ['b', 'my-team-x', 'other']) expect(codeOf(() => resolveStore(es(ns, 'shared', 'ClusterSecretStore'), l))).toBe('StoreNotAllowed');
  });

  it('reads namespaceRegexes as Go\'s regexp.MatchString: unanchored, with Go\'s syntax such as (?i)', () => {
    // JavaScript's RegExp refuses `(?i)`: the pattern used to be skipped, refusing every namespace.
    const l = lookup([css('shared', [{ namespaceRegexes: ['(?i)PROD', '^\\Qa.b\\E$'] }])]);
    for (const ns of ['prod', 'my-prod-1', 'a.b']) expect(resolveStore(es(ns, 'shared', 'ClusterSecretStore'), l).kind).toBe('ClusterSecretStore');
    for (const ns of ['dev', 'axb']) expect(codeOf(() => resolveStore(es(ns, 'shared', 'ClusterSecretStore'), l))).toBe('StoreNotAllowed');
  });

  it('fails on a namespaceRegex Go cannot compile, where ESO evaluates it (after names and selector, in order)', () => {
    const stores = [css('shared', [{ namespaces: ['listed'] }, { namespaceRegexes: ['^early$', '(unclosed', '^late$'] }])];
    const l = lookup(stores);
    // Admitted before the bad pattern is reached.
    for (const ns of ['listed', 'early']) expect(resolveStore(es(ns, 'shared', 'ClusterSecretStore'), l).kind).toBe('ClusterSecretStore');
    for (const ns of ['late', 'other']) {
      expect(() => resolveStore(es(ns, 'shared', 'ClusterSecretStore'), l)).toThrow(expect.objectContaining({
        code: 'InvalidProviderConfig',
        message: 'ClusterSecretStore "shared": spec.conditions[1].namespaceRegexes[1]: error parsing regexp: missing closing ): `(unclosed`',
      }));
    }
  });

  it('refuses a namespaceRegex too large to run as UnsupportedField', () => {
    const l = lookup([css('shared', [{ namespaceRegexes: ['a{1000}'.repeat(11)] }])]);
    expect(codeOf(() => resolveStore(es('ns', 'shared', 'ClusterSecretStore'), l))).toBe('UnsupportedField');
  });

  it('a ClusterSecretStore without conditions is usable from every namespace', () => {
    expect(resolveStore(es('anything', 'shared', 'ClusterSecretStore'), lookup([css('shared')])).name).toBe('shared');
  });

  it('serves no ClusterSecretStore, even one that exists, when the operator watches one namespace (no cluster lookup)', () => {
    const { cluster: _, ...scoped } = lookup([css('shared'), ss('team-a', 'aws')]);
    expect(() => resolveStore(es('team-a', 'shared', 'ClusterSecretStore'), scoped)).toThrow(expect.objectContaining({
      code: 'ClusterSecretStoreDisabled',
      retryable: false,
      message: 'ClusterSecretStore "shared" is not served: this operator watches only namespace "team-a" (WATCH_NAMESPACE) '
        + 'and reads no ClusterSecretStore in that mode; use a SecretStore of this namespace',
    }));
    expect(resolveStore(es('team-a', 'aws'), scoped)).toMatchObject({ kind: 'SecretStore', namespace: 'team-a', name: 'aws' });
  });
});

describe('validateStore', () => {
  it('rejects other providers, ParameterStore, a missing region and both auth forms', () => {
    expect(codeOf(() => validateStore(ss('n', 's', { vault: {} })))).toBe('UnsupportedProvider');
    expect(codeOf(() => validateStore(ss('n', 's', { aws: { ...aws, service: 'ParameterStore' } })))).toBe('UnsupportedProvider');
    expect(codeOf(() => validateStore(ss('n', 's', { aws: { service: 'SecretsManager' } })))).toBe('InvalidProviderConfig');
    expect(codeOf(() => validateStore(ss('n', 's', { aws, vault: {} })))).toBe('InvalidProviderConfig');
    const both = { aws: { ...aws, auth: { jwt: { serviceAccountRef: { name: 'sa' } }, secretRef: { accessKeyIDSecretRef: { name: 'k', key: 'id' }, secretAccessKeySecretRef: { name: 'k', key: 's' } } } } };
    expect(codeOf(() => validateStore(ss('n', 's', both)))).toBe('InvalidProviderConfig');
  });

  it('forbids a SecretStore to reference another namespace', () => {
    const foreign = { aws: { ...aws, auth: { jwt: { serviceAccountRef: { name: 'sa', namespace: 'kube-system' } } } } };
    expect(codeOf(() => validateStore(ss('team-a', 's', foreign)))).toBe('InvalidProviderConfig');
    const own = { aws: { ...aws, auth: { jwt: { serviceAccountRef: { name: 'sa', namespace: 'team-a' } } } } };
    expect(codeOf(() => validateStore(ss('team-a', 's', own)))).toBeUndefined();
  });
});

describe('compileSelector, as ClusterSecretStore conditions use it', () => {
  it('follows Kubernetes label-selector semantics', () => {
    const labels = { env: 'prod', team: 'a' };
    expect(compileSelector({})(labels)).toBe(true);
    expect(compileSelector({ matchLabels: { env: 'prod' } })(labels)).toBe(true);
    expect(compileSelector({ matchLabels: { env: 'dev' } })(labels)).toBe(false);
    expect(compileSelector({ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] })(labels)).toBe(true);
    expect(compileSelector({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] })(labels)).toBe(false);
    expect(compileSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] })(labels)).toBe(true);
    expect(compileSelector({ matchExpressions: [{ key: 'x', operator: 'Exists' }] })(labels)).toBe(false);
  });
});

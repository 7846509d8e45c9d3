import { describe, expect, it } from 'vitest';
import type { ClusterSecretStore, ExternalSecret, SecretStore } from '../../src/api/generated.ts';
import { OperatorError } from '../../src/errors.ts';
import { atStore, MOST_STORES, resolveStores, type StoreLookup } from '../../src/controllers/externalsecret/store-resolver.ts';
import { ref } from '../../src/kube/object-ref.ts';
import { compileSelector } from '../../src/kube/label-selector.ts';
import { codeOf } from '../helpers/expect-helpers.ts';
import { validateStore } from '../../src/controllers/secretstore/validate.ts';

const aws = { service: 'SecretsManager' as const, region: 'eu-west-1' };
const ss = (namespace: string, name: string, provider: any = { aws }): SecretStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace }, spec: { provider } });
const css = (name: string, conditions?: any[]): ClusterSecretStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { aws }, conditions } });
const withSpec = (namespace: string, spec: ExternalSecret['spec']): ExternalSecret =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace }, spec });
const es = (namespace: string, storeName: string, kind?: 'SecretStore' | 'ClusterSecretStore'): ExternalSecret =>
  withSpec(namespace, { secretStoreRef: { name: storeName, kind }, data: [{ secretKey: 'k', remoteRef: { key: 'k' } }] });

/** The one store an ExternalSecret reading only through its secretStoreRef resolves to. */
function resolveStore(e: ExternalSecret, l: StoreLookup) {
  const resolved = [...resolveStores(e, l).values()];
  expect(resolved).toHaveLength(1);
  return resolved[0]!.identity;
}

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

describe('resolveStores: an entry\'s own sourceRef.storeRef', () => {
  const stores = [ss('team-a', 'aws'), ss('team-a', 'other', { aws: { ...aws, prefix: 'o/' } }), ss('team-b', 'foreign'), css('shared', [{ namespaces: ['team-a'] }])];
  const keys = (e: ExternalSecret, l = lookup(stores)) => [...resolveStores(e, l)].map(([key, r]) => [key, r.ref]);

  it('resolves every store the entries read through, once each, in ESO\'s order (dataFrom, then data)', () => {
    const e = withSpec('team-a', {
      secretStoreRef: { name: 'aws' },
      data: [
        { secretKey: 'a', remoteRef: { key: 'a' } },
        { secretKey: 'b', remoteRef: { key: 'b' }, sourceRef: { storeRef: { name: 'other' } } },
        { secretKey: 'c', remoteRef: { key: 'c' }, sourceRef: { storeRef: { name: 'other', kind: 'SecretStore' } } },
      ],
      dataFrom: [{ find: { path: 'p' }, sourceRef: { storeRef: { name: 'shared', kind: 'ClusterSecretStore' } } }],
    });
    expect(keys(e)).toEqual([
      ['ClusterSecretStore/shared', ref('ClusterSecretStore', 'shared')],
      ['', ref('SecretStore', 'aws', 'team-a')],
      ['SecretStore/other', ref('SecretStore', 'other', 'team-a')],
    ]);
    expect(resolveStores(e, lookup(stores)).get('SecretStore/other')?.identity).toMatchObject({ kind: 'SecretStore', namespace: 'team-a', name: 'other', aws: { prefix: 'o/' } });
  });

  it('needs no secretStoreRef, and does not look up one, when every entry names its own store', () => {
    const data = [{ secretKey: 'a', remoteRef: { key: 'a' }, sourceRef: { storeRef: { name: 'other' } } }];
    expect(keys(withSpec('team-a', { data }))).toEqual([['SecretStore/other', ref('SecretStore', 'other', 'team-a')]]);
    expect(keys(withSpec('team-a', { secretStoreRef: { name: 'missing' }, data }))).toEqual([['SecretStore/other', ref('SecretStore', 'other', 'team-a')]]);
    // A dataFrom entry with a storeRef but neither extract nor find reads nothing: ESO looks up no store for it.
    expect(keys(withSpec('team-a', { data, dataFrom: [{ sourceRef: { storeRef: { name: 'missing' } } }] })).map(([k]) => k)).toEqual(['SecretStore/other']);
  });

  it('an entry without a store of its own needs secretStoreRef, and the message names the entry', () => {
    const e = withSpec('team-a', { data: [
      { secretKey: 'a', remoteRef: { key: 'a' }, sourceRef: { storeRef: { name: 'other' } } },
      { secretKey: 'b', remoteRef: { key: 'b' } },
    ] });
    expect(() => resolveStores(e, lookup(stores))).toThrow(expect.objectContaining({
      code: 'InvalidSpec', retryable: false, message: 'spec.secretStoreRef.name is required: spec.data[1] names no sourceRef.storeRef of its own',
    }));
  });

  it('reports a sourceRef store that is missing, elsewhere, refused or unusable as for secretStoreRef, naming the sourceRef', () => {
    const failure = (storeRef: { name?: string; kind?: 'SecretStore' | 'ClusterSecretStore' }, namespace = 'team-a', l = lookup(stores)) => {
      try {
        resolveStores(withSpec(namespace, { secretStoreRef: { name: 'aws' }, data: [
          { secretKey: 'a', remoteRef: { key: 'a' } },
          { secretKey: 'b', remoteRef: { key: 'b' }, sourceRef: { storeRef } },
        ] }), l);
      } catch (err) {
        return { code: (err as { code: string }).code, message: (err as Error).message };
      }
      return undefined;
    };
    expect(failure({ name: 'gone' })).toEqual({ code: 'StoreNotFound', message: 'spec.data[1].sourceRef.storeRef: SecretStore "gone" not found in namespace "team-a"' });
    // A SecretStore of another namespace is never reached.
    expect(failure({ name: 'foreign' })).toEqual({ code: 'StoreNotFound', message: 'spec.data[1].sourceRef.storeRef: SecretStore "foreign" not found in namespace "team-a"' });
    expect(failure({ name: 'gone', kind: 'ClusterSecretStore' })).toEqual({ code: 'StoreNotFound', message: 'spec.data[1].sourceRef.storeRef: ClusterSecretStore "gone" not found' });
    expect(failure({ name: 'shared', kind: 'ClusterSecretStore' }, 'team-b', lookup([...stores, ss('team-b', 'aws')]))).toEqual({
      code: 'StoreNotAllowed', message: 'spec.data[1].sourceRef.storeRef: ClusterSecretStore "shared" does not allow namespace "team-b" (spec.conditions)',
    });
    expect(failure({ name: 'vault' }, 'team-a', lookup([...stores, ss('team-a', 'vault', { vault: {} })]))?.code).toBe('UnsupportedProvider');
    expect(failure({ kind: 'SecretStore' })).toEqual({ code: 'InvalidSpec', message: 'spec.data[1].sourceRef.storeRef: name is required' });
    const { cluster: _, ...scoped } = lookup(stores);
    expect(failure({ name: 'shared', kind: 'ClusterSecretStore' }, 'team-a', scoped)).toEqual({
      code: 'ClusterSecretStoreDisabled',
      message: 'spec.data[1].sourceRef.storeRef: ClusterSecretStore "shared" is not served: this operator watches only namespace "team-a" (WATCH_NAMESPACE) '
        + 'and reads no ClusterSecretStore in that mode; use a SecretStore of this namespace',
    });
  });

  it('reads through at most MOST_STORES stores, refusing the spec when it names more', () => {
    const many = Array.from({ length: MOST_STORES + 1 }, (_, i) => ss('team-a', `s${i}`));
    const entries = (n: number) => many.slice(0, n).map((s, i) => ({ secretKey: `k${i}`, remoteRef: { key: 'k' }, sourceRef: { storeRef: { name: s.metadata.name } } }));
    expect(resolveStores(withSpec('team-a', { data: entries(MOST_STORES) }), lookup(many)).size).toBe(MOST_STORES);
    expect(() => resolveStores(withSpec('team-a', { data: entries(MOST_STORES + 1) }), lookup(many))).toThrow(expect.objectContaining({
      code: 'InvalidSpec',
      message: `spec.data[${MOST_STORES}].sourceRef.storeRef: the entries read through more than ${MOST_STORES} stores; this operator reads at most ${MOST_STORES} per ExternalSecret`,
    }));
  });
});

describe('validateStore', () => {
  it('rejects other providers, CertificateManager, a missing region and both auth forms; accepts ParameterStore', () => {
    expect(codeOf(() => validateStore(ss('n', 's', { vault: {} })))).toBe('UnsupportedProvider');
    expect(codeOf(() => validateStore(ss('n', 's', { aws: { ...aws, service: 'CertificateManager' } })))).toBe('UnsupportedProvider');
    expect(validateStore(ss('n', 's', { aws: { ...aws, service: 'ParameterStore' } })).service).toBe('ParameterStore');
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

describe('atStore', () => {
  it('locates an error of a sourceRef store at that sourceRef, keeping its code; secretStoreRef\'s stay as they are', () => {
    const err = new OperatorError('ServiceAccountNotFound', 'ServiceAccount ns/sa not found');
    expect(atStore('spec.data[1].sourceRef.storeRef', err)).toMatchObject({ code: 'ServiceAccountNotFound', message: 'spec.data[1].sourceRef.storeRef: ServiceAccount ns/sa not found' });
    expect(atStore(undefined, err)).toBe(err);
    const other = new Error('boom');
    expect(atStore('spec.data[1].sourceRef.storeRef', other)).toBe(other);
  });
});

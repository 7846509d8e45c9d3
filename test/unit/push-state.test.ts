import { describe, expect, it } from 'vitest';
import type { ClusterSecretStore, PushSecret, PushSecretData, SecretStore } from '../../src/api/generated.ts';
import { failedStatus, syncedStatus } from '../../src/push/push-status.ts';
import { resolvePushStores, type PushStoreLookup } from '../../src/push/push-stores.ts';
import { pushDue, refreshIntervalMs, unsupportedFields } from '../../src/push/push-refresh.ts';
import { mergeSynced, remoteRefKey, staleEntries, storeKey, storeOfKey, withoutDeleted } from '../../src/push/synced-pushes.ts';

const e = (remoteKey: string, property?: string): PushSecretData => ({ match: { secretKey: 'k', remoteRef: { remoteKey, ...(property ? { property } : {}) } } });

describe('status.syncedPushSecrets', () => {
  it('keys stores and remote references as ESO does', () => {
    expect(storeKey('ClusterSecretStore', 'shared')).toBe('ClusterSecretStore/shared');
    expect(storeOfKey('SecretStore/a/b')).toEqual({ kind: 'SecretStore', name: 'a/b' });
    expect(storeOfKey('ClusterSecretStore/shared')).toEqual({ kind: 'ClusterSecretStore', name: 'shared' });
    expect(remoteRefKey(e('db'))).toBe('db');
    expect(remoteRefKey(e('db', 'user'))).toBe('db/user');
  });

  it('finds what the last push wrote and this one does not: a removed entry, a removed store, everything on deletion', () => {
    const previous = { 'SecretStore/a': { x: e('x'), y: e('y') }, 'SecretStore/b': { z: e('z') } };
    const current = { 'SecretStore/a': { x: e('x') } };
    expect(staleEntries(previous, current)).toEqual([
      { store: 'SecretStore/a', ref: 'y', entry: e('y') },
      { store: 'SecretStore/b', ref: 'z', entry: e('z') },
    ]);
    expect(staleEntries(previous, {})).toHaveLength(3);
    expect(staleEntries(undefined, current)).toEqual([]);
  });

  it('after a failure, remembers what was written before and now (ESO\'s mergeSecretState), minus what was deleted', () => {
    const merged = mergeSynced({ 'SecretStore/a': { n: e('n') } }, { 'SecretStore/a': { o: e('o') }, 'SecretStore/b': { z: e('z') } });
    expect(merged).toEqual({ 'SecretStore/a': { n: e('n'), o: e('o') }, 'SecretStore/b': { z: e('z') } });
    expect(withoutDeleted(merged, [{ store: 'SecretStore/b', ref: 'z', entry: e('z') }, { store: 'SecretStore/a', ref: 'o', entry: e('o') }]))
      .toEqual({ 'SecretStore/a': { n: e('n') } });
  });
});

const push = (spec: Partial<PushSecret['spec']> = {}, status?: PushSecret['status']): PushSecret => ({
  apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret',
  metadata: { name: 'ps', namespace: 'team', generation: 3, labels: { a: 'b' } },
  spec: { secretStoreRefs: [{ name: 'aws', kind: 'SecretStore' }], selector: { secret: { name: 'src' } }, ...spec },
  ...(status ? { status } : {}),
});

describe('PushSecret status', () => {
  const now = Date.parse('2026-12-03T10:00:00.400Z');

  it('after a push: Ready Synced with ESO\'s message, refreshTime, syncedResourceVersion and the map', () => {
    const synced = { 'SecretStore/aws': { r: e('r') } };
    const status = syncedStatus(push(), synced, now);
    expect(status).toEqual({
      refreshTime: '2026-12-03T10:00:00Z',
      syncedResourceVersion: expect.stringMatching(/^3-[0-9a-f]+$/),
      syncedPushSecrets: synced,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Synced', message: 'PushSecret synced successfully', lastTransitionTime: '2026-12-03T10:00:00Z' }],
    });
    expect(syncedStatus(push({ updatePolicy: 'IfNotExists' }), {}, now).conditions![0]!.message)
      .toBe('PushSecret synced successfully. Existing secrets in providers unchanged.');
  });

  it('after a failure: Ready False Errored; refreshTime kept; lastTransitionTime moves only when the status flips', () => {
    const before = syncedStatus(push(), {}, now);
    const failed = failedStatus(push({}, before), 'StoreNotFound: x', now + 60_000);
    expect(failed.refreshTime).toBe(before.refreshTime);
    expect(failed.conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'Errored', message: 'StoreNotFound: x', lastTransitionTime: '2026-12-03T10:01:00Z' }]);
    const again = failedStatus(push({}, failed), 'StoreNotFound: y', now + 120_000);
    expect(again.conditions![0]!.lastTransitionTime).toBe('2026-12-03T10:01:00Z');
  });
});

describe('pushDue (ESO\'s shouldRefresh)', () => {
  const t0 = Date.parse('2026-12-03T10:00:00Z');
  const pushed = (spec: Partial<PushSecret['spec']> = {}) => {
    const ps = push(spec);
    ps.status = syncedStatus(ps, {}, t0);
    return ps;
  };

  it('is due when never pushed, when the spec, labels or annotations changed, or when the last push failed', () => {
    expect(pushDue(push(), t0, 3_600_000)).toBe(true);
    expect(pushDue(pushed(), t0 + 1000, 3_600_000)).toBe(false);
    const relabelled = pushed();
    relabelled.metadata.labels = { a: 'c' };
    expect(pushDue(relabelled, t0 + 1000, 3_600_000)).toBe(true);
    const regenerated = pushed();
    regenerated.metadata.generation = 4;
    expect(pushDue(regenerated, t0 + 1000, 3_600_000)).toBe(true);
    const failed = pushed();
    failed.status = failedStatus(failed, 'AWSThrottled: x', t0 + 1000);
    expect(pushDue(failed, t0 + 2000, 3_600_000)).toBe(true);
  });

  it('is due once the interval has passed, and never by time with interval 0', () => {
    expect(pushDue(pushed(), t0 + 3_599_999, 3_600_000)).toBe(false);
    expect(pushDue(pushed(), t0 + 3_600_000, 3_600_000)).toBe(true);
    expect(pushDue(pushed(), t0 + 10 * 3_600_000, 0)).toBe(false);
  });
});

describe('PushSecret spec checks', () => {
  it('reads refreshInterval as a Go duration: 0 pushes only on changes, at least a second otherwise', () => {
    expect(refreshIntervalMs(push())).toBe(3_600_000);
    expect(refreshIntervalMs(push({ refreshInterval: '10s' }))).toBe(10_000);
    expect(refreshIntervalMs(push({ refreshInterval: '0' }))).toBe(0);
    expect(refreshIntervalMs(push({ refreshInterval: '1ms' }))).toBe(1_000);
    expect(() => refreshIntervalMs(push({ refreshInterval: 'often' }))).toThrow(expect.objectContaining({ code: 'InvalidSpec' }));
  });

  it('reports the generatorRef when no generator runner is given, never ignoring it', () => {
    expect(unsupportedFields(push(), false)).toEqual([]);
    expect(unsupportedFields(push({
      dataTo: [{ storeRef: { name: 'aws' } }], template: { data: { k: 'v' } },
      selector: { secret: { selector: { matchLabels: { a: 'b' } } } },
    }), false)).toEqual([]);
    expect(unsupportedFields(push({ selector: { generatorRef: { kind: 'Password', name: 'p' } } }), false)).toEqual(['spec.selector.generatorRef']);
    expect(unsupportedFields(push({ selector: { generatorRef: { kind: 'Password', name: 'p' } } }), true)).toEqual([]);
  });
});

const secretStore = (name: string, namespace: string, labels: Record<string, string> = {}, aws: Record<string, unknown> = {}, controller?: string): SecretStore => ({
  apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace, labels },
  spec: { ...(controller ? { controller } : {}), provider: { aws: { service: 'SecretsManager', region: 'us-east-1', ...aws } } },
} as SecretStore);

function lookup(stores: SecretStore[], cluster: ClusterSecretStore[] = []): PushStoreLookup {
  return {
    secretStore: (ns, name) => stores.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
    secretStores: (ns) => stores.filter((s) => s.metadata.namespace === ns),
    cluster: {
      clusterSecretStore: (name) => cluster.find((s) => s.metadata.name === name),
      clusterSecretStores: () => cluster,
      namespaceLabels: () => ({}),
    },
  };
}

describe('resolvePushStores', () => {
  const stores = [
    secretStore('blue', 'team', { tier: 'push' }), secretStore('green', 'team', { tier: 'push' }, { service: 'ParameterStore', prefix: 'p/' }),
    secretStore('grey', 'team', { tier: 'other' }), secretStore('blue-elsewhere', 'other', { tier: 'push' }), secretStore('eso', 'team', { tier: 'push' }, {}, 'eso'),
  ];

  it('selects by name, or by labels among the PushSecret\'s own namespace only, each store once, another class left out', () => {
    const ps = push({ secretStoreRefs: [{ name: 'blue' }, { labelSelector: { matchLabels: { tier: 'push' } } }] });
    const { stores: found, foreign } = resolvePushStores(ps, lookup(stores), undefined);
    expect(found.map((s) => s.key)).toEqual(['SecretStore/blue', 'SecretStore/green']);
    expect(found[1]!.identity).toMatchObject({ kind: 'SecretStore', name: 'green', namespace: 'team', aws: { service: 'ParameterStore', prefix: 'p/' } });
    expect(foreign).toBe(1);
  });

  it('reports a missing store, a bad selector, and a ClusterSecretStore its conditions deny', () => {
    const err = (fn: () => unknown) => { try { fn(); } catch (e) { return `${(e as { code: string }).code}: ${(e as Error).message}`; } return ''; };
    expect(err(() => resolvePushStores(push({ secretStoreRefs: [{ name: 'nope' }] }), lookup(stores), undefined)))
      .toBe('StoreNotFound: could not get SecretStore "nope": not found in namespace "team"');
    expect(err(() => resolvePushStores(push({ secretStoreRefs: [{ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }] }), lookup(stores), undefined)))
      .toMatch(/^InvalidSpec: spec.secretStoreRefs\[0\].labelSelector: could not convert labels: /);
    const css = { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'shared' },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } }, conditions: [{ namespaces: ['elsewhere'] }] } } as ClusterSecretStore;
    expect(err(() => resolvePushStores(push({ secretStoreRefs: [{ name: 'shared', kind: 'ClusterSecretStore' }] }), lookup(stores, [css]), undefined)))
      .toBe('StoreNotAllowed: ClusterSecretStore "shared" does not allow namespace "team" (spec.conditions)');
    const noCluster = { ...lookup(stores) };
    delete noCluster.cluster;
    expect(err(() => resolvePushStores(push({ secretStoreRefs: [{ name: 'shared', kind: 'ClusterSecretStore' }] }), noCluster, undefined))).toMatch(/^ClusterSecretStoreDisabled: /);
  });
});

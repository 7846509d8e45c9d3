import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterExternalSecrets, externalSecrets, namespaces } from '../../src/kube/resources.ts';
import { applyManifest } from '../../dev/apply.ts';
import { eventually, getIfExists, readyCondition, startHarness, type Harness } from './harness.ts';

let h: Harness;
const created: string[] = [];
beforeAll(async () => (h = await startHarness()));
afterAll(async () => {
  // Cluster-scoped and shared with later files: remove them (there is no garbage collector to follow).
  for (const name of created) await h?.kube.request('DELETE', clusterExternalSecrets.path(undefined, name)).catch(() => {});
  await h?.close();
});

// The ExternalSecrets are reconciled by the ExternalSecret controller too; this store does not exist, and
// these tests assert only on what the ClusterExternalSecret controller writes.
const externalSecretSpec = {
  secretStoreRef: { name: 'no-such-store', kind: 'ClusterSecretStore' },
  refreshInterval: '1h',
  data: [{ secretKey: 'password', remoteRef: { key: 'shared/db', property: 'password' } }],
};

let counter = 0;
/** A label value no other test (or test file) uses, so a selector on it selects only this test's namespaces. */
const uniqueLabel = (): string => `ces-${process.pid}-${++counter}`;

async function applyCes(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}, apiVersion = 'external-secrets.io/v1') {
  if (!created.includes(name)) created.push(name);
  return applyManifest(h.kube, { apiVersion, kind: 'ClusterExternalSecret', metadata: { name, ...metadata }, spec: { externalSecretSpec, ...spec } });
}
const ces = (name: string) => h.kube.get(clusterExternalSecrets.path(undefined, name));
const maybeExternalSecret = (namespace: string, name: string): Promise<any | undefined> => getIfExists(h.kube, externalSecrets.path(namespace, name));
const relabel = (namespace: string, labels: Record<string, string | null>) =>
  h.kube.request('PATCH', namespaces.path(undefined, namespace), { body: { metadata: { labels } }, contentType: 'application/merge-patch+json' });

describe('ClusterExternalSecret', () => {
  it('creates the ExternalSecret in every selected namespace with its name, metadata, spec and owner, and reports it', async () => {
    const label = uniqueLabel();
    const nsB = await h.namespace('ces-b', { tenant: label });
    const nsA = await h.namespace('ces-a', { tenant: label, tier: 'gold' });
    const byName = await h.namespace('ces-by-name');
    const other = await h.namespace('ces-other', { tenant: 'someone-else' });
    await applyCes('fanout', {
      externalSecretName: 'db-credentials',
      externalSecretMetadata: { labels: { app: 'billing' }, annotations: { 'example.com/owner': 'platform' } },
      namespaceSelectors: [{ matchLabels: { tenant: label } }],
      namespaces: [byName],
      refreshTime: '1m',
    });

    const status = await eventually(async () => {
      const c = await ces('fanout');
      return readyCondition(c)?.status === 'True' && c.status.provisionedNamespaces?.length === 3 && c;
    }, 'Ready=True with three namespaces');
    const uid = status.metadata.uid;
    expect(status.status.externalSecretName).toBe('db-credentials');
    expect(status.status.provisionedNamespaces).toEqual([nsA, nsB, byName].sort());
    expect(status.status.failedNamespaces).toBeUndefined();
    expect(readyCondition(status)).toMatchObject({ status: 'True', reason: 'Ready' });

    for (const ns of [nsA, nsB, byName]) {
      const es = await h.externalSecret(ns, 'db-credentials');
      expect(es.metadata.labels).toEqual({ app: 'billing' });
      expect(es.metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
      // The CES's spec as stored (with the schema's defaults, the same for both kinds), and nothing else.
      expect(es.spec).toEqual(status.spec.externalSecretSpec);
      expect(es.spec).toMatchObject(externalSecretSpec);
      expect(es.metadata.ownerReferences).toEqual([{
        apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', name: 'fanout', uid, controller: true, blockOwnerDeletion: true,
      }]);
    }
    expect(await maybeExternalSecret(other, 'db-credentials')).toBeUndefined();
    expect(await h.operator.metrics.registry.metrics())
      .toContain('clusterexternalsecret_status_condition{name="fanout",namespace="",condition="Ready",status="True"} 1');
  });

  it('follows namespace labels at once: a namespace that stops matching loses the ExternalSecret, a new match gains it', async () => {
    const label = uniqueLabel();
    const stays = await h.namespace('ces-stays', { tenant: label });
    const leaves = await h.namespace('ces-leaves', { tenant: label });
    const joins = await h.namespace('ces-joins');
    // refreshTime 1h: only the namespace watch can make these changes show within the test's time.
    await applyCes('follows-labels', { namespaceSelectors: [{ matchLabels: { tenant: label } }], refreshTime: '1h' });
    await eventually(async () => (await ces('follows-labels')).status?.provisionedNamespaces?.length === 2, 'two namespaces provisioned');
    expect(await h.externalSecret(leaves, 'follows-labels')).toBeDefined();

    await relabel(leaves, { tenant: null });
    await relabel(joins, { tenant: label });
    const status = await eventually(async () => {
      const c = await ces('follows-labels');
      return c.status?.provisionedNamespaces?.join() === [joins, stays].sort().join() && c;
    }, 'provisionedNamespaces to follow the labels');
    expect(readyCondition(status).status).toBe('True');
    await eventually(async () => (await maybeExternalSecret(leaves, 'follows-labels')) === undefined, 'the ExternalSecret to go');
    expect((await h.externalSecret(joins, 'follows-labels')).metadata.ownerReferences[0].name).toBe('follows-labels');
    expect(await h.externalSecret(stays, 'follows-labels')).toBeDefined();
  });

  it('never overwrites an ExternalSecret of that name it does not own, reports the namespace, and provisions it once freed', async () => {
    const label = uniqueLabel();
    const free = await h.namespace('ces-free', { tenant: label });
    const taken = await h.namespace('ces-taken', { tenant: label });
    const mine = {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'app-secret', namespace: taken, labels: { mine: 'yes' } },
      spec: { secretStoreRef: { name: 'my-own-store' }, data: [{ secretKey: 'k', remoteRef: { key: 'mine' } }] },
    };
    await applyManifest(h.kube, mine);
    await applyCes('blocked', { externalSecretName: 'app-secret', namespaceSelectors: [{ matchLabels: { tenant: label } }] });

    const status = await eventually(async () => {
      const c = await ces('blocked');
      return c.status?.failedNamespaces?.length === 1 && c.status.provisionedNamespaces?.length === 1 && c;
    }, 'one namespace failed, one provisioned');
    expect(status.status.provisionedNamespaces).toEqual([free]);
    expect(status.status.failedNamespaces).toEqual([{ namespace: taken, reason: expect.stringContaining('external secret already exists in namespace') }]);
    expect(readyCondition(status)).toMatchObject({ status: 'False', reason: 'PartiallyReady', message: 'one or more namespaces failed' });
    const untouched = await h.externalSecret(taken, 'app-secret');
    expect(untouched.metadata.labels).toEqual({ mine: 'yes' });
    expect(untouched.metadata.ownerReferences).toBeUndefined();
    expect(untouched.spec.secretStoreRef.name).toBe('my-own-store');

    // Deleting the foreign one frees the namespace without waiting for the refresh.
    await h.kube.request('DELETE', externalSecrets.path(taken, 'app-secret'));
    const freed = await eventually(async () => {
      const c = await ces('blocked');
      return readyCondition(c)?.status === 'True' && c;
    }, 'Ready=True once the namespace is free');
    expect(freed.status.provisionedNamespaces).toEqual([free, taken].sort());
    expect(freed.status.failedNamespaces).toBeUndefined();
    expect((await h.externalSecret(taken, 'app-secret')).metadata.ownerReferences[0]).toMatchObject({ kind: 'ClusterExternalSecret', name: 'blocked' });
  });

  it('follows its own spec: renames, metadata changes and force-sync, and restores ExternalSecrets edited or deleted by hand', async () => {
    const label = uniqueLabel();
    const ns = await h.namespace('ces-spec', { tenant: label });
    const spec = { namespaceSelectors: [{ matchLabels: { tenant: label } }] };
    await applyCes('evolves', spec);
    await eventually(() => maybeExternalSecret(ns, 'evolves'), 'the ExternalSecret under the CES name');

    // Rename: the old ExternalSecret goes, the new one comes.
    await applyCes('evolves', { ...spec, externalSecretName: 'renamed', externalSecretMetadata: { labels: { v: '2' } } });
    await eventually(async () => (await maybeExternalSecret(ns, 'evolves')) === undefined, 'the old name to go');
    const renamed = await eventually(async () => (await maybeExternalSecret(ns, 'renamed'))?.metadata.labels?.v === '2' && h.externalSecret(ns, 'renamed'), 'the new name');
    expect(renamed.metadata.ownerReferences[0].name).toBe('evolves');
    await eventually(async () => (await ces('evolves')).status?.externalSecretName === 'renamed', 'status.externalSecretName');

    // force-sync on the ClusterExternalSecret is mirrored onto its ExternalSecrets.
    await applyCes('evolves', { ...spec, externalSecretName: 'renamed', externalSecretMetadata: { labels: { v: '2' } } }, { annotations: { 'external-secrets.io/force-sync': '1' } });
    await eventually(async () => (await h.externalSecret(ns, 'renamed')).metadata.annotations?.['external-secrets.io/force-sync'] === '1', 'force-sync mirrored');

    // An edit by hand is undone; a deletion is undone.
    await h.kube.request('PATCH', externalSecrets.path(ns, 'renamed'), {
      body: { metadata: { labels: { v: 'hand' } }, spec: { refreshInterval: '5m' } }, contentType: 'application/merge-patch+json',
    });
    await eventually(async () => {
      const es = await h.externalSecret(ns, 'renamed');
      return es.metadata.labels?.v === '2' && es.spec.refreshInterval === '1h';
    }, 'the hand edit undone');
    await h.kube.request('DELETE', externalSecrets.path(ns, 'renamed'));
    await eventually(async () => (await maybeExternalSecret(ns, 'renamed'))?.metadata.labels?.v === '2', 'the ExternalSecret restored');
  });

  it('selects namespaces by matchExpressions (In, NotIn, Exists, DoesNotExist) in namespaceSelectors and the deprecated namespaceSelector', async () => {
    const label = uniqueLabel();
    const gold = await h.namespace('ces-expr-gold', { tenant: label, tier: 'gold' });
    const silver = await h.namespace('ces-expr-silver', { tenant: label, tier: 'silver' });
    const legacy = await h.namespace('ces-expr-legacy', { tenant: label, tier: 'bronze', legacy: 'yes' });
    const untiered = await h.namespace('ces-expr-untiered', { tenant: label });
    const mine = { key: 'tenant', operator: 'In', values: [label] };
    await applyCes('expressions', {
      namespaceSelectors: [
        // NotIn also matches a namespace without the label: Exists narrows it to the tiered ones.
        { matchExpressions: [mine, { key: 'tier', operator: 'NotIn', values: ['silver', 'bronze'] }, { key: 'tier', operator: 'Exists' }] },
        { matchExpressions: [mine, { key: 'tier', operator: 'DoesNotExist' }] },
      ],
      namespaceSelector: { matchExpressions: [mine, { key: 'legacy', operator: 'Exists' }] },
    });
    const status = await eventually(async () => {
      const c = await ces('expressions');
      return readyCondition(c)?.status === 'True' && c.status.provisionedNamespaces?.length === 3 && c;
    }, 'Ready=True with three namespaces');
    expect(status.status.provisionedNamespaces).toEqual([gold, legacy, untiered].sort());
    expect(status.status.failedNamespaces).toBeUndefined();
    for (const ns of [gold, legacy, untiered]) expect(await maybeExternalSecret(ns, 'expressions'), ns).toBeDefined();
    expect(await maybeExternalSecret(silver, 'expressions')).toBeUndefined();
  });

  it('refreshTime: re-evaluates on that period when nothing changed; 0 never does', async () => {
    const label = uniqueLabel();
    const ns = await h.namespace('ces-refresh', { tenant: label });
    // A foreign ExternalSecret of the wanted name fails the namespace on every evaluation, without a
    // retry (ExternalSecretNotOwned), and each evaluation logs it: a count of the evaluations.
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'taken', namespace: ns },
      spec: { secretStoreRef: { name: 'my-own-store' }, data: [{ secretKey: 'k', remoteRef: { key: 'mine' } }] },
    });
    const selectors = [{ matchLabels: { tenant: label } }];
    await applyCes('refresh-every-second', { namespaceSelectors: selectors, externalSecretName: 'taken', refreshTime: '1s' });
    await applyCes('refresh-never', { namespaceSelectors: selectors, externalSecretName: 'taken', refreshTime: '0s' });
    const evaluations = (name: string): number => h.logLines.filter((line) => {
      const entry = JSON.parse(line);
      return entry.msg === 'namespace failed' && entry.clusterExternalSecret === name && entry.namespace === ns;
    }).length;
    for (const name of ['refresh-every-second', 'refresh-never']) {
      await eventually(async () => (await ces(name)).status?.failedNamespaces?.[0]?.namespace === ns, `${name} to report ${ns}`);
    }
    const neverBefore = evaluations('refresh-never');
    expect(neverBefore).toBeGreaterThanOrEqual(1);
    const before = evaluations('refresh-every-second');
    await eventually(async () => evaluations('refresh-every-second') >= before + 3, 'three periodic evaluations of refresh-every-second');
    // Over two seconds have passed since: a timer of refresh-never would have fired.
    expect(evaluations('refresh-never')).toBe(neverBefore);
    // Every operator of the test run evaluates it each second: stop that now rather than after the file.
    await h.kube.request('DELETE', clusterExternalSecrets.path(undefined, 'refresh-every-second'));
  });

  it('serves v1beta1 manifests and reports an invalid selector under "unknown"', async () => {
    const label = uniqueLabel();
    const ns = await h.namespace('ces-beta', { tenant: label });
    await applyCes('beta', { namespaceSelector: { matchLabels: { tenant: label } } }, {}, 'external-secrets.io/v1beta1');
    await eventually(() => maybeExternalSecret(ns, 'beta'), 'the ExternalSecret from the deprecated namespaceSelector');

    await applyCes('bad-selector', { namespaceSelectors: [{ matchExpressions: [{ key: 'tenant', operator: 'Equals', values: [label] }] }] });
    const status = await eventually(async () => {
      const c = await ces('bad-selector');
      return c.status?.failedNamespaces?.length && c;
    }, 'the selector failure');
    expect(status.status.failedNamespaces).toEqual([{ namespace: 'unknown', reason: expect.stringContaining('InvalidNamespaceSelector') }]);
    expect(readyCondition(status)).toMatchObject({ status: 'False', reason: 'NotReady' });
  });
});

import { describe, expect, it } from 'vitest';
import type { ClusterExternalSecret, ExternalSecret } from '../../src/api/generated.ts';
import { desiredExternalSecret } from '../../src/controllers/clusterexternalsecret/external-secret.ts';
import type { NamespaceInfo } from '../../src/controllers/clusterexternalsecret/namespaces.ts';
import { ClusterExternalSecretReconciler } from '../../src/controllers/clusterexternalsecret/reconciler.ts';
import { ESO_CES_FINALIZER, namespaceFinalizerOf } from '../../src/controllers/clusterexternalsecret/eso-finalizers.ts';
import { KubeApiError, type KubeClient } from '../../src/kube/client.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { createLogger } from '../../src/log.ts';

const T0 = Date.parse('2026-11-27T10:00:00Z');

interface Call { method: string; path: string; body?: any }

/** A cluster in memory: the informer caches the reconciler reads, and a fake apiserver that records writes. */
function world(options: { ces: ClusterExternalSecret; namespaces: NamespaceInfo[]; externalSecrets?: ExternalSecret[]; respond?: (call: Call) => unknown }) {
  const calls: Call[] = [];
  const cache = new Map((options.externalSecrets ?? []).map((es) => [`${es.metadata.namespace}/${es.metadata.name}`, es]));
  const kube = {
    async request(method: string, path: string, opts: { body?: unknown } = {}) {
      const call = { method, path, body: opts.body };
      calls.push(call);
      return options.respond?.(call);
    },
    async get(path: string) {
      const call = { method: 'GET', path };
      calls.push(call);
      return options.respond?.(call);
    },
  } as unknown as KubeClient;
  const reconciler = new ClusterExternalSecretReconciler({
    kube,
    clock: new ManualClock(T0),
    log: createLogger({ level: 'silent' }),
    namespaces: () => options.namespaces,
    externalSecret: (ns, name) => cache.get(`${ns}/${name}`),
    ownedExternalSecrets: (cesName) => [...cache.values()].filter((es) => es.metadata.ownerReferences?.some((r) => r.controller && r.kind === 'ClusterExternalSecret' && r.name === cesName)),
  });
  const writes = () => calls.filter((c) => c.method !== 'GET');
  return { reconciler, calls, writes, cache };
}

const ces = (spec: Partial<ClusterExternalSecret['spec']> = {}): ClusterExternalSecret => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterExternalSecret',
  metadata: { name: 'shared', uid: 'ces-uid', generation: 1 },
  spec: { externalSecretSpec: { secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'k', remoteRef: { key: 'x' } }] }, namespaceSelectors: [{ matchLabels: { ces: 'yes' } }], ...spec },
});
const ns = (name: string, labels: Record<string, string> = { ces: 'yes' }, extra: object = {}): NamespaceInfo => ({ metadata: { name, labels, ...extra } });
const live = (c: ClusterExternalSecret, namespace: string, uid = `${namespace}-uid`): ExternalSecret =>
  ({ ...desiredExternalSecret(c, namespace), metadata: { ...desiredExternalSecret(c, namespace).metadata, uid, resourceVersion: '1' } });
const foreign = (namespace: string, name: string): ExternalSecret =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace, uid: 'foreign' }, spec: { secretStoreRef: { name: 'mine' } } });
/** One selected namespace, where creating the ExternalSecret fails with `error`. */
const refusingCreate = (c: ClusterExternalSecret, error: Error) => world({
  ces: c,
  namespaces: [ns('a')],
  respond: (call) => {
    if (call.method === 'POST') throw error;
  },
});
const ready = (c: ClusterExternalSecret) => c.status?.conditions?.find((x) => x.type === 'Ready');

describe('ClusterExternalSecretReconciler', () => {
  it('creates the ExternalSecret in each selected namespace, skips terminating ones, and reports Ready', async () => {
    const c = ces({ refreshTime: '5m' });
    const w = world({ ces: c, namespaces: [ns('b'), ns('a'), ns('other', {}), ns('gone', { ces: 'yes' }, { deletionTimestamp: '2026-11-27T09:00:00Z' })] });
    expect(await w.reconciler.reconcile(c)).toEqual({ requeueAfter: 300_000 });
    expect(w.writes().map((x) => `${x.method} ${x.path}`)).toEqual([
      'POST /apis/external-secrets.io/v1/namespaces/a/externalsecrets',
      'POST /apis/external-secrets.io/v1/namespaces/b/externalsecrets',
      'PATCH /apis/external-secrets.io/v1/clusterexternalsecrets/shared/status',
    ]);
    expect(w.writes()[0]!.body).toEqual(desiredExternalSecret(c, 'a'));
    expect(w.writes()[2]!.body.status).toMatchObject({ externalSecretName: 'shared', provisionedNamespaces: ['a', 'b'], failedNamespaces: null });
    expect(ready(c)).toMatchObject({ status: 'True', reason: 'Ready' });
  });

  it('writes nothing when the ExternalSecrets and the status are already as wanted', async () => {
    const c = ces();
    const w = world({ ces: c, namespaces: [ns('a')] });
    await w.reconciler.reconcile(c);
    const again = world({ ces: c, namespaces: [ns('a')], externalSecrets: [live(c, 'a')] });
    expect(await again.reconciler.reconcile(c)).toEqual({ requeueAfter: 3_600_000 });
    expect(again.calls).toEqual([]);
  });

  it('updates an owned ExternalSecret whose spec or metadata drifted', async () => {
    const c = ces({ externalSecretMetadata: { labels: { team: 'a' } } });
    const drifted = live(c, 'a');
    drifted.metadata.labels = { team: 'b', extra: '1' };
    drifted.spec = { secretStoreRef: { name: 'edited' } };
    const w = world({ ces: c, namespaces: [ns('a')], externalSecrets: [drifted] });
    await w.reconciler.reconcile(c);
    const put = w.writes().find((x) => x.method === 'PUT')!;
    expect(put.path).toBe('/apis/external-secrets.io/v1/namespaces/a/externalsecrets/shared');
    expect(put.body.metadata).toMatchObject({ labels: { team: 'a' }, resourceVersion: '1', uid: 'a-uid' });
    expect(put.body.spec).toEqual(c.spec.externalSecretSpec);
  });

  it('never overwrites an ExternalSecret it does not control: the namespace is failed, the others provisioned', async () => {
    const c = ces();
    const w = world({ ces: c, namespaces: [ns('a'), ns('b')], externalSecrets: [foreign('b', 'shared')] });
    expect(await w.reconciler.reconcile(c)).toEqual({ requeueAfter: 3_600_000 });
    expect(w.writes().filter((x) => x.path.includes('/namespaces/b/'))).toEqual([]);
    expect(c.status?.provisionedNamespaces).toEqual(['a']);
    expect(c.status?.failedNamespaces).toEqual([{ namespace: 'b', reason: expect.stringMatching(/^ExternalSecretNotOwned: external secret already exists in namespace/) }]);
    expect(ready(c)).toMatchObject({ status: 'False', reason: 'PartiallyReady', message: 'one or more namespaces failed' });
  });

  it('deletes its ExternalSecrets in namespaces no longer selected and under a previous name, with a uid precondition', async () => {
    const old = ces();
    const c = ces({ externalSecretName: 'renamed' });
    const w = world({
      ces: c,
      namespaces: [ns('a'), ns('left', {})],
      externalSecrets: [live(old, 'a', 'a-old'), live(old, 'left', 'left-old'), foreign('left', 'renamed')],
      respond: (call) => {
        if (call.method === 'DELETE' && call.path.includes('/left/')) throw new KubeApiError(404, 'NotFound', 'gone already');
      },
    });
    await w.reconciler.reconcile(c);
    const deletes = w.writes().filter((x) => x.method === 'DELETE');
    expect(deletes.map((d) => [d.path, d.body.preconditions.uid])).toEqual([
      ['/apis/external-secrets.io/v1/namespaces/a/externalsecrets/shared', 'a-old'],
      ['/apis/external-secrets.io/v1/namespaces/left/externalsecrets/shared', 'left-old'],
    ]);
    expect(w.writes().some((x) => x.method === 'POST' && x.path.endsWith('/namespaces/a/externalsecrets'))).toBe(true);
    expect(c.status).toMatchObject({ externalSecretName: 'renamed', provisionedNamespaces: ['a'] });
    expect(c.status).not.toHaveProperty('failedNamespaces');
  });

  it('decides on the live object when the cache had not seen an ExternalSecret yet', async () => {
    const c = ces();
    const owned = live(c, 'a');
    owned.metadata.labels = { drift: 'yes' };
    const w = world({
      ces: c,
      namespaces: [ns('a')],
      respond: (call) => {
        if (call.method === 'POST') throw new KubeApiError(409, 'AlreadyExists', 'exists');
        if (call.method === 'GET') return owned;
      },
    });
    await w.reconciler.reconcile(c);
    expect(w.calls.map((x) => x.method)).toEqual(['POST', 'GET', 'PUT', 'PATCH']);
    expect(c.status?.provisionedNamespaces).toEqual(['a']);
  });

  it('a write conflict is reported and retried with backoff (thrown after the status write)', async () => {
    const c = ces();
    const drifted = live(c, 'a');
    drifted.spec = {};
    const w = world({
      ces: c,
      namespaces: [ns('a')],
      externalSecrets: [drifted],
      respond: (call) => {
        if (call.method === 'PUT') throw new KubeApiError(409, 'Conflict', 'the object has been modified');
      },
    });
    await expect(w.reconciler.reconcile(c)).rejects.toThrow(/modified/);
    expect(c.status?.failedNamespaces).toEqual([{ namespace: 'a', reason: expect.stringMatching(/^KubernetesAPIError: /) }]);
    expect(ready(c)).toMatchObject({ status: 'False', reason: 'NotReady' });
  });

  it('an ExternalSecret the apiserver refuses is reported with its own reason and not retried: the spec must change', async () => {
    const c = ces();
    const w = refusingCreate(c, new KubeApiError(422, 'Invalid', 'ExternalSecret "shared" rejected: spec.refreshInterval: invalid value'));
    expect(await w.reconciler.reconcile(c)).toEqual({ requeueAfter: 3_600_000 });
    expect(c.status?.failedNamespaces).toEqual([{ namespace: 'a', reason: expect.stringMatching(/^ExternalSecretRejected: .*spec\.refreshInterval: invalid value/) }]);
  });

  it('any other apiserver failure is a KubernetesAPIError, retried as the errors.ts table says', async () => {
    const c = ces();
    const w = refusingCreate(c, new KubeApiError(403, 'Forbidden', 'externalsecrets is forbidden'));
    await expect(w.reconciler.reconcile(c)).rejects.toMatchObject({ status: 403 });
    expect(c.status?.failedNamespaces).toEqual([{ namespace: 'a', reason: 'KubernetesAPIError: externalsecrets is forbidden' }]);
  });

  it('an invalid selector is reported under "unknown" and nothing is created or deleted', async () => {
    const c = ces({ namespaceSelectors: [{ matchExpressions: [{ key: 'ces', operator: 'Equals', values: ['yes'] }] }] });
    const w = world({ ces: c, namespaces: [ns('a')], externalSecrets: [live(c, 'old')] });
    expect(await w.reconciler.reconcile(c)).toEqual({});
    expect(w.writes().map((x) => x.method)).toEqual(['PATCH']);
    expect(c.status?.failedNamespaces).toEqual([{ namespace: 'unknown', reason: expect.stringMatching(/^InvalidNamespaceSelector: "Equals"/) }]);
  });

  // One that is gone from the cache is not reconciled at all: test/unit/controller.test.ts.
  it('does nothing for a ClusterExternalSecret being deleted without ESO\'s finalizer: the garbage collector removes its ExternalSecrets', async () => {
    const c = ces();
    c.metadata.deletionTimestamp = '2026-11-27T09:00:00Z';
    c.metadata.finalizers = ['example.com/other'];
    const w = world({ ces: c, namespaces: [ns('a', {}, { finalizers: [namespaceFinalizerOf('shared')] })], externalSecrets: [live(c, 'a')] });
    expect(await w.reconciler.reconcile(c)).toEqual({});
    expect(w.calls).toEqual([]);
  });

  describe("being deleted with ESO's finalizer (left from before a move)", () => {
    const deleting = (finalizers: string[]) => {
      const c = ces();
      c.metadata.deletionTimestamp = '2026-11-27T09:00:00Z';
      c.metadata.finalizers = finalizers;
      return c;
    };
    const namespaces = [
      ns('a', { ces: 'yes' }, { finalizers: ['example.com/x', namespaceFinalizerOf('shared')] }),
      // No longer selected, still carrying the entry (ESO never takes it off then).
      ns('b', {}, { finalizers: [namespaceFinalizerOf('other'), namespaceFinalizerOf('shared')] }),
      ns('c', { ces: 'yes' }, { finalizers: [namespaceFinalizerOf('other')] }),
    ];

    it("deletes its ExternalSecrets, takes its entry off every namespace that carries it, then ESO's finalizer off itself, each alone", async () => {
      const c = deleting(['example.com/first', ESO_CES_FINALIZER]);
      const w = world({ ces: c, namespaces, externalSecrets: [live(c, 'a'), live(c, 'c')] });
      expect(await w.reconciler.reconcile(c)).toEqual({});
      expect(w.calls.map((call) => [call.method, call.path])).toEqual([
        ['DELETE', '/apis/external-secrets.io/v1/namespaces/a/externalsecrets/shared'],
        ['DELETE', '/apis/external-secrets.io/v1/namespaces/c/externalsecrets/shared'],
        ['PATCH', '/api/v1/namespaces/a'],
        ['PATCH', '/api/v1/namespaces/b'],
        ['PATCH', '/apis/external-secrets.io/v1/clusterexternalsecrets/shared'],
      ]);
      expect(w.calls[0]!.body.preconditions).toEqual({ uid: 'a-uid' });
      expect(w.calls[2]!.body).toEqual([
        { op: 'test', path: '/metadata/finalizers/1', value: namespaceFinalizerOf('shared') },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ]);
      expect(w.calls[3]!.body[0]).toEqual({ op: 'test', path: '/metadata/finalizers/1', value: namespaceFinalizerOf('shared') });
      expect(w.calls[4]!.body).toEqual([
        { op: 'test', path: '/metadata/finalizers/1', value: ESO_CES_FINALIZER },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ]);
    });

    it('keeps its ExternalSecrets when the deletion orphans dependents (kubectl delete --cascade=orphan)', async () => {
      const c = deleting(['orphan', ESO_CES_FINALIZER]);
      const w = world({ ces: c, namespaces, externalSecrets: [live(c, 'a')] });
      await w.reconciler.reconcile(c);
      expect(w.calls.map((call) => call.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
    });

    it('an ExternalSecret already gone, or replaced by another of that name, counts as deleted', async () => {
      const c = deleting([ESO_CES_FINALIZER]);
      const w = world({
        ces: c, namespaces: [], externalSecrets: [live(c, 'a'), live(c, 'c')],
        respond: ({ method, path }) => {
          if (method === 'DELETE') throw new KubeApiError(path.includes('/a/') ? 404 : 409, path.includes('/a/') ? 'NotFound' : 'Conflict', 'x');
        },
      });
      await w.reconciler.reconcile(c);
      expect(w.calls.map((call) => call.method)).toEqual(['DELETE', 'DELETE', 'PATCH']);
    });

    it('a failed write is thrown, so the reconcile is retried and the finalizer stays until the cleanup is done', async () => {
      const c = deleting([ESO_CES_FINALIZER]);
      const w = world({
        ces: c, namespaces, respond: ({ method, path }) => {
          if (method === 'PATCH' && path === '/api/v1/namespaces/b') throw new KubeApiError(422, 'Invalid', 'the test operation failed');
        },
      });
      await expect(w.reconciler.reconcile(c)).rejects.toThrow(KubeApiError);
      expect(w.calls.at(-1)!.path).toBe('/api/v1/namespaces/b');
    });
  });
});

import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { clusterSecretStores } from '../../src/kube/resources.ts';
import { secretIdsRead, type AwsProxy } from './aws-proxy.ts';
import { applyExternalSecret, awsName, eventsFor, expectSecret, readyAs } from './cases.ts';
import { decode, eventually, operatorCaughtUp, readyCondition, startHarnessBehindProxy, type Harness } from './harness.ts';

/**
 * `sourceRef.storeRef`: an entry of data or dataFrom read through a store of its own instead of
 * the ExternalSecret's secretStoreRef, as ESO's client manager does. Each store has its own
 * region in moto (so its own identity and fetch engine) and its own prefix, and every store holds
 * a secret under the same key with a different value: a value in the Secret says which store it
 * was read through.
 */
const HOME = 'ap-southeast-2';
const AWAY = 'sa-east-1';
/** The ClusterSecretStore's region: a third identity. */
const SHARED = 'ap-northeast-3';
const CLUSTER_STORE = `source-ref-shared-${process.pid}`;

let h: Harness;
let proxy: AwsProxy;
let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
/** One base name; each store's prefix puts it somewhere else. */
let base: string;

/** moto itself, not through the proxy: the test's own writes are not the operator's calls. */
async function createIn(region: string, name: string, value: string): Promise<void> {
  const aws = new SecretsManagerClient({ region, endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await aws.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  aws.destroy();
}

const secretStore = (namespace: string, name: string, region: string, prefix: string) => applyManifest(h.kube, {
  apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace },
  spec: { provider: { aws: { service: 'SecretsManager', region, prefix } } },
});

/** A namespace with SecretStore `aws` (HOME, prefix home/) and `away` (AWAY, prefix away/). */
async function twoStores(prefix: string): Promise<string> {
  const ns = await h.namespace(prefix);
  await secretStore(ns, 'aws', HOME, `${base}/home/`);
  await secretStore(ns, 'away', AWAY, `${base}/away/`);
  return ns;
}

beforeAll(async () => {
  ({ h, proxy } = peers = await startHarnessBehindProxy());
  base = awsName('source-ref');
  for (const key of ['db', 'api']) {
    await createIn(HOME, `${base}/home/${key}`, JSON.stringify({ v: `home-${key}` }));
    await createIn(AWAY, `${base}/away/${key}`, JSON.stringify({ v: `away-${key}` }));
    await createIn(SHARED, `${base}/cluster/${key}`, JSON.stringify({ v: `cluster-${key}`, [`from-cluster-${key}`]: 'yes' }));
  }
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: CLUSTER_STORE },
    spec: { provider: { aws: { service: 'SecretsManager', region: SHARED, prefix: `${base}/cluster/` } } },
  });
});
afterAll(async () => {
  await h?.kube.request('DELETE', clusterSecretStores.path(undefined, CLUSTER_STORE)).catch(() => undefined);
  await peers?.close();
});

describe('data[].sourceRef.storeRef and dataFrom[].sourceRef.storeRef', () => {
  it('reads each entry through its own store (prefix and identity), batching each store\'s reads on its own', async () => {
    const ns = await twoStores('source-ref-mixed');
    const since = proxy.calls.length;
    const away = { storeRef: { name: 'away', kind: 'SecretStore' } };
    await applyExternalSecret(h, ns, 'mixed', {
      dataFrom: [{ extract: { key: 'db' }, sourceRef: { storeRef: { name: CLUSTER_STORE, kind: 'ClusterSecretStore' } } }],
      data: [
        { secretKey: 'home-db', remoteRef: { key: 'db', property: 'v' } },
        { secretKey: 'home-api', remoteRef: { key: 'api', property: 'v' } },
        { secretKey: 'away-db', remoteRef: { key: 'db', property: 'v' }, sourceRef: away },
        { secretKey: 'away-api', remoteRef: { key: 'api', property: 'v' }, sourceRef: away },
      ],
    });
    const es = await readyAs(h, ns, 'mixed', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'mixed'), es, {
      data: { 'v': 'cluster-db', 'from-cluster-db': 'yes', 'home-db': 'home-db', 'home-api': 'home-api', 'away-db': 'away-db', 'away-api': 'away-api' },
    });

    // Each store's two default-version reads share one batch of their own; no read crosses to the other identity.
    const reads = proxy.calls.slice(since).filter((c) => secretIdsRead(c).some((id) => id.startsWith(`${base}/`)));
    const batches = reads.filter((c) => c.action === 'BatchGetSecretValue').map((c) => secretIdsRead(c).sort());
    expect(batches).toEqual(expect.arrayContaining([
      [`${base}/home/api`, `${base}/home/db`],
      [`${base}/away/api`, `${base}/away/db`],
    ]));
    expect(reads.flatMap(secretIdsRead).sort()).toEqual([`${base}/away/api`, `${base}/away/db`, `${base}/cluster/db`, `${base}/home/api`, `${base}/home/db`]);
  });

  it('reads ahead per store: ExternalSecrets woken together by their sourceRef store share its batch', async () => {
    const ns = await h.namespace('source-ref-read-ahead');
    await secretStore(ns, 'aws', HOME, `${base}/home/`);
    const names = Array.from({ length: 6 }, (_, i) => `${base}/late/${i}`);
    for (const [i, name] of names.entries()) await createIn(AWAY, name, JSON.stringify({ v: `late-${i}` }));
    for (let i = 0; i < names.length; i++) {
      await applyExternalSecret(h, ns, `es-${i}`, {
        data: [
          { secretKey: 'home', remoteRef: { key: 'db', property: 'v' } },
          { secretKey: 'late', remoteRef: { key: String(i), property: 'v' }, sourceRef: { storeRef: { name: 'late' } } },
        ],
      });
    }
    for (let i = 0; i < names.length; i++) await readyAs(h, ns, `es-${i}`, 'False', 'SecretSyncedError');
    const since = proxy.calls.length;
    await secretStore(ns, 'late', AWAY, `${base}/late/`);
    for (let i = 0; i < names.length; i++) {
      await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, `es-${i}`)).data)).toEqual({ home: 'home-db', late: `late-${i}` });
    }
    // Whichever ExternalSecret asked first, the batch read what its siblings would ask through that store next.
    const reads = proxy.calls.slice(since).filter((c) => secretIdsRead(c).some((id) => names.includes(id)));
    expect(reads.map((c) => c.action)).toEqual(['BatchGetSecretValue']);
    expect(secretIdsRead(reads[0]!).sort()).toEqual([...names].sort());
  });

  it('needs no secretStoreRef when every entry names its store, and ignores one no entry reads through', async () => {
    const ns = await twoStores('source-ref-no-default');
    const data = [{ secretKey: 'v', remoteRef: { key: 'api', property: 'v' }, sourceRef: { storeRef: { name: 'away' } } }];
    await applyExternalSecret(h, ns, 'without', { secretStoreRef: undefined, data });
    await applyExternalSecret(h, ns, 'unused-default', { secretStoreRef: { name: 'no-such-store', kind: 'SecretStore' }, data });
    for (const name of ['without', 'unused-default']) {
      await readyAs(h, ns, name, 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, name)).data)).toEqual({ v: 'away-api' });
    }
  });

  it('a missing sourceRef store fails the whole sync (StoreNotFound, naming the entry, nothing written), and its creation wakes the ExternalSecret', async () => {
    const ns = await twoStores('source-ref-missing');
    await applyExternalSecret(h, ns, 'es', {
      data: [
        { secretKey: 'home', remoteRef: { key: 'db', property: 'v' } },
        { secretKey: 'late', remoteRef: { key: 'db', property: 'v' }, sourceRef: { storeRef: { name: 'late' } } },
      ],
    });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const message = `StoreNotFound: spec.data[1].sourceRef.storeRef: SecretStore "late" not found in namespace "${ns}"`;
    expect(readyCondition(failed).message).toBe(message);
    const warning = await eventually(async () => (await eventsFor(h, ns, 'es')).find((e) => e.type === 'Warning'), 'the Warning Event');
    expect(warning).toEqual({ type: 'Warning', reason: 'UpdateFailed', message });
    expect(await h.secret(ns, 'es')).toBeUndefined();

    // The store the sourceRef names appears, and the ExternalSecret syncs through it.
    await secretStore(ns, 'late', AWAY, `${base}/away/`);
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toEqual({ home: 'home-db', late: 'away-db' });
  });

  it('a sourceRef store this operator cannot use fails for good, and fixing that store wakes the ExternalSecret', async () => {
    const ns = await twoStores('source-ref-store-fixed');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'params', namespace: ns },
      spec: { provider: { aws: { service: 'CertificateManager', region: AWAY } } },
    });
    await applyExternalSecret(h, ns, 'es', {
      data: [{ secretKey: 'v', remoteRef: { key: 'api', property: 'v' }, sourceRef: { storeRef: { name: 'params' } } }],
    });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe(`UnsupportedProvider: spec.data[0].sourceRef.storeRef: SecretStore "${ns}/params" sets spec.provider.aws.service "CertificateManager"; only SecretsManager and ParameterStore are supported`);
    // Not retried: only the store's change, seen through the watch on every store an ExternalSecret names, brings it back.
    await secretStore(ns, 'params', AWAY, `${base}/away/`);
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toEqual({ v: 'away-api' });
  });

  it('a sourceRef store whose credentials cannot be had is reported naming the entry', async () => {
    const ns = await twoStores('source-ref-credentials');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'jwt', namespace: ns },
      spec: { provider: { aws: { service: 'SecretsManager', region: AWAY, auth: { jwt: { serviceAccountRef: { name: 'no-such-sa' } } } } } },
    });
    await applyExternalSecret(h, ns, 'es', {
      data: [
        { secretKey: 'home', remoteRef: { key: 'db', property: 'v' } },
        { secretKey: 'v', remoteRef: { key: 'api', property: 'v' }, sourceRef: { storeRef: { name: 'jwt' } } },
      ],
    });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe(`ServiceAccountNotFound: spec.data[1].sourceRef.storeRef: ServiceAccount ${ns}/no-such-sa not found`);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('a ClusterSecretStore named by a sourceRef is held to its conditions in the ExternalSecret\'s namespace', async () => {
    const ns = await twoStores('source-ref-conditions');
    const fenced = `source-ref-fenced-${process.pid}`;
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: fenced },
      spec: { provider: { aws: { service: 'SecretsManager', region: SHARED, prefix: `${base}/cluster/` } }, conditions: [{ namespaces: ['somewhere-else'] }] },
    });
    try {
      await applyExternalSecret(h, ns, 'es', {
        dataFrom: [{ extract: { key: 'api' }, sourceRef: { storeRef: { name: fenced, kind: 'ClusterSecretStore' } } }],
      });
      const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
      expect(readyCondition(failed).message).toBe(
        `StoreNotAllowed: spec.dataFrom[0].sourceRef.storeRef: ClusterSecretStore "${fenced}" does not allow namespace "${ns}" (spec.conditions)`,
      );
      expect(await h.secret(ns, 'es')).toBeUndefined();
    } finally {
      await h.kube.request('DELETE', clusterSecretStores.path(undefined, fenced)).catch(() => undefined);
    }
  });

  it('data[].sourceRef.generatorRef stays UnsupportedField (not implemented in data[], as in ESO), and reads nothing', async () => {
    const ns = await twoStores('source-ref-generator');
    const since = proxy.calls.length;
    await applyExternalSecret(h, ns, 'es', {
      data: [
        { secretKey: 'home', remoteRef: { key: 'db', property: 'v' } },
        { secretKey: 'pw', remoteRef: { key: 'db' }, sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'pw' } } },
      ],
    });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe(
      'UnsupportedField: not supported by this operator yet: spec.data[1].sourceRef.generatorRef (Password "pw": a generator cannot fill one key of spec.data, '
        + 'as in ESO, where it is deprecated and not implemented; use spec.dataFrom[].sourceRef.generatorRef)',
    );
    await operatorCaughtUp(h, [failed]);
    expect(await h.secret(ns, 'es')).toBeUndefined();
    expect(proxy.calls.slice(since).filter((c) => secretIdsRead(c).length > 0)).toEqual([]);
  });
});

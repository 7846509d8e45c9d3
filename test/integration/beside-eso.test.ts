import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, installCrds, parseManifests } from '../../dev/apply.ts';
import { DEFAULT_RELEASE, DEPLOY_MANIFEST } from '../../dev/chart.ts';
import { startControlPlane, type ControlPlane } from '../../dev/control-plane.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { KubeClient } from '../../src/kube/client.ts';
import type { Informer, KubeObject } from '../../src/kube/informer.ts';
import { clusterExternalSecrets, clusterSecretStores, events, externalSecrets, secretStores } from '../../src/kube/resources.ts';
import { esoCrdsDir } from '../helpers/eso-crds.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { decode, eventually, getIfExists, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { startOperatorChild } from './operator-child.ts';

/**
 * Running beside ESO: ESO's own v2.9.0 CRDs (unchanged, read from where test/helpers/eso-crds.ts finds them) in a
 * kube-apiserver of this file's own (they replace ours, so the shared one cannot hold them), and the operator with
 * CONTROLLER_CLASS=aws under the chart's ClusterRole. It serves the stores of its class and what uses them; every
 * other store and ExternalSecret, ESO's to serve, is never written, status included.
 */
const CLASS = 'aws';
let controlPlane: ControlPlane;
let moto: Moto;
let h: Harness;

beforeAll(async () => {
  [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
  const admin = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
  try {
    await installCrds(admin, esoCrdsDir());
    // The chart's RBAC, ServiceAccount and the rest, without its CRDs (ESO's stay) or the kinds a kubelet runs.
    await applyManifest(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_RELEASE.namespace } });
    for (const manifest of parseManifests(readFileSync(DEPLOY_MANIFEST, 'utf8'))) {
      if (!['CustomResourceDefinition', 'Deployment', 'PodDisruptionBudget'].includes(manifest.kind)) await applyManifest(admin, manifest);
    }
  } finally {
    await admin.close();
  }
  const operatorKube = KubeClient.fromFile(controlPlane.kubeconfigForServiceAccount(DEFAULT_RELEASE.namespace, DEFAULT_RELEASE.name));
  h = await startHarness({ adminKubeconfig: controlPlane.kubeconfig, motoEndpoint: moto.endpoint, operatorKube, operator: { controllerClass: CLASS } });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([controlPlane?.stop(), moto?.stop()]);
});

const AWS = { aws: { service: 'SecretsManager', region: 'us-east-1' } };
const store = (name: string, namespace: string, controller?: string) => applyManifest(h.kube, {
  apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace }, spec: { ...(controller ? { controller } : {}), provider: AWS },
});
const clusterStore = (name: string, controller?: string) => applyManifest(h.kube, {
  apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { ...(controller ? { controller } : {}), provider: AWS },
});
const externalSecret = (name: string, namespace: string, secretStoreRef: { name: string; kind?: string }, key: string) => applyManifest(h.kube, {
  apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace },
  spec: { secretStoreRef, refreshInterval: '1h', data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] },
});
const setController = (path: string, controller: string | null) =>
  h.kube.request('PATCH', path, { body: { spec: { controller } }, contentType: 'application/merge-patch+json' });

/** Resolves once `cache` holds `object` at least at the version the apiserver returned for it. */
const cached = <T extends KubeObject>(cache: Informer<T>, object: any, key: string) =>
  eventually(async () => BigInt(cache.get(key)?.metadata.resourceVersion ?? -1) >= BigInt(object.metadata.resourceVersion), `the operator to see ${key}`);

/** Whether an object was written since `before`: any change moves its resourceVersion. */
const unchangedSince = async (path: string, before: any) => (await h.kube.get(path)).metadata.resourceVersion === before.metadata.resourceVersion;
const eventsAbout = async (namespace: string, name: string) =>
  (await h.kube.get(events.path(namespace))).items.filter((e: any) => e.involvedObject.name === name);

const syncedSecret = (namespace: string, name: string) => eventually(async () => {
  const es = await h.externalSecret(namespace, name);
  return readyCondition(es)?.status === 'True' && h.secret(namespace, name);
}, `${namespace}/${name} synced`);

describe('beside ESO, with ESO v2.9.0\'s own CRDs and CONTROLLER_CLASS', () => {
  it('syncs what uses a store of its class; stores of another or no class, and their ExternalSecrets, are never written', async () => {
    await h.createAwsSecret('beside/db', JSON.stringify({ password: 's3cret' }));
    const ns = await h.namespace('beside');
    const foreignStores = [await store('eso-default', ns), await store('eso-other', ns, 'other'), await clusterStore('eso-cluster', 'other')];
    const foreign = [
      await externalSecret('uses-default', ns, { name: 'eso-default' }, 'beside/db'),
      await externalSecret('uses-other', ns, { name: 'eso-other' }, 'beside/db'),
      await externalSecret('uses-cluster', ns, { name: 'eso-cluster', kind: 'ClusterSecretStore' }, 'beside/db'),
      // No store at all: ESO reports that one (StoreNotFound); with a class, it is not this operator's to report.
      await externalSecret('uses-nothing', ns, { name: 'no-such-store' }, 'beside/db'),
    ];
    await store('ours', ns, CLASS);
    await externalSecret('mine', ns, { name: 'ours' }, 'beside/db');

    // Positive signs first: its own store and ExternalSecret are served, and it has seen every foreign object.
    expect(decode((await syncedSecret(ns, 'mine')).data)).toEqual({ password: 's3cret' });
    await eventually(async () => readyCondition(await h.kube.get(secretStores.path(ns, 'ours')))?.status === 'True', 'its store Ready');
    const { caches } = h.operator;
    await cached(caches.secretStores, foreignStores[0], `${ns}/eso-default`);
    await cached(caches.secretStores, foreignStores[1], `${ns}/eso-other`);
    await cached(caches.cluster!.clusterSecretStores, foreignStores[2], 'eso-cluster');
    await operatorCaughtUp(h, foreign);

    for (const es of foreign) {
      expect(await unchangedSince(externalSecrets.path(ns, es.metadata.name), es), es.metadata.name).toBe(true);
      expect((await h.externalSecret(ns, es.metadata.name)).status, es.metadata.name).toBeUndefined();
      expect(await h.secret(ns, es.metadata.name), es.metadata.name).toBeUndefined();
      expect(await eventsAbout(ns, es.metadata.name), es.metadata.name).toEqual([]);
    }
    expect(await unchangedSince(secretStores.path(ns, 'eso-default'), foreignStores[0])).toBe(true);
    expect(await unchangedSince(secretStores.path(ns, 'eso-other'), foreignStores[1])).toBe(true);
    expect(await unchangedSince(clusterSecretStores.path(undefined, 'eso-cluster'), foreignStores[2])).toBe(true);
    expect(await eventsAbout(ns, 'eso-default')).toEqual([]);
  });

  it('without a PushSecret CRD (these four of ESO\'s only) it serves the rest, and says why PushSecrets are not served', () => {
    expect(h.logLines.filter((l) => l.includes('PushSecrets are not served'))).toHaveLength(1);
    expect(h.operator.controllers.map((c) => c.name)).not.toContain('pushsecret');
  });

  it("ESO's condition type Deleted (a metric series) is set for its own ExternalSecrets deleted, even when their store went first, never for ESO's", async () => {
    await h.createAwsSecret('deleted/db', JSON.stringify({ password: 'gone' }));
    const ns = await h.namespace('deleted');
    await store('eso', ns, 'other');
    await store('ours', ns, CLASS);
    await store('ours-first-gone', ns, CLASS);
    const theirs = await externalSecret('theirs', ns, { name: 'eso' }, 'deleted/db');
    await externalSecret('mine', ns, { name: 'ours' }, 'deleted/db');
    await externalSecret('mine-storeless', ns, { name: 'ours-first-gone' }, 'deleted/db');
    await syncedSecret(ns, 'mine');
    await syncedSecret(ns, 'mine-storeless');
    await operatorCaughtUp(h, [theirs]);
    const gauge = h.operator.metrics.statusCondition;
    const value = (name: string, condition: string, status: string) => metricValue(gauge, { name, namespace: ns, condition, status });
    for (const name of ['mine', 'mine-storeless']) await eventually(async () => (await value(name, 'Ready', 'True')) === 1, `${name}'s Ready series`);

    // As when a namespace goes: a store before its ExternalSecret. The class rule alone would no longer call that one its own.
    await h.kube.request('DELETE', secretStores.path(ns, 'ours-first-gone'));
    await eventually(async () => h.operator.caches.secretStores.get(`${ns}/ours-first-gone`) === undefined, 'the operator to see the store go');
    for (const name of ['theirs', 'mine', 'mine-storeless']) await h.kube.request('DELETE', externalSecrets.path(ns, name));
    // Positive signs: its own ones' marks, and the operator's cache without ESO's (its deletion hooks run as the cache drops it).
    for (const name of ['mine', 'mine-storeless']) await eventually(async () => (await value(name, 'Deleted', 'False')) === 1, `${name}'s Deleted series`);
    await eventually(async () => h.operator.caches.externalSecrets.get(`${ns}/theirs`) === undefined, 'the operator to see ESO\'s ExternalSecret go');
    const series = (await gauge.get()).values.filter((v) => v.labels.namespace === ns);
    expect(series.map((v) => [v.labels.name, v.labels.condition, v.labels.status, v.value]).sort()).toEqual([
      ['mine', 'Deleted', 'False', 1], ['mine-storeless', 'Deleted', 'False', 1],
    ]);
  });

  it('moving a store by its spec.controller moves its ExternalSecrets: to this class they sync, away from it they are left alone', async () => {
    await h.createAwsSecret('moving/db', JSON.stringify({ password: 'moved' }));
    const ns = await h.namespace('moving');
    await store('one', ns);
    const before = await externalSecret('follows', ns, { name: 'one' }, 'moving/db');
    await operatorCaughtUp(h, [before]);
    expect((await h.externalSecret(ns, 'follows')).status).toBeUndefined();

    // Step 2 of the migration: the store is this operator's now; nothing else changed on the ExternalSecret.
    await setController(secretStores.path(ns, 'one'), CLASS);
    expect(decode((await syncedSecret(ns, 'follows')).data)).toEqual({ password: 'moved' });
    await eventually(async () => readyCondition(await h.kube.get(secretStores.path(ns, 'one')))?.status === 'True', 'the moved store Ready');

    // And back: a force-sync the operator sees is no longer its to do, so the status stays as it was.
    await setController(secretStores.path(ns, 'one'), 'other');
    const synced = await h.externalSecret(ns, 'follows');
    await eventually(async () => h.operator.caches.secretStores.get(`${ns}/one`)?.spec?.controller === 'other', 'the operator to see the store move away');
    const annotated = await h.kube.request('PATCH', externalSecrets.path(ns, 'follows'), {
      body: { metadata: { annotations: { 'force-sync': 'now' } } }, contentType: 'application/merge-patch+json',
    });
    await operatorCaughtUp(h, [annotated]);
    expect(await unchangedSince(externalSecrets.path(ns, 'follows'), annotated)).toBe(true);
    expect((await h.externalSecret(ns, 'follows')).status).toEqual(synced.status);
  });

  it('fans out a ClusterExternalSecret whose ClusterSecretStore is of its class, and leaves one of another class to ESO', async () => {
    await h.createAwsSecret('fanned/db', JSON.stringify({ password: 'fanned' }));
    const ns = await h.namespace('fanned');
    await clusterStore('ours-cluster', CLASS);
    await clusterStore('eso-fanned', 'other');
    const spec = (storeName: string) => ({
      namespaces: [ns],
      externalSecretSpec: { secretStoreRef: { name: storeName, kind: 'ClusterSecretStore' }, refreshInterval: '1h', data: [{ secretKey: 'password', remoteRef: { key: 'fanned/db', property: 'password' } }] },
    });
    const foreign = await applyManifest(h.kube, { apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name: 'theirs' }, spec: { ...spec('eso-fanned'), externalSecretName: 'theirs' } });
    await applyManifest(h.kube, { apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name: 'ours' }, spec: { ...spec('ours-cluster'), externalSecretName: 'ours' } });

    await eventually(async () => readyCondition(await h.kube.get(clusterExternalSecrets.path(undefined, 'ours')))?.status === 'True', 'its ClusterExternalSecret Ready');
    expect(decode((await syncedSecret(ns, 'ours')).data)).toEqual({ password: 'fanned' });
    await cached(h.operator.caches.cluster!.clusterExternalSecrets, foreign, 'theirs');
    await Promise.all(h.operator.controllers.map((c) => c.idle()));
    expect(await unchangedSince(clusterExternalSecrets.path(undefined, 'theirs'), foreign)).toBe(true);
    expect(await getIfExists(h.kube, externalSecrets.path(ns, 'theirs'))).toBeUndefined();
  });

  it('takes CONTROLLER_CLASS from its environment, and refuses at start one that cannot match a store, saying so', async () => {
    const kubeconfig = controlPlane.kubeconfigForServiceAccount(DEFAULT_RELEASE.namespace, DEFAULT_RELEASE.name);
    const child = await startOperatorChild({ name: 'classed', kubeconfig, awsEndpoint: moto.endpoint, env: { CONTROLLER_CLASS: CLASS } });
    try {
      expect(JSON.parse(child.output.find((l) => l.includes('"starting"'))!).controllerClass).toBe(CLASS);
    } finally {
      await child.kill('SIGTERM');
    }
    await expect(startOperatorChild({ name: 'misconfigured', kubeconfig, awsEndpoint: moto.endpoint, env: { CONTROLLER_CLASS: 'aws ' } }))
      .rejects.toThrow(/exited before it started:[\s\S]*CONTROLLER_CLASS \\"aws \\" is not a class name/);
  });
});

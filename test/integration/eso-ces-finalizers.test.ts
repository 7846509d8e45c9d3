import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { ESO_CES_FINALIZER, namespaceFinalizerOf } from '../../src/controllers/clusterexternalsecret/eso-finalizers.ts';
import { clusterExternalSecrets, externalSecrets, namespaces } from '../../src/kube/resources.ts';
import { eventually, getIfExists, startHarness, type Harness } from './harness.ts';

/**
 * ESO 2.x puts a finalizer on every ClusterExternalSecret and one per ClusterExternalSecret on each
 * Namespace it wrote into; only ESO takes them off. After a move from ESO this operator does ESO's
 * cleanup for what it serves. It runs here with a controller class, so that a ClusterExternalSecret
 * of another class (ESO's, beside it) can be told apart. No garbage collector or namespace controller
 * runs: an ExternalSecret that goes was deleted by the operator, and a deleted Namespace stays
 * Terminating on its spec.finalizers, so what is asserted is its metadata.finalizers.
 */
const CLASS = 'cesfin';
const OURS = `cesfin-store-${process.pid}`;
const THEIRS = `eso-store-${process.pid}`;
const OTHER = 'example.com/keep-until-done';

let h: Harness;
const created: string[] = [];
beforeAll(async () => {
  h = await startHarness({ operator: { controllerClass: CLASS } });
  for (const [name, controller] of [[OURS, CLASS], [THEIRS, 'eso']] as const) {
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name },
      spec: { controller, provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
  }
});
afterAll(async () => {
  // Cluster-scoped and shared with later files: let go of them and remove them.
  for (const name of created) {
    await dropFinalizers(clusterExternalSecrets.path(undefined, name)).catch(() => {});
    await h?.kube.request('DELETE', clusterExternalSecrets.path(undefined, name)).catch(() => {});
  }
  for (const name of [OURS, THEIRS]) await h?.kube.request('DELETE', `/apis/external-secrets.io/v1/clustersecretstores/${name}`).catch(() => {});
  await h?.close();
});

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

const dropFinalizers = (path: string) => h.kube.request('PATCH', path, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
const setFinalizers = (path: string, finalizers: string[]) =>
  h.kube.request('PATCH', path, { body: { metadata: { finalizers } }, contentType: 'application/merge-patch+json' });
const nsPath = (name: string) => namespaces.path(undefined, name);
const cesPath = (name: string) => clusterExternalSecrets.path(undefined, name);
const finalizersOf = async (path: string): Promise<string[]> => (await h.kube.get<any>(path)).metadata.finalizers ?? [];

/** A ClusterExternalSecret as ESO left it, selecting the namespaces labelled `tenant`, reading through `store`. */
async function applyCes(name: string, tenant: string, store: string, finalizers: string[] = []): Promise<void> {
  created.push(name);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name, finalizers },
    spec: {
      externalSecretName: 'db',
      namespaceSelectors: [{ matchLabels: { tenant } }],
      externalSecretSpec: {
        secretStoreRef: { name: store, kind: 'ClusterSecretStore' },
        data: [{ secretKey: 'password', remoteRef: { key: 'shared/db' } }],
      },
    },
  });
}

describe("ESO's ClusterExternalSecret finalizers, left after a move from ESO", () => {
  it('a deleted ClusterExternalSecret: its ExternalSecrets are deleted, its entry comes off every namespace (selected or not), others stay, and it goes', async () => {
    const tenant = unique('t');
    const name = unique('del');
    const selected = await h.namespace('cesfin-sel', { tenant });
    // No longer selected (relabelled while ESO ran): ESO would leave its entry there for ever (ESO #6677).
    const unselected = await h.namespace('cesfin-unsel');
    const someoneElse = namespaceFinalizerOf('someone-else');
    await setFinalizers(nsPath(selected), [OTHER, namespaceFinalizerOf(name), someoneElse]);
    await setFinalizers(nsPath(unselected), [namespaceFinalizerOf(name)]);
    await applyCes(name, tenant, OURS, [ESO_CES_FINALIZER]);
    await eventually(() => getIfExists(h.kube, externalSecrets.path(selected, 'db')), 'its ExternalSecret created');

    await h.kube.request('DELETE', cesPath(name));
    await eventually(async () => (await getIfExists(h.kube, cesPath(name))) === undefined, 'the ClusterExternalSecret gone');
    await eventually(async () => (await getIfExists(h.kube, externalSecrets.path(selected, 'db'))) === undefined, 'its ExternalSecret deleted');
    expect(await finalizersOf(nsPath(selected))).toEqual([OTHER, someoneElse]);
    expect(await finalizersOf(nsPath(unselected))).toEqual([]);
    await dropFinalizers(nsPath(selected));
  });

  it("a terminating namespace: the entries of ClusterExternalSecrets served here, and of ones that no longer exist, come off; another class's and other controllers' stay", async () => {
    const tenant = unique('t');
    const served = unique('ours');
    const theirs = unique('theirs');
    const missing = unique('missing');
    const ns = await h.namespace('cesfin-term', { tenant });
    await applyCes(served, tenant, OURS);
    await applyCes(theirs, tenant, THEIRS);
    await eventually(() => getIfExists(h.kube, externalSecrets.path(ns, 'db')), 'the served ClusterExternalSecret at work');
    await setFinalizers(nsPath(ns), [namespaceFinalizerOf(served), OTHER, namespaceFinalizerOf(theirs), namespaceFinalizerOf(missing)]);

    await h.kube.request('DELETE', nsPath(ns));
    const terminating = await eventually(async () => {
      const live = await h.kube.get<any>(nsPath(ns));
      return live.metadata.finalizers?.length === 2 ? live : undefined;
    }, "ESO's entries taken off the terminating namespace");
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect(terminating.metadata.finalizers).toEqual([OTHER, namespaceFinalizerOf(theirs)]);
    // Nothing more is coming: the operator has seen that very version and has nothing left to do.
    await eventually(async () => BigInt(h.operator.caches.cluster!.namespaces.get(ns)?.metadata.resourceVersion ?? -1) >= BigInt(terminating.metadata.resourceVersion), 'the operator to see it');
    await Promise.all(h.operator.controllers.map((c) => c.idle()));
    expect(await finalizersOf(nsPath(ns))).toEqual([OTHER, namespaceFinalizerOf(theirs)]);
    await dropFinalizers(nsPath(ns));
  });

  it("a deleted ClusterExternalSecret of another controller class keeps ESO's finalizer: ESO, beside this operator, takes it off", async () => {
    const name = unique('eso');
    await applyCes(name, unique('t'), THEIRS, [ESO_CES_FINALIZER]);
    await h.kube.request('DELETE', cesPath(name));
    const terminating = await h.kube.get<any>(cesPath(name));
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    // The positive sign: the operator's cache holds the terminating object and its reconciles are done.
    await eventually(async () => h.operator.caches.cluster!.clusterExternalSecrets.get(name)?.metadata.deletionTimestamp, 'the operator to see the deletion');
    await Promise.all(h.operator.controllers.map((c) => c.idle()));
    expect(await finalizersOf(cesPath(name))).toEqual([ESO_CES_FINALIZER]);
  });
});

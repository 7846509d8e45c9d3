import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { ESO_CLEANUP_FINALIZER } from '../../src/controllers/externalsecret/eso-finalizer.ts';
import { externalSecrets } from '../../src/kube/resources.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { eventually, getIfExists, operatorCaughtUp, type Harness, startHarness } from './harness.ts';

/**
 * ExternalSecrets written by ESO 2.x carry its cleanup finalizer. Once ESO is gone, this operator must do
 * ESO's cleanup and take that finalizer off, or deleting them would wait forever. No garbage collector runs
 * here, so a Secret that goes was deleted by the operator.
 */
let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const OTHER = 'example.com/keep-until-done';
const esPath = (ns: string, name: string) => externalSecrets.path(ns, name);

/** An ExternalSecret as ESO left it: with ESO's finalizer (and any others), synced to Secret `name`. */
async function syncedWithFinalizers(ns: string, name: string, finalizers: string[], target: Record<string, unknown> = {}): Promise<any> {
  const key = awsName(name);
  await createAwsSecrets(h, [{ name: key, string: 'v1' }]);
  await applyExternalSecret(h, ns, name, { target, data: [{ secretKey: 'value', remoteRef: { key } }] }, { finalizers });
  return readyAs(h, ns, name, 'True', 'SecretSynced');
}

const remove = (ns: string, name: string, body?: Record<string, unknown>) =>
  h.kube.request('DELETE', esPath(ns, name), body ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', ...body } } : {});

/** The ExternalSecret once ESO's finalizer is off it, still there (held by another finalizer). */
const releasedButHeld = (ns: string, name: string) => eventually(async () => {
  const es = await getIfExists(h.kube, esPath(ns, name));
  return es?.metadata.deletionTimestamp && !es.metadata.finalizers?.includes(ESO_CLEANUP_FINALIZER) ? es : undefined;
}, `ESO's finalizer taken off ${ns}/${name}`);

const gone = (path: string, what: string) => eventually(async () => (await getIfExists(h.kube, path)) === undefined, what);

describe("ESO's externalsecret-cleanup finalizer, left on ExternalSecrets after a move from ESO", () => {
  it("is taken off a deleted ExternalSecret, which goes; another controller's finalizer stays until it lets go", async () => {
    const ns = await storeNamespace(h, 'eso-fin');
    // Theirs before ESO's: taking ESO's off must not shift theirs out.
    await syncedWithFinalizers(ns, 'held', [OTHER, ESO_CLEANUP_FINALIZER]);
    await remove(ns, 'held');
    const held = await releasedButHeld(ns, 'held');
    expect(held.metadata.finalizers).toEqual([OTHER]);
    // Retain (the default): ESO's cleanup leaves the Secret to the garbage collector.
    expect(await h.secret(ns, 'held')).toBeDefined();

    await h.kube.request('PATCH', esPath(ns, 'held'), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    await gone(esPath(ns, 'held'), 'the ExternalSecret gone once the other controller let go');

    await syncedWithFinalizers(ns, 'alone', [ESO_CLEANUP_FINALIZER]);
    await remove(ns, 'alone');
    await gone(esPath(ns, 'alone'), 'the ExternalSecret with only ESO\'s finalizer gone');
    expect(await h.secret(ns, 'alone')).toBeDefined();
  });

  it('deletes the Secret the ExternalSecret owns under deletionPolicy Delete, as ESO\'s cleanup does', async () => {
    const ns = await storeNamespace(h, 'eso-fin-del');
    await syncedWithFinalizers(ns, 'es', [ESO_CLEANUP_FINALIZER], { deletionPolicy: 'Delete' });
    expect(await h.secret(ns, 'es')).toBeDefined();
    await remove(ns, 'es');
    await gone(esPath(ns, 'es'), 'the ExternalSecret gone');
    await gone(`/api/v1/namespaces/${ns}/secrets/es`, 'its Secret deleted');
    expect((await eventsFor(h, ns, 'es')).filter((e) => e.reason === 'Deleted')).toEqual([
      { type: 'Normal', reason: 'Deleted', message: 'secret deleted due to DeletionPolicy=Delete' },
    ]);
  });

  it('keeps the Secret when the deletion orphans dependents (kubectl delete --cascade=orphan)', async () => {
    const ns = await storeNamespace(h, 'eso-fin-orphan');
    await syncedWithFinalizers(ns, 'es', [ESO_CLEANUP_FINALIZER], { deletionPolicy: 'Delete' });
    await remove(ns, 'es', { propagationPolicy: 'Orphan' });
    // The garbage collector's own `orphan` finalizer holds it here: no collector runs.
    const held = await releasedButHeld(ns, 'es');
    expect(held.metadata.finalizers).toEqual(['orphan']);
    expect(await h.secret(ns, 'es')).toBeDefined();
    await h.kube.request('PATCH', esPath(ns, 'es'), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
  });

  it('never deletes a Secret the ExternalSecret does not own, under deletionPolicy Delete too', async () => {
    const ns = await storeNamespace(h, 'eso-fin-theirs');
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'theirs', namespace: ns }, data: { k: Buffer.from('mine').toString('base64') } });
    const key = awsName('theirs');
    await createAwsSecrets(h, [{ name: key, string: 'v1' }]);
    await applyExternalSecret(h, ns, 'es', { target: { name: 'theirs', deletionPolicy: 'Delete' }, data: [{ secretKey: 'value', remoteRef: { key } }] }, { finalizers: [ESO_CLEANUP_FINALIZER] });
    await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    await remove(ns, 'es');
    await gone(esPath(ns, 'es'), 'the ExternalSecret gone');
    expect((await h.secret(ns, 'theirs'))?.data).toEqual({ k: Buffer.from('mine').toString('base64') });
  });

  it("is left on an ExternalSecret of another controller class: that controller's to take off", async () => {
    const ns = await storeNamespace(h, 'eso-fin-class');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'elsewhere', namespace: ns },
      spec: { controller: 'another-class', provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    await applyExternalSecret(h, ns, 'es', { secretStoreRef: { name: 'elsewhere' }, data: [{ secretKey: 'value', remoteRef: { key: awsName('class') } }] }, { finalizers: [ESO_CLEANUP_FINALIZER] });
    await remove(ns, 'es');
    const terminating = await h.externalSecret(ns, 'es');
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    // The positive sign: the operator's cache holds the terminating object and its reconciles are done.
    await operatorCaughtUp(h, [terminating]);
    expect((await h.externalSecret(ns, 'es')).metadata.finalizers).toEqual([ESO_CLEANUP_FINALIZER]);
    await h.kube.request('PATCH', esPath(ns, 'es'), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
  });
});

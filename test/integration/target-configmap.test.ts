import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_OWNER } from '../../src/api/well-known.ts';
import { ESO_CLEANUP_FINALIZER } from '../../src/controllers/externalsecret/eso-finalizer.ts';
import { objectHash } from '../../src/go/hash.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { configMaps, externalSecrets } from '../../src/kube/resources.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { genericTargetsIdentity } from './generic-targets-identity.ts';
import { eventually, getIfExists, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';

/**
 * The operator with generic targets allowed (UNSAFE_ALLOW_GENERIC_TARGETS), under the chart's RBAC for
 * genericTargets.enabled=true: an identity of its own, so the suite's default one keeps its least privilege.
 */
let h: Harness;
beforeAll(async () => {
  const admin = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  try {
    const { kube } = await genericTargetsIdentity(admin, inject('adminKubeconfig'));
    h = await startHarness({ operatorKube: kube, operator: { allowGenericTargets: true } });
  } finally {
    await admin.close();
  }
});
afterAll(async () => h?.close());

const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' };
const DB = JSON.stringify({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
const dbData = (key: string) => [
  { secretKey: 'username', remoteRef: { key, property: 'username' } },
  { secretKey: 'password', remoteRef: { key, property: 'password' } },
];
/**
 * ESO's data-hash for these ConfigMaps, computed with Go 1.24 as ESO does (hex SHA3-224 of
 * fmt.Sprintf("%+v", data) over the ConfigMap's data), so the expectation does not lean on our code.
 */
const GO_HASH = {
  db: '654209408bce4eca2ec8ef3637640c400cf532d3e9ca6d66305affbf',
  dbNewPassword: '54b2dd28018eacf8455d4a474381c28fddb09cdc6beaef5c76050c65',
  properties: 'c2e5e3b2e76bc1e81568b5e756c010c5061a446790ea99f0a993881d',
};

const configMap = (ns: string, name: string): Promise<any | undefined> => getIfExists(h.kube, configMaps.path(ns, name));

/** A namespace with a store and an AWS secret holding DB. */
async function prepared(prefix: string): Promise<{ ns: string; key: string }> {
  const ns = await storeNamespace(h, prefix);
  const key = awsName(prefix);
  await createAwsSecrets(h, [{ name: key, string: DB }]);
  return { ns, key };
}

/** Waits for a sync after `before` (syncedResourceVersion moved on) with Ready=True. */
async function resynced(ns: string, name: string, before: any): Promise<any> {
  return eventually(async () => {
    const es = await h.externalSecret(ns, name);
    return es.status?.syncedResourceVersion !== before.status?.syncedResourceVersion && readyCondition(es)?.status === 'True' ? es : undefined;
  }, `ExternalSecret ${ns}/${name} synced again`);
}

/** Waits for an Event on the ExternalSecret (the recorder writes Events in the background). */
const recorded = (ns: string, name: string, event: { type: string; reason: string; message: string }): Promise<unknown> =>
  eventually(async () => (await eventsFor(h, ns, name)).some((e) => e.type === event.type && e.reason === event.reason && e.message === event.message),
    `Event ${event.reason} "${event.message}"`);

const forceSync = (ns: string, name: string): Promise<unknown> => h.kube.request('PATCH', externalSecrets.path(ns, name), {
  body: { metadata: { annotations: { 'force-sync': `${Date.now()}-${Math.random()}` } } },
  contentType: 'application/merge-patch+json',
});

describe('target.manifest ConfigMap', () => {
  it('is created with ESO\'s shape: values as text in data, managed and created-by labels, the ExternalSecret\'s labels, Go\'s data-hash, a controller ownerReference; no Secret', async () => {
    const { ns, key } = await prepared('cm-create');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { name: 'app-config', manifest: CONFIG_MAP } },
      { labels: { app: 'payments' }, annotations: { 'example.com/owner': 'team-a' } });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(es.status.binding).toEqual({ name: 'app-config' });

    const cm = await configMap(ns, 'app-config');
    expect(cm.data).toEqual({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
    expect(cm.binaryData).toBeUndefined();
    expect(cm.metadata.labels).toEqual({ app: 'payments', [LABEL_MANAGED]: 'true', [LABEL_OWNER]: objectHash(`${ns}/es`) });
    expect(cm.metadata.annotations).toEqual({ 'example.com/owner': 'team-a', [ANNOTATION_DATA_HASH]: GO_HASH.db });
    expect(cm.metadata.ownerReferences).toEqual([{
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'es', uid: es.metadata.uid, controller: true, blockOwnerDeletion: true,
    }]);
    expect(cm.immutable).toBeUndefined();
    await recorded(ns, 'es', { type: 'Normal', reason: 'Created', message: 'ConfigMap created' });

    await operatorCaughtUp(h, [es, cm]);
    expect(await h.secret(ns, 'app-config')).toBeUndefined();
  });

  it('is updated when the value in AWS changes', async () => {
    const { ns, key } = await prepared('cm-update');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { manifest: CONFIG_MAP } });
    const first = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    await h.putAwsSecret(key, JSON.stringify({ username: 'dbadmin', password: 'N3w-P@ss' }));
    await forceSync(ns, 'es');
    await resynced(ns, 'es', first);
    const cm = await configMap(ns, 'es');
    expect(cm.data).toEqual({ username: 'dbadmin', password: 'N3w-P@ss' });
    expect(cm.metadata.annotations[ANNOTATION_DATA_HASH]).toBe(GO_HASH.dbNewPassword);
    await recorded(ns, 'es', { type: 'Normal', reason: 'Updated', message: 'ConfigMap updated' });
  });

  it('is restored at once when its data is edited by hand, and recreated when deleted (drift, through the ConfigMap watch)', async () => {
    const { ns, key } = await prepared('cm-drift');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { manifest: CONFIG_MAP } });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    await h.kube.request('PATCH', configMaps.path(ns, 'es'), { body: { data: { password: 'tampered' } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => (await configMap(ns, 'es'))?.data?.password === 'S3cur3P@ssw0rd!', 'the edited value restored');

    await h.kube.request('DELETE', configMaps.path(ns, 'es'));
    const restored = await eventually(async () => configMap(ns, 'es'), 'the deleted ConfigMap recreated');
    expect(restored.data).toEqual({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
    expect(restored.metadata.annotations[ANNOTATION_DATA_HASH]).toBe(GO_HASH.db);
  });

  it('templates: template.data renders the data and template.metadata the labels; provider keys not templated are left out', async () => {
    const { ns, key } = await prepared('cm-template');
    await applyExternalSecret(h, ns, 'es', {
      data: dbData(key),
      target: {
        manifest: CONFIG_MAP,
        template: {
          metadata: { labels: { tier: 'backend' } },
          data: { 'app.properties': 'db.user={{ .username }}\ndb.url=postgres://{{ .username }}@db:5432/app\n' },
        },
      },
    });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const cm = await configMap(ns, 'es');
    expect(cm.data).toEqual({ 'app.properties': 'db.user=dbadmin\ndb.url=postgres://dbadmin@db:5432/app\n' });
    expect(cm.metadata.labels).toEqual({ tier: 'backend', [LABEL_MANAGED]: 'true', [LABEL_OWNER]: objectHash(`${ns}/es`) });
    expect(cm.metadata.annotations).toEqual({ [ANNOTATION_DATA_HASH]: GO_HASH.properties });
  });

  it('creationPolicy Merge writes into a user\'s ConfigMap, keeping its other keys, labels and binaryData', async () => {
    const { ns, key } = await prepared('cm-merge');
    await applyManifest(h.kube, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns, labels: { app: 'web' } },
      data: { 'feature.flags': 'beta=on', password: 'old' }, binaryData: { logo: Buffer.from([0, 1, 2]).toString('base64') },
    });
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { name: 'settings', creationPolicy: 'Merge', manifest: CONFIG_MAP } });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const cm = await configMap(ns, 'settings');
    expect(cm.data).toEqual({ 'feature.flags': 'beta=on', username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
    expect(cm.binaryData).toEqual({ logo: Buffer.from([0, 1, 2]).toString('base64') });
    expect(cm.metadata.labels).toEqual({ app: 'web', [LABEL_MANAGED]: 'true' });
    expect(cm.metadata.ownerReferences).toBeUndefined();
  });

  for (const creationPolicy of ['Owner', 'Orphan']) {
    it(`${creationPolicy}: a ConfigMap not made through an ExternalSecret is not overwritten (TargetNotManaged), left byte for byte`, async () => {
      const { ns, key } = await prepared(`cm-foreign-${creationPolicy.toLowerCase()}`);
      await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'es', namespace: ns, labels: { app: 'legacy' } }, data: { password: 'hand-made' } });
      const before = await configMap(ns, 'es');
      await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { creationPolicy, manifest: CONFIG_MAP } });
      const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
      expect(readyCondition(es).message).toMatch(/^TargetNotManaged: target ConfigMap "es" already exists and is not managed by an ExternalSecret/);
      expect(await configMap(ns, 'es')).toEqual(before);
    });
  }

  it('a ConfigMap owned by another ExternalSecret is not overwritten (TargetOwnedByAnother)', async () => {
    const { ns, key } = await prepared('cm-owned');
    await applyExternalSecret(h, ns, 'first', { data: dbData(key), target: { name: 'shared', manifest: CONFIG_MAP } });
    await readyAs(h, ns, 'first', 'True', 'SecretSynced');
    const before = await configMap(ns, 'shared');
    await applyExternalSecret(h, ns, 'second', { data: [{ secretKey: 'other', remoteRef: { key, property: 'username' } }], target: { name: 'shared', manifest: CONFIG_MAP } });
    const second = await readyAs(h, ns, 'second', 'False', 'SecretSyncedError');
    expect(readyCondition(second).message).toContain('TargetOwnedByAnother: target is owned by another ExternalSecret: ConfigMap "shared"');
    expect(await configMap(ns, 'shared')).toEqual(before);
  });

  it('switching the target back to a Secret deletes the ConfigMap it created (Owner) and writes the Secret', async () => {
    const { ns, key } = await prepared('cm-switch');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { manifest: CONFIG_MAP } });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(await configMap(ns, 'es')).toBeDefined();
    await applyExternalSecret(h, ns, 'es', { data: dbData(key) });
    await eventually(async () => (await h.secret(ns, 'es')) && !(await configMap(ns, 'es')), 'the Secret written and the ConfigMap gone');
    await recorded(ns, 'es', { type: 'Normal', reason: 'Deleted', message: 'ConfigMap deleted because it was orphaned: "es"' });
  });

  it('deletionPolicy Delete: the ConfigMap it controls is deleted once the AWS secret is gone (SecretDeleted)', async () => {
    const { ns, key } = await prepared('cm-delete');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { manifest: CONFIG_MAP, deletionPolicy: 'Delete' } });
    const synced = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(await configMap(ns, 'es')).toBeDefined();
    await h.aws.send(new DeleteSecretCommand({ SecretId: key, ForceDeleteWithoutRecovery: true }));
    await forceSync(ns, 'es');
    await resynced(ns, 'es', synced);
    const es = await readyAs(h, ns, 'es', 'True', 'SecretDeleted');
    expect(await configMap(ns, 'es')).toBeUndefined();
    await recorded(ns, 'es', { type: 'Normal', reason: 'Deleted', message: 'ConfigMap deleted due to DeletionPolicy=Delete' });
  });

  it('deletionPolicy Delete: a ConfigMap another controller\'s finalizer holds stays Terminating, and is not deleted again on later syncs', async () => {
    const { ns, key } = await prepared('cm-delete-held');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { manifest: CONFIG_MAP, deletionPolicy: 'Delete' } });
    const synced = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    await h.kube.request('PATCH', configMaps.path(ns, 'es'), {
      body: { metadata: { finalizers: ['example.com/hold'] } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'someone-else' },
    });
    await h.aws.send(new DeleteSecretCommand({ SecretId: key, ForceDeleteWithoutRecovery: true }));
    await forceSync(ns, 'es');
    const deleted = await resynced(ns, 'es', synced);
    expect(readyCondition(deleted).reason).toBe('SecretDeleted');
    const held = await configMap(ns, 'es');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual(['example.com/hold']);
    // Two more syncs see it Terminating: each records a MissingProviderSecret per data entry (two), and neither deletes it again.
    await forceSync(ns, 'es');
    const again = await resynced(ns, 'es', deleted);
    expect(readyCondition(again).reason).toBe('SecretDeleted');
    await forceSync(ns, 'es');
    await resynced(ns, 'es', again);
    // The last sync's Event in: the second's, sent before it, are in too.
    const list = await eventually(async () => {
      const all = await eventsFor(h, ns, 'es');
      return all.filter((e) => e.reason === 'MissingProviderSecret').length === 3 * 2 && all;
    }, 'the third sync\'s MissingProviderSecret Event');
    expect(list.filter((e) => e.reason === 'Deleted').map((e) => e.message)).toEqual(['ConfigMap deleted due to DeletionPolicy=Delete']);
    expect((await configMap(ns, 'es'))?.metadata.uid).toBe(held.metadata.uid);
    await h.kube.request('PATCH', configMaps.path(ns, 'es'), {
      body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'someone-else' },
    });
  });

  it("ESO's cleanup finalizer, left from before a move: under Delete+Owner the ConfigMap it controls goes with the ExternalSecret; under Retain it stays", async () => {
    const { ns, key } = await prepared('cm-eso-fin');
    const finalizers = { finalizers: [ESO_CLEANUP_FINALIZER] };
    await applyExternalSecret(h, ns, 'deletes', { data: dbData(key), target: { manifest: CONFIG_MAP, deletionPolicy: 'Delete' } }, finalizers);
    await applyExternalSecret(h, ns, 'retains', { data: dbData(key), target: { manifest: CONFIG_MAP } }, finalizers);
    await readyAs(h, ns, 'deletes', 'True', 'SecretSynced');
    await readyAs(h, ns, 'retains', 'True', 'SecretSynced');
    for (const name of ['deletes', 'retains']) await h.kube.request('DELETE', externalSecrets.path(ns, name));
    // No garbage collector runs here: a ConfigMap that goes was deleted by the operator.
    await eventually(async () => (await getIfExists(h.kube, externalSecrets.path(ns, 'deletes'))) === undefined, 'the ExternalSecret under Delete gone');
    await eventually(async () => (await configMap(ns, 'deletes')) === undefined, 'its ConfigMap deleted');
    await recorded(ns, 'deletes', { type: 'Normal', reason: 'Deleted', message: 'ConfigMap deleted due to DeletionPolicy=Delete' });
    await eventually(async () => (await getIfExists(h.kube, externalSecrets.path(ns, 'retains'))) === undefined, 'the ExternalSecret under Retain gone');
    expect((await configMap(ns, 'retains'))?.data).toEqual({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
  });

  it('another kind is refused with UnsupportedTargetKind naming it, not retried, and nothing is written', async () => {
    const { ns, key } = await prepared('cm-kind');
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { manifest: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' } } });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toBe('UnsupportedTargetKind: spec.target.manifest: kind "Application" of apiVersion "argoproj.io/v1alpha1" is not a target this operator writes; '
      + 'it writes a Secret (no manifest) or a ConfigMap (apiVersion: v1, kind: ConfigMap)');
    await recorded(ns, 'es', { type: 'Warning', reason: 'UpdateFailed', message: readyCondition(es).message });
    await operatorCaughtUp(h, [es]);
    expect(await h.secret(ns, 'es')).toBeUndefined();
    expect(await configMap(ns, 'es')).toBeUndefined();
  });

  it('templateFrom into data.<key> (read as YAML, as ESO does) and lowercase labels; a path elsewhere in the ConfigMap is UnsupportedField, nothing written', async () => {
    const { ns, key } = await prepared('cm-path');
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tpl', namespace: ns }, data: { 'app.yaml': "'db: {{ .username }}'" } });
    await applyExternalSecret(h, ns, 'es', {
      data: dbData(key),
      target: {
        manifest: CONFIG_MAP,
        template: {
          templateFrom: [
            { target: 'data.app', configMap: { name: 'tpl', items: [{ key: 'app.yaml' }] } },
            { target: 'labels', literal: 'tier: backend' },
          ],
        },
      },
    });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const cm = await configMap(ns, 'es');
    expect(cm.data).toEqual({ app: 'db: dbadmin' });
    expect(cm.metadata.labels).toEqual({ tier: 'backend', [LABEL_MANAGED]: 'true', [LABEL_OWNER]: objectHash(`${ns}/es`) });

    await applyExternalSecret(h, ns, 'other', { data: dbData(key), target: { manifest: CONFIG_MAP, template: { templateFrom: [{ target: 'metadata.finalizers', literal: '- example.com/hold' }] } } });
    const es = await readyAs(h, ns, 'other', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toBe('UnsupportedField: spec.target.template.templateFrom[0].target: "metadata.finalizers" is not a place this operator writes '
      + 'in a ConfigMap; use Data, Annotations or Labels (any case), or data.<key>');
    await operatorCaughtUp(h, [es]);
    expect(await configMap(ns, 'other')).toBeUndefined();
  });

  it('past 1 MiB of data it is SecretTooLarge, the message naming a ConfigMap', async () => {
    const { ns, key } = await prepared('cm-large');
    await applyExternalSecret(h, ns, 'es', {
      data: dbData(key),
      target: { manifest: CONFIG_MAP, template: { data: { a: '{{ repeat 600000 "x" }}', b: '{{ repeat 600000 "y" }}' } } },
    });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toBe("SecretTooLarge: the ConfigMap's data would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a ConfigMap");
    await operatorCaughtUp(h, [es]);
    expect(await configMap(ns, 'es')).toBeUndefined();
  });
});

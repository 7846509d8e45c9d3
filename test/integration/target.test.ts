import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, expectSecret, readyAs, storeNamespace, type SecretExpectation } from './cases.ts';
import { eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { externalSecrets } from '../../src/kube/resources.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { KubeApiError } from '../../src/kube/client.ts';
import { finalizerNameProblem } from '../../src/sync/finalizers.ts';
import { finalizerNames } from '../helpers/finalizer-names.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const json = JSON.stringify;
const esPath = (ns: string, name: string) => externalSecrets.path(ns, name);
const slug = (name: string) => name.split(':')[0]!.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-|-$/g, '').slice(0, 20);

/** What users do to refetch at once: change an annotation on the ExternalSecret. Returns the value written. */
async function forceSync(ns: string, name: string): Promise<string> {
  const value = `${Date.now()}-${Math.random()}`;
  await h.kube.request('PATCH', esPath(ns, name), {
    body: { metadata: { annotations: { 'force-sync': value } } },
    contentType: 'application/merge-patch+json',
  });
  return value;
}

/** Waits for a sync that happened after `before` was read (its syncedResourceVersion moved on), with the given Ready reason. */
async function resynced(ns: string, name: string, before: any, reason = 'SecretSynced'): Promise<any> {
  return eventually(async () => {
    const es = await h.externalSecret(ns, name);
    const c = readyCondition(es);
    if (es.status?.syncedResourceVersion !== before.status?.syncedResourceVersion && c?.status === 'True' && c.reason === reason) return es;
    throw new Error(`Ready is ${json(c)}`);
  }, `ExternalSecret ${ns}/${name} synced again (${reason})`);
}

/** readyAs, and on a timeout the Ready condition it had instead. */
async function settlesAs(ns: string, name: string, status: 'True' | 'False', reason: string): Promise<any> {
  try {
    return await readyAs(h, ns, name, status, reason);
  } catch (err) {
    throw new Error(`${(err as Error).message}; Ready is ${json(readyCondition(await h.externalSecret(ns, name)))}`);
  }
}

/** Creates a Secret as a user would, outside any ExternalSecret. */
async function userSecret(ns: string, name: string, secret: { data: Record<string, string>; type?: string; labels?: Record<string, string>; annotations?: Record<string, string> }): Promise<any> {
  await applyManifest(h.kube, {
    apiVersion: 'v1', kind: 'Secret', type: secret.type ?? 'Opaque',
    metadata: { name, namespace: ns, labels: secret.labels, annotations: secret.annotations },
    data: Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
  return h.secret(ns, name);
}

/** Asserts that no Secret `name` exists once the operator has handled everything about `es` (as read after a sync). */
async function absentOnceProcessed(es: any, name: string): Promise<void> {
  await operatorCaughtUp(h, [es]);
  expect(await h.secret(es.metadata.namespace, name)).toBeUndefined();
}

const DB = json({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
const dbData = (key: string) => [
  { secretKey: 'username', remoteRef: { key, property: 'username' } },
  { secretKey: 'password', remoteRef: { key, property: 'password' } },
];
const DB_WANT = { username: 'dbadmin', password: 'S3cur3P@ssw0rd!' };

interface WriteCase {
  name: string;
  /** Fields of spec.target. */
  target?: Record<string, unknown>;
  /** The ExternalSecret's own metadata. */
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** The Secret's name (default: the ExternalSecret's, `es`). */
  secretName?: string;
  want: SecretExpectation;
}

/** The Secret written on the first sync, for each target setting that does not need a prepared cluster. */
const writeCases: WriteCase[] = [
  {
    name: 'Owner (default): named after the ExternalSecret, its labels and annotations copied, created-by and a controller ownerReference',
    metadata: { labels: { app: 'x', 'app.kubernetes.io/part-of': 'payments' }, annotations: { 'example.com/owner': 'team-a' } },
    want: { data: DB_WANT, labels: { app: 'x', 'app.kubernetes.io/part-of': 'payments' }, annotations: { 'example.com/owner': 'team-a' } },
  },
  {
    name: 'target.name: the Secret gets that name',
    target: { name: 'db-credentials' },
    secretName: 'db-credentials',
    want: { data: DB_WANT },
  },
  {
    name: 'Orphan: no ownerReference and no created-by label, the labels still copied',
    target: { creationPolicy: 'Orphan' },
    metadata: { labels: { app: 'x' } },
    want: { data: DB_WANT, labels: { app: 'x' }, owned: false },
  },
  {
    name: 'immutable: the Secret is created immutable',
    target: { immutable: true },
    want: { data: DB_WANT, immutable: true },
  },
];

describe('target: the Secret written', () => {
  for (const c of writeCases) {
    it(c.name, async () => {
      const ns = await storeNamespace(h, slug(c.name));
      const key = awsName('db');
      await createAwsSecrets(h, [{ name: key, string: DB }]);
      await applyExternalSecret(h, ns, 'es', { data: dbData(key), ...(c.target ? { target: c.target } : {}) }, c.metadata);
      const es = await settlesAs(ns, 'es', 'True', 'SecretSynced');
      expect(es.status.binding).toEqual({ name: c.secretName ?? 'es' });
      expectSecret(await h.secret(ns, c.secretName ?? 'es'), es, c.want);
    });
  }

  it('creationPolicy None: no Secret is written, Ready=True SecretSynced', async () => {
    const ns = await storeNamespace(h, 'none');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { creationPolicy: 'None' } });
    const es = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    await absentOnceProcessed(es, 'es');
  });

  it('creationPolicy Merge: never creates the Secret; merges into one the user created, keeping its keys, labels, annotations and type', async () => {
    const ns = await storeNamespace(h, 'merge');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { creationPolicy: 'Merge' } });
    const missing = await settlesAs(ns, 'es', 'True', 'SecretMissing');
    expect(readyCondition(missing).message).toBe('secret will not be created due to CreationPolicy=Merge');
    await absentOnceProcessed(missing, 'es');

    await userSecret(ns, 'es', {
      type: 'example.com/app-config',
      data: { 'config.ini': '[db]\nhost=db.internal\n', password: 'old-password' },
      labels: { 'app.kubernetes.io/name': 'myapp' },
      annotations: { 'example.com/owner': 'team-a' },
    });
    const forced = await forceSync(ns, 'es');
    const es = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expect(es.status.binding).toEqual({ name: 'es' });
    expectSecret(await h.secret(ns, 'es'), es, {
      type: 'example.com/app-config',
      data: { 'config.ini': '[db]\nhost=db.internal\n', ...DB_WANT },
      labels: { 'app.kubernetes.io/name': 'myapp' },
      annotations: { 'example.com/owner': 'team-a', 'force-sync': forced },
      owned: false,
    });
  });
});

describe('target.creationPolicy CreateOrMerge (ESO 2.9: create when missing, merge when present, no owner)', () => {
  it('creates a missing Secret without an ownerReference, and recreates it at once when it is deleted', async () => {
    const ns = await storeNamespace(h, 'create-or-merge');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { creationPolicy: 'CreateOrMerge' } }, { labels: { app: 'x' } });
    const es = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expect(es.status.binding).toEqual({ name: 'es' });
    const created = await h.secret(ns, 'es');
    expectSecret(created, es, { data: DB_WANT, labels: { app: 'x' }, owned: false });
    await eventually(async () => (await eventsFor(h, ns, 'es')).some((e) => e.type === 'Normal' && e.reason === 'Created'), 'a Created Event');

    // No refresh is due (1h) and nothing about the ExternalSecret changes: the Secret's deletion alone brings it back.
    await h.kube.request('DELETE', `/api/v1/namespaces/${ns}/secrets/es`);
    const recreated = await eventually(async () => {
      const s = await h.secret(ns, 'es');
      return s && s.metadata.uid !== created.metadata.uid ? s : undefined;
    }, 'the Secret recreated');
    expectSecret(recreated, es, { data: DB_WANT, labels: { app: 'x' }, owned: false });
  });

  it("merges into a Secret the user made, keeping its keys, labels, annotations and type, and never owns it", async () => {
    const ns = await storeNamespace(h, 'create-or-merge-existing');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await userSecret(ns, 'app', {
      type: 'example.com/app-config',
      data: { 'config.ini': '[db]\nhost=db.internal\n', password: 'old-password' },
      labels: { 'app.kubernetes.io/name': 'myapp' },
      annotations: { 'example.com/owner': 'team-a' },
    });
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { name: 'app', creationPolicy: 'CreateOrMerge' } });
    const es = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expect(es.status.binding).toEqual({ name: 'app' });
    expectSecret(await h.secret(ns, 'app'), es, {
      type: 'example.com/app-config',
      data: { 'config.ini': '[db]\nhost=db.internal\n', ...DB_WANT },
      labels: { 'app.kubernetes.io/name': 'myapp' },
      annotations: { 'example.com/owner': 'team-a' },
      owned: false,
    });
  });

  it('switched from Owner, the Secret loses the ownerReference and created-by label, so deleting the ExternalSecret would keep it', async () => {
    const ns = await storeNamespace(h, 'owner-to-create-or-merge');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key) });
    const first = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), first, { data: DB_WANT });

    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { creationPolicy: 'CreateOrMerge' } });
    const es = await resynced(ns, 'es', first);
    expectSecret(await h.secret(ns, 'es'), es, { data: DB_WANT, owned: false });
  });
});

describe('an ExternalSecret deleted: the condition type Deleted (ESO sets it only in its metrics)', () => {
  it('externalsecret_status_condition drops the Ready series and shows condition="Deleted",status="False" at 1; no object carries it', async () => {
    const ns = await storeNamespace(h, 'es-deleted');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key) });
    const es = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expect(es.status.conditions.map((c: any) => c.type)).toEqual(['Ready']);
    const gauge = h.operator.metrics.statusCondition;
    const series = (condition: string, status: string) => ({ name: 'es', namespace: ns, condition, status });
    await eventually(async () => (await metricValue(gauge, series('Ready', 'True'))) === 1, 'the Ready series');

    await h.kube.request('DELETE', esPath(ns, 'es'));
    await eventually(async () => (await metricValue(gauge, series('Deleted', 'False'))) === 1, 'the Deleted series');
    const { values } = await gauge.get();
    expect(values.filter((v) => v.labels.namespace === ns).map((v) => [v.labels.condition, v.labels.status, v.value])).toEqual([['Deleted', 'False', 1]]);

    // An ExternalSecret of the same name that syncs takes the mark away again. (No garbage collector
    // runs here: the old Secret, owned by the deleted ExternalSecret, is removed as it would remove it.)
    await h.kube.request('DELETE', `/api/v1/namespaces/${ns}/secrets/es`);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key) });
    await settlesAs(ns, 'es', 'True', 'SecretSynced');
    await eventually(async () => (await metricValue(gauge, series('Ready', 'True'))) === 1, 'the Ready series again');
    expect((await gauge.get()).values.filter((v) => v.labels.namespace === ns && v.labels.condition === 'Deleted')).toEqual([]);
  });
});

describe('target: Secrets this operator must not write (stricter than ESO)', () => {
  for (const creationPolicy of ['Owner', 'Orphan']) {
    it(`${creationPolicy}: an existing Secret not managed by any ExternalSecret is reported (TargetNotManaged) and left byte for byte`, async () => {
      const ns = await storeNamespace(h, `unmanaged-${creationPolicy.toLowerCase()}`);
      const key = awsName('db');
      await createAwsSecrets(h, [{ name: key, string: DB }]);
      const before = await userSecret(ns, 'es', { data: { password: 'hand-made' }, labels: { app: 'legacy' }, annotations: { note: 'keep' } });
      await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { creationPolicy } });
      const es = await settlesAs(ns, 'es', 'False', 'SecretSyncedError');
      expect(readyCondition(es).message).toContain('TargetNotManaged');
      expect(await h.secret(ns, 'es')).toEqual(before);
    });
  }

  it('a Secret owned by another ExternalSecret is reported (TargetOwnedByAnother) and left byte for byte', async () => {
    const ns = await storeNamespace(h, 'owned-by-another');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'first', { data: dbData(key), target: { name: 'shared' } });
    const first = await settlesAs(ns, 'first', 'True', 'SecretSynced');
    const before = await h.secret(ns, 'shared');
    expectSecret(before, first, { data: DB_WANT });

    await applyExternalSecret(h, ns, 'second', { data: [{ secretKey: 'other', remoteRef: { key, property: 'username' } }], target: { name: 'shared' } });
    const second = await settlesAs(ns, 'second', 'False', 'SecretSyncedError');
    expect(readyCondition(second).message).toContain('TargetOwnedByAnother');
    expect(readyCondition(second).message).toContain('target is owned by another ExternalSecret');
    expect(await h.secret(ns, 'shared')).toEqual(before);
  });
});

type Removal = 'force' | 'recovery-window';

interface DeletionCase {
  name: string;
  deletionPolicy?: 'Retain' | 'Delete' | 'Merge';
  /** Which of the two AWS secrets (`keep` and `gone`) are deleted, and how. */
  delete: Array<'keep' | 'gone'>;
  how: Removal;
  /** `failed`: Ready=False and the Secret as it was; `deleted`: no Secret, Ready=True SecretDeleted; else the Secret's data after the sync. */
  want: 'failed' | 'deleted' | Record<string, string>;
}

/**
 * An ExternalSecret reads `keep` and `gone` from two AWS secrets; some are then deleted in AWS
 * (at once, or marked for deletion with a recovery window) and a sync is forced.
 */
const deletionCases: DeletionCase[] = [
  { name: 'Retain (default): a deleted AWS secret is an error, the Secret is kept', delete: ['gone'], how: 'force', want: 'failed' },
  { name: 'Retain (default): a secret marked for deletion is an error, the Secret is kept', delete: ['gone'], how: 'recovery-window', want: 'failed' },
  { name: 'Delete: every AWS secret deleted, the Secret is deleted', deletionPolicy: 'Delete', delete: ['keep', 'gone'], how: 'force', want: 'deleted' },
  { name: 'Delete: every AWS secret marked for deletion, the Secret is deleted', deletionPolicy: 'Delete', delete: ['keep', 'gone'], how: 'recovery-window', want: 'deleted' },
  { name: 'Delete: one AWS secret deleted, its key is dropped and the rest kept', deletionPolicy: 'Delete', delete: ['gone'], how: 'force', want: { keep: 'kept' } },
  { name: 'Merge: one AWS secret deleted, the Secret is kept without its key', deletionPolicy: 'Merge', delete: ['gone'], how: 'force', want: { keep: 'kept' } },
  { name: 'Merge: one AWS secret marked for deletion, the Secret is kept without its key', deletionPolicy: 'Merge', delete: ['gone'], how: 'recovery-window', want: { keep: 'kept' } },
  { name: 'Merge: every AWS secret deleted, the Secret is kept with no data', deletionPolicy: 'Merge', delete: ['keep', 'gone'], how: 'force', want: {} },
];

describe('target.deletionPolicy, when the AWS secrets are deleted', () => {
  for (const c of deletionCases) {
    it(c.name, async () => {
      const ns = await storeNamespace(h, `del-${slug(c.name)}`);
      const keys = { keep: awsName('keep'), gone: awsName('gone') };
      await createAwsSecrets(h, [{ name: keys.keep, string: json({ v: 'kept' }) }, { name: keys.gone, string: json({ v: 'removed' }) }]);
      await applyExternalSecret(h, ns, 'es', {
        data: [{ secretKey: 'keep', remoteRef: { key: keys.keep, property: 'v' } }, { secretKey: 'gone', remoteRef: { key: keys.gone, property: 'v' } }],
        ...(c.deletionPolicy ? { target: { deletionPolicy: c.deletionPolicy } } : {}),
      });
      const synced = await settlesAs(ns, 'es', 'True', 'SecretSynced');
      const before = await h.secret(ns, 'es');
      expectSecret(before, synced, { data: { keep: 'kept', gone: 'removed' } });

      for (const which of c.delete) {
        await h.aws.send(new DeleteSecretCommand(c.how === 'force'
          ? { SecretId: keys[which], ForceDeleteWithoutRecovery: true }
          : { SecretId: keys[which], RecoveryWindowInDays: 7 }));
      }
      const forced = await forceSync(ns, 'es');

      if (c.want === 'failed') {
        const es = await settlesAs(ns, 'es', 'False', 'SecretSyncedError');
        // Our reason code for "no such secret", deleted or only marked for deletion (src/errors.ts).
        expect(readyCondition(es).message).toMatch(new RegExp(`^AWSSecretNotFound: .*${keys.gone}`));
        expect(await h.secret(ns, 'es')).toEqual(before);
      } else if (c.want === 'deleted') {
        const es = await settlesAs(ns, 'es', 'True', 'SecretDeleted');
        expect(readyCondition(es).message).toBe('secret deleted due to DeletionPolicy=Delete');
        expect(await h.secret(ns, 'es')).toBeUndefined();
        await eventually(async () => (await eventsFor(h, ns, 'es')).some((e) => e.type === 'Normal' && e.reason === 'Deleted'), 'a Deleted Event');
      } else {
        const es = await resynced(ns, 'es', synced);
        expectSecret(await h.secret(ns, 'es'), es, { data: c.want, annotations: { 'force-sync': forced } });
      }
    });
  }
});

describe('target.deletionPolicy Delete aimed at a Secret this ExternalSecret does not control', () => {
  const goneSpec = (target: Record<string, unknown>) => ({
    data: [{ secretKey: 'v', remoteRef: { key: awsName('never-created'), property: 'v' } }],
    target: { deletionPolicy: 'Delete', ...target },
  });

  it('a Secret someone else made is left in place, and Ready=False says so (TargetNotManaged)', async () => {
    const ns = await storeNamespace(h, 'del-foreign');
    const before = await userSecret(ns, 'app', { data: { v: 'theirs' } });
    await applyExternalSecret(h, ns, 'es', goneSpec({ name: 'app' }));
    const es = await settlesAs(ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toBe('TargetNotManaged: the provider secrets are gone and deletionPolicy is Delete, but Secret "app" is not controlled by this ExternalSecret: it was left in place, not deleted; choose another spec.target.name or delete it yourself');
    expect(await h.secret(ns, 'app')).toEqual(before);
  });

  it("another ExternalSecret's Secret is left in place (TargetOwnedByAnother)", async () => {
    const ns = await storeNamespace(h, 'del-other-es');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'owner', { data: dbData(key), target: { name: 'app' } });
    await settlesAs(ns, 'owner', 'True', 'SecretSynced');
    const before = await h.secret(ns, 'app');
    await applyExternalSecret(h, ns, 'es', goneSpec({ name: 'app' }));
    const es = await settlesAs(ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toMatch(/^TargetOwnedByAnother: the provider secrets are gone and deletionPolicy is Delete, but Secret "app" is controlled by ExternalSecret "owner": it was left in place, not deleted;/);
    expect(await h.secret(ns, 'app')).toEqual(before);
  });
});

describe('target: later syncs', () => {
  it('immutable: a value changed in AWS does not change the Secret, and Ready stays SecretSynced', async () => {
    const ns = await storeNamespace(h, 'immutable-later');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { immutable: true } });
    const first = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    const before = await h.secret(ns, 'es');
    expectSecret(before, first, { data: DB_WANT, immutable: true });

    await h.putAwsSecret(key, json({ username: 'dbadmin', password: 'R0tated!' }));
    await forceSync(ns, 'es');
    const es = await resynced(ns, 'es', first);
    const after = await h.secret(ns, 'es');
    expect(after.immutable).toBe(true);
    expect(after.data).toEqual(before.data);
    expect(after.metadata.annotations['reconcile.external-secrets.io/data-hash']).toBe(before.metadata.annotations['reconcile.external-secrets.io/data-hash']);
    expect(readyCondition(es)).toMatchObject({ status: 'True', reason: 'SecretSynced' });
    expect((await eventsFor(h, ns, 'es')).filter((e) => e.type === 'Warning')).toEqual([]);
  });

  it('Owner: changing target.name deletes the Secret this ExternalSecret created under the old name', async () => {
    const ns = await storeNamespace(h, 'rename');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { name: 'old-name' } });
    const first = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'old-name'), first, { data: DB_WANT });

    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { name: 'new-name' } });
    const es = await eventually(async () => {
      const current = await h.externalSecret(ns, 'es');
      return current.status?.binding?.name === 'new-name' && readyCondition(current)?.reason === 'SecretSynced' ? current : undefined;
    }, 'the sync to new-name');
    expectSecret(await h.secret(ns, 'new-name'), es, { data: DB_WANT });
    await eventually(async () => (await h.secret(ns, 'old-name')) === undefined, 'old-name deleted');
    await eventually(async () => (await eventsFor(h, ns, 'es')).some((e) => e.type === 'Normal' && e.reason === 'Deleted'), 'a Deleted Event');
  });

  it("Owner: labels and annotations the template stops producing are removed; others' stay (its managedFields say which are its own)", async () => {
    const ns = await storeNamespace(h, 'owned-meta');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    const template = (labels: Record<string, string>, annotations: Record<string, string>) => ({ metadata: { labels, annotations } });
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { template: template({ keep: '1', drop: '2' }, { 'keep.io/a': '1', 'drop.io/b': '2' }) } });
    const first = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    // Another writer's label on the same Secret.
    await h.kube.request('PATCH', `/api/v1/namespaces/${ns}/secrets/es`, {
      body: { metadata: { labels: { theirs: 'x' } } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'someone-else' },
    });
    await applyExternalSecret(h, ns, 'es', { data: dbData(key), target: { template: template({ keep: '1' }, { 'keep.io/a': '1' }) } });
    await resynced(ns, 'es', first);
    const secret = await h.secret(ns, 'es');
    expect(secret.metadata.labels).toMatchObject({ keep: '1', theirs: 'x' });
    expect(secret.metadata.labels?.drop).toBeUndefined();
    expect(secret.metadata.annotations?.['drop.io/b']).toBeUndefined();
    expect(secret.metadata.annotations?.['keep.io/a']).toBe('1');
  });

  it('Events: Created on the first write, none while nothing changes, Updated when the data changes, UpdateFailed on a failure', async () => {
    const ns = await storeNamespace(h, 'events');
    const key = awsName('events');
    await createAwsSecrets(h, [{ name: key, string: json({ v: 'one' }) }]);
    await applyExternalSecret(h, ns, 'es', { refreshInterval: '1s', data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
    const first = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    const created = [{ type: 'Normal', reason: 'Created', message: 'secret created' }];
    await eventually(async () => (await eventsFor(h, ns, 'es')).length > 0, 'the Created Event');

    // Periodic refreshes that find the same data write nothing and record nothing.
    let refreshes = 0;
    let lastRefresh = first.status.refreshTime;
    await eventually(async () => {
      const es = await h.externalSecret(ns, 'es');
      if (es.status.refreshTime !== lastRefresh) (refreshes++, lastRefresh = es.status.refreshTime);
      return refreshes >= 2;
    }, 'two more periodic refreshes');
    expect(await eventsFor(h, ns, 'es')).toEqual(created);

    await h.putAwsSecret(key, json({ v: 'two' }));
    const es = await eventually(async () => {
      const s = await h.secret(ns, 'es');
      return Buffer.from(s?.data?.v ?? '', 'base64').toString() === 'two' ? h.externalSecret(ns, 'es') : undefined;
    }, 'the new value');
    expectSecret(await h.secret(ns, 'es'), es, { data: { v: 'two' } });
    // Events are sent without waiting: the Updated one is the positive sign that any the refreshes sent are in too.
    const updated = await eventually(async () => {
      const list = await eventsFor(h, ns, 'es');
      return list.some((e) => e.reason === 'Updated') && list;
    }, 'the Updated Event');
    expect(updated).toEqual([...created, { type: 'Normal', reason: 'Updated', message: 'secret updated' }]);

    await h.putAwsSecret(key, json({ renamed: 'three' }));
    await settlesAs(ns, 'es', 'False', 'SecretSyncedError');
    const warnings = await eventually(async () => {
      const found = (await eventsFor(h, ns, 'es')).filter((e) => e.type === 'Warning');
      return found.length > 0 ? found : undefined;
    }, 'an UpdateFailed Event');
    expect(warnings[0]).toMatchObject({ type: 'Warning', reason: 'UpdateFailed' });
    expect(warnings[0]!.message).toContain('PropertyNotFound');
    expectSecret(await h.secret(ns, 'es'), es, { data: { v: 'two' } });
  });
});

describe('target.template.metadata.finalizers (as ESO 2.9: added, never removed)', () => {
  /** Sets a Secret's finalizers as another controller would (null: all of them off). */
  const setFinalizers = (ns: string, name: string, finalizers: string[] | null) => h.kube.request('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {
    body: { metadata: { finalizers } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'someone-else' },
  });
  const withFinalizers = (key: string, finalizers: string[], target: Record<string, unknown> = {}) =>
    ({ data: dbData(key), target: { ...target, template: { metadata: { finalizers } } } });

  it("are added after the Secret's own, stay when dropped from the template, are not added while it is being deleted, and all go on the one recreated", async () => {
    const ns = await storeNamespace(h, 'finalizers');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', withFinalizers(key, ['example.com/hold']));
    const first = await settlesAs(ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), first, { data: DB_WANT, finalizers: ['example.com/hold'] });

    await setFinalizers(ns, 'es', ['example.com/hold', 'theirs.example/x']);
    await applyExternalSecret(h, ns, 'es', withFinalizers(key, ['example.com/second']));
    const second = await resynced(ns, 'es', first);
    const held = await h.secret(ns, 'es');
    expectSecret(held, second, { data: DB_WANT, finalizers: ['example.com/hold', 'theirs.example/x', 'example.com/second'] });

    // Deleted: the finalizers hold it. A sync now must not add one (the apiserver would refuse the write).
    await h.kube.request('DELETE', `/api/v1/namespaces/${ns}/secrets/es`);
    await eventually(async () => (await h.secret(ns, 'es'))?.metadata.deletionTimestamp, 'the Secret held in Terminating');
    await applyExternalSecret(h, ns, 'es', withFinalizers(key, ['example.com/second', 'example.com/third']));
    await resynced(ns, 'es', second);
    const terminating = await h.secret(ns, 'es');
    expect(terminating.metadata.uid).toBe(held.metadata.uid);
    expect(terminating.metadata.finalizers).toEqual(['example.com/hold', 'theirs.example/x', 'example.com/second']);

    // Their controllers let go: the Secret goes, and the one recreated carries the template's finalizers.
    await setFinalizers(ns, 'es', null);
    const recreated = await eventually(async () => {
      const secret = await h.secret(ns, 'es');
      return secret && secret.metadata.uid !== held.metadata.uid ? secret : undefined;
    }, 'the Secret recreated');
    expectSecret(recreated, await h.externalSecret(ns, 'es'), { data: DB_WANT, finalizers: ['example.com/second', 'example.com/third'] });
    await setFinalizers(ns, 'es', null);
  });

  it('a name the apiserver would refuse is InvalidSpec, naming the entry, and no Secret is written', async () => {
    const ns = await storeNamespace(h, 'finalizer-invalid');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'es', withFinalizers(key, ['example.com/ok', 'Example.com/x']));
    const es = await settlesAs(ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toBe(`InvalidSpec: spec.target.template.metadata.finalizers[1]: "Example.com/x" is not a valid finalizer name: the prefix before '/' must be a lowercase DNS subdomain (letters, digits, '-' and '.', e.g. example.com)`);
    await absentOnceProcessed(es, 'es');
  });

  it('the names refused are exactly those the apiserver refuses (each sent to it in a dry-run create)', async () => {
    const ns = await h.namespace('finalizer-names');
    const verdict = (finalizers: string[]) => h.kube.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'probe', namespace: ns, finalizers } }, query: { dryRun: 'All' },
    }).then(() => 'accepted', (err) => {
      if (err instanceof KubeApiError && err.status === 422) return 'refused';
      throw err;
    });
    const apiserver: Record<string, string> = {};
    const ours: Record<string, string> = {};
    for (const [name] of finalizerNames) {
      apiserver[name] = await verdict([name]);
      ours[name] = finalizerNameProblem(name) === undefined ? 'accepted' : 'refused';
    }
    expect(ours).toEqual(apiserver);
    expect(apiserver).toEqual(Object.fromEntries(finalizerNames.map(([name, accepted]) => [name, accepted ? 'accepted' : 'refused'])));
    expect(await verdict(['orphan', 'foregroundDeletion'])).toBe('refused');
  });

  it('deletionPolicy Delete: the Secret they hold stays Terminating, Ready=True SecretDeleted, and is not deleted again on later syncs', async () => {
    const ns = await storeNamespace(h, 'finalizer-delete');
    const key = awsName('v');
    await createAwsSecrets(h, [{ name: key, string: json({ v: 'one' }) }]);
    const spec = { data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }], target: { deletionPolicy: 'Delete', template: { metadata: { finalizers: ['example.com/hold'] } } } };
    await applyExternalSecret(h, ns, 'es', spec);
    await settlesAs(ns, 'es', 'True', 'SecretSynced');

    await h.aws.send(new DeleteSecretCommand({ SecretId: key, ForceDeleteWithoutRecovery: true }));
    await forceSync(ns, 'es');
    const deleted = await settlesAs(ns, 'es', 'True', 'SecretDeleted');
    const held = await h.secret(ns, 'es');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual(['example.com/hold']);
    await forceSync(ns, 'es');
    await resynced(ns, 'es', deleted, 'SecretDeleted');

    // The value back in AWS: the held Secret is updated. Its Updated Event is recorded after any the syncs before it sent.
    await createAwsSecrets(h, [{ name: key, string: json({ v: 'two' }) }]);
    await forceSync(ns, 'es');
    const recorded = await eventually(async () => {
      const list = await eventsFor(h, ns, 'es');
      return list.some((e) => e.reason === 'Updated') && list;
    }, 'the Updated Event');
    // One sync's Events are sent at once, so their order is not fixed: compare them sorted.
    expect(recorded.map((e) => `${e.type} ${e.reason}`).sort()).toEqual([
      'Normal Created', 'Normal Deleted', 'Normal MissingProviderSecret', 'Normal MissingProviderSecret', 'Normal Updated',
    ]);
    await setFinalizers(ns, 'es', null);
  });
});

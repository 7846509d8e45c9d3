import { readFileSync } from 'node:fs';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ListTagsForResourceCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { pushSecrets } from '../../src/kube/resources.ts';
import { INITIAL_VERSION } from '../../src/push/secrets-manager-writer.ts';
import { PUSH_SECRET_FINALIZER } from '../../src/push/reconciler.ts';
import { awsName, createAwsSecrets, eventsFor } from './cases.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { eventually, getIfExists, readyCondition, ROLE_ARN, startHarness, type Harness } from './harness.ts';

let h: Harness;
let ssm: SSMClient;

beforeAll(async () => {
  h = await startHarness();
  ssm = new SSMClient({ region: 'us-east-1' });
});
afterAll(async () => {
  // PushSecrets go while the operator runs: a Delete one's finalizer needs it.
  for (const ns of created) {
    const list = await h.kube.get(pushSecrets.path(ns));
    for (const ps of list.items) await h.kube.request('DELETE', pushSecrets.path(ns, ps.metadata.name));
    await eventually(async () => (await h.kube.get(pushSecrets.path(ns))).items.length === 0, `the PushSecrets of ${ns} to go`);
  }
  ssm?.destroy();
  await h?.close();
});

const created: string[] = [];

/** A namespace with a SecretStore `aws` (Secrets Manager, or `service`), labelled as asked. */
async function pushNamespace(prefix: string, aws: Record<string, unknown> = {}): Promise<string> {
  const ns = await h.namespace(prefix);
  created.push(ns);
  await store(ns, 'aws', aws);
  return ns;
}

async function store(ns: string, name: string, aws: Record<string, unknown> = {}, labels?: Record<string, string>): Promise<void> {
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', ...aws } } },
  });
}

async function sourceSecret(ns: string, name: string, data: Record<string, string>, labels?: Record<string, string>): Promise<any> {
  return applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, stringData: data });
}

async function applyPush(ns: string, name: string, spec: Record<string, unknown>): Promise<any> {
  return applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name, namespace: ns },
    spec: { secretStoreRefs: [{ name: 'aws', kind: 'SecretStore' }], selector: { secret: { name: 'source' } }, ...spec },
  });
}

const getPush = (ns: string, name: string) => h.kube.get(pushSecrets.path(ns, name));

/** Waits until the PushSecret's Ready condition is `status` and `test` holds, and returns it. */
async function readyPush(ns: string, name: string, status: 'True' | 'False', test: (ps: any) => boolean = () => true): Promise<any> {
  let seen: unknown;
  try {
    return await eventually(async () => {
      const ps = await getPush(ns, name);
      seen = readyCondition(ps);
      return readyCondition(ps)?.status === status && test(ps) ? ps : undefined;
    }, `PushSecret ${ns}/${name} Ready=${status}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; Ready was ${JSON.stringify(seen)}`);
  }
}

const entry = (secretKey: string | undefined, remoteKey: string, property?: string, extra: Record<string, unknown> = {}) => ({
  match: { ...(secretKey !== undefined ? { secretKey } : {}), remoteRef: { remoteKey, ...(property ? { property } : {}) } },
  ...extra,
});

async function smValue(name: string): Promise<{ string?: string; binary?: string; versionId?: string }> {
  const out = await h.aws.send(new GetSecretValueCommand({ SecretId: name }));
  return {
    ...(out.SecretString !== undefined ? { string: out.SecretString } : {}),
    ...(out.SecretBinary !== undefined ? { binary: Buffer.from(out.SecretBinary).toString('utf8') } : {}),
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
  };
}

async function smTags(name: string): Promise<Record<string, string>> {
  const out = await h.aws.send(new DescribeSecretCommand({ SecretId: name }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

describe('PushSecret to Secrets Manager', () => {
  it('is served: its CRD is installed, so its controller runs', () => {
    expect(h.operator.controllers.map((c) => c.name)).toContain('pushsecret');
  });

  it('creates the secret as ESO does (SecretBinary, managed-by tag, first version id) and reports exactly what it pushed', async () => {
    const ns = await pushNamespace('push-create');
    const remote = awsName('created');
    await sourceSecret(ns, 'source', { password: 'pw-create-1' });
    const spec = { refreshInterval: '1h', data: [entry('password', remote)] };
    const created = { provider: 'AWS/SecretsManager', call: 'CreateSecret', status: 'success' };
    const before = await metricValue(h.operator.metrics.providerCalls, created);
    await applyPush(ns, 'ps', spec);
    const ps = await readyPush(ns, 'ps', 'True');
    // Counted as ESO counts its provider calls, and in the operator's own AWS call metric.
    expect(await metricValue(h.operator.metrics.providerCalls, created)).toBe(before + 1);
    expect(await metricValue(h.operator.metrics.awsCalls, { service: 'secretsmanager', operation: 'CreateSecret', outcome: 'success' })).toBeGreaterThanOrEqual(1);

    expect(await smValue(remote)).toEqual({ binary: 'pw-create-1', versionId: INITIAL_VERSION });
    const described = await h.aws.send(new DescribeSecretCommand({ SecretId: remote }));
    expect(described.Description).toBe("secret 'managed-by:external-secrets'");
    expect(await smTags(remote)).toEqual({ 'managed-by': 'external-secrets' });

    const ready = readyCondition(ps);
    expect(ready).toMatchObject({ type: 'Ready', status: 'True', reason: 'Synced', message: 'PushSecret synced successfully' });
    expect(ps.status.syncedPushSecrets).toEqual({ 'SecretStore/aws': { [remote]: { match: { secretKey: 'password', remoteRef: { remoteKey: remote } }, conversionStrategy: 'None' } } });
    expect(ps.status.refreshTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ps.status.syncedResourceVersion).toMatch(/^1-[0-9a-f]+$/);
    expect(ps.metadata.finalizers).toBeUndefined();
    const events = await eventually(async () => {
      const list = await eventsFor(h, ns, 'ps');
      return list.some((e) => e.reason === 'Synced') ? list : undefined;
    }, 'a Synced Event');
    expect(events.find((e) => e.reason === 'Synced')).toMatchObject({ type: 'Normal', message: 'PushSecret synced successfully' });
  });

  it('pushes again when the source Secret changes, as a new version', async () => {
    const ns = await pushNamespace('push-update');
    const remote = awsName('updated');
    await sourceSecret(ns, 'source', { password: 'pw-update-1' });
    await applyPush(ns, 'ps', { data: [entry('password', remote)] });
    await readyPush(ns, 'ps', 'True');
    expect((await smValue(remote)).binary).toBe('pw-update-1');

    await sourceSecret(ns, 'source', { password: 'pw-update-2' });
    const value = await eventually(async () => {
      const v = await smValue(remote);
      return v.binary === 'pw-update-2' ? v : undefined;
    }, 'the new value in Secrets Manager');
    expect(value.versionId).not.toBe(INITIAL_VERSION);
    expect(value.versionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const versions = await h.aws.send(new ListSecretVersionIdsCommand({ SecretId: remote }));
    expect(versions.Versions).toHaveLength(2);
  });

  it('brings the tags to the metadata\'s when it writes a new value (as ESO: not when the value is unchanged)', async () => {
    const ns = await pushNamespace('push-tags');
    const remote = awsName('tags');
    const meta = (tags: Record<string, string>) => ({ apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec: { tags } });
    await sourceSecret(ns, 'source', { a: 'value-tags-1' });
    await applyPush(ns, 'ps', { data: [entry('a', remote, undefined, { metadata: meta({ team: 'a', old: 'x' }) })] });
    await readyPush(ns, 'ps', 'True');
    expect(await smTags(remote)).toEqual({ team: 'a', old: 'x', 'managed-by': 'external-secrets' });
    // New tags alone: the value is the same, so ESO writes nothing, tags included.
    const retagged = await applyPush(ns, 'ps', { data: [entry('a', remote, undefined, { metadata: meta({ team: 'b' }) })] });
    await readyPush(ns, 'ps', 'True', (p) => p.status.syncedResourceVersion?.startsWith(`${retagged.metadata.generation}-`));
    expect(await smTags(remote)).toEqual({ team: 'a', old: 'x', 'managed-by': 'external-secrets' });
    await sourceSecret(ns, 'source', { a: 'value-tags-2' });
    await eventually(async () => (await smValue(remote)).binary === 'value-tags-2', 'the new value');
    // The tags follow the value's write (PutSecretValue, then UntagResource and TagResource).
    const tags = await eventually(async () => {
      const t = await smTags(remote);
      return t.team === 'b' ? t : undefined;
    }, 'the tags brought to the metadata\'s');
    expect(tags).toEqual({ team: 'b', 'managed-by': 'external-secrets' });
  });

  it('sets properties of one JSON secret, keeping the others, byte for byte as sjson writes them', async () => {
    const ns = await pushNamespace('push-property');
    const remote = awsName('json');
    await sourceSecret(ns, 'source', { user: 'admin', pass: 'p"w<1>' });
    await applyPush(ns, 'ps', { data: [entry('user', remote, 'db.user'), entry('pass', remote, 'db.pass')] });
    const ps = await readyPush(ns, 'ps', 'True');
    expect((await smValue(remote)).binary).toBe('{"db":{"user":"admin","pass":"p\\"w\\u003c1\\u003e"}}');
    expect(Object.keys(ps.status.syncedPushSecrets['SecretStore/aws']).sort()).toEqual([`${remote}/db.pass`, `${remote}/db.user`]);
  });

  it('pushes the whole Secret as a JSON object when secretKey is empty, as a SecretString with secretPushFormat string', async () => {
    const ns = await pushNamespace('push-whole');
    const remote = awsName('whole');
    await sourceSecret(ns, 'source', { b: 'two & more', a: 'one' });
    await applyPush(ns, 'ps', {
      data: [entry('', remote, undefined, { metadata: { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec: { secretPushFormat: 'string' } } })],
    });
    await readyPush(ns, 'ps', 'True');
    expect(await smValue(remote)).toEqual({ string: '{"a":"one","b":"two & more"}', versionId: INITIAL_VERSION });
  });

  it('applies spec.template over the source data before pushing, as ESO does (templateFrom, then template.data)', async () => {
    const ns = await pushNamespace('push-template');
    const remote = awsName('templated');
    await sourceSecret(ns, 'source', { 'best-pokemon': 'pikachu' });
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tmpl', namespace: ns }, data: { greeting: 'hello {{ index . "best-pokemon" }}' } });
    await applyPush(ns, 'ps', {
      template: {
        // ESO's docs write `.best-pokemon`, which Go's template parser refuses (in ESO too): index reads such a key.
        data: { 'best-pokemon': '{{ index . "best-pokemon" | toString | upper }} is the really best!' },
        templateFrom: [{ configMap: { name: 'tmpl', items: [{ key: 'greeting' }] } }],
      },
      data: [entry('best-pokemon', remote), entry('greeting', `${remote}-greeting`)],
    });
    await readyPush(ns, 'ps', 'True');
    expect((await smValue(remote)).binary).toBe('PIKACHU is the really best!');
    expect((await smValue(`${remote}-greeting`)).binary).toBe('hello pikachu');
  });

  it('refuses to overwrite a secret without the managed-by tag, and leaves it as it is', async () => {
    const ns = await pushNamespace('push-unmanaged');
    const remote = awsName('unmanaged');
    await createAwsSecrets(h, [{ name: remote, string: 'owned-by-someone-else', tags: { team: 'other' } }]);
    await sourceSecret(ns, 'source', { password: 'pw-unmanaged' });
    await applyPush(ns, 'ps', { data: [entry('password', remote)] });
    const ps = await readyPush(ns, 'ps', 'False');
    expect(readyCondition(ps)).toMatchObject({
      reason: 'Errored',
      message: `RemoteSecretNotManaged: set secret failed: could not write remote ref password to target secretstore aws: secret not managed by external-secrets`,
    });
    expect(await smValue(remote)).toMatchObject({ string: 'owned-by-someone-else' });
    expect(await smTags(remote)).toEqual({ team: 'other' });
    const events = await eventsFor(h, ns, 'ps');
    expect(events.some((e) => e.type === 'Warning' && e.reason === 'Errored' && e.message === readyCondition(ps).message)).toBe(true);
  });

  it('with updatePolicy IfNotExists leaves an existing secret unchanged and records it', async () => {
    const ns = await pushNamespace('push-ifnotexists');
    const existing = awsName('existing');
    const fresh = awsName('fresh');
    await createAwsSecrets(h, [{ name: existing, string: 'already-there' }]);
    await sourceSecret(ns, 'source', { password: 'pw-ine' });
    await applyPush(ns, 'ps', { updatePolicy: 'IfNotExists', data: [entry('password', existing), entry('password', fresh)] });
    const ps = await readyPush(ns, 'ps', 'True');
    expect(readyCondition(ps).message).toBe('PushSecret synced successfully. Existing secrets in providers unchanged.');
    expect(await smValue(existing)).toMatchObject({ string: 'already-there' });
    expect((await smValue(fresh)).binary).toBe('pw-ine');
    expect(Object.keys(ps.status.syncedPushSecrets['SecretStore/aws']).sort()).toEqual([existing, fresh].sort());
  });

  it('deletionPolicy Delete: puts ESO\'s finalizer on, deletes a removed entry\'s secret, and all of them when the PushSecret goes', async () => {
    const ns = await pushNamespace('push-delete', { secretsManager: { forceDeleteWithoutRecovery: true } });
    const kept = awsName('kept');
    const dropped = awsName('dropped');
    await sourceSecret(ns, 'source', { a: 'value-a', b: 'value-b' });
    await applyPush(ns, 'ps', { deletionPolicy: 'Delete', data: [entry('a', kept), entry('b', dropped)] });
    let ps = await readyPush(ns, 'ps', 'True', (p) => Object.keys(p.status?.syncedPushSecrets?.['SecretStore/aws'] ?? {}).length === 2);
    expect(ps.metadata.finalizers).toEqual([PUSH_SECRET_FINALIZER]);
    expect((await smValue(dropped)).binary).toBe('value-b');

    await applyPush(ns, 'ps', { deletionPolicy: 'Delete', data: [entry('a', kept)] });
    ps = await readyPush(ns, 'ps', 'True', (p) => Object.keys(p.status.syncedPushSecrets['SecretStore/aws']).length === 1);
    expect(Object.keys(ps.status.syncedPushSecrets['SecretStore/aws'])).toEqual([kept]);
    await expect(smValue(dropped)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await smValue(kept)).binary).toBe('value-a');

    await h.kube.request('DELETE', pushSecrets.path(ns, 'ps'));
    await eventually(async () => (await getIfExists(h.kube, pushSecrets.path(ns, 'ps'))) === undefined, 'the PushSecret to go');
    await expect(smValue(kept)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('deletionPolicy Delete: the source Secret deleted takes the remote secrets with it (ESO\'s handleSourceSecretDeleted)', async () => {
    const ns = await pushNamespace('push-source-gone', { secretsManager: { forceDeleteWithoutRecovery: true } });
    const remote = awsName('source-gone');
    await sourceSecret(ns, 'source', { a: 'value-gone' });
    await applyPush(ns, 'ps', { deletionPolicy: 'Delete', data: [entry('a', remote)] });
    await readyPush(ns, 'ps', 'True');
    await h.kube.request('DELETE', `/api/v1/namespaces/${ns}/secrets/source`);
    const ps = await readyPush(ns, 'ps', 'False');
    expect(readyCondition(ps).message).toBe(`SourceSecretNotFound: could not get source secret: Secret "source" not found in namespace "${ns}"`);
    expect(ps.status.syncedPushSecrets ?? {}).toEqual({});
    await expect(smValue(remote)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('deletionPolicy Delete never deletes a secret that lost its managed-by tag', async () => {
    const ns = await pushNamespace('push-delete-unmanaged');
    const remote = awsName('untagged-later');
    await sourceSecret(ns, 'source', { a: 'value-a' });
    await applyPush(ns, 'ps', { deletionPolicy: 'Delete', data: [entry('a', remote)] });
    await readyPush(ns, 'ps', 'True');
    const { UntagResourceCommand } = await import('@aws-sdk/client-secrets-manager');
    await h.aws.send(new UntagResourceCommand({ SecretId: remote, TagKeys: ['managed-by'] }));
    await h.kube.request('DELETE', pushSecrets.path(ns, 'ps'));
    await eventually(async () => (await getIfExists(h.kube, pushSecrets.path(ns, 'ps'))) === undefined, 'the PushSecret to go');
    expect((await smValue(remote)).binary).toBe('value-a');
  });

  it('deletionPolicy None keeps the remote secret when the PushSecret goes', async () => {
    const ns = await pushNamespace('push-none');
    const remote = awsName('none');
    await sourceSecret(ns, 'source', { a: 'value-none' });
    await applyPush(ns, 'ps', { data: [entry('a', remote)] });
    const ps = await readyPush(ns, 'ps', 'True');
    expect(ps.spec.deletionPolicy).toBe('None');
    expect(ps.metadata.finalizers).toBeUndefined();
    await h.kube.request('DELETE', pushSecrets.path(ns, 'ps'));
    await eventually(async () => (await getIfExists(h.kube, pushSecrets.path(ns, 'ps'))) === undefined, 'the PushSecret to go');
    expect((await smValue(remote)).binary).toBe('value-none');
  });

  it('pushes to every store a labelSelector selects in its namespace, each under its own key', async () => {
    const ns = await pushNamespace('push-selector');
    await store(ns, 'blue', { prefix: 'blue/' }, { tier: 'push' });
    await store(ns, 'green', { prefix: 'green/' }, { tier: 'push' });
    await store(ns, 'grey', { prefix: 'grey/' }, { tier: 'other' });
    const remote = awsName('selected');
    await sourceSecret(ns, 'source', { a: 'value-selected' });
    await applyPush(ns, 'ps', { secretStoreRefs: [{ labelSelector: { matchLabels: { tier: 'push' } } }], data: [entry('a', remote)] });
    const ps = await readyPush(ns, 'ps', 'True');
    expect(Object.keys(ps.status.syncedPushSecrets).sort()).toEqual(['SecretStore/blue', 'SecretStore/green']);
    expect((await smValue(`blue/${remote}`)).binary).toBe('value-selected');
    expect((await smValue(`green/${remote}`)).binary).toBe('value-selected');
    await expect(smValue(`grey/${remote}`)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('leaves a PushSecret whose stores are another controller class\'s to that controller, status included', async () => {
    const ns = await pushNamespace('push-class');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'esos', namespace: ns },
      spec: { controller: 'eso', provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    const theirs = awsName('theirs');
    await sourceSecret(ns, 'source', { a: 'value-class' });
    await applyPush(ns, 'theirs', { secretStoreRefs: [{ name: 'esos' }], data: [entry('a', theirs)] });
    await applyPush(ns, 'selected', { secretStoreRefs: [{ labelSelector: { matchLabels: { none: 'of-ours' } } }], data: [entry('a', `${theirs}-x`)] });
    // Queued after the others: once it is pushed and every controller is idle, they have had their turn.
    await applyPush(ns, 'ours', { data: [entry('a', awsName('ours'))] });
    await readyPush(ns, 'ours', 'True');
    await Promise.all(h.operator.controllers.map((c) => c.idle()));
    expect((await getPush(ns, 'theirs')).status).toBeUndefined();
    await expect(smValue(theirs)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // A selector that finds no store pushes nothing, and says so as ESO does: synced, with nothing recorded.
    const selected = await readyPush(ns, 'selected', 'True');
    expect(selected.status.syncedPushSecrets ?? {}).toEqual({});
  });

  it('pushes what a Password generator makes (ESO\'s generate-then-push), anew when the PushSecret changes', async () => {
    const ns = await pushNamespace('push-generated');
    const remote = awsName('generated');
    await applyManifest(h.kube, { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', metadata: { name: 'pw', namespace: ns }, spec: { length: 32, symbols: 0 } });
    const push = (labels: Record<string, string>) => applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'ps', namespace: ns, labels },
      spec: {
        secretStoreRefs: [{ name: 'aws' }],
        selector: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'pw' } },
        data: [{ match: { secretKey: 'password', remoteRef: { remoteKey: remote } } }],
      },
    });
    await push({ round: '1' });
    const first = await readyPush(ns, 'ps', 'True');
    const one = (await smValue(remote)).binary!;
    expect(one).toMatch(/^[A-Za-z0-9]{32}$/);
    await push({ round: '2' });
    await readyPush(ns, 'ps', 'True', (p) => p.status.syncedResourceVersion !== first.status.syncedResourceVersion);
    const two = (await smValue(remote)).binary!;
    expect(two).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(two).not.toBe(one);

    await applyPush(ns, 'missing', { selector: { generatorRef: { kind: 'Password', name: 'nope' } }, data: [entry('password', `${remote}-missing`)] });
    const missing = await readyPush(ns, 'missing', 'False');
    expect(readyCondition(missing).message).toMatch(/^GeneratorNotFound: could not resolve secret from generator ref Password\/nope: /);
  });

  it('pushes each Secret a label selector selects in its namespace, in name order, and again when one is labelled', async () => {
    const other = await pushNamespace('push-label-other');
    await sourceSecret(other, 'z-foreign', { a: 'value-label-foreign' }, { push: 'yes' });
    const ns = await pushNamespace('push-labels');
    const remote = awsName('labelled');
    await sourceSecret(ns, 'a-first', { a: 'value-label-a', only: 'value-label-only' }, { push: 'yes' });
    await sourceSecret(ns, 'b-second', { a: 'value-label-b' }, { push: 'yes' });
    await sourceSecret(ns, 'c-unlabelled', { a: 'value-label-c' });
    await applyPush(ns, 'ps', {
      selector: { secret: { selector: { matchLabels: { push: 'yes' } } } },
      data: [entry('a', remote)],
    });
    await readyPush(ns, 'ps', 'True');
    // Both pushed to one remote key: the last by name wins, as ESO's loop over the list leaves it.
    expect((await smValue(remote)).binary).toBe('value-label-b');
    await sourceSecret(ns, 'c-unlabelled', { a: 'value-label-c' }, { push: 'yes' });
    await eventually(async () => (await smValue(remote)).binary === 'value-label-c', 'the newly labelled Secret pushed');
  });

  it('dataTo: pushes each matched key to its own remote secret, renamed, with explicit data winning', async () => {
    const ns = await pushNamespace('push-data-to');
    const base = awsName('data-to');
    await sourceSecret(ns, 'source', { 'db-host': 'value-dt-host', 'db-user': 'value-dt-user', other: 'value-dt-other' });
    await applyPush(ns, 'ps', {
      dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^db-' }, rewrite: [{ regexp: { source: '^db-', target: `${base}/` } }] }],
      data: [entry('db-user', `${base}/explicit-user`)],
    });
    const ps = await readyPush(ns, 'ps', 'True');
    expect(Object.keys(ps.status.syncedPushSecrets['SecretStore/aws']).sort()).toEqual([`${base}/explicit-user`, `${base}/host`]);
    expect((await smValue(`${base}/host`)).binary).toBe('value-dt-host');
    expect((await smValue(`${base}/explicit-user`)).binary).toBe('value-dt-user');
    await expect(smValue(`${base}/user`)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    // The bundle mode: the matched keys as one JSON secret (Go's encoding: sorted keys, no HTML escaping).
    await applyPush(ns, 'bundle', { dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^db-' }, remoteKey: `${base}/bundle` }] });
    const bundled = await readyPush(ns, 'bundle', 'True');
    expect(Object.keys(bundled.status.syncedPushSecrets['SecretStore/aws'])).toEqual([`${base}/bundle`]);
    expect((await smValue(`${base}/bundle`)).binary).toBe('{"db-host":"value-dt-host","db-user":"value-dt-user"}');
  });

  it('pushes only a Secret of its own namespace', async () => {
    const other = await pushNamespace('push-other-ns');
    await sourceSecret(other, 'foreign', { a: 'value-foreign' });
    const ns = await pushNamespace('push-own-ns');
    const remote = awsName('foreign');
    await applyPush(ns, 'ps', { selector: { secret: { name: 'foreign' } }, data: [entry('a', remote)] });
    const ps = await readyPush(ns, 'ps', 'False');
    expect(readyCondition(ps)).toMatchObject({ reason: 'Errored', message: `SourceSecretNotFound: could not get source secret: Secret "foreign" not found in namespace "${ns}"` });
    await expect(smValue(remote)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('uses a ClusterSecretStore only from a namespace its conditions admit', async () => {
    const cluster = `push-cluster-${process.pid}`;
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: cluster },
      // Referent auth: the ServiceAccount is the PushSecret's namespace's.
      spec: {
        provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'push-sa' } } } } },
        conditions: [{ namespaceRegexes: ['^push-admitted-', '^push-no-sa-'] }],
      },
    });
    const remote = awsName('cluster');
    const admitted = await pushNamespace('push-admitted');
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'push-sa', namespace: admitted, annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } } });
    const refused = await pushNamespace('push-refused');
    const noServiceAccount = await pushNamespace('push-no-sa');
    await sourceSecret(noServiceAccount, 'source', { a: 'value-no-sa' });
    await applyPush(noServiceAccount, 'ps', { secretStoreRefs: [{ name: cluster, kind: 'ClusterSecretStore' }], data: [entry('a', `${remote}-no-sa`)] });
    for (const ns of [admitted, refused]) {
      await sourceSecret(ns, 'source', { a: `value-${ns}` });
      await applyPush(ns, 'ps', { secretStoreRefs: [{ name: cluster, kind: 'ClusterSecretStore' }], data: [entry('a', `${remote}/${ns}`)] });
    }
    const ok = await readyPush(admitted, 'ps', 'True');
    expect(Object.keys(ok.status.syncedPushSecrets)).toEqual([`ClusterSecretStore/${cluster}`]);
    expect((await smValue(`${remote}/${admitted}`)).binary).toBe(`value-${admitted}`);
    const no = await readyPush(refused, 'ps', 'False');
    expect(readyCondition(no).message).toBe(`StoreNotAllowed: ClusterSecretStore "${cluster}" does not allow namespace "${refused}" (spec.conditions)`);
    await expect(smValue(`${remote}/${refused}`)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const noSa = await readyPush(noServiceAccount, 'ps', 'False');
    expect(readyCondition(noSa).message).toBe(`ServiceAccountNotFound: set secret failed: could not get secrets client for store ${cluster}: ServiceAccount ${noServiceAccount}/push-sa not found`);
  });
});

describe('PushSecret to Parameter Store', () => {
  async function parameter(name: string): Promise<{ value?: string; type?: string; tags: Record<string, string> }> {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    return { value: out.Parameter?.Value, type: out.Parameter?.Type, tags: Object.fromEntries((tags.TagList ?? []).map((t) => [t.Key!, t.Value!])) };
  }

  it('creates a tagged parameter, updates it when the Secret changes, and refuses an untagged one', async () => {
    const ns = await pushNamespace('push-ssm', { service: 'ParameterStore' });
    const name = `/${awsName('param')}`;
    const unmanaged = `/${awsName('param-unmanaged')}`;
    await ssm.send(new PutParameterCommand({ Name: unmanaged, Value: 'their-param-value', Type: 'String' }));
    await sourceSecret(ns, 'source', { a: 'param-1' });
    await applyPush(ns, 'ps', {
      data: [entry('a', name, undefined, { metadata: { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec: { secretType: 'SecureString', tags: { team: 'a' } } } })],
    });
    await readyPush(ns, 'ps', 'True');
    expect(await parameter(name)).toEqual({ value: 'param-1', type: 'SecureString', tags: { team: 'a', 'managed-by': 'external-secrets' } });

    await sourceSecret(ns, 'source', { a: 'param-2' });
    await eventually(async () => (await parameter(name)).value === 'param-2', 'the new parameter value');

    await applyPush(ns, 'other', { data: [entry('a', unmanaged)] });
    const refused = await readyPush(ns, 'other', 'False');
    expect(readyCondition(refused).message).toBe('RemoteSecretNotManaged: set secret failed: could not write remote ref a to target secretstore aws: secret not managed by external-secrets');
    expect((await parameter(unmanaged)).value).toBe('their-param-value');
  });

  it('pushes the whole Secret as JSON of base64 values, as ESO marshals []byte', async () => {
    const ns = await pushNamespace('push-ssm-whole', { service: 'ParameterStore' });
    const name = `/${awsName('param-whole')}`;
    await sourceSecret(ns, 'source', { k: 'v1' });
    await applyPush(ns, 'ps', { data: [entry(undefined, name)] });
    await readyPush(ns, 'ps', 'True');
    expect((await parameter(name)).value).toBe(`{"k":"${Buffer.from('v1').toString('base64')}"}`);
  });
});

describe('ESO documentation manifests', () => {
  it('"PushSecret to Secrets Manager" (aws-sm-push-secret-with-metadata) applies unchanged and pushes what the docs say', async () => {
    // The manifest names namespace teamb, store teamb-secret-store and Secret my-secret: made here, nothing in it substituted.
    const [manifest] = parseManifests(readFileSync(new URL('../data/eso-docs/aws-sm-push-secret-with-metadata.yaml', import.meta.url), 'utf8'));
    const ns = manifest.metadata.namespace;
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    created.push(ns);
    await store(ns, 'teamb-secret-store');
    await sourceSecret(ns, 'my-secret', { key1: 'docs-value' });
    const remote = manifest.spec.data[0].match.remoteRef.remoteKey;
    await applyManifest(h.kube, manifest);
    const ps = await readyPush(ns, manifest.metadata.name, 'True');
    expect(ps.metadata.finalizers).toEqual([PUSH_SECRET_FINALIZER]);
    // secretPushFormat string: a SecretString; the description, KMS key and tags of the metadata, managed-by added.
    expect(await smValue(remote)).toEqual({ string: 'docs-value', versionId: INITIAL_VERSION });
    const described = await h.aws.send(new DescribeSecretCommand({ SecretId: remote }));
    expect(described.Description).toBe("secret 'managed-by:secret-manager' from 'secret-store:teamb-secret-store'");
    expect(described.KmsKeyId).toBe('bb123123-b2b0-4f60-ac3a-44a13f0e6b6c');
    expect(await smTags(remote)).toEqual({ 'secret-store': 'teamb-secret-store', 'refresh-interval': '1h', 'managed-by': 'external-secrets' });
    // deletionPolicy Delete: the secret goes with the PushSecret (into its recovery window, as AWS deletes by default).
    await h.kube.request('DELETE', pushSecrets.path(ns, manifest.metadata.name));
    await eventually(async () => (await getIfExists(h.kube, pushSecrets.path(ns, manifest.metadata.name))) === undefined, 'the PushSecret to go');
    expect((await h.aws.send(new DescribeSecretCommand({ SecretId: remote }))).DeletedDate).toBeInstanceOf(Date);
  });
});

describe('no secret value leaks', () => {
  it('never writes a pushed value into logs, Events or status', async () => {
    const values = ['pw-create-1', 'pw-update-2', 'value-a', 'value-b', 'param-2', 'docs-value', 'owned-by-someone-else', 'their-param-value', 'value-gone', 'value-class', 'PIKACHU', 'value-selected', 'value-label-b', 'value-label-c', 'value-dt-host', 'value-dt-user', 'value-tags-1', 'value-tags-2'];
    for (const line of h.logLines) for (const v of values) expect(line).not.toContain(v);
    for (const ns of created) {
      const list = await h.kube.get(`/api/v1/namespaces/${ns}/events`);
      for (const e of list.items) for (const v of values) expect(e.message).not.toContain(v);
      for (const ps of (await h.kube.get(pushSecrets.path(ns))).items) for (const v of values) expect(JSON.stringify(ps.status ?? {})).not.toContain(v);
    }
    expect(h.logLines.length).toBeGreaterThan(0);
  });
});

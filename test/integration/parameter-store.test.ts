import { readFileSync } from 'node:fs';
import { AddTagsToResourceCommand, DeleteParameterCommand, PutParameterCommand, SSMClient, type ParameterType } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { clusterSecretStores, secretStores } from '../../src/kube/resources.ts';
import { ANNOTATION_CHANGE_POLL } from '../../src/changes/store-settings.ts';
import { metricValue } from '../helpers/metric-value.ts';
import type { AwsProxy, RecordedCall } from './aws-proxy.ts';
import { applyExternalSecret, expectSecret, readyAs } from './cases.ts';
import { decode, eventually, readyCondition, startHarnessBehindProxy, type Harness } from './harness.ts';

/**
 * `provider.aws.service: ParameterStore` against moto's SSM, through the real apiserver, with the
 * recording proxy between the operator and moto to count calls. Each case has a region of its own
 * in moto (and names with the process id), so its identity has its own cache and its finds see only
 * its parameters.
 */
let h: Harness;
let proxy: AwsProxy;
let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
beforeAll(async () => ({ h, proxy } = peers = await startHarnessBehindProxy()));
afterAll(async () => peers?.close());

const PID = process.pid;

/** moto's SSM itself, not through the proxy: a test's own writes are not the operator's calls. */
function ssmIn(region: string): SSMClient {
  return new SSMClient({ region, endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

async function putParameters(region: string, params: Array<{ name: string; value: string; type?: ParameterType; tags?: Record<string, string> }>): Promise<void> {
  const ssm = ssmIn(region);
  for (const p of params) {
    await ssm.send(new PutParameterCommand({ Name: p.name, Value: p.value, Type: p.type ?? 'String', Overwrite: true }));
    if (p.tags) await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: p.name, Tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })) }));
  }
  ssm.destroy();
}

/** A namespace with a Parameter Store SecretStore `aws` (default credentials, moto) in `region`. */
async function parameterStoreNamespace(prefix: string, region: string, aws: Record<string, unknown> = {}, annotations?: Record<string, string>): Promise<string> {
  const ns = await h.namespace(prefix);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns, ...(annotations ? { annotations } : {}) },
    spec: { provider: { aws: { service: 'ParameterStore', region, ...aws } } },
  });
  return ns;
}

/** The SSM calls the operator made after `since`, signed for `region`. */
const ssmCalls = (region: string, since: number): RecordedCall[] =>
  proxy.calls.slice(since).filter((c) => c.region === region && ['GetParameter', 'GetParameters', 'GetParametersByPath', 'DescribeParameters', 'ListTagsForResource'].includes(c.action));

/** The parameter names a value-reading call asked for. */
const namesRead = (c: RecordedCall): string[] => (c.action === 'GetParameters' ? c.params.Names : c.action === 'GetParameter' ? [c.params.Name] : []);

describe('ESO documentation', () => {
  it('the Parameter Store SecretStore and ExternalSecret of ESO\'s docs apply unchanged and give what the docs say', async () => {
    const [store, externalSecret] = parseManifests(readFileSync(new URL('../data/eso-docs/aws-parameter-store.yaml', import.meta.url), 'utf8'));
    expect([store.apiVersion, store.kind, externalSecret.kind]).toEqual(['external-secrets.io/v1beta1', 'SecretStore', 'ExternalSecret']);
    // The docs' parameters (their JSON, as shown) and tags on the other one.
    const friendslist = '{\n  "name": {"first": "Tom", "last": "Anderson"},\n  "friends": [\n    {"first": "Dale", "last": "Murphy"},\n    {"first": "Roger", "last": "Craig"},\n    {"first": "Jane", "last": "Murphy"}\n  ]\n}';
    await putParameters('eu-central-1', [
      { name: 'friendslist', value: friendslist },
      { name: 'database-credentials', value: 'not read: only its tags', type: 'SecureString', tags: { dev: 'seb', team: 'payments' } },
    ]);
    const ns = await h.namespace('ps-docs');
    // The keys the store's auth.secretRef names (moto takes any), and the docs' objects in this namespace.
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'awssm-secret', namespace: ns }, stringData: { 'access-key': 'test', 'secret-access-key': 'test' } });
    await applyManifest(h.kube, { ...store, metadata: { ...store.metadata, namespace: ns } });
    const applied = await applyManifest(h.kube, {
      ...externalSecret, metadata: { ...externalSecret.metadata, namespace: ns },
      spec: { ...externalSecret.spec, secretStoreRef: { name: store.metadata.name, kind: 'SecretStore' } },
    });

    const es = await readyAs(h, ns, 'extract-data', 'True', 'SecretSynced');
    expect(es.metadata.uid).toBe(applied.metadata.uid);
    expectSecret(await h.secret(ns, 'extract-data'), es, {
      data: { my_name: 'Tom', first_friend: 'Roger', tags: '{"dev":"seb","team":"payments"}', developer: 'seb' },
    });
    const s = await h.kube.get(secretStores.path(ns, 'secretstore-sample'));
    expect(readyCondition(s)).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(await metricValue(h.operator.metrics.providerCalls, { provider: 'AWS/ParameterStore', call: 'ListTagsForResource', status: 'success' })).toBeGreaterThanOrEqual(1);
    // The store's role was assumed on top of its keys, as ESO does.
    expect(proxy.calls.some((c) => c.action === 'AssumeRole' && c.params.RoleArn === 'iam-role')).toBe(true);
  });
});

describe('Parameter Store reads', () => {
  it('data: plain, JSON property (gjson, a dotted key first), version, StringList and SecureString as returned, tags with metadataPolicy Fetch', async () => {
    const region = 'ap-south-1';
    const base = `/ps-${PID}/data`;
    await putParameters(region, [
      { name: `${base}/plain`, value: 'hello' },
      { name: `${base}/json`, value: '{"user":{"name":"ann"},"a.b":"dotted","n":5}', tags: { env: 'prod', team: 'a<b' } },
      { name: `${base}/versioned`, value: 'one' },
      { name: `${base}/list`, value: 'a,b,c', type: 'StringList' },
      { name: `${base}/secure`, value: 's3cret', type: 'SecureString' },
    ]);
    await putParameters(region, [{ name: `${base}/versioned`, value: 'two' }]);
    const ns = await parameterStoreNamespace('ps-data', region);
    await applyExternalSecret(h, ns, 'es', {
      data: [
        { secretKey: 'plain', remoteRef: { key: `${base}/plain` } },
        { secretKey: 'name', remoteRef: { key: `${base}/json`, property: 'user.name' } },
        { secretKey: 'dotted', remoteRef: { key: `${base}/json`, property: 'a.b' } },
        { secretKey: 'n', remoteRef: { key: `${base}/json`, property: 'n' } },
        { secretKey: 'v1', remoteRef: { key: `${base}/versioned`, version: '1' } },
        { secretKey: 'latest', remoteRef: { key: `${base}/versioned` } },
        { secretKey: 'list', remoteRef: { key: `${base}/list` } },
        { secretKey: 'secure', remoteRef: { key: `${base}/secure` } },
        { secretKey: 'tags', remoteRef: { key: `${base}/json`, metadataPolicy: 'Fetch' } },
        { secretKey: 'env', remoteRef: { key: `${base}/json`, metadataPolicy: 'Fetch', property: 'env' } },
      ],
    });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), es, {
      data: {
        plain: 'hello', name: 'ann', dotted: 'dotted', n: '5', v1: 'one', latest: 'two', list: 'a,b,c', secure: 's3cret',
        // Go's encoding/json: sorted keys, HTML characters escaped.
        tags: '{"env":"prod","team":"a\\u003cb"}', env: 'prod',
      },
    });
    // Every read decrypts (a SecureString comes back as its value); a version is read as name:version.
    const calls = ssmCalls(region, 0);
    expect(calls.filter((c) => c.action.startsWith('GetParameter')).every((c) => c.params.WithDecryption === true)).toBe(true);
    expect(calls.some((c) => c.action === 'GetParameter' && c.params.Name === `${base}/versioned:1`)).toBe(true);
  });

  it('through a ClusterSecretStore, from any namespace', async () => {
    const region = 'ap-south-1';
    const name = `/ps-${PID}/cluster/shared`;
    await putParameters(region, [{ name, value: 'for everyone' }]);
    const store = `ps-cluster-${PID}`;
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: store },
      spec: { provider: { aws: { service: 'ParameterStore', region } } },
    });
    for (const prefix of ['ps-cluster-a', 'ps-cluster-b']) {
      const ns = await h.namespace(prefix);
      await applyExternalSecret(h, ns, 'es', { secretStoreRef: { name: store, kind: 'ClusterSecretStore' }, data: [{ secretKey: 'v', remoteRef: { key: name } }] });
      await readyAs(h, ns, 'es', 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, 'es')).data)).toEqual({ v: 'for everyone' });
    }
    await h.kube.request('DELETE', clusterSecretStores.path(undefined, store));
  });

  it('one identity signs Secrets Manager and Parameter Store reads, and an AWS generator, with one AssumeRole; the values stay apart', async () => {
    const region = 'us-east-1';
    const role = `arn:aws:iam::123456789012:role/ps-shared-${PID}`;
    // A secret and a parameter of the same name: each store reads its own service's.
    const name = `ps-${PID}-same-name`;
    await h.createAwsSecret(name, 'from Secrets Manager');
    await putParameters(region, [{ name, value: 'from Parameter Store' }]);
    const ns = await parameterStoreNamespace('ps-shared-identity', region, { role });
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'sm', namespace: ns },
      spec: { provider: { aws: { service: 'SecretsManager', region, role } } },
    });
    // An ECR generator with the stores' identity (region and role, the default chain beneath).
    await applyManifest(h.kube, {
      apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', metadata: { name: 'ecr', namespace: ns },
      spec: { region, role },
    });
    const assumed = () => metricValue(h.operator.metrics.stsCalls, { kind: 'AssumeRole', outcome: 'success' });
    const before = await assumed();
    await applyExternalSecret(h, ns, 'es', {
      data: [
        { secretKey: 'ps', remoteRef: { key: name } },
        { secretKey: 'sm', remoteRef: { key: name }, sourceRef: { storeRef: { name: 'sm', kind: 'SecretStore' } } },
      ],
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', name: 'ecr' } } }],
    });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const data = decode((await h.secret(ns, 'es')).data);
    expect([data.ps, data.sm]).toEqual(['from Parameter Store', 'from Secrets Manager']);
    expect(data.password).toBeTruthy();
    expect(await assumed()).toBe(before + 1);
  });

  it('a missing version is an error (AWSVersionNotFound), whatever the deletion policy, as in ESO', async () => {
    const region = 'ap-south-1';
    const name = `/ps-${PID}/nover`;
    await putParameters(region, [{ name, value: 'only one version' }]);
    const ns = await parameterStoreNamespace('ps-nover', region);
    await applyExternalSecret(h, ns, 'es', { target: { deletionPolicy: 'Delete' }, data: [{ secretKey: 'v', remoteRef: { key: name, version: '7' } }] });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toContain('AWSVersionNotFound');
    expect(readyCondition(es).message).toContain(`${name}:7`);
  });

  it('dataFrom.extract of a JSON parameter, and the store prefix', async () => {
    const region = 'ap-northeast-2';
    const prefix = `/ps-${PID}/pre/`;
    await putParameters(region, [{ name: `${prefix}app`, value: '{"user":"u","port":5432,"nested":{"a": 1}}' }]);
    const ns = await parameterStoreNamespace('ps-extract', region, { prefix });
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ extract: { key: 'app' } }] });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    // ESO's GetSecretMap: strings unquoted, anything else as its raw JSON.
    expectSecret(await h.secret(ns, 'es'), es, { data: { user: 'u', port: '5432', nested: '{"a": 1}' } });
  });

  it('a missing parameter: Retain reports it, Delete deletes the Secret once the parameter goes', async () => {
    const region = 'ap-northeast-2';
    const name = `/ps-${PID}/missing/db`;
    await putParameters(region, [{ name, value: 'here' }]);
    const ns = await parameterStoreNamespace('ps-missing', region);
    await applyExternalSecret(h, ns, 'retain', { data: [{ secretKey: 'v', remoteRef: { key: `/ps-${PID}/missing/never` } }] });
    const retained = await readyAs(h, ns, 'retain', 'False', 'SecretSyncedError');
    expect(readyCondition(retained).message).toContain('AWSSecretNotFound');
    expect(await h.secret(ns, 'retain')).toBeUndefined();

    await applyExternalSecret(h, ns, 'del', { target: { deletionPolicy: 'Delete' }, data: [{ secretKey: 'v', remoteRef: { key: name } }] });
    await readyAs(h, ns, 'del', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'del')).data)).toEqual({ v: 'here' });
    const ssm = ssmIn(region);
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    ssm.destroy();
    await applyExternalSecret(h, ns, 'del', { target: { deletionPolicy: 'Delete' }, data: [{ secretKey: 'v', remoteRef: { key: name } }] }, { annotations: { 'force-sync': '1' } });
    await readyAs(h, ns, 'del', 'True', 'SecretDeleted');
    await eventually(async () => (await h.secret(ns, 'del')) === undefined, 'the Secret deleted');
  });
});

describe('Parameter Store failures', () => {
  it('a throttled GetParameters fails the sync as AWSThrottled, is retried with backoff, and then syncs', async () => {
    const region = 'eu-west-2';
    const names = [`/ps-${PID}/throttled/a`, `/ps-${PID}/throttled/b`];
    await putParameters(region, names.map((name, i) => ({ name, value: `t${i}` })));
    // The SDK's own three attempts, and the first retry of the reconcile.
    proxy.inject({ action: 'GetParameters', region, code: 'ThrottlingException', message: 'Rate exceeded', times: 4 });
    const ns = await h.namespace('ps-throttled');
    await applyExternalSecret(h, ns, 'es', { data: names.map((name, i) => ({ secretKey: `k${i}`, remoteRef: { key: name } })) });
    const labels = { name: 'es', namespace: ns, reason: 'AWSThrottled' };
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
      spec: { provider: { aws: { service: 'ParameterStore', region } } },
    });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toEqual({ k0: 't0', k1: 't1' });
    expect(await metricValue(h.operator.metrics.syncErrorsByReason, labels)).toBeGreaterThanOrEqual(1);
    expect(proxy.count('GetParameters', (p) => p.Names?.includes(names[0]))).toBeGreaterThanOrEqual(5);
  });

  it('a SecureString whose KMS key cannot be used is AWSDecryptionFailure, naming the parameter and not quoting AWS', async () => {
    const region = 'eu-west-2';
    const name = `/ps-${PID}/kms/secure`;
    await putParameters(region, [{ name, value: 'never seen', type: 'SecureString' }]);
    proxy.inject({ action: 'GetParameter', region, when: (p) => p.Name === `${name}:1`, code: 'InvalidKeyId', message: 'KMS-BODY-TEXT key is disabled' });
    const ns = await parameterStoreNamespace('ps-kms', region);
    await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key: name, version: '1' } }] });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const message = readyCondition(es).message as string;
    expect(message).toContain('AWSDecryptionFailure');
    expect(message).toContain(`${name}:1`);
    expect(message).toContain('kms:Decrypt');
    expect(message).not.toContain('KMS-BODY-TEXT');
    proxy.clearFaults();
  });
});

describe('Parameter Store finds (keys are full parameter names, converted as ESO converts them)', () => {
  const region = 'sa-east-1';
  const base = `/ps-${PID}/find`;
  beforeAll(async () => {
    await putParameters(region, [
      { name: `${base}/a`, value: 'A', tags: { [`team-${PID}`]: 'pay' } },
      { name: `${base}/sub/b`, value: 'B', type: 'SecureString' },
      { name: `${base}/sub/deep/c`, value: 'C', tags: { [`team-${PID}`]: 'pay' } },
      { name: `${base}-sibling/x`, value: 'not under the path' },
      { name: `/ps-${PID}/elsewhere/d`, value: 'D', tags: { [`team-${PID}`]: 'pay' } },
    ]);
  });
  const under = (tail: string) => `_ps-${PID}_find_${tail}`;

  it('by path (recursive) and name.regexp: GetParametersByPath, decrypted', async () => {
    const ns = await parameterStoreNamespace('ps-find-path', region);
    const since = proxy.calls.length;
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ find: { path: base, name: { regexp: '[ab]$' } } }] });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), es, { data: { [under('a')]: 'A', [under('sub_b')]: 'B' } });
    const calls = ssmCalls(region, since);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.action === 'GetParametersByPath' && c.params.Path === base && c.params.Recursive === true && c.params.WithDecryption === true)).toBe(true);
  });

  it('by name.regexp alone: every parameter under "/"', async () => {
    const ns = await parameterStoreNamespace('ps-find-name', region);
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ find: { name: { regexp: `^/ps-${PID}/(find/sub/deep|elsewhere)/` } } }] });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), es, { data: { [under('sub_deep_c')]: 'C', [`_ps-${PID}_elsewhere_d`]: 'D' } });
  });

  it('by tags (and path): DescribeParameters, then the values in one GetParameters', async () => {
    const ns = await parameterStoreNamespace('ps-find-tags', region);
    const since = proxy.calls.length;
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ find: { path: base, tags: { [`team-${PID}`]: 'pay' } } }] });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), es, { data: { [under('a')]: 'A', [under('sub_deep_c')]: 'C' } });
    const calls = ssmCalls(region, since);
    const describe = calls.find((c) => c.action === 'DescribeParameters')!;
    expect(describe.params.ParameterFilters).toEqual(expect.arrayContaining([
      { Key: `tag:team-${PID}`, Option: 'Equals', Values: ['pay'] }, { Key: 'Path', Option: 'Recursive', Values: [base] },
    ]));
    expect(calls.filter((c) => c.action === 'GetParameters').map(namesRead)).toEqual([[`${base}/a`, `${base}/sub/deep/c`]]);
    expect(calls.filter((c) => c.action === 'GetParameter')).toEqual([]);
    // ESO's metric, under ESO's call name for DescribeParameters.
    expect(await metricValue(h.operator.metrics.providerCalls, { provider: 'AWS/ParameterStore', call: 'DescribeParameter', status: 'success' })).toBeGreaterThanOrEqual(1);
  });

  it('with name and tags, the tags are ignored, as ESO ignores them', async () => {
    const ns = await parameterStoreNamespace('ps-find-both', region);
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ find: { path: base, name: { regexp: '/sub/' }, tags: { [`team-${PID}`]: 'pay' } } }] });
    const es = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'es'), es, { data: { [under('sub_b')]: 'B', [under('sub_deep_c')]: 'C' } });
  });

  it('with a path alone is refused, as ESO refuses it, saying what to add', async () => {
    const ns = await parameterStoreNamespace('ps-find-pathonly', region);
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ find: { path: base } }] });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toContain('InvalidSpec');
    expect(readyCondition(es).message).toContain('name.regexp');
  });
});

describe('the Parameter Store fetch engine', () => {
  it('many ExternalSecrets starting together read each parameter once, 10 per GetParameters', async () => {
    const region = 'ca-central-1';
    const names = Array.from({ length: 20 }, (_, i) => `/ps-${PID}/batch/p${i}`);
    await putParameters(region, names.map((name, i) => ({ name, value: `v${i}` })));
    const ns = await h.namespace('ps-batch');
    // The ExternalSecrets first, then the store: they all wake at once.
    for (let i = 0; i < 30; i++) await applyExternalSecret(h, ns, `es-${i}`, { data: [{ secretKey: 'v', remoteRef: { key: names[i % 20]! } }] });
    const since = proxy.calls.length;
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
      spec: { provider: { aws: { service: 'ParameterStore', region } } },
    });
    for (let i = 0; i < 30; i++) {
      await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, `es-${i}`)).data)).toEqual({ v: `v${i % 20}` });
    }
    const reads = ssmCalls(region, since);
    expect(reads.flatMap(namesRead).sort()).toEqual([...names].sort());
    expect(reads.map((c) => c.action)).toEqual(['GetParameters', 'GetParameters']);
    expect(await metricValue(h.operator.metrics.awsCalls, { service: 'ssm', operation: 'GetParameters', outcome: 'success' })).toBeGreaterThanOrEqual(2);
  });

  it('periodic refreshes within the refresh interval are served from the cache: a parameter is read at most once per interval', async () => {
    const region = 'ca-central-1';
    const name = `/ps-${PID}/periodic/shared`;
    await putParameters(region, [{ name, value: 'same' }]);
    const ns = await parameterStoreNamespace('ps-periodic', region);
    for (let i = 0; i < 8; i++) await applyExternalSecret(h, ns, `es-${i}`, { refreshInterval: '3s', data: [{ secretKey: 'v', remoteRef: { key: name } }] });
    for (let i = 0; i < 8; i++) await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
    const times = async () => Promise.all(Array.from({ length: 8 }, async (_, i) => (await h.externalSecret(ns, `es-${i}`)).status?.refreshTime as string));
    const since = proxy.calls.length;
    const startedAt = Date.now();
    for (const cycle of ['once', 'twice']) {
      const before = await times();
      await eventually(async () => (await times()).every((t, i) => t !== before[i]), `every ExternalSecret refreshed ${cycle} more`, 30_000);
    }
    const elapsedMs = Date.now() - startedAt;
    const reads = ssmCalls(region, since).filter((c) => namesRead(c).includes(name)).length;
    // 16 refreshes at least; one read per 3 s interval at most (plus the one in flight as it ends).
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsedMs / 3000) + 1);
    expect(reads).toBeLessThan(16);
  });
});

describe('Parameter Store and change notifications', () => {
  it('a store asking for change polls is told Parameter Store changes are not followed, and still serves', async () => {
    const region = 'ap-south-1';
    const name = `/ps-${PID}/changes/v`;
    await putParameters(region, [{ name, value: 'served' }]);
    const ns = await parameterStoreNamespace('ps-changes', region, {}, { [ANNOTATION_CHANGE_POLL]: '30s' });
    const store = await eventually(async () => {
      const s = await h.kube.get(secretStores.path(ns, 'aws'));
      return s.status?.conditions?.some((c: any) => c.type === 'ChangeNotifications') && s;
    }, 'the store\'s ChangeNotifications condition');
    expect(store.status.conditions.find((c: any) => c.type === 'ChangeNotifications')).toMatchObject({ status: 'False', reason: 'InvalidChangeSettings' });
    expect(store.status.conditions.find((c: any) => c.type === 'ChangeNotifications').message).toContain('Parameter Store changes are not followed');
    expect(readyCondition(store)).toMatchObject({ status: 'True', reason: 'Valid' });
    await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key: name } }] });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toEqual({ v: 'served' });
  });
});

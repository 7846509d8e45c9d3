import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyChartObjects, applyManifest } from '../../dev/apply.ts';
import { renderChart } from '../../dev/chart.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { clusterSecretStores, events, externalSecrets, pushSecrets, secrets, secretStores } from '../../src/kube/resources.ts';
import { decode, deleteExternalSecrets, eventually, getIfExists, readyCondition, ROLE_ARN } from './harness.ts';
import { runAsChartPod } from './chart-pod.ts';
import { startOperatorChild, type OperatorChild } from './operator-child.ts';

/**
 * The operator installed for one namespace by the Helm chart (`scope.namespace`: WATCH_NAMESPACE), as its own process
 * run as the chart's Deployment runs it, authenticated with a TokenRequest token of the chart's ServiceAccount, which
 * only the chart's Role in the watched namespace (and its leader-election Role in its own, another namespace) empowers. Both namespaces hold the same declarations; only the watched one's
 * are served, an ExternalSecret there that names a ClusterSecretStore is told why it is not, and the operator
 * never asks for what that Role does not grant.
 */
const WATCHED = `scoped-${process.pid}`;
const UNWATCHED = `unwatched-${process.pid}`;
const OPERATOR_NAMESPACE = `scoped-operator-${process.pid}`;
const KEY = `scope/${process.pid}/db`;
const CLUSTER_STORE = `scope-shared-${process.pid}`;

let kube: KubeClient;
let operator: OperatorChild;
let dir: string;
let kubeconfig: string;

/** What a team declares in its namespace: a store authenticating as its ServiceAccount, and a template ConfigMap. */
async function declareTeam(namespace: string): Promise<void> {
  await applyManifest(kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'team-sa', namespace, annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } } });
  await applyManifest(kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tpl', namespace }, data: { greeting: 'hello {{ .password }}' } });
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'team-sa' } } } } } },
  });
}

const applyExternalSecret = (namespace: string, name: string, storeRef: { name: string; kind: string }) => applyManifest(kube, {
  apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: storeRef,
    data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }],
    target: { template: { mergePolicy: 'Merge', templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'greeting' }] } }] } },
  },
});

async function readyAs(namespace: string, name: string, status: 'True' | 'False'): Promise<any> {
  return eventually(async () => {
    const es = await kube.get(externalSecrets.path(namespace, name));
    return readyCondition(es)?.status === status ? es : undefined;
  }, `ExternalSecret ${namespace}/${name} Ready=${status}`);
}

beforeAll(async () => {
  kube = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  dir = mkdtempSync(join(tmpdir(), 'aws-secrets-operator-scoped-'));
  for (const name of [OPERATOR_NAMESPACE, WATCHED, UNWATCHED]) await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  // The chart installed for one namespace: its ServiceAccount, Role, RoleBinding and leader-election Role, as rendered.
  const { deployment } = await applyChartObjects(kube, renderChart({
    release: 'scoped', namespace: OPERATOR_NAMESPACE, set: [`scope.namespace=${WATCHED}`, 'crds.install=false'],
  }));
  const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await aws.send(new CreateSecretCommand({ Name: KEY, SecretString: '{"password":"s3cret"}' }));
  aws.destroy();
  for (const namespace of [WATCHED, UNWATCHED]) await declareTeam(namespace);
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: CLUSTER_STORE },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  });

  // Its Deployment's environment (WATCH_NAMESPACE, leader election in its own namespace: not the watched one).
  const pod = await runAsChartPod({ name: 'scoped', admin: kube, adminKubeconfig: inject('adminKubeconfig'), deployment, awsEndpoint: inject('motoEndpoint'), dir });
  [operator, kubeconfig] = [pod, pod.kubeconfig];
});

afterAll(async () => {
  await operator?.kill('SIGTERM');
  if (kube) {
    // Later files' operators watch the whole cluster: they must not inherit these.
    await deleteExternalSecrets(kube, [WATCHED, UNWATCHED]);
    for (const ns of [WATCHED, UNWATCHED]) await kube.request('DELETE', pushSecrets.path(ns, 'push')).catch(() => undefined);
    await kube.request('DELETE', clusterSecretStores.path(undefined, CLUSTER_STORE)).catch(() => undefined);
    await kube.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an operator installed for one namespace (WATCH_NAMESPACE)', () => {
  it('says its scope at start, leads from its own namespace, and becomes ready', async () => {
    const starting = JSON.parse(operator.output.find((l) => l.includes('"msg":"starting"'))!);
    expect(starting).toMatchObject({ watchNamespace: WATCHED, leaderElection: true });
    await eventually(async () => operator.leads(), 'the operator to lead', 30_000);
    await eventually(async () => (await fetch(`http://127.0.0.1:${operator.metricsPort}/readyz`)).status === 200, '/readyz to answer 200');
  });

  it('syncs an ExternalSecret of the watched namespace, and never touches the same one in another namespace', async () => {
    // The other first: once the watched one (created after it) is synced, a cluster-wide operator would have seen both.
    await applyExternalSecret(UNWATCHED, 'db', { name: 'aws', kind: 'SecretStore' });
    await applyExternalSecret(WATCHED, 'db', { name: 'aws', kind: 'SecretStore' });
    const synced = await readyAs(WATCHED, 'db', 'True');
    expect(readyCondition(synced).reason).toBe('SecretSynced');
    expect(decode((await kube.get(secrets.path(WATCHED, 'db'))).data)).toEqual({ password: 's3cret', greeting: 'hello s3cret' });
    expect(readyCondition(await kube.get(secretStores.path(WATCHED, 'aws')))).toMatchObject({ status: 'True', reason: 'Valid' });

    expect((await kube.get(externalSecrets.path(UNWATCHED, 'db'))).status).toBeUndefined();
    expect(await getIfExists(kube, secrets.path(UNWATCHED, 'db'))).toBeUndefined();
    expect((await kube.get(secretStores.path(UNWATCHED, 'aws'))).status).toBeUndefined();
    expect((await kube.get(events.path(UNWATCHED))).items).toEqual([]);
  });

  it('fails an ExternalSecret that names a ClusterSecretStore, naming the setting, and leaves the store alone', async () => {
    await applyExternalSecret(WATCHED, 'via-cluster-store', { name: CLUSTER_STORE, kind: 'ClusterSecretStore' });
    const failed = await readyAs(WATCHED, 'via-cluster-store', 'False');
    expect(readyCondition(failed)).toMatchObject({
      reason: 'SecretSyncedError',
      message: `ClusterSecretStoreDisabled: ClusterSecretStore "${CLUSTER_STORE}" is not served: this operator watches only namespace `
        + `"${WATCHED}" (WATCH_NAMESPACE) and reads no ClusterSecretStore in that mode; use a SecretStore of this namespace`,
    });
    const warned = await eventually(async () => (await kube.get(events.path(WATCHED))).items
      .find((e: any) => e.involvedObject.name === 'via-cluster-store' && e.type === 'Warning'), 'the Warning Event');
    expect(warned.message).toBe(readyCondition(failed).message);
    expect(await getIfExists(kube, secrets.path(WATCHED, 'via-cluster-store'))).toBeUndefined();
    expect((await kube.get(clusterSecretStores.path(undefined, CLUSTER_STORE))).status).toBeUndefined();
  });

  it('fails an ExternalSecret whose entry names a ClusterSecretStore in its sourceRef, naming the entry', async () => {
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'via-source-ref', namespace: WATCHED },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'aws', kind: 'SecretStore' },
        data: [
          { secretKey: 'password', remoteRef: { key: KEY, property: 'password' } },
          { secretKey: 'shared', remoteRef: { key: KEY, property: 'password' }, sourceRef: { storeRef: { name: CLUSTER_STORE, kind: 'ClusterSecretStore' } } },
        ],
      },
    });
    const failed = await readyAs(WATCHED, 'via-source-ref', 'False');
    expect(readyCondition(failed)).toMatchObject({
      reason: 'SecretSyncedError',
      message: `ClusterSecretStoreDisabled: spec.data[1].sourceRef.storeRef: ClusterSecretStore "${CLUSTER_STORE}" is not served: this operator watches only `
        + `namespace "${WATCHED}" (WATCH_NAMESPACE) and reads no ClusterSecretStore in that mode; use a SecretStore of this namespace`,
    });
    expect(await getIfExists(kube, secrets.path(WATCHED, 'via-source-ref'))).toBeUndefined();
  });

  it('pushes a PushSecret of the watched namespace under its Role (finalizer, status, deletion), and never another namespace\'s', async () => {
    const remote = (ns: string) => `scope/${process.pid}/pushed/${ns}`;
    const pushSecret = (namespace: string) => applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'push', namespace },
      spec: {
        deletionPolicy: 'Delete', secretStoreRefs: [{ name: 'aws' }], selector: { secret: { name: 'to-push' } },
        data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: remote(namespace) } } }],
      },
    });
    for (const namespace of [UNWATCHED, WATCHED]) {
      await applyManifest(kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'to-push', namespace }, stringData: { token: `t-${namespace}` } });
      await pushSecret(namespace);
    }
    const pushed = await eventually(async () => {
      const ps = await kube.get(pushSecrets.path(WATCHED, 'push'));
      return readyCondition(ps)?.status === 'True' ? ps : undefined;
    }, 'the watched PushSecret to be pushed');
    expect(pushed.metadata.finalizers).toEqual(['pushsecret.externalsecrets.io/finalizer']);
    const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const value = await aws.send(new GetSecretValueCommand({ SecretId: remote(WATCHED) }));
      expect(Buffer.from(value.SecretBinary!).toString()).toBe(`t-${WATCHED}`);
      await expect(aws.send(new GetSecretValueCommand({ SecretId: remote(UNWATCHED) }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      const other = await kube.get(pushSecrets.path(UNWATCHED, 'push'));
      expect([other.status, other.metadata.finalizers]).toEqual([undefined, undefined]);
      await kube.request('DELETE', pushSecrets.path(WATCHED, 'push'));
      await eventually(async () => (await getIfExists(kube, pushSecrets.path(WATCHED, 'push'))) === undefined, 'the PushSecret to go');
      expect((await aws.send(new GetSecretValueCommand({ SecretId: remote(WATCHED) })).catch((err) => err)).name).toMatch(/ResourceNotFoundException|InvalidRequestException/);
    } finally {
      aws.destroy();
    }
  });

  it('runs a generator of the watched namespace under its Role, and fails one that names a ClusterGenerator, naming the setting', async () => {
    const G = 'generators.external-secrets.io/v1alpha1';
    await applyManifest(kube, { apiVersion: G, kind: 'Password', metadata: { name: 'pw', namespace: WATCHED }, spec: { length: 20 } });
    const viaGenerator = (name: string, kind: string, generator: string) => applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace: WATCHED },
      spec: { refreshInterval: '1h', dataFrom: [{ sourceRef: { generatorRef: { apiVersion: G, kind, name: generator } } }] },
    });
    await viaGenerator('generated', 'Password', 'pw');
    await readyAs(WATCHED, 'generated', 'True');
    expect(decode((await kube.get(secrets.path(WATCHED, 'generated'))).data)['password']).toHaveLength(20);
    await viaGenerator('via-cluster-generator', 'ClusterGenerator', 'shared');
    const failed = await readyAs(WATCHED, 'via-cluster-generator', 'False');
    expect(readyCondition(failed).message).toBe(`ClusterGeneratorDisabled: spec.dataFrom[0]: ClusterGenerator "shared" is not served: this operator watches only `
      + `namespace "${WATCHED}" (WATCH_NAMESPACE) and reads no ClusterGenerator in that mode; use a generator of this namespace`);
  });

  it('asks the apiserver for nothing its Role does not grant: no cluster-scoped request, no forbidden answer', () => {
    // After the cases above: every path they exercised (stores, jwt auth, templateFrom, generators, status, Events, the Lease) ran.
    expect(operator.output.filter((line) => /forbidden/i.test(line))).toEqual([]);
    expect(operator.child.exitCode).toBeNull();
  });

  it('refuses at start a WATCH_NAMESPACE that is not a namespace name, saying so', async () => {
    await expect(startOperatorChild({ name: 'misconfigured', kubeconfig, awsEndpoint: inject('motoEndpoint'), env: { WATCH_NAMESPACE: 'Team_A' } }))
      .rejects.toThrow(/exited before it started:[\s\S]*WATCH_NAMESPACE \\"Team_A\\" is not a namespace name: a DNS-1123 label/);
  });
});

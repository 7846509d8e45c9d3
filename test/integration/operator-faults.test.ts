import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LABEL_MANAGED } from '../../src/api/well-known.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';
import { applyManifest } from '../../dev/apply.ts';
import { AwsProxy } from './aws-proxy.ts';
import { awsName } from './cases.ts';
import { decode, deleteExternalSecrets, eventually, readyCondition } from './harness.ts';
import { startOperatorChild, type OperatorChild } from './operator-child.ts';

/**
 * The operator process killed without warning (SIGKILL: no lease release, no clean-up), as an OOM
 * kill or a node failure would: mid-sync, a new process must finish the work with no duplicate and
 * no orphan; with two replicas, the standby must take over once the dead leader's lease expires.
 */
let kube: KubeClient;
let proxy: AwsProxy;
let endpoint: string;
const children: OperatorChild[] = [];

beforeAll(async () => {
  kube = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  proxy = new AwsProxy(inject('motoEndpoint'));
  endpoint = await proxy.start();
});
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  if (kube) await deleteExternalSecrets(kube, [`sigkill-${process.pid}`, `takeover-${process.pid}`]);
  await kube?.close();
  await proxy?.stop();
});

const start = async (name: string, env: Record<string, string> = {}) => {
  const child = await startOperatorChild({ name, kubeconfig: inject('operatorKubeconfig'), awsEndpoint: endpoint, env });
  children.push(child);
  return child;
};

/** A namespace with a SecretStore `aws` and `count` ExternalSecrets, each reading its own AWS secret. */
async function workload(ns: string, count: number): Promise<string[]> {
  await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  });
  const keys = Array.from({ length: count }, (_, i) => awsName(`${ns}-${i}`));
  const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  for (const [i, name] of keys.entries()) await aws.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ password: `pw-${i}` }) }));
  aws.destroy();
  for (const [i, key] of keys.entries()) {
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: `es-${i}`, namespace: ns },
      spec: { refreshInterval: '1h', secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] },
    });
  }
  return keys;
}

const managedSecrets = async (ns: string): Promise<any[]> => (await kube.get(secrets.path(ns), { labelSelector: `${LABEL_MANAGED}=true` })).items;
const listExternalSecrets = async (ns: string): Promise<any[]> => (await kube.get(externalSecrets.path(ns))).items;

describe('the operator process killed', () => {
  it('SIGKILL mid-sync: a new process finishes, with one Secret per ExternalSecret, each owned by it', async () => {
    const ns = `sigkill-${process.pid}`;
    const count = 24;
    // Slow AWS answers and few workers keep the first process busy long enough to be killed mid-way.
    proxy.chaos({ actions: ['GetSecretValue'], errorRate: 0, errors: [], delayMs: 250 });
    await workload(ns, count);
    const first = await start('first', { CONCURRENCY: '2' });
    await eventually(async () => (await managedSecrets(ns)).length > 0, 'the first Secret', 30_000);
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    const atKill = (await managedSecrets(ns)).length;
    expect(atKill, 'killed mid-sync').toBeLessThan(count);
    proxy.chaos(undefined);

    await start('second');
    await eventually(async () => {
      const list = await listExternalSecrets(ns);
      return list.length === count && list.every((es) => readyCondition(es)?.status === 'True');
    }, 'every ExternalSecret Ready=True', 60_000);
    const list = await listExternalSecrets(ns);
    const owned = await managedSecrets(ns);
    expect(owned.map((s) => s.metadata.name).sort()).toEqual(list.map((es) => es.metadata.name).sort());
    for (const secret of owned) {
      const es = list.find((e) => e.metadata.name === secret.metadata.name);
      expect(secret.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ExternalSecret', name: es.metadata.name, uid: es.metadata.uid, controller: true })]);
      expect(decode(secret.data)).toEqual({ password: `pw-${secret.metadata.name.slice('es-'.length)}` });
    }
    await children.pop()!.kill('SIGTERM');
  });

  it('SIGKILL of the leader: the standby takes over once the lease expires, and reconciles', async () => {
    const ns = `takeover-${process.pid}`;
    await workload(ns, 1);
    const env = (pod: string) => ({ POD_NAMESPACE: 'aws-secrets-operator', POD_NAME: pod });
    const leader = await start('leader', env('leader'));
    await eventually(async () => leader.leads(), 'the first process to lead', 30_000);
    const standby = await start('standby', env('standby'));
    await eventually(async () => (await managedSecrets(ns)).length === 1, 'the leader to sync', 30_000);
    expect(standby.leads()).toBe(false);

    expect(await leader.kill('SIGKILL')).toBe('SIGKILL');
    // The lease is not released: the standby waits out its 15 s duration.
    await eventually(async () => standby.leads(), 'the standby to take over', 45_000);
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'after-takeover', namespace: ns },
      spec: { refreshInterval: '1h', secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key: awsName('missing-on-purpose'), property: 'password' } }] },
    });
    // A reconcile by the new leader: the status it writes is the positive sign.
    const es = await eventually(async () => {
      const e = await kube.get(externalSecrets.path(ns, 'after-takeover'));
      return readyCondition(e) ? e : undefined;
    }, 'the new leader to reconcile', 30_000);
    expect(readyCondition(es)).toMatchObject({ status: 'False', reason: 'SecretSyncedError' });
    expect(readyCondition(es).message).toMatch(/^AWSSecretNotFound: /);
    expect(await standby.metric('externalsecret_sync_calls_total{name="after-takeover"')).toBeGreaterThan(0);
  });
});

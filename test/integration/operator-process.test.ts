import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { applyManifest } from '../../dev/apply.ts';
import { AwsProxy, jwtClaims } from './aws-proxy.ts';
import { decode, eventually, readyCondition } from './harness.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';

/**
 * The operator as it runs in a pod: `node src/main.ts` as its own process, with a
 * kubeconfig for its ServiceAccount and IRSA's environment (AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE) and no static AWS keys. A store without an auth
 * block must then authenticate through the pod's web identity.
 */
const POD_ROLE = 'arn:aws:iam::123456789012:role/aws-secrets-operator';
const NS = `pod-irsa-${process.pid}`;
const KEY = `pod/${process.pid}/db`;

let kube: KubeClient;
let proxy: AwsProxy;
interface Replica {
  name: string;
  child: ChildProcess;
  output: string[];
  metricsPort: number;
}
const replicas: Replica[] = [];
let dir: string;

beforeAll(async () => {
  kube = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  proxy = new AwsProxy(inject('motoEndpoint'));
  const endpoint = await proxy.start();
  const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await aws.send(new CreateSecretCommand({ Name: KEY, SecretString: '{"password":"via-pod-identity"}' }));
  aws.destroy();

  // What the kubelet projects into an IRSA pod: a token of the pod's ServiceAccount for sts.amazonaws.com.
  const token = await kube.request('POST', '/api/v1/namespaces/aws-secrets-operator/serviceaccounts/aws-secrets-operator/token', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 3600 } },
  });
  dir = mkdtempSync(join(tmpdir(), 'aws-secrets-operator-pod-'));
  writeFileSync(join(dir, 'token'), token.status.token);

  const env = (pod: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KUBECONFIG: inject('operatorKubeconfig'),
    AWS_ROLE_ARN: POD_ROLE,
    AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'token'),
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_ENDPOINT_URL_STS: endpoint,
    METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
    POD_NAMESPACE: 'aws-secrets-operator',
    POD_NAME: pod,
  });
  for (const name of ['pod-a', 'pod-b']) {
    const child = spawn(process.execPath, ['src/main.ts'], { env: env(name), stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const metricsPort = await eventually(async () => {
      const line = output.find((l) => l.includes('"metricsPort"'));
      return line ? (JSON.parse(line).metricsPort as number) : undefined;
    }, `${name} to start`, 30_000);
    replicas.push({ name, child, output, metricsPort });
    // pod-a starts first, so it leads.
    if (name === 'pod-a') await eventually(async () => output.some((l) => l.includes('became leader')), 'pod-a to lead', 30_000);
  }
});

const metrics = async (r: Replica) => (await fetch(`http://127.0.0.1:${r.metricsPort}/metrics`)).text();
const leads = (r: Replica) => r.output.some((l) => l.includes('became leader'));

async function secretIn(name: string): Promise<any> {
  return eventually<any>(async () => {
    try {
      return await kube.get(secrets.path(NS, name));
    } catch {
      return undefined;
    }
  }, `the Secret ${name}`, 30_000);
}

afterAll(async () => {
  for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await kube?.close();
  await proxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two operator processes under IRSA, with leader election', () => {
  it('both are ready: the leader once its caches synced, the standby as such', async () => {
    for (const r of replicas) {
      await eventually(async () => (await fetch(`http://127.0.0.1:${r.metricsPort}/readyz`)).status === 200, `${r.name} /readyz`);
      expect((await fetch(`http://127.0.0.1:${r.metricsPort}/healthz`)).status).toBe(200);
    }
    expect(leads(replicas[1]!)).toBe(false);
  });

  it('the leader syncs through a store without auth, using the pod\'s web identity', async () => {
    await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: NS },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: NS },
      spec: { secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }] },
    });
    expect(decode((await secretIn('db')).data)).toEqual({ password: 'via-pod-identity' });
    const es = await kube.get(externalSecrets.path(NS, 'db'));
    expect(readyCondition(es)).toMatchObject({ status: 'True', reason: 'SecretSynced' });
    // Other files' ExternalSecrets are still in the cluster and get reconciled too: pick the pod identity's exchange.
    const exchange = proxy.calls.find((c) => c.action === 'AssumeRoleWithWebIdentity' && c.params.RoleArn === POD_ROLE);
    expect(exchange, 'an exchange of the pod\'s web identity').toBeDefined();
    expect(jwtClaims(exchange!.params.WebIdentityToken).sub).toBe('system:serviceaccount:aws-secrets-operator:aws-secrets-operator');
  });

  it('only the leader reconciles, and it serves the metrics ESO users alert on', async () => {
    const [leader, standby] = replicas;
    const text = await metrics(leader!);
    expect(text).toContain(`externalsecret_sync_calls_total{name="db",namespace="${NS}"} 1`);
    expect(text).toMatch(/externalsecret_provider_api_calls_count\{provider="AWS\/SecretsManager",call="GetSecretValue",status="success"\} [1-9]/);
    expect(proxy.count('GetSecretValue', (p) => p.SecretId === KEY)).toBe(1);
    expect(await metrics(standby!)).not.toContain('externalsecret_sync_calls_total{');
  });

  it('when the leader stops, the standby takes over and reconciles', async () => {
    const [leader, standby] = replicas;
    const exited = new Promise<number | null>((r) => leader!.child.once('exit', (code) => r(code)));
    leader!.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(leader!.output.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    await eventually(async () => leads(standby!), 'pod-b to take over', 15_000);
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'after-failover', namespace: NS },
      spec: { secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }] },
    });
    expect(decode((await secretIn('after-failover')).data)).toEqual({ password: 'via-pod-identity' });
    const finished = new Promise<number | null>((r) => standby!.child.once('exit', (code) => r(code)));
    standby!.child.kill('SIGTERM');
    expect(await finished).toBe(0);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { applyManifest } from '../../src/localenv/apply.ts';
import { AwsProxy, jwtClaims } from './aws-proxy.ts';
import { decode, eventually, readyCondition } from './harness.ts';

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
let child: ChildProcess;
let dir: string;
const output: string[] = [];
let metricsPort = 0;

beforeAll(async () => {
  kube = KubeClient.fromFile(inject('adminKubeconfig'));
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

  const env: NodeJS.ProcessEnv = {
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
  };
  child = spawn(process.execPath, ['src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  metricsPort = await eventually(async () => {
    const line = output.find((l) => l.includes('"metricsPort"'));
    return line ? (JSON.parse(line).metricsPort as number) : undefined;
  }, 'the operator process to start', 30_000);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
  }
  await kube?.close();
  await proxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the operator process under IRSA', () => {
  it('is ready once its caches have synced', async () => {
    await eventually(async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200, '/readyz');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(200);
  });

  it('syncs through a store without auth, using the pod\'s web identity', async () => {
    await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: NS },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: NS },
      spec: { secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }] },
    });
    const secret = await eventually<any>(async () => {
      try {
        return await kube.get(`/api/v1/namespaces/${NS}/secrets/db`);
      } catch {
        return undefined;
      }
    }, 'the Secret', 30_000);
    expect(decode(secret.data)).toEqual({ password: 'via-pod-identity' });
    const es = await kube.get(`/apis/external-secrets.io/v1/namespaces/${NS}/externalsecrets/db`);
    expect(readyCondition(es)).toMatchObject({ status: 'True', reason: 'SecretSynced' });

    const exchange = proxy.calls.find((c) => c.action === 'AssumeRoleWithWebIdentity');
    expect(exchange?.params.RoleArn).toBe(POD_ROLE);
    expect(jwtClaims(exchange!.params.WebIdentityToken).sub).toBe('system:serviceaccount:aws-secrets-operator:aws-secrets-operator');
  });

  it('serves the metrics ESO users alert on', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toContain(`externalsecret_sync_calls_total{name="db",namespace="${NS}"} 1`);
    expect(text).toContain('externalsecret_provider_api_calls_count{provider="AWS/SecretsManager",call="GetSecretValue",status="success"} 1');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});

/**
 * What the `make chaos` scenarios share: a control plane and moto of their own (a
 * scenario may kill the apiserver), the CRDs and RBAC installed, an operator process
 * as it runs in a pod, and ExternalSecrets reading one AWS secret each.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeClient } from '../../src/kube/client.ts';
import { applyManifest, installOperatorPrerequisites } from '../../dev/apply.ts';
import { startControlPlane, type ControlPlane } from '../../dev/control-plane.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { startOperatorChild, type OperatorChild } from '../../test/integration/operator-child.ts';
import { secrets } from '../../src/kube/resources.ts';


export interface ChaosEnvironment {
  controlPlane: ControlPlane;
  moto: Moto;
  /** Admin client, straight to the apiserver. */
  kube: KubeClient;
  aws: SecretsManagerClient;
  /** The operator's kubeconfig (its ServiceAccount's identity). */
  operatorKubeconfig: string;
  stop(): Promise<void>;
}

export async function startEnvironment(): Promise<ChaosEnvironment> {
  const [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
  const kube = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
  await installOperatorPrerequisites(kube);
  const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' } });
  return {
    controlPlane,
    moto,
    kube,
    aws,
    operatorKubeconfig: controlPlane.kubeconfigForServiceAccount('aws-secrets-operator', 'aws-secrets-operator'),
    async stop() {
      aws.destroy();
      await kube.close();
      await Promise.all([controlPlane.stop(), moto.stop()]);
    },
  };
}

/** A copy of a kubeconfig whose server is another address (e.g. a TCP proxy in front of the apiserver). */
export function kubeconfigVia(path: string, server: string): string {
  const copy = `${path}.via-${new URL(server).port}`;
  writeFileSync(copy, readFileSync(path, 'utf8').replace(/^(\s*server:\s*).*$/m, `$1${server}`), { mode: 0o600 });
  return copy;
}

/**
 * `node src/main.ts` with the production defaults (no leader election: one replica). CHAOS_OPERATOR_LOG=<file>
 * keeps its log; CHAOS_NODE_ARGS (e.g. --max-old-space-size=256) gives node the heap a container limit would.
 */
export function startOperator(env: ChaosEnvironment, kubeconfig = env.operatorKubeconfig): Promise<OperatorChild> {
  return startOperatorChild({
    name: 'chaos-operator', kubeconfig, awsEndpoint: env.moto.endpoint,
    nodeArgs: process.env.CHAOS_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
    env: { LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info' },
    ...(process.env.CHAOS_OPERATOR_LOG ? { logFile: process.env.CHAOS_OPERATOR_LOG } : {}),
  });
}

/** A namespace with a SecretStore and `count` ExternalSecrets es-<i>, each reading chaos/<i> property v. */
export async function createExternalSecrets(env: ChaosEnvironment, ns: string, count: number, refreshInterval: string): Promise<void> {
  await applyManifest(env.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await applyManifest(env.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  });
  for (let i = 0; i < count; i++) {
    await env.aws.send(new CreateSecretCommand({ Name: `${ns}/${i}`, SecretString: JSON.stringify({ v: 'initial' }) }));
    await applyManifest(env.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: `es-${i}`, namespace: ns },
      spec: { refreshInterval, secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'v', remoteRef: { key: `${ns}/${i}`, property: 'v' } }] },
    });
  }
}

export const putValue = (env: ChaosEnvironment, ns: string, i: number, value: string) =>
  env.aws.send(new PutSecretValueCommand({ SecretId: `${ns}/${i}`, SecretString: JSON.stringify({ v: value }) }));

/** How many of es-0..count-1 hold the expected value in their Secret. */
export async function holding(env: ChaosEnvironment, ns: string, expected: (i: number) => string): Promise<number> {
  const list = await env.kube.get(secrets.path(ns));
  let n = 0;
  for (const s of list.items) {
    const i = Number(/^es-(\d+)$/.exec(s.metadata.name)?.[1]);
    if (Number.isInteger(i) && Buffer.from(s.data?.v ?? '', 'base64').toString() === expected(i)) n++;
  }
  return n;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls every 100 ms until `probe` returns a value, or throws after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch {
      // e.g. the apiserver is still starting: keep polling.
    }
    if (Date.now() > deadline) throw new Error(`chaos: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export const seconds = (ms: number): number => Math.round(ms / 100) / 10;

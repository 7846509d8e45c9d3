/**
 * One workload's world, fresh each time: a kube-apiserver + etcd and moto of its own, the
 * CRDs and RBAC installed, the AWS secrets, a SecretStore, and a recording proxy in front of
 * moto that the operator is given as its AWS endpoint.
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient, type PutSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { applyManifest, installOperatorPrerequisites } from '../../dev/apply.ts';
import { startControlPlane, type ControlPlane } from '../../dev/control-plane.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { externalSecrets } from '../../src/kube/resources.ts';
import { AwsProxy } from '../../test/integration/aws-proxy.ts';
import { inFlight } from './in-flight.ts';

export const NAMESPACE = 'bench';
/** Requests the bench keeps in flight when it creates or patches objects in bulk. */
export const BULK_IN_FLIGHT = 16;

export interface BenchEnvironment {
  controlPlane: ControlPlane;
  moto: Moto;
  proxy: AwsProxy;
  /** The endpoint the operator is given: the proxy. */
  proxyEndpoint: string;
  /** Admin client, straight to the apiserver. */
  kube: KubeClient;
  /** Straight to moto, bypassing the proxy: the bench's own AWS calls are not counted. */
  aws: SecretsManagerClient;
  operatorKubeconfig: string;
  stop(): Promise<void>;
}

export async function startEnvironment(): Promise<BenchEnvironment> {
  const [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
  const kube = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
  const proxy = new AwsProxy(moto.endpoint);
  const proxyEndpoint = await proxy.start();
  await installOperatorPrerequisites(kube);
  await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: NAMESPACE },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  });
  const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  return {
    controlPlane, moto, proxy, proxyEndpoint, kube, aws,
    operatorKubeconfig: controlPlane.kubeconfigForServiceAccount('aws-secrets-operator', 'aws-secrets-operator'),
    async stop() {
      aws.destroy();
      await proxy.stop();
      await kube.close();
      await Promise.all([controlPlane.stop(), moto.stop()]);
    },
  };
}

export const awsSecretName = (i: number): string => `bench/db-${i}`;
export const awsSecretValue = (i: number, password = `pw-${i}`) => JSON.stringify({ username: `user-${i}`, password, port: 5432 });

export async function createAwsSecrets(env: BenchEnvironment, count: number): Promise<void> {
  await inFlight(count, 4, (i) => env.aws.send(new CreateSecretCommand({ Name: awsSecretName(i), SecretString: awsSecretValue(i) })));
}

export function putAwsSecret(env: BenchEnvironment, i: number, password: string): Promise<PutSecretValueCommandOutput> {
  return env.aws.send(new PutSecretValueCommand({ SecretId: awsSecretName(i), SecretString: awsSecretValue(i, password) }));
}

/** An ExternalSecret reading `username` and `password` of one AWS secret into a Secret of its own name. */
export function externalSecret(name: string, awsSecret: number, refreshInterval: string) {
  return {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace: NAMESPACE },
    spec: {
      refreshInterval, secretStoreRef: { name: 'aws' },
      data: ['username', 'password'].map((p) => ({ secretKey: p, remoteRef: { key: awsSecretName(awsSecret), property: p } })),
    },
  };
}

export const externalSecretName = (i: number): string => `es-${i}`;

/** es-0..count-1, es-i reading AWS secret i mod awsSecrets. */
export async function createExternalSecrets(env: BenchEnvironment, count: number, awsSecrets: number, refreshInterval: string): Promise<void> {
  await inFlight(count, BULK_IN_FLIGHT, (i) =>
    env.kube.request('POST', externalSecrets.path(NAMESPACE), { body: externalSecret(externalSecretName(i), i % awsSecrets, refreshInterval) }));
}

/** Merge-patches every es-i, BULK_IN_FLIGHT at a time. */
export async function patchExternalSecrets(env: BenchEnvironment, count: number, patch: object): Promise<void> {
  await inFlight(count, BULK_IN_FLIGHT, (i) =>
    env.kube.request('PATCH', externalSecrets.path(NAMESPACE, externalSecretName(i)), { body: patch, contentType: 'application/merge-patch+json' }));
}

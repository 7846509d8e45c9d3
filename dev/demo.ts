import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import { KubeClient } from '../src/kube/client.ts';
import { sleep, systemClock } from '../src/kube/clock.ts';
import { secrets } from '../src/kube/resources.ts';
import { Operator } from '../src/operator.ts';
import { applyManifest, installCrds, parseManifests } from './apply.ts';
import { startControlPlane } from './control-plane.ts';
import { startMoto } from './moto.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_ROLE_ARN = 'arn:aws:iam::123456789012:role/external-secrets-production';
/** The seed document's AWS secret; `port` is a JSON number on purpose. */
export const DEMO_SECRET_JSON = '{"username":"dbadmin","password":"S3cur3P@ssw0rd!","engine":"postgres","host":"db.internal.example.com","port":5432,"dbname":"myapp"}';

/**
 * The seed's EKS example (examples/eks-external-secrets.yaml) in a namespace: the namespace, the ServiceAccount its
 * SecretStore names, annotated with the IAM role as on EKS, then the example's objects as written.
 * `externalSecretName` renames the ExternalSecret and its target Secret, for a second copy beside the first.
 */
export async function applySeedExample(kube: KubeClient, namespace = 'production', externalSecretName?: string): Promise<void> {
  await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await applyManifest(kube, {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'external-secrets-sa', namespace, annotations: { 'eks.amazonaws.com/role-arn': DEMO_ROLE_ARN } },
  });
  for (const manifest of parseManifests(readFileSync(join(repoRoot, 'examples/eks-external-secrets.yaml'), 'utf8'))) {
    const renamed = externalSecretName !== undefined && manifest.kind === 'ExternalSecret';
    await applyManifest(kube, {
      ...manifest,
      metadata: { ...manifest.metadata, namespace, ...(renamed ? { name: externalSecretName } : {}) },
      ...(renamed ? { spec: { ...manifest.spec, target: { ...manifest.spec.target, name: externalSecretName } } } : {}),
    });
  }
}

/**
 * `make run` with no cluster configured: an embedded control plane and AWS
 * emulator, the CRDs and the seed's example, and the operator until interrupted.
 */
export async function runLocal(log: Logger): Promise<void> {
  log.info('no KUBECONFIG and not in a cluster: starting a local kube-apiserver, etcd and moto');
  const [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
  // The operator reaches the emulator only through the SDK's standard endpoint settings.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = moto.endpoint;
  process.env.AWS_ENDPOINT_URL_STS = moto.endpoint;
  process.env.AWS_ENDPOINT_URL_SSM = moto.endpoint;
  process.env.AWS_ENDPOINT_URL_ECR = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_REGION ??= 'us-east-1';

  const kube = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
  const operator = new Operator({ kube, log });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await operator.stop();
    await kube.close();
    await Promise.all([controlPlane.stop(), moto.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  await installCrds(kube, join(repoRoot, 'crds'));
  const aws = new SecretsManagerClient({ region: 'us-east-1' });
  await aws.send(new CreateSecretCommand({ Name: 'myapp/production/database', SecretString: DEMO_SECRET_JSON }));
  aws.destroy();
  await applySeedExample(kube);
  await operator.start();

  const secret = await waitForSecret(kube, 'production', 'db-credentials');
  const keys = Object.entries(secret.data ?? {}).map(([k, v]) => `${k} (${Buffer.from(String(v), 'base64').length} bytes)`);
  const kubectl = join(controlPlane.binDir, 'kubectl');
  process.stdout.write([
    '',
    `Secret production/db-credentials is synced from AWS secret myapp/production/database: ${keys.join(', ')}`,
    'Look at it from another shell:',
    `  export KUBECONFIG=${controlPlane.kubeconfig}`,
    `  ${kubectl} -n production get externalsecret,secretstore,secret`,
    `  ${kubectl} -n production get secret db-credentials -o jsonpath='{.data.username}' | base64 -d`,
    `Change the value with AWS_ENDPOINT_URL=${moto.endpoint} and force a sync:`,
    `  ${kubectl} -n production annotate externalsecret db-credentials force-sync=$(date +%s) --overwrite`,
    'The operator keeps running; press Ctrl-C to stop it and remove the local cluster.',
    '',
  ].join('\n'));
}

async function waitForSecret(kube: KubeClient, namespace: string, name: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    try {
      return await kube.get(secrets.path(namespace, name));
    } catch {
      await sleep(systemClock, 100);
    }
  }
  throw new Error(`Secret ${namespace}/${name} did not appear within 60 s; see the operator's log above`);
}

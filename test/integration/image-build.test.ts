import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { secrets } from '../../src/kube/resources.ts';
import { applyManifest } from '../../dev/apply.ts';
import { awsName } from './cases.ts';
import { decode, deleteExternalSecrets, eventually, readyCondition } from './harness.ts';
import { imageCommand } from '../helpers/image-command.ts';
import { startOperatorChild, type OperatorChild } from './operator-child.ts';

/**
 * What the image runs: the build of `make build` (the sources with their types stripped ahead,
 * imports naming .js files), with the Dockerfile's node flags. Built here the same way, and run as
 * its own process: a build that drops a file or leaves a `.ts` import fails this test, not a pod.
 */
const root = join(import.meta.dirname, '../..');
let kube: KubeClient;
let operator: OperatorChild | undefined;
const ns = `image-build-${process.pid}`;

beforeAll(async () => {
  kube = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
});
afterAll(async () => {
  await operator?.kill('SIGTERM');
  await deleteExternalSecrets(kube, [ns]);
  await kube?.close();
});

describe('the image build', () => {
  it('runs with the image\'s flags and syncs an ExternalSecret, without loading the TypeScript stripper', async () => {
    const { args, script, builtScript } = imageCommand();
    expect(script).toBe('src/main.js');
    const key = awsName('image-build');
    const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await aws.send(new CreateSecretCommand({ Name: key, SecretString: JSON.stringify({ password: 'built' }) }));
    aws.destroy();
    await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'es', namespace: ns },
      spec: { refreshInterval: '1h', secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] },
    });

    // `--no-experimental-strip-types`: a .ts file reached from the build would fail to load.
    operator = await startOperatorChild({
      name: 'image-build', kubeconfig: inject('operatorKubeconfig'), awsEndpoint: inject('motoEndpoint'),
      nodeArgs: [...args, '--no-experimental-strip-types'], script: builtScript, env: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
    });
    await eventually(async () => {
      const es = await kube.get(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/es`);
      return readyCondition(es)?.reason === 'SecretSynced' ? true : undefined;
    }, 'the ExternalSecret synced by the built operator');
    expect(decode((await kube.get(secrets.path(ns, 'es'))).data)).toEqual({ password: 'built' });
  });
});

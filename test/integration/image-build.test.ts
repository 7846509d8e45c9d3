import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { secrets } from '../../src/kube/resources.ts';
import { applySeedExample, DEMO_SECRET_JSON } from '../../dev/demo.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { buildImageContext, type ImageContext } from '../../scripts/image-context.ts';
import { decode, deleteExternalSecrets, eventually, readyCondition } from './harness.ts';
import { imageCommand } from '../helpers/image-command.ts';
import { startOperatorChild, type OperatorChild } from './operator-child.ts';

/**
 * What the image holds, without a Docker engine: `make image-context` lays out the image's WORKDIR by following the
 * Dockerfile (its copies, the build's tsc, `npm ci --omit=dev`) in a folder outside the repository, and the image's
 * command runs from there. A file the runtime needs but the Dockerfile forgets, a dev dependency imported at run
 * time, or a `.ts` import left in the build fails this test, not a pod.
 */
const root = join(import.meta.dirname, '../..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ns = `image-build-${process.pid}`;
let kube: KubeClient;
let context: ImageContext;
let operator: OperatorChild | undefined;
let moto: Moto | undefined;

beforeAll(async () => {
  kube = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  context = buildImageContext(mkdtempSync(join(tmpdir(), 'aws-secrets-operator-image-')));
});
afterAll(async () => {
  await operator?.kill('SIGTERM');
  await deleteExternalSecrets(kube, [ns]);
  await kube?.close();
  await moto?.stop();
  if (context) rmSync(context.dir, { recursive: true, force: true });
});

/** node's arguments as the image's CMD gives them; without the type stripper, a `.ts` file reached fails to load. */
const nodeArgs = (): string[] => [...imageCommand().args, '--no-experimental-strip-types'];

describe('the image', () => {
  it('holds the package files, the build of src/ and production dependencies only, out of reach of the repository', () => {
    expect(`${context.dir}${sep}`.startsWith(`${root}${sep}`)).toBe(false);
    expect(readdirSync(context.dir).sort()).toEqual(['node_modules', 'package-lock.json', 'package.json', 'src']);
    expect(readdirSync(join(context.dir, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?ts$/.test(f))).toEqual([]);
    // Where Node looks for a package from the image's script (every node_modules up to /, and the global folders).
    const lookup = createRequire(join(context.dir, imageCommand().script)).resolve.paths;
    const found = (name: string) => lookup(name)!.map((folder) => join(folder, name)).find((path) => existsSync(path));
    for (const dependency of Object.keys(packageJson.dependencies)) expect(found(dependency)).toBe(join(context.dir, 'node_modules', dependency));
    for (const devDependency of Object.keys(packageJson.devDependencies)) expect(found(devDependency), devDependency).toBeUndefined();
  });

  it.each([
    ['in production', { NODE_ENV: 'production' }],
    ['when the local environment is absent', {}],
  ])('with no cluster to talk to, %s, exits 1 with one line saying to set KUBECONFIG or run in a cluster', async (_, env) => {
    const { code, lines } = await new Promise<{ code: number | null; lines: string[] }>((resolve) => {
      const child = execFile(process.execPath, [...nodeArgs(), imageCommand().script], { cwd: context.dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, lines: `${stdout}${stderr}`.split('\n').filter(Boolean) }));
    });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toMatch(/set KUBECONFIG, or run in a cluster/);
  });

  it('syncs the seed example against the test peers, and stops with exit code 0 on SIGTERM', async () => {
    // The seed's AWS secret, in a moto of this test's own: the seed test writes the same key in the shared one, and
    // the two files run side by side.
    moto = await startMoto();
    const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await aws.send(new CreateSecretCommand({ Name: 'myapp/production/database', SecretString: DEMO_SECRET_JSON }));
    aws.destroy();
    // The seed's EKS example as written, in this test's namespace, with the ServiceAccount it names.
    await applySeedExample(kube, ns);

    operator = await startOperatorChild({
      name: 'image', kubeconfig: inject('operatorKubeconfig'), awsEndpoint: moto.endpoint,
      cwd: context.dir, nodeArgs: nodeArgs(), script: imageCommand().script, env: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
    });
    await eventually(async () => {
      const es = await kube.get(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/db-credentials`);
      return readyCondition(es)?.reason === 'SecretSynced' ? true : undefined;
    }, 'the seed ExternalSecret synced by the operator run from the image context');
    const { username, password } = JSON.parse(DEMO_SECRET_JSON);
    expect(decode((await kube.get(secrets.path(ns, 'db-credentials'))).data)).toEqual({ username, password });

    expect(await operator.kill('SIGTERM')).toBe(0);
  });
});

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { pushSecrets } from '../../src/kube/resources.ts';
import { eventually, getIfExists, readyCondition, startHarness, type Harness } from './harness.ts';
import { applyKeysSecret, createIamUsers, enforceIam, KEYS_SECRET_AUTH, type AccessKeys } from './moto-iam.ts';

/**
 * The IAM policy for pushing that the README lists, enforced by moto (its own moto: enforcement is
 * global): a user with exactly those actions pushes to Secrets Manager and Parameter Store, updates
 * and deletes; a user without PutSecretValue is denied an update, with the action named.
 */
const SECRETS_MANAGER_ACTIONS = [
  'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue',
  'secretsmanager:TagResource', 'secretsmanager:UntagResource', 'secretsmanager:DeleteSecret',
];
const PARAMETER_STORE_ACTIONS = [
  'ssm:GetParameter', 'ssm:PutParameter', 'ssm:ListTagsForResource', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource', 'ssm:DeleteParameter',
];

let moto: Moto;
let h: Harness;
const keys: Record<string, AccessKeys> = {};
const created: string[] = [];
const admin = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

beforeAll(async () => {
  moto = await startMoto();
  h = await startHarness({ motoEndpoint: moto.endpoint });
  Object.assign(keys, await createIamUsers(moto.endpoint, {
    pusher: [...SECRETS_MANAGER_ACTIONS, ...PARAMETER_STORE_ACTIONS],
    'no-put': SECRETS_MANAGER_ACTIONS.filter((a) => a !== 'secretsmanager:PutSecretValue'),
  }));
  await enforceIam(moto.endpoint);
});
afterAll(async () => {
  for (const ns of created) {
    for (const ps of (await h.kube.get(pushSecrets.path(ns))).items) await h.kube.request('DELETE', pushSecrets.path(ns, ps.metadata.name));
    await eventually(async () => (await h.kube.get(pushSecrets.path(ns))).items.length === 0, `the PushSecrets of ${ns} to go`);
  }
  await h?.close();
  await moto?.stop();
});

async function namespaceAs(prefix: string, user: string, service: 'SecretsManager' | 'ParameterStore'): Promise<string> {
  const ns = await h.namespace(prefix);
  created.push(ns);
  await applyKeysSecret(h, ns, keys[user]!);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service, region: 'us-east-1', secretsManager: { forceDeleteWithoutRecovery: true }, auth: KEYS_SECRET_AUTH } } },
  });
  return ns;
}

const source = (ns: string, value: string) => applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'source', namespace: ns }, stringData: { v: value } });
const pushSecret = (ns: string, remoteKey: string) => applyManifest(h.kube, {
  apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'ps', namespace: ns },
  spec: {
    deletionPolicy: 'Delete', secretStoreRefs: [{ name: 'aws' }], selector: { secret: { name: 'source' } },
    data: [{ match: { secretKey: 'v', remoteRef: { remoteKey } }, metadata: { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec: { tags: { team: 'a' } } } }],
  },
});
const ready = (ns: string, status: 'True' | 'False', message?: (m: string) => boolean) => eventually(async () => {
  const c = readyCondition(await h.kube.get(pushSecrets.path(ns, 'ps')));
  return c?.status === status && (!message || message(c.message)) ? c : undefined;
}, `PushSecret ${ns}/ps Ready=${status}`);
const gone = (ns: string) => eventually(async () => (await getIfExists(h.kube, pushSecrets.path(ns, 'ps'))) === undefined, 'the PushSecret to go');

describe('the README\'s IAM policy for pushing, enforced', () => {
  it('lets a PushSecret create, update and delete a Secrets Manager secret', async () => {
    const ns = await namespaceAs('push-iam-sm', 'pusher', 'SecretsManager');
    const sm = new SecretsManagerClient({ ...admin, endpoint: moto.endpoint, credentials: { accessKeyId: keys.pusher!.id, secretAccessKey: keys.pusher!.secret } });
    try {
      await source(ns, 'iam-one');
      await pushSecret(ns, 'iam/push/sm');
      await ready(ns, 'True');
      await source(ns, 'iam-two');
      await eventually(async () => Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: 'iam/push/sm' }))).SecretBinary!).toString() === 'iam-two', 'the update');
      await h.kube.request('DELETE', pushSecrets.path(ns, 'ps'));
      await gone(ns);
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'iam/push/sm' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      sm.destroy();
    }
  });

  it('lets a PushSecret create, update and delete a parameter', async () => {
    const ns = await namespaceAs('push-iam-ssm', 'pusher', 'ParameterStore');
    const ssm = new SSMClient({ ...admin, endpoint: moto.endpoint, credentials: { accessKeyId: keys.pusher!.id, secretAccessKey: keys.pusher!.secret } });
    try {
      await source(ns, 'iam-p1');
      await pushSecret(ns, '/iam/push/param');
      await ready(ns, 'True');
      await source(ns, 'iam-p2');
      await eventually(async () => (await ssm.send(new GetParameterCommand({ Name: '/iam/push/param' }))).Parameter?.Value === 'iam-p2', 'the update');
      await h.kube.request('DELETE', pushSecrets.path(ns, 'ps'));
      await gone(ns);
      await expect(ssm.send(new GetParameterCommand({ Name: '/iam/push/param' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    } finally {
      ssm.destroy();
    }
  });

  it('denies an update to a user without PutSecretValue, naming the action and keeping the value', async () => {
    const ns = await namespaceAs('push-iam-denied', 'no-put', 'SecretsManager');
    await source(ns, 'iam-first');
    await pushSecret(ns, 'iam/push/denied');
    await ready(ns, 'True');
    await source(ns, 'iam-second');
    const c = await ready(ns, 'False');
    expect(c.message).toMatch(/^AWSAccessDenied: set secret failed: could not write remote ref v to target secretstore aws: PutSecretValue secret "iam\/push\/denied" was denied.*: grant secretsmanager:PutSecretValue on it/);
    expect(c.message).not.toContain('iam-second');
  });
});

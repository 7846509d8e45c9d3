import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { applyExternalSecret, readyAs } from './cases.ts';
import { decode, startHarness, type Harness } from './harness.ts';

/**
 * The README's IAM policy for the ECR generator, against moto with IAM enforcement on (as iam.test.ts, a moto of
 * its own: enforcement is global): `ecr:GetAuthorizationToken` is all ECRAuthorizationToken needs, and an identity
 * without it is denied with the action named.
 */
let moto: Moto;
let h: Harness;
const keys: Record<string, { id: string; secret: string }> = {};
let pullerRole = '';

const policy = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

beforeAll(async () => {
  moto = await startMoto();
  h = await startHarness({ motoEndpoint: moto.endpoint });
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint });
  for (const [user, action] of [['ecr-puller', 'ecr:GetAuthorizationToken'], ['sm-reader', 'secretsmanager:GetSecretValue'], ['assumer', 'sts:AssumeRole']] as const) {
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: policy(action) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    keys[user] = { id: key.AccessKeyId!, secret: key.SecretAccessKey! };
  }
  pullerRole = (await iam.send(new CreateRoleCommand({ RoleName: 'ecr-puller', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
  await iam.send(new PutRolePolicyCommand({ RoleName: 'ecr-puller', PolicyName: 'p', PolicyDocument: policy('ecr:GetAuthorizationToken') }));
  iam.destroy();
  // From here on every request must be signed by a principal whose policy allows it.
  const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await h?.close();
  await moto?.stop();
});

/** A namespace with `user`'s keys, an ECRAuthorizationToken signing with them (and `role`), and an ExternalSecret using it. */
async function ecrWithKeys(prefix: string, user: string, role?: string): Promise<string> {
  const ns = await h.namespace(prefix);
  await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-keys', namespace: ns }, stringData: { id: keys[user]!.id, secret: keys[user]!.secret } });
  await applyManifest(h.kube, {
    apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', metadata: { name: 'ecr', namespace: ns },
    spec: { region: 'us-east-1', ...(role ? { role } : {}), auth: { secretRef: { accessKeyIDSecretRef: { name: 'aws-keys', key: 'id' }, secretAccessKeySecretRef: { name: 'aws-keys', key: 'secret' } } } },
  });
  await applyExternalSecret(h, ns, 'es', { dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', name: 'ecr' } } }] });
  return ns;
}

describe('the ECR generator under IAM enforced by the AWS peer', () => {
  it('ecr:GetAuthorizationToken is enough: the user\'s keys get a token', async () => {
    const ns = await ecrWithKeys('iam-ecr-ok', 'ecr-puller');
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toMatchObject({ username: 'AWS', password: '123456789012-auth-token' });
  });

  it('a role allowed ecr:GetAuthorizationToken, assumed with keys allowed sts:AssumeRole, gets a token', async () => {
    const ns = await ecrWithKeys('iam-ecr-role', 'assumer', pullerRole);
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data).username).toBe('AWS');
  });

  it('keys without it are denied: AWSAccessDenied naming the action, no Secret', async () => {
    const ns = await ecrWithKeys('iam-ecr-denied', 'sm-reader');
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const message = es.status.conditions[0].message as string;
    expect(message).toContain('AWSAccessDenied');
    expect(message).toContain('ecr:GetAuthorizationToken');
    expect(message).toContain(`ECRAuthorizationToken ${ns}/ecr`);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });
});

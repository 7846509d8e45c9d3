import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { applyExternalSecret, readyAs } from './cases.ts';
import { decode, startHarness, type Harness } from './harness.ts';
import { applyKeysSecret, createIamRoles, createIamUsers, enforceIam, KEYS_SECRET_AUTH, type AccessKeys } from './moto-iam.ts';

/**
 * The README's IAM policy for the ECR generator, against moto with IAM enforcement on (as iam.test.ts, a moto of
 * its own: enforcement is global): `ecr:GetAuthorizationToken` is all ECRAuthorizationToken needs, and an identity
 * without it is denied with the action named.
 */
let moto: Moto;
let h: Harness;
const keys: Record<string, AccessKeys> = {};
let pullerRole = '';

beforeAll(async () => {
  moto = await startMoto();
  h = await startHarness({ motoEndpoint: moto.endpoint });
  Object.assign(keys, await createIamUsers(moto.endpoint, {
    'ecr-puller': 'ecr:GetAuthorizationToken', 'sm-reader': 'secretsmanager:GetSecretValue', assumer: 'sts:AssumeRole',
  }));
  pullerRole = (await createIamRoles(moto.endpoint, { 'ecr-puller': 'ecr:GetAuthorizationToken' }))['ecr-puller']!;
  await enforceIam(moto.endpoint);
});
afterAll(async () => {
  await h?.close();
  await moto?.stop();
});

/** A namespace with `user`'s keys, an ECRAuthorizationToken signing with them (and `role`), and an ExternalSecret using it. */
async function ecrWithKeys(prefix: string, user: string, role?: string): Promise<string> {
  const ns = await h.namespace(prefix);
  await applyKeysSecret(h, ns, keys[user]!);
  await applyManifest(h.kube, {
    apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', metadata: { name: 'ecr', namespace: ns },
    spec: { region: 'us-east-1', ...(role ? { role } : {}), auth: KEYS_SECRET_AUTH },
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

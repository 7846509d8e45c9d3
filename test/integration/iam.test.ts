import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { applyExternalSecret, createAwsSecrets, readyAs } from './cases.ts';
import { decode, eventually, startHarness, type Harness } from './harness.ts';
import { applyKeysSecret, createIamRoles, createIamUsers, enforceIam, KEYS_SECRET_AUTH, type AccessKeys } from './moto-iam.ts';
import { metricValue } from '../helpers/metric-value.ts';

/**
 * With moto's IAM enforcement on, AWS answers as it would for real: a principal
 * without a policy is denied. moto's enforcement is global, so this file has a moto
 * of its own.
 */
let moto: Moto;
let h: Harness;
const keys: Record<string, AccessKeys> = {};
const roles: Record<string, string> = {};
const KEY = 'iam/team/db';
const LEAST_PRIVILEGE_KEYS = ['iam/lp/a', 'iam/lp/b', 'iam/lp/c'];

beforeAll(async () => {
  moto = await startMoto();
  h = await startHarness({ motoEndpoint: moto.endpoint });
  Object.assign(keys, await createIamUsers(moto.endpoint, { 'reader-user': 'secretsmanager:GetSecretValue', assumer: 'sts:AssumeRole' }));
  Object.assign(roles, await createIamRoles(moto.endpoint, { reader: 'secretsmanager:GetSecretValue', hop: 'sts:AssumeRole', nopolicy: undefined }));
  await createAwsSecrets(h, [{ name: KEY, string: '{"password":"from-iam-test"}' }, ...LEAST_PRIVILEGE_KEYS.map((name, i) => ({ name, string: JSON.stringify({ password: `lp-${i}` }) }))]);
  await enforceIam(moto.endpoint);
});
afterAll(async () => {
  await h?.close();
  await moto?.stop();
});

/** A namespace whose SecretStore uses static keys of `user` (auth.secretRef), plus role settings. */
async function storeWithKeys(prefix: string, user: string, aws: Record<string, unknown> = {}): Promise<string> {
  const ns = await h.namespace(prefix);
  await keysStore(ns, user, aws);
  await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }] });
  return ns;
}

/** The Secret with `user`'s keys and the SecretStore `aws` using them. */
async function keysStore(ns: string, user: string, aws: Record<string, unknown>): Promise<void> {
  await applyKeysSecret(h, ns, keys[user]!);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: {
      service: 'SecretsManager', region: 'us-east-1', auth: KEYS_SECRET_AUTH,
      ...aws,
    } } },
  });
}

const synced = async (ns: string) => {
  await readyAs(h, ns, 'es', 'True', 'SecretSynced');
  expect(decode((await h.secret(ns, 'es')).data)).toEqual({ password: 'from-iam-test' });
};
const denied = async (ns: string) => {
  const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
  expect(await h.secret(ns, 'es')).toBeUndefined();
  return es.status.conditions[0].message as string;
};

describe('IAM enforced by the AWS peer', () => {
  it('static keys (auth.secretRef) of a user allowed to read get the value', async () => {
    await synced(await storeWithKeys('iam-static-ok', 'reader-user'));
  });

  it('static keys of a user without the permission are denied, with the action named', async () => {
    const message = await denied(await storeWithKeys('iam-static-denied', 'assumer'));
    expect(message).toContain('AWSAccessDenied');
    expect(message).toContain('GetSecretValue');
    expect(message).toContain(KEY);
  });

  it('a role with a policy, assumed on top of the keys, gets the value', async () => {
    const before = await metricValue(h.operator.metrics.stsCalls, { kind: 'AssumeRole', outcome: 'success' });
    await synced(await storeWithKeys('iam-role-ok', 'assumer', { role: roles.reader, externalID: 'ext-123', sessionTags: [{ key: 'team', value: 'a' }] }));
    expect(await metricValue(h.operator.metrics.stsCalls, { kind: 'AssumeRole', outcome: 'success' })).toBe(before + 1);
  });

  it('a role without a policy is denied, and the message names the role', async () => {
    const message = await denied(await storeWithKeys('iam-role-denied', 'assumer', { role: roles.nopolicy }));
    expect(message).toContain('AWSAccessDenied');
    expect(message).toContain(roles.nopolicy);
  });

  it('additionalRoles are assumed in order before role', async () => {
    const before = await metricValue(h.operator.metrics.stsCalls, { kind: 'AssumeRole', outcome: 'success' });
    await synced(await storeWithKeys('iam-chain', 'assumer', { additionalRoles: [roles.hop], role: roles.reader }));
    expect(await metricValue(h.operator.metrics.stsCalls, { kind: 'AssumeRole', outcome: 'success' })).toBe(before + 2);
  });

  it('temporary keys with a session token (sessionTokenSecretRef) are used as given', async () => {
    // Temporary credentials of the reader role, as another tool would hand them over in a Secret.
    const sts = new STSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: keys.assumer!.id, secretAccessKey: keys.assumer!.secret } });
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: roles.reader, RoleSessionName: 'handed-over' }))).Credentials!;
    sts.destroy();
    const ns = await h.namespace('iam-session');
    await applyManifest(h.kube, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-keys', namespace: ns },
      stringData: { id: creds.AccessKeyId!, secret: creds.SecretAccessKey!, token: creds.SessionToken! },
    });
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { secretRef: {
        accessKeyIDSecretRef: { name: 'aws-keys', key: 'id' },
        secretAccessKeySecretRef: { name: 'aws-keys', key: 'secret' },
        sessionTokenSecretRef: { name: 'aws-keys', key: 'token' },
      } } } } },
    });
    await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }] });
    await synced(ns);

    // The same keys without their session token are refused: the token really was sent.
    const bare = await h.namespace('iam-session-missing');
    await applyManifest(h.kube, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-keys', namespace: bare },
      stringData: { id: creds.AccessKeyId!, secret: creds.SecretAccessKey! },
    });
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: bare },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { secretRef: {
        accessKeyIDSecretRef: { name: 'aws-keys', key: 'id' }, secretAccessKeySecretRef: { name: 'aws-keys', key: 'secret' },
      } } } } },
    });
    await applyExternalSecret(h, bare, 'es', { data: [{ secretKey: 'password', remoteRef: { key: KEY, property: 'password' } }] });
    expect(await denied(bare)).toContain('AWSAccessDenied');
  });

  it('a value read under one identity is never served to another', async () => {
    // Same AWS secret, same moment: the namespace whose role may read it gets it, the other is denied.
    const allowed = await storeWithKeys('iam-iso-a', 'assumer', { role: roles.reader });
    const refused = await storeWithKeys('iam-iso-b', 'assumer', { role: roles.nopolicy });
    await synced(allowed);
    expect(await denied(refused)).toContain('AWSAccessDenied');
  });

  it('not even from the cache: a refused identity retrying after another cached the value is still refused', async () => {
    const refused = await storeWithKeys('iam-cache-b', 'assumer', { role: roles.nopolicy });
    expect(await denied(refused)).toContain('AWSAccessDenied');
    const allowed = await storeWithKeys('iam-cache-a', 'assumer', { role: roles.reader });
    await synced(allowed);
    // The refused ExternalSecret retries with the same spec, seen before that value was read: a cache
    // shared across identities would answer it now.
    const labels = { name: 'es', namespace: refused, reason: 'AWSAccessDenied' };
    const failures = await metricValue(h.operator.metrics.syncErrorsByReason, labels);
    await eventually(async () => (await metricValue(h.operator.metrics.syncErrorsByReason, labels)) > failures ? true : undefined, 'the refused ExternalSecret to retry', 30_000);
    expect(await denied(refused)).toContain('AWSAccessDenied');
  });

  it('a least-privilege role (GetSecretValue only) still syncs many ExternalSecrets: refused BatchGetSecretValue, it reads one by one', async () => {
    const fallbacks = await metricValue(h.operator.metrics.fallbacks, { operation: 'BatchGetSecretValue' });
    const ns = await h.namespace('iam-least-privilege');
    // The ExternalSecrets first, then the store: they all ask at once, so their reads would share a batch.
    for (const [i, name] of LEAST_PRIVILEGE_KEYS.entries()) await applyExternalSecret(h, ns, `es-${i}`, { data: [{ secretKey: 'password', remoteRef: { key: name, property: 'password' } }] });
    await keysStore(ns, 'assumer', { role: roles.reader });
    for (const i of LEAST_PRIVILEGE_KEYS.keys()) {
      await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, `es-${i}`)).data)).toEqual({ password: `lp-${i}` });
    }
    expect(await metricValue(h.operator.metrics.fallbacks, { operation: 'BatchGetSecretValue' })).toBe(fallbacks + 1);
  });
});

import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { applyExternalSecret, readyAs } from './cases.ts';
import { decode, readyCondition, startHarness, type Harness } from './harness.ts';
import { applyKeysSecret, createIamUsers, enforceIam, KEYS_SECRET_AUTH, type AccessKeys } from './moto-iam.ts';

/**
 * Parameter Store with moto's IAM enforcement on: a principal is allowed exactly the SSM actions
 * its policy names, as in AWS. moto's enforcement is global, so this file has a moto of its own.
 */
let moto: Moto;
let h: Harness;
const keys: Record<string, AccessKeys> = {};
const PARAMS = ['/iam/app/a', '/iam/app/b', '/iam/app/c'];

const USERS: Record<string, string[]> = {
  // What ESO's documented policy grants ("ssm:GetParameter*" less the batch and path reads).
  'get-one': ['ssm:GetParameter'],
  // A find by name without ssm:GetParametersByPath: ESO's fallback lists, then reads.
  'no-by-path': ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:DescribeParameters'],
  nothing: ['sts:GetCallerIdentity'],
};

beforeAll(async () => {
  moto = await startMoto();
  h = await startHarness({ motoEndpoint: moto.endpoint });
  Object.assign(keys, await createIamUsers(moto.endpoint, USERS));
  const ssm = new SSMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  for (const [i, name] of PARAMS.entries()) await ssm.send(new PutParameterCommand({ Name: name, Value: `value-${i}`, Type: 'SecureString' }));
  ssm.destroy();
  await enforceIam(moto.endpoint);
});
afterAll(async () => {
  await h?.close();
  await moto?.stop();
});

/** A namespace whose Parameter Store SecretStore `aws` signs with `user`'s keys. */
async function storeOf(prefix: string, user: string): Promise<string> {
  const ns = await h.namespace(prefix);
  await keysStoreIn(ns, user);
  return ns;
}

/** The Secret with `user`'s keys and the Parameter Store SecretStore `aws` using them. */
async function keysStoreIn(ns: string, user: string): Promise<void> {
  await applyKeysSecret(h, ns, keys[user]!);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'ParameterStore', region: 'us-east-1', auth: KEYS_SECRET_AUTH } } },
  });
}

describe('Parameter Store under IAM enforced by the AWS peer', () => {
  it('a principal without ssm:GetParameter is denied, the message naming the action and the parameter', async () => {
    const ns = await storeOf('ps-iam-denied', 'nothing');
    await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key: PARAMS[0] } }] });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const message = readyCondition(es).message as string;
    expect(message).toContain('AWSAccessDenied');
    expect(message).toContain('ssm:GetParameter');
    expect(message).toContain(PARAMS[0]);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('ssm:GetParameter alone still syncs ExternalSecrets reading together: refused GetParameters, it reads one by one', async () => {
    const fallbacks = await metricValue(h.operator.metrics.fallbacks, { operation: 'GetParameters' });
    const ns = await h.namespace('ps-iam-one');
    // The ExternalSecrets first, then the store: their reads would share a GetParameters.
    for (const [i, name] of PARAMS.entries()) await applyExternalSecret(h, ns, `es-${i}`, { data: [{ secretKey: 'v', remoteRef: { key: name } }] });
    await keysStoreIn(ns, 'get-one');
    for (const i of PARAMS.keys()) {
      await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, `es-${i}`)).data)).toEqual({ v: `value-${i}` });
    }
    expect(await metricValue(h.operator.metrics.fallbacks, { operation: 'GetParameters' })).toBe(fallbacks + 1);
    expect(await metricValue(h.operator.metrics.awsCalls, { service: 'ssm', operation: 'GetParameters', outcome: 'error' })).toBeGreaterThanOrEqual(1);
  });

  it('a find by name without ssm:GetParametersByPath falls back, as ESO, to DescribeParameters and reads', async () => {
    const ns = await storeOf('ps-iam-find', 'no-by-path');
    await applyExternalSecret(h, ns, 'es', { dataFrom: [{ find: { path: '/iam/app', name: { regexp: '[ab]$' } } }] });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toEqual({ _iam_app_a: 'value-0', _iam_app_b: 'value-1' });
    expect(await metricValue(h.operator.metrics.awsCalls, { service: 'ssm', operation: 'GetParametersByPath', outcome: 'error' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(h.operator.metrics.awsCalls, { service: 'ssm', operation: 'DescribeParameters', outcome: 'success' })).toBeGreaterThanOrEqual(1);
  });
});

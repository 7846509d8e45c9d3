import { readFileSync } from 'node:fs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { AwsProviders } from '../../src/aws/store-providers.ts';
import { OperatorError } from '../../src/errors.ts';
import type { GeneratorService } from '../../src/generators/aws-generator-call.ts';
import { AwsGeneratorClients } from '../../src/generators/aws-generator-clients.ts';
import { ecrAuthorizationToken } from '../../src/generators/ecr-authorization-token.ts';
import type { GeneratedData, GeneratorUse } from '../../src/generators/generator.ts';
import { stsSessionToken } from '../../src/generators/sts-session-token.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { createLogger } from '../../src/log.ts';
import { jwtClaims, type AwsProxy } from './aws-proxy.ts';
import { applyExternalSecret, expectSecret, readyAs } from './cases.ts';
import { decode, eventually, readyCondition, startHarnessBehindProxy, type Harness } from './harness.ts';

/**
 * The AWS generators called directly, against moto through the recording proxy, with their
 * credential references read from the real apiserver under the operator's own RBAC (the chart's
 * ClusterRole). moto's ECR token is `AWS:<account>-auth-token` for the account of the credentials
 * that signed the call (a role assumed in another account gives that account's token), which shows
 * whose credentials were used.
 */
let h: Harness;
let proxy: AwsProxy;
let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
let operatorKube: KubeClient;
let providers: AwsProviders;
let clients: AwsGeneratorClients;
const calls: Array<[GeneratorService, string, boolean]> = [];

beforeAll(async () => {
  ({ h, proxy } = peers = await startHarnessBehindProxy());
  operatorKube = KubeClient.fromFile(inject('operatorKubeconfig'));
  providers = new AwsProviders(operatorKube, systemClock, { log: createLogger({ level: 'silent' }) });
  clients = new AwsGeneratorClients(providers, (service, action, ok) => calls.push([service, action, ok]));
});
afterAll(async () => {
  clients?.destroy();
  providers?.destroy();
  await operatorKube?.close();
  await peers?.close();
});
beforeEach(() => proxy.clearFaults());

const ecr = (spec: Parameters<ReturnType<typeof ecrAuthorizationToken>>[0], use: GeneratorUse) => ecrAuthorizationToken(clients)(spec, use);
const sts = (spec: Parameters<ReturnType<typeof stsSessionToken>>[0], use: GeneratorUse) => stsSessionToken(clients)(spec, use);
const text = (data: GeneratedData): Record<string, string> => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
const used = (ns: string, name = 'gen', kind = 'ECRAuthorizationToken'): GeneratorUse => ({ kind, name, namespace: ns, consumerNamespace: ns });
/** moto's answer for an account: its token (expiry fixed at 2015-01-01) and its registry in the region. */
const motoToken = (account: string, region: string) => ({
  username: 'AWS', password: `${account}-auth-token`, proxy_endpoint: `https://${account}.dkr.ecr.${region}.amazonaws.com`, expires_at: String(Date.UTC(2015, 0, 1) / 1000),
});

async function rejected(promise: Promise<unknown>): Promise<OperatorError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OperatorError);
  return err as OperatorError;
}

/** Temporary keys of a role in `account`, made by moto: keys moto attributes to that account. */
async function keysOfAccount(account: string): Promise<{ AccessKeyId: string; SecretAccessKey: string; SessionToken: string }> {
  const client = new STSClient({ region: 'us-east-1', endpoint: inject('motoEndpoint') });
  try {
    const out = await client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/keys`, RoleSessionName: 'test' }));
    return out.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  } finally {
    client.destroy();
  }
}

async function keysSecret(ns: string, name: string, account: string): Promise<void> {
  const keys = await keysOfAccount(account);
  await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { id: keys.AccessKeyId, secret: keys.SecretAccessKey, token: keys.SessionToken } });
}

const keyRefs = (name: string) => ({
  accessKeyIDSecretRef: { name, key: 'id' }, secretAccessKeySecretRef: { name, key: 'secret' }, sessionTokenSecretRef: { name, key: 'token' },
});

describe('ECRAuthorizationToken', () => {
  it('without auth: the operator\'s own credentials, in the generator\'s region, ESO\'s four keys', async () => {
    const ns = await h.namespace('gen-ecr-default');
    const before = proxy.count('GetAuthorizationToken');
    expect(text(await ecr({ region: 'eu-west-1' }, used(ns)))).toEqual(motoToken('123456789012', 'eu-west-1'));
    const call = proxy.calls.filter((c) => c.action === 'GetAuthorizationToken').at(-1)!;
    expect(proxy.count('GetAuthorizationToken')).toBe(before + 1);
    expect(call.region).toBe('eu-west-1');
    expect(calls.at(-1)).toEqual(['ecr', 'GetAuthorizationToken', true]);
  });

  it('auth.secretRef: the keys (and session token) of the Secret in the generator\'s namespace', async () => {
    const ns = await h.namespace('gen-ecr-keys');
    await keysSecret(ns, 'creds', '444455556666');
    expect(text(await ecr({ region: 'us-east-1', auth: { secretRef: keyRefs('creds') } }, used(ns)))).toEqual(motoToken('444455556666', 'us-east-1'));
  });

  it('role: assumed from the base identity, and the token is that account\'s', async () => {
    const ns = await h.namespace('gen-ecr-role');
    const role = `arn:aws:iam::111122223333:role/ecr-${ns}`;
    expect(text(await ecr({ region: 'us-east-1', role }, used(ns)))).toEqual(motoToken('111122223333', 'us-east-1'));
    expect(proxy.count('AssumeRole', (p) => p.RoleArn === role)).toBe(1);
  });

  it('auth.jwt: a token of the ServiceAccount for its annotated role (IRSA), exchanged once for many uses; each use a new GetAuthorizationToken', async () => {
    const ns = await h.namespace('gen-ecr-jwt');
    const role = `arn:aws:iam::222233334444:role/irsa-${ns}`;
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller', namespace: ns, annotations: { 'eks.amazonaws.com/role-arn': role } } });
    const spec = { region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'puller', audiences: ['extra'] } } } };
    const before = proxy.count('GetAuthorizationToken');
    const results = await Promise.all([1, 2, 3].map(() => ecr(spec, used(ns))));
    for (const result of results) expect(text(result)).toEqual(motoToken('222233334444', 'us-east-1'));
    expect(proxy.count('GetAuthorizationToken') - before).toBe(3);
    const exchanges = proxy.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity' && c.params.RoleArn === role);
    expect(exchanges).toHaveLength(1);
    expect(jwtClaims(exchanges[0]!.params.WebIdentityToken)).toMatchObject({ sub: `system:serviceaccount:${ns}:puller`, aud: ['sts.amazonaws.com', 'extra'] });
  });

  it('STS refusing the ServiceAccount\'s token is AWSAuthenticationFailed from the credentials, not an ECR error; the next use tries again', async () => {
    const ns = await h.namespace('gen-ecr-jwt-refused');
    const role = `arn:aws:iam::222233334444:role/refused-${ns}`;
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller', namespace: ns, annotations: { 'eks.amazonaws.com/role-arn': role } } });
    const spec = { region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'puller' } } } };
    proxy.inject({ action: 'AssumeRoleWithWebIdentity', when: (p) => p.RoleArn === role, code: 'InvalidIdentityToken', message: 'Incorrect token audience', times: 1 });
    const err = await rejected(ecr(spec, used(ns)));
    expect(err.code).toBe('AWSAuthenticationFailed');
    expect(err.message).toContain(role);
    expect(text(await ecr(spec, used(ns))).password).toBe('222233334444-auth-token');
    expect(proxy.count('AssumeRoleWithWebIdentity', (p) => p.RoleArn === role)).toBe(2);
  });

  it('ESO\'s own example sets secretRef and jwt: secretRef is used, as ESO does', async () => {
    const ns = await h.namespace('gen-ecr-both');
    await keysSecret(ns, 'creds', '555566667777');
    const out = await ecr({ region: 'us-east-1', auth: { secretRef: keyRefs('creds'), jwt: { serviceAccountRef: { name: 'absent' } } } }, used(ns));
    expect(text(out).password).toBe('555566667777-auth-token');
  });

  it('a ClusterGenerator\'s references resolve in the consumer\'s namespace', async () => {
    const [app, other] = [await h.namespace('gen-ecr-cluster-app'), await h.namespace('gen-ecr-cluster-other')];
    await keysSecret(app, 'creds', '666677778888');
    await keysSecret(other, 'creds', '777788889999');
    const spec = { region: 'us-east-1', auth: { secretRef: keyRefs('creds') } };
    expect(text(await ecr(spec, { kind: 'ClusterGenerator', name: 'ecr', consumerNamespace: app })).password).toBe('666677778888-auth-token');
    expect(text(await ecr(spec, { kind: 'ClusterGenerator', name: 'ecr', consumerNamespace: other })).password).toBe('777788889999-auth-token');
  });

  it('never reads another namespace: a reference naming one is refused before any read or call', async () => {
    const [ns, other] = [await h.namespace('gen-ecr-iso'), await h.namespace('gen-ecr-iso-other')];
    await keysSecret(other, 'creds', '888899990000');
    const refs = keyRefs('creds');
    const before = proxy.calls.length;
    const err = await rejected(ecr({ region: 'us-east-1', auth: { secretRef: { ...refs, accessKeyIDSecretRef: { ...refs.accessKeyIDSecretRef, namespace: other } } } }, used(ns)));
    expect(err.code).toBe('InvalidProviderConfig');
    expect(err.message).toContain(`auth.secretRef.accessKeyIDSecretRef.namespace "${other}" is not allowed`);
    expect(proxy.calls.length).toBe(before);
  });

  it('a missing Secret is CredentialsSecretInvalid (retried), with no AWS call', async () => {
    const ns = await h.namespace('gen-ecr-nosecret');
    const before = proxy.calls.length;
    const err = await rejected(ecr({ region: 'us-east-1', auth: { secretRef: keyRefs('absent') } }, used(ns)));
    expect([err.code, err.message]).toEqual(['CredentialsSecretInvalid', `Secret ${ns}/absent (auth.secretRef.accessKeyIDSecretRef) not found`]);
    expect(proxy.calls.length).toBe(before);
  });

  it('scope public (ECR Public) is UnsupportedField, with no AWS call', async () => {
    const ns = await h.namespace('gen-ecr-public');
    const before = proxy.calls.length;
    const err = await rejected(ecr({ region: 'us-east-1', scope: 'public' }, used(ns)));
    expect(err.code).toBe('UnsupportedField');
    expect(proxy.calls.length).toBe(before);
  });

  it('scope private, or any other value, asks the private registry, as ESO does', async () => {
    const ns = await h.namespace('gen-ecr-private');
    for (const scope of ['private', 'Public']) expect(text(await ecr({ region: 'us-east-1', scope }, used(ns)))).toEqual(motoToken('123456789012', 'us-east-1'));
  });

  it('AWS denying the call is AWSAccessDenied, naming the action, never quoting AWS', async () => {
    const ns = await h.namespace('gen-ecr-denied');
    proxy.inject({ action: 'GetAuthorizationToken', code: 'AccessDeniedException', message: 'User: arn:aws:sts::1:assumed-role/x is not authorized (aws-body-marker)', times: 3 });
    const err = await rejected(ecr({ region: 'us-east-1' }, used(ns, 'denied')));
    expect(err.code).toBe('AWSAccessDenied');
    expect(err.message).toBe(`ECRAuthorizationToken ${ns}/denied: ecr:GetAuthorizationToken was denied (AccessDeniedException, HTTP 400): allow ecr:GetAuthorizationToken in that identity's IAM policy`);
    expect(calls.at(-1)).toEqual(['ecr', 'GetAuthorizationToken', false]);
  });
});

describe('STSSessionToken', () => {
  it('auth.secretRef and requestParameters: GetSessionToken with them, ESO\'s four keys, expiration in Unix seconds', async () => {
    const ns = await h.namespace('gen-sts-keys');
    await keysSecret(ns, 'creds', '123456789012');
    const before = Math.floor(Date.now() / 1000);
    const out = text(await sts({
      region: 'eu-central-1', auth: { secretRef: keyRefs('creds') },
      requestParameters: { sessionDuration: 900, serialNumber: 'arn:aws:iam::123456789012:mfa/user', tokenCode: '123456' },
    }, used(ns, 'sts', 'STSSessionToken')));
    const after = Math.ceil(Date.now() / 1000);
    const call = proxy.calls.filter((c) => c.action === 'GetSessionToken').at(-1)!;
    expect(call.params).toMatchObject({ DurationSeconds: '900', SerialNumber: 'arn:aws:iam::123456789012:mfa/user', TokenCode: '123456' });
    expect(call.region).toBe('eu-central-1');
    expect(Object.keys(out).sort()).toEqual(['access_key_id', 'expiration', 'secret_access_key', 'session_token']);
    // moto's fixed example credentials.
    expect(out.access_key_id).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(out.secret_access_key).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY');
    expect(out.session_token).toMatch(/^AQoEXAMPLE/);
    expect(out.expiration).toMatch(/^\d+$/);
    expect(Number(out.expiration)).toBeGreaterThanOrEqual(before + 900);
    expect(Number(out.expiration)).toBeLessThanOrEqual(after + 900);
    expect(calls.at(-1)).toEqual(['sts', 'GetSessionToken', true]);
  });

  it('without requestParameters: AWS\'s defaults (no DurationSeconds sent)', async () => {
    const ns = await h.namespace('gen-sts-default');
    await sts({ region: 'us-east-1' }, used(ns, 'sts', 'STSSessionToken'));
    const call = proxy.calls.filter((c) => c.action === 'GetSessionToken').at(-1)!;
    expect(call.params.DurationSeconds).toBeUndefined();
  });

  it('role: assumed first, as ESO does', async () => {
    const ns = await h.namespace('gen-sts-role');
    const role = `arn:aws:iam::123456789012:role/sts-${ns}`;
    await sts({ region: 'us-east-1', role }, used(ns, 'sts', 'STSSessionToken'));
    const assumed = proxy.calls.findIndex((c) => c.action === 'AssumeRole' && c.params.RoleArn === role);
    expect(assumed).toBeGreaterThanOrEqual(0);
    expect(proxy.calls.slice(assumed).some((c) => c.action === 'GetSessionToken')).toBe(true);
  });

  it('auth.jwt is refused (InvalidProviderConfig, not retried), as ESO refuses it, with no call', async () => {
    const ns = await h.namespace('gen-sts-jwt');
    const before = proxy.calls.length;
    const err = await rejected(sts({ region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'sa' } } } }, used(ns, 'sts', 'STSSessionToken')));
    expect([err.code, err.retryable]).toEqual(['InvalidProviderConfig', false]);
    expect(proxy.calls.length).toBe(before);
  });

  it('an MFA code STS refuses is AWSAccessDenied, with a hint about the MFA settings', async () => {
    const ns = await h.namespace('gen-sts-mfa');
    proxy.inject({ action: 'GetSessionToken', code: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.', status: 403, times: 3 });
    const err = await rejected(sts({ region: 'us-east-1', requestParameters: { serialNumber: 'GAHT12345678', tokenCode: '000000' } }, used(ns, 'sts', 'STSSessionToken')));
    expect(err.code).toBe('AWSAccessDenied');
    expect(err.message).toContain('check the MFA device serialNumber and tokenCode');
    expect(err.message).not.toContain('one time pass code');
  });
});

describe('through ExternalSecrets: the operator runs the generators at each refresh', () => {
  const esoDoc = (file: string) => parseManifests(readFileSync(new URL(`../data/eso-docs/${file}`, import.meta.url), 'utf8'))[0];
  /** What ESO's dockerconfigjson template renders for moto's token of `account` in eu-west-1. */
  const dockerConfig = (account: string) => {
    const password = `${account}-auth-token`;
    return `{\n  "auths": {\n    "${account}.dkr.ecr.eu-west-1.amazonaws.com": {\n      "username": "AWS",\n      "password": "${password}",\n      "auth": "${Buffer.from(`AWS:${password}`).toString('base64')}"\n    }\n  }\n}\n`;
  };
  async function credsSecret(ns: string, account: string): Promise<void> {
    const keys = await keysOfAccount(account);
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'my-aws-creds', namespace: ns }, stringData: { 'key-id': keys.AccessKeyId, 'access-secret': keys.SecretAccessKey } });
  }

  it('ESO\'s documentation: ECRAuthorizationToken "ecr-gen" and the ExternalSecret "ecr-secret", applied unchanged, make the dockerconfigjson Secret ESO\'s docs show; each refresh a new token', async () => {
    const ns = await h.namespace('gen-eso-docs-ecr');
    // The docs' prerequisite: the Secret its secretRef names. Its keys are moto's for an account of their own, so
    // the token shows they were used; the docs' role "my-role" is assumed with them (moto accepts the bare name).
    await credsSecret(ns, '999900001111');
    const generator = esoDoc('generator-ecr.yaml');
    const externalSecret = esoDoc('generator-ecr-example.yaml');
    // Applied as `kubectl apply -n <ns>` applies them: the manifests name no namespace.
    await applyManifest(h.kube, { ...generator, metadata: { ...generator.metadata, namespace: ns } });
    await applyManifest(h.kube, { ...externalSecret, metadata: { ...externalSecret.metadata, namespace: ns } });
    const es = await readyAs(h, ns, 'ecr-secret', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'ecr-secret'), es, {
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': dockerConfig('999900001111') },
      annotations: { expiresAt: String(Date.UTC(2015, 0, 1) / 1000) },
    });
    expect(proxy.calls.some((c) => c.action === 'AssumeRole' && c.params.RoleArn === 'my-role')).toBe(true);

    // A refresh (forced, as ESO's docs suggest, by an annotation) runs the generator again: new keys in the Secret,
    // a new token of their account.
    await credsSecret(ns, '999900002222');
    const calls = proxy.count('GetAuthorizationToken');
    await h.kube.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/ecr-secret`, {
      body: { metadata: { annotations: { 'force-sync': '1' } } }, contentType: 'application/merge-patch+json',
    });
    await eventually(async () => {
      const secret = await h.secret(ns, 'ecr-secret');
      return Buffer.from(secret?.data?.['.dockerconfigjson'] ?? '', 'base64').toString() === dockerConfig('999900002222');
    }, 'the Secret holds the new token');
    expect(proxy.count('GetAuthorizationToken')).toBeGreaterThan(calls);
  });

  it('STSSessionToken through an ExternalSecret: the four keys in the Secret', async () => {
    const ns = await h.namespace('gen-es-sts');
    await credsSecret(ns, '123456789012');
    await applyManifest(h.kube, {
      apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'STSSessionToken', metadata: { name: 'sts-gen', namespace: ns },
      spec: { region: 'eu-west-1', auth: { secretRef: { accessKeyIDSecretRef: { name: 'my-aws-creds', key: 'key-id' }, secretAccessKeySecretRef: { name: 'my-aws-creds', key: 'access-secret' } } }, requestParameters: { sessionDuration: 3600 } },
    });
    const before = Math.floor(Date.now() / 1000);
    await applyExternalSecret(h, ns, 'sts', {
      refreshInterval: '1h', target: { name: 'sts' },
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'STSSessionToken', name: 'sts-gen' } } }],
    });
    const es = await readyAs(h, ns, 'sts', 'True', 'SecretSynced');
    const data = decode((await h.secret(ns, 'sts')).data);
    expect(Object.keys(data).sort()).toEqual(['access_key_id', 'expiration', 'secret_access_key', 'session_token']);
    expect(Number(data.expiration)).toBeGreaterThanOrEqual(before + 3600);
    expectSecret(await h.secret(ns, 'sts'), es, { data });
    expect(proxy.calls.filter((c) => c.action === 'GetSessionToken').at(-1)?.params.DurationSeconds).toBe('3600');
  });

  it('a ClusterGenerator of kind ECRAuthorizationToken: each namespace using it signs with its own Secret', async () => {
    const [a, b] = [await h.namespace('gen-es-cluster-a'), await h.namespace('gen-es-cluster-b')];
    await credsSecret(a, '313131313131');
    await credsSecret(b, '424242424242');
    const name = `ecr-${a}`;
    await applyManifest(h.kube, {
      apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ClusterGenerator', metadata: { name },
      spec: { kind: 'ECRAuthorizationToken', generator: { ecrAuthorizationTokenSpec: { region: 'eu-west-1', auth: { secretRef: { accessKeyIDSecretRef: { name: 'my-aws-creds', key: 'key-id' }, secretAccessKeySecretRef: { name: 'my-aws-creds', key: 'access-secret' } } } } } },
    });
    for (const ns of [a, b]) {
      await applyExternalSecret(h, ns, 'pull', {
        target: { name: 'pull' },
        dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ClusterGenerator', name } } }],
      });
    }
    for (const [ns, account] of [[a, '313131313131'], [b, '424242424242']] as const) {
      await readyAs(h, ns, 'pull', 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, 'pull')).data)).toEqual(motoToken(account, 'eu-west-1'));
    }
  });

  it('a generator the operator cannot use makes the ExternalSecret Ready=False with its reason', async () => {
    const ns = await h.namespace('gen-es-public');
    await applyManifest(h.kube, { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', metadata: { name: 'public', namespace: ns }, spec: { region: 'us-east-1', scope: 'public' } });
    await applyExternalSecret(h, ns, 'es', {
      target: { name: 'out' },
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', name: 'public' } } }],
    });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toContain('UnsupportedField');
    expect(await h.secret(ns, 'out')).toBeUndefined();
  });

  it('the operator logged none of the generated values (run last: after the syncs above)', () => {
    expect(h.logLines.length).toBeGreaterThan(0);
    const logged = h.logLines.join('\n');
    const auths = ['999900001111', '999900002222'].map((account) => Buffer.from(`AWS:${account}-auth-token`).toString('base64'));
    for (const value of ['-auth-token', ...auths, 'wJalrXUtnFEMI', 'AQoEXAMPLE']) expect(logged).not.toContain(value);
  });
});

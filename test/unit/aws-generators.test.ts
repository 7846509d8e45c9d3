import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CRD_DIR, loadCrds, type Crd } from '../../scripts/generate-types.ts';
import { validate, type JsonSchema } from '../helpers/schema-check.ts';
import { OperatorError } from '../../src/errors.ts';
import { generatorAwsError } from '../../src/generators/aws-generator-call.ts';
import { generatorIdentity } from '../../src/generators/aws-generator-identity.ts';
import { ecrTokenData } from '../../src/generators/ecr-authorization-token.ts';
import { stsTokenData } from '../../src/generators/sts-session-token.ts';
import type { GeneratorUse } from '../../src/generators/generator.ts';

const text = (data: Record<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('latin1')]));
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const GEN = 'ECRAuthorizationToken team/ecr';

function thrown(fn: () => unknown): OperatorError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OperatorError);
    return err as OperatorError;
  }
  throw new Error('expected an OperatorError');
}

describe('ecrTokenData: ESO\'s keys from ECR\'s answer', () => {
  const answer = (token: string) => [{ authorizationToken: token, proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com', expiresAt: new Date('2026-12-03T13:00:00.999Z') }];

  it('splits the base64 token at its ":" into username and password; the endpoint as is; expires_at in whole Unix seconds', () => {
    expect(text(ecrTokenData(answer(b64('AWS:eyJwYXlsb2FkIjoi+/=')), GEN))).toEqual({
      username: 'AWS',
      password: 'eyJwYXlsb2FkIjoi+/=',
      proxy_endpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      expires_at: String(Date.parse('2026-12-03T13:00:00Z') / 1000),
    });
  });

  it('keeps the bytes of the token as they are (Go strings are bytes)', () => {
    const raw = Buffer.concat([Buffer.from('us\xe9r', 'latin1'), Buffer.from(':'), Buffer.from([0xff, 0x00, 0x80])]);
    const data = ecrTokenData(answer(b64(raw)), GEN);
    expect([...data.username!]).toEqual([0x75, 0x73, 0xe9, 0x72]);
    expect([...data.password!]).toEqual([0xff, 0x00, 0x80]);
  });

  it('rounds times before 1970 down, as Go\'s Time.Unix', () => {
    const data = ecrTokenData([{ ...answer(b64('AWS:p'))[0]!, expiresAt: new Date(-1500) }], GEN);
    expect(text(data).expires_at).toBe('-2');
  });

  it.each([
    ['no authorization', [], /returned 0 authorization tokens; expected 1/],
    ['two authorizations', [...answer(b64('AWS:p')), ...answer(b64('AWS:q'))], /returned 2 authorization tokens/],
    ['a token without a colon', answer(b64('AWSs3kr1t')), /not <username>:<password>/],
    ['a token with two colons', answer(b64('AWS:s3k:r1t')), /not <username>:<password>/],
    ['a token that Go\'s strict base64 refuses (no padding)', answer(b64('AWS:s3k').replace(/=+$/, '')), /not base64/],
    ['a token with a space', answer(` ${b64('AWS:s3k')}`), /not base64/],
    ['no endpoint', [{ authorizationToken: b64('AWS:p'), expiresAt: new Date() }], /lacks the token, its endpoint or its expiry/],
  ])('refuses %s with AWSRequestFailed, never quoting the token', (_name, authorizations, message) => {
    const err = thrown(() => ecrTokenData(authorizations as never, GEN));
    expect(err.code).toBe('AWSRequestFailed');
    expect(err.message).toMatch(message);
    expect(err.message).toContain(GEN);
    expect(err.message).not.toMatch(/s3k|r1t|QVdT/);
  });

  it('accepts what Go accepts: newlines anywhere in the base64', () => {
    const token = b64('AWS:secret-password-123');
    expect(text(ecrTokenData(answer(`${token.slice(0, 8)}\r\n${token.slice(8)}`), GEN)).password).toBe('secret-password-123');
  });
});

describe('stsTokenData: ESO\'s keys from STS\'s credentials', () => {
  it('gives access_key_id, secret_access_key, session_token and expiration in Unix seconds', () => {
    expect(text(stsTokenData({ AccessKeyId: 'ASIA1', SecretAccessKey: 'sk', SessionToken: 'tok', Expiration: new Date(1234_567) }, 'STSSessionToken ns/sts'))).toEqual({
      access_key_id: 'ASIA1', secret_access_key: 'sk', session_token: 'tok', expiration: '1234',
    });
  });

  it('refuses incomplete credentials without quoting them', () => {
    const err = thrown(() => stsTokenData({ AccessKeyId: 'ASIA1', SecretAccessKey: 'hidden-sk', Expiration: new Date() } as never, 'STSSessionToken ns/sts'));
    expect(err.code).toBe('AWSRequestFailed');
    expect(err.message).not.toContain('hidden-sk');
  });
});

describe('generatorIdentity: a generator\'s auth as a namespaced store\'s identity', () => {
  const use: GeneratorUse = { kind: 'ECRAuthorizationToken', name: 'ecr', namespace: 'team', consumerNamespace: 'team' };
  const clusterUse: GeneratorUse = { kind: 'ClusterGenerator', name: 'ecr', consumerNamespace: 'app' };
  const keys = { accessKeyIDSecretRef: { name: 'creds', key: 'id' }, secretAccessKeySecretRef: { name: 'creds', key: 'secret' } };

  it('resolves in the generator\'s namespace, with its region and role', () => {
    expect(generatorIdentity({ region: 'eu-west-1', role: 'arn:aws:iam::1:role/r', auth: { secretRef: keys } }, use)).toEqual({
      namespace: 'team',
      identity: { kind: 'SecretStore', name: 'ECRAuthorizationToken/ecr', namespace: 'team', aws: { service: 'SecretsManager', region: 'eu-west-1', role: 'arn:aws:iam::1:role/r', auth: { secretRef: keys } } },
    });
  });

  it('a ClusterGenerator\'s references resolve in the consumer\'s namespace, as ESO\'s', () => {
    const { namespace, identity } = generatorIdentity({ region: 'eu-west-1', auth: { jwt: { serviceAccountRef: { name: 'sa' } } } }, clusterUse);
    expect(namespace).toBe('app');
    expect(identity).toMatchObject({ kind: 'SecretStore', namespace: 'app', aws: { auth: { jwt: { serviceAccountRef: { name: 'sa' } } } } });
  });

  it('no auth: the operator\'s own credentials (no auth block)', () => {
    expect(generatorIdentity({ region: 'eu-west-1' }, use).identity.aws).toEqual({ service: 'SecretsManager', region: 'eu-west-1' });
  });

  it('with both secretRef and jwt (as ESO\'s own example), uses secretRef, as ESO does', () => {
    const { identity } = generatorIdentity({ region: 'eu-west-1', auth: { secretRef: keys, jwt: { serviceAccountRef: { name: 'sa' } } } }, use);
    expect(identity.aws.auth).toEqual({ secretRef: keys });
  });

  it('accepts a reference naming its own namespace', () => {
    const own = { ...keys, accessKeyIDSecretRef: { ...keys.accessKeyIDSecretRef, namespace: 'team' } };
    expect(generatorIdentity({ region: 'eu-west-1', auth: { secretRef: own } }, use).identity.aws.auth).toEqual({ secretRef: own });
  });

  it.each([
    ['a Secret in another namespace', { secretRef: { ...keys, secretAccessKeySecretRef: { ...keys.secretAccessKeySecretRef, namespace: 'kube-system' } } },
      'ECRAuthorizationToken team/ecr: auth.secretRef.secretAccessKeySecretRef.namespace "kube-system" is not allowed; a generator\'s references resolve in the namespace "team" only'],
    ['a ServiceAccount in another namespace', { jwt: { serviceAccountRef: { name: 'sa', namespace: 'kube-system' } } },
      'ECRAuthorizationToken team/ecr: auth.jwt.serviceAccountRef.namespace "kube-system" is not allowed; a generator\'s references resolve in the namespace "team" only'],
    ['a key reference without a key', { secretRef: { ...keys, accessKeyIDSecretRef: { name: 'creds' } } },
      'ECRAuthorizationToken team/ecr: auth.secretRef.accessKeyIDSecretRef needs a name and a key'],
    ['no secret access key', { secretRef: { accessKeyIDSecretRef: keys.accessKeyIDSecretRef } },
      'ECRAuthorizationToken team/ecr: auth.secretRef.secretAccessKeySecretRef needs a name and a key'],
  ])('refuses %s (InvalidProviderConfig)', (_name, auth, message) => {
    const err = thrown(() => generatorIdentity({ region: 'eu-west-1', auth }, use));
    expect([err.code, err.message]).toEqual(['InvalidProviderConfig', message]);
  });

  it('a ClusterGenerator may not reach another namespace either', () => {
    const err = thrown(() => generatorIdentity({ region: 'eu-west-1', auth: { jwt: { serviceAccountRef: { name: 'sa', namespace: 'operators' } } } }, clusterUse));
    expect(err.message).toBe('ClusterGenerator ecr: auth.jwt.serviceAccountRef.namespace "operators" is not allowed; a generator\'s references resolve in the namespace "app" only');
  });
});

describe('generatorAwsError: AWS errors of generator calls', () => {
  const context = { service: 'ecr' as const, action: 'GetAuthorizationToken', generator: GEN, role: 'arn:aws:iam::1:role/r' };
  const awsError = (name: string, status: number, message = 'secret-looking AWS message body') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['AccessDeniedException', 400, 'AWSAccessDenied',
      'ECRAuthorizationToken team/ecr: ecr:GetAuthorizationToken as arn:aws:iam::1:role/r was denied (AccessDeniedException, HTTP 400): allow ecr:GetAuthorizationToken in that identity\'s IAM policy'],
    ['ThrottlingException', 400, 'AWSThrottled', 'ECRAuthorizationToken team/ecr: ecr:GetAuthorizationToken as arn:aws:iam::1:role/r: throttled by AWS (ThrottlingException, HTTP 400); retrying with backoff'],
    ['ExpiredTokenException', 400, 'AWSAuthenticationFailed', 'ECRAuthorizationToken team/ecr: ecr:GetAuthorizationToken as arn:aws:iam::1:role/r: AWS rejected the credentials (ExpiredTokenException, HTTP 400)'],
    ['InvalidClientTokenId', 403, 'AWSAccessDenied', 'ECRAuthorizationToken team/ecr: ecr:GetAuthorizationToken as arn:aws:iam::1:role/r was denied (InvalidClientTokenId, HTTP 403): allow ecr:GetAuthorizationToken in that identity\'s IAM policy'],
    ['ResourceNotFoundException', 400, 'AWSRequestFailed', 'ECRAuthorizationToken team/ecr: ecr:GetAuthorizationToken as arn:aws:iam::1:role/r failed (ResourceNotFoundException, HTTP 400)'],
    ['ServerException', 500, 'AWSRequestFailed', 'ECRAuthorizationToken team/ecr: ecr:GetAuthorizationToken as arn:aws:iam::1:role/r failed (ServerException, HTTP 500)'],
  ])('%s (HTTP %i) is %s, named but never quoted', (name, status, code, message) => {
    const err = generatorAwsError(awsError(name, status), context);
    expect([err.code, err.message]).toEqual([code, message]);
    expect(err.retryable).toBe(true);
  });

  it('says what else may explain a denial when the call has a hint (STS with MFA)', () => {
    const err = generatorAwsError(awsError('AccessDenied', 403), { service: 'sts', action: 'GetSessionToken', generator: 'STSSessionToken ns/s', deniedHint: 'check the MFA device serialNumber and tokenCode' });
    expect(err.message).toBe('STSSessionToken ns/s: sts:GetSessionToken was denied (AccessDenied, HTTP 403): allow sts:GetSessionToken in that identity\'s IAM policy; check the MFA device serialNumber and tokenCode');
  });
});

describe('ESO\'s documentation manifests (test/data/eso-docs/)', () => {
  const crds = loadCrds(CRD_DIR) as Crd[];
  const served = (doc: { apiVersion: string; kind: string }): JsonSchema => {
    const version = doc.apiVersion.split('/')[1];
    const found = crds.find((c) => c.spec.names.kind === doc.kind)?.spec.versions.find((v) => v.name === version && v.served)?.schema?.openAPIV3Schema;
    if (!found) throw new Error(`${doc.apiVersion} ${doc.kind} is not served`);
    return found as JsonSchema;
  };

  it.each(['generator-ecr.yaml', 'generator-ecr-example.yaml'])('%s validates against the served schema', (file) => {
    const doc = parse(readFileSync(new URL(`../data/eso-docs/${file}`, import.meta.url), 'utf8'));
    expect(validate(doc, served(doc))).toEqual([]);
  });
});

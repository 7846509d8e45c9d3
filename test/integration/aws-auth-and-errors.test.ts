import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { backoffDelay, reconcileBackoff } from '../../src/kube/backoff.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { applyManifest } from '../../dev/apply.ts';
import { jwtClaims, type AwsProxy } from './aws-proxy.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs } from './cases.ts';
import { genericTargetsIdentity } from './generic-targets-identity.ts';
import { decode, eventually, ROLE_ARN, startHarnessBehindProxy, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';

let h: Harness;
let proxy: AwsProxy;

let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
beforeAll(async () => ({ h, proxy } = peers = await startHarnessBehindProxy()));
afterAll(async () => peers?.close());
beforeEach(() => proxy.clearFaults());

/** A namespace whose SecretStore authenticates with ServiceAccount `app` (IRSA through TokenRequest). */
async function jwtNamespace(prefix: string, sa: { annotations?: Record<string, string>; audiences?: string[] } = {}): Promise<string> {
  const ns = await h.namespace(prefix);
  await applyManifest(h.kube, {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'app', namespace: ns, annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN, ...sa.annotations } },
  });
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'app', ...(sa.audiences ? { audiences: sa.audiences } : {}) } } } } } },
  });
  return ns;
}

async function secretFor(prefix: string): Promise<string> {
  const key = awsName(prefix);
  await createAwsSecrets(h, [{ name: key, string: '{"v":"ok"}' }]);
  return key;
}

/** Attempts the AWS SDK makes per call with its standard retry strategy (the operator keeps it). */
const SDK_ATTEMPTS = 3;

const esFor = (ns: string, key: string, name = 'es') => applyExternalSecret(h, ns, name, { data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });

describe('auth.jwt.serviceAccountRef', () => {
  it('exchanges a token of that ServiceAccount, for its audience, for the annotated role', async () => {
    const ns = await jwtNamespace('jwt-claims', { annotations: { 'eks.amazonaws.com/audience': 'sts.example.internal' }, audiences: ['extra-audience'] });
    const key = await secretFor('jwt-claims');
    await esFor(ns, key);
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const exchange = proxy.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity').find((c) => jwtClaims(c.params.WebIdentityToken).sub === `system:serviceaccount:${ns}:app`);
    expect(exchange, 'an AssumeRoleWithWebIdentity with a token for this ServiceAccount').toBeDefined();
    expect(exchange!.params.RoleArn).toBe(ROLE_ARN);
    expect(jwtClaims(exchange!.params.WebIdentityToken).aud).toEqual(['sts.example.internal', 'extra-audience']);
  });

  it('uses sts.amazonaws.com as the audience by default', async () => {
    const ns = await jwtNamespace('jwt-default-aud');
    await esFor(ns, await secretFor('jwt-default-aud'));
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const exchange = proxy.calls.find((c) => c.action === 'AssumeRoleWithWebIdentity' && jwtClaims(c.params.WebIdentityToken).sub === `system:serviceaccount:${ns}:app`);
    expect(jwtClaims(exchange!.params.WebIdentityToken).aud).toEqual(['sts.amazonaws.com']);
  });

  it('caches credentials per identity: many ExternalSecrets syncing at once share one STS call', async () => {
    const ns = await jwtNamespace('jwt-shared');
    const key = await secretFor('jwt-shared');
    const forThisSa = (p: Record<string, any>) => jwtClaims(p.WebIdentityToken).sub === `system:serviceaccount:${ns}:app`;
    await Promise.all(Array.from({ length: 12 }, (_, i) => esFor(ns, key, `es-${i}`)));
    for (let i = 0; i < 12; i++) await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
    expect(proxy.count('AssumeRoleWithWebIdentity', forThisSa)).toBe(1);
  });

  it('a ServiceAccount without the role annotation is a clear error', async () => {
    const ns = await h.namespace('jwt-no-role');
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: ns } });
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'app' } } } } } },
    });
    await esFor(ns, 'whatever');
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(es.status.conditions[0].message).toContain(`RoleArnMissing: ServiceAccount ${ns}/app has no "eks.amazonaws.com/role-arn" annotation`);
  });

  it('a token STS rejects is reported with the role and what to check', async () => {
    const ns = await jwtNamespace('jwt-rejected');
    proxy.inject({ action: 'AssumeRoleWithWebIdentity', when: (p) => jwtClaims(p.WebIdentityToken).sub.includes(`:${ns}:`), code: 'InvalidIdentityToken', message: 'Incorrect token audience' });
    await esFor(ns, await secretFor('jwt-rejected'));
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const message = es.status.conditions[0].message as string;
    expect(message).toContain('AWSAuthenticationFailed');
    expect(message).toContain(ROLE_ARN);
    expect(message).toContain('Incorrect token audience');
  });

  it('an expired token is reported as such', async () => {
    const ns = await jwtNamespace('jwt-expired');
    proxy.inject({ action: 'AssumeRoleWithWebIdentity', when: (p) => jwtClaims(p.WebIdentityToken).sub.includes(`:${ns}:`), code: 'ExpiredTokenException', message: 'Token expired: current date/time is after the exp claim' });
    await esFor(ns, await secretFor('jwt-expired'));
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(es.status.conditions[0].message).toContain('AWSAuthenticationFailed');
    expect(es.status.conditions[0].message).toContain('Token expired');
  });
});

describe('AWS errors: a reason, a message saying what to fix, and backoff', () => {
  it('DecryptionFailure (KMS) names the secret and the fix', async () => {
    const ns = await jwtNamespace('kms');
    const key = await secretFor('kms');
    proxy.inject({ action: 'GetSecretValue', when: (p) => p.SecretId === key, code: 'DecryptionFailure', message: 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.' });
    await esFor(ns, key);
    const message = (await readyAs(h, ns, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain('AWSDecryptionFailure');
    expect(message).toContain(key);
    expect(message).toContain('kms:Decrypt');
  });

  it('AccessDeniedException names the action and the role', async () => {
    const ns = await jwtNamespace('denied');
    const key = await secretFor('denied');
    proxy.inject({ action: 'GetSecretValue', when: (p) => p.SecretId === key, code: 'AccessDeniedException', message: 'User is not authorized to perform: secretsmanager:GetSecretValue' });
    await esFor(ns, key);
    const message = (await readyAs(h, ns, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain('AWSAccessDenied');
    expect(message).toContain('GetSecretValue');
    expect(message).toContain(ROLE_ARN);
  });

  it('a secret marked for deletion counts as missing', async () => {
    const ns = await jwtNamespace('marked');
    const key = await secretFor('marked');
    proxy.inject({ action: 'GetSecretValue', when: (p) => p.SecretId === key, code: 'InvalidRequestException', message: 'You can\'t perform this operation on the secret because it was marked for deletion.' });
    await esFor(ns, key);
    const message = (await readyAs(h, ns, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain('AWSSecretNotFound');
    expect(message).toContain('marked for deletion');
  });

  it('throttling backs off instead of retrying in a storm, then recovers', async () => {
    const ns = await jwtNamespace('throttle');
    const key = await secretFor('throttle');
    const mine = (p: Record<string, any>) => p.SecretId === key;
    // Throttled for two reconciles' worth of the SDK's attempts, then served.
    proxy.inject({ action: 'GetSecretValue', when: mine, code: 'ThrottlingException', message: 'Rate exceeded', times: 2 * SDK_ATTEMPTS });
    await esFor(ns, key);
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'es')).data)).toEqual({ v: 'ok' });
    // Two reconciles failed, each after the SDK's attempts and no more; the third got through at once.
    expect(await metricValue(h.operator.metrics.syncErrorsByReason, { name: 'es', namespace: ns, reason: 'AWSThrottled' })).toBe(2);
    expect(proxy.count('GetSecretValue', mine)).toBe(2 * SDK_ATTEMPTS + 1);
    // The queue waited its backoff between them: the retry delays it chose, as it logged them.
    const delays = h.logLines.map((line) => JSON.parse(line)).filter((l) => l.object === `ExternalSecret/${ns}/es` && 'retryInMs' in l).map((l) => l.retryInMs);
    expect(delays).toHaveLength(2);
    delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual(backoffDelay(reconcileBackoff, attempt, 0));
      expect(delay).toBeLessThanOrEqual(backoffDelay(reconcileBackoff, attempt, 1));
    });
    const events = await eventually(async () => {
      const list = await eventsFor(h, ns, 'es');
      return list.length >= 2 && list;
    }, 'two Events');
    expect(events.map((e) => e.reason)).toEqual(['UpdateFailed', 'Created']);
    expect(events[0]!.message).toContain('AWSThrottled');
  });
});

describe('role assumption', () => {
  it('passes externalID, sessionTags and transitiveTagKeys to AssumeRole for role, after the additionalRoles', async () => {
    const ns = await h.namespace('assume-params');
    const key = await secretFor('assume-params');
    const first = 'arn:aws:iam::123456789012:role/first-hop';
    const target = 'arn:aws:iam::123456789012:role/team-reader';
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
      spec: { provider: { aws: {
        service: 'SecretsManager', region: 'us-east-1', additionalRoles: [first], role: target, externalID: `ext-${ns}`,
        sessionTags: [{ key: 'team', value: 'payments' }], transitiveTagKeys: ['team'],
      } } },
    });
    await esFor(ns, key);
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const hops = proxy.calls.filter((c) => c.action === 'AssumeRole' && (c.params.RoleArn === first || c.params.ExternalId === `ext-${ns}`));
    expect(hops.map((c) => c.params.RoleArn)).toEqual([first, target]);
    expect(hops[0]!.params.ExternalId).toBeUndefined();
    expect(hops[1]!.params).toMatchObject({
      ExternalId: `ext-${ns}`, 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'payments', 'TransitiveTagKeys.member.1': 'team',
    });
  });
});

describe('tenant isolation: attacks that must fail', () => {
  it('an ExternalSecret cannot use a SecretStore of another namespace', async () => {
    const victim = await jwtNamespace('iso-victim');
    const attacker = await h.namespace('iso-attacker');
    // Same store name ("aws") exists only in the victim's namespace.
    await esFor(attacker, await secretFor('iso-store'));
    const message = (await readyAs(h, attacker, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain(`StoreNotFound: SecretStore "aws" not found in namespace "${attacker}"`);
    expect(victim).not.toBe(attacker);
  });

  it('a SecretStore cannot borrow another namespace\'s ServiceAccount (and its role)', async () => {
    const victim = await jwtNamespace('iso-sa-victim');
    const attacker = await h.namespace('iso-sa-attacker');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: attacker },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'app', namespace: victim } } } } } },
    });
    await esFor(attacker, await secretFor('iso-sa'));
    const message = (await readyAs(h, attacker, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain('InvalidProviderConfig');
    expect(message).toContain('may only reference its own namespace');
    expect(proxy.calls.some((c) => c.action === 'AssumeRoleWithWebIdentity' && jwtClaims(c.params.WebIdentityToken).sub === `system:serviceaccount:${victim}:app`)).toBe(false);
  });

  it('a SecretStore cannot read static keys from another namespace\'s Secret', async () => {
    const victim = await h.namespace('iso-keys-victim');
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', namespace: victim }, stringData: { id: 'AKIAVICTIM', secret: 'victim-secret' } });
    const attacker = await h.namespace('iso-keys-attacker');
    const ref = (key: string) => ({ name: 'keys', key, namespace: victim });
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: attacker },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { secretRef: { accessKeyIDSecretRef: ref('id'), secretAccessKeySecretRef: ref('secret') } } } } },
    });
    await esFor(attacker, await secretFor('iso-keys'));
    const message = (await readyAs(h, attacker, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain('may only reference its own namespace');
    expect(message).not.toContain('victim-secret');
  });

  it('a templateFrom cannot read a ConfigMap or Secret of another namespace', async () => {
    const victim = await h.namespace('iso-tpl-victim');
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'loot', namespace: victim }, stringData: { k: 'victim-data' } });
    const attacker = await jwtNamespace('iso-tpl-attacker');
    await applyExternalSecret(h, attacker, 'es', {
      data: [{ secretKey: 'v', remoteRef: { key: await secretFor('iso-tpl'), property: 'v' } }],
      target: { template: { templateFrom: [{ secret: { name: 'loot', items: [{ key: 'k' }] } }] } },
    });
    const message = (await readyAs(h, attacker, 'es', 'False', 'SecretSyncedError')).status.conditions[0].message as string;
    expect(message).toContain('TemplateSourceInvalid');
    expect(message).toContain('Secret "loot" not found');
    expect(await h.secret(attacker, 'es')).toBeUndefined();
  });
});

describe('least privilege', () => {
  it('the operator\'s ClusterRole refuses verbs it does not list', async () => {
    const ns = await h.namespace('rbac');
    const asOperator = KubeClient.fromFile(inject('operatorKubeconfig'));
    try {
      // Allowed: what reconciling needs.
      await asOperator.get(`/api/v1/namespaces/${ns}/secrets`);
      // Allowed: patching a Namespace, for ESO's ClusterExternalSecret finalizers (its labels too: RBAC cannot narrow a patch).
      await asOperator.request('PATCH', `/api/v1/namespaces/${ns}`, { body: { metadata: {} }, contentType: 'application/merge-patch+json' });
      // Refused: updating or deleting Namespaces, deleting ClusterExternalSecrets, reading ConfigMaps cluster-wide, touching Pods or RBAC.
      // (PATCH of an ExternalSecret is allowed, for ESO's cleanup finalizer: RBAC cannot narrow it to metadata.finalizers.)
      for (const [method, path, body] of [
        ['PUT', `/api/v1/namespaces/${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }],
        ['DELETE', `/api/v1/namespaces/${ns}`, undefined],
        ['DELETE', '/apis/external-secrets.io/v1/clusterexternalsecrets/x', undefined],
        ['GET', '/api/v1/configmaps', undefined],
        ['GET', `/api/v1/namespaces/${ns}/pods`, undefined],
        ['POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'escalate' }, rules: [] }],
        ['DELETE', `/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/aws`, undefined],
      ] as const) {
        const err = await asOperator.request(method, path, { body, contentType: 'application/merge-patch+json' }).catch((e) => e);
        expect(err.status, `${method} ${path}`).toBe(403);
      }
    } finally {
      await asOperator.close();
    }
  });

  it('with genericTargets.enabled, the chart\'s ClusterRole adds list, watch, create, update and delete on ConfigMaps, and nothing else', async () => {
    const ns = await h.namespace('rbac-generic');
    const { kube: asOperator, rules } = await genericTargetsIdentity(h.kube, inject('adminKubeconfig'));
    try {
      expect(rules.filter((r: any) => r.resources.includes('configmaps'))).toEqual([
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
      ]);
      // Allowed: what ConfigMap targets need, cluster-wide.
      await asOperator.get('/api/v1/configmaps?labelSelector=reconcile.external-secrets.io/managed%3Dtrue');
      await asOperator.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { k: 'v' } } });
      const written = await asOperator.get(`/api/v1/namespaces/${ns}/configmaps/x`);
      await asOperator.request('PUT', `/api/v1/namespaces/${ns}/configmaps/x`, { body: { ...written, data: { k: 'w' } } });
      await asOperator.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/x`);
      // Still refused: patching ConfigMaps (targets are updated whole, at their resourceVersion), deleting Namespaces, Pods, RBAC.
      for (const [method, path, body] of [
        ['PATCH', `/api/v1/namespaces/${ns}/configmaps/x`, { data: {} }],
        ['DELETE', `/api/v1/namespaces/${ns}`, undefined],
        ['GET', `/api/v1/namespaces/${ns}/pods`, undefined],
        ['POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'escalate' }, rules: [] }],
      ] as const) {
        const err = await asOperator.request(method, path, { body, contentType: 'application/merge-patch+json' }).catch((e) => e);
        expect(err.status, `${method} ${path}`).toBe(403);
      }
    } finally {
      await asOperator.close();
    }
  });
});

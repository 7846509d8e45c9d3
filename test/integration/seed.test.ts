import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_MANAGED } from '../../src/api/well-known.ts';
import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { decode, eventually, readyCondition, ROLE_ARN, startHarness, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { externalSecrets } from '../../src/kube/resources.ts';

// The seed document's EKS example, applied as written (see shared/seed/README.md; examples/ holds a verbatim copy).
const seedManifests = parseManifests(readFileSync(join(import.meta.dirname, '../../examples/eks-external-secrets.yaml'), 'utf8'));
const SEED_SECRET = '{"username":"dbadmin","password":"S3cur3P@ssw0rd!","engine":"postgres","host":"db.internal.example.com","port":5432,"dbname":"myapp"}';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.createAwsSecret('myapp/production/database', SEED_SECRET);
});
afterAll(async () => h?.close());

/** A namespace with the seed's ServiceAccount, annotated with the IAM role as in EKS. */
async function prepareNamespace(namespace: string): Promise<void> {
  await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await applyManifest(h.kube, {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'external-secrets-sa', namespace, annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } },
  });
}

describe('the seed EKS example (external-secrets.io/v1beta1, verbatim)', () => {
  beforeAll(async () => {
    await prepareNamespace('production');
    for (const manifest of seedManifests) await applyManifest(h.kube, manifest);
  });

  it('creates db-credentials with exactly the username and password', async () => {
    const secret = await eventually(() => h.secret('production', 'db-credentials'), 'Secret db-credentials');
    expect(decode(secret.data)).toEqual({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
    expect(secret.type).toBe('Opaque');
  });

  it('marks the Secret as managed and owned by the ExternalSecret', async () => {
    const es = await h.externalSecret('production', 'db-credentials', 'external-secrets.io/v1beta1');
    const secret = await eventually(() => h.secret('production', 'db-credentials'), 'Secret db-credentials');
    expect(secret.metadata.labels[LABEL_MANAGED]).toBe('true');
    expect(secret.metadata.annotations['reconcile.external-secrets.io/data-hash']).toMatch(/^[0-9a-f]+$/);
    expect(secret.metadata.ownerReferences).toEqual([{
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      name: 'db-credentials',
      uid: es.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    }]);
  });

  it('reports Ready=True with reason SecretSynced and the sync bookkeeping', async () => {
    const es = await eventually(async () => {
      const es = await h.externalSecret('production', 'db-credentials');
      return readyCondition(es)?.status === 'True' && es;
    }, 'Ready=True');
    expect(readyCondition(es).reason).toBe('SecretSynced');
    expect(Date.parse(es.status.refreshTime)).toBeGreaterThan(Date.now() - 120_000);
    expect(es.status.syncedResourceVersion).toMatch(new RegExp(`^${es.metadata.generation}-[0-9a-f]+$`));
    expect(es.status.binding).toEqual({ name: 'db-credentials' });
  });

  it('counts the sync, the web-identity exchange and the AWS calls in the metrics', async () => {
    await eventually(() => h.secret('production', 'db-credentials'), 'Secret db-credentials');
    const m = h.operator.metrics;
    expect(await metricValue(m.syncCalls, { name: 'db-credentials', namespace: 'production' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(m.stsCalls, { kind: 'AssumeRoleWithWebIdentity', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(m.providerCalls, { provider: 'AWS/SecretsManager', call: 'GetSecretValue', status: 'success' })).toBeGreaterThanOrEqual(1);
    expect(await m.registry.metrics()).toContain('externalsecret_status_condition{name="db-credentials",namespace="production",condition="Ready",status="True"} 1');
  });

  it('follows a value changed in AWS once a sync is forced by an annotation', async () => {
    await eventually(() => h.secret('production', 'db-credentials'), 'Secret db-credentials');
    await h.putAwsSecret('myapp/production/database', SEED_SECRET.replace('S3cur3P@ssw0rd!', 'N3wS3cur3P@ss!'));
    await h.kube.request('PATCH', externalSecrets.path('production', 'db-credentials'), {
      body: { metadata: { annotations: { 'force-sync': String(Date.now()) } } },
      contentType: 'application/merge-patch+json',
    });
    const secret = await eventually(async () => {
      const s = await h.secret('production', 'db-credentials');
      return decode(s?.data).password === 'N3wS3cur3P@ss!' && s;
    }, 'the new password in the Secret');
    expect(decode(secret.data)).toEqual({ username: 'dbadmin', password: 'N3wS3cur3P@ss!' });
  });
});

/** The seed's manifests with another namespace, apiVersion and target, and edits to the ExternalSecret. */
function variant(namespace: string, apiVersion: string, edit: (es: any) => void = () => {}): any[] {
  return seedManifests.map((m) => {
    const copy = structuredClone(m);
    copy.apiVersion = apiVersion;
    copy.metadata.namespace = namespace;
    if (copy.kind === 'ExternalSecret') edit(copy);
    return copy;
  });
}

describe('the same manifests as external-secrets.io/v1', () => {
  it('produce the same Secret', async () => {
    const ns = 'seed-v1';
    await prepareNamespace(ns);
    for (const m of variant(ns, 'external-secrets.io/v1')) await applyManifest(h.kube, m);
    const secret = await eventually(() => h.secret(ns, 'db-credentials'), 'Secret db-credentials');
    expect(Object.keys(decode(secret.data)).sort()).toEqual(['password', 'username']);
    expect(decode(secret.data).username).toBe('dbadmin');
  });
});

describe('failures are reported, and no Secret is written', () => {
  it('a missing property gives Ready=False naming the key and property', async () => {
    const ns = 'seed-missing-property';
    await prepareNamespace(ns);
    for (const m of variant(ns, 'external-secrets.io/v1', (es) => (es.spec.data[1].remoteRef.property = 'passwd'))) {
      await applyManifest(h.kube, m);
    }
    const condition = await eventually(async () => {
      const c = readyCondition(await h.externalSecret(ns, 'db-credentials'));
      return c?.status === 'False' && c;
    }, 'Ready=False');
    expect(condition.reason).toBe('SecretSyncedError');
    expect(condition.message).toContain('PropertyNotFound');
    expect(condition.message).toContain('"myapp/production/database"');
    expect(condition.message).toContain('"passwd"');
    expect(await h.secret(ns, 'db-credentials')).toBeUndefined();
  });

  it('a missing AWS secret gives Ready=False naming the secret', async () => {
    const ns = 'seed-missing-secret';
    await prepareNamespace(ns);
    const edit = (es: any) => es.spec.data.forEach((d: any) => (d.remoteRef.key = 'myapp/production/nothing-here'));
    for (const m of variant(ns, 'external-secrets.io/v1', edit)) await applyManifest(h.kube, m);
    const condition = await eventually(async () => {
      const c = readyCondition(await h.externalSecret(ns, 'db-credentials'));
      return c?.status === 'False' && c;
    }, 'Ready=False');
    expect(condition.reason).toBe('SecretSyncedError');
    expect(condition.message).toContain('AWSSecretNotFound');
    expect(condition.message).toContain('"myapp/production/nothing-here"');
    expect(await h.secret(ns, 'db-credentials')).toBeUndefined();
  });
});

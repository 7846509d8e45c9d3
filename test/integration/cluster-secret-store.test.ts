import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { applyExternalSecret, awsName, createAwsSecrets, readyAs } from './cases.ts';
import { decode, ROLE_ARN, startHarness, type Harness } from './harness.ts';

let h: Harness;
let key: string;
const store = `shared-${process.pid}`;

beforeAll(async () => {
  h = await startHarness();
  key = awsName('shared');
  await createAwsSecrets(h, [{ name: key, string: '{"v":"shared-value"}' }]);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: store },
    spec: {
      provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'team-sa' } } } } },
      conditions: [
        { namespaces: [`listed-${process.pid}`] },
        { namespaceRegexes: [`^team-${process.pid}-`] },
        { namespaceSelector: { matchLabels: { 'secrets.example.com/shared': 'yes' } } },
        // Go's syntax, which JavaScript's RegExp refuses.
        { namespaceRegexes: [`(?i)^CASED-${process.pid}-`] },
      ],
    },
  });
});
afterAll(async () => h?.close());

/** A namespace with its own ServiceAccount team-sa: the ClusterSecretStore's referent auth resolves there. */
async function namespace(name: string, labels?: Record<string, string>, roleArn = ROLE_ARN): Promise<string> {
  await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'team-sa', namespace: name, annotations: { 'eks.amazonaws.com/role-arn': roleArn } } });
  return name;
}

const useStore = (ns: string) => applyExternalSecret(h, ns, 'es', {
  secretStoreRef: { name: store, kind: 'ClusterSecretStore' },
  data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }],
});

describe('ClusterSecretStore conditions', () => {
  for (const [how, ns, labels] of [
    ['by name', `listed-${process.pid}`, undefined],
    ['by regex', `team-${process.pid}-a`, undefined],
    ['by label selector', `labelled-${process.pid}`, { 'secrets.example.com/shared': 'yes' }],
    ['by a regex in Go\'s syntax', `cased-${process.pid}-a`, undefined],
  ] as const) {
    it(`admits a namespace ${how}`, async () => {
      await namespace(ns, labels);
      await useStore(ns);
      await readyAs(h, ns, 'es', 'True', 'SecretSynced');
      expect(decode((await h.secret(ns, 'es')).data)).toEqual({ v: 'shared-value' });
    });
  }

  it('refuses any other namespace, and writes nothing there', async () => {
    const ns = await namespace(`outsider-${process.pid}`, { 'secrets.example.com/shared': 'no' });
    await useStore(ns);
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(es.status.conditions[0].message).toContain('StoreNotAllowed');
    expect(es.status.conditions[0].message).toContain(`does not allow namespace "${ns}"`);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('fails on a namespaceRegex Go cannot compile, naming it, and writes nothing', async () => {
    const broken = `broken-${process.pid}`;
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: broken },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } }, conditions: [{ namespaceRegexes: ['(unclosed'] }] },
    });
    const ns = await namespace(`broken-store-${process.pid}`);
    await applyExternalSecret(h, ns, 'es', { secretStoreRef: { name: broken, kind: 'ClusterSecretStore' }, data: [{ secretKey: 'v', remoteRef: { key } }] });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(es.status.conditions[0].message).toContain(`InvalidProviderConfig: ClusterSecretStore "${broken}": spec.conditions[0].namespaceRegexes[0]: error parsing regexp: missing closing ):`);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('resolves a serviceAccountRef without a namespace in the ExternalSecret\'s namespace', async () => {
    // A namespace admitted by the regex but with no team-sa of its own: the store must not borrow another namespace's.
    const ns = `team-${process.pid}-nosa`;
    await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await useStore(ns);
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(es.status.conditions[0].message).toContain(`ServiceAccountNotFound: ServiceAccount ${ns}/team-sa not found`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { secretStores } from '../../src/kube/resources.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const store = (namespace: string, name: string, provider: unknown) => ({
  apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace }, spec: { provider },
});
const storeStatus = (namespace: string, name: string) =>
  h.kube.get(secretStores.path(namespace, name));
/** The Ready condition of what `read` returns, once it is False. */
const whenNotReady = (read: () => Promise<unknown>, what: string) => eventually(async () => {
  const c = readyCondition(await read());
  return c?.status === 'False' && c;
}, what);
/** An ExternalSecret "es" reading one key through the store; resolves once it reports Ready=False. */
async function failingExternalSecret(namespace: string, storeName: string) {
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'es', namespace },
    spec: { secretStoreRef: { name: storeName }, data: [{ secretKey: 'k', remoteRef: { key: 'x' } }] },
  });
  return whenNotReady(() => h.externalSecret(namespace, 'es'), 'ExternalSecret Ready=False');
}

describe('SecretStore status', () => {
  it('a valid AWS Secrets Manager store is Ready with reason Valid', async () => {
    const ns = await h.namespace('store-valid');
    await applyManifest(h.kube, store(ns, 'aws', { aws: { service: 'SecretsManager', region: 'us-east-1' } }));
    const s = await eventually(async () => readyCondition(await storeStatus(ns, 'aws'))?.status === 'True' && storeStatus(ns, 'aws'), 'Ready=True');
    expect(readyCondition(s).reason).toBe('Valid');
    expect(s.status.capabilities).toBe('ReadOnly');
  });

  it('CertificateManager is rejected with a message naming the field, and so are its ExternalSecrets', async () => {
    const ns = await h.namespace('store-acm');
    await applyManifest(h.kube, store(ns, 'acm', { aws: { service: 'CertificateManager', region: 'us-east-1' } }));
    const c = await whenNotReady(() => storeStatus(ns, 'acm'), 'Ready=False');
    expect(c.reason).toBe('UnsupportedProvider');
    expect(c.message).toContain('spec.provider.aws.service "CertificateManager"');
    const esc = await failingExternalSecret(ns, 'acm');
    expect(esc.message).toContain('UnsupportedProvider');
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('another provider (vault) applies unchanged and is reported unsupported', async () => {
    const ns = await h.namespace('store-vault');
    await applyManifest(h.kube, store(ns, 'vault', { vault: { server: 'https://vault.example', path: 'secret' } }));
    const c = await whenNotReady(() => storeStatus(ns, 'vault'), 'Ready=False');
    expect(c.reason).toBe('UnsupportedProvider');
    expect(c.message).toContain('spec.provider.vault');
  });

  it('automatic or custom session tags are reported unsupported, not ignored, and so are its ExternalSecrets', async () => {
    const ns = await h.namespace('store-tags');
    await applyManifest(h.kube, store(ns, 'simple', { aws: { service: 'SecretsManager', region: 'us-east-1', sessionTagsPolicy: 'Simple' } }));
    await applyManifest(h.kube, store(ns, 'custom', { aws: { service: 'SecretsManager', region: 'us-east-1', customSessionTags: { team: 'a' } } }));
    const cases: Array<[string, string]> = [['simple', 'spec.provider.aws.sessionTagsPolicy: Simple'], ['custom', 'spec.provider.aws.customSessionTags']];
    for (const [name, field] of cases) {
      const c = await whenNotReady(() => storeStatus(ns, name), `${name} Ready=False`);
      expect(c.reason).toBe('UnsupportedField');
      expect(c.message).toContain(field);
    }
    const esc = await failingExternalSecret(ns, 'simple');
    expect(esc.message).toMatch(/^UnsupportedField: .*sessionTagsPolicy/);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it("without CONTROLLER_CLASS, a store naming a class is another controller's, as with ESO's default class: it and its ExternalSecret are never written", async () => {
    const ns = await h.namespace('store-classed');
    const classed = await applyManifest(h.kube, { ...store(ns, 'classed', { aws: { service: 'SecretsManager', region: 'us-east-1' } }), spec: { controller: 'other', provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } } });
    await applyManifest(h.kube, store(ns, 'plain', { aws: { service: 'SecretsManager', region: 'us-east-1' } }));
    const es = await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'es', namespace: ns },
      spec: { secretStoreRef: { name: 'classed' }, data: [{ secretKey: 'k', remoteRef: { key: 'x' } }] },
    });
    // Positive signs: the unclassed store beside it is served, and the operator has seen the store and its ExternalSecret.
    await eventually(async () => readyCondition(await storeStatus(ns, 'plain'))?.status === 'True', 'the unclassed store Ready');
    await eventually(async () => h.operator.caches.secretStores.get(`${ns}/classed`)?.metadata.resourceVersion === classed.metadata.resourceVersion, 'the operator to see the classed store');
    await operatorCaughtUp(h, [es]);
    expect((await storeStatus(ns, 'classed')).metadata.resourceVersion).toBe(classed.metadata.resourceVersion);
    expect((await h.externalSecret(ns, 'es')).metadata.resourceVersion).toBe(es.metadata.resourceVersion);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });
});

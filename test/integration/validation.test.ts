import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let ns: string;
beforeAll(async () => {
  h = await startHarness();
  ns = await h.namespace('validation');
});
afterAll(async () => h?.close());

const ref = { key: 'some/secret' };
const base = { secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'a', remoteRef: ref }] };

/** What `kubectl apply` would see: the apiserver's verdict on a manifest. */
async function apply(apiVersion: string, spec: Record<string, unknown>): Promise<{ status: number; message: string } | 'accepted'> {
  try {
    await applyManifest(h.kube, { apiVersion, kind: 'ExternalSecret', metadata: { name: `v${Math.random().toString(36).slice(2, 8)}`, namespace: ns }, spec });
    return 'accepted';
  } catch (err: any) {
    return { status: err.status, message: err.message };
  }
}

// Each rule of ESO's admission webhook, enforced here by the CRD schema at apply time.
const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
  ['neither data nor dataFrom', { secretStoreRef: { name: 'aws' } }, /nothing to sync: list at least one entry in spec.data or spec.dataFrom/],
  ['deletionPolicy Delete with creationPolicy Merge', { ...base, target: { creationPolicy: 'Merge', deletionPolicy: 'Delete' } }, /deletionPolicy Delete would delete a Secret this ExternalSecret does not own/],
  ['deletionPolicy Delete with creationPolicy CreateOrMerge', { ...base, target: { creationPolicy: 'CreateOrMerge', deletionPolicy: 'Delete' } }, /deletionPolicy Delete would delete a Secret this ExternalSecret does not own/],
  ['deletionPolicy Delete with creationPolicy None', { ...base, target: { creationPolicy: 'None', deletionPolicy: 'Delete' } }, /set creationPolicy to Owner/],
  ['deletionPolicy Merge with creationPolicy None', { ...base, target: { creationPolicy: 'None', deletionPolicy: 'Merge' } }, /deletionPolicy Merge needs a Secret to remove keys from/],
  ['a duplicate secretKey', { ...base, data: [{ secretKey: 'a', remoteRef: ref }, { secretKey: 'a', remoteRef: { key: 'other' } }] }, /spec.data lists the same secretKey more than once/],
  ['an empty dataFrom entry', { secretStoreRef: { name: 'aws' }, dataFrom: [{}] }, /each spec.dataFrom entry needs one of extract, find or sourceRef/],
  ['extract and find in one dataFrom entry', { secretStoreRef: { name: 'aws' }, dataFrom: [{ extract: ref, find: { name: { regexp: '.*' } } }] }, /takes only one of extract, find/],
  ['an unknown creationPolicy', { ...base, target: { creationPolicy: 'Adopt' } }, /Unsupported value: "Adopt"/],
  ['an unknown decodingStrategy', { ...base, data: [{ secretKey: 'a', remoteRef: { ...ref, decodingStrategy: 'Hex' } }] }, /Unsupported value: "Hex"/],
  ['a secretKey that is not a valid Secret key', { ...base, data: [{ secretKey: 'a/b', remoteRef: ref }] }, /secretKey/],
  ['a refreshInterval that is not a Go duration', { ...base, refreshInterval: '1 day' }, /must be a Go duration/],
  ['a store kind other than the two', { ...base, secretStoreRef: { name: 'aws', kind: 'Vault' } }, /Unsupported value: "Vault"/],
];

describe('ExternalSecret validation at apply (no webhook server)', () => {
  for (const apiVersion of ['external-secrets.io/v1', 'external-secrets.io/v1beta1']) {
    for (const [what, spec, message] of rejected) {
      it(`${apiVersion} rejects ${what}`, async () => {
        const verdict = await apply(apiVersion, spec);
        expect(verdict).not.toBe('accepted');
        expect((verdict as { status: number }).status).toBe(422);
        expect((verdict as { message: string }).message).toMatch(message);
      });
    }
  }

  it('accepts what ESO accepts: a duplicate secretKey with deletionPolicy Merge, Orphan with Delete, an empty key', async () => {
    expect(await apply('external-secrets.io/v1', { ...base, target: { deletionPolicy: 'Merge' }, data: [{ secretKey: 'a', remoteRef: ref }, { secretKey: 'a', remoteRef: { key: 'x' } }] })).toBe('accepted');
    expect(await apply('external-secrets.io/v1', { ...base, target: { creationPolicy: 'Orphan', deletionPolicy: 'Delete' } })).toBe('accepted');
    // With a store prefix, an empty key names the secret the prefix alone names: ESO reads it.
    expect(await apply('external-secrets.io/v1', { ...base, data: [{ secretKey: 'a', remoteRef: { key: '' } }] })).toBe('accepted');
    expect(await apply('external-secrets.io/v1', { secretStoreRef: { name: 'aws' }, dataFrom: [{ extract: { key: '' } }] })).toBe('accepted');
  });

  for (const apiVersion of ['external-secrets.io/v1', 'external-secrets.io/v1beta1']) {
    it(`${apiVersion} accepts creationPolicy CreateOrMerge (ESO 2.9), alone and with deletionPolicy Retain or Merge`, async () => {
      expect(await apply(apiVersion, { ...base, target: { creationPolicy: 'CreateOrMerge' } })).toBe('accepted');
      expect(await apply(apiVersion, { ...base, target: { creationPolicy: 'CreateOrMerge', deletionPolicy: 'Retain' } })).toBe('accepted');
      expect(await apply(apiVersion, { ...base, target: { creationPolicy: 'CreateOrMerge', deletionPolicy: 'Merge' } })).toBe('accepted');
    });
  }

  it('a ClusterExternalSecret accepts creationPolicy CreateOrMerge and refuses it with deletionPolicy Delete', async () => {
    const name = `ces-${Math.random().toString(36).slice(2, 8)}`;
    const ces = (target: Record<string, unknown>) => applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name },
      spec: { namespaces: ['none-such'], externalSecretSpec: { ...base, target } },
    }).then(() => 'accepted', (e) => e);
    expect(await ces({ creationPolicy: 'CreateOrMerge' })).toBe('accepted');
    await h.kube.request('DELETE', `/apis/external-secrets.io/v1/clusterexternalsecrets/${name}`);
    const refused = await ces({ creationPolicy: 'CreateOrMerge', deletionPolicy: 'Delete' });
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(/deletionPolicy Delete would delete a Secret this ExternalSecret does not own/);
  });

  it('fills in ESO\'s defaults', async () => {
    const name = 'defaults';
    await applyManifest(h.kube, { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace: ns }, spec: base });
    const es = await h.externalSecret(ns, name);
    expect(es.spec.refreshInterval).toBe('1h0m0s');
    expect(es.spec.secretStoreRef.kind).toBe('SecretStore');
    expect(es.spec.target).toMatchObject({ creationPolicy: 'Owner', deletionPolicy: 'Retain' });
    expect(es.spec.data[0].remoteRef).toMatchObject({ conversionStrategy: 'Default', decodingStrategy: 'None', metadataPolicy: 'None' });
  });
});

describe('templateFrom[].target at apply, as ESO v2.9 takes it', () => {
  const withTarget = (target: string, manifest?: { apiVersion: string; kind: string }) => ({
    ...base,
    target: { ...(manifest ? { manifest } : {}), template: { templateFrom: [{ literal: 'a: b', target }] } },
  });
  const refusal = /templateFrom\[\]\.target of a Secret target must be Data, Annotations or Labels \(any case\)/;

  it('v1, a Secret target (no manifest, or a v1 Secret manifest): Data, Annotations, Labels in any case, or empty; any path is refused, as ESO\'s webhook refuses it', async () => {
    for (const manifest of [undefined, { apiVersion: 'v1', kind: 'Secret' }]) {
      for (const target of ['Data', 'data', 'ANNOTATIONS', 'Labels', '']) {
        expect(await apply('external-secrets.io/v1', withTarget(target, manifest)), `${target} ${JSON.stringify(manifest)}`).toBe('accepted');
      }
      for (const target of ['type', 'immutable', 'metadata.ownerReferences', 'spec.database.config', 'data.key']) {
        const verdict = await apply('external-secrets.io/v1', withTarget(target, manifest));
        expect(verdict, target).toMatchObject({ status: 422, message: expect.stringMatching(refusal) });
      }
    }
  });

  it('v1, a generic target (a ConfigMap or another kind): any string, paths included (ESO\'s v1 schema has no enum)', async () => {
    for (const target of ['data.config', 'spec.database.config', 'Data', 'labels']) {
      expect(await apply('external-secrets.io/v1', withTarget(target, { apiVersion: 'v1', kind: 'ConfigMap' })), target).toBe('accepted');
    }
    expect(await apply('external-secrets.io/v1', withTarget('spec.x', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' }))).toBe('accepted');
  });

  it('v1beta1 keeps ESO\'s v1beta1 enum: Data, Annotations or Labels exactly', async () => {
    expect(await apply('external-secrets.io/v1beta1', withTarget('Labels'))).toBe('accepted');
    for (const target of ['data', 'data.config']) {
      expect(await apply('external-secrets.io/v1beta1', withTarget(target, { apiVersion: 'v1', kind: 'ConfigMap' })), target)
        .toMatchObject({ status: 422, message: expect.stringMatching(/Unsupported value/) });
    }
  });

  it('a ClusterExternalSecret\'s externalSecretSpec follows the same rule', async () => {
    // Applied and deleted at once: a ClusterExternalSecret is cluster-scoped, and no namespace controller clears it.
    const ces = async (target: string) => {
      const name = `ces-${Math.random().toString(36).slice(2, 8)}`;
      try {
        await applyManifest(h.kube, {
          apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name },
          spec: { namespaceSelectors: [{ matchLabels: { 'no-such-label': 'x' } }], externalSecretSpec: withTarget(target) },
        });
      } catch (err: any) {
        return { status: err.status, message: err.message };
      }
      await h.kube.request('DELETE', `/apis/external-secrets.io/v1/clusterexternalsecrets/${name}`);
      return 'accepted';
    };
    expect(await ces('annotations')).toBe('accepted');
    expect(await ces('spec.x')).toMatchObject({ status: 422, message: expect.stringMatching(refusal) });
  });
});

describe('syncWindows bounds at apply (narrower than ESO: no real manifest comes near them)', () => {
  const windows = (n: number, schedule = '0 22 * * *') => ({ ...base, syncWindows: { kind: 'deny', windows: Array.from({ length: n }, () => ({ schedule, duration: '1h' })) } });
  // A five-field schedule of exactly `length` characters: the minute field a list of zeros.
  const scheduleOf = (length: number) => `${length % 2 ? '0' : '00'}${',0'.repeat(Math.floor((length - 9) / 2))} 0 * * *`;

  for (const apiVersion of ['external-secrets.io/v1', 'external-secrets.io/v1beta1']) {
    it(`${apiVersion}: at most 50 windows, a schedule of at most 256 characters`, async () => {
      expect([scheduleOf(256).length, scheduleOf(257).length]).toEqual([256, 257]);
      expect(await apply(apiVersion, windows(50))).toBe('accepted');
      expect(await apply(apiVersion, windows(1, scheduleOf(256)))).toBe('accepted');
      expect(await apply(apiVersion, windows(51))).toMatchObject({ status: 422, message: expect.stringMatching(/spec\.syncWindows\.windows: Too many: 51: must have at most 50 items/) });
      expect(await apply(apiVersion, windows(1, scheduleOf(257)))).toMatchObject({
        status: 422, message: expect.stringMatching(/spec\.syncWindows\.windows\[0\]\.schedule: Too long/),
      });
    });
  }

  it("a ClusterExternalSecret's externalSecretSpec has the same bounds", async () => {
    const name = `ces-${Math.random().toString(36).slice(2, 8)}`;
    const verdict = await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name },
      spec: { namespaceSelectors: [{ matchLabels: { 'no-such-label': 'x' } }], externalSecretSpec: windows(51) },
    }).then(() => 'accepted', (err: any) => ({ status: err.status, message: err.message }));
    if (verdict === 'accepted') await h.kube.request('DELETE', `/apis/external-secrets.io/v1/clusterexternalsecrets/${name}`);
    expect(verdict).toMatchObject({ status: 422, message: expect.stringMatching(/spec\.externalSecretSpec\.syncWindows\.windows: Too many: 51/) });
  });
});

describe('store validation at apply', () => {
  it('rejects a SecretStore without a region, and auth with both jwt and secretRef', async () => {
    const store = (aws: Record<string, unknown>) => applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 's', namespace: ns }, spec: { provider: { aws: { service: 'SecretsManager', ...aws } } },
    }).then(() => 'accepted', (e) => e);
    expect((await store({})).message).toMatch(/region/);
    const both = await store({ region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'sa' } }, secretRef: { accessKeyIDSecretRef: { name: 'k', key: 'id' }, secretAccessKeySecretRef: { name: 'k', key: 's' } } } });
    expect(both.status).toBe(422);
  });
});

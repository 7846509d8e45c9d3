import { describe, expect, it } from 'vitest';
import type { ExternalSecret, ExternalSecretSpec } from '../../src/api/generated.ts';
import { nextSecret } from '../../src/sync/desired-secret.ts';
import { unsupportedFields } from '../../src/sync/unsupported.ts';

const spec = (target: ExternalSecretSpec['target']): ExternalSecretSpec =>
  ({ secretStoreRef: { name: 's' }, data: [{ secretKey: 'k', remoteRef: { key: 'x' } }], target } as ExternalSecretSpec);

describe('unsupportedFields', () => {
  it('no longer reports template.metadata.finalizers: they are written to the target Secret, as ESO does', () => {
    const target = { template: { metadata: { finalizers: ['example.com/keep'] } } };
    expect(unsupportedFields(spec(target))).toEqual([]);
    const es = { metadata: { name: 'es', namespace: 'ns', uid: 'u' }, spec: spec(target) } as ExternalSecret;
    expect(nextSecret(es, { data: {}, labels: {}, annotations: {} }, undefined).metadata.finalizers).toEqual(['example.com/keep']);
  });
});

describe('unsupportedFields: sourceRef', () => {
  it('accepts sourceRef.storeRef in data and dataFrom: each entry reads through its own store', () => {
    expect(unsupportedFields({
      data: [{ secretKey: 'k', remoteRef: { key: 'x' }, sourceRef: { storeRef: { name: 'other' } } }],
      dataFrom: [{ extract: { key: 'y' }, sourceRef: { storeRef: { name: 'shared', kind: 'ClusterSecretStore' } } }],
    })).toEqual([]);
  });

  it('reports data[].sourceRef.generatorRef by path (not implemented there, as in ESO); dataFrom[].sourceRef.generatorRef is implemented', () => {
    expect(unsupportedFields({
      secretStoreRef: { name: 's' },
      data: [{ secretKey: 'k', remoteRef: { key: 'x' } }, { secretKey: 'g', remoteRef: { key: 'x' }, sourceRef: { generatorRef: { kind: 'UUID', name: 'id' } } }],
      dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: 'pw' } } }, { extract: { key: 'y' } }],
    })).toEqual([
      'spec.data[1].sourceRef.generatorRef (UUID "id": a generator cannot fill one key of spec.data, as in ESO, where it is deprecated and not implemented; use spec.dataFrom[].sourceRef.generatorRef)',
    ]);
  });
});

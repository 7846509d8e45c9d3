import { describe, expect, it } from 'vitest';
import type { ClusterSecretStore, SecretStore } from '../../src/api/generated.ts';
import { storeReady } from '../../src/controllers/secretstore/reconciler.ts';
import { unsupportedAwsFields, validateStore } from '../../src/controllers/secretstore/validate.ts';
import { codeOf } from '../helpers/expect-helpers.ts';

const aws = { service: 'SecretsManager' as const, region: 'eu-west-1' };
const ss = (provider: any): SecretStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 's', namespace: 'team-a' }, spec: { provider } });
const css = (provider: any): ClusterSecretStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'shared' }, spec: { provider } });

describe('store Ready condition', () => {
  it('is True with ESO\'s reason Valid for a store this operator can use', () => {
    expect(storeReady(ss({ aws }))).toEqual({ status: 'True', reason: 'Valid', message: 'store validated' });
  });

  it('carries the failure\'s own reason code, and starts its message with it', () => {
    const cases: Array<[SecretStore | ClusterSecretStore, string, string]> = [
      [ss({ vault: { server: 'https://vault' } }), 'UnsupportedProvider', 'spec.provider.vault'],
      [css({ aws: { ...aws, service: 'CertificateManager' } }), 'UnsupportedProvider', 'spec.provider.aws.service "CertificateManager"'],
      // ESO says InvalidProviderConfig when it cannot build a client from the store; so do we.
      [ss({ aws: { service: 'SecretsManager' } }), 'InvalidProviderConfig', 'spec.provider.aws.region is required'],
      [ss({ aws: { ...aws, auth: { jwt: { serviceAccountRef: { name: 'sa', namespace: 'team-b' } } } } }), 'InvalidProviderConfig', 'team-b'],
      [css({ aws: { ...aws, sessionTagsPolicy: 'Simple' } }), 'UnsupportedField', 'spec.provider.aws.sessionTagsPolicy: Simple'],
    ];
    for (const [store, reason, detail] of cases) {
      const ready = storeReady(store);
      expect(ready).toMatchObject({ status: 'False', reason });
      expect(ready.message.startsWith(`${reason}: `)).toBe(true);
      expect(ready.message).toContain(detail);
    }
  });
});

describe('unsupported AWS provider fields', () => {
  it('reports automatic and custom session tags by path, and accepts policy None and plain sessionTags', () => {
    expect(unsupportedAwsFields({ ...aws, sessionTagsPolicy: 'None', sessionTags: [{ key: 'team', value: 'a' }], transitiveTagKeys: ['team'] })).toEqual([]);
    expect(unsupportedAwsFields({ ...aws, customSessionTags: {} })).toEqual([]);
    expect(unsupportedAwsFields({ ...aws, sessionTagsPolicy: 'Custom', customSessionTags: { team: 'a' } }))
      .toEqual(['spec.provider.aws.sessionTagsPolicy: Custom', 'spec.provider.aws.customSessionTags']);
    expect(codeOf(() => validateStore(ss({ aws: { ...aws, customSessionTags: { team: 'a' } } })))).toBe('UnsupportedField');
    expect(codeOf(() => validateStore(ss({ aws: { ...aws, sessionTagsPolicy: 'None' } })))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { PushSecretData } from '../../src/api/generated.ts';
import { parameterStoreMetadata, secretsManagerMetadata, tagKeysToRemove, tagsNeedUpdate } from '../../src/push/push-metadata.ts';
import { entryValue, reverseKey, wholeSecretJson } from '../../src/push/push-value.ts';

const bytes = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const entry = (secretKey: string | undefined, extra: Partial<PushSecretData> = {}): PushSecretData =>
  ({ match: { ...(secretKey !== undefined ? { secretKey } : {}), remoteRef: { remoteKey: 'r' } }, ...extra });

describe('entryValue (what a PushSecret entry pushes)', () => {
  it('is the bytes of the named key, and an error naming a key the Secret lacks', () => {
    expect(text(entryValue(bytes({ a: 'x', b: 'y' }), entry('b'), 'strings', 'spec.data[0]'))).toBe('y');
    expect(() => entryValue(bytes({ a: 'x' }), entry('missing'), 'strings', 'spec.data[0]'))
      .toThrow(expect.objectContaining({ code: 'SourceKeyNotFound', message: 'secret key missing does not exist' }));
  });

  it('is the whole Secret as ESO\'s JSONMarshal writes it when secretKey is empty: sorted keys, no HTML escaping', () => {
    const data = bytes({ zeta: 'a<b>&"', alpha: 'line\n', 'é': 'ü' });
    expect(text(entryValue(data, entry(''), 'strings', 'at'))).toBe('{"alpha":"line\\n","zeta":"a<b>&\\"","é":"ü"}');
    expect(text(entryValue(data, entry(undefined), 'base64', 'at')))
      .toBe(`{"alpha":"${Buffer.from('line\n').toString('base64')}","zeta":"${Buffer.from('a<b>&"').toString('base64')}","é":"${Buffer.from('ü').toString('base64')}"}`);
    expect(text(wholeSecretJson({}, 'strings'))).toBe('{}');
    // Invalid UTF-8 in a value is written as Go writes it: \ufffd.
    expect(text(wholeSecretJson({ k: new Uint8Array([0x61, 0xff]) }, 'strings'))).toBe('{"k":"a\\ufffd"}');
  });

  it('reverses an ExternalSecret\'s Unicode key conversion under ReverseUnicode, before the key is looked up', () => {
    expect(reverseKey('a_U002f_b_U1f600_', 'ReverseUnicode')).toBe('a/b😀');
    expect(reverseKey('a_U002f_b', 'None')).toBe('a_U002f_b');
    expect(reverseKey('_Ud800_', 'ReverseUnicode')).toBe('\ufffd');
    const data = bytes({ 'tls_U002e_crt': 'cert' });
    expect(text(entryValue(data, entry('tls.crt', { conversionStrategy: 'ReverseUnicode' }), 'strings', 'at'))).toBe('cert');
    expect(() => entryValue(data, entry('tls.crt'), 'strings', 'at')).toThrow(/does not exist/);
    expect(() => entryValue(bytes({ 'a_U002f_': '1', 'a/': '2' }), entry('', { conversionStrategy: 'ReverseUnicode' }), 'strings', 'spec.data[3]'))
      .toThrow(expect.objectContaining({ code: 'InvalidSecretKey', message: 'spec.data[3]: could not apply conversion strategy to keys: secret name collision during conversion: a/' }));
  });
});

const meta = (spec: Record<string, unknown>) => ({ apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec });

describe('PushSecretMetadata, as ESO\'s AWS providers read it', () => {
  it('fills in ESO\'s Secrets Manager defaults and always adds the managed-by tag', () => {
    expect(secretsManagerMetadata(undefined, 'm')).toEqual({
      secretPushFormat: 'binary', description: "secret 'managed-by:external-secrets'", kmsKeyID: 'alias/aws/secretsmanager', tags: { 'managed-by': 'external-secrets' },
    });
    expect(secretsManagerMetadata(meta({ secretPushFormat: 'string', kmsKeyID: 'k', description: 'd', tags: { a: 'b' } }), 'm')).toEqual({
      secretPushFormat: 'string', description: 'd', kmsKeyID: 'k', tags: { a: 'b', 'managed-by': 'external-secrets' },
    });
  });

  it('fills in ESO\'s Parameter Store defaults', () => {
    expect(parameterStoreMetadata(undefined, 'm')).toEqual({
      secretType: 'String', kmsKeyID: 'alias/aws/ssm', tier: { type: 'Standard' }, encodeAsDecoded: false,
      tags: { 'managed-by': 'external-secrets' }, description: "secret 'managed-by:external-secrets'",
    });
    expect(parameterStoreMetadata(meta({ secretType: 'SecureString', tier: { type: 'Advanced', policies: [{ Type: 'Expiration' }] }, encodeAsDecoded: true }), 'm'))
      .toMatchObject({ secretType: 'SecureString', tier: { type: 'Advanced', policies: [{ Type: 'Expiration' }] }, encodeAsDecoded: true });
  });

  it('refuses what ESO refuses: another apiVersion or kind, an unknown field, a managed-by tag, a bad format', () => {
    const code = (fn: () => unknown) => { try { fn(); } catch (err) { return [(err as { code: string }).code, (err as Error).message]; } return undefined; };
    expect(code(() => secretsManagerMetadata({ apiVersion: 'v1', kind: 'PushSecretMetadata' }, 'spec.data[0].metadata')))
      .toEqual(['InvalidSpec', 'spec.data[0].metadata: unexpected apiVersion "v1", expected "kubernetes.external-secrets.io/v1alpha1"']);
    expect(code(() => secretsManagerMetadata({ apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'Other' }, 'm')))
      .toEqual(['InvalidSpec', 'm: unexpected kind "Other", expected "PushSecretMetadata"']);
    expect(code(() => secretsManagerMetadata(meta({ secretType: 'String' }), 'm'))?.[1]).toBe('m.spec: unknown field "secretType" (known: secretPushFormat, description, kmsKeyID, tags, resourcePolicy)');
    expect(code(() => secretsManagerMetadata(meta({ tags: { 'managed-by': 'me' } }), 'm'))?.[1]).toBe("m: error parsing tags in metadata: Cannot specify a 'managed-by' tag");
    expect(code(() => secretsManagerMetadata(meta({ secretPushFormat: 'text' }), 'm'))?.[1]).toBe('m: failed to parse metadata: invalid secret push format: text');
    expect(code(() => secretsManagerMetadata(meta({ resourcePolicy: {} }), 'm'))?.[0]).toBe('UnsupportedField');
    expect(code(() => parameterStoreMetadata(meta({ secretType: 'Blob' }), 'm'))?.[0]).toBe('InvalidSpec');
  });

  it('says which tags to remove and whether to tag again, as ESO compares them', () => {
    expect(tagKeysToRemove({ a: '1', old: 'x', 'managed-by': 'external-secrets' }, { a: '1', 'managed-by': 'external-secrets' })).toEqual(['old']);
    expect(tagsNeedUpdate({ a: '1', 'managed-by': 'external-secrets' }, { a: '1', 'managed-by': 'external-secrets' }, true)).toBe(false);
    expect(tagsNeedUpdate({ a: '1' }, { a: '2', 'managed-by': 'external-secrets' }, true)).toBe(true);
    expect(tagsNeedUpdate({ a: '1' }, { a: '1', 'managed-by': 'external-secrets' }, true)).toBe(false);
    expect(tagsNeedUpdate({ a: '1' }, { a: '1', 'managed-by': 'external-secrets' }, false)).toBe(true);
  });
});

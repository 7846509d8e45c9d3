import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../src/api/core.ts';
import type { ExternalSecret, ExternalSecretTarget, OwnerReference } from '../../src/api/generated.ts';
import { OperatorError } from '../../src/errors.ts';
import { validUtf8Text } from '../../src/go/utf8.ts';
import { configMapDataHash, configMapHashMatches, nextConfigMap } from '../../src/sync/desired-configmap.ts';
import type { RenderedTarget } from '../../src/sync/desired-secret.ts';
import { fieldManagerFor } from '../../src/sync/managed-fields.ts';

const MANAGED = 'reconcile.external-secrets.io/managed';
const CREATED_BY = 'reconcile.external-secrets.io/created-by';
const DATA_HASH = 'reconcile.external-secrets.io/data-hash';
/** objectHash("default/db"), as in desired-secret.test.ts. */
const OWNER_HASH = '2f9a66a8dc56ede26cf54ed3ebac6898cbf2b8da9d25db95c1eb183b';
/**
 * ESO's hash of a ConfigMap's data, computed with Go 1.24 as ESO does it: hex SHA3-224 of
 * fmt.Sprintf("%+v", data), for data {user: admin, password: s3cr3t} (the same as map[string]string
 * or as the map[string]any of an unstructured object) and for the empty map.
 */
const GO_HASH_USER_PASSWORD = '411eee07391d1fdadc13af0a53424676e4160b85c4bbbb42f8f7d9b3';
const GO_HASH_EMPTY = '74a974446e359fb3e6baff9bd0058950e6edd0f040888d9989b0a11b';
/** The same for {"é": "ü", "a b": "x:y z"}: keys in byte order, nothing quoted. */
const GO_HASH_UNQUOTED = 'aef44a1be1fc138987eae13dadd342295787aa5b75cfd6f659ef9a16';

const OUR_REF: OwnerReference = {
  apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'db', uid: 'es-uid-1', controller: true, blockOwnerDeletion: true,
};

const externalSecret = (target: ExternalSecretTarget = {}): ExternalSecret => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace: 'default', uid: 'es-uid-1' },
  spec: { target: { name: 'app-config', manifest: { apiVersion: 'v1', kind: 'ConfigMap' }, ...target } },
});

const rendered = (data: Record<string, string | Uint8Array>, rest: Partial<Omit<RenderedTarget, 'data'>> = {}): RenderedTarget => ({
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : v])),
  labels: {},
  annotations: {},
  ...rest,
});

const live = (cm: Omit<Partial<ConfigMap>, 'metadata'> & { metadata?: Partial<ConfigMap['metadata']> }): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  ...cm,
  metadata: { name: 'app-config', namespace: 'default', uid: 'cm-uid', resourceVersion: '7', ...cm.metadata },
});

describe('configMapDataHash: ESO\'s data-hash of a generic target', () => {
  it('is Go\'s hash of the data map, as ESO computes it', () => {
    expect(configMapDataHash({ user: 'admin', password: 's3cr3t' })).toBe(GO_HASH_USER_PASSWORD);
    expect(configMapDataHash({ 'é': 'ü', 'a b': 'x:y z' })).toBe(GO_HASH_UNQUOTED);
  });

  it('takes absent data (the apiserver omits an empty map) as the empty map', () => {
    expect(configMapDataHash({})).toBe(GO_HASH_EMPTY);
    expect(configMapDataHash(undefined)).toBe(GO_HASH_EMPTY);
  });
});

describe('nextConfigMap: a new ConfigMap', () => {
  it('Owner (the default): values as text in data, managed and created-by labels, data-hash, a controller ownerReference', () => {
    const cm = nextConfigMap(externalSecret(), rendered({ user: 'admin', password: 's3cr3t' }, { labels: { app: 'x' }, annotations: { note: 'n' } }), undefined);
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'app-config',
        namespace: 'default',
        ownerReferences: [OUR_REF],
        labels: { app: 'x', [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH },
        annotations: { note: 'n', [DATA_HASH]: GO_HASH_USER_PASSWORD },
      },
      data: { user: 'admin', password: 's3cr3t' },
    });
    expect(cm.binaryData).toBeUndefined();
  });

  it('Orphan: no ownerReference and no created-by label', () => {
    const cm = nextConfigMap(externalSecret({ creationPolicy: 'Orphan' }), rendered({ user: 'admin' }), undefined);
    expect(cm.metadata.ownerReferences).toBeUndefined();
    expect(cm.metadata.labels).toEqual({ [MANAGED]: 'true' });
  });

  it('the target name defaults to the ExternalSecret\'s', () => {
    const es = externalSecret();
    delete es.spec.target!.name;
    expect(nextConfigMap(es, rendered({ a: 'b' }), undefined).metadata.name).toBe('db');
  });

  it('bytes that are not UTF-8 become U+FFFD one byte at a time, as Go\'s JSON encoder writes string(bytes)', () => {
    const cm = nextConfigMap(externalSecret(), rendered({ raw: new Uint8Array([0x61, 0xff, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98, 0x80]) }), undefined);
    // Go 1.24: json.Marshal(string([]byte{0x61, 0xff, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98, 0x80})) is "a\ufffd\ufffd\ufffdb😀".
    expect(cm.data).toEqual({ raw: 'a\ufffd\ufffd\ufffdb😀' });
    expect(cm.metadata.annotations![DATA_HASH]).toBe(configMapDataHash({ raw: 'a\ufffd\ufffd\ufffdb😀' }));
  });

  it('immutable: created immutable', () => {
    expect(nextConfigMap(externalSecret({ immutable: true }), rendered({ a: 'b' }), undefined).immutable).toBe(true);
  });

  it('past 1 MiB of data, keys counted as Kubernetes counts them for a ConfigMap, it is SecretTooLarge', () => {
    const value = 'x'.repeat((1 << 20) - 3);
    expect(() => nextConfigMap(externalSecret(), rendered({ abc: value }), undefined)).not.toThrow();
    const err = (() => {
      try {
        nextConfigMap(externalSecret(), rendered({ abcd: value }), undefined);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OperatorError);
    expect((err as OperatorError).code).toBe('SecretTooLarge');
    expect((err as OperatorError).message).toBe("the ConfigMap's data and binaryData, keys included would be more than 1048576 bytes (1024 KiB), "
      + 'the most Kubernetes accepts in a ConfigMap');
  });
});

describe('nextConfigMap: over a live ConfigMap', () => {
  const manager = fieldManagerFor('db');
  const ourFields = (data: string[], labels: string[] = [], annotations: string[] = []) => [{
    manager,
    fieldsV1: {
      'f:data': Object.fromEntries(data.map((k) => [`f:${k}`, {}])),
      'f:metadata': {
        'f:labels': Object.fromEntries(labels.map((k) => [`f:${k}`, {}])),
        'f:annotations': Object.fromEntries(annotations.map((k) => [`f:${k}`, {}])),
      },
    },
  }];

  it('Owner: the data is replaced whole; labels and annotations it no longer writes go, others\' stay; resourceVersion kept', () => {
    const before = live({
      data: { old: 'gone', user: 'previous' },
      metadata: {
        labels: { [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH, stale: 'ours', kept: 'theirs' },
        annotations: { [DATA_HASH]: 'x', 'ours/old': '1', 'theirs/note': '2' },
        ownerReferences: [OUR_REF],
        managedFields: ourFields(['old', 'user'], [MANAGED, CREATED_BY, 'stale'], [DATA_HASH, 'ours/old']),
      },
    });
    const cm = nextConfigMap(externalSecret(), rendered({ user: 'admin', password: 's3cr3t' }), before);
    expect(cm.data).toEqual({ user: 'admin', password: 's3cr3t' });
    expect(cm.metadata.labels).toEqual({ kept: 'theirs', [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH });
    expect(cm.metadata.annotations).toEqual({ 'theirs/note': '2', [DATA_HASH]: GO_HASH_USER_PASSWORD });
    expect(cm.metadata.resourceVersion).toBe('7');
    expect(cm.metadata.ownerReferences).toEqual([OUR_REF]);
    expect(before.data).toEqual({ old: 'gone', user: 'previous' }); // pure: the live copy is untouched
  });

  it.each(['Merge', 'CreateOrMerge'] as const)('%s: keys others wrote stay, keys it wrote before and no longer writes go; binaryData is kept; no ownerReference added', (creationPolicy) => {
    const other: OwnerReference = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', uid: 'd-1' };
    const before = live({
      data: { 'app.properties': 'a=1', user: 'old', dropped: 'ours' },
      binaryData: { blob: Buffer.from([1, 2, 3]).toString('base64') },
      metadata: { ownerReferences: [other], managedFields: ourFields(['user', 'dropped']) },
    });
    const cm = nextConfigMap(externalSecret({ creationPolicy }), rendered({ user: 'admin' }), before);
    expect(cm.data).toEqual({ 'app.properties': 'a=1', user: 'admin' });
    expect(cm.binaryData).toEqual(before.binaryData);
    expect(cm.metadata.ownerReferences).toEqual([other]);
    expect(cm.metadata.labels).toEqual({ [MANAGED]: 'true' });
    expect(cm.metadata.annotations![DATA_HASH]).toBe(configMapDataHash({ 'app.properties': 'a=1', user: 'admin' }));
  });

  it('Owner to Orphan: its ownerReference and the created-by label are removed', () => {
    const before = live({ data: { a: 'b' }, metadata: { labels: { [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH }, ownerReferences: [OUR_REF] } });
    const cm = nextConfigMap(externalSecret({ creationPolicy: 'Orphan' }), rendered({ a: 'b' }), before);
    expect(cm.metadata.ownerReferences).toBeUndefined();
    expect(cm.metadata.labels).toEqual({ [MANAGED]: 'true' });
  });

  it('immutable: a live immutable ConfigMap keeps its data', () => {
    const before = live({ immutable: true, data: { a: 'old' }, metadata: { labels: { [MANAGED]: 'true' } } });
    const cm = nextConfigMap(externalSecret({ immutable: true }), rendered({ a: 'new' }), before);
    expect(cm.data).toEqual({ a: 'old' });
  });
});

describe('configMapHashMatches: drift', () => {
  it('true for a ConfigMap as written, false once its data is edited', () => {
    const written = nextConfigMap(externalSecret(), rendered({ user: 'admin' }), undefined);
    expect(configMapHashMatches(written)).toBe(true);
    expect(configMapHashMatches({ ...written, data: { user: 'root' } })).toBe(false);
    expect(configMapHashMatches({ ...written, data: { user: 'admin', extra: 'x' } })).toBe(false);
  });

  it('an empty data map written, read back without data, still matches', () => {
    const { data: _, ...written } = nextConfigMap(externalSecret(), rendered({}), undefined);
    expect(configMapHashMatches(written)).toBe(true);
  });
});

describe('validUtf8Text', () => {
  it('keeps valid UTF-8 (U+FFFD itself included) and replaces each invalid byte', () => {
    expect(validUtf8Text(new Uint8Array(Buffer.from('héllo ✓ 😀 \ufffd', 'utf8')))).toBe('héllo ✓ 😀 \ufffd');
    // An overlong form, a surrogate and a truncated sequence at the end: one U+FFFD per byte, as Go.
    expect(validUtf8Text(new Uint8Array([0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80, 0x20, 0xf0, 0x9f]))).toBe('\ufffd\ufffd \ufffd\ufffd\ufffd \ufffd\ufffd');
  });
});

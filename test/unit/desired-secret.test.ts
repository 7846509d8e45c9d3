import { describe, expect, it } from 'vitest';
import type { ExternalSecret, ExternalSecretTarget, OwnerReference } from '../../src/api/generated.ts';
import type { Secret } from '../../src/api/core.ts';
import { nextSecret, type RenderedTarget } from '../../src/sync/desired-secret.ts';
import { dataHash, objectHash } from '../../src/go/hash.ts';
import { fieldManagerFor } from '../../src/sync/managed-fields.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const byteMap = (map: Record<string, string>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, bytes(v)]));

const MANAGED = 'reconcile.external-secrets.io/managed';
const CREATED_BY = 'reconcile.external-secrets.io/created-by';
const DATA_HASH = 'reconcile.external-secrets.io/data-hash';
/** objectHash("default/db"): hex SHA3-224 of the ExternalSecret's namespace/name. */
const OWNER_HASH = '2f9a66a8dc56ede26cf54ed3ebac6898cbf2b8da9d25db95c1eb183b';
const MANAGER = 'externalsecrets.external-secrets.io/db';

const OUR_REF: OwnerReference = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  name: 'db',
  uid: 'es-uid-1',
  controller: true,
  blockOwnerDeletion: true,
};
const OTHER_REF: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'anchor', uid: 'cm-uid-9' };

const externalSecret = (target: ExternalSecretTarget = {}): ExternalSecret => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace: 'default', uid: 'es-uid-1' },
  spec: { target: { name: 'db-credentials', ...target } },
});

const rendered = (data: Record<string, string>, rest: Partial<Omit<RenderedTarget, 'data'>> = {}): RenderedTarget => ({
  data: byteMap(data),
  labels: {},
  annotations: {},
  ...rest,
});

/** A Secret as the API server returns it. */
const live = (secret: { data?: Record<string, string>; metadata?: Partial<Secret['metadata']>; type?: string; immutable?: boolean }): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-credentials', namespace: 'default', uid: 'secret-uid', resourceVersion: '42', ...secret.metadata },
  type: secret.type ?? 'Opaque',
  ...(secret.data ? { data: secret.data } : {}),
  ...(secret.immutable ? { immutable: true } : {}),
});

describe('nextSecret: a new Secret', () => {
  it('with creationPolicy Owner (the default): controller ownerReference, managed and created-by labels, data-hash, Opaque', () => {
    const secret = nextSecret(externalSecret(), rendered({ user: 'admin', password: 's3cr3t' }), undefined);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db-credentials',
        namespace: 'default',
        ownerReferences: [OUR_REF],
        labels: { [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH },
        annotations: { [DATA_HASH]: '4fac6c272152e82e338ab3ca539720ab04f0d411c4cd4ac88acba471' },
      },
      type: 'Opaque',
      data: { user: 'YWRtaW4=', password: 'czNjcjN0' },
    });
  });

  it('computes the created-by label and the data-hash with ESO hashes', () => {
    const secret = nextSecret(externalSecret(), rendered({ user: 'admin', password: 's3cr3t' }), undefined);
    expect(secret.metadata.labels![CREATED_BY]).toBe(objectHash('default/db'));
    expect(secret.metadata.annotations![DATA_HASH]).toBe(dataHash(byteMap({ user: 'admin', password: 's3cr3t' })));
  });

  it('is named after the ExternalSecret when target.name is not set', () => {
    const es = externalSecret();
    delete es.spec.target!.name;
    expect(nextSecret(es, rendered({}), undefined).metadata.name).toBe('db');
  });

  it('with creationPolicy Orphan: no ownerReference and no created-by label', () => {
    const secret = nextSecret(externalSecret({ creationPolicy: 'Orphan' }), rendered({ user: 'admin' }), undefined);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db-credentials',
        namespace: 'default',
        labels: { [MANAGED]: 'true' },
        annotations: { [DATA_HASH]: dataHash(byteMap({ user: 'admin' })) },
      },
      type: 'Opaque',
      data: { user: 'YWRtaW4=' },
    });
  });

  it('carries the rendered labels and annotations', () => {
    const secret = nextSecret(externalSecret(), rendered({ k: 'v' }, { labels: { team: 'payments' }, annotations: { note: 'hi' } }), undefined);
    expect(secret.metadata.labels).toEqual({ team: 'payments', [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH });
    expect(secret.metadata.annotations).toEqual({ note: 'hi', [DATA_HASH]: dataHash(byteMap({ k: 'v' })) });
  });

  const types: [what: string, type: string | undefined, expected: string][] = [
    ['no template.type', undefined, 'Opaque'],
    ['template.type', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/dockerconfigjson'],
  ];
  it.each(types)('has the right type with %s', (_what, type, expected) => {
    expect(nextSecret(externalSecret(), rendered({}, type ? { type } : {}), undefined).type).toBe(expected);
  });

  it('is immutable when the target asks for it', () => {
    const secret = nextSecret(externalSecret({ immutable: true }), rendered({ a: 'new' }), undefined);
    expect(secret.immutable).toBe(true);
    expect(secret.data).toEqual({ a: 'bmV3' });
  });

  it('writes a data key "__proto__" as a real key, as ESO would', () => {
    const data: Record<string, Uint8Array> = Object.create(null);
    data['__proto__'] = bytes('x');
    data['a'] = bytes('kept');
    const secret = nextSecret(externalSecret(), { data, labels: {}, annotations: {} }, undefined);
    expect(Object.keys(secret.data!)).toEqual(['__proto__', 'a']);
    expect(secret.data!['__proto__']).toBe('eA==');
    // map[__proto__:[120] a:[107 101 112 116]]
    expect(secret.metadata.annotations![DATA_HASH]).toBe('6a44528f557d6613c8ec0a6ba8e909b6bd5f48cb964ebf6495b2d134');
  });
});

describe('nextSecret: creationPolicy Owner and Orphan over a live Secret', () => {
  const leftFromOwner = live({
    data: { old: 'b2xk', foreign: 'Zg==' },
    metadata: {
      ownerReferences: [OTHER_REF, OUR_REF],
      labels: { [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH, 'example.com/foreign': 'f' },
      annotations: { [DATA_HASH]: 'stale', 'example.com/note': 'n' },
    },
  });

  it('Orphan removes the created-by label and our ownerReference, keeping other owners', () => {
    const secret = nextSecret(externalSecret({ creationPolicy: 'Orphan' }), rendered({ new: 'new' }), leftFromOwner);
    expect(secret.metadata.ownerReferences).toEqual([OTHER_REF]);
    expect(secret.metadata.labels).toEqual({ [MANAGED]: 'true', 'example.com/foreign': 'f' });
  });

  it('Orphan drops ownerReferences entirely when ours was the only one', () => {
    const onlyOurs = live({ data: {}, metadata: { ownerReferences: [OUR_REF], labels: { [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH } } });
    const secret = nextSecret(externalSecret({ creationPolicy: 'Orphan' }), rendered({}), onlyOurs);
    expect('ownerReferences' in secret.metadata).toBe(false);
    expect(secret.metadata.labels).toEqual({ [MANAGED]: 'true' });
  });

  it('Owner keeps other owners and does not add our reference twice', () => {
    const secret = nextSecret(externalSecret(), rendered({ new: 'new' }), leftFromOwner);
    expect(secret.metadata.ownerReferences).toEqual([OTHER_REF, OUR_REF]);
    expect(secret.metadata.labels).toEqual({ [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH, 'example.com/foreign': 'f' });
  });

  const policies: ['Owner' | 'Orphan'][] = [['Owner'], ['Orphan']];
  it.each(policies)('%s replaces the data whole but keeps foreign labels and annotations and the type', (creationPolicy) => {
    const tls = { ...leftFromOwner, type: 'kubernetes.io/tls' };
    const secret = nextSecret(externalSecret({ creationPolicy }), rendered({ new: 'new' }), tls);
    expect(secret.data).toEqual({ new: 'bmV3' });
    expect(secret.metadata.annotations).toEqual({ 'example.com/note': 'n', [DATA_HASH]: dataHash(byteMap({ new: 'new' })) });
    expect(secret.metadata.labels!['example.com/foreign']).toBe('f');
    expect(secret.type).toBe('kubernetes.io/tls');
  });

  it('keeps what the API server set (uid, resourceVersion)', () => {
    const secret = nextSecret(externalSecret(), rendered({}), leftFromOwner);
    expect(secret.metadata.uid).toBe('secret-uid');
    expect(secret.metadata.resourceVersion).toBe('42');
  });

  it('does not modify the live Secret', () => {
    const before = structuredClone(leftFromOwner);
    nextSecret(externalSecret({ creationPolicy: 'Orphan' }), rendered({ new: 'new' }, { labels: { a: 'b' } }), leftFromOwner);
    expect(leftFromOwner).toEqual(before);
  });
});

describe('nextSecret: creationPolicy Merge', () => {
  const merge = externalSecret({ creationPolicy: 'Merge' });
  const target = live({
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'Y2VydA==', old: 'b2xk', again: 'b2xk' },
    metadata: {
      labels: { 'example.com/foreign': 'f', x: 'ours-before', [MANAGED]: 'true' },
      annotations: { 'example.com/note': 'n', y: 'ours-before', [DATA_HASH]: 'stale' },
      managedFields: [
        { manager: 'cert-manager', fieldsV1: { 'f:data': { 'f:tls.crt': {} } } },
        {
          manager: MANAGER,
          fieldsV1: {
            'f:data': { '.': {}, 'f:old': {}, 'f:again': {} },
            'f:metadata': {
              'f:labels': { '.': {}, 'f:x': {}, [`f:${MANAGED}`]: {} },
              'f:annotations': { '.': {}, 'f:y': {}, [`f:${DATA_HASH}`]: {} },
            },
          },
        },
      ],
    },
  });

  it('uses the manager named after the ExternalSecret', () => {
    expect(fieldManagerFor('db')).toBe(MANAGER);
  });

  it('keeps foreign keys, labels, annotations and type, and removes what it wrote before but no longer produces', () => {
    const secret = nextSecret(merge, rendered({ again: 'new', added: 'n' }), target);
    expect(secret.data).toEqual({ 'tls.crt': 'Y2VydA==', again: 'bmV3', added: 'bg==' });
    expect(secret.metadata.labels).toEqual({ 'example.com/foreign': 'f', [MANAGED]: 'true' });
    expect(secret.metadata.annotations).toEqual({
      'example.com/note': 'n',
      [DATA_HASH]: dataHash(byteMap({ 'tls.crt': 'cert', again: 'new', added: 'n' })),
    });
    expect(secret.type).toBe('kubernetes.io/tls');
    expect('ownerReferences' in secret.metadata).toBe(false);
  });

  it('rewrites the labels and annotations it still produces', () => {
    const secret = nextSecret(merge, rendered({}, { labels: { x: 'ours-now' }, annotations: { y: 'ours-now' } }), target);
    expect(secret.metadata.labels).toEqual({ 'example.com/foreign': 'f', x: 'ours-now', [MANAGED]: 'true' });
    expect(secret.metadata.annotations).toEqual({ 'example.com/note': 'n', y: 'ours-now', [DATA_HASH]: dataHash(byteMap({ 'tls.crt': 'cert' })) });
  });

  it('counts the keys the Secret already holds towards 1 MiB: past it is SecretTooLarge', () => {
    const foreign = live({ data: { big: Buffer.alloc(700_000).toString('base64') } });
    expect(Object.keys(nextSecret(merge, rendered({ ours: 'x'.repeat(300_000) }), foreign).data!).sort()).toEqual(['big', 'ours']);
    let error: unknown;
    try {
      nextSecret(merge, rendered({ ours: 'x'.repeat(400_000) }), foreign);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'SecretTooLarge', retryable: true });
    // A foreign key it now produces counts once, at its new size.
    expect(nextSecret(merge, rendered({ big: 'x'.repeat(900_000) }), foreign).data!['big']).toHaveLength(1_200_000);
  });

  it('overwrites a foreign key it now produces', () => {
    const secret = nextSecret(merge, rendered({ 'tls.crt': 'mine' }), target);
    expect(secret.data).toEqual({ 'tls.crt': 'bWluZQ==' });
  });

  it('ignores what another ExternalSecret wrote', () => {
    const other = live({
      data: { theirs: 'eA==' },
      metadata: { labels: { t: '1' }, managedFields: [{ manager: 'externalsecrets.external-secrets.io/other', fieldsV1: { 'f:data': { 'f:theirs': {} }, 'f:metadata': { 'f:labels': { 'f:t': {} } } } }] },
    });
    const secret = nextSecret(merge, rendered({ mine: 'x' }), other);
    expect(secret.data).toEqual({ theirs: 'eA==', mine: 'eA==' });
    expect(secret.metadata.labels).toEqual({ t: '1', [MANAGED]: 'true' });
  });

  it('sets template.type over the live type', () => {
    expect(nextSecret(merge, rendered({}, { type: 'kubernetes.io/dockerconfigjson' }), target).type).toBe('kubernetes.io/dockerconfigjson');
  });

  it('computes the data-hash over the full final data, foreign keys included', () => {
    const secret = nextSecret(merge, rendered({ again: 'new', added: 'n' }), target);
    expect(secret.metadata.annotations![DATA_HASH]).not.toBe(dataHash(byteMap({ again: 'new', added: 'n' })));
    const foreignOnly = live({ data: { foreign: 'Zg==' } });
    expect(nextSecret(merge, rendered({ new: 'n' }), foreignOnly).metadata.annotations![DATA_HASH]).toBe(
      'c1d2eb2d2fc47b5e48cfd129b02adca408781b99ec33b22c4aa7936a',
    );
  });

  it('adds neither a created-by label nor an ownerReference, and removes a created-by label left behind', () => {
    const leftover = live({ data: {}, metadata: { labels: { [CREATED_BY]: OWNER_HASH, [MANAGED]: 'true' }, ownerReferences: [OUR_REF, OTHER_REF] } });
    const secret = nextSecret(merge, rendered({}), leftover);
    expect(secret.metadata.labels).toEqual({ [MANAGED]: 'true' });
    expect(secret.metadata.ownerReferences).toEqual([OTHER_REF]);
  });
});

describe('nextSecret: immutable target', () => {
  const immutable = externalSecret({ immutable: true });
  const existing = live({
    immutable: true,
    data: { a: 'b2xk' },
    metadata: { ownerReferences: [OUR_REF], labels: { [MANAGED]: 'true', [CREATED_BY]: OWNER_HASH }, annotations: { [DATA_HASH]: '15730c0e79cb3afb551fb59d3384c4256c7786debee05bf3bcc13daa' } },
  });

  it('keeps the data of the live Secret, and its hash', () => {
    const secret = nextSecret(immutable, rendered({ a: 'new', b: 'added' }), existing);
    expect(secret.data).toEqual({ a: 'b2xk' });
    expect(secret.immutable).toBe(true);
    expect(secret.metadata.annotations).toEqual({ [DATA_HASH]: '15730c0e79cb3afb551fb59d3384c4256c7786debee05bf3bcc13daa' });
  });

  it('is unchanged when nothing else changes', () => {
    expect(nextSecret(immutable, rendered({ a: 'new' }), existing)).toEqual(existing);
  });
});

describe('nextSecret: creationPolicy CreateOrMerge (ESO: created when missing, merged into when present, never owned)', () => {
  const createOrMerge = externalSecret({ creationPolicy: 'CreateOrMerge' });

  it('creates a missing Secret as Orphan would: Opaque, managed label and data-hash, no ownerReference, no created-by label', () => {
    const secret = nextSecret(createOrMerge, rendered({ user: 'admin' }), undefined);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db-credentials',
        namespace: 'default',
        labels: { [MANAGED]: 'true' },
        annotations: { [DATA_HASH]: dataHash(byteMap({ user: 'admin' })) },
      },
      type: 'Opaque',
      data: { user: 'YWRtaW4=' },
    });
  });

  it("merges into an existing Secret as Merge does: others' keys, labels, annotations and type stay, its own stale keys go", () => {
    const existing = live({
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y2VydA==', old: 'b2xk' },
      metadata: {
        labels: { 'example.com/foreign': 'f' },
        annotations: { 'example.com/note': 'n' },
        managedFields: [
          { manager: 'cert-manager', fieldsV1: { 'f:data': { 'f:tls.crt': {} } } },
          { manager: MANAGER, fieldsV1: { 'f:data': { 'f:old': {} } } },
        ],
      },
    });
    const secret = nextSecret(createOrMerge, rendered({ added: 'n' }), existing);
    expect(secret.data).toEqual({ 'tls.crt': 'Y2VydA==', added: 'bg==' });
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata.labels).toEqual({ 'example.com/foreign': 'f', [MANAGED]: 'true' });
    expect(secret.metadata.annotations).toEqual({ 'example.com/note': 'n', [DATA_HASH]: dataHash(byteMap({ 'tls.crt': 'cert', added: 'n' })) });
    expect('ownerReferences' in secret.metadata).toBe(false);
  });

  it('gives up the controller ownerReference and created-by label left from creationPolicy Owner, as ESO does', () => {
    const fromOwner = live({ data: {}, metadata: { labels: { [CREATED_BY]: OWNER_HASH, [MANAGED]: 'true' }, ownerReferences: [OUR_REF, OTHER_REF] } });
    const secret = nextSecret(createOrMerge, rendered({}), fromOwner);
    expect(secret.metadata.labels).toEqual({ [MANAGED]: 'true' });
    expect(secret.metadata.ownerReferences).toEqual([OTHER_REF]);
  });

  it("counts the keys the Secret already holds towards 1 MiB, as Merge does", () => {
    const foreign = live({ data: { big: Buffer.alloc(700_000).toString('base64') } });
    expect(() => nextSecret(createOrMerge, rendered({ ours: 'x'.repeat(400_000) }), foreign)).toThrow(expect.objectContaining({ code: 'SecretTooLarge' }));
  });
});

describe('nextSecret: template.metadata.finalizers', () => {
  const withFinalizers = (finalizers: string[], rest: ExternalSecretTarget = {}) => externalSecret({ ...rest, template: { metadata: { finalizers } } });

  it('a new Secret carries them, in order', () => {
    expect(nextSecret(withFinalizers(['a.io/a', 'b.io/b']), rendered({ k: 'v' }), undefined).metadata.finalizers).toEqual(['a.io/a', 'b.io/b']);
  });

  it('without them, a new Secret has no finalizers field at all', () => {
    expect(nextSecret(externalSecret({ template: { metadata: { finalizers: [] } } }), rendered({ k: 'v' }), undefined).metadata).not.toHaveProperty('finalizers');
  });

  it.each(['Owner', 'Orphan', 'Merge'] as const)('%s: added after the live Secret\'s own, none removed, even one this template wrote before', (creationPolicy) => {
    const existing = live({ data: {}, metadata: { finalizers: ['theirs.io/x', 'dropped.io/was-ours'], labels: { [MANAGED]: 'true' } } });
    const secret = nextSecret(withFinalizers(['theirs.io/x', 'a.io/a'], { creationPolicy }), rendered({ k: 'v' }), existing);
    expect(secret.metadata.finalizers).toEqual(['theirs.io/x', 'dropped.io/was-ours', 'a.io/a']);
  });

  it('without a template, the live finalizers are kept as they are', () => {
    const existing = live({ data: {}, metadata: { finalizers: ['theirs.io/x'] } });
    expect(nextSecret(externalSecret(), rendered({ k: 'v' }), existing).metadata.finalizers).toEqual(['theirs.io/x']);
  });

  it('a Secret being deleted gets none added, and the rest of the update still applies', () => {
    const existing = live({ data: {}, metadata: { finalizers: ['theirs.io/x'], deletionTimestamp: '2026-12-03T07:00:00Z' } });
    const secret = nextSecret(withFinalizers(['a.io/a']), rendered({ k: 'v' }), existing);
    expect(secret.metadata.finalizers).toEqual(['theirs.io/x']);
    expect(secret.data).toEqual({ k: 'dg==' });
  });

  it('an invalid name is InvalidSpec before anything is written', () => {
    expect(() => nextSecret(withFinalizers(['Not/Valid']), rendered({ k: 'v' }), undefined)).toThrow('spec.target.template.metadata.finalizers[0]: "Not/Valid" is not a valid finalizer name');
  });
});

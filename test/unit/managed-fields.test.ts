import { describe, expect, it } from 'vitest';
import { fieldManagerFor, ownedFields, type OwnedFields } from '../../src/sync/managed-fields.ts';

/** The sets as sorted arrays, so expectations read as literals. */
const listed = (owned: OwnedFields) => ({
  data: [...owned.data].sort(),
  labels: [...owned.labels].sort(),
  annotations: [...owned.annotations].sort(),
});

describe('fieldManagerFor', () => {
  // ESO: "externalsecrets.external-secrets.io/%v", or ".../sha3/%x" of sha3.Sum224(name) past 63 bytes.
  const cases: [name: string, manager: string][] = [
    ['db', 'externalsecrets.external-secrets.io/db'],
    // 36 + 27 = 63 characters: still the plain form.
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaa', 'externalsecrets.external-secrets.io/aaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    // 36 + 28 = 64 characters: hashed.
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'externalsecrets.external-secrets.io/sha3/52a6f48b37cd3535ef771a530c08d9cc4b78350ccdd33f2405e22ebb'],
    [
      'my-very-long-external-secret-name-for-production',
      'externalsecrets.external-secrets.io/sha3/e9fc8b149b120febe355a558afbae5329e90683f765cee9b2279ec81',
    ],
  ];
  it.each(cases)('%s -> %s', (name, manager) => {
    expect(fieldManagerFor(name)).toBe(manager);
  });

  it('keeps the plain form at exactly 63 characters', () => {
    expect(fieldManagerFor('a'.repeat(27))).toHaveLength(63);
  });
});

describe('ownedFields', () => {
  const manager = 'externalsecrets.external-secrets.io/db';
  const metadata = {
    managedFields: [
      {
        manager,
        operation: 'Update',
        fieldsV1: {
          'f:data': { '.': {}, 'f:password': {}, 'f:username': {} },
          'f:metadata': {
            'f:labels': { '.': {}, 'f:reconcile.external-secrets.io/managed': {}, 'f:team': {} },
            'f:annotations': { '.': {}, 'f:reconcile.external-secrets.io/data-hash': {} },
          },
          'f:type': {},
        },
      },
      {
        manager: 'kubectl-edit',
        fieldsV1: { 'f:data': { 'f:foreign': {} }, 'f:metadata': { 'f:labels': { 'f:other': {} } } },
      },
      {
        manager: 'externalsecrets.external-secrets.io/db-2',
        fieldsV1: { 'f:data': { 'f:not-mine': {} } },
      },
    ],
  };

  it("lists the data keys, labels and annotations of the given manager's entries only", () => {
    expect(listed(ownedFields(metadata, manager))).toEqual({
      data: ['password', 'username'],
      labels: ['reconcile.external-secrets.io/managed', 'team'],
      annotations: ['reconcile.external-secrets.io/data-hash'],
    });
  });

  it('reads another manager when asked', () => {
    expect(listed(ownedFields(metadata, 'kubectl-edit'))).toEqual({ data: ['foreign'], labels: ['other'], annotations: [] });
  });

  it('unions several entries of the same manager (e.g. Update and Apply)', () => {
    const two = {
      managedFields: [
        { manager, fieldsV1: { 'f:data': { 'f:a': {} } } },
        { manager, fieldsV1: { 'f:data': { 'f:b': {} }, 'f:metadata': { 'f:annotations': { 'f:note': {} } } } },
      ],
    };
    expect(listed(ownedFields(two, manager))).toEqual({ data: ['a', 'b'], labels: [], annotations: ['note'] });
  });

  const empty = { data: [], labels: [], annotations: [] };
  const nothing: [what: string, metadata: Parameters<typeof ownedFields>[0]][] = [
    ['no metadata (a new Secret)', undefined],
    ['no managedFields', {}],
    ['an entry without fieldsV1', { managedFields: [{ manager }] }],
    ['an entry without a manager', { managedFields: [{ fieldsV1: { 'f:data': { 'f:x': {} } } }] }],
    ['only the "." marker', { managedFields: [{ manager, fieldsV1: { 'f:data': { '.': {} } } }] }],
  ];
  it.each(nothing)('owns nothing with %s', (_what, meta) => {
    expect(listed(ownedFields(meta, manager))).toEqual(empty);
  });

  it('keeps names with dots and slashes whole', () => {
    const meta = {
      managedFields: [{ manager, fieldsV1: { 'f:data': { 'f:tls.crt': {} }, 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/name': {} } } } }],
    };
    expect(listed(ownedFields(meta, manager))).toEqual({ data: ['tls.crt'], labels: ['app.kubernetes.io/name'], annotations: [] });
  });
});

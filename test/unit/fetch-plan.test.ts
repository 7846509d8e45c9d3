import { describe, expect, it } from 'vitest';
import type { ExternalSecretSpec } from '../../src/api/generated.ts';
import { DEFAULT_STORE } from '../../src/sync/entry-store.ts';
import { type StoreFetch, fetchFor, fetchForFind, planFetches, planGenerations } from '../../src/sync/fetch-plan.ts';

/** A fetch without its id: what the provider of its store (named unless the default) will be asked. */
const call = (f: StoreFetch) => {
  const { id: _id, store, ...rest } = f;
  return store === DEFAULT_STORE ? rest : { store, ...rest };
};
const calls = (spec: ExternalSecretSpec, prefix = '') => planFetches(spec, new Map([[DEFAULT_STORE, prefix]])).map(call);

describe('planFetches', () => {
  it('makes one value call for data items and an extract on the same key and version', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'username', remoteRef: { key: 'db/creds', property: 'username' } },
        { secretKey: 'password', remoteRef: { key: 'db/creds', property: 'password', version: 'AWSCURRENT' } },
      ],
      dataFrom: [{ extract: { key: 'db/creds' } }],
    };
    expect(calls(spec)).toEqual([{ kind: 'value', ref: { key: 'db/creds', version: 'AWSCURRENT' } }]);
  });

  it('makes one call per version of the same key', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'current', remoteRef: { key: 'db/creds' } },
        { secretKey: 'previous', remoteRef: { key: 'db/creds', version: 'AWSPREVIOUS' } },
        { secretKey: 'pinned', remoteRef: { key: 'db/creds', version: 'uuid/0b9c3f6e-1111-2222-3333-444455556666' } },
        { secretKey: 'previous-again', remoteRef: { key: 'db/creds', version: 'AWSPREVIOUS' } },
      ],
    };
    expect(calls(spec)).toEqual([
      { kind: 'value', ref: { key: 'db/creds', version: 'AWSCURRENT' } },
      { kind: 'value', ref: { key: 'db/creds', version: 'AWSPREVIOUS' } },
      { kind: 'value', ref: { key: 'db/creds', version: 'uuid/0b9c3f6e-1111-2222-3333-444455556666' } },
    ]);
  });

  it('makes one call per key', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'a', remoteRef: { key: 'one' } },
        { secretKey: 'b', remoteRef: { key: 'two' } },
      ],
    };
    expect(calls(spec)).toEqual([
      { kind: 'value', ref: { key: 'one', version: 'AWSCURRENT' } },
      { kind: 'value', ref: { key: 'two', version: 'AWSCURRENT' } },
    ]);
  });

  it('reads tags for metadataPolicy Fetch, once per key, apart from the value', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'owner', remoteRef: { key: 'db/creds', metadataPolicy: 'Fetch', property: 'owner' } },
        { secretKey: 'team', remoteRef: { key: 'db/creds', metadataPolicy: 'Fetch', property: 'team' } },
        { secretKey: 'password', remoteRef: { key: 'db/creds', metadataPolicy: 'None', property: 'password' } },
      ],
      dataFrom: [{ extract: { key: 'db/creds', metadataPolicy: 'Fetch' } }],
    };
    expect(calls(spec)).toEqual([
      { kind: 'tags', key: 'db/creds' },
      { kind: 'value', ref: { key: 'db/creds', version: 'AWSCURRENT' } },
    ]);
  });

  it('makes a find call for dataFrom.find, once per distinct query', () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [
        { find: { name: { regexp: '^app/' }, tags: { env: 'prod', team: 'a' } } },
        // The same query with the tags in another order, and a conversionStrategy (applied after the call).
        { find: { tags: { team: 'a', env: 'prod' }, name: { regexp: '^app/' }, conversionStrategy: 'Unicode' } },
        { find: { path: 'app/' } },
      ],
    };
    expect(calls(spec)).toEqual([
      { kind: 'find', find: { nameRegexp: '^app/', tags: { env: 'prod', team: 'a' } } },
      { kind: 'find', find: { path: 'app/' } },
    ]);
  });

  it('applies the store prefix to data and extract keys, not to find', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'password', remoteRef: { key: 'db/creds', property: 'password' } },
        { secretKey: 'owner', remoteRef: { key: 'db/creds', metadataPolicy: 'Fetch', property: 'owner' } },
      ],
      dataFrom: [{ extract: { key: 'api/keys' } }, { find: { path: 'shared/', name: { regexp: 'x' } } }],
    };
    expect(calls(spec, 'team-a/')).toEqual([
      { kind: 'value', ref: { key: 'team-a/api/keys', version: 'AWSCURRENT' } },
      { kind: 'find', find: { nameRegexp: 'x', path: 'shared/' } },
      { kind: 'value', ref: { key: 'team-a/db/creds', version: 'AWSCURRENT' } },
      { kind: 'tags', key: 'team-a/db/creds' },
    ]);
  });

  it('lists calls in first-use order: dataFrom in order, then data', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'c', remoteRef: { key: 'c' } },
        { secretKey: 'a', remoteRef: { key: 'a' } },
        { secretKey: 'd', remoteRef: { key: 'd' } },
      ],
      dataFrom: [{ extract: { key: 'b' } }, { find: { path: 'p/' } }, { extract: { key: 'a' } }],
    };
    expect(calls(spec)).toEqual([
      { kind: 'value', ref: { key: 'b', version: 'AWSCURRENT' } },
      { kind: 'find', find: { path: 'p/' } },
      { kind: 'value', ref: { key: 'a', version: 'AWSCURRENT' } },
      { kind: 'value', ref: { key: 'c', version: 'AWSCURRENT' } },
      { kind: 'value', ref: { key: 'd', version: 'AWSCURRENT' } },
    ]);
  });

  it('plans nothing for an empty spec, and skips dataFrom entries without extract or find', () => {
    expect(calls({})).toEqual([]);
    expect(calls({ dataFrom: [{ rewrite: [] }] })).toEqual([]);
  });

  it('gives distinct ids to distinct calls and the same id to the same call', () => {
    const fetches = planFetches({
      data: [
        { secretKey: 'a', remoteRef: { key: 'k' } },
        { secretKey: 'b', remoteRef: { key: 'k', version: 'AWSPREVIOUS' } },
        { secretKey: 'c', remoteRef: { key: 'k', metadataPolicy: 'Fetch' } },
      ],
      dataFrom: [{ find: { path: 'k' } }],
    }, new Map([[DEFAULT_STORE, '']]));
    expect(new Set(fetches.map((f) => f.id)).size).toBe(4);
    // The ids the assembler looks results up by.
    expect(fetchFor({ key: 'k' }, '').id).toBe(fetchFor({ key: 'k', version: 'AWSCURRENT' }, '').id);
    expect(fetchForFind({ path: 'k', decodingStrategy: 'Base64' }).id).toBe(fetchForFind({ path: 'k' }).id);
  });
});

describe('planFetches through several stores (sourceRef.storeRef)', () => {
  const shared = { name: 'shared', kind: 'ClusterSecretStore' } as const;
  const spec: ExternalSecretSpec = {
    secretStoreRef: { name: 'aws' },
    dataFrom: [
      { extract: { key: 'cfg' }, sourceRef: { storeRef: shared } },
      { find: { path: 'team/' }, sourceRef: { storeRef: shared } },
      // A storeRef alone reads nothing, as in ESO.
      { sourceRef: { storeRef: { name: 'unused' } } },
    ],
    data: [
      { secretKey: 'a', remoteRef: { key: 'db' } },
      { secretKey: 'b', remoteRef: { key: 'db' }, sourceRef: { storeRef: shared } },
      // Naming the ExternalSecret's own store (kind defaulted) is the default store.
      { secretKey: 'c', remoteRef: { key: 'db' }, sourceRef: { storeRef: { name: 'aws', kind: 'SecretStore' } } },
      { secretKey: 'd', remoteRef: { key: 'db' }, sourceRef: { storeRef: { name: 'aws', kind: 'ClusterSecretStore' } } },
    ],
  };
  const prefixes = new Map([[DEFAULT_STORE, 'ns/'], ['ClusterSecretStore/shared', 'cluster/'], ['ClusterSecretStore/aws', '']]);

  it('gives each entry its own store\'s prefix and keeps calls of different stores apart, even on the same key', () => {
    expect(planFetches(spec, prefixes).map(call)).toEqual([
      { store: 'ClusterSecretStore/shared', kind: 'value', ref: { key: 'cluster/cfg', version: 'AWSCURRENT' } },
      { store: 'ClusterSecretStore/shared', kind: 'find', find: { path: 'team/' } },
      { kind: 'value', ref: { key: 'ns/db', version: 'AWSCURRENT' } },
      { store: 'ClusterSecretStore/shared', kind: 'value', ref: { key: 'cluster/db', version: 'AWSCURRENT' } },
      { store: 'ClusterSecretStore/aws', kind: 'value', ref: { key: 'db', version: 'AWSCURRENT' } },
    ]);
  });

  it('plans only the stores it is given prefixes for', () => {
    expect(planFetches(spec, new Map([['ClusterSecretStore/aws', 'x/']])).map(call)).toEqual([
      { store: 'ClusterSecretStore/aws', kind: 'value', ref: { key: 'x/db', version: 'AWSCURRENT' } },
    ]);
    expect(planFetches(spec, new Map())).toEqual([]);
  });

  it('the same call through two stores has two ids', () => {
    expect(fetchFor({ key: 'k' }, '', 'SecretStore/a').id).not.toBe(fetchFor({ key: 'k' }, '', 'SecretStore/b').id);
    expect(fetchForFind({ path: 'k' }, 'SecretStore/a').id).not.toBe(fetchForFind({ path: 'k' }).id);
  });
});

describe('planFetches and planGenerations: generators read no store', () => {
  const pw = { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'pw' };
  const spec: ExternalSecretSpec = {
    data: [{ secretKey: 'k', remoteRef: { key: 'db' } }],
    dataFrom: [{ sourceRef: { generatorRef: pw } }, { extract: { key: 'app' } }, { sourceRef: { generatorRef: pw } }],
  };

  it('leaves generator entries out of the store plan (what read-aheads and the change index are made of)', () => {
    expect(calls(spec).map((c) => ('ref' in c ? c.ref.key : undefined))).toEqual(['app', 'db']);
  });

  it('plans one run per generator entry, by entry, never shared', () => {
    expect(planGenerations(spec).map((g) => [g.id, g.kind, g.ref])).toEqual([['generate\u00000', 'generate', pw], ['generate\u00002', 'generate', pw]]);
  });
});

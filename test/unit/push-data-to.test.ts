import { describe, expect, it } from 'vitest';
import type { PushSecret } from '../../src/api/generated.ts';
import { checkDataToStoreRefs, entriesForStore } from '../../src/push/data-to.ts';
import { renderTransform } from '../../src/sync/render-target.ts';

const bytes = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));
const push = (spec: Partial<PushSecret['spec']>): PushSecret => ({
  apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'ps', namespace: 'ns' },
  spec: { secretStoreRefs: [{ name: 'aws', kind: 'SecretStore' }], selector: { secret: { name: 's' } }, ...spec },
});
const store = { kind: 'SecretStore', name: 'aws', labels: { tier: 'a' } };
const data = bytes({ 'db-host': 'h', 'db-user': 'u', other: 'o' });
const remotes = (ps: PushSecret, s = store) => entriesForStore(ps, s, data, renderTransform).map(({ entry, at }) => [at, entry.match.secretKey, entry.match.remoteRef.remoteKey]);

describe('dataTo (ESO\'s per-key expansion)', () => {
  it('pushes each matched key to a remote key of its own, renamed by the rewrites, then the explicit data', () => {
    const ps = push({
      dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^db-' }, rewrite: [{ regexp: { source: '^db-(.*)', target: 'app/db/$1' } }] }],
      data: [{ match: { secretKey: 'other', remoteRef: { remoteKey: 'app/other' } } }],
    });
    expect(remotes(ps)).toEqual([
      ['spec.dataTo[0]', 'db-host', 'app/db/host'],
      ['spec.dataTo[0]', 'db-user', 'app/db/user'],
      ['spec.data[0]', 'other', 'app/other'],
    ]);
  });

  it('targets a store by name and kind, or by a label selector of its kind; all keys without a pattern', () => {
    const byLabel = push({ dataTo: [{ storeRef: { labelSelector: { matchLabels: { tier: 'a' } } }, rewrite: [{ transform: { template: 'x/{{ .value }}' } }] }] });
    expect(remotes(byLabel).map(([, , remote]) => remote)).toEqual(['x/db-host', 'x/db-user', 'x/other']);
    expect(remotes(byLabel, { ...store, labels: { tier: 'b' } })).toEqual([]);
    expect(remotes(push({ dataTo: [{ storeRef: { name: 'aws', kind: 'ClusterSecretStore' } }] }))).toEqual([]);
  });

  it('lets explicit data win for a source key, and refuses two entries writing one remote location', () => {
    const ps = push({
      dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^db-' } }],
      data: [{ match: { secretKey: 'db-host', remoteRef: { remoteKey: 'explicit-host' } } }],
    });
    expect(remotes(ps)).toEqual([['spec.dataTo[0]', 'db-user', 'db-user'], ['spec.data[0]', 'db-host', 'explicit-host']]);
    const clash = push({
      dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^db-user$' } }],
      data: [{ match: { secretKey: 'other', remoteRef: { remoteKey: 'db-user' } } }],
    });
    expect(() => remotes(clash)).toThrow('duplicate remote location "db-user": source keys "db-user" and "other" both push to it');
    const twice = push({ dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^other$' } }, { storeRef: { name: 'aws' }, match: { regexp: '^other$' } }] });
    expect(() => remotes(twice)).toThrow('dataTo[1]: duplicate remote key "other" from source key "other" (conflicts with dataTo[0]:other)');
    const empty = push({ dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^other$' }, rewrite: [{ regexp: { source: '.*', target: '' } }] }] });
    expect(() => remotes(empty)).toThrow('dataTo[0]: empty remote key produced for source key "other"');
  });

  it('checks the storeRefs as ESO does', () => {
    expect(() => checkDataToStoreRefs(push({ dataTo: [{ storeRef: { name: 'elsewhere' } }] }))).toThrow('dataTo[0]: storeRef "elsewhere" not found in secretStoreRefs');
    expect(() => checkDataToStoreRefs(push({ dataTo: [{ storeRef: {} }] }))).toThrow('dataTo[0]: storeRef must have name or labelSelector');
    expect(() => checkDataToStoreRefs(push({ dataTo: [{ storeRef: { name: 'aws' } }] }))).not.toThrow();
  });

  it('bundle mode (remoteKey): the matched keys, converted, as one entry without secretKey', () => {
    const ps = push({ dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^db-' }, remoteKey: 'app/db' }] });
    const [bundle, ...rest] = entriesForStore(ps, store, data, renderTransform);
    expect(rest).toEqual([]);
    expect(bundle!.entry).toEqual({ match: { remoteRef: { remoteKey: 'app/db' } }, conversionStrategy: 'None' });
    expect(Object.keys(bundle!.data!).sort()).toEqual(['db-host', 'db-user']);
    expect(entriesForStore(push({ dataTo: [{ storeRef: { name: 'aws' }, match: { regexp: '^none' }, remoteKey: 'x' }] }), store, data, renderTransform)).toEqual([]);
  });
});

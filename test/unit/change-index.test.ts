import { describe, expect, it } from 'vitest';
import { ChangeIndex, readsOfPlan, type ReadThroughStore } from '../../src/changes/change-index.ts';
import { secretNamesOf } from '../../src/changes/secret-name.ts';
import { ref } from '../../src/kube/object-ref.ts';
import { planFetches } from '../../src/sync/fetch-plan.ts';
import { RefreshRequests } from '../../src/controllers/externalsecret/refresh-requests.ts';
import { refreshesOnAwsChange } from '../../src/controllers/externalsecret/refresh.ts';

const store = (namespace: string, name = 'aws') => ref('SecretStore', name, namespace);
const cluster = ref('ClusterSecretStore', 'shared');
const read = (s = store('a'), ids: string[] = [], extra: Partial<ReadThroughStore> = {}): ReadThroughStore => ({
  store: s, region: 'us-east-1', secretIds: ids, currentIds: ids, finds: [], ...extra,
});

describe('secretNamesOf', () => {
  it('a name stands for itself', () => {
    expect(secretNamesOf('db/password')).toEqual({ names: ['db/password'] });
  });
  it('a full ARN stands for its name without the random suffix (and, as it could be a partial ARN, with it), in its region', () => {
    expect(secretNamesOf('arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/password-AbC123')).toEqual({ names: ['db/password', 'db/password-AbC123'], region: 'eu-west-1' });
  });
  it('a partial ARN stands for its name', () => {
    expect(secretNamesOf('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db')).toEqual({ names: ['db'], region: 'cn-north-1' });
  });
  it('what is not a Secrets Manager ARN is a name', () => {
    expect(secretNamesOf('arn:aws:ssm:us-east-1:1:parameter/x').names).toEqual(['arn:aws:ssm:us-east-1:1:parameter/x']);
  });
});

describe('ChangeIndex', () => {
  it('finds the ExternalSecrets that read a secret, by name or ARN, in the region', () => {
    const index = new ChangeIndex();
    index.record('es1', 'a', [read(store('a'), ['db'])]);
    index.record('es2', 'a', [read(store('a'), ['arn:aws:secretsmanager:us-east-1:1:secret:db-AbC123'])]);
    index.record('es3', 'a', [read(store('a'), ['other'])]);
    index.record('es4', 'b', [read(store('b'), ['db'], { region: 'eu-west-1' })]);
    expect(index.affected({ name: 'db' }, { kind: 'operator' }).sort()).toEqual(['es1', 'es2', 'es4']);
    expect(index.affected({ name: 'db', region: 'us-east-1' }, { kind: 'operator' }).sort()).toEqual(['es1', 'es2']);
    expect(index.affected({ name: 'x', arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:db-ZZZ999' }, { kind: 'operator' })).toEqual(['es4']);
    expect(index.affected({ name: 'nobody' }, { kind: 'operator' })).toEqual([]);
  });

  it('a store scope reaches only that store, and a namespace scope only that namespace', () => {
    const index = new ChangeIndex();
    index.record('a/own', 'a', [read(store('a'), ['db'])]);
    index.record('a/shared', 'a', [read(cluster, ['db'])]);
    index.record('b/shared', 'b', [read(cluster, ['db'])]);
    expect(index.affected({ name: 'db' }, { kind: 'store', store: store('a') })).toEqual(['a/own']);
    expect(index.affected({ name: 'db' }, { kind: 'store', store: cluster }).sort()).toEqual(['a/shared', 'b/shared']);
    expect(index.affected({ name: 'db' }, { kind: 'store', store: cluster, namespace: 'b' })).toEqual(['b/shared']);
    expect(index.affected({ name: 'db' }, { kind: 'store', store: store('b') })).toEqual([]);
  });

  it('a find is matched as AWS would list it: by pattern, by path prefix; a tag filter may list any name', () => {
    const index = new ChangeIndex();
    index.record('pattern', 'a', [read(store('a'), [], { finds: [{ nameRegexp: '^app/' }] })]);
    index.record('path', 'a', [read(store('a'), [], { finds: [{ path: 'team/' }] })]);
    index.record('tags', 'a', [read(store('a'), [], { finds: [{ tags: { env: 'prod' } }] })]);
    expect(index.affected({ name: 'app/db' }, { kind: 'operator' }).sort()).toEqual(['pattern', 'tags']);
    expect(index.affected({ name: 'team/db' }, { kind: 'operator' }).sort()).toEqual(['path', 'tags']);
  });

  it('a new record replaces the old one, and a forgotten ExternalSecret is found no more', () => {
    const index = new ChangeIndex();
    index.record('es', 'a', [read(store('a'), ['old'])]);
    index.record('es', 'a', [read(store('a'), ['new'])]);
    expect(index.affected({ name: 'old' }, { kind: 'operator' })).toEqual([]);
    expect(index.affected({ name: 'new' }, { kind: 'operator' })).toEqual(['es']);
    index.forget('es');
    expect(index.affected({ name: 'new' }, { kind: 'operator' })).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('lists each store and namespace with the current-version reads of its ExternalSecrets', () => {
    const index = new ChangeIndex();
    index.record('a/1', 'a', [read(cluster, ['x', 'y'])]);
    index.record('a/2', 'a', [read(cluster, ['y', 'z'], { currentIds: ['y'] })]);
    index.record('b/1', 'b', [read(cluster, ['x'], { finds: [{ path: 'p' }] })]);
    expect([...index.storeReads()].map((r) => ({ ...r, secretIds: [...r.secretIds].sort() }))).toEqual([
      { store: cluster, namespace: 'a', secretIds: ['x', 'y'], finds: false },
      { store: cluster, namespace: 'b', secretIds: ['x'], finds: true },
    ]);
  });
});

describe('readsOfPlan', () => {
  it('splits a plan by store, with the prefix applied and versions apart', () => {
    const spec = {
      secretStoreRef: { name: 'aws' },
      data: [
        { secretKey: 'a', remoteRef: { key: 'a' } },
        { secretKey: 'b', remoteRef: { key: 'b', version: 'AWSPREVIOUS' } },
        { secretKey: 'c', remoteRef: { key: 'c', metadataPolicy: 'Fetch' } },
        { secretKey: 'd', remoteRef: { key: 'd' }, sourceRef: { storeRef: { name: 'other' } } },
      ],
      dataFrom: [{ find: { path: 'p/' } }],
    } as any;
    const stores = [['', { ref: store('n'), region: 'us-east-1', prefix: 'pre/' }], ['SecretStore/other', { ref: store('n', 'other'), region: 'eu-west-1', prefix: '' }]] as const;
    const plan = planFetches(spec, new Map(stores.map(([key, { prefix }]) => [key, prefix])));
    const reads = readsOfPlan(stores, plan);
    expect(reads[0]).toEqual({ store: store('n'), region: 'us-east-1', secretIds: ['pre/a', 'pre/b', 'pre/c'], currentIds: ['pre/a'], finds: [{ path: 'p/' }] });
    expect(reads[1]!.store).toEqual(store('n', 'other'));
  });
});

describe('RefreshRequests', () => {
  const es = { kind: 'ExternalSecret', metadata: { namespace: 'a', name: 'es' } } as any;
  const key = JSON.stringify(['ExternalSecret', 'a', 'es']);
  it('a request stays until a sync that started after it succeeds', () => {
    const requests = new RefreshRequests();
    requests.request(key, 100);
    requests.done(es, 99);
    expect(requests.pendingSince(es)).toBe(100);
    requests.request(key, 50);
    expect(requests.pendingSince(es)).toBe(100);
    requests.done(es, 100);
    expect(requests.pendingSince(es)).toBeUndefined();
  });
});

describe('refreshesOnAwsChange', () => {
  const es = (spec: Record<string, unknown>) => ({ spec } as any);
  it('only Periodic ExternalSecrets with an interval take a change in AWS', () => {
    expect(refreshesOnAwsChange(es({}))).toBe(true);
    expect(refreshesOnAwsChange(es({ refreshInterval: '1m' }))).toBe(true);
    expect(refreshesOnAwsChange(es({ refreshInterval: '0' }))).toBe(false);
    expect(refreshesOnAwsChange(es({ refreshPolicy: 'OnChange' }))).toBe(false);
    expect(refreshesOnAwsChange(es({ refreshPolicy: 'CreatedOnce' }))).toBe(false);
  });
});

import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyExternalSecret, awsName, createAwsSecrets, expectSecret, readyAs, storeNamespace, type AwsSecret, type SecretExpectation } from './cases.ts';
import { eventually, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const json = JSON.stringify;
const DB = '{"username":"dbadmin","password":"S3cur3P@ssw0rd!","port":5432,"ratio":1.50,"tls":true,"none":null,"db":{"host":"db.internal","ports":[5432,5433]},"a.b":"dotted-literal","a":{"b":"nested"},"tags":["x","y"]}';

interface Case {
  name: string;
  aws: (n: (label: string) => string) => AwsSecret[];
  data: (n: (label: string) => string) => Array<{ secretKey: string; remoteRef: Record<string, unknown> }>;
  store?: Record<string, unknown>;
  want: SecretExpectation;
}

/** One row per behaviour of data[].remoteRef; each runs in its own namespace with its own AWS secrets. */
const cases: Case[] = [
  {
    name: 'property: top-level string, nested path, array index, number, float, boolean, null, object, array',
    aws: (n) => [{ name: n('db'), string: DB }],
    data: (n) => [
      ['user', 'username'], ['host', 'db.host'], ['port0', 'db.ports.0'], ['port', 'port'], ['ratio', 'ratio'],
      ['tls', 'tls'], ['none', 'none'], ['db', 'db'], ['tags', 'tags'],
    ].map(([secretKey, property]) => ({ secretKey: secretKey!, remoteRef: { key: n('db'), property } })),
    // Numbers keep gjson's rendering as ESO writes them: integers as written, floats in Go's format.
    want: { data: { user: 'dbadmin', host: 'db.internal', port0: '5432', port: '5432', ratio: '1.5', tls: 'true', none: '', db: '{"host":"db.internal","ports":[5432,5433]}', tags: '["x","y"]' } },
  },
  {
    name: 'property: a dotted key is first tried literally, an escaped dot selects a literal key, else the path',
    aws: (n) => [{ name: n('db'), string: DB }],
    data: (n) => [
      { secretKey: 'literal', remoteRef: { key: n('db'), property: 'a.b' } },
      { secretKey: 'escaped', remoteRef: { key: n('db'), property: 'a\\.b' } },
      { secretKey: 'path', remoteRef: { key: n('db'), property: 'db.host' } },
    ],
    want: { data: { literal: 'dotted-literal', escaped: 'dotted-literal', path: 'db.internal' } },
  },
  {
    name: 'no property: the whole SecretString',
    aws: (n) => [{ name: n('plain'), string: 'ak_live_xxxxxxxxxxxx' }, { name: n('db'), string: DB }],
    data: (n) => [{ secretKey: 'api-key', remoteRef: { key: n('plain') } }, { secretKey: 'all', remoteRef: { key: n('db') } }],
    want: { data: { 'api-key': 'ak_live_xxxxxxxxxxxx', all: DB } },
  },
  {
    name: 'binary secrets keep their exact bytes',
    aws: (n) => [{ name: n('bin'), binary: new Uint8Array([0, 1, 2, 0xfe, 0xff, 0x80, 10]) }],
    data: (n) => [{ secretKey: 'cert.pfx', remoteRef: { key: n('bin') } }],
    want: { data: { 'cert.pfx': new Uint8Array([0, 1, 2, 0xfe, 0xff, 0x80, 10]) } },
  },
  {
    name: 'property over a JSON SecretBinary',
    aws: (n) => [{ name: n('binjson'), binary: Buffer.from('{"k":"from-binary"}') }],
    data: (n) => [{ secretKey: 'k', remoteRef: { key: n('binjson'), property: 'k' } }],
    want: { data: { k: 'from-binary' } },
  },
  {
    name: 'decodingStrategy Base64, Base64URL and Auto',
    aws: (n) => [{ name: n('enc'), string: json({ std: Buffer.from('hello?>').toString('base64'), url: 'aGVsbG8_Pg==', plain: 'not base64!' }) }],
    data: (n) => [
      { secretKey: 'std', remoteRef: { key: n('enc'), property: 'std', decodingStrategy: 'Base64' } },
      { secretKey: 'url', remoteRef: { key: n('enc'), property: 'url', decodingStrategy: 'Base64URL' } },
      { secretKey: 'auto-decoded', remoteRef: { key: n('enc'), property: 'std', decodingStrategy: 'Auto' } },
      { secretKey: 'auto-kept', remoteRef: { key: n('enc'), property: 'plain', decodingStrategy: 'Auto' } },
    ],
    want: { data: { std: 'hello?>', url: 'hello?>', 'auto-decoded': 'hello?>', 'auto-kept': 'not base64!' } },
  },
  {
    name: 'metadataPolicy Fetch: the tags as JSON (sorted, Go-escaped), or one tag by property',
    aws: (n) => [{ name: n('tagged'), string: 'value', tags: { Team: 'platform', Environment: 'production', note: '<a&b>' } }],
    data: (n) => [
      { secretKey: 'tags', remoteRef: { key: n('tagged'), metadataPolicy: 'Fetch' } },
      { secretKey: 'team', remoteRef: { key: n('tagged'), metadataPolicy: 'Fetch', property: 'Team' } },
    ],
    want: { data: { tags: '{"Environment":"production","Team":"platform","note":"\\u003ca\\u0026b\\u003e"}', team: 'platform' } },
  },
  {
    // ESO reads conversionStrategy only for dataFrom (handleExtractSecrets, handleFindAllSecrets):
    // a data[] entry's key is its secretKey, so the field is accepted and changes nothing.
    name: 'conversionStrategy Unicode and Default on data[]: accepted, no effect on the key or the value',
    aws: (n) => [{ name: n('conv'), string: '{"db password":"a/b c@d","k":"v"}' }],
    data: (n) => [
      { secretKey: 'whole', remoteRef: { key: n('conv'), conversionStrategy: 'Unicode' } },
      { secretKey: 'prop', remoteRef: { key: n('conv'), property: 'db password', conversionStrategy: 'Unicode' } },
      { secretKey: 'default', remoteRef: { key: n('conv'), property: 'db password', conversionStrategy: 'Default' } },
    ],
    want: { data: { whole: '{"db password":"a/b c@d","k":"v"}', prop: 'a/b c@d', default: 'a/b c@d' } },
  },
  {
    name: 'the store prefix is prepended to every key',
    store: { prefix: 'myapp/production/' },
    aws: () => [{ name: `myapp/production/prefixed-${process.pid}`, string: json({ password: 'from-prefix' }) }],
    data: () => [{ secretKey: 'password', remoteRef: { key: `prefixed-${process.pid}`, property: 'password' } }],
    want: { data: { password: 'from-prefix' } },
  },
  {
    // The schema accepts an empty key as ESO's does: with a prefix it names the secret the prefix alone names.
    name: 'an empty key reads the secret the store prefix names',
    store: { prefix: `myapp/whole-${process.pid}` },
    aws: () => [{ name: `myapp/whole-${process.pid}`, string: json({ password: 'from-prefix-alone' }) }],
    data: () => [{ secretKey: 'password', remoteRef: { key: '', property: 'password' } }],
    want: { data: { password: 'from-prefix-alone' } },
  },
];

describe('data[].remoteRef', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const label = c.name.split(':')[0]!.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 20);
      const names = new Map<string, string>();
      const n = (l: string) => names.get(l) ?? (names.set(l, awsName(l)), names.get(l)!);
      const ns = await storeNamespace(h, label, c.store);
      await createAwsSecrets(h, c.aws(n));
      await applyExternalSecret(h, ns, 'target', { data: c.data(n) });
      const es = await readyAs(h, ns, 'target', 'True', 'SecretSynced');
      expectSecret(await h.secret(ns, 'target'), es, c.want);
    });
  }
});

describe('data[].remoteRef.version', () => {
  it('reads AWSCURRENT by default, a stage such as AWSPREVIOUS, and a VersionId as uuid/<id>', async () => {
    const ns = await storeNamespace(h, 'version');
    const key = awsName('versioned');
    await createAwsSecrets(h, [{ name: key, string: 'v1' }]);
    const first = await h.aws.send(new (await import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand({ SecretId: key }));
    await h.aws.send(new PutSecretValueCommand({ SecretId: key, SecretString: 'v2' }));
    await applyExternalSecret(h, ns, 'target', {
      data: [
        { secretKey: 'current', remoteRef: { key } },
        { secretKey: 'previous', remoteRef: { key, version: 'AWSPREVIOUS' } },
        { secretKey: 'by-id', remoteRef: { key, version: `uuid/${first.VersionId}` } },
      ],
    });
    const es = await readyAs(h, ns, 'target', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'target'), es, { data: { current: 'v2', previous: 'v1', 'by-id': 'v1' } });
  });

  it('dataFrom[].extract.version: unset is AWSCURRENT, a custom stage, and a VersionId as uuid/<id>', async () => {
    const ns = await storeNamespace(h, 'extract-version');
    const key = awsName('versioned');
    await createAwsSecrets(h, [{ name: key, string: '{"first":"v1"}' }]);
    const first = await h.aws.send(new GetSecretValueCommand({ SecretId: key }));
    await h.aws.send(new PutSecretValueCommand({ SecretId: key, SecretString: '{"current":"v2"}' }));
    // A version staged only under a custom label: AWSCURRENT stays on v2.
    await h.aws.send(new PutSecretValueCommand({ SecretId: key, SecretString: '{"staged":"v3"}', VersionStages: ['NEXT'] }));
    await applyExternalSecret(h, ns, 'target', {
      dataFrom: [
        { extract: { key } },
        { extract: { key, version: 'NEXT' } },
        { extract: { key, version: `uuid/${first.VersionId}` } },
      ],
    });
    const es = await readyAs(h, ns, 'target', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'target'), es, { data: { current: 'v2', staged: 'v3', first: 'v1' } });
  });

  it('a version that does not exist is a clear error and no Secret', async () => {
    const ns = await storeNamespace(h, 'version-missing');
    const key = awsName('versioned');
    await createAwsSecrets(h, [{ name: key, string: 'v1' }]);
    await applyExternalSecret(h, ns, 'target', { data: [{ secretKey: 'x', remoteRef: { key, version: 'uuid/00000000-0000-0000-0000-00000000dead' } }] });
    const es = await readyAs(h, ns, 'target', 'False', 'SecretSyncedError');
    expect(es.status.conditions[0].message).toContain(key);
    expect(await eventually(async () => (await h.secret(ns, 'target')) === undefined, 'no Secret')).toBe(true);
  });
});

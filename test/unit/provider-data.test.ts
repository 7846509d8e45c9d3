import { describe, expect, it } from 'vitest';
import type { ExternalSecretSpec } from '../../src/api/generated.ts';
import { OperatorError } from '../../src/errors.ts';
import { DEFAULT_STORE } from '../../src/sync/entry-store.ts';
import { type Fetch, fetchFor, fetchForFind, generateFetchFor, planGenerations } from '../../src/sync/fetch-plan.ts';
import { assembleProviderData, type FetchResult } from '../../src/sync/provider-data.ts';
import { renderTransform } from '../../src/sync/render-target.ts';
import { text, thrown } from '../helpers/expect-helpers.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
type Result = [Fetch, FetchResult];
/** The result of GetSecretValue for `key` (store prefix included) and version. */
const secret = (key: string, secretString: string, version?: string): Result => [
  fetchFor({ key, ...(version ? { version } : {}) }, ''),
  { ok: true, secret: { name: key, secretString } },
];
const binary = (key: string, secretBinary: Uint8Array): Result => [fetchFor({ key }, ''), { ok: true, secret: { name: key, secretBinary } }];
const failed = (key: string, error: unknown): Result => [fetchFor({ key }, ''), { ok: false, error }];
const found = (find: Parameters<typeof fetchForFind>[0], secrets: Record<string, string>): Result => [
  fetchForFind(find),
  { ok: true, found: new Map(Object.entries(secrets).map(([k, v]) => [k, bytes(v)])) },
];
const results = (...entries: Result[]) => new Map(entries.map(([f, r]) => [f.id, r]));

const assemble = (spec: ExternalSecretSpec, ...entries: Result[]) => assembleProviderData(spec, results(...entries), new Map([[DEFAULT_STORE, '']]), renderTransform);
const assembled = (spec: ExternalSecretSpec, ...entries: Result[]) => text(assemble(spec, ...entries).data);

const notFound = (key: string) => new OperatorError('AWSSecretNotFound', `secret "${key}" not found`);

describe('assembleProviderData: data', () => {
  it('writes the whole secret, or one property of its JSON', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'all', remoteRef: { key: 'db/creds' } },
        { secretKey: 'username', remoteRef: { key: 'db/creds', property: 'username' } },
        { secretKey: 'port', remoteRef: { key: 'db/creds', property: 'port' } },
      ],
    };
    expect(assembled(spec, secret('db/creds', '{"username":"admin","port":5432}'))).toEqual({
      all: '{"username":"admin","port":5432}',
      username: 'admin',
      port: '5432',
    });
  });

  it('writes a SecretBinary byte for byte', () => {
    const raw = new Uint8Array([0x00, 0xff, 0x80, 0x0a]);
    const { data } = assemble({ data: [{ secretKey: 'blob', remoteRef: { key: 'bin' } }] }, binary('bin', raw));
    expect(Array.from(data['blob']!)).toEqual([0x00, 0xff, 0x80, 0x0a]);
  });

  it('reads each version from its own call', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'current', remoteRef: { key: 'token' } },
        { secretKey: 'previous', remoteRef: { key: 'token', version: 'AWSPREVIOUS' } },
      ],
    };
    expect(assembled(spec, secret('token', 'new'), secret('token', 'old', 'AWSPREVIOUS'))).toEqual({ current: 'new', previous: 'old' });
  });

  it('reads the prefixed key', () => {
    const spec: ExternalSecretSpec = { data: [{ secretKey: 'password', remoteRef: { key: 'db', property: 'password' } }] };
    const { data } = assembleProviderData(spec, results(secret('team-a/db', '{"password":"p"}')), new Map([[DEFAULT_STORE, 'team-a/']]), renderTransform);
    expect(text(data)).toEqual({ password: 'p' });
  });

  const decodings: [strategy: 'None' | 'Base64' | 'Base64URL' | 'Auto', stored: string, written: string][] = [
    ['None', 'czNjcjN0', 'czNjcjN0'],
    ['Base64', 'czNjcjN0', 's3cr3t'],
    ['Base64URL', 'Pz8_', '???'],
    ['Auto', 'Pz8_', '???'],
    ['Auto', 'not base64!', 'not base64!'],
  ];
  it.each(decodings)('decodingStrategy %s: %j is written as %j', (decodingStrategy, stored, written) => {
    const spec: ExternalSecretSpec = { data: [{ secretKey: 'v', remoteRef: { key: 'k', decodingStrategy } }] };
    expect(assembled(spec, secret('k', stored))).toEqual({ v: written });
  });

  it('decodes a property after selecting it', () => {
    const spec: ExternalSecretSpec = { data: [{ secretKey: 'v', remoteRef: { key: 'k', property: 'b64', decodingStrategy: 'Base64' } }] };
    expect(assembled(spec, secret('k', '{"b64":"aGVsbG8="}'))).toEqual({ v: 'hello' });
  });

  it('reports a value that is not base64 with the entry', () => {
    const spec: ExternalSecretSpec = { data: [{ secretKey: 'v', remoteRef: { key: 'k', decodingStrategy: 'Base64' } }] };
    const error = thrown(() => assemble(spec, secret('k', 'abc')));
    expect(error.code).toBe('DecodingFailed');
    expect(error.message).toMatch(/^spec\.data\[0\] \(key: k\): decodingStrategy Base64: /);
  });

  it('names the key and the property when the property is missing', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: 'username', remoteRef: { key: 'db/creds', property: 'username' } },
        { secretKey: 'password', remoteRef: { key: 'db/creds', property: 'passwd' } },
      ],
    };
    const error = thrown(() => assemble(spec, secret('db/creds', '{"username":"admin","password":"p"}')));
    expect(error.code).toBe('PropertyNotFound');
    expect(error.message).toBe('spec.data[1] (key: db/creds): secret "db/creds" has no property "passwd"');
  });

  it('refuses a gjson modifier or query as an unsupported field, not an internal error, and does not retry it', () => {
    for (const property of ['@reverse', 'list|@reverse', 'list.#(a=="b")', '[a,b]', '..a']) {
      const spec: ExternalSecretSpec = { data: [{ secretKey: 'v', remoteRef: { key: 'k', property } }] };
      const error = thrown(() => assemble(spec, secret('k', '{"a":"b","list":[{"a":"b"}]}')));
      expect({ property, code: error.code, retryable: error.retryable }).toEqual({ property, code: 'UnsupportedField', retryable: false });
      expect(error.message).toMatch(/^spec\.data\[0\] \(key: k\): secret "k": property /);
    }
  });

  it('writes a data key "__proto__" as a real key, without touching any prototype', () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: '__proto__', remoteRef: { key: 'k', property: 'a' } },
        { secretKey: 'constructor', remoteRef: { key: 'k', property: 'b' } },
      ],
    };
    const { data } = assemble(spec, secret('k', '{"a":"x","b":"y"}'));
    expect(Object.keys(data)).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Buffer.from(data['__proto__']!).toString()).toBe('x');
    expect(Buffer.from(data['constructor']!).toString()).toBe('y');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('assembleProviderData: dataFrom', () => {
  it('merges dataFrom entries in order, later entries winning', () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ extract: { key: 'base' } }, { extract: { key: 'override' } }] };
    expect(assembled(spec, secret('base', '{"user":"base","host":"db.internal"}'), secret('override', '{"user":"override"}'))).toEqual({
      user: 'override',
      host: 'db.internal',
    });
  });

  it('lets data win over dataFrom, whatever the order in the manifest', () => {
    const spec: ExternalSecretSpec = {
      data: [{ secretKey: 'password', remoteRef: { key: 'rotated', property: 'password' } }],
      dataFrom: [{ extract: { key: 'bundle' } }],
    };
    expect(assembled(spec, secret('bundle', '{"password":"stale","user":"u"}'), secret('rotated', '{"password":"fresh"}'))).toEqual({
      password: 'fresh',
      user: 'u',
    });
  });

  it('extracts a JSON object: strings unescaped, other values as their JSON text, null as empty', () => {
    const json = '{"user":"ad\\u006din","port":5432,"ratio":1.50,"nested":{"a" : 1},"list":[1, 2],"flag":true,"none":null}';
    expect(assembled({ dataFrom: [{ extract: { key: 'cfg' } }] }, secret('cfg', json))).toEqual({
      user: 'admin',
      port: '5432',
      ratio: '1.50',
      nested: '{"a" : 1}',
      list: '[1, 2]',
      flag: 'true',
      none: '',
    });
  });

  it('extracts the object at a property', () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ extract: { key: 'cfg', property: 'db' } }] };
    expect(assembled(spec, secret('cfg', '{"db":{"user":"u","port":1},"other":"x"}'))).toEqual({ user: 'u', port: '1' });
  });

  it('names the entry when extract reads something that is not a JSON object', () => {
    const error = thrown(() => assemble({ dataFrom: [{ extract: { key: 'plain' } }] }, secret('plain', 'hunter2')));
    expect(error.code).toBe('DecodingFailed');
    expect(error.message).toMatch(/^spec\.dataFrom\[0\]: secret "plain" is not valid JSON/);
  });

  it('names the key and the property when extract.property is missing', () => {
    const error = thrown(() => assemble({ dataFrom: [{ extract: { key: 'cfg', property: 'db' } }] }, secret('cfg', '{"x":1}')));
    expect(error.code).toBe('PropertyNotFound');
    expect(error.message).toBe('spec.dataFrom[0]: secret "cfg" has no property "db"');
  });

  // Find keys are the secret names; ESO converts them (no rewrite), validates them, then decodes the values.
  const conversions: [strategy: 'Default' | 'Unicode' | undefined, expected: Record<string, string>][] = [
    [undefined, { 'app_db-password': 'p', 'app_api_key': 'k' }],
    ['Default', { 'app_db-password': 'p', 'app_api_key': 'k' }],
    ['Unicode', { 'app_U002f_db-password': 'p', 'app_U002f_api_U0020_key': 'k' }],
  ];
  it.each(conversions)('find with conversionStrategy %s', (conversionStrategy, expected) => {
    const find = { path: 'app/', ...(conversionStrategy ? { conversionStrategy } : {}) };
    expect(assembled({ dataFrom: [{ find }] }, found(find, { 'app/db-password': 'p', 'app/api key': 'k' }))).toEqual(expected);
  });

  it('skips conversion when the entry has a rewrite', () => {
    const find = { name: { regexp: '^app/' }, conversionStrategy: 'Unicode' as const };
    const spec: ExternalSecretSpec = { dataFrom: [{ find, rewrite: [{ regexp: { source: '^app/', target: '' } }] }] };
    // Converted first, the key would be "app_U002f_db" and the rewrite would not match.
    expect(assembled(spec, found(find, { 'app/db': 'p' }))).toEqual({ db: 'p' });
  });

  it('refuses a key the rewrite left invalid, rather than converting it', () => {
    const find = { path: 'app/', conversionStrategy: 'Default' as const };
    const spec: ExternalSecretSpec = { dataFrom: [{ find, rewrite: [{ regexp: { source: '^other/', target: '' } }] }] };
    const error = thrown(() => assemble(spec, found(find, { 'app/db': 'p' })));
    expect(error.code).toBe('InvalidSecretKey');
    expect(error.message).toMatch(/^spec\.dataFrom\[0\]: a key is not valid in a Secret .*: "app\/db"; add a rewrite/);
  });

  it('applies rewrites in order, transform rendered by the template engine', () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [
        {
          extract: { key: 'cfg' },
          rewrite: [{ regexp: { source: '^db-', target: 'database_' } }, { transform: { template: '{{ .value | upper }}' } }],
        },
      ],
    };
    expect(assembled(spec, secret('cfg', '{"db-user":"u","port":"1"}'))).toEqual({ DATABASE_USER: 'u', PORT: '1' });
  });

  it('names the rewrite when a transform fails', () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ extract: { key: 'cfg' }, rewrite: [{ transform: { template: '{{ .nope }}' } }] }] };
    const error = thrown(() => assemble(spec, secret('cfg', '{"a":"1"}')));
    expect(error.code).toBe('TemplateFailed');
    expect(error.message).toMatch(/^spec\.dataFrom\[0\]\.rewrite\[0\]\.transform: key "a": /);
  });

  it('decodes extract and find values with their decodingStrategy, after the keys are final', () => {
    const find = { path: 'b64/', decodingStrategy: 'Auto' as const, conversionStrategy: 'Default' as const };
    const spec: ExternalSecretSpec = {
      dataFrom: [{ extract: { key: 'cfg', decodingStrategy: 'Base64' } }, { find }],
    };
    expect(assembled(spec, secret('cfg', '{"a":"aGVsbG8=","b":"d29ybGQ="}'), found(find, { 'b64/c': 'Pz8_', 'b64/d': 'plain!' }))).toEqual({
      a: 'hello',
      b: 'world',
      'b64_c': '???',
      'b64_d': 'plain!',
    });
  });

  it('keeps "__proto__" from an extract as a real key', () => {
    const { data } = assemble({ dataFrom: [{ extract: { key: 'cfg' } }] }, secret('cfg', '{"__proto__":{"polluted":"yes"},"a":"1"}'));
    expect(Object.keys(data).sort()).toEqual(['__proto__', 'a']);
    expect(Buffer.from(data['__proto__']!).toString()).toBe('{"polluted":"yes"}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((data as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('assembleProviderData: size', () => {
  const big = (n: number): string => JSON.stringify({ [`k${n}`]: 'x'.repeat(n) });

  it('refuses data past 1 MiB as SecretTooLarge, naming the entry where the total passed it', () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ extract: { key: 'a' } }, { extract: { key: 'b' } }] };
    const error = thrown(() => assemble(spec, secret('a', big(600_000)), secret('b', big(500_000))));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('spec.dataFrom[1]: the data gathered so far would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a Secret');
  });

  it('names a ConfigMap in that message when the target is one (spec.target.manifest)', () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ extract: { key: 'a' } }, { extract: { key: 'b' } }], target: { manifest: { apiVersion: 'v1', kind: 'ConfigMap' } } };
    const error = thrown(() => assemble(spec, secret('a', big(600_000)), secret('b', big(500_000))));
    expect(error.message).toBe('spec.dataFrom[1]: the data gathered so far would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a ConfigMap');
  });

  it('counts a key replaced by a later entry or by data once, at its last size', () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [{ extract: { key: 'a' } }, { extract: { key: 'b' } }],
      data: [{ secretKey: 'k600000', remoteRef: { key: 'c' } }],
    };
    const out = assemble(spec, secret('a', big(600_000)), secret('b', big(600_000)), secret('c', 'small'));
    expect(text(out.data)).toEqual({ k600000: 'small' });
  });

  it('shares one budget between the rewrites of all dataFrom entries', () => {
    const transform = { transform: { template: '{{ range 60000 }}{{ end }}{{ .value }}' } };
    const entry = (key: string) => ({ extract: { key }, rewrite: [transform] });
    expect(assembled({ dataFrom: [entry('a')] }, secret('a', '{"k":"1"}'))).toEqual({ k: '1' });
    const error = thrown(() => assemble({ dataFrom: [entry('a'), entry('b')] }, secret('a', '{"k":"1"}'), secret('b', '{"j":"2"}')));
    expect(error.code).toBe('TemplateLimitExceeded');
    expect(error.message).toMatch(/^spec\.dataFrom\[1\]\.rewrite\[0\]\.transform: key "j": .*range loops exceed the limit of 100000 iterations/);
  });

  it('counts data items too', () => {
    const spec: ExternalSecretSpec = {
      data: [{ secretKey: 'a', remoteRef: { key: 'a' } }, { secretKey: 'b', remoteRef: { key: 'b' } }],
    };
    const error = thrown(() => assemble(spec, secret('a', 'x'.repeat(600_000)), secret('b', 'y'.repeat(600_000))));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.message).toMatch(/^spec\.data\[1\] \(key: b\): the data gathered so far would be more than 1048576 bytes/);
  });
});

describe('assembleProviderData: a missing AWS secret', () => {
  const spec = (deletionPolicy?: 'Retain' | 'Delete' | 'Merge'): ExternalSecretSpec => ({
    ...(deletionPolicy ? { target: { deletionPolicy } } : {}),
    data: [
      { secretKey: 'kept', remoteRef: { key: 'here' } },
      { secretKey: 'lost', remoteRef: { key: 'team/gone', property: 'x' } },
    ],
    dataFrom: [{ extract: { key: 'also-gone' } }, { extract: { key: 'bundle' } }],
  });
  const entries = [secret('here', 'v'), failed('team/gone', notFound('team/gone')), failed('also-gone', notFound('also-gone')), secret('bundle', '{"b":"1"}')];

  it.each([[undefined], ['Retain' as const]])('is an error naming the entry under deletionPolicy %s', (policy) => {
    const error = thrown(() => assemble(spec(policy), ...entries));
    expect(error.code).toBe('AWSSecretNotFound');
    expect(error.message).toBe('spec.dataFrom[0]: secret "also-gone" not found');
  });

  it('names spec.data[i] and its key under Retain', () => {
    const only: ExternalSecretSpec = { data: spec().data! };
    const error = thrown(() => assemble(only, ...entries));
    expect(error.code).toBe('AWSSecretNotFound');
    expect(error.message).toBe('spec.data[1] (key: team/gone): secret "team/gone" not found');
  });

  it.each([['Delete' as const], ['Merge' as const]])('is skipped and reported under deletionPolicy %s', (policy) => {
    const { data, missing } = assemble(spec(policy), ...entries);
    expect(text(data)).toEqual({ kept: 'v', b: '1' });
    expect(missing).toEqual([
      'secret does not exist at provider using spec.dataFrom[0]',
      'secret does not exist at provider using spec.data[1] (key: team/gone)',
    ]);
  });

  it('gives empty data when every secret is gone under Delete', () => {
    const only: ExternalSecretSpec = { target: { deletionPolicy: 'Delete' }, data: [{ secretKey: 'lost', remoteRef: { key: 'team/gone' } }] };
    const { data, missing } = assemble(only, failed('team/gone', notFound('team/gone')));
    expect(text(data)).toEqual({});
    expect(missing).toEqual(['secret does not exist at provider using spec.data[0] (key: team/gone)']);
  });

  it('still fails on other errors under Delete', () => {
    const only: ExternalSecretSpec = { target: { deletionPolicy: 'Delete' }, data: [{ secretKey: 'v', remoteRef: { key: 'locked' } }] };
    const error = thrown(() => assemble(only, failed('locked', new OperatorError('AWSAccessDenied', 'not authorized'))));
    expect(error.code).toBe('AWSAccessDenied');
    expect(error.message).toBe('spec.data[0] (key: locked): not authorized');
  });

  it('reports a call that was never made as an internal error', () => {
    const error = thrown(() => assemble({ data: [{ secretKey: 'v', remoteRef: { key: 'unplanned' } }] }));
    expect(error.code).toBe('InternalError');
    expect(error.message).toBe('spec.data[0] (key: unplanned): its provider call was not made');
  });
});

describe('assembleProviderData: nullBytePolicy (ESO 2.9: checked on the final values, after decoding)', () => {
  it('Fail refuses a data value with a NUL byte, naming the entry and its secretKey, never the value', () => {
    const spec: ExternalSecretSpec = { data: [{ secretKey: 'cert', remoteRef: { key: 'bin', nullBytePolicy: 'Fail' } }] };
    const error = thrown(() => assemble(spec, binary('bin', new Uint8Array([0x41, 0x00, 0x42]))));
    expect(error.code).toBe('DecodingFailed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^spec\.data\[0\] \(key: bin\): the value of key "cert" contains NUL bytes, which nullBytePolicy: Fail refuses;/);
  });

  it('looks at the decoded value: base64 of a NUL byte fails, a NUL byte the decoding does not produce passes', () => {
    const spec = (decodingStrategy: 'Base64' | 'None'): ExternalSecretSpec => ({ data: [{ secretKey: 'v', remoteRef: { key: 'k', decodingStrategy, nullBytePolicy: 'Fail' } }] });
    expect(thrown(() => assemble(spec('Base64'), secret('k', 'QQBC'))).code).toBe('DecodingFailed');
    expect(assembled(spec('None'), secret('k', 'QQBC'))).toEqual({ v: 'QQBC' });
  });

  it('Ignore, or no policy, keeps the NUL bytes', () => {
    for (const nullBytePolicy of ['Ignore', undefined] as const) {
      const { data } = assemble({ data: [{ secretKey: 'v', remoteRef: { key: 'bin', ...(nullBytePolicy ? { nullBytePolicy } : {}) } }] }, binary('bin', new Uint8Array([0, 1])));
      expect(Array.from(data['v']!)).toEqual([0, 1]);
    }
  });

  it('for extract and find, names the first offending key in Go string order, after rewrites and decoding', () => {
    const extract: ExternalSecretSpec = { dataFrom: [{ extract: { key: 'cfg', decodingStrategy: 'Base64', nullBytePolicy: 'Fail' } }] };
    const error = thrown(() => assemble(extract, secret('cfg', '{"zeta":"QQBC","alpha":"QwBE","ok":"aGVsbG8="}')));
    expect(error.message).toMatch(/^spec\.dataFrom\[0\]: the value of key "alpha" contains NUL bytes/);

    const find = { path: 'app/', nullBytePolicy: 'Fail' as const };
    const renamed: ExternalSecretSpec = { dataFrom: [{ find, rewrite: [{ regexp: { source: '^app/', target: 'x-' } }] }] };
    expect(thrown(() => assemble(renamed, found(find, { 'app/b': 'ok', 'app/a': 'bad\u0000' }))).message).toMatch(/the value of key "x-a" contains NUL bytes/);
    // Only the entry that asks for it is checked.
    const other: ExternalSecretSpec = { dataFrom: [{ find: { path: 'app/' } }] };
    expect(Object.keys(assemble(other, found({ path: 'app/' }, { 'app/a': 'bad\u0000' })).data)).toEqual(['app_a']);
  });
});

describe('assembleProviderData: entries through their own stores (sourceRef.storeRef)', () => {
  const other = { name: 'other', kind: 'SecretStore' } as const;
  const spec: ExternalSecretSpec = {
    secretStoreRef: { name: 'aws' },
    dataFrom: [{ extract: { key: 'cfg' }, sourceRef: { storeRef: other } }],
    data: [
      { secretKey: 'mine', remoteRef: { key: 'db', property: 'p' } },
      { secretKey: 'theirs', remoteRef: { key: 'db', property: 'p' }, sourceRef: { storeRef: other } },
    ],
  };
  const prefixes = new Map([['', 'a/'], ['SecretStore/other', 'b/']]);
  const through = (store: string, key: string, secretString: string): Result => [fetchFor({ key }, '', store), { ok: true, secret: { name: key, secretString } }];

  it('reads each entry from its own store\'s result, with that store\'s prefix', () => {
    const { data } = assembleProviderData(spec, results(
      through('', 'a/db', '{"p":"from-a"}'),
      through('SecretStore/other', 'b/db', '{"p":"from-b"}'),
      through('SecretStore/other', 'b/cfg', '{"k":"v"}'),
    ), prefixes, renderTransform);
    expect(text(data)).toEqual({ k: 'v', mine: 'from-a', theirs: 'from-b' });
  });

  it('never takes another store\'s result for the same key', () => {
    const err = thrown(() => assembleProviderData(spec, results(
      through('', 'a/db', '{"p":"from-a"}'),
      through('SecretStore/other', 'b/cfg', '{"k":"v"}'),
      // The right key, through the wrong store.
      through('', 'b/db', '{"p":"wrong"}'),
    ), prefixes, renderTransform));
    expect(err).toMatchObject({ code: 'InternalError', message: 'spec.data[1] (key: db): its provider call was not made' });
  });

  it('a missing secret of a sourceRef store names the entry, as of the default store', () => {
    const err = thrown(() => assembleProviderData(spec, results(
      through('', 'a/db', '{"p":"from-a"}'),
      through('SecretStore/other', 'b/cfg', '{"k":"v"}'),
      [fetchFor({ key: 'db' }, 'b/', 'SecretStore/other'), { ok: false, error: notFound('b/db') }],
    ), prefixes, renderTransform));
    expect(err).toMatchObject({ code: 'AWSSecretNotFound', message: 'spec.data[1] (key: db): secret "b/db" not found' });
  });
});

describe('assembleProviderData: dataFrom[].sourceRef.generatorRef', () => {
  const pw = { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'pw' };
  const generated = (index: number, out: Record<string, string>): Result => [
    generateFetchFor(index, pw),
    { ok: true, generated: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, bytes(v)])) },
  ];

  it('writes the generator\'s keys, rewritten as the entry says (no conversion, no decoding)', () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [
        { sourceRef: { generatorRef: pw }, rewrite: [{ regexp: { source: '^password$', target: 'db-password' } }] },
        { sourceRef: { generatorRef: pw } },
      ],
    };
    expect(assembled(spec, generated(0, { password: 'Zm9v' }), generated(1, { password: 'second' }))).toEqual({ 'db-password': 'Zm9v', password: 'second' });
  });

  it('plans one run per entry, even of the same generator, and none for an entry with extract or find', () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ sourceRef: { generatorRef: pw } }, { sourceRef: { generatorRef: pw } }, { extract: { key: 'x' } }] };
    expect(planGenerations(spec)).toEqual([generateFetchFor(0, pw), generateFetchFor(1, pw)]);
    expect(new Set(planGenerations(spec).map((g) => g.id)).size).toBe(2);
  });

  it('reports a generator\'s failure at its entry, with its reason code', () => {
    const spec: ExternalSecretSpec = { target: { deletionPolicy: 'Delete' }, dataFrom: [{ sourceRef: { generatorRef: pw } }] };
    const error = thrown(() => assemble(spec, [generateFetchFor(0, pw), { ok: false, error: new OperatorError('GeneratorNotFound', 'Password "pw" in namespace "ns" not found') }]));
    expect(error).toMatchObject({ code: 'GeneratorNotFound', message: 'spec.dataFrom[0]: Password "pw" in namespace "ns" not found' });
  });

  it('refuses generated keys a Secret cannot hold, as ESO validates them (no conversion to "_" as for extract)', () => {
    const error = thrown(() => assemble({ dataFrom: [{ sourceRef: { generatorRef: pw } }] }, generated(0, { 'not/a key': 'x' })));
    expect(error.code).toBe('InvalidSecretKey');
    expect(error.message).toMatch(/^spec\.dataFrom\[0\]: a key is not valid in a Secret/);
  });
});

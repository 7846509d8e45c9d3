import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalSecrets } from '../../src/kube/resources.ts';
import { applyExternalSecret, awsName, createAwsSecrets, expectSecret, storeNamespace, type AwsSecret, type SecretExpectation } from './cases.ts';
import { eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const PID = process.pid;
const raw = String.raw;

/**
 * `find` sees every secret in moto, including those of the test files run before this one, so
 * every name, path and tag a find can reach is under `df/<pid>/<slug>/` (or carries a tag with
 * the pid in it), and each case has its own slug. Keys are the names, so with the default
 * conversion `df/<pid>/re/alpha` becomes the key `df_<pid>_re_alpha`.
 */
const under = (slug: string, leaf: string): string => `df/${PID}/${slug}/${leaf}`;

type Names = (label: string) => string;
type Call = 'GetSecretValue' | 'BatchGetSecretValue' | 'ListSecrets';

interface Case {
  name: string;
  /** The AWS secrets the case needs; `n(label)` is a unique name per case and label (extract, data). */
  aws: (n: Names) => AwsSecret[];
  /** spec.data, spec.dataFrom, spec.target... (secretStoreRef and refreshInterval are added). */
  spec: (n: Names) => Record<string, unknown>;
  metadata?: Record<string, unknown>;
  want:
    | { secret: (n: Names) => SecretExpectation }
    /** Ready=False, SecretSyncedError, a message containing each string, and no Secret. */
    | { error: (n: Names) => string[] }
    /** No keys at all under deletionPolicy Retain: Ready=True, and no Secret. */
    | { retained: true };
  /** Successful AWS calls this case's first sync makes: an exact number, or 'some' for at least one. */
  calls?: Partial<Record<Call, number | 'some'>>;
}

const JSON_KINDS = raw`{"username":"admin","password":"p@ss \"q\" \u00e9\/x","port": 5432,"ratio":1.50,"big":1e3,"neg":-0.5,` +
  raw`"tls":true,"off":false,"none":null,"nested": {"a" : 1},"list":[1, "two" ,null],"empty":"","dup":"first","dup":"second"}`;

const cases: Case[] = [
  // ---------------------------------------------------------------------------------- extract
  {
    name: 'extract: strings unquoted; numbers, booleans, null, objects and arrays as their JSON text exactly as written',
    aws: (n) => [{ name: n('kinds'), string: JSON_KINDS }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('kinds') } }] }),
    want: {
      secret: () => ({
        data: {
          username: 'admin', password: 'p@ss "q" é/x', port: '5432', ratio: '1.50', big: '1e3', neg: '-0.5',
          tls: 'true', off: 'false', none: '', nested: '{"a" : 1}', list: '[1, "two" ,null]', empty: '', dup: 'second',
        },
      }),
    },
  },
  {
    name: 'extract.property: a nested object is selected first, then its members become keys',
    aws: (n) => [{ name: n('app'), string: '{"app":{"db":{"user":"u","port":5432,"opts":{"ssl" : true}}},"other":"x"}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('app'), property: 'app.db' } }] }),
    want: { secret: () => ({ data: { user: 'u', port: '5432', opts: '{"ssl" : true}' } }) },
  },
  {
    name: 'extract: a JSON SecretBinary (bytes that are not UTF-8 inside a string become U+FFFD, as Go decodes them)',
    aws: (n) => [{ name: n('bin'), binary: Buffer.concat([Buffer.from('{"k":"from-binary","n":7,"raw":"a'), Buffer.from([0xff]), Buffer.from('b"}')]) }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('bin') } }] }),
    want: { secret: () => ({ data: { k: 'from-binary', n: '7', raw: 'a\u{fffd}b' } }) },
  },
  {
    name: 'extract: conversionStrategy Default (unset) and Unicode rename keys a Secret cannot hold',
    aws: (n) => [{ name: n('conv'), string: '{"db password":"a","path/to":"b","ok-key.x_y":"c"}' }],
    spec: (n) => ({
      dataFrom: [
        { extract: { key: n('conv') } },
        { extract: { key: n('conv'), conversionStrategy: 'Unicode' } },
      ],
    }),
    want: { secret: () => ({ data: { db_password: 'a', path_to: 'b', 'ok-key.x_y': 'c', db_U0020_password: 'a', path_U002f_to: 'b' } }) },
  },
  {
    name: 'extract: JSON null and an empty object give no keys, and no error',
    aws: (n) => [{ name: n('null'), string: 'null' }, { name: n('empty'), string: '{}' }, { name: n('real'), string: '{"k":"v"}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('null') } }, { extract: { key: n('empty') } }, { extract: { key: n('real') } }] }),
    want: { secret: () => ({ data: { k: 'v' } }) },
  },

  {
    // ESO's AWS GetSecretMap over GetSecret: with metadataPolicy Fetch the document is the tags as a
    // JSON object (DescribeSecret), not the value, so each tag becomes a key, converted as any key.
    name: 'extract: metadataPolicy Fetch makes a key of each tag (the value is not read), conversionStrategy applied',
    aws: (n) => [{ name: n('tagged'), string: 'not JSON: an extract of the value would fail', tags: { Team: 'platform', 'cost center': '42', 'app:tier': 'web/1' } }],
    spec: (n) => ({
      dataFrom: [
        { extract: { key: n('tagged'), metadataPolicy: 'Fetch' } },
        { extract: { key: n('tagged'), metadataPolicy: 'Fetch', conversionStrategy: 'Unicode' } },
      ],
    }),
    want: { secret: () => ({ data: { Team: 'platform', cost_center: '42', app_tier: 'web/1', cost_U0020_center: '42', app_U003a_tier: 'web/1' } }) },
    calls: { GetSecretValue: 0 },
  },

  // ------------------------------------------------------------------------------------- find
  {
    name: 'find.name.regexp: unanchored Go regexp over every name (ListSecrets, then the matches in one BatchGetSecretValue); keys are the names, / becomes _',
    aws: () => [
      { name: under('re', 'alpha'), string: 'A' },
      { name: under('re', 'beta'), string: 'B' },
      { name: under('re', 'gamma-1'), string: 'G' },
    ],
    spec: () => ({ dataFrom: [{ find: { name: { regexp: `${PID}/re/(alpha|gamma)` } } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_re_alpha`]: 'A', [`df_${PID}_re_gamma-1`]: 'G' } }) },
    calls: { ListSecrets: 'some', BatchGetSecretValue: 1, GetSecretValue: 0 },
  },
  {
    name: 'find.name.regexp: RE2 syntax JavaScript lacks (\\Q...\\E, [[:digit:]])',
    aws: () => ['item1', 'item22', 'itemX', 'item3x'].map((leaf) => ({ name: under('posix', leaf), string: leaf })),
    spec: () => ({ dataFrom: [{ find: { name: { regexp: `\\Q${under('posix', '')}\\Eitem[[:digit:]]+$` } } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_posix_item1`]: 'item1', [`df_${PID}_posix_item22`]: 'item22' } }) },
  },
  {
    name: 'find.tags: BatchGetSecretValue with tag-key and tag-value filters; a binary secret keeps its bytes',
    aws: () => [
      { name: under('tags', 'one'), string: 'v1', tags: { [`team-${PID}`]: `payments-${PID}` } },
      { name: under('tags', 'two'), binary: new Uint8Array([0, 1, 0xff]), tags: { [`team-${PID}`]: `payments-${PID}`, env: 'prod' } },
      { name: under('tags', 'other'), string: 'no', tags: { [`team-${PID}`]: `billing-${PID}` } },
      { name: under('tags', 'untagged'), string: 'no' },
    ],
    spec: () => ({ dataFrom: [{ find: { tags: { [`team-${PID}`]: `payments-${PID}` } } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_tags_one`]: 'v1', [`df_${PID}_tags_two`]: new Uint8Array([0, 1, 0xff]) } }) },
    calls: { BatchGetSecretValue: 1, ListSecrets: 0, GetSecretValue: 0 },
  },
  {
    name: 'find.tags with path: only the tagged secrets whose name starts with the path',
    aws: () => [
      { name: under('tagpath', 'in/a'), string: 'in', tags: { [`scope-${PID}`]: `on-${PID}` } },
      { name: under('tagpath', 'out/b'), string: 'out', tags: { [`scope-${PID}`]: `on-${PID}` } },
      { name: under('tagpath', 'in/c'), string: 'untagged' },
    ],
    spec: () => ({ dataFrom: [{ find: { path: under('tagpath', 'in/'), tags: { [`scope-${PID}`]: `on-${PID}` } } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_tagpath_in_a`]: 'in' } }) },
    calls: { BatchGetSecretValue: 1, ListSecrets: 0, GetSecretValue: 0 },
  },
  {
    name: 'find.path with name.regexp: BatchGetSecretValue on the name prefix, then the regexp',
    aws: () => [
      { name: under('path', 'a'), string: 'a' },
      { name: under('path', 'sub/b'), string: 'b' },
      { name: under('path', 'skip-me'), string: 'skipped by the regexp' },
      { name: under('pathological', 'a'), string: 'outside the path' },
    ],
    spec: () => ({ dataFrom: [{ find: { path: under('path', ''), name: { regexp: '[ab]$' } } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_path_a`]: 'a', [`df_${PID}_path_sub_b`]: 'b' } }) },
    calls: { BatchGetSecretValue: 1, ListSecrets: 0, GetSecretValue: 0 },
  },
  {
    // ESO 2.x's AWS GetAllSecrets (providers/v1/aws/secretsmanager/secretsmanager.go): name and tags
    // together go to findByNameAndTags, which adds the tag filters to the name search.
    name: 'find.name with tags: both apply, as in ESO 2.x',
    aws: () => [
      { name: under('nametags', 'tagged'), string: 't', tags: { [`nt-${PID}`]: `yes-${PID}` } },
      { name: under('nametags', 'untagged'), string: 'u' },
    ],
    spec: () => ({ dataFrom: [{ find: { name: { regexp: `^${under('nametags', '')}` }, tags: { [`nt-${PID}`]: `yes-${PID}` } } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_nametags_tagged`]: 't' } }) },
  },
  {
    name: 'find: conversionStrategy Unicode writes _UXXXX_ for each character Default turns into _',
    aws: () => [{ name: under('uni', 'a+b=c@d'), string: 'x1' }, { name: under('uni', 'plain'), string: 'x2' }],
    spec: () => ({
      dataFrom: [
        { find: { name: { regexp: `^${under('uni', '')}` }, conversionStrategy: 'Unicode' } },
        { find: { name: { regexp: `^${under('uni', '')}` }, conversionStrategy: 'Default' } },
      ],
    }),
    want: {
      secret: () => ({
        data: {
          [`df_U002f_${PID}_U002f_uni_U002f_a_U002b_b_U003d_c_U0040_d`]: 'x1',
          [`df_U002f_${PID}_U002f_uni_U002f_plain`]: 'x2',
          [`df_${PID}_uni_a_b_c_d`]: 'x1',
          [`df_${PID}_uni_plain`]: 'x2',
        },
      }),
    },
  },

  // ---------------------------------------------------------------------------------- rewrite
  {
    name: 'rewrite: regexp with $1, then a named group, then an empty target dropping keys, then transform upper, in order',
    aws: (n) => [{ name: n('rw'), string: '{"db-user":"u","db-pass":"p","api_token":"t","drop-me":"x"}' }],
    spec: (n) => ({
      dataFrom: [{
        extract: { key: n('rw') },
        rewrite: [
          { regexp: { source: '^db-(.*)$', target: 'database_$1' } },
          { regexp: { source: '^database_(?P<field>[a-z]+)$', target: '${field}-from-db' } },
          { regexp: { source: '^drop-.*$', target: '' } },
          { transform: { template: '{{ .value | upper }}' } },
        ],
      }],
    }),
    want: { secret: () => ({ data: { 'USER-FROM-DB': 'u', 'PASS-FROM-DB': 'p', API_TOKEN: 't' } }) },
  },
  {
    name: 'rewrite on find: stripping the path prefix; conversionStrategy is ignored when a rewrite is present',
    aws: () => [{ name: under('rw', 'one'), string: '1' }, { name: under('rw', 'sub/two'), string: '2' }],
    spec: () => ({
      dataFrom: [{
        find: { name: { regexp: `^${under('rw', '')}` }, conversionStrategy: 'Unicode' },
        rewrite: [{ regexp: { source: '^df/[0-9]+/rw/', target: '' } }, { regexp: { source: '/', target: '-' } }],
      }],
    }),
    want: { secret: () => ({ data: { one: '1', 'sub-two': '2' } }) },
  },
  {
    name: 'rewrite transform: a Go template with sprig functions, .value is the key',
    aws: () => [{ name: under('tr', 'api/key'), string: 'k' }],
    spec: () => ({
      dataFrom: [{
        find: { name: { regexp: `^${under('tr', '')}` } },
        rewrite: [{ transform: { template: '{{ .value | trimPrefix "df/" | replace "/" "." }}' } }],
      }],
    }),
    want: { secret: () => ({ data: { [`${PID}.tr.api.key`]: 'k' } }) },
  },

  // ------------------------------------------------------------------------ decodingStrategy
  {
    name: 'decodingStrategy: Base64 and Base64URL on extract (every value, JSON numbers included), Auto on find',
    aws: (n) => [
      { name: n('std'), string: '{"a":"aGVsbG8=","n":1234}' },
      { name: n('url'), string: '{"u":"aGVsbG8_Pg=="}' },
      { name: under('dec', 'b64'), string: 'aGk=' },
      { name: under('dec', 'plain'), string: 'plain text!' },
    ],
    spec: (n) => ({
      dataFrom: [
        { extract: { key: n('std'), decodingStrategy: 'Base64' } },
        { extract: { key: n('url'), decodingStrategy: 'Base64URL' } },
        { find: { name: { regexp: `^${under('dec', '')}` }, decodingStrategy: 'Auto' } },
      ],
    }),
    want: {
      secret: () => ({
        data: { a: 'hello', n: new Uint8Array([0xd7, 0x6d, 0xf8]), u: 'hello?>', [`df_${PID}_dec_b64`]: 'hi', [`df_${PID}_dec_plain`]: 'plain text!' },
      }),
    },
  },

  {
    // The same decoder as data[] (unit/decoding): every value of the entry, after the keys are set.
    name: 'decodingStrategy: Auto and None on extract; Base64, Base64URL and None on find',
    aws: (n) => [
      { name: n('auto'), string: '{"autoStd":"aGVsbG8=","autoUrl":"aGVsbG8_Pg==","autoPlain":"not base64!"}' },
      { name: n('none'), string: '{"noneKept":"aGk="}' },
      { name: under('dec64', 'std'), string: 'aGk=' },
      { name: under('decurl', 'url'), string: 'aGVsbG8_Pg==' },
      { name: under('decnone', 'kept'), string: 'aGk=' },
    ],
    spec: (n) => ({
      dataFrom: [
        { extract: { key: n('auto'), decodingStrategy: 'Auto' } },
        { extract: { key: n('none'), decodingStrategy: 'None' } },
        { find: { path: under('dec64', ''), decodingStrategy: 'Base64' } },
        { find: { path: under('decurl', ''), decodingStrategy: 'Base64URL' } },
        { find: { path: under('decnone', ''), decodingStrategy: 'None' } },
      ],
    }),
    want: {
      secret: () => ({
        data: {
          autoStd: 'hello', autoUrl: 'hello?>', autoPlain: 'not base64!', noneKept: 'aGk=',
          [`df_${PID}_dec64_std`]: 'hi', [`df_${PID}_decurl_url`]: 'hello?>', [`df_${PID}_decnone_kept`]: 'aGk=',
        },
      }),
    },
  },

  // ------------------------------------------------------------------------------- precedence
  {
    name: 'precedence: dataFrom entries in order (later wins), data[] wins over dataFrom; the ExternalSecret labels and annotations are copied',
    aws: (n) => [
      { name: n('a'), string: '{"shared":"from-a","onlyA":"a","final":"from-a"}' },
      { name: n('b'), string: '{"shared":"from-b","onlyB":"b","final":"from-b"}' },
      { name: n('c'), string: 'from-data' },
    ],
    metadata: { labels: { app: 'billing' }, annotations: { 'team.example.com/owner': 'payments' } },
    spec: (n) => ({
      data: [{ secretKey: 'final', remoteRef: { key: n('c') } }],
      dataFrom: [{ extract: { key: n('a') } }, { extract: { key: n('b') } }],
    }),
    want: {
      secret: () => ({
        data: { shared: 'from-b', onlyA: 'a', onlyB: 'b', final: 'from-data' },
        labels: { app: 'billing' },
        annotations: { 'team.example.com/owner': 'payments' },
      }),
    },
  },
  {
    name: 'precedence: the same entries reversed, and a find after them overriding one key',
    aws: (n) => [
      { name: n('a'), string: '{"shared":"from-a","onlyA":"a","final":"from-a"}' },
      { name: n('b'), string: '{"shared":"from-b","onlyB":"b","final":"from-b"}' },
      { name: n('c'), string: 'from-data' },
      { name: under('prec', 'onlyA'), string: 'from-find' },
    ],
    spec: (n) => ({
      data: [{ secretKey: 'final', remoteRef: { key: n('c') } }],
      dataFrom: [
        { extract: { key: n('b') } },
        { extract: { key: n('a') } },
        { find: { name: { regexp: `^${under('prec', '')}` } }, rewrite: [{ regexp: { source: '^.*/', target: '' } }] },
      ],
    }),
    want: { secret: () => ({ data: { shared: 'from-a', onlyA: 'from-find', onlyB: 'b', final: 'from-data' } }) },
  },

  // ------------------------------------------------------------------------------- no keys
  {
    name: 'find matching nothing, deletionPolicy Retain: Ready, secret retained, no Secret created',
    aws: () => [{ name: under('nothing-near', 'x'), string: 'not matched' }],
    spec: () => ({ target: { deletionPolicy: 'Retain' }, dataFrom: [{ find: { name: { regexp: `^${under('nothing', '')}` } } }] }),
    want: { retained: true },
  },

  // ---------------------------------------------------------------------------------- errors
  {
    name: 'error: extract of a JSON array names the secret',
    aws: (n) => [{ name: n('list'), string: '["a","b"]' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('list') } }] }),
    want: { error: (n) => [n('list')] },
  },
  {
    name: 'error: extract of text that is not JSON names the secret',
    aws: (n) => [{ name: n('text'), string: 'just-a-token' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('text') } }] }),
    want: { error: (n) => [n('text')] },
  },
  {
    name: 'error: extract.property selecting a number names the secret',
    aws: (n) => [{ name: n('num'), string: '{"port":5432}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('num'), property: 'port' } }] }),
    want: { error: (n) => [n('num')] },
  },
  {
    name: 'error: with a rewrite, conversionStrategy is not applied, so a key with / is invalid (InvalidSecretKey)',
    aws: (n) => [{ name: n('slash'), string: '{"a/b":"v","ok":"w"}' }],
    spec: (n) => ({
      dataFrom: [{ extract: { key: n('slash'), conversionStrategy: 'Default' }, rewrite: [{ regexp: { source: '^ok$', target: 'fine' } }] }],
    }),
    want: { error: () => ['InvalidSecretKey', 'a/b'] },
  },
  {
    name: 'error: a transform producing an invalid key names it (InvalidSecretKey)',
    aws: (n) => [{ name: n('tr'), string: '{"k":"v"}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('tr') }, rewrite: [{ transform: { template: '{{ .value }}/x' } }] }] }),
    want: { error: () => ['InvalidSecretKey', 'k/x'] },
  },
  {
    name: 'error: decodingStrategy Base64 on a value that is not base64 names the key',
    aws: (n) => [{ name: n('dec'), string: '{"token":"not base64!"}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('dec'), decodingStrategy: 'Base64' } }] }),
    want: { error: () => ['DecodingFailed', 'token'] },
  },
  // ---------------------------------------------------------------------------- nullBytePolicy
  {
    name: 'nullBytePolicy Fail on data: a value with a NUL byte once decoded is refused (DecodingFailed), naming the key',
    aws: (n) => [{ name: n('nul'), string: '{"cert":"QQBC","ok":"aGk="}' }],
    spec: (n) => ({
      data: [
        { secretKey: 'ok', remoteRef: { key: n('nul'), property: 'ok', decodingStrategy: 'Base64', nullBytePolicy: 'Fail' } },
        { secretKey: 'cert', remoteRef: { key: n('nul'), property: 'cert', decodingStrategy: 'Base64', nullBytePolicy: 'Fail' } },
      ],
    }),
    want: { error: () => ['DecodingFailed', 'spec.data[1]', 'the value of key "cert" contains NUL bytes'] },
  },
  {
    name: 'nullBytePolicy Fail on extract names the first offending key in Go string order',
    aws: (n) => [{ name: n('nulx'), string: '{"zeta":"QQBC","alpha":"QwBE","fine":"aGk="}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('nulx'), decodingStrategy: 'Base64', nullBytePolicy: 'Fail' } }] }),
    want: { error: () => ['DecodingFailed', 'spec.dataFrom[0]', 'the value of key "alpha" contains NUL bytes'] },
  },
  {
    name: 'nullBytePolicy Fail on find: a binary secret with a NUL byte is refused',
    aws: () => [{ name: under('nulf', 'bin'), binary: new Uint8Array([0x41, 0x00, 0x42]) }, { name: under('nulf', 'text'), string: 'fine' }],
    spec: () => ({ dataFrom: [{ find: { path: under('nulf', ''), nullBytePolicy: 'Fail' } }] }),
    want: { error: () => ['DecodingFailed', `the value of key "df_${PID}_nulf_bin" contains NUL bytes`] },
  },
  {
    name: 'nullBytePolicy Ignore (and unset) keeps NUL bytes',
    aws: (n) => [{ name: n('nuli'), binary: new Uint8Array([0x41, 0x00, 0x42]) }],
    spec: (n) => ({
      data: [
        { secretKey: 'ignored', remoteRef: { key: n('nuli'), nullBytePolicy: 'Ignore' } },
        { secretKey: 'unset', remoteRef: { key: n('nuli') } },
      ],
    }),
    want: { secret: () => ({ data: { ignored: new Uint8Array([0x41, 0x00, 0x42]), unset: new Uint8Array([0x41, 0x00, 0x42]) } }) },
  },

  {
    name: 'nullBytePolicy Ignore on extract and find (explicit, and unset on extract) keeps NUL bytes',
    aws: (n) => [{ name: n('nulx'), string: '{"cert":"QQBC"}' }, { name: under('nulfi', 'bin'), binary: new Uint8Array([0x41, 0x00, 0x42]) }],
    spec: (n) => ({
      dataFrom: [
        { extract: { key: n('nulx'), decodingStrategy: 'Base64', nullBytePolicy: 'Ignore' } },
        { extract: { key: n('nulx'), decodingStrategy: 'Base64' }, rewrite: [{ regexp: { source: '^cert$', target: 'cert-unset' } }] },
        { find: { path: under('nulfi', ''), nullBytePolicy: 'Ignore' } },
      ],
    }),
    want: {
      secret: () => ({
        data: {
          cert: new Uint8Array([0x41, 0x00, 0x42]), 'cert-unset': new Uint8Array([0x41, 0x00, 0x42]), [`df_${PID}_nulfi_bin`]: new Uint8Array([0x41, 0x00, 0x42]),
        },
      }),
    },
  },

  // ----------------------------------------------------------------------------- rewrite.merge
  {
    name: 'rewrite.merge (Extract): the JSON members of every secret found become the keys, numbers and objects as Go writes them',
    aws: () => [
      { name: under('merge', 'db'), string: '{"user":"u","port":5432,"ratio":1.50,"big":1e3,"tls":true,"none":null,"opts":{"b":1, "a":"<x>"}}' },
      { name: under('merge', 'cache'), string: '{"url":"redis://c"}' },
    ],
    spec: () => ({ dataFrom: [{ find: { path: under('merge', '') }, rewrite: [{ merge: {} }] }] }),
    want: {
      secret: () => ({
        data: { user: 'u', port: '5432', ratio: '1.5', big: '1000', tls: 'true', none: '', opts: raw`{"a":"\u003cx\u003e","b":1}`, url: 'redis://c' },
      }),
    },
  },
  {
    name: 'error: rewrite.merge refuses a key in two secrets (conflictPolicy Error, the default)',
    aws: () => [{ name: under('mconf', 'a'), string: '{"x":"1"}' }, { name: under('mconf', 'b'), string: '{"x":"2"}' }],
    spec: () => ({ dataFrom: [{ find: { path: under('mconf', '') }, rewrite: [{ merge: {} }] }] }),
    want: { error: () => ['InvalidSecretKey', 'rewrite[0].merge', 'key "x" is in more than one of the merged values'] },
  },
  {
    name: 'rewrite.merge with conflictPolicy Ignore: the priority key is merged last and wins',
    aws: () => [{ name: under('mprio', 'a'), string: '{"x":"from-a"}' }, { name: under('mprio', 'b'), string: '{"x":"from-b","y":"b"}' }],
    spec: () => ({ dataFrom: [{ find: { path: under('mprio', '') }, rewrite: [{ merge: { conflictPolicy: 'Ignore', priority: [under('mprio', 'a')] } }] }] }),
    want: { secret: () => ({ data: { x: 'from-a', y: 'b' } }) },
  },
  {
    name: 'rewrite.merge priorityPolicy IgnoreNotFound skips a priority key that is not there; the listed one still wins',
    aws: () => [{ name: under('mignore', 'a'), string: '{"x":"from-a"}' }, { name: under('mignore', 'b'), string: '{"x":"from-b","y":"b"}' }],
    spec: () => ({
      dataFrom: [{
        find: { path: under('mignore', '') },
        rewrite: [{ merge: { conflictPolicy: 'Ignore', priorityPolicy: 'IgnoreNotFound', priority: [under('mignore', 'gone'), under('mignore', 'a')] } }],
      }],
    }),
    want: { secret: () => ({ data: { x: 'from-a', y: 'b' } }) },
  },
  {
    name: 'error: rewrite.merge priorityPolicy Strict (explicit) refuses a priority key that is not there, naming it',
    aws: () => [{ name: under('mstrict', 'a'), string: '{"x":"1"}' }],
    spec: () => ({
      dataFrom: [{ find: { path: under('mstrict', '') }, rewrite: [{ merge: { priorityPolicy: 'Strict', priority: [under('mstrict', 'gone')] } }] }],
    }),
    want: { error: () => ['PropertyNotFound', 'rewrite[0].merge', `priority key "${under('mstrict', 'gone')}" is not among the keys to merge`] },
  },
  {
    name: 'rewrite.merge (JSON) after a regexp: the keys stay and `into` gets the merged object, HTML characters not escaped',
    aws: () => [{ name: under('mjson', 'a'), string: '{"k": "<1>"}' }, { name: under('mjson', 'b'), string: '{"n": 2.50}' }],
    spec: () => ({
      dataFrom: [{
        find: { path: under('mjson', '') },
        rewrite: [{ regexp: { source: '^.*/', target: '' } }, { merge: { strategy: 'JSON', into: 'all' } }],
      }],
    }),
    want: { secret: () => ({ data: { a: '{"k": "<1>"}', b: '{"n": 2.50}', all: '{"k":"<1>","n":2.5}' } }) },
  },
  {
    name: 'error: rewrite.merge of a secret that is not a JSON object (DecodingFailed) names the key',
    aws: (n) => [{ name: n('mtext'), string: '{"plain":"text"}' }],
    spec: (n) => ({ dataFrom: [{ extract: { key: n('mtext') }, rewrite: [{ merge: {} }] }] }),
    want: { error: () => ['DecodingFailed', 'the value of key "plain" is not a JSON object'] },
  },
  {
    // A deliberate extension (README): ESO refuses a find with only a path ("unexpected find
    // operator"); here it reads every secret under the path, with one BatchGetSecretValue.
    name: 'find with only a path reads every secret under it',
    aws: () => [{ name: under('pathonly', 'x'), string: 'x' }, { name: under('pathonly', 'y'), string: 'y' }],
    spec: () => ({ dataFrom: [{ find: { path: under('pathonly', '') } }] }),
    want: { secret: () => ({ data: { [`df_${PID}_pathonly_x`]: 'x', [`df_${PID}_pathonly_y`]: 'y' } }) },
    calls: { BatchGetSecretValue: 1, ListSecrets: 0, GetSecretValue: 0 },
  },
];

const providerCalls = (call: Call): Promise<number> =>
  metricValue(h.operator.metrics.providerCalls, { provider: 'AWS/SecretsManager', call, status: 'success' });

/** Waits for the first Ready condition the operator writes, and returns the ExternalSecret. */
async function settled(ns: string, name: string): Promise<any> {
  return eventually(async () => {
    const es = await h.externalSecret(ns, name);
    return readyCondition(es) ? es : undefined;
  }, `ExternalSecret ${ns}/${name} to have a Ready condition`);
}

const slug = (name: string): string => name.split(':')[0]!.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 20).replace(/-$/, '');

function namesFor(): Names {
  const names = new Map<string, string>();
  return (label) => names.get(label) ?? (names.set(label, awsName(label)), names.get(label)!);
}

describe('dataFrom: one AWS call per distinct secret', () => {
  // First in the file, before any failing case retries in the background.
  it('two data items and one extract reading the same secret cost one GetSecretValue', async () => {
    const ns = await storeNamespace(h, 'df-one-call');
    const key = awsName('shared');
    await createAwsSecrets(h, [{ name: key, string: '{"user":"u","pass":"p","port":5432}' }]);
    const before = await providerCalls('GetSecretValue');
    await applyExternalSecret(h, ns, 'target', {
      data: [
        { secretKey: 'login', remoteRef: { key, property: 'user' } },
        { secretKey: 'pass', remoteRef: { key, property: 'pass' } },
      ],
      dataFrom: [{ extract: { key } }],
    });
    const es = await settled(ns, 'target');
    expect(readyCondition(es)).toMatchObject({ status: 'True', reason: 'SecretSynced', message: 'secret synced' });
    expect(await providerCalls('GetSecretValue') - before).toBe(1);
    const secret = await h.secret(ns, 'target');
    expectSecret(secret, es, { data: { user: 'u', pass: 'p', port: '5432', login: 'u' } });
    // The sync's own writes (the Secret, then the status) come back through the watches: once the
    // operator has handled them, they must not have caused another fetch.
    await operatorCaughtUp(h, [es, secret]);
    expect(await providerCalls('GetSecretValue') - before).toBe(1);
  });
});

describe('dataFrom', () => {
  const labels = new Set<string>();
  for (const c of cases) {
    it(c.name, async () => {
      let label = `df-${slug(c.name)}`;
      for (let i = 2; labels.has(label); i++) label = `df-${slug(c.name)}-${i}`;
      labels.add(label);
      const n = namesFor();
      const ns = await storeNamespace(h, label);
      await createAwsSecrets(h, c.aws(n));
      const before = Object.fromEntries(await Promise.all((['GetSecretValue', 'BatchGetSecretValue', 'ListSecrets'] as const).map(async (call) => [call, await providerCalls(call)])));
      await applyExternalSecret(h, ns, 'target', c.spec(n), c.metadata);
      const es = await settled(ns, 'target');
      const ready = readyCondition(es);
      try {
        if ('secret' in c.want) {
          expect(ready, 'Ready condition').toMatchObject({ status: 'True', reason: 'SecretSynced', message: 'secret synced' });
          expectSecret(await h.secret(ns, 'target'), es, c.want.secret(n));
        } else if ('retained' in c.want) {
          expect(ready, 'Ready condition').toMatchObject({ status: 'True', reason: 'SecretSynced', message: 'secret retained due to DeletionPolicy=Retain' });
          expect(await h.secret(ns, 'target'), 'no Secret').toBeUndefined();
        } else {
          expect(ready, 'Ready condition').toMatchObject({ status: 'False', reason: 'SecretSyncedError' });
          for (const part of c.want.error(n)) expect(ready.message, 'Ready message').toContain(part);
          expect(await h.secret(ns, 'target'), 'no Secret').toBeUndefined();
        }
        for (const [call, want] of Object.entries(c.calls ?? {}) as Array<[Call, number | 'some']>) {
          const made = await providerCalls(call) - before[call]!;
          if (want === 'some') expect(made, `${call} calls`).toBeGreaterThan(0);
          else expect(made, `${call} calls`).toBe(want);
        }
      } finally {
        // A failing ExternalSecret is retried with backoff: remove it so it does not keep calling AWS.
        if ('error' in c.want || ready?.status !== 'True') await h.kube.request('DELETE', externalSecrets.path(ns, 'target'));
      }
    });
  }
});

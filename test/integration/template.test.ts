import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, expectSecret, readyAs, storeNamespace, type AwsSecret, type SecretExpectation } from './cases.ts';
import { eventually, readyCondition, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const json = JSON.stringify;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const slug = (name: string) => name.split(':')[0]!.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-|-$/g, '').slice(0, 20);

/** readyAs, and on a timeout the Ready condition it had instead. */
async function settlesAs(ns: string, name: string, status: 'True' | 'False', reason: string): Promise<any> {
  try {
    return await readyAs(h, ns, name, status, reason);
  } catch (err) {
    throw new Error(`${(err as Error).message}; Ready is ${json(readyCondition(await h.externalSecret(ns, name)))}`);
  }
}

/** The seed secret our users' example manifests read. */
const DB = '{"username":"dbadmin","password":"S3cur3P@ssw0rd!","engine":"postgres","host":"db.internal.example.com","port":5432,"dbname":"myapp"}';
/** What dataFrom.extract makes of it: every value as a string, numbers as their JSON text. */
const DB_DATA = { username: 'dbadmin', password: 'S3cur3P@ssw0rd!', engine: 'postgres', host: 'db.internal.example.com', port: '5432', dbname: 'myapp' };
const URL = 'postgresql://{{ .username }}:{{ .password }}@{{ .host }}:{{ .port }}/{{ .dbname }}';
const extract = (key: string) => ({ dataFrom: [{ extract: { key } }] });

interface Case {
  name: string;
  aws: (n: (label: string) => string) => AwsSecret[];
  /** spec.data / spec.dataFrom. */
  source: (n: (label: string) => string) => Record<string, unknown>;
  template: Record<string, unknown>;
  /** The ExternalSecret's own metadata: never copied when there is a template. */
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** ConfigMaps and Secrets (string values) for templateFrom, created in the namespace first. */
  configMaps?: Record<string, Record<string, string>>;
  secrets?: Record<string, Record<string, string>>;
  want: SecretExpectation;
}

const NOT_COPIED = { labels: { 'es-label': 'not-copied' }, annotations: { 'es-annotation': 'not-copied' } };

/** One row per template behaviour; each runs in its own namespace with its own AWS secrets. */
const cases: Case[] = [
  {
    name: 'data: the users\' connection string over dataFrom.extract; Replace (default) keeps only the templated keys',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    template: { data: { url: URL } },
    metadata: NOT_COPIED,
    want: { data: { url: 'postgresql://dbadmin:S3cur3P@ssw0rd!@db.internal.example.com:5432/myapp' } },
  },
  {
    name: 'mergePolicy Merge: the provider keys are kept next to the templated ones, a template wins over a provider key',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    template: { mergePolicy: 'Merge', data: { url: URL, password: '{{ .password | upper }}' } },
    want: { data: { ...DB_DATA, password: 'S3CUR3P@SSW0RD!', url: 'postgresql://dbadmin:S3cur3P@ssw0rd!@db.internal.example.com:5432/myapp' } },
  },
  {
    name: 'metadata only: templated labels and annotations, the provider data passed through, the ExternalSecret\'s own metadata not copied',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    template: { metadata: { labels: { app: '{{ .engine }}', tier: 'database' }, annotations: { 'example.com/endpoint': '{{ .host }}:{{ .port }}' } } },
    metadata: NOT_COPIED,
    want: { data: DB_DATA, labels: { app: 'postgres', tier: 'database' }, annotations: { 'example.com/endpoint': 'db.internal.example.com:5432' } },
  },
  {
    name: 'type only: kubernetes.io/basic-auth, the data[] keys passed through',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => ({ data: ['username', 'password'].map((p) => ({ secretKey: p, remoteRef: { key: n('db'), property: p } })) }),
    template: { type: 'kubernetes.io/basic-auth' },
    want: { type: 'kubernetes.io/basic-auth', data: { username: 'dbadmin', password: 'S3cur3P@ssw0rd!' } },
  },
  {
    name: 'type kubernetes.io/dockerconfigjson: the usual registry template with printf and b64enc',
    aws: (n) => [{ name: n('registry'), string: json({ registry: 'registry.example.com', username: 'robot$ci', password: 'p@ss:w0rd' }) }],
    source: (n) => extract(n('registry')),
    template: {
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': '{"auths":{"{{ .registry }}":{"username":"{{ .username }}","password":"{{ .password }}","auth":"{{ printf "%s:%s" .username .password | b64enc }}"}}}' },
    },
    want: {
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': `{"auths":{"registry.example.com":{"username":"robot$ci","password":"p@ss:w0rd","auth":"${b64('robot$ci:p@ss:w0rd')}"}}}` },
    },
  },
  {
    name: 'type kubernetes.io/tls: tls.crt and tls.key from two properties, multi-line values kept',
    aws: (n) => [{ name: n('tls'), string: json({ cert: '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n' }) }],
    source: (n) => extract(n('tls')),
    template: { type: 'kubernetes.io/tls', data: { 'tls.crt': '{{ .cert }}', 'tls.key': '{{ .key }}' } },
    want: {
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n', 'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n' },
    },
  },
  {
    name: 'sprig functions: upper, b64enc, b64dec, fromJson, toJson, default over a missing index, trim, quote, replace, sha256sum',
    aws: (n) => [{ name: n('fn'), string: json({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!', encoded: b64('decoded-value'), config: { name: 'svc', replicas: 3 }, host: 'db.internal.example.com' }) }],
    source: (n) => extract(n('fn')),
    template: {
      data: {
        upper: '{{ .username | upper }}',
        b64enc: '{{ .password | b64enc }}',
        b64dec: '{{ .encoded | b64dec }}',
        fromJson: '{{ (.config | fromJson).name }}',
        toJson: '{{ .config | fromJson | toJson }}',
        default: '{{ index . "absent" | default "fallback" }}',
        quoted: '{{ "  padded  " | trim | quote }}',
        replace: '{{ .host | replace "." "-" }}',
        sha256: '{{ .username | sha256sum }}',
      },
    },
    want: {
      data: {
        upper: 'DBADMIN',
        b64enc: b64('S3cur3P@ssw0rd!'),
        b64dec: 'decoded-value',
        fromJson: 'svc',
        toJson: '{"name":"svc","replicas":3}',
        default: 'fallback',
        quoted: '"padded"',
        replace: 'db-internal-example-com',
        sha256: createHash('sha256').update('dbadmin').digest('hex'),
      },
    },
  },
  {
    name: 'templateFrom: ConfigMap and Secret items (Values, KeysAndValues) and literals into Data, Labels and Annotations, in order, template.data last',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    configMaps: {
      'app-templates': {
        'config.yaml': 'host: {{ .host }}\nport: {{ .port }}\n',
        env: 'DB_USER: {{ .username }}\nDB_NAME: {{ .dbname }}\nORDER: from-configmap\n',
      },
    },
    secrets: { 'secret-templates': { 'password.txt': '{{ .password }}' } },
    template: {
      templateFrom: [
        { literal: 'ORDER: from-literal\nLITERAL_ONLY: engine-{{ .engine }}\n' },
        { configMap: { name: 'app-templates', items: [{ key: 'config.yaml' }, { key: 'env', templateAs: 'KeysAndValues' }] } },
        { secret: { name: 'secret-templates', items: [{ key: 'password.txt', templateAs: 'Values' }] } },
        { target: 'Labels', literal: 'engine: {{ .engine }}\n' },
        { target: 'Annotations', literal: 'example.com/database: "{{ .dbname }}"\n' },
      ],
      data: { DB_USER: '{{ .username | upper }}' },
    },
    metadata: NOT_COPIED,
    want: {
      data: {
        'config.yaml': 'host: db.internal.example.com\nport: 5432\n',
        DB_USER: 'DBADMIN',
        DB_NAME: 'myapp',
        ORDER: 'from-configmap',
        LITERAL_ONLY: 'engine-postgres',
        'password.txt': 'S3cur3P@ssw0rd!',
      },
      labels: { engine: 'postgres' },
      annotations: { 'example.com/database': 'myapp' },
    },
  },
  {
    name: 'templateFrom valuesDecodingStrategy: what an entry renders is decoded (Base64 over a ConfigMap, Auto and Base64URL over a literal), template.data is not; engineVersion v2 given explicitly',
    aws: (n) => [{ name: n('tls'), string: json({ user: 'dbadmin', der: Buffer.from([0x30, 0x82, 0x00, 0xff]).toString('base64') }) }],
    source: (n) => extract(n('tls')),
    configMaps: { certs: { kv: 'tls.der: {{ .der }}\nUSER: "{{ .user | b64enc }}"\n' } },
    template: {
      templateFrom: [
        { configMap: { name: 'certs', items: [{ key: 'kv', templateAs: 'KeysAndValues' }] }, valuesDecodingStrategy: 'Base64' },
        { literal: 'plain: not base64!\nencoded: {{ .user | b64enc }}\n', valuesDecodingStrategy: 'Auto' },
        { target: 'Labels', literal: 'tier: {{ "gold" | b64enc }}', valuesDecodingStrategy: 'Base64' },
        // "hello?>" in URL-safe base64 (standard base64 would have "/" where this has "_").
        { literal: 'url: {{ "hello?>" | b64enc | replace "/" "_" }}', valuesDecodingStrategy: 'Base64URL' },
      ],
      data: { raw: '{{ .user | b64enc }}' },
      engineVersion: 'v2',
    },
    want: {
      data: { 'tls.der': new Uint8Array([0x30, 0x82, 0x00, 0xff]), USER: 'dbadmin', plain: 'not base64!', encoded: 'dbadmin', raw: b64('dbadmin'), url: 'hello?>' },
      labels: { tier: 'gold' },
    },
  },
  {
    // Outputs as Go renders these templates: the "integration ..." rows of test/unit/template-lang-vectors.ts.
    name: 'define, template and block, toYaml and fromYaml: each data key is its own template set',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    template: {
      data: {
        dsn: '{{ define "conn" }}{{ .username }}@{{ .host }}:{{ .port }}{{ end }}postgres://{{ template "conn" . }}/{{ .dbname }}',
        greeting: '{{ block "hello" .username }}hello {{ . }}{{ end }}',
        'config.yaml': '{{ dict "database" (dict "host" .host "port" .port "user" .username) "enabled" true | toYaml }}',
        'from-yaml': '{{ $c := printf "user: %s\\nport: %s\\n" .username .port | fromYaml }}{{ $c.user }}:{{ $c.port }}',
        // "conn" exists only in the key that defines it. Naming it "dsn", or the block
        // "greeting", like their key would define that template twice: an error in ESO too.
        elsewhere: '{{ if false }}{{ template "conn" . }}{{ end }}not shared',
      },
    },
    want: {
      data: {
        dsn: 'postgres://dbadmin@db.internal.example.com:5432/myapp',
        greeting: 'hello dbadmin',
        'config.yaml': 'database:\n  host: db.internal.example.com\n  port: "5432"\n  user: dbadmin\nenabled: true',
        'from-yaml': 'dbadmin:5432',
        elsewhere: 'not shared',
      },
    },
  },
  {
    name: 'templateFrom targets in any case (data, LABELS, annotations), as ESO compares them lowercased',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    template: {
      templateFrom: [
        { target: 'data', literal: 'user: {{ .username }}\n' },
        { target: 'LABELS', literal: 'engine: {{ .engine }}\n' },
        { target: 'annotations', literal: 'example.com/database: "{{ .dbname }}"\n' },
      ],
    },
    want: { data: { user: 'dbadmin' }, labels: { engine: 'postgres' }, annotations: { 'example.com/database': 'myapp' } },
  },
  {
    // Outputs as Go renders these templates: the "integration ..." rows of test/unit/template-sprig1-vectors.ts.
    name: 'sprig arithmetic, lists, dicts, strings and regexes over provider data, as Go renders them',
    aws: (n) => [{ name: n('db'), string: DB }],
    source: (n) => extract(n('db')),
    template: {
      data: {
        'next-port': '{{ add .port 1 }}',
        'short-user': '{{ .username | trunc 2 | upper }}',
        'reversed-host': '{{ splitList "." .host | reverse | join "." }}',
        masked: '{{ regexReplaceAll "[0-9]" .password "#" }}',
        settings: '{{ $d := dict "user" .username }}{{ $_ := set $d "port" (atoi .port) }}{{ $_ := merge $d (dict "user" "ignored" "db" .dbname) }}{{ toJson $d }}',
        name: '{{ printf "%s %s" .engine .dbname | camelcase }}-{{ .dbname | snakecase }}',
        shards: '{{ range $i := until 3 }}{{ $.dbname }}-{{ $i }} {{ end }}',
      },
    },
    want: {
      data: {
        'next-port': '5433',
        'short-user': 'DB',
        'reversed-host': 'com.example.internal.db',
        masked: 'S#cur#P@ssw#rd!',
        settings: '{"db":"myapp","port":5432,"user":"dbadmin"}',
        name: 'PostgresMyapp-myapp',
        shards: 'myapp-0 myapp-1 myapp-2 ',
      },
    },
  },
  {
    // Outputs as Go renders these templates: the "integration semver ..." rows of test/unit/template-semver-vectors.ts.
    name: 'sprig semver: a Version\'s parts, its next minor, its release, and Compare against a minimum, over provider data',
    aws: (n) => [{ name: n('release'), string: json({ version: 'v1.4.2-rc.1+build.7', minimum: '1.4.0' }) }],
    source: (n) => extract(n('release')),
    template: {
      data: {
        parts: '{{ $v := semver .version }}{{ $v.Major }}.{{ $v.Minor }} {{ $v.Prerelease }} {{ $v.Metadata }} {{ $v.Original }} {{ $v }}',
        next: '{{ (semver .version).IncMinor }}',
        release: '{{ ((semver .version).SetPrerelease "").SetMetadata "" }}',
        compare: '{{ $v := semver .version }}{{ $min := semver .minimum }}{{ if $v.LessThan $min }}upgrade{{ else }}ok {{ $v.Compare $min }}{{ end }}',
      },
    },
    want: {
      data: {
        parts: '1.4 rc.1 build.7 v1.4.2-rc.1+build.7 1.4.2-rc.1+build.7',
        next: '1.5.0',
        release: '1.4.2',
        compare: 'ok 1',
      },
    },
  },
  {
    name: 'sprig dates and crypto: a parsed time formatted in a zone and moved by a TTL, a duration, a derived password, an AES-decrypted value',
    aws: (n) => [{
      name: n('issued'),
      string: json({ issued: '2024-05-06T07:08:09+02:00', ttl: '3600', master: 'password', aesKey: 'secret', sealed: 'BwcHBwcHBwcHBwcHBwcHBxbravPemwIeoo6QF6/qFr0=' }),
    }],
    source: (n) => extract(n('issued')),
    template: {
      data: {
        issued: '{{ dateInZone "Mon, 02 Jan 2006 15:04:05 MST" (toDate "2006-01-02T15:04:05Z07:00" .issued) "America/New_York" }}',
        expires: '{{ toDate "2006-01-02T15:04:05Z07:00" .issued | dateModify (printf "%ss" .ttl) | date "2006-01-02T15:04:05Z07:00" }}',
        epoch: '{{ toDate "2006-01-02T15:04:05Z07:00" .issued | unixEpoch }}',
        ttl: '{{ duration .ttl }}',
        site: '{{ derivePassword 1 "long" .master "user" "example.com" }}',
        plain: '{{ decryptAES .aesKey .sealed }}',
      },
    },
    // What Go with sprig v3.3.0 writes (tools/template-vectors/sprig2 has the same calls).
    want: {
      data: {
        issued: 'Mon, 06 May 2024 01:08:09 EDT',
        expires: '2024-05-06T06:08:09Z',
        epoch: '1714972089',
        ttl: '1h0m0s',
        site: 'ZedaFaxcZaso9*',
        plain: 'hello world',
      },
    },
  },
];

describe('target.template', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const names = new Map<string, string>();
      const n = (l: string) => names.get(l) ?? (names.set(l, awsName(l)), names.get(l)!);
      const ns = await storeNamespace(h, slug(c.name));
      await createAwsSecrets(h, c.aws(n));
      for (const [name, data] of Object.entries(c.configMaps ?? {})) {
        await applyManifest(h.kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
      }
      for (const [name, data] of Object.entries(c.secrets ?? {})) {
        await applyManifest(h.kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: data });
      }
      await applyExternalSecret(h, ns, 'target', { ...c.source(n), target: { template: c.template } }, c.metadata);
      const es = await settlesAs(ns, 'target', 'True', 'SecretSynced');
      expectSecret(await h.secret(ns, 'target'), es, c.want);
    });
  }
});

describe('target.template: failures and changes', () => {
  it('a key missing from the data is an error (missingkey=error): Ready=False, an UpdateFailed Event, no Secret', async () => {
    const ns = await storeNamespace(h, 'tpl-missing');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'target', { ...extract(key), target: { template: { data: { url: 'postgresql://{{ .user }}@{{ .host }}' } } } });
    const es = await settlesAs(ns, 'target', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toContain('map has no entry for key "user"');
    expect(await h.secret(ns, 'target')).toBeUndefined();
    const warning = await eventually(async () => (await eventsFor(h, ns, 'target')).find((e) => e.type === 'Warning'), 'an UpdateFailed Event');
    expect(warning.reason).toBe('UpdateFailed');
  });

  it('a template that calls itself stops at the nesting bound: TemplateLimitExceeded, and no Secret', async () => {
    const ns = await storeNamespace(h, 'tpl-recursive');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    const loop = '{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" . }}';
    await applyExternalSecret(h, ns, 'target', { ...extract(key), target: { template: { data: { url: loop } } } });
    const es = await settlesAs(ns, 'target', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toContain('TemplateLimitExceeded');
    expect(readyCondition(es).message).toContain('executing "loop": template calls nest deeper than the limit of 250');
    expect(await h.secret(ns, 'target')).toBeUndefined();
  });

  it('a label the apiserver refuses is TargetRejected, naming the field and never the value, and no Secret', async () => {
    const ns = await storeNamespace(h, 'tpl-bad-label');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'target', { ...extract(key), target: { template: { metadata: { labels: { pw: '{{ .password }}' } } } } });
    const es = await settlesAs(ns, 'target', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toBe(
      `TargetRejected: the apiserver refused Secret "target" as rendered; check spec.target.template: POST /api/v1/namespaces/${ns}/secrets: ` +
        '422 Invalid: Secret "target" rejected: metadata.labels: invalid value; its message is withheld because it may quote the values sent',
    );
    expect(await h.secret(ns, 'target')).toBeUndefined();
  });

  it('templateFrom valuesDecodingStrategy Base64 over a value that is not base64 is DecodingFailed, naming the entry and key, and no Secret', async () => {
    const ns = await storeNamespace(h, 'tpl-values-decoding');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'target', {
      ...extract(key),
      target: { template: { templateFrom: [{ literal: 'pw: "{{ .password }}"', valuesDecodingStrategy: 'Base64' }] } },
    });
    const es = await settlesAs(ns, 'target', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toMatch(/^DecodingFailed: spec\.target\.template\.templateFrom\[0\] key "pw": decodingStrategy Base64: /);
    expect(readyCondition(es).message).not.toContain('S3cur3');
    expect(await h.secret(ns, 'target')).toBeUndefined();
  });

  it('a templateFrom ConfigMap that does not exist is an error naming it, and no Secret', async () => {
    const ns = await storeNamespace(h, 'tpl-nocm');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'target', {
      ...extract(key),
      target: { template: { templateFrom: [{ configMap: { name: 'not-there', items: [{ key: 'x' }] } }] } },
    });
    const es = await settlesAs(ns, 'target', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toContain('not-there');
    expect(await h.secret(ns, 'target')).toBeUndefined();
  });

  it('a changed template replaces the keys, labels and annotations it produced before', async () => {
    const ns = await storeNamespace(h, 'tpl-change');
    const key = awsName('db');
    await createAwsSecrets(h, [{ name: key, string: DB }]);
    await applyExternalSecret(h, ns, 'target', {
      ...extract(key),
      target: { template: { metadata: { labels: { old: 'label' }, annotations: { old: 'annotation' } }, data: { url: URL } } },
    });
    const first = await settlesAs(ns, 'target', 'True', 'SecretSynced');
    expectSecret(await h.secret(ns, 'target'), first, {
      data: { url: 'postgresql://dbadmin:S3cur3P@ssw0rd!@db.internal.example.com:5432/myapp' },
      labels: { old: 'label' },
      annotations: { old: 'annotation' },
    });

    await applyExternalSecret(h, ns, 'target', {
      ...extract(key),
      target: { template: { metadata: { labels: { new: '{{ .engine }}' } }, data: { DATABASE_HOST: '{{ .host }}', DATABASE_PORT: '{{ .port }}' } } },
    });
    const es = await eventually(async () => {
      const current = await h.externalSecret(ns, 'target');
      return current.status?.syncedResourceVersion?.startsWith(`${current.metadata.generation}-`) && readyCondition(current)?.reason === 'SecretSynced' ? current : undefined;
    }, 'the sync of the new template');
    expectSecret(await h.secret(ns, 'target'), es, {
      data: { DATABASE_HOST: 'db.internal.example.com', DATABASE_PORT: '5432' },
      labels: { new: 'postgres' },
    });
  });
});

/** Inputs and Go's outputs of ESO's certificate helpers (test/data/template-certs, tools/template-vectors). */
const certVectors = JSON.parse(readFileSync(new globalThis.URL('../data/template-certs/vectors.json', import.meta.url), 'utf8')) as {
  inputs: Record<string, string>;
  cases: { name: string; want?: string }[];
};
const vectorInput = (name: string): Buffer => Buffer.from(certVectors.inputs[name]!, 'base64');
const goOutput = (name: string): string => Buffer.from(certVectors.cases.find((c) => c.name === name)!.want!, 'base64').toString('latin1');

describe('target.template: ESO\'s certificate and JWK helpers', () => {
  it('a PEM bundle, a binary PKCS#12 archive and a JWK in AWS become a TLS Secret, a keystore and a public key, as ESO writes them', async () => {
    const ns = await storeNamespace(h, 'tpl-certs');
    const [bundle, archive, jwk] = [awsName('bundle'), awsName('p12'), awsName('jwk')];
    await createAwsSecrets(h, [
      // A bundle as `openssl pkcs12 -nodes` prints it: "Bag Attributes" lines around the blocks.
      { name: bundle, string: vectorInput('bundle.pem').toString('latin1') },
      { name: archive, binary: new Uint8Array(vectorInput('modern.pfx')) },
      { name: jwk, string: vectorInput('rsa-public.jwk').toString('latin1') },
    ]);
    const cert = '(.bundle | filterPEM "CERTIFICATE")';
    const key = '(.bundle | filterPEM "RSA PRIVATE KEY")';
    await applyExternalSecret(h, ns, 'target', {
      data: [
        { secretKey: 'bundle', remoteRef: { key: bundle } },
        { secretKey: 'p12', remoteRef: { key: archive } },
        { secretKey: 'jwk', remoteRef: { key: jwk } },
      ],
      target: {
        template: {
          type: 'kubernetes.io/tls',
          data: {
            'tls.crt': `{{ ${cert} }}`,
            'tls.key': `{{ ${key} }}`,
            'leaf.crt': `{{ ${cert} | filterCertChain "leaf" }}`,
            'archive.key': '{{ .p12 | pkcs12keyPass "s3cret" }}',
            'archive.crt': '{{ .p12 | pkcs12certPass "s3cret" }}',
            'jwk.pub': '{{ .jwk | jwkPublicKeyPem }}',
            'keystore.p12': `{{ pemToPkcs12Pass ${cert} ${key} "changeit" | b64dec }}`,
          },
        },
      },
    });
    const es = await settlesAs(ns, 'target', 'True', 'SecretSynced');
    const secret = await h.secret(ns, 'target');
    const data = (k: string): Buffer => Buffer.from(secret.data[k], 'base64');

    // The archive is random (salts, IVs): read it with node-forge, a decoder independent of ours.
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(data('keystore.p12').toString('latin1')), true, 'changeit');
    const bags = (type: string) => p12.getBags({ bagType: type })[type]!;
    // forge parses only RSA-signed certificates; it keeps the others as ASN.1 (bag.asn1).
    const leaf = bags(forge.pki.oids.certBag!).map((b) => {
      const der = forge.asn1.toDer(b.cert ? forge.pki.certificateToAsn1(b.cert) : b.asn1!).getBytes();
      return new X509Certificate(Buffer.from(der, 'latin1')).toString();
    });
    const archivedKey = forge.pki.privateKeyToPem(bags(forge.pki.oids.pkcs8ShroudedKeyBag!)[0]!.key!);
    expect(leaf).toEqual([goOutput('filterCertChain leaf')]);
    expect(createPrivateKey(archivedKey).export({ format: 'pem', type: 'pkcs8' })).toBe(goOutput('pkcs12keyPass modern.pfx'));

    expectSecret(secret, es, {
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': goOutput('filterPEM certificates of a bundle'),
        'tls.key': goOutput('filterPEM is case-insensitive'),
        'leaf.crt': goOutput('filterCertChain leaf'),
        'archive.key': goOutput('pkcs12keyPass modern.pfx'),
        'archive.crt': goOutput('pkcs12certPass modern.pfx'),
        'jwk.pub': goOutput('jwkPublicKeyPem rsa-public.jwk'),
        'keystore.p12': new Uint8Array(data('keystore.p12')),
      },
    });
  });
});

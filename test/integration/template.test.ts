import { createHash } from 'node:crypto';
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

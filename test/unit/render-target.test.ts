import { describe, expect, it } from 'vitest';
import type { ExternalSecret, ExternalSecretTemplate, ObjectMeta, TemplateFrom } from '../../src/api/generated.ts';
import { renderTarget, renderTransform, type TemplateSources, templateSourceNames } from '../../src/sync/render-target.ts';
import { RenderBudget } from '../../src/go/template/index.ts';
import { text, thrown } from '../helpers/expect-helpers.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const externalSecret = (template?: ExternalSecretTemplate, meta: Partial<ObjectMeta> = {}): ExternalSecret => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace: 'default', uid: 'uid-1', ...meta },
  spec: { target: { name: 'db-credentials', ...(template ? { template } : {}) } },
});

/** What the provider gave: data and dataFrom, assembled. */
const provider = (): Record<string, Uint8Array> => ({ user: bytes('admin'), password: bytes('s3cr3t') });

const sources = (configMaps: Record<string, Record<string, string>> = {}, secrets: Record<string, Record<string, string>> = {}): TemplateSources => ({
  configMaps: new Map(Object.entries(configMaps)),
  secrets: new Map(Object.entries(secrets).map(([name, data]) => [name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, bytes(v)]))])),
});

/** Renders and returns data as text, with labels, annotations and type. */
const render = (template: ExternalSecretTemplate | undefined, from: TemplateSources = sources(), meta: Partial<ObjectMeta> = {}) => {
  const out = renderTarget(externalSecret(template, meta), provider(), from);
  return { ...out, data: text(out.data) };
};

describe('renderTarget without a template', () => {
  it("writes the provider data with the ExternalSecret's own labels and annotations", () => {
    const meta = { labels: { team: 'payments' }, annotations: { 'example.com/owner': 'alice' } };
    expect(render(undefined, sources(), meta)).toEqual({
      data: { user: 'admin', password: 's3cr3t' },
      labels: { team: 'payments' },
      annotations: { 'example.com/owner': 'alice' },
    });
  });

  it('gives empty labels and annotations when the ExternalSecret has none, and no type', () => {
    const out = render(undefined);
    expect(out.labels).toEqual({});
    expect(out.annotations).toEqual({});
    expect('type' in out).toBe(false);
  });

  it("copies the ExternalSecret's labels rather than sharing them", () => {
    const es = externalSecret(undefined, { labels: { team: 'payments' } });
    renderTarget(es, provider(), sources()).labels['extra'] = 'x';
    expect(es.metadata.labels).toEqual({ team: 'payments' });
  });
});

describe('renderTarget with a template', () => {
  it("passes provider data through when the template has only metadata and type, without the ExternalSecret's labels", () => {
    const template: ExternalSecretTemplate = {
      type: 'kubernetes.io/basic-auth',
      metadata: { labels: { app: 'db' }, annotations: { 'example.com/rotated': 'yes' } },
    };
    expect(render(template, sources(), { labels: { team: 'payments' } })).toEqual({
      data: { user: 'admin', password: 's3cr3t' },
      labels: { app: 'db' },
      annotations: { 'example.com/rotated': 'yes' },
      type: 'kubernetes.io/basic-auth',
    });
  });

  it('passes provider data through for an empty template', () => {
    expect(render({})).toEqual({ data: { user: 'admin', password: 's3cr3t' }, labels: {}, annotations: {} });
  });

  const dsn = 'postgres://{{ .user }}:{{ .password }}@db:5432/app';
  const policies: [mergePolicy: 'Replace' | 'Merge' | undefined, data: Record<string, string>][] = [
    [undefined, { dsn: 'postgres://admin:s3cr3t@db:5432/app' }],
    ['Replace', { dsn: 'postgres://admin:s3cr3t@db:5432/app' }],
    ['Merge', { user: 'admin', password: 's3cr3t', dsn: 'postgres://admin:s3cr3t@db:5432/app' }],
  ];
  it.each(policies)('template.data with mergePolicy %s', (mergePolicy, data) => {
    expect(render({ ...(mergePolicy ? { mergePolicy } : {}), data: { dsn } }).data).toEqual(data);
  });

  it('lets a templated key win over the provider key of the same name under Merge', () => {
    expect(render({ mergePolicy: 'Merge', data: { password: '{{ .password | upper }}' } }).data).toEqual({ user: 'admin', password: 'S3CR3T' });
  });

  it('renders templated labels and annotations', () => {
    const out = render({
      metadata: {
        labels: { 'example.com/user': '{{ .user }}', static: 'v' },
        annotations: { 'example.com/summary': '{{ .user }} has {{ len .password }} characters' },
      },
    });
    expect(out.labels).toEqual({ 'example.com/user': 'admin', static: 'v' });
    expect(out.annotations).toEqual({ 'example.com/summary': 'admin has 6 characters' });
  });
});

describe('renderTarget: templateFrom', () => {
  const cm = { tpl: { 'config.yaml': 'user: {{ .user }}\n', kv: 'DB_USER: {{ .user }}\nDB_PASS: "{{ .password }}"\n' } };
  const secret = { 'tpl-secret': { 'app.ini': '[db]\npass={{ .password }}\n', kv: 'TOKEN: t-{{ .user }}\n' } };

  // [what, templateFrom entry, expected data]
  const scopes: [string, TemplateFrom, Record<string, string>][] = [
    ['configMap Values (the default)', { configMap: { name: 'tpl', items: [{ key: 'config.yaml' }] } }, { 'config.yaml': 'user: admin\n' }],
    ['configMap Values', { configMap: { name: 'tpl', items: [{ key: 'config.yaml', templateAs: 'Values' }] } }, { 'config.yaml': 'user: admin\n' }],
    ['configMap KeysAndValues', { configMap: { name: 'tpl', items: [{ key: 'kv', templateAs: 'KeysAndValues' }] } }, { DB_USER: 'admin', DB_PASS: 's3cr3t' }],
    ['secret Values', { secret: { name: 'tpl-secret', items: [{ key: 'app.ini' }] } }, { 'app.ini': '[db]\npass=s3cr3t\n' }],
    ['secret KeysAndValues', { secret: { name: 'tpl-secret', items: [{ key: 'kv', templateAs: 'KeysAndValues' }] } }, { TOKEN: 't-admin' }],
    ['literal (always KeysAndValues)', { literal: '{{ .user }}_name: "{{ .password }}"\nplain: text' }, { admin_name: 's3cr3t', plain: 'text' }],
    ['an empty literal', { literal: '' }, {}],
  ];
  it.each(scopes)('%s', (_what, from, data) => {
    expect(render({ templateFrom: [from] }, sources(cm, secret)).data).toEqual(data);
  });

  it('writes to labels and annotations with target Labels and Annotations', () => {
    const out = render(
      {
        templateFrom: [
          { target: 'Labels', literal: 'app.kubernetes.io/user: {{ .user }}' },
          { target: 'Annotations', configMap: { name: 'notes', items: [{ key: 'example.com/note' }] } },
          { target: 'Data', literal: 'k: v' },
        ],
      },
      sources({ notes: { 'example.com/note': 'for {{ .user }}' } }),
    );
    expect(out).toEqual({
      data: { k: 'v' },
      labels: { 'app.kubernetes.io/user': 'admin' },
      annotations: { 'example.com/note': 'for admin' },
    });
  });

  it('keeps provider data under Merge with templateFrom, and lets templateFrom win over it', () => {
    expect(render({ mergePolicy: 'Merge', templateFrom: [{ literal: 'user: templated' }] }).data).toEqual({ user: 'templated', password: 's3cr3t' });
  });

  it('applies templateFrom entries in order, then template.data, which wins', () => {
    const out = render({
      templateFrom: [{ literal: 'a: first\nb: first\nc: first' }, { literal: 'b: second\nc: second' }],
      data: { c: 'from template.data' },
    });
    expect(out.data).toEqual({ a: 'first', b: 'second', c: 'from template.data' });
  });

  it('applies configMap, then secret, then literal within one entry', () => {
    const out = render(
      { templateFrom: [{ configMap: { name: 'c', items: [{ key: 'k', templateAs: 'KeysAndValues' }] }, secret: { name: 's', items: [{ key: 'k', templateAs: 'KeysAndValues' }] }, literal: 'z: literal' }] },
      sources({ c: { k: 'x: cm\nw: cm\nz: cm' } }, { s: { k: 'w: secret\nz: secret' } }),
    );
    expect(out.data).toEqual({ x: 'cm', w: 'secret', z: 'literal' });
  });

  it('reads KeysAndValues as YAML 1.1, as Go\'s yaml.v2 does: a bare y or yes is the boolean true, also as a key', () => {
    const out = render({ templateFrom: [{ literal: 'y: yes\nport: 5432\nratio: 1.50\nempty:' }] });
    expect(out.data).toEqual({ true: 'true', port: '5432', ratio: '1.5', empty: '' });
  });

  it('lets template.metadata labels and annotations win over templateFrom targets', () => {
    const out = render({
      templateFrom: [
        { target: 'Labels', literal: 'tier: from-templateFrom\nother: kept' },
        { target: 'Annotations', literal: 'note: from-templateFrom' },
      ],
      metadata: { labels: { tier: 'backend' }, annotations: { note: '{{ .user }}' } },
    });
    expect(out.labels).toEqual({ tier: 'backend', other: 'kept' });
    expect(out.annotations).toEqual({ note: 'admin' });
  });

  // KeysAndValues output goes through sigs.k8s.io/yaml into map[string]string in ESO: scalars become
  // their string form (YAML 1.1: `yes` is a bool), null the empty string; only maps and lists fail.
  const scalars: [yaml: string, expected: Record<string, string>][] = [
    ['port: 5432', { port: '5432' }],
    ['ratio: 1.50', { ratio: '1.5' }],
    ['enabled: true', { enabled: 'true' }],
    ['enabled: yes', { enabled: 'true' }],
    ['empty:', { empty: '' }],
    ['quoted: "5432"', { quoted: '5432' }],
  ];
  it.each(scalars)('KeysAndValues writes the scalar in %j as ESO does', (yaml, expected) => {
    expect(render({ templateFrom: [{ literal: yaml }] }).data).toEqual(expected);
  });

  const notStrings: [yaml: string][] = [['nested:\n  a: b'], ['list:\n  - a\n  - b'], ['just text'], ['- a\n- b']];
  it.each(notStrings)('KeysAndValues refuses %j, which is not a map of strings', (yaml) => {
    const error = thrown(() => render({ templateFrom: [{ literal: yaml }] }));
    expect(error.code).toBe('TemplateFailed');
    expect(error.message).toMatch(/^could not unmarshal template to 'map\[string\]\[\]byte': /);
  });

  // The rendered output holds secret values; the yaml library's messages quote the offending line.
  const leaky: [yaml: string, where: string][] = [
    ['{{ .password }}: b: c', 'BLOCK_AS_IMPLICIT_KEY at line 1, column'],
    ['k: "{{ .password }}', 'MISSING_CHAR at line 1, column'],
    ['{{ .password }}:\n  - a', 'the value of entry 1 is a list, not a string'],
    ['a: *{{ .password }}', 'the output is not valid YAML'],
  ];
  it.each(leaky)('KeysAndValues reports %j by position, without quoting the rendered output', (yaml, where) => {
    const error = thrown(() => render({ templateFrom: [{ literal: yaml }] }));
    expect(error.message).toContain(where);
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('renderTarget: templateFrom valuesDecodingStrategy (ESO 2.9: the values an entry renders are decoded)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const cm = { tpl: { 'cert.pem': '{{ .user | b64enc }}', kv: `A: ${b64('one')}\nB: "{{ .password | b64enc }}"` } };

  it('decodes Values and KeysAndValues output, key by key', () => {
    const out = render({
      templateFrom: [
        { configMap: { name: 'tpl', items: [{ key: 'cert.pem' }, { key: 'kv', templateAs: 'KeysAndValues' }] }, valuesDecodingStrategy: 'Base64' },
        // Auto decodes what is base64 and keeps the rest as rendered.
        { literal: `lit: ${b64('from-literal')}\nplain: not base64!`, valuesDecodingStrategy: 'Auto' },
      ],
    }, sources(cm));
    expect(out.data).toEqual({ 'cert.pem': 'admin', A: 'one', B: 's3cr3t', lit: 'from-literal', plain: 'not base64!' });
  });

  it('writes decoded bytes as they are, binary included, into labels and annotations too', () => {
    const bin = Buffer.from([0x00, 0xff, 0x10]).toString('base64');
    const out = renderTarget(externalSecret({
      templateFrom: [{ literal: `k: ${bin}`, valuesDecodingStrategy: 'Base64' }, { target: 'Labels', literal: `tier: ${b64('gold')}`, valuesDecodingStrategy: 'Base64' }],
    }), provider(), sources());
    expect(Array.from(out.data['k']!)).toEqual([0x00, 0xff, 0x10]);
    expect(out.labels).toEqual({ tier: 'gold' });
  });

  it('leaves None (the default) and template.data undecoded', () => {
    const encoded = b64('x');
    expect(render({ templateFrom: [{ literal: `a: ${encoded}`, valuesDecodingStrategy: 'None' }, { literal: `b: ${encoded}` }], data: { c: encoded } }).data)
      .toEqual({ a: encoded, b: encoded, c: encoded });
  });

  it('reports a value that is not base64 as DecodingFailed, naming the entry and key, not the value', () => {
    const error = thrown(() => render({ templateFrom: [{ literal: 'a: x', valuesDecodingStrategy: 'Base64' }, { literal: 'token: "{{ .password }}!"', valuesDecodingStrategy: 'Base64URL' }] }));
    expect(error.code).toBe('DecodingFailed');
    expect(error.message).toMatch(/^spec\.target\.template\.templateFrom\[0\] key "a": decodingStrategy Base64: /);
    const second = thrown(() => render({ templateFrom: [{ literal: 'token: "{{ .password }}!"', valuesDecodingStrategy: 'Base64URL' }] }));
    expect(second.message).toMatch(/templateFrom\[0\] key "token"/);
    expect(second.message).not.toContain('s3cr3t');
  });
});

describe('renderTarget: templateFrom target as ESO reads it', () => {
  /** Renders for a ConfigMap target (spec.target.manifest v1 ConfigMap), data as text. */
  const renderConfigMap = (template: ExternalSecretTemplate, from: TemplateSources = sources()) => {
    const es = externalSecret(template);
    es.spec.target!.manifest = { apiVersion: 'v1', kind: 'ConfigMap' };
    const out = renderTarget(es, provider(), from, 'ConfigMap');
    return { ...out, data: text(out.data) };
  };

  it.each(['Secret', 'ConfigMap'] as const)('%s: Data, Annotations and Labels in any case, and an empty target is Data (ESO lowercases them)', (kind) => {
    const template: ExternalSecretTemplate = {
      templateFrom: [
        { target: 'data', literal: 'a: "{{ .user }}"' },
        { target: 'DATA', literal: 'b: two' },
        { target: '', literal: 'c: three' },
        { target: 'annotations', literal: 'note: hello' },
        { target: 'LaBeLs', literal: 'tier: t' },
      ],
    };
    const out = kind === 'Secret' ? render(template) : renderConfigMap(template);
    expect(out.data).toEqual({ a: 'admin', b: 'two', c: 'three' });
    expect(out.annotations).toEqual({ note: 'hello' });
    expect(out.labels).toEqual({ tier: 't' });
  });

  it.each(['spec.database.config', 'type', 'immutable', 'metadata.ownerReferences', 'data.key', 'spec'])(
    'Secret: %s is InvalidSpec with ESO\'s words, not retried (a path could write type, immutable or ownerReferences)', (target) => {
      const error = thrown(() => render({ templateFrom: [{ literal: 'a: b' }, { target, literal: 'x: y' }] }));
      expect(error.code).toBe('InvalidSpec');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(`spec.target.template.templateFrom[1].target: templateFrom target="${target}" is not allowed when targeting a Secret, `
        + 'must be one of "Data", "Annotations" or "Labels"');
    });

  it('ConfigMap: data.<key> puts the output at that key, read as YAML as ESO does (a string is unquoted; not YAML, the text itself)', () => {
    const out = renderConfigMap({
      templateFrom: [
        { target: 'data.plain', configMap: { name: 'tpl', items: [{ key: 'plain' }] } },
        { target: 'data.quoted', configMap: { name: 'tpl', items: [{ key: 'quoted' }] } },
        { target: 'data.notYaml', configMap: { name: 'tpl', items: [{ key: 'notYaml' }] } },
        { target: 'data.fromLiteral', literal: '"user={{ .user }}"' },
      ],
    }, sources({ tpl: { plain: 'user={{ .user }} # note', quoted: "'{{ .password }}'", notYaml: 'key: [unclosed' } }));
    expect(out.data).toEqual({ plain: 'user=admin', quoted: 's3cr3t', notYaml: 'key: [unclosed', fromLiteral: 'user=admin' });
  });

  it.each([
    ['5432', 'number'],
    ['true', 'boolean'],
    ['a: b', 'map'],
    ['- a', 'list'],
    ['~', 'null'],
  ])('ConfigMap: data.<key> whose output is the YAML %s is TargetRejected (a ConfigMap\'s data holds strings; the apiserver would refuse ESO\'s write)', (output, type) => {
    const error = thrown(() => renderConfigMap({ templateFrom: [{ target: 'data.port', configMap: { name: 'tpl', items: [{ key: 'k' }] } }] }, sources({ tpl: { k: output } })));
    expect(error.code).toBe('TargetRejected');
    expect(error.message).toBe(`spec.target.template.templateFrom[0]: template "k" renders a YAML ${type} for data.port, and a ConfigMap's data holds only strings; `
      + 'quote the output in the template');
  });

  it('ConfigMap: data.<key> with KeysAndValues output that is not YAML is TemplateFailed, as ESO\'s', () => {
    const error = thrown(() => renderConfigMap({ templateFrom: [{ target: 'data.x', literal: 'key: [unclosed' }] }));
    expect(error.code).toBe('TemplateFailed');
    expect(error.message).toMatch(/^could not unmarshal template YAML: template "literal": the output is not valid YAML/);
  });

  it.each(['spec', 'SPEC', 'spec.database.config', 'metadata.finalizers', 'binaryData.x', 'immutable', 'Data.x', 'data.a.b', 'data[0]', 'data.'])(
    'ConfigMap: %s is UnsupportedField, named (ESO writes it into the object, where the apiserver drops it or it reaches another field)', (target) => {
      const error = thrown(() => renderConfigMap({ templateFrom: [{ target, literal: 'x: y' }] }));
      expect(error.code).toBe('UnsupportedField');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(`spec.target.template.templateFrom[0].target: ${JSON.stringify(target)} is not a place this operator writes in a ConfigMap; `
        + 'use Data, Annotations or Labels (any case), or data.<key>');
    });

  it('names the kind in the size error: a ConfigMap\'s data past 1 MiB', () => {
    const error = thrown(() => renderConfigMap({ data: { a: '{{ repeat 600000 "x" }}', b: '{{ repeat 600000 "y" }}' } }));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.message).toBe("the ConfigMap's data would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a ConfigMap");
  });
});

describe('renderTarget: errors', () => {
  const missing: [what: string, from: TemplateFrom, message: string][] = [
    ['a missing ConfigMap', { configMap: { name: 'nope', items: [{ key: 'k' }] } }, 'spec.target.template.templateFrom[1]: ConfigMap "nope" not found'],
    ['a missing Secret', { secret: { name: 'nope', items: [{ key: 'k' }] } }, 'spec.target.template.templateFrom[1]: Secret "nope" not found'],
    [
      'a ConfigMap without the key',
      { configMap: { name: 'tpl', items: [{ key: 'absent' }] } },
      'spec.target.template.templateFrom[1]: error in configmap tpl: missing key absent',
    ],
    [
      'a Secret without the key',
      { secret: { name: 'tpl-secret', items: [{ key: 'absent' }] } },
      'spec.target.template.templateFrom[1]: error in secret tpl-secret: missing key absent',
    ],
  ];
  it.each(missing)('reports %s as TemplateSourceInvalid', (_what, from, message) => {
    const template: ExternalSecretTemplate = { templateFrom: [{ literal: 'a: b' }, from] };
    const error = thrown(() => render(template, sources({ tpl: { k: 'v' } }, { 'tpl-secret': { k: 'v' } })));
    expect(error.code).toBe('TemplateSourceInvalid');
    expect(error.message).toBe(message);
  });

  const failures: [what: string, template: ExternalSecretTemplate, key: string][] = [
    ['a missing value in template.data', { data: { dsn: '{{ .missing }}' } }, 'dsn'],
    ['a parse error in template.data', { data: { broken: '{{ .user ' } }, 'broken'],
    ['an unknown function', { data: { f: '{{ .user | nosuchfunction }}' } }, 'f'],
    ['a label template', { metadata: { labels: { tier: '{{ .nope }}' } } }, 'tier'],
    ['an annotation template', { metadata: { annotations: { note: '{{ .nope }}' } } }, 'note'],
  ];
  it.each(failures)('reports %s as TemplateFailed naming the key', (_what, template, key) => {
    const error = thrown(() => render(template));
    expect(error.code).toBe('TemplateFailed');
    expect(error.message).toMatch(new RegExp(`^unable to execute template at key ${key}: `));
  });

  it('names the templateFrom item that failed', () => {
    const error = thrown(() => render({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'config.yaml' }] } }] }, sources({ tpl: { 'config.yaml': '{{ .nope }}' } })));
    expect(error.code).toBe('TemplateFailed');
    expect(error.message).toMatch(/^unable to execute template at key config\.yaml: .*"nope"/);
  });

  it('names the missing key in the message', () => {
    const error = thrown(() => render({ data: { dsn: '{{ .missing }}' } }));
    expect(error.message).toContain('map has no entry for key "missing"');
  });
});

describe('renderTransform', () => {
  const cases: [template: string, key: string, expected: string][] = [
    ['{{ .value }}', 'db-password', 'db-password'],
    ['{{ .value | upper }}', 'db-password', 'DB-PASSWORD'],
    ['app_{{ .value | replace "-" "_" }}', 'db-password', 'app_db_password'],
  ];
  it.each(cases)('%s of %j is %j', (template, key, expected) => {
    expect(renderTransform(template, key)).toBe(expected);
  });
});

describe('templateSourceNames', () => {
  it('lists each ConfigMap and Secret once, in order', () => {
    const es = externalSecret({
      templateFrom: [
        { configMap: { name: 'a', items: [{ key: 'k' }] } },
        { secret: { name: 's1', items: [{ key: 'k' }] }, configMap: { name: 'b', items: [{ key: 'k' }] } },
        { configMap: { name: 'a', items: [{ key: 'other' }] } },
        { literal: 'x: y' },
        { secret: { name: 's1', items: [{ key: 'k2' }] } },
        { secret: { name: 's2', items: [{ key: 'k' }] } },
      ],
    });
    expect(templateSourceNames(es)).toEqual({ configMaps: ['a', 'b'], secrets: ['s1', 's2'] });
  });

  it('lists nothing without a template or without templateFrom', () => {
    expect(templateSourceNames(externalSecret())).toEqual({ configMaps: [], secrets: [] });
    expect(templateSourceNames(externalSecret({ data: { k: 'v' } }))).toEqual({ configMaps: [], secrets: [] });
  });
});

describe('renderTarget: bounds', () => {
  it('reports a template over a bound as TemplateLimitExceeded, not retried (the 2,000-quote chain)', () => {
    const error = thrown(() => render({ data: { dsn: '{{ .password' + ' | quote'.repeat(2000) + ' }}' } }));
    expect(error.code).toBe('TemplateLimitExceeded');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^unable to execute template at key dsn: .*error calling quote: result exceeds the limit of 1048576 bytes/);
  });

  it('keeps TemplateFailed, retried, for a template that is not over a bound', () => {
    const error = thrown(() => render({ data: { dsn: '{{ .missing }}' } }));
    expect(error.code).toBe('TemplateFailed');
    expect(error.retryable).toBe(true);
  });

  it('shares one budget between the keys: many keys cannot multiply the bounds', () => {
    const loop = '{{ range 30000 }}{{ end }}ok';
    expect(render({ data: { a: loop, b: loop, c: loop } }).data).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    const error = thrown(() => render({ data: { a: loop, b: loop, c: loop, d: loop } }));
    expect(error.code).toBe('TemplateLimitExceeded');
    expect(error.message).toMatch(/^unable to execute template at key d: .*range loops exceed the limit of 100000 iterations/);
  });

  it('counts templateFrom items in the same budget, however often they repeat a source', () => {
    const big = '{{/* ' + 'x'.repeat(1_000_000) + ' */}}a: b';
    const items = Array.from({ length: 20 }, () => ({ key: 'big', templateAs: 'KeysAndValues' as const }));
    const error = thrown(() => render({ templateFrom: [{ configMap: { name: 'tpl', items } }] }, sources({ tpl: { big } })));
    expect(error.code).toBe('TemplateLimitExceeded');
    expect(error.message).toContain('functions processed more than the limit of 8388608 bytes');
  });

  it('refuses KeysAndValues YAML with more entries than it reads, before parsing it', () => {
    const literal = Array.from({ length: 6000 }, (_, i) => `k${i}: v`).join('\n');
    const error = thrown(() => render({ templateFrom: [{ literal }] }));
    expect(error.code).toBe('TemplateLimitExceeded');
    expect(error.message).toContain('the YAML has more than 5000 lines and commas');
    expect(Object.keys(render({ templateFrom: [{ literal: literal.split('\n').slice(0, 4000).join('\n') }] }).data)).toHaveLength(4000);
  });

  it('still refuses duplicate KeysAndValues keys, without quoting the text (it holds secret values)', () => {
    const error = thrown(() => render({ templateFrom: [{ literal: 'b: x\na: {{ .password }}\na: y' }] }));
    expect(error.code).toBe('TemplateFailed');
    expect(error.message).toContain('Map keys must be unique');
    expect(error.message).not.toContain('s3cr3t');
    const syntax = thrown(() => render({ templateFrom: [{ literal: 'a: "{{ .password }}' }] }));
    expect(syntax.code).toBe('TemplateFailed');
    expect(syntax.message).toContain('at line 1, column');
    expect(syntax.message).not.toContain('s3cr3t');
  });

  it('refuses data past 1 MiB as SecretTooLarge (retried), as soon as the total passes it', () => {
    const half = '{{ repeat 600000 "x" }}';
    expect(Object.keys(render({ data: { a: half } }).data)).toEqual(['a']);
    const error = thrown(() => render({ data: { a: half, b: half, c: half } }));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe("the Secret's data would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a Secret");
  });

  it('counts a key written twice once, at its last size', () => {
    const half = '{{ repeat 600000 "x" }}';
    const out = render({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'a' }] } }], data: { a: half } }, sources({ tpl: { a: half } }));
    expect(out.data['a']).toHaveLength(600000);
  });

  it('refuses annotations past 256 KiB as SecretTooLarge', () => {
    const error = thrown(() => render({ metadata: { annotations: { a: '{{ repeat 200000 "x" }}', b: '{{ repeat 100000 "x" }}' } } }));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.message).toContain("the Secret's annotations would be more than 262144 bytes");
  });
});

describe('renderTransform: bounds', () => {
  it('reports a transform over a bound as TemplateLimitExceeded, and spends the budget it is given', () => {
    const error = thrown(() => renderTransform('{{ .value' + ' | quote'.repeat(2000) + ' }}', 'key'));
    expect(error.code).toBe('TemplateLimitExceeded');
    expect(error.retryable).toBe(false);
    const budget = new RenderBudget();
    for (let i = 0; i < 3; i++) expect(renderTransform('{{ range 30000 }}{{ end }}{{ .value }}', `k${i}`, budget)).toBe(`k${i}`);
    expect(thrown(() => renderTransform('{{ range 30000 }}{{ end }}{{ .value }}', 'k4', budget)).code).toBe('TemplateLimitExceeded');
  });
});

describe('renderTarget and the clock', () => {
  it("renders sprig's now from the clock it is given, read at each call", () => {
    let reads = 0;
    const time = { now: () => (reads++, { unixNanos: 1_925_089_445_000_000_000n, monoNanos: 7n }) };
    const es = externalSecret({ data: { year: '{{ now | date "2006-01-02" }}', also: '{{ now | unixEpoch }}' } });
    const out = renderTarget(es, provider(), sources(), 'Secret', time);
    expect(text(out.data)).toEqual({ year: '2031-01-02', also: '1925089445' });
    expect(reads).toBe(2);
  });
});

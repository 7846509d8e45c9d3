import fc from 'fast-check';

/**
 * Generators of hostile ExternalSecrets and AWS payloads: what one careless or malicious tenant
 * can put in a manifest or in AWS to make the operator run out of memory, spin, hang, crash or
 * leak. Every payload carries the canary as a value, so templates that route values anywhere
 * carry it too, and a leak of it can be looked for in logs, Events, status and metrics.
 */
export interface HostileCase {
  /** What the case tries, for the report. */
  kind: string;
  /** SecretString (or SecretBinary when bytes) of the AWS secret the case reads. */
  payload: string | Uint8Array;
  /** spec of the ExternalSecret, with KEY standing for the AWS secret's name. */
  spec: Record<string, unknown>;
}

export const KEY = '$KEY';

const nat = (min: number, max: number) => fc.integer({ min, max });

/** AWS payloads: deep, wide, big, not JSON, not UTF-8; the canary is a value in each. */
export function payloads(canary: string): fc.Arbitrary<string | Uint8Array> {
  const c = JSON.stringify(canary);
  return fc.oneof(
    fc.constant(JSON.stringify({ password: canary, user: 'app', port: 5432 })),
    nat(50, 20_000).map((n) => `{"password":${c},"deep":${'['.repeat(n)}${c}${']'.repeat(n)}}`),
    nat(50, 5_000).map((n) => `{"password":${c},"deep":${'{"a":'.repeat(n)}${c}${'}'.repeat(n)}}`),
    nat(100, 3_000).map((n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, canary])))),
    nat(1_000, 60_000).map((n) => JSON.stringify({ password: canary + 'x'.repeat(n) })),
    fc.string({ maxLength: 200 }).map((s) => `${canary}${s}`),
    fc.uint8Array({ minLength: 1, maxLength: 2_000 }).map((b) => new Uint8Array([...Buffer.from(`{"password":${c},"x":"`), ...b, 0x22, 0x7d])),
    fc.json({ maxDepth: 6 }).map((j) => `{"password":${c},"json":${j}}`),
  );
}

/** Templates that try to grow without bound, loop, nest, or print a value where it must not go. */
/** YAML whose aliases nest nine levels of ten: 10^9 values if expanded. */
const LAUGHS = '{{ fromYaml "a: &a [x, x, x, x, x, x, x, x, x, x]\\nl1: &l1 [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\\nl2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\\nl3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\\nl4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\\nl5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]\\nl6: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]\\nl7: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]\\nl8: &l8 [*l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7]" | toYaml }}';

const templates: fc.Arbitrary<string> = fc.oneof(
  nat(10, 3_000).map((n) => `{{ .password${' | quote'.repeat(n)} }}`),
  nat(10, 200).map((n) => `{{ .password${' | b64enc'.repeat(n)} }}`),
  nat(10, 200).map((n) => `{{ .password${' | toJson'.repeat(n)} }}`),
  fc.constantFrom(
    '{{ repeat 1000000000 .password }}',
    '{{ repeat 100000 (repeat 100000 .password) }}',
    '{{ indent 100000000 .password }}',
    '{{ $a := .password }}{{ range until 64 }}{{ $a = printf "%s%s" $a $a }}{{ end }}{{ $a }}',
    '{{ $a := .password }}{{ range until 64 }}{{ $a = cat $a $a }}{{ end }}{{ len $a }}',
    '{{ $l := list .password }}{{ range until 64 }}{{ $l = concat $l $l }}{{ end }}{{ len $l }}',
    '{{ $l := list }}{{ range until 64 }}{{ $l = append $l $l }}{{ end }}{{ toJson $l }}',
    '{{ $d := dict "a" .password }}{{ range until 64 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ toJson $d }}',
    '{{ range until 1000000 }}{{ range until 1000000 }}x{{ end }}{{ end }}',
    '{{ range $i := until 100000000 }}{{ $i }}{{ end }}',
    '{{ replace "" .password (repeat 100000 .password) }}',
    '{{ .password | fromJson | toJson }}',
    '{{ (.deep | fromJson) }}',
    '{{ range .password }}{{ . }}{{ end }}',
    '{{ range $a, $b, $c := .password }}{{ end }}',
    '{{ eq (list .password) (list .password) }}',
    '{{ index .password 100000000 }}',
    '{{ printf "%0999999999d" 1 }}',
    '{{ printf "%*d" 999999999 1 }}',
    '{{ .password | trunc -1 | nindent 99999999 }}',
    '{{ wrap 1 (repeat 1000000 .password) }}',
    '{{ regexReplaceAll "(.*)" .password (repeat 100000 "$1") }}',
    '{{ .password | sha256sum | repeat 100000000 }}',
    '{{ toJson (until 100000000) }}',
    '{{ .nope.nope.nope }}',
    '{{ template "x" }}',
    '{{ define "x" }}{{ end }}',
    '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}',
    '{{ define "r" }}{{ template "r" . }}{{ template "r" . }}{{ end }}{{ template "r" . }}',
    '{{ define "r" }}{{ range 100 }}{{ template "r" $ }}{{ end }}{{ end }}{{ template "r" . }}',
    LAUGHS,
    '{{ $s := repeat 300000 "\\x01" }}{{ toYaml (list $s $s $s) }}',
    '{{ (fromYaml (repeat 100000 "a: 1\\n")).a }}',
  ),
  nat(100, 5_000).map((n) => `{{ ${'('.repeat(n)}.password${')'.repeat(n)} }}`),
  nat(100, 3_000).map((n) => `${'{{ if true }}'.repeat(n)}x${'{{ end }}'.repeat(n)}`),
  fc.string({ maxLength: 120 }).map((s) => `{{ ${s} }}`),
);

/** gjson paths: modifiers, queries, multipaths, deep and wild. */
const properties: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('@reverse', 'password|@reverse', 'deep.#(a=="b")', '..a', '[password,user]', '{password,user}', '!true', '*.*.*.*.*', '#.#.#.#', 'deep.#.#.#', '@this', 'password.0.0.0'),
  nat(100, 8_000).map((n) => Array.from({ length: n }, () => 'a').join('.')),
  nat(100, 8_000).map((n) => `deep${'.0'.repeat(n)}`),
  fc.string({ maxLength: 60 }),
);

/** Regexps a backtracking engine would hang on, or that do not compile. */
const regexps: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('(a*)*b', '(a|a)*$', '(?i)(a+)+$', '^(([a-z])+.)+[A-Z]([a-z])+$', '[', '(?P<x', '\\', '(?<=a)b', '(a)\\1', 'a{1001}', '.*', '(?i)prod', '\\p{Greek}+'),
  fc.string({ maxLength: 40 }),
);

const intervals = fc.constantFrom('-5m', '-1ns', '0', '1ns', '1ms', '720h', '2562047h', '100000h', '1h');

/** Hostile ExternalSecret specs (KEY stands for the AWS secret). */
export function specs(): fc.Arbitrary<{ kind: string; spec: Record<string, unknown> }> {
  const remote = (property: string, extra: Record<string, unknown> = {}) => ({ key: KEY, property, ...extra });
  return fc.oneof(
    templates.map((t) => ({ kind: 'template', spec: { dataFrom: [{ extract: { key: KEY } }], target: { template: { data: { out: t } } } } })),
    templates.map((t) => ({ kind: 'template-label', spec: { dataFrom: [{ extract: { key: KEY } }], target: { template: { metadata: { labels: { l: t } } } } } })),
    templates.map((t) => ({ kind: 'template-keys', spec: { dataFrom: [{ extract: { key: KEY } }], target: { template: { templateFrom: [{ target: 'Data', literal: `"${t}": x\n${t}: y` }] } } } })),
    properties.map((p) => ({ kind: 'property', spec: { data: [{ secretKey: 'v', remoteRef: remote(p) }] } })),
    properties.map((p) => ({ kind: 'extract-property', spec: { dataFrom: [{ extract: { key: KEY, property: p } }] } })),
    fc.constantFrom('Base64', 'Base64URL', 'Auto').map((d) => ({ kind: 'decoding', spec: { data: [{ secretKey: 'v', remoteRef: remote('password', { decodingStrategy: d }) }] } })),
    fc.tuple(regexps, fc.oneof(fc.constant('$1'), nat(10, 5_000).map((n) => '$1'.repeat(n)), nat(10, 5_000).map((n) => '${1}x'.repeat(n)))).map(([source, target]) => ({
      kind: 'rewrite-regexp',
      spec: { dataFrom: [{ extract: { key: KEY }, rewrite: [{ regexp: { source, target } }] }] },
    })),
    templates.map((t) => ({ kind: 'rewrite-transform', spec: { dataFrom: [{ extract: { key: KEY }, rewrite: [{ transform: { template: t.replaceAll('.password', '.value') } }] }] } })),
    regexps.map((r) => ({ kind: 'find-regexp', spec: { dataFrom: [{ find: { name: { regexp: r } } }] } })),
    intervals.map((i) => ({ kind: 'refresh-interval', spec: { refreshInterval: i, data: [{ secretKey: 'v', remoteRef: remote('password') }] } })),
    nat(50, 200).map((n) => ({ kind: 'many-data', spec: { data: Array.from({ length: n }, (_, i) => ({ secretKey: `k${i}`, remoteRef: remote('') })) } })),
    fc.constantFrom('Delete', 'Merge').map((d) => ({ kind: 'deletion', spec: { data: [{ secretKey: 'v', remoteRef: { key: `${KEY}-missing` } }], target: { name: 'precious', deletionPolicy: d } } })),
  );
}

/**
 * The inputs that broke the operator before (issue #7), always tried before the generated ones:
 * each must end in a reason code, without a crash, a loop or a leak.
 */
export function knownHostileCases(canary: string): HostileCase[] {
  const payload = JSON.stringify({ password: canary, user: 'app' });
  const template = (t: string, where: 'data' | 'labels' = 'data') => ({
    dataFrom: [{ extract: { key: KEY } }],
    target: { template: where === 'data' ? { data: { out: t } } : { metadata: { labels: { l: t } } } },
  });
  const property = (p: string, refreshInterval = '1h') => ({ refreshInterval, data: [{ secretKey: 'v', remoteRef: { key: KEY, property: p } }] });
  return [
    { kind: 'known: quote chain', payload, spec: template(`{{ .password${' | quote'.repeat(2_000)} }}`) },
    { kind: 'known: printf doubling', payload, spec: template('{{ $a := .password }}{{ range until 64 }}{{ $a = printf "%s%s" $a $a }}{{ end }}{{ $a }}') },
    { kind: 'known: refreshInterval 720h', payload, spec: property('password', '720h') },
    { kind: 'known: refreshInterval -5m', payload, spec: property('password', '-5m') },
    { kind: 'known: refreshInterval 1ms', payload, spec: property('password', '1ms') },
    { kind: 'known: @reverse', payload, spec: property('@reverse') },
    { kind: 'known: value in an invalid label', payload, spec: template('{{ .password }} !', 'labels') },
    { kind: 'known: range over a value', payload, spec: template('{{ range .password }}{{ end }}') },
    { kind: 'known: comparing lists of values', payload, spec: template('{{ eq (list .password) (list .password) }}') },
    { kind: 'known: a template calling itself twice', payload, spec: template('{{ define "r" }}{{ template "r" . }}{{ template "r" . }}{{ end }}{{ template "r" . }}') },
    { kind: 'known: nested YAML aliases', payload, spec: template(LAUGHS) },
    // Review of 2026-12 (2a, 2b, 2d, 1b): quadratic list functions, regexp compiles, YAML recursion, a value as a pattern.
    { kind: 'known: uniq of a long list', payload, spec: template('{{ len (uniq (until 100000)) }}{{ len (uniq (chunk 1 (until 20000))) }}') },
    { kind: 'known: has in a loop over its list', payload, spec: template('{{ $l := until 20000 }}{{ range $l }}{{ if has . $l }}{{ end }}{{ end }}') },
    { kind: 'known: a large regexp matched in a loop', payload, spec: template('{{ range until 100000 }}{{ $x := regexMatch "[\\\\p{L}\\\\p{N}\\\\p{S}\\\\p{P}]{1000}" .password }}{{ end }}') },
    { kind: 'known: a value as a regexp', payload: JSON.stringify({ password: `(${canary}`, user: 'app' }), spec: template('{{ mustRegexMatch .password "x" }}') },
    { kind: 'known: a YAML anchor holding itself', payload, spec: template('{{ fromYaml "a: &x [*x]" | toYaml }}') },
    { kind: 'known: deep YAML in a value', payload: JSON.stringify({ password: canary, deep: '['.repeat(60_000) }), spec: template('{{ fromYaml .deep | toYaml }}') },
    { kind: 'known: YAML of many tokens on one line', payload: JSON.stringify({ password: canary, y: `a: ${'"a" '.repeat(15_000)}` }), spec: template('{{ fromYaml .y | toYaml }}') },
  ];
}

/** Pairs of payload and spec. */
export function hostileCases(canary: string): fc.Arbitrary<HostileCase> {
  return fc.tuple(payloads(canary), specs()).map(([payload, { kind, spec }]) => ({ kind, payload, spec }));
}

/** The spec with KEY replaced by the AWS secret's name. */
export function withKey(spec: Record<string, unknown>, key: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(spec).replaceAll(JSON.stringify(KEY).slice(1, -1), key.replaceAll('"', '\\"')));
}

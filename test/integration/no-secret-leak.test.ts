import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { eventually, startHarness, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { events } from '../../src/kube/resources.ts';

/**
 * Canary values go through successful syncs and through every kind of failure that
 * touches a value; afterwards no log line (at debug level), Event, status field or
 * metric may contain one, raw or base64-encoded.
 */
let h: Harness;
const canary = `CANARY-${randomBytes(8).toString('hex')}`;
/** Each scenario's namespace and how its ExternalSecret ended. */
const synced: Array<{ ns: string; ready: 'True' | 'False' }> = [];

beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

interface Scenario {
  name: string;
  value: string;
  spec: (key: string) => Record<string, unknown>;
  ready: 'True' | 'False';
}

const scenarios: Scenario[] = [
  { name: 'sync-property', value: JSON.stringify({ password: canary }), spec: (key) => ({ data: [{ secretKey: 'p', remoteRef: { key, property: 'password' } }] }), ready: 'True' },
  { name: 'sync-whole', value: canary, spec: (key) => ({ data: [{ secretKey: 'p', remoteRef: { key } }] }), ready: 'True' },
  { name: 'sync-template', value: JSON.stringify({ password: canary }), spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { data: { url: 'postgres://u:{{ .password }}@h/db' } } } }), ready: 'True' },
  { name: 'missing-property', value: JSON.stringify({ password: canary }), spec: (key) => ({ data: [{ secretKey: 'p', remoteRef: { key, property: 'passwd' } }] }), ready: 'False' },
  { name: 'property-over-text', value: canary, spec: (key) => ({ data: [{ secretKey: 'p', remoteRef: { key, property: 'x' } }] }), ready: 'False' },
  { name: 'extract-not-json', value: canary, spec: (key) => ({ dataFrom: [{ extract: { key } }] }), ready: 'False' },
  { name: 'bad-base64', value: `${canary}!`, spec: (key) => ({ data: [{ secretKey: 'p', remoteRef: { key, decodingStrategy: 'Base64' } }] }), ready: 'False' },
  { name: 'template-missing-key', value: JSON.stringify({ password: canary }), spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { data: { x: '{{ .nope }}' } } } }), ready: 'False' },
  { name: 'template-type-error', value: JSON.stringify({ password: canary }), spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { data: { x: '{{ .password.field }}' } } } }), ready: 'False' },
  { name: 'template-printf', value: JSON.stringify({ password: canary }), spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { data: { x: '{{ printf "%d" .password | b64dec | fromJson | toJson }}{{ .missing }}' } } } }), ready: 'False' },
  { name: 'template-bad-json', value: JSON.stringify({ password: canary }), spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { data: { x: '{{ (.password | fromJson).a }}' } } } }), ready: 'False' },
  // Functions whose Go errors quote their argument (time, semver, certificate SANs, PEM labels, a JWK's kty, a
  // decryption scheme): ours must not.
  ...templateFunctionFailures(),
  // rewrite.merge reads values as JSON; nullBytePolicy and valuesDecodingStrategy judge values.
  { name: 'merge-sync', value: JSON.stringify({ a: JSON.stringify({ x: canary }), b: JSON.stringify({ y: canary }) }), spec: (key) => ({ dataFrom: [{ extract: { key }, rewrite: [{ merge: { strategy: 'JSON', into: 'all' } }] }] }), ready: 'True' },
  { name: 'merge-not-json', value: JSON.stringify({ p: canary }), spec: (key) => ({ dataFrom: [{ extract: { key }, rewrite: [{ merge: {} }] }] }), ready: 'False' },
  { name: 'merge-conflict', value: JSON.stringify({ a: JSON.stringify({ x: canary }), b: JSON.stringify({ x: `${canary}2` }) }), spec: (key) => ({ dataFrom: [{ extract: { key }, rewrite: [{ merge: {} }] }] }), ready: 'False' },
  { name: 'null-bytes', value: `${canary}\u0000`, spec: (key) => ({ data: [{ secretKey: 'p', remoteRef: { key, nullBytePolicy: 'Fail' } }] }), ready: 'False' },
  { name: 'values-decoding', value: JSON.stringify({ password: canary }), spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { templateFrom: [{ literal: 'p: "{{ .password }}!"', valuesDecodingStrategy: 'Base64' }] } } }), ready: 'False' },
  // A template can route a value anywhere in the Secret: labels, annotations and keys (templateFrom KeysAndValues).
  ...templateRoutes(),
  // Keys name things (they become the Secret's visible keys and are named in errors); values are the secret.
  { name: 'invalid-key', value: JSON.stringify({ 'bad key': canary }), spec: (key) => ({ dataFrom: [{ extract: { key }, rewrite: [{ regexp: { source: '^bad', target: 'still bad' } }] }] }), ready: 'False' },
];

/** A value routed into each template function whose Go error would quote it; each render fails. */
function templateFunctionFailures(): Scenario[] {
  const fails = (name: string, text: string, value = JSON.stringify({ password: canary })): Scenario =>
    ({ name, value, spec: (key) => ({ dataFrom: [{ extract: { key } }], target: { template: { data: { x: text } } } }), ready: 'False' });
  return [
    fails('to-date', '{{ .password | mustToDate "2006-01-02" }}'),
    fails('to-date-extra-text', '{{ printf "2024-01-02%s" .password | mustToDate "2006-01-02" }}'),
    fails('date-modify', '{{ now | mustDateModify .password }}'),
    fails('date-modify-unit', '{{ now | mustDateModify (printf "1%s" .password) }}'),
    fails('semver-constraint', '{{ semverCompare .password "1.0.0" }}'),
    fails('semver-or-group', '{{ semverCompare (printf ">= 1.0.0 || %s" .password) "1.0.0" }}'),
    fails('cert-ip', '{{ genSelfSignedCert "h" (list .password) nil 1 }}'),
    fails('cert-dns-name', '{{ genSelfSignedCert "h" nil (list (printf "é%s" .password)) 1 }}'),
    fails('pem-label', '{{ genCAWithKey "ca" 30 (printf "-----BEGIN %s PRIVATE KEY-----\\nAAAA\\n-----END %s PRIVATE KEY-----\\n" .password .password) }}'),
    fails('rsa-decrypt-scheme', '{{ rsaDecrypt .password "SHA1" "x" "k" }}'),
    fails('jwk-kty', '{{ jwkPublicKeyPem .jwk }}', JSON.stringify({ jwk: JSON.stringify({ kty: canary, n: 'AQAB', e: 'AQAB' }) })),
  ];
}

/**
 * Each place a template can put a value, once where the apiserver accepts it (Ready=True) and once
 * where it refuses it (Ready=False): the apiserver's 422 quotes an invalid label value or key.
 */
function templateRoutes(): Scenario[] {
  const value = JSON.stringify({ password: canary });
  const template = (t: Record<string, unknown>) => (key: string) => ({ dataFrom: [{ extract: { key } }], target: { template: t } });
  const literal = (target: string, text: string) => template({ templateFrom: [{ target, literal: text }] });
  return [
    { name: 'label-value', value, spec: template({ metadata: { labels: { tier: '{{ .password }}' } } }), ready: 'True' },
    { name: 'label-value-invalid', value, spec: template({ metadata: { labels: { tier: '{{ .password }} !' } } }), ready: 'False' },
    { name: 'annotation-value', value, spec: template({ metadata: { annotations: { note: 'pw={{ .password }}' } } }), ready: 'True' },
    { name: 'label-key', value, spec: literal('Labels', '"{{ .password }}": x'), ready: 'True' },
    { name: 'label-key-invalid', value, spec: literal('Labels', '"{{ .password }} !": x'), ready: 'False' },
    { name: 'annotation-key', value, spec: literal('Annotations', '"example.com/{{ .password }}": x'), ready: 'True' },
    { name: 'annotation-key-invalid', value, spec: literal('Annotations', '"{{ .password }}/x/y": x'), ready: 'False' },
    { name: 'data-key', value, spec: literal('Data', '"{{ .password }}": x'), ready: 'True' },
    { name: 'data-key-invalid', value, spec: literal('Data', '"{{ .password }} !": x'), ready: 'False' },
    { name: 'keys-and-values-not-yaml', value, spec: literal('Data', '{{ .password }}: b: c'), ready: 'False' },
    { name: 'keys-and-values-list', value, spec: literal('Data', '"{{ .password }}":\n  - a'), ready: 'False' },
  ];
}

describe('no secret value leaks', () => {
  for (const s of scenarios) {
    it(`${s.name}: ends Ready=${s.ready}`, async () => {
      const ns = await storeNamespace(h, `leak-${s.name}`);
      synced.push({ ns, ready: s.ready });
      const key = awsName(s.name);
      await createAwsSecrets(h, [{ name: key, string: s.value }]);
      await applyExternalSecret(h, ns, 'es', s.spec(key));
      await readyAs(h, ns, 'es', s.ready);
    });
  }

  it('appears in no log line, Event, status or metric', async () => {
    // What is searched must be in first: each scenario's Event (sent without waiting), and for a
    // failing one a retry with all it logs (a third attempt has begun, so the second has ended).
    for (const { ns, ready } of synced) {
      const want = ready === 'True' ? 'Created' : 'UpdateFailed';
      await eventually(async () => (await eventsFor(h, ns, 'es')).some((e) => e.reason === want), `the ${want} Event in ${ns}`);
      if (ready === 'False') await eventually(async () => await metricValue(h.operator.metrics.syncCalls, { name: 'es', namespace: ns }) >= 3, `a retry in ${ns}`);
    }
    const needles = [canary, Buffer.from(canary).toString('base64'), Buffer.from(canary).toString('base64url')];
    const haystacks: Array<[string, string]> = [];
    expect(h.logLines.length).toBeGreaterThan(scenarios.length);
    for (const line of h.logLines) haystacks.push(['log', line]);
    for (const { ns } of synced) {
      const recorded = await h.kube.get(events.path(ns));
      expect(recorded.items.length).toBeGreaterThan(0);
      for (const e of recorded.items) haystacks.push([`event ${ns}`, JSON.stringify(e)]);
      haystacks.push([`status ${ns}`, JSON.stringify((await h.externalSecret(ns, 'es')).status)]);
    }
    haystacks.push(['metrics', await h.operator.metrics.registry.metrics()]);
    const leaks = haystacks.filter(([, text]) => needles.some((n) => text.includes(n)));
    expect(leaks.map(([where, text]) => `${where}: ${text.slice(0, 200)}`)).toEqual([]);
  });

  it('is where it belongs: in the synced Secrets', async () => {
    // The check above is only meaningful if the canary really flowed through the operator.
    const secret = await h.secret(synced[0]!.ns, 'es');
    expect(Buffer.from(secret.data.p, 'base64').toString()).toBe(canary);
  });
});

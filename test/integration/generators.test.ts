import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { externalSecrets, resourceType, secrets } from '../../src/kube/resources.ts';
import { kinds } from '../../src/api/kinds.ts';
import { applyExternalSecret, expectSecret, readyAs } from './cases.ts';
import { decode, eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';

/**
 * Generators (generators.external-secrets.io) through the real apiserver, under the chart's RBAC:
 * an ExternalSecret's dataFrom[].sourceRef.generatorRef runs its generator at every refresh and
 * at no other time, as ESO does; the output goes through rewrite; a ClusterGenerator serves every
 * namespace; what cannot run is Ready=False with its reason.
 */
const G = 'generators.external-secrets.io/v1alpha1';
const clusterGenerators = resourceType(kinds.ClusterGenerator);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const docs = (file: string): any[] => parseManifests(readFileSync(new URL(`../data/eso-docs/${file}`, import.meta.url), 'utf8'));
/** Names of the cluster-scoped objects this file makes, removed after it. */
const clusterScoped: string[] = [];

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => {
  for (const name of clusterScoped) await h?.kube.request('DELETE', clusterGenerators.path(undefined, name)).catch(() => undefined);
  await h?.close();
});

const password = (namespace: string, name: string, spec: Record<string, unknown> = {}) =>
  applyManifest(h.kube, { apiVersion: G, kind: 'Password', metadata: { name, namespace }, spec: { length: 24, ...spec } });
const generatorRef = (kind: string, name: string) => ({ sourceRef: { generatorRef: { apiVersion: G, kind, name } } });
const dataOf = async (ns: string, name: string): Promise<Record<string, string>> => decode((await h.secret(ns, name))?.data);
const patch = (path: string, body: unknown) => h.kube.request('PATCH', path, { body, contentType: 'application/merge-patch+json' });
/** An annotation change: ESO refreshes on it unless refreshPolicy is CreatedOnce. */
const annotate = (ns: string, name: string) => patch(externalSecrets.path(ns, name), { metadata: { annotations: { touched: `${Date.now()}-${Math.random()}` } } });

/** The shape the docs' Password (length 42, 5 digits, 5 of "-_$@", repeats allowed) produces. */
function expectDocsPassword(value: string | undefined): void {
  expect(value).toHaveLength(42);
  expect(value!.replace(/[^0-9]/g, '')).toHaveLength(5);
  expect(value!.replace(/[^-_$@]/g, '')).toHaveLength(5);
  expect(value!.replace(/[^a-zA-Z]/g, '')).toHaveLength(32);
}

describe('ESO\'s documentation manifests, applied unchanged', () => {
  it('the Password generator page: a Secret "password-secret" with one key, "password", as the generator\'s spec asks', async () => {
    const ns = await h.namespace('gen-docs-password');
    // As `kubectl apply -n <ns> -f`: the documents name no namespace, the one applied into is theirs.
    for (const manifest of docs('generator-password.yaml')) await applyManifest(h.kube, { ...manifest, metadata: { ...manifest.metadata, namespace: ns } });
    const es = await readyAs(h, ns, 'password', 'True', 'SecretSynced');
    const secret = await h.secret(ns, 'password-secret');
    const data = decode(secret.data);
    expect(Object.keys(data)).toEqual(['password']);
    expectDocsPassword(data['password']);
    expectSecret(secret, es, { data });
  });

  it('the Generators guide\'s ClusterGenerator: any namespace\'s ExternalSecret gets its own password of that spec', async () => {
    const [generator] = docs('cluster-generator.yaml');
    clusterScoped.push(generator.metadata.name);
    await applyManifest(h.kube, generator);
    const values: string[] = [];
    for (const prefix of ['gen-docs-cluster-a', 'gen-docs-cluster-b']) {
      const ns = await h.namespace(prefix);
      await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('ClusterGenerator', generator.metadata.name)] });
      await readyAs(h, ns, 'es', 'True', 'SecretSynced');
      const data = await dataOf(ns, 'es');
      expect(Object.keys(data)).toEqual(['password']);
      expectDocsPassword(data['password']);
      values.push(data['password']!);
    }
    expect(values[0]).not.toBe(values[1]);
  });
});

describe('when a generator runs: at every refresh, and only then', () => {
  it('keeps the value through reconciles that are not refreshes; a force-sync and the repair of an edited Secret generate anew', async () => {
    const ns = await h.namespace('gen-refresh');
    await password(ns, 'pw');
    await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('Password', 'pw')] });
    const synced = await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const first = (await dataOf(ns, 'es'))['password']!;
    expect(first).toHaveLength(24);

    // An annotation on the Secret wakes the ExternalSecret (it watches its target); its data is intact, so nothing is due.
    const annotated = await patch(secrets.path(ns, 'es'), { metadata: { annotations: { 'example.com/note': 'hello' } } });
    await operatorCaughtUp(h, [annotated, synced]);
    expect((await dataOf(ns, 'es'))['password']).toBe(first);
    expect((await h.externalSecret(ns, 'es')).status.refreshTime).toBe(synced.status.refreshTime);

    // force-sync: a refresh, so a new password.
    await patch(externalSecrets.path(ns, 'es'), { metadata: { annotations: { 'force-sync': 'now' } } });
    const second = await eventually(async () => {
      const value = (await dataOf(ns, 'es'))['password'];
      return value !== first ? value : undefined;
    }, 'a new password after force-sync');
    expect(second).toHaveLength(24);

    // A hand edit of the data: repaired, by generating again (ESO does the same).
    await patch(secrets.path(ns, 'es'), { data: { password: Buffer.from('edited').toString('base64') } });
    const repaired = await eventually(async () => {
      const value = (await dataOf(ns, 'es'))['password'];
      return value !== 'edited' && value !== second ? value : undefined;
    }, 'the edited Secret repaired');
    expect(repaired).toHaveLength(24);
  });

  it('refreshInterval: a new value at each periodic refresh', async () => {
    const ns = await h.namespace('gen-periodic');
    await password(ns, 'pw');
    await applyExternalSecret(h, ns, 'es', { refreshInterval: '1s', dataFrom: [generatorRef('Password', 'pw')] });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const seen = new Set<string>();
    await eventually(async () => {
      seen.add((await dataOf(ns, 'es'))['password']!);
      return seen.size >= 3;
    }, 'three different passwords from three refreshes');
  });

  it('refreshPolicy CreatedOnce keeps the first value where Periodic generates anew (an annotation change)', async () => {
    const ns = await h.namespace('gen-created-once');
    await password(ns, 'pw');
    await applyExternalSecret(h, ns, 'once', { refreshPolicy: 'CreatedOnce', dataFrom: [generatorRef('Password', 'pw')] });
    await applyExternalSecret(h, ns, 'periodic', { dataFrom: [generatorRef('Password', 'pw')] });
    const once = await readyAs(h, ns, 'once', 'True', 'SecretSynced');
    await readyAs(h, ns, 'periodic', 'True', 'SecretSynced');
    const [onceValue, periodicValue] = [(await dataOf(ns, 'once'))['password'], (await dataOf(ns, 'periodic'))['password']];
    expect(onceValue).not.toBe(periodicValue);

    const touchedOnce = await annotate(ns, 'once');
    await annotate(ns, 'periodic');
    // The positive sign: the Periodic one took the same kind of change as a refresh and generated anew.
    await eventually(async () => (await dataOf(ns, 'periodic'))['password'] !== periodicValue, 'the Periodic ExternalSecret to generate anew');
    await operatorCaughtUp(h, [touchedOnce]);
    expect((await dataOf(ns, 'once'))['password']).toBe(onceValue);
    expect((await h.externalSecret(ns, 'once')).status.refreshTime).toBe(once.status.refreshTime);
  });
});

describe('what a generator produces', () => {
  it('goes through rewrite; each entry generates its own values; UUID gives a random v4 UUID under "uuid"', async () => {
    const ns = await h.namespace('gen-rewrite');
    await password(ns, 'pw', { length: 16, digits: 4, symbols: 0, noUpper: true });
    await applyManifest(h.kube, { apiVersion: G, kind: 'UUID', metadata: { name: 'id', namespace: ns }, spec: {} });
    await applyExternalSecret(h, ns, 'es', {
      dataFrom: [
        { ...generatorRef('Password', 'pw'), rewrite: [{ regexp: { source: '^password$', target: 'DB_PASSWORD' } }] },
        { ...generatorRef('Password', 'pw'), rewrite: [{ regexp: { source: '^pass', target: 'admin-pass' } }] },
        generatorRef('UUID', 'id'),
      ],
    });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    const data = await dataOf(ns, 'es');
    expect(Object.keys(data).sort()).toEqual(['DB_PASSWORD', 'admin-password', 'uuid']);
    for (const key of ['DB_PASSWORD', 'admin-password']) expect(data[key]).toMatch(/^(?=(?:[^0-9]*[0-9]){4}[^0-9]*$)[a-z0-9]{16}$/);
    expect(data['DB_PASSWORD']).not.toBe(data['admin-password']);
    expect(data['uuid']).toMatch(UUID_V4);
  });

  it('feeds templates like any other data', async () => {
    const ns = await h.namespace('gen-template');
    await applyManifest(h.kube, { apiVersion: G, kind: 'UUID', metadata: { name: 'id', namespace: ns }, spec: {} });
    await applyExternalSecret(h, ns, 'es', {
      dataFrom: [generatorRef('UUID', 'id')],
      target: { template: { data: { 'config.ini': 'instance={{ .uuid }}' } } },
    });
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect((await dataOf(ns, 'es'))['config.ini']).toMatch(/^instance=[0-9a-f-]{36}$/);
  });
});

describe('what cannot run is Ready=False, with its reason', () => {
  it('a generator kind this operator does not implement: UnsupportedField, naming it', async () => {
    const ns = await h.namespace('gen-unsupported');
    await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('Fake', 'fake')] });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toMatch(/^UnsupportedField: spec\.dataFrom\[0\]: Fake "fake": generators of kind Fake are not implemented by this operator \(it implements [A-Za-z, ]*Password, UUID/);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('a ClusterGenerator of a kind not implemented (ESO\'s webhookSpec kept as written): UnsupportedField', async () => {
    const name = `gen-webhook-${process.pid}`;
    clusterScoped.push(name);
    const applied = await applyManifest(h.kube, {
      apiVersion: G, kind: 'ClusterGenerator', metadata: { name },
      spec: { kind: 'Webhook', generator: { webhookSpec: { url: 'http://example.invalid/token', result: { jsonPath: '$.token' } } } },
    });
    expect(applied.spec.generator.webhookSpec).toEqual({ url: 'http://example.invalid/token', result: { jsonPath: '$.token' } });
    const ns = await h.namespace('gen-cluster-unsupported');
    await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('ClusterGenerator', name)] });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toMatch(new RegExp(`^UnsupportedField: spec\\.dataFrom\\[0\\]: ClusterGenerator "${name}" \\(spec\\.kind Webhook\\): generators of kind Webhook are not implemented`));
  });

  it('a missing generator: GeneratorNotFound, retried until it exists', async () => {
    const ns = await h.namespace('gen-missing');
    await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('Password', 'later')] });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe(`GeneratorNotFound: spec.dataFrom[0]: Password "later" in namespace "${ns}" not found`);
    await password(ns, 'later');
    await readyAs(h, ns, 'es', 'True', 'SecretSynced');
    expect((await dataOf(ns, 'es'))['password']).toHaveLength(24);
  });

  it('a generator of another namespace is out of reach: only the ExternalSecret\'s own namespace is read', async () => {
    const owner = await h.namespace('gen-owner');
    await password(owner, 'theirs');
    const other = await h.namespace('gen-other');
    await applyExternalSecret(h, other, 'es', { dataFrom: [generatorRef('Password', 'theirs')] });
    const failed = await readyAs(h, other, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe(`GeneratorNotFound: spec.dataFrom[0]: Password "theirs" in namespace "${other}" not found`);
    expect(await h.secret(other, 'es')).toBeUndefined();
  });

  it('a Password longer than a Secret holds: SecretTooLarge, refused before anything is drawn', async () => {
    const ns = await h.namespace('gen-too-large');
    await password(ns, 'huge', { length: 2_000_000, digits: 0, symbols: 0, allowRepeat: true });
    await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('Password', 'huge')] });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe('SecretTooLarge: spec.dataFrom[0]: Password "huge": 2000000 characters of passwords would be more than a Secret holds (at most 1048576)');
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('a Password spec go-password refuses: InvalidGeneratorSpec with its message', async () => {
    const ns = await h.namespace('gen-invalid');
    await password(ns, 'pw', { length: 4, digits: 3, symbols: 2 });
    await applyExternalSecret(h, ns, 'es', { dataFrom: [generatorRef('Password', 'pw')] });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(failed).message).toBe('InvalidGeneratorSpec: spec.dataFrom[0]: Password "pw": number of digits and symbols must be less than total length');
  });
});

import { describe, expect, it } from 'vitest';
import type { GeneratorRef } from '../../src/api/generated.ts';
import { OperatorError } from '../../src/errors.ts';
import type { GenerateFn, GeneratorUse } from '../../src/generators/generator.ts';
import { KubeGeneratorRunner } from '../../src/generators/runner.ts';
import { KubeApiError, type KubeClient } from '../../src/kube/client.ts';

const G = 'generators.external-secrets.io/v1alpha1';

/** The runner over a table of objects by API path; records each path read and each run. */
function runner(objects: Record<string, unknown>, options: { clusterGenerators?: boolean } = {}) {
  const reads: string[] = [];
  const runs: { spec: unknown; use: GeneratorUse }[] = [];
  const kube = {
    get: async (path: string) => {
      reads.push(path);
      if (!(path in objects)) throw new KubeApiError(404, 'NotFound', `GET ${path}: 404 NotFound`);
      return objects[path];
    },
  } as unknown as KubeClient;
  const echo: GenerateFn = async (spec, use) => {
    runs.push({ spec, use });
    return { out: Buffer.from(JSON.stringify(spec)) };
  };
  const run = new KubeGeneratorRunner({ kube, kinds: { Password: echo, UUID: echo }, clusterGenerators: options.clusterGenerators ?? true });
  return { run, reads, runs };
}

async function failure(promise: Promise<unknown>): Promise<OperatorError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OperatorError);
  return error as OperatorError;
}

const ref = (kind: string, name: string, apiVersion = G): GeneratorRef => ({ apiVersion, kind, name });

describe('KubeGeneratorRunner', () => {
  it('reads a namespaced generator from the namespace of its user only, and runs its kind on its spec', async () => {
    const { run, reads, runs } = runner({ '/apis/generators.external-secrets.io/v1alpha1/namespaces/team-a/passwords/pw': { spec: { length: 8 } } });
    expect(Buffer.from((await run.generate('team-a', ref('Password', 'pw')))['out']!).toString()).toBe('{"length":8}');
    expect(runs[0]!.use).toEqual({ kind: 'Password', name: 'pw', namespace: 'team-a', consumerNamespace: 'team-a' });
    const missing = await failure(run.generate('team-b', ref('Password', 'pw')));
    expect(missing).toMatchObject({ code: 'GeneratorNotFound', message: 'Password "pw" in namespace "team-b" not found' });
    expect(reads).toEqual([
      '/apis/generators.external-secrets.io/v1alpha1/namespaces/team-a/passwords/pw',
      '/apis/generators.external-secrets.io/v1alpha1/namespaces/team-b/passwords/pw',
    ]);
  });

  it('runs a ClusterGenerator as the kind its spec.kind names, with that kind\'s spec, for the user\'s namespace', async () => {
    const { run, runs } = runner({
      '/apis/generators.external-secrets.io/v1alpha1/clustergenerators/shared': { spec: { kind: 'Password', generator: { passwordSpec: { length: 42 } } } },
    });
    await run.generate('team-a', ref('ClusterGenerator', 'shared'));
    expect(runs).toEqual([{ spec: { length: 42 }, use: { kind: 'ClusterGenerator', name: 'shared', consumerNamespace: 'team-a' } }]);
  });

  it('refuses a ClusterGenerator whose spec.generator lacks the spec of its kind', async () => {
    const { run } = runner({
      '/apis/generators.external-secrets.io/v1alpha1/clustergenerators/odd': { spec: { kind: 'Password', generator: { uuidSpec: {} } } },
    });
    expect(await failure(run.generate('ns', ref('ClusterGenerator', 'odd')))).toMatchObject({
      code: 'InvalidGeneratorSpec', message: 'ClusterGenerator "odd": spec.kind is Password, so spec.generator must hold passwordSpec; it holds uuidSpec',
    });
  });

  it('names a kind it does not implement, without reading it (its CRD may not even be installed)', async () => {
    const { run, reads } = runner({
      '/apis/generators.external-secrets.io/v1alpha1/clustergenerators/fake': { spec: { kind: 'Fake', generator: { fakeSpec: { data: { a: 'b' } } } } },
    });
    expect(await failure(run.generate('ns', ref('Webhook', 'hook')))).toMatchObject({
      code: 'UnsupportedField', message: 'Webhook "hook": generators of kind Webhook are not implemented by this operator (it implements Password, UUID)',
    });
    expect(reads).toEqual([]);
    expect((await failure(run.generate('ns', ref('ClusterGenerator', 'fake')))).message)
      .toBe('ClusterGenerator "fake" (spec.kind Fake): generators of kind Fake are not implemented by this operator (it implements Password, UUID)');
    expect(await failure(run.generate('ns', ref('toString', 'x')))).toMatchObject({ code: 'UnsupportedField' });
  });

  it('reads no ClusterGenerator when it serves one namespace', async () => {
    const { run, reads } = runner({}, { clusterGenerators: false });
    expect((await failure(run.generate('ns', ref('ClusterGenerator', 'shared')))).code).toBe('ClusterGeneratorDisabled');
    expect(reads).toEqual([]);
  });

  it('refuses an apiVersion outside the generators group, or one not served', async () => {
    const { run, reads } = runner({});
    expect((await failure(run.generate('ns', ref('Password', 'pw', 'external-secrets.io/v1')))).code).toBe('InvalidSpec');
    expect((await failure(run.generate('ns', ref('Password', 'pw', 'generators.external-secrets.io/v9')))).message)
      .toBe('generatorRef.apiVersion "generators.external-secrets.io/v9": Password is served as generators.external-secrets.io/v1alpha1');
    expect(reads).toEqual([]);
  });

  it('keeps other apiserver failures as they are (retried as KubernetesAPIError)', async () => {
    const kube = { get: async () => { throw new KubeApiError(403, 'Forbidden', 'passwords.generators.external-secrets.io "pw" is forbidden'); } } as unknown as KubeClient;
    const run = new KubeGeneratorRunner({ kube, kinds: { Password: async () => ({}) }, clusterGenerators: true });
    await expect(run.generate('ns', ref('Password', 'pw'))).rejects.toBeInstanceOf(KubeApiError);
  });
});

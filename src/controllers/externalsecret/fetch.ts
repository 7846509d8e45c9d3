import type { SecretsProvider } from '../../aws/provider.ts';
import { OperatorError } from '../../errors.ts';
import type { GeneratorRunner } from '../../generators/generator.ts';
import type { StoreKey } from '../../sync/entry-store.ts';
import type { Fetch } from '../../sync/fetch-plan.ts';
import { FoundSecrets } from '../../sync/find-results.ts';
import type { FetchResult } from '../../sync/provider-data.ts';
import { compileGoRegexp } from '../../sync/rewrite.ts';

/**
 * Runs every planned provider call once, in parallel, each through its own store's provider
 * (calls of one identity meet in its fetch engine, which batches them), and every generator run
 * through the runner, in the ExternalSecret's namespace. Failures are kept as results: whether a
 * missing secret is an error depends on the deletion policy, which the pure assembly decides.
 */
export async function runFetches(
  providers: ReadonlyMap<StoreKey, SecretsProvider>,
  fetches: Fetch[],
  generators?: { runner: GeneratorRunner; namespace: string },
): Promise<Map<string, FetchResult>> {
  const entries = await Promise.all(fetches.map(async (fetch): Promise<[string, FetchResult]> => {
    try {
      if (fetch.kind === 'generate') {
        if (!generators) throw new OperatorError('InternalError', 'no generator runner for a generatorRef');
        return [fetch.id, { ok: true, generated: await generators.runner.generate(generators.namespace, fetch.ref) }];
      }
      const provider = providers.get(fetch.store);
      if (!provider) throw new OperatorError('InternalError', `no provider for the store of a ${fetch.kind} call`);
      switch (fetch.kind) {
        case 'value':
          return [fetch.id, { ok: true, secret: await provider.getSecret(fetch.ref) }];
        case 'tags':
          return [fetch.id, { ok: true, secret: { name: fetch.key, secretString: await provider.getSecretTags(fetch.key) } }];
        case 'find': {
          const { nameRegexp, tags, path } = fetch.find;
          const re = nameRegexp === undefined ? undefined : compileGoRegexp(nameRegexp, 'find.name.regexp');
          const found = new FoundSecrets();
          await provider.findSecrets({ ...(re ? { nameMatches: (n: string) => re.matches(n) } : {}), ...(tags ? { tags } : {}), ...(path ? { path } : {}) }, found);
          return [fetch.id, { ok: true, found: found.values }];
        }
      }
    } catch (error) {
      return [fetch.id, { ok: false, error }];
    }
  }));
  return new Map(entries);
}

import type { SecretsProvider } from '../../aws/provider.ts';
import type { Fetch } from '../../sync/fetch-plan.ts';
import { FoundSecrets } from '../../sync/find-results.ts';
import type { FetchResult } from '../../sync/provider-data.ts';
import { compileGoRegexp } from '../../sync/rewrite.ts';

/**
 * Runs every planned provider call once, in parallel. Failures are kept as results:
 * whether a missing secret is an error depends on the deletion policy, which the
 * pure assembly decides.
 */
export async function runFetches(provider: SecretsProvider, fetches: Fetch[]): Promise<Map<string, FetchResult>> {
  const entries = await Promise.all(fetches.map(async (fetch): Promise<[string, FetchResult]> => {
    try {
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

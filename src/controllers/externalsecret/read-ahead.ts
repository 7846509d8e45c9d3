import type { ExternalSecret } from '../../api/generated.ts';
import { DEFAULT_VERSION, type ReadAhead } from '../../aws/provider.ts';
import { refKey } from '../../kube/object-ref.ts';
import { planFetches } from '../../sync/fetch-plan.ts';
import { syncIsStale } from './refresh.ts';
import { storeRefOf } from './store-resolver.ts';

/** ExternalSecrets looked at per batch for secrets to read ahead: bounds the work one batch can cause. */
const MOST_EXAMINED = 1_000;

/**
 * The default-version secrets that other ExternalSecrets of the same store and namespace will
 * ask for as soon as the queue reaches them (their last sync does not cover them: new, changed or
 * force-synced), each with the time the operator saw that change. Read in a batch that has room,
 * they cost no extra call, and those ExternalSecrets find them in the cache: a cold start reads
 * 100 secrets in 5 calls, not in as many as the workers happen to ask for at once.
 */
export function readAhead(
  es: ExternalSecret, siblings: () => ExternalSecret[], prefix: string, observedAt: (es: ExternalSecret) => number | undefined,
): ReadAhead {
  return { key: `${es.metadata.namespace}\u0000${refKey(storeRefOf(es))}`, wanted: function* () {
    let examined = 0;
    for (const sibling of siblings()) {
      if (++examined > MOST_EXAMINED) return;
      if (sibling === es || sibling.metadata.namespace !== es.metadata.namespace || sibling.metadata.deletionTimestamp) continue;
      const seen = observedAt(sibling);
      if (seen === undefined || !syncIsStale(sibling)) continue;
      for (const fetch of planFetches(sibling.spec, prefix)) {
        if (fetch.kind === 'value' && fetch.ref.version === DEFAULT_VERSION) yield { secretId: fetch.ref.key, notBefore: seen };
      }
    }
  } };
}

/**
 * What this apiserver can take on this machine right now: a plain loop creating Secrets with
 * BULK_IN_FLIGHT requests in flight, in a namespace of its own. Measured in the same run as
 * the sync it is compared with, before the operator starts (so nothing else competes), and
 * removed afterwards.
 */
import { applyManifest } from '../../dev/apply.ts';
import { secrets } from '../../src/kube/resources.ts';
import { BULK_IN_FLIGHT, type BenchEnvironment } from './environment.ts';
import { inFlight } from './in-flight.ts';

const NAMESPACE = 'bench-ceiling';

/** Secrets created per second. */
export async function secretCreateRate(env: BenchEnvironment, count: number): Promise<number> {
  await applyManifest(env.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const started = performance.now();
  await inFlight(count, BULK_IN_FLIGHT, (i) => env.kube.request('POST', secrets.path(NAMESPACE), {
    // The size of the Secrets the operator writes: two short keys.
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}` }, data: { username: btoa(`user-${i}`), password: btoa(`pw-${i}`) } },
  }));
  const rate = count / ((performance.now() - started) / 1000);
  // Best effort: the operator watches only the Secrets it manages (by label), so any left do not touch it.
  await env.kube.request('DELETE', secrets.path(NAMESPACE)).catch((err) => console.log(`  (ceiling Secrets not all removed: ${(err as Error).message})`));
  return rate;
}

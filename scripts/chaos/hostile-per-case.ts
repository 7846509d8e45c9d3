/**
 * The cost of each hostile input in the pure pipeline alone (plan, assemble, render), without the
 * apiserver, AWS or other tenants: memory allocated and CPU time per case, the worst first. Run with
 * `node --expose-gc --max-semi-space-size=512 scripts/chaos/hostile-per-case.ts [cases] [seed]` (a large
 * young generation, so that a case's allocations are still counted when it ends).
 */
import fc from 'fast-check';
import type { ExternalSecret, ExternalSecretSpec } from '../../src/api/generated.ts';
import { DEFAULT_STORE } from '../../src/sync/entry-store.ts';
import { planFetches } from '../../src/sync/fetch-plan.ts';
import { assembleProviderData, type FetchResult } from '../../src/sync/provider-data.ts';
import { renderTarget, renderTransform } from '../../src/sync/render-target.ts';
import { hostileCases, knownHostileCases, withKey } from '../../test/integration/hostile.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const count = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 942900);
const cases = [...knownHostileCases('CANARY'), ...fc.sample(hostileCases('CANARY'), { seed, numRuns: count })];
const rows: Array<{ kind: string; mib: number; ms: number; outcome: string }> = [];
for (const [i, c] of cases.entries()) {
  const spec = { refreshInterval: '1h', secretStoreRef: { name: 'aws' }, ...withKey(c.spec, 'k') } as ExternalSecretSpec;
  const es = { metadata: { name: `case-${i}`, namespace: 'ns', uid: 'u' }, spec } as ExternalSecret;
  gc();
  const before = process.memoryUsage();
  const cpu = process.cpuUsage();
  let outcome = 'ok';
  try {
    const results = new Map<string, FetchResult>();
    for (const f of planFetches(spec, new Map([[DEFAULT_STORE, '']]))) {
      // find results come from AWS listings; the hostile payloads are tried through extract and data.
      const secret = typeof c.payload === 'string' ? { name: 'k', secretString: c.payload } : { name: 'k', secretBinary: c.payload };
      results.set(f.id, f.kind === 'find' ? { ok: true, found: new Map() } : { ok: true, secret });
    }
    const { data } = assembleProviderData(spec, results, new Map([[DEFAULT_STORE, '']]), renderTransform);
    renderTarget(es, data, { configMaps: new Map(), secrets: new Map() } as never);
  } catch (e) {
    outcome = (e as { code?: string }).code ?? (e as Error).name;
  }
  const after = process.memoryUsage();
  const used = process.cpuUsage(cpu);
  const grown = after.heapUsed - before.heapUsed + after.external - before.external;
  rows.push({ kind: c.kind, mib: grown / 2 ** 20, ms: (used.user + used.system) / 1000, outcome });
}
const show = (r: (typeof rows)[number]) => console.log(`${r.kind.padEnd(30)}${r.mib.toFixed(1).padStart(7)} MiB${r.ms.toFixed(0).padStart(7)} ms  ${r.outcome}`);
console.log(`${cases.length} hostile inputs (seed ${seed}); the most memory:`);
rows.sort((a, b) => b.mib - a.mib).slice(0, 8).forEach(show);
console.log('the most CPU:');
rows.sort((a, b) => b.ms - a.ms).slice(0, 8).forEach(show);

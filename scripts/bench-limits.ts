/**
 * `make bench` (first part): how long the worst inputs a tenant can write take to be refused or
 * processed, on this machine. The tests check that this work is counted and bounded (template
 * RenderBudget, rewrite steps); what the bounds cost in time is measured here, against the figures
 * src/go/template/limits.ts and src/sync/rewrite.ts are sized from (a render ~0.1-0.2 s at most,
 * the rewrite step bound ~0.5-0.75 s). No cluster needed. Prints a table and a JSON line.
 */
import { parseTemplate, RenderBudget, renderTemplate } from '../src/go/template/index.ts';
import { rewriteKeys, RewriteBudget, type TransformRenderer } from '../src/sync/rewrite.ts';
import { templateLimitCases } from '../test/unit/template-limit-cases.ts';
import { benchPhases } from './bench/workloads.ts';

if (!benchPhases().has('limits')) {
  console.log('bench-limits: not in BENCH_PHASES, skipped');
  process.exit(0);
}

const RUNS = Number(process.env.BENCH_LIMIT_RUNS ?? 5);

/** The slowest of RUNS runs of `run`, in ms (after one warm-up run). */
function slowest(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    try {
      run();
    } catch {
      // Refusing the input is the expected outcome of most cases.
    }
    if (i > 0) times.push(performance.now() - started);
  }
  return Math.round(Math.max(...times) * 10) / 10;
}

const results: Record<string, number> = {};

for (const [name, template, , data = {}] of templateLimitCases) {
  const bytes = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))]));
  results[`template: ${name}`] = slowest(() => {
    const budget = new RenderBudget();
    renderTemplate(parseTemplate('t', template, budget), bytes, budget);
  });
}

const noTransforms: TransformRenderer = (template) => template;
const rewrite = (source: string, keys: string[]) => () => {
  rewriteKeys(Object.fromEntries(keys.map((k) => [k, new Uint8Array([1])])), [{ regexp: { source, target: 'x' } }], noTransforms, 'rewrite', new RewriteBudget());
};
// Patterns a backtracking engine takes exponential time on; linear here.
results['rewrite: (a|a)*b over a 2,000-character key'] = slowest(rewrite('(a|a)*b', ['a'.repeat(2000)]));
results['rewrite: (a+)+$ over a 2,000-character key'] = slowest(rewrite('(a+)+$', [`${'a'.repeat(2000)}!`]));
// Thousands of threads alive at every character: refused at the step bound.
results['rewrite: refused at the step bound'] = slowest(rewrite('(?:.?){1000}(?:.?){1000}(?:.?){1000}', Array.from({ length: 20 }, (_, i) => `${i}-${'a'.repeat(250)}`)));

console.log(`\n${'worst case'.padEnd(60)}slowest ms of ${RUNS}`);
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(60)}${v}`);
console.log(`\nBENCH_LIMITS ${JSON.stringify(results)}`);

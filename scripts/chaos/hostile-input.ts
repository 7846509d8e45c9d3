/**
 * `make chaos`: hundreds of hostile ExternalSecrets and AWS payloads (test/integration/hostile.ts: the
 * inputs that broke the operator before, then generated ones) against the operator process with
 * production settings (default heap). Prints the count tried, their outcomes, and the peak resident
 * memory against the resting one (target: peak ≤ 1.5× resting).
 *
 *   node scripts/chaos/hostile-input.ts      CHAOS_HOSTILE_CASES (default 300), CHAOS_HOSTILE_SEED
 */
import { randomBytes } from 'node:crypto';
import { runHostileInputs } from '../../test/integration/hostile-run.ts';
import type { OperatorChild } from '../../test/integration/operator-child.ts';
import { startEnvironment, startOperator } from './environment.ts';

const CASES = Number(process.env.CHAOS_HOSTILE_CASES ?? 300);
const SEED = Number(process.env.CHAOS_HOSTILE_SEED ?? Date.now() % 1_000_000);

const env = await startEnvironment();
let operator: OperatorChild | undefined;
try {
  operator = await startOperator(env);
  let n = 0;
  const report = await runHostileInputs({
    kube: env.kube, aws: env.aws, operator, namespace: 'chaos-hostile', canary: `HOSTILE-${randomBytes(6).toString('hex')}`,
    seed: SEED, generated: CASES, batch: 10, awsName: (label) => `chaos-hostile/${++n}/${label}`,
  });
  const mib = (b: number) => Math.round(b / 2 ** 20);
  const figures = {
    scenario: 'hostile-input', seed: SEED, tried: report.tried, outcomes: report.outcomes,
    violations: report.violations.length, leaks: report.leaks.length, spinning: report.spinning.length,
    healthyRotations: report.healthyRotations, preciousIntact: report.preciousIntact,
    secretDataMiB: mib(report.secretBytes), restingRssMiB: mib(report.restingRss), peakRssMiB: mib(report.peakRss), peakOverResting: Math.round((report.peakRss / report.restingRss) * 100) / 100,
  };
  for (const v of [...report.violations, ...report.leaks, ...report.spinning]) console.log(`  ! ${v}`);
  for (const g of report.growth) console.log(`  memory: ${g}`);
  console.log(`hostile inputs tried: ${report.tried} (seed ${SEED}); resting RSS ${figures.restingRssMiB} MiB, peak ${figures.peakRssMiB} MiB (${figures.peakOverResting}x)`);
  console.log(`CHAOS ${JSON.stringify(figures)}`);
} finally {
  await operator?.kill('SIGTERM');
  await env.stop();
}

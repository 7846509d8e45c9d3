/**
 * `make bench` (second part): what the operator costs at scale, measured from outside it,
 * against a real kube-apiserver + etcd and moto on this machine. For each workload of
 * scripts/bench/workloads.ts (W1000, W10000), on a fresh control plane and moto: the cold sync,
 * the apiserver's ceiling in the same run, AWS calls by operation (counted by a proxy in front of
 * moto) in the cold sync, a forced refresh and two periodic cycles, memory, CPU and idle latency
 * (scripts/bench/run-workload.ts).
 *
 * Prints a table (baseline → now, and the targets), writes bench/results/latest.json and
 * latest.svg. BENCH_BASELINE=1 also writes bench/baseline.json; BENCH_SIZING=1 writes
 * bench/sizing.json from the full-size W1000.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { productionNodeFlags } from './bench/operator.ts';
import { plotSvg } from './bench/plot.ts';
import { formatTable } from './bench/report.ts';
import type { BenchResults, WorkloadResult } from './bench/result.ts';
import { runWorkload } from './bench/run-workload.ts';
import { benchSettings, fullWorkloads } from './bench/workloads.ts';

const root = join(import.meta.dirname, '..');
const baselinePath = join(root, 'bench/baseline.json');
const resultsDir = join(root, 'bench/results');
/** What decides how the operator behaves: a result names the last commit that changed any of them. */
const OPERATOR_SOURCES = ['src', 'package.json', 'package-lock.json', 'Dockerfile'];

// The operator runs as the image runs it: the build of `make build` (scripts/bench/operator.ts).
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
const settings = benchSettings();
const node = productionNodeFlags();
const baseline: WorkloadResult[] = existsSync(baselinePath) ? (JSON.parse(readFileSync(baselinePath, 'utf8')) as BenchResults).results : [];
const started = Date.now();
const results: WorkloadResult[] = [];
let failed = false;
for (const workload of settings.workloads) {
  try {
    results.push(await runWorkload(workload, settings, node));
  } catch (err) {
    failed = true;
    console.error(`bench: ${workload.name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
const report: BenchResults = {
  date: new Date().toISOString(),
  operatorCommit: execFileSync('git', ['log', '-1', '--format=%H', '--', ...OPERATOR_SOURCES], { cwd: root, encoding: 'utf8' }).trim(),
  totalSeconds: Math.round((Date.now() - started) / 1000),
  results,
};

mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(resultsDir, 'latest.svg'), plotSvg(results, baseline));
console.log(`\n${formatTable(results, baseline)}`);
for (const r of results) for (const d of r.metricDisagreements) console.log(`WARNING ${r.workload}: operator metric and proxy disagree, ${d}`);
console.log(`\n${results.length} workload(s) in ${report.totalSeconds} s; bench/results/latest.json, bench/results/latest.svg`);

if (process.env.BENCH_BASELINE) {
  writeFileSync(baselinePath, `${JSON.stringify({ ...report, command: 'BENCH_BASELINE=1 make bench' }, null, 2)}\n`);
  console.log('wrote bench/baseline.json');
}
// `BENCH_SIZING=1 make bench` records the figures the Deployment's memory request and limit are sized from.
const sizingRun = results.find((r) => r.workload === 'W1000' && r.externalSecrets === fullWorkloads[0]!.externalSecrets);
if (process.env.BENCH_SIZING && sizingRun?.memory) {
  const sizing = { command: 'BENCH_SIZING=1 make bench', externalSecrets: sizingRun.externalSecrets, restingRssMiB: sizingRun.memory.rssMiB, peakRssMiB: sizingRun.memory.peakRssMiB };
  writeFileSync(join(root, 'bench/sizing.json'), `${JSON.stringify(sizing, null, 2)}\n`);
}
process.exitCode = failed ? 1 : 0;

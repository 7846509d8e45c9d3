/**
 * The workloads `make bench` runs and the knobs that pick or shrink them. Each workload runs on a
 * fresh control plane and moto, so one cannot warm or load the next.
 *
 * BENCH_WORKLOADS   which to run, comma-separated (default `W1000,W10000`)
 * BENCH_SCALE       multiplies both counts, for a quick smoke run (e.g. 0.2: W1000 runs 200 over 20)
 * BENCH_REFRESH_SECONDS  the refreshInterval of the periodic cycles (default 60)
 * BENCH_LATENCY_SAMPLES  ExternalSecrets created one at a time for the idle latency (default 50)
 * CONCURRENCY       the operator's workers (default 16, as in production)
 */
export interface Workload {
  readonly name: string;
  readonly externalSecrets: number;
  /** Each ExternalSecret reads two properties of one of these, round-robin. */
  readonly awsSecrets: number;
}

export interface BenchSettings {
  readonly workloads: Workload[];
  readonly refreshIntervalSeconds: number;
  readonly latencySamples: number;
  readonly concurrency: number;
  /** Share of the AWS secrets rotated in the second periodic cycle. */
  readonly changedShare: number;
}

/** The workloads: ten ExternalSecrets per AWS secret. */
export const fullWorkloads: readonly Workload[] = [
  { name: 'W1000', externalSecrets: 1000, awsSecrets: 100 },
  { name: 'W10000', externalSecrets: 10_000, awsSecrets: 1000 },
];

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const scale = Number(env.BENCH_SCALE ?? 1);
  const wanted = (env.BENCH_WORKLOADS ?? fullWorkloads.map((w) => w.name).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !fullWorkloads.some((w) => w.name === name));
  if (unknown.length) throw new Error(`BENCH_WORKLOADS: unknown ${unknown.join(', ')} (known: ${fullWorkloads.map((w) => w.name).join(', ')})`);
  if (!(scale > 0)) throw new Error('BENCH_SCALE must be a positive number');
  return {
    workloads: fullWorkloads.filter((w) => wanted.includes(w.name)).map((w) => ({
      name: w.name,
      externalSecrets: Math.max(1, Math.round(w.externalSecrets * scale)),
      awsSecrets: Math.max(1, Math.round(w.awsSecrets * scale)),
    })),
    refreshIntervalSeconds: Number(env.BENCH_REFRESH_SECONDS ?? 60),
    latencySamples: Number(env.BENCH_LATENCY_SAMPLES ?? 50),
    concurrency: Number(env.CONCURRENCY ?? 16),
    changedShare: 0.1,
  };
}

/**
 * The workloads `make bench` runs and the knobs that pick or shrink them. Each workload runs on a
 * fresh control plane and moto, so one cannot warm or load the next.
 *
 * BENCH_WORKLOADS   which to run, comma-separated (default `W1000,W10000`)
 * BENCH_SCALE       multiplies both counts, for a quick smoke run (e.g. 0.2: W1000 runs 200 over 20)
 * BENCH_REFRESH_SECONDS  the refreshInterval of the periodic cycles (default 60)
 * BENCH_LATENCY_SAMPLES  ExternalSecrets created one at a time for the idle latency (default 50)
 * BENCH_PHASES      which phases to run, comma-separated (default `limits,scale,changes,parameters`): `limits` the worst
 *                   templates and rewrites (scripts/bench-limits.ts), `scale` a workload's cold sync, apiserver ceiling,
 *                   latency, forced refresh, periodic cycles and memory, `changes` (W1000 only, after `scale` on the
 *                   same control plane) how fast changes in AWS reach Secrets through a queue and a change poll, what
 *                   the poll costs, and rolling restarts (scripts/bench/run-changes.ts), `parameters` (W1000 only) the
 *                   same workload read through a Parameter Store store, its SSM calls cold and per refresh interval
 *                   (scripts/bench/run-parameters.ts). A workload always syncs cold.
 * BENCH_QUEUE_CHANGES, BENCH_POLL_CHANGES, BENCH_POLL_SECONDS  the changes phase's sizes (defaults 50, 20, 30), to
 *                   iterate on it quickly
 * CONCURRENCY       the operator's workers (default 16, as in production)
 */
export interface Workload {
  readonly name: string;
  readonly externalSecrets: number;
  /** Each ExternalSecret reads two properties of one of these, round-robin. */
  readonly awsSecrets: number;
}

export const PHASES = ['limits', 'scale', 'changes', 'parameters'] as const;
export type Phase = (typeof PHASES)[number];
/** The one workload the changes phase runs at (the figures are stated for it). */
export const CHANGES_WORKLOAD = 'W1000';

export interface BenchSettings {
  /** The workloads with a phase to run. */
  readonly workloads: Workload[];
  readonly phases: ReadonlySet<Phase>;
  readonly refreshIntervalSeconds: number;
  readonly latencySamples: number;
  readonly concurrency: number;
  /** Share of the AWS secrets rotated in the second periodic cycle. */
  readonly changedShare: number;
  readonly changes: ChangesSettings;
}

/** The changes phase (scripts/bench/run-changes.ts). */
export interface ChangesSettings {
  /** Changes made one at a time and announced on the queue. */
  readonly queueChanges: number;
  /** Changes made at random moments for the change poll to find, each to another AWS secret. */
  readonly pollChanges: number;
  /** ... over this long. */
  readonly pollSpreadSeconds: number;
  /** The store's change-poll interval. */
  readonly pollSeconds: number;
  /** Poll intervals the cost is measured over, nothing changing. */
  readonly costPolls: number;
  /** ExternalSecrets opted in to rolling restarts, one Deployment each. */
  readonly restartTargets: number;
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
  const phases = benchPhases(env);
  return {
    phases,
    workloads: fullWorkloads.filter((w) => wanted.includes(w.name) && (phases.has('scale') || ((phases.has('changes') || phases.has('parameters')) && w.name === CHANGES_WORKLOAD))).map((w) => ({
      name: w.name,
      externalSecrets: Math.max(1, Math.round(w.externalSecrets * scale)),
      awsSecrets: Math.max(1, Math.round(w.awsSecrets * scale)),
    })),
    refreshIntervalSeconds: Number(env.BENCH_REFRESH_SECONDS ?? 60),
    latencySamples: Number(env.BENCH_LATENCY_SAMPLES ?? 50),
    concurrency: Number(env.CONCURRENCY ?? 16),
    changedShare: 0.1,
    changes: {
      queueChanges: Number(env.BENCH_QUEUE_CHANGES ?? 50),
      pollChanges: Number(env.BENCH_POLL_CHANGES ?? 20),
      pollSpreadSeconds: 90,
      pollSeconds: Number(env.BENCH_POLL_SECONDS ?? 30),
      costPolls: 4,
      restartTargets: 10,
    },
  };
}

export function benchPhases(env: NodeJS.ProcessEnv = process.env): ReadonlySet<Phase> {
  const wanted = (env.BENCH_PHASES ?? PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`BENCH_PHASES: unknown ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
  return new Set(wanted as Phase[]);
}

/**
 * The figures `make bench` reports for each workload, in the order it prints them, with the
 * issue's targets. The targets are stated for W1000 (100 AWS secrets) and W10000 (1,000); they
 * are written here as functions of the workload's size so that a shrunk smoke run
 * (BENCH_SCALE) is judged by the same rule: a call budget of one BatchGetSecretValue per 20
 * AWS secrets, one ListSecrets page per 100 (at least 2 calls).
 */
import { total } from './apiserver-requests.ts';
import type { WorkloadResult } from './result.ts';

export interface Target {
  op: '<=' | '>=' | '=';
  value: number;
}

export interface Figure {
  label: string;
  /** Which way is an improvement; a figure without one (the apiserver's own speed) is not judged. */
  better?: 'lower' | 'higher';
  value: (r: WorkloadResult) => number | undefined;
  target?: (r: WorkloadResult) => Target | undefined;
}

const isW1000 = (r: WorkloadResult) => r.workload === 'W1000';
const isW10000 = (r: WorkloadResult) => r.workload === 'W10000';
const batches = (awsSecrets: number) => Math.ceil(awsSecrets / 20);
const listPages = (awsSecrets: number) => Math.max(2, Math.ceil(awsSecrets / 100));
const MIB_LIMIT: Record<string, number> = { W1000: 110, W10000: 192 };

/** The AWS-call rows: the total with its target, then one row per operation seen (now or in the baseline). */
function awsCallFigures(label: string, calls: (r: WorkloadResult) => Record<string, number>, operations: string[],
  target?: (r: WorkloadResult) => Target | undefined): Figure[] {
  return [
    { label, better: 'lower', value: (r) => total(calls(r)), ...(target ? { target } : {}) },
    ...operations.map((op): Figure => ({ label: `  ${op}`, better: 'lower', value: (r) => calls(r)[op] ?? 0 })),
  ];
}

/** Every figure; `operations(phase)` lists the AWS operations to break each phase's total into. */
export function figures(operations: (calls: (r: WorkloadResult) => Record<string, number>) => string[]): Figure[] {
  const aws = (label: string, calls: (r: WorkloadResult) => Record<string, number>, target?: (r: WorkloadResult) => Target | undefined) =>
    awsCallFigures(label, calls, operations(calls), target);
  return [
    { label: 'cold sync, s', better: 'lower', value: (r) => r.cold.seconds },
    { label: 'cold sync, ExternalSecrets/s', better: 'higher', value: (r) => r.cold.perSecond },
    {
      label: 'ExternalSecrets Ready after the cold sync', better: 'higher', value: (r) => r.cold.ready,
      target: (r) => ({ op: '=', value: r.externalSecrets }),
    },
    { label: 'apiserver: Secrets created/s, 16 in flight', value: (r) => r.ceiling.secretCreatesPerSecond },
    { label: 'apiserver writes per synced ExternalSecret', better: 'lower', value: (r) => r.cold.writesPerSync },
    { label: 'ceiling (creates/s ÷ writes per sync), syncs/s', value: (r) => r.ceiling.syncsPerSecond },
    { label: 'cold-sync rate ÷ ceiling', better: 'higher', value: (r) => r.ceiling.coldSyncShare, target: (r) => (isW1000(r) ? { op: '>=', value: 0.6 } : undefined) },
    ...aws('AWS calls, cold sync', (r) => r.cold.awsCalls, (r) => ({ op: '<=', value: batches(r.awsSecrets) })),
    { label: 'operator CPU ms per ExternalSecret, cold sync', better: 'lower', value: (r) => r.cold.cpuMsPerExternalSecret, target: (r) => (isW1000(r) ? { op: '<=', value: 2 } : undefined) },
    { label: '  of which the start (loading), ms in all', better: 'lower', value: (r) => r.cold.startupCpuMs },
    { label: 'forced refresh of all, s', better: 'lower', value: (r) => r.forced.seconds },
    ...aws('AWS calls, forced refresh', (r) => r.forced.awsCalls, (r) => (isW1000(r) ? { op: '<=', value: batches(r.awsSecrets) } : undefined)),
    { label: 'operator CPU ms per ExternalSecret, forced refresh', better: 'lower', value: (r) => r.forced.cpuMsPerExternalSecret },
    ...aws('AWS calls, periodic cycle, nothing changed', (r) => r.periodic.unchanged.awsCalls,
      (r) => (isW1000(r) || isW10000(r) ? { op: '<=', value: listPages(r.awsSecrets) } : undefined)),
    { label: '  ExternalSecrets refreshed in that cycle', value: (r) => r.periodic.unchanged.refreshed },
    { label: '  busiest second ÷ mean AWS call rate', better: 'lower', value: (r) => r.periodic.unchanged.busiestToMean },
    { label: '  operator CPU ms in that cycle', better: 'lower', value: (r) => r.periodic.unchanged.cpuMs },
    ...aws('AWS calls, periodic cycle, 10% of AWS secrets changed', (r) => r.periodic.changed.awsCalls,
      (r) => (isW1000(r) ? { op: '<=', value: listPages(r.awsSecrets) + Math.ceil(r.periodic.changed.changedAwsSecrets / 20) } : undefined)),
    {
      label: '  Secrets with the new value by cycle end + 5 s', better: 'higher', value: (r) => r.periodic.changed.secretsUpdated,
      target: (r) => ({ op: '=', value: r.periodic.changed.secretsExpected }),
    },
    {
      label: '  Secrets with the new value by the next cycle end + 5 s', better: 'higher', value: (r) => r.periodic.changed.secretsUpdatedInTwoIntervals,
      target: (r) => ({ op: '=', value: r.periodic.changed.secretsExpected }),
    },
    { label: '  seconds until the last of them had it', better: 'lower', value: (r) => r.periodic.changed.lastUpdateSeconds },
    { label: 'resident memory at steady state, MiB', better: 'lower', value: (r) => r.memory.rssMiB, target: (r) => (MIB_LIMIT[r.workload] ? { op: '<=', value: MIB_LIMIT[r.workload]! } : undefined) },
    { label: 'peak resident memory, MiB', better: 'lower', value: (r) => r.memory.peakRssMiB },
    { label: 'live JavaScript heap, MiB', better: 'lower', value: (r) => r.memory.heapUsedMiB },
    { label: 'idle create → Ready p50, ms', better: 'lower', value: (r) => r.latency.p50Ms },
    { label: 'idle create → Ready p99, ms', better: 'lower', value: (r) => r.latency.p99Ms },
  ];
}

export function meets(value: number | undefined, target: Target): boolean {
  if (value === undefined || Number.isNaN(value)) return false;
  return target.op === '<=' ? value <= target.value : target.op === '>=' ? value >= target.value : value === target.value;
}

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
  /** Whether the phase that measures it ran (BENCH_PHASES); a phase not run has no figures to judge. */
  ran?: (r: WorkloadResult) => boolean;
}

/** The figures of one phase, judged only where it ran. */
const phase = (ran: (r: WorkloadResult) => boolean, list: Figure[]): Figure[] => list.map((f) => ({ ...f, ran }));

const isW1000 = (r: WorkloadResult) => r.workload === 'W1000';
const isW10000 = (r: WorkloadResult) => r.workload === 'W10000';
const batches = (awsSecrets: number) => Math.ceil(awsSecrets / 20);
const listPages = (awsSecrets: number) => Math.max(2, Math.ceil(awsSecrets / 100));
const MIB_LIMIT: Record<string, number> = { W1000: 110, W10000: 192 };

/** The AWS-call rows: the total with its target, then one row per operation seen (now or in the baseline). */
function awsCallFigures(label: string, calls: Calls, operations: string[], target?: (r: WorkloadResult) => Target | undefined): Figure[] {
  const of = (r: WorkloadResult, count: (c: Record<string, number>) => number) => {
    const c = calls(r);
    return c === undefined ? undefined : count(c);
  };
  return [
    { label, better: 'lower', value: (r) => of(r, total), ...(target ? { target } : {}) },
    ...operations.map((op): Figure => ({ label: `  ${op}`, better: 'lower', value: (r) => of(r, (c) => c[op] ?? 0) })),
  ];
}

/** A phase's AWS calls by operation; undefined where the phase did not run. */
export type Calls = (r: WorkloadResult) => Record<string, number> | undefined;
type AwsFigures = (label: string, calls: Calls, target?: (r: WorkloadResult) => Target | undefined) => Figure[];

/** Every figure; `operations(phase)` lists the AWS operations to break each phase's total into. */
export function figures(operations: (calls: Calls) => string[]): Figure[] {
  const aws = (label: string, calls: Calls, target?: (r: WorkloadResult) => Target | undefined) =>
    awsCallFigures(label, calls, operations(calls), target);
  const ranCeiling = (r: WorkloadResult) => r.ceiling !== undefined;
  const ranScale = (r: WorkloadResult) => r.periodic !== undefined;
  return [
    { label: 'cold sync, s', better: 'lower', value: (r) => r.cold.seconds },
    { label: 'cold sync, ExternalSecrets/s', better: 'higher', value: (r) => r.cold.perSecond },
    {
      label: 'ExternalSecrets Ready after the cold sync', better: 'higher', value: (r) => r.cold.ready,
      target: (r) => ({ op: '=', value: r.externalSecrets }),
    },
    { label: 'apiserver: Secrets created/s, 16 in flight', value: (r) => r.ceiling?.secretCreatesPerSecond, ran: ranCeiling },
    { label: 'apiserver writes per synced ExternalSecret', better: 'lower', value: (r) => r.cold.writesPerSync },
    ...phase(ranCeiling, [
      { label: 'ceiling (creates/s ÷ writes per sync), syncs/s', value: (r) => r.ceiling?.syncsPerSecond },
      { label: 'cold-sync rate ÷ ceiling', better: 'higher', value: (r) => r.ceiling?.coldSyncShare, target: (r) => (isW1000(r) ? { op: '>=', value: 0.6 } : undefined) },
    ]),
    ...aws('AWS calls, cold sync', (r) => r.cold.awsCalls, (r) => ({ op: '<=', value: batches(r.awsSecrets) })),
    { label: 'operator CPU ms per ExternalSecret, cold sync', better: 'lower', value: (r) => r.cold.cpuMsPerExternalSecret, target: (r) => (isW1000(r) ? { op: '<=', value: 2 } : undefined) },
    { label: '  of which the start (loading), ms in all', better: 'lower', value: (r) => r.cold.startupCpuMs },
    ...phase(ranScale, [
      { label: 'forced refresh of all, s', better: 'lower', value: (r) => r.forced?.seconds },
      ...aws('AWS calls, forced refresh', (r) => r.forced?.awsCalls, (r) => (isW1000(r) ? { op: '<=', value: batches(r.awsSecrets) } : undefined)),
      { label: 'operator CPU ms per ExternalSecret, forced refresh', better: 'lower', value: (r) => r.forced?.cpuMsPerExternalSecret },
      ...aws('AWS calls, periodic cycle, nothing changed', (r) => r.periodic?.unchanged.awsCalls,
        (r) => (isW1000(r) || isW10000(r) ? { op: '<=', value: listPages(r.awsSecrets) } : undefined)),
      { label: '  ExternalSecrets refreshed in that cycle', value: (r) => r.periodic?.unchanged.refreshed },
      { label: '  busiest second ÷ mean AWS call rate', better: 'lower', value: (r) => r.periodic?.unchanged.busiestToMean },
      { label: '  operator CPU ms in that cycle', better: 'lower', value: (r) => r.periodic?.unchanged.cpuMs },
      ...aws('AWS calls, periodic cycle, 10% of AWS secrets changed', (r) => r.periodic?.changed.awsCalls,
        (r) => (isW1000(r) ? { op: '<=', value: listPages(r.awsSecrets) + Math.ceil(r.periodic!.changed.changedAwsSecrets / 20) } : undefined)),
      {
        label: '  Secrets with the new value by cycle end + 5 s', better: 'higher', value: (r) => r.periodic?.changed.secretsUpdated,
        target: (r) => ({ op: '=', value: r.periodic!.changed.secretsExpected }),
      },
      {
        label: '  Secrets with the new value by the next cycle end + 5 s', better: 'higher', value: (r) => r.periodic?.changed.secretsUpdatedInTwoIntervals,
        target: (r) => ({ op: '=', value: r.periodic!.changed.secretsExpected }),
      },
      { label: '  seconds until the last of them had it', better: 'lower', value: (r) => r.periodic?.changed.lastUpdateSeconds },
      { label: 'resident memory at steady state, MiB', better: 'lower', value: (r) => r.memory?.rssMiB, target: (r) => (MIB_LIMIT[r.workload] ? { op: '<=', value: MIB_LIMIT[r.workload]! } : undefined) },
      { label: 'peak resident memory, MiB', better: 'lower', value: (r) => r.memory?.peakRssMiB },
      { label: 'live JavaScript heap, MiB', better: 'lower', value: (r) => r.memory?.heapUsedMiB },
      { label: 'idle create → Ready p50, ms', better: 'lower', value: (r) => r.latency?.p50Ms },
      { label: 'idle create → Ready p99, ms', better: 'lower', value: (r) => r.latency?.p99Ms },
    ]),
    ...phase((r) => r.changes !== undefined, changesFigures(aws)),
    ...phase((r) => r.parameters !== undefined, parametersFigures(aws)),
  ];
}

/**
 * The changes phase (issue 12): AWS change → Secret with the queue (target p99 ≤ 2 s) and with the
 * change poll (every change within the interval + 2 s), the poll's cost with nothing changing (≤ one
 * ListSecrets page per 100 AWS secrets per poll, at least 2), and rolling restarts (none without a
 * data change, exactly one per change).
 */
function changesFigures(aws: AwsFigures): Figure[] {
  const c = (r: WorkloadResult) => r.changes;
  return [
    { label: 'queue: changes that reached their Secrets', better: 'higher', value: (r) => c(r)?.queue.arrived, target: (r) => ({ op: '=', value: c(r)!.queue.changes }) },
    { label: 'queue: AWS change → Secret min, ms', better: 'lower', value: (r) => c(r)?.queue.minMs },
    { label: 'queue: AWS change → Secret p50, ms', better: 'lower', value: (r) => c(r)?.queue.p50Ms },
    { label: 'queue: AWS change → Secret p99, ms', better: 'lower', value: (r) => c(r)?.queue.p99Ms, target: () => ({ op: '<=', value: 2000 }) },
    { label: 'change poll: interval, s', value: (r) => c(r)?.poll.intervalSeconds },
    { label: 'change poll: changes that reached their Secrets', better: 'higher', value: (r) => c(r)?.poll.arrived, target: (r) => ({ op: '=', value: c(r)!.poll.changes }) },
    { label: 'change poll: AWS change → Secret p50, ms', better: 'lower', value: (r) => c(r)?.poll.p50Ms },
    { label: 'change poll: AWS change → Secret p99, ms', better: 'lower', value: (r) => c(r)?.poll.p99Ms },
    {
      label: 'change poll: AWS change → Secret max, ms', better: 'lower', value: (r) => c(r)?.poll.maxMs,
      target: (r) => ({ op: '<=', value: c(r)!.poll.intervalSeconds * 1000 + 2000 }),
    },
    { label: 'change poll, nothing changing: intervals measured', value: (r) => c(r)?.poll.cost.intervals },
    { label: 'change poll, nothing changing: polls seen', value: (r) => c(r)?.poll.cost.polls },
    ...aws('change poll, nothing changing: AWS calls over them', (r) => c(r)?.poll.cost.awsCalls),
    { label: 'change poll: Secrets Manager calls per poll', better: 'lower', value: (r) => c(r)?.poll.cost.callsPerPoll, target: (r) => ({ op: '<=', value: listPages(r.awsSecrets) }) },
    { label: 'Secrets Manager calls/h: the change poll', better: 'lower', value: (r) => c(r)?.poll.cost.pollCallsPerHour },
    { label: 'Secrets Manager calls/h: hourly refresh (a periodic cycle)', better: 'lower', value: (r) => c(r)?.poll.cost.refreshCallsPerHour },
    { label: 'Secrets Manager calls/h: poll + hourly refresh', better: 'lower', value: (r) => c(r)?.poll.cost.callsPerHour },
    { label: 'SQS calls/h: the queue\'s long polls', better: 'lower', value: (r) => c(r)?.poll.cost.sqsCallsPerHour },
    { label: 'restarts: Deployments opted in', value: (r) => c(r)?.restarts.deployments },
    { label: 'restarts: data changes of their Secrets', value: (r) => c(r)?.restarts.dataChanges },
    { label: 'restarts: on those changes', value: (r) => c(r)?.restarts.onChange, target: (r) => ({ op: '=', value: c(r)!.restarts.dataChanges }) },
    { label: 'restarts: without a data change', better: 'lower', value: (r) => c(r)?.restarts.withoutChange, target: () => ({ op: '=', value: 0 }) },
    {
      label: 'restarts: Deployments restarted once per change, exactly', better: 'higher', value: (r) => c(r)?.restarts.exact,
      target: (r) => ({ op: '=', value: c(r)!.restarts.deployments }),
    },
    { label: 'changes phase, s', better: 'lower', value: (r) => c(r)?.wallSeconds },
  ];
}

/**
 * The parameters phase (issue 13): the workload read through Parameter Store. GetParameters takes
 * 10 names, so a cold sync of P parameters needs P / 10 calls at best; ESO reads each ExternalSecret's
 * parameters with GetParameter, at least one call per ExternalSecret per refresh.
 */
function parametersFigures(aws: AwsFigures): Figure[] {
  const p = (r: WorkloadResult) => r.parameters;
  return [
    { label: 'parameters: ExternalSecrets Ready after the cold sync', better: 'higher', value: (r) => p(r)?.cold.ready, target: (r) => ({ op: '=', value: p(r)!.externalSecrets }) },
    { label: 'parameters: cold sync, s', better: 'lower', value: (r) => p(r)?.cold.seconds },
    ...aws('parameters: cold sync SSM calls', (r) => p(r)?.cold.awsCalls),
    { label: 'parameters: refreshes in the measured intervals', value: (r) => p(r)?.periodic.refreshes },
    ...aws('parameters: SSM calls over those intervals', (r) => p(r)?.periodic.awsCalls),
    { label: 'parameters: SSM calls per refresh interval', better: 'lower', value: (r) => p(r)?.periodic.callsPerInterval },
  ];
}

export function meets(value: number | undefined, target: Target): boolean {
  if (value == null || Number.isNaN(value)) return false;
  return target.op === '<=' ? value <= target.value : target.op === '>=' ? value >= target.value : value === target.value;
}

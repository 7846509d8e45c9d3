import { describe, expect, it } from 'vitest';
import { operationName, secretsManagerCalls, ssmCalls } from '../../scripts/bench/aws-calls.ts';
import { bursts } from '../../scripts/bench/call-rhythm.ts';
import { latencySummary } from '../../scripts/bench/percentiles.ts';
import { formatTable } from '../../scripts/bench/report.ts';
import type { ChangesResult, WorkloadResult } from '../../scripts/bench/result.ts';
import { changePlan } from '../../scripts/bench/run-changes.ts';
import { benchPhases, benchSettings } from '../../scripts/bench/workloads.ts';
import { seededRandom } from '../integration/aws-proxy.ts';

/** A W1000 run of the cold sync only (BENCH_PHASES=changes), with `changes` when given. */
function coldOnly(changes?: ChangesResult): WorkloadResult {
  return {
    workload: 'W1000', externalSecrets: 1000, awsSecrets: 100, concurrency: 16, nodeFlags: '', refreshIntervalSeconds: 60, wallSeconds: 1,
    cold: {
      seconds: 5, perSecond: 200, ready: 1000, awsCalls: { 'secretsmanager.BatchGetSecretValue': 5 }, cpuMsPerExternalSecret: 1.5, startupCpuMs: 300,
      apiserverWrites: {}, writesPerSync: 3,
    },
    metricDisagreements: [],
    ...(changes ? { changes } : {}),
  };
}

function changes(over: { queueP99Ms?: number; withoutChange?: number } = {}): ChangesResult {
  const latency = { minMs: 100, p50Ms: 300, p99Ms: over.queueP99Ms ?? 900, maxMs: over.queueP99Ms ?? 900 };
  return {
    wallSeconds: 300, refreshIntervalSeconds: 3600,
    queue: { changes: 50, arrived: 50, ...latency, awsCalls: { 'secretsmanager.BatchGetSecretValue': 50, 'sqs.ReceiveMessage': 60 } },
    poll: {
      changes: 20, arrived: 20, minMs: 1000, p50Ms: 15_000, p99Ms: 30_500, maxMs: 30_500, intervalSeconds: 30,
      cost: {
        intervals: 4, windowSeconds: 120, polls: 4, awsCalls: { 'secretsmanager.ListSecrets': 4, 'sqs.ReceiveMessage': 6 }, callsPerPoll: 1,
        pollCallsPerHour: 120, refreshCallsPerHour: 1, callsPerHour: 121, sqsCallsPerHour: 180,
      },
    },
    restarts: { deployments: 10, dataChanges: 12, onChange: 12, withoutChange: over.withoutChange ?? 0, exact: 10 },
  };
}

const failedTargets = (table: string) => table.split('\n').find((l) => l.startsWith('targets failed:'))!;
const row = (table: string, label: string) => table.split('\n').find((l) => l.startsWith(label))!;

describe('BENCH_PHASES', () => {
  it('runs every phase by default, and only the named ones when given', () => {
    expect([...benchPhases({})]).toEqual(['limits', 'scale', 'changes', 'parameters']);
    expect([...benchPhases({ BENCH_PHASES: 'changes' })]).toEqual(['changes']);
    expect(() => benchPhases({ BENCH_PHASES: 'changes,queue' })).toThrow('BENCH_PHASES: unknown queue');
  });

  it('keeps only W1000 when the changes or parameters phase is the only workload phase (they run there alone)', () => {
    expect(benchSettings({ BENCH_PHASES: 'changes' }).workloads.map((w) => w.name)).toEqual(['W1000']);
    expect(benchSettings({ BENCH_PHASES: 'parameters' }).workloads.map((w) => w.name)).toEqual(['W1000']);
    expect(benchSettings({ BENCH_PHASES: 'limits,scale' }).workloads.map((w) => w.name)).toEqual(['W1000', 'W10000']);
    expect(benchSettings({ BENCH_PHASES: 'limits' }).workloads).toEqual([]);
  });
});

describe('changePlan', () => {
  const settings = benchSettings({}).changes;

  it('is the same for the same seed: queued changes on random secrets, polled ones on distinct secrets at sorted moments', () => {
    const plan = changePlan(100, settings, seededRandom(12));
    expect(changePlan(100, settings, seededRandom(12))).toEqual(plan);
    expect(plan.queueSecrets).toHaveLength(50);
    expect(plan.queueSecrets.every((j) => Number.isInteger(j) && j >= 0 && j < 100)).toBe(true);
    expect(new Set(plan.pollSecrets).size).toBe(20);
    expect(plan.pollOffsetsMs).toEqual([...plan.pollOffsetsMs].sort((a, b) => a - b));
    expect(plan.pollOffsetsMs.every((ms) => ms >= 0 && ms < 90_000)).toBe(true);
  });

  it('opts in Deployments of changed secrets and two whose secret never changes', () => {
    const plan = changePlan(100, settings, seededRandom(12));
    const changed = new Set([...plan.queueSecrets, ...plan.pollSecrets]);
    expect(plan.restartSecrets).toHaveLength(10);
    expect(new Set(plan.restartSecrets).size).toBe(10);
    expect(plan.restartSecrets.filter((j) => !changed.has(j))).toHaveLength(2);
  });

  it('polls at most one change per secret when there are fewer secrets than changes', () => {
    const plan = changePlan(5, settings, seededRandom(1));
    expect([...plan.pollSecrets].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('the changes figures', () => {
  it('min, p50, p99 and max by nearest rank; NaN for none', () => {
    expect(latencySummary([500, 100, 300])).toEqual({ minMs: 100, p50Ms: 300, p99Ms: 500, maxMs: 500 });
    expect(latencySummary([])).toEqual({ minMs: NaN, p50Ms: NaN, p99Ms: NaN, maxMs: NaN });
  });

  it('counts SQS calls apart from Secrets Manager, and polls as bursts of Secrets Manager calls', () => {
    expect(operationName('ReceiveMessage')).toBe('sqs.ReceiveMessage');
    expect(operationName('ListSecrets')).toBe('secretsmanager.ListSecrets');
    expect(secretsManagerCalls({ 'sqs.ReceiveMessage': 3, 'secretsmanager.ListSecrets': 1 })).toEqual({ 'secretsmanager.ListSecrets': 1 });
    const at = (action: string, ms: number) => ({ action, params: {}, at: ms });
    const calls = [at('ListSecrets', 1000), at('ListSecrets', 1200), at('ReceiveMessage', 20_000), at('ListSecrets', 31_000), at('BatchGetSecretValue', 31_100), at('ListSecrets', 61_000)];
    expect(bursts(calls, 0, 60_000, 15_000)).toBe(2);
    expect(bursts(calls, 0, 70_000, 15_000)).toBe(3);
  });

  it('shows them as new against a baseline without them, and judges them against the issue targets', () => {
    const table = formatTable([coldOnly(changes())], [coldOnly()]);
    expect(row(table, 'queue: changes that reached their Secrets')).toMatch(/50 \(new\)\s+PASS = 50$/);
    expect(row(table, 'queue: AWS change → Secret p99, ms')).toMatch(/900 \(new\)\s+PASS <= 2000$/);
    expect(row(table, 'change poll: AWS change → Secret max, ms')).toMatch(/30500 \(new\)\s+PASS <= 32000$/);
    expect(row(table, 'change poll: Secrets Manager calls per poll')).toMatch(/1 \(new\)\s+PASS <= 2$/);
    expect(row(table, 'Secrets Manager calls/h: poll + hourly refresh')).toMatch(/121 \(new\)$/);
    expect(failedTargets(table)).toBe('targets failed: none');

    const failing = formatTable([coldOnly(changes({ queueP99Ms: 2500, withoutChange: 1 }))], [coldOnly()]);
    expect(failedTargets(failing)).toBe('targets failed: W1000 queue: AWS change → Secret p99, ms; W1000 restarts: without a data change');
  });

  it('does not judge the figures of a phase that did not run', () => {
    const table = formatTable([coldOnly()], []);
    expect(row(table, 'resident memory at steady state, MiB')).toMatch(/–$/);
    expect(row(table, 'queue: changes that reached their Secrets')).toMatch(/–$/);
    expect(failedTargets(table)).toBe('targets failed: none');
  });
});

describe('operationName', () => {
  it('names Parameter Store calls as SSM, apart from Secrets Manager, STS and SQS', () => {
    expect(['GetParameters', 'GetParametersByPath', 'DescribeParameters', 'GetSecretValue', 'AssumeRole', 'ReceiveMessage'].map(operationName))
      .toEqual(['ssm.GetParameters', 'ssm.GetParametersByPath', 'ssm.DescribeParameters', 'secretsmanager.GetSecretValue', 'sts.AssumeRole', 'sqs.ReceiveMessage']);
    expect(ssmCalls({ 'ssm.GetParameters': 3, 'secretsmanager.GetSecretValue': 2 })).toEqual({ 'ssm.GetParameters': 3 });
  });
});

/**
 * One workload, start to end, on its own control plane and moto: the apiserver ceiling, the
 * cold sync, the idle create→Ready latency, a forced refresh of all, then two periodic cycles
 * (nothing changed; a share of the AWS secrets rotated), and the operator's memory at rest (the
 * `scale` phase); then, at W1000, the `parameters` phase (scripts/bench/run-parameters.ts) and the
 * `changes` phase (scripts/bench/run-changes.ts). The cold
 * sync is measured whichever phases run (BENCH_PHASES).
 */
import { externalSecrets, secrets } from '../../src/kube/resources.ts';
import type { OperatorChild } from '../../test/integration/operator-child.ts';
import { apiserverRequests, total, writesBetween } from './apiserver-requests.ts';
import { secretCreateRate } from './apiserver-ceiling.ts';
import { callsBetween, disagreements, operatorCallCounts } from './aws-calls.ts';
import { burstiness, quietestStart } from './call-rhythm.ts';
import {
  createAwsSecrets, createExternalSecrets, externalSecret, externalSecretName, NAMESPACE, patchExternalSecrets, putAwsSecret, startEnvironment,
} from './environment.ts';
import { describeNodeFlags, startOperator, type NodeFlags } from './operator.ts';
import { percentile } from './percentiles.ts';
import { cpuMs } from './process-stats.ts';
import type { PeriodicCycle, WorkloadResult } from './result.ts';
import { runChanges } from './run-changes.ts';
import { runParameters } from './run-parameters.ts';
import { SecretValueWatch } from './secret-values.ts';
import { isReady, SyncTracker } from './sync-tracker.ts';
import { CHANGES_WORKLOAD, type BenchSettings, type Workload } from './workloads.ts';

/** After a cycle's end, how long a rotation may still take to land. */
const ROTATION_GRACE_MS = 5_000;

export async function runWorkload(workload: Workload, settings: BenchSettings, node: NodeFlags): Promise<WorkloadResult> {
  const began = Date.now();
  const { externalSecrets: count, awsSecrets } = workload;
  const say = (line: string) => console.log(`[${workload.name} ${seconds(Date.now() - began)} s] ${line}`);
  // Generous: a phase that does not finish is reported (not Ready, not refreshed), not fatal.
  const phaseTimeoutMs = 120_000 + count * 100;
  const scale = settings.phases.has('scale');
  const changes = settings.phases.has('changes') && workload.name === CHANGES_WORKLOAD;
  const parameters = settings.phases.has('parameters') && workload.name === CHANGES_WORKLOAD;

  const env = await startEnvironment();
  const tracker = new SyncTracker(env.kube, NAMESPACE);
  let operator: OperatorChild | undefined;
  try {
    say(`${count} ExternalSecrets over ${awsSecrets} AWS secrets; node ${describeNodeFlags(node)}; phases ${[scale && 'scale', parameters && 'parameters', changes && 'changes'].filter(Boolean).join(', ')}`);
    await createAwsSecrets(env, awsSecrets);
    const secretCreatesPerSecond = scale ? await secretCreateRate(env, count) : undefined;
    if (secretCreatesPerSecond !== undefined) say(`apiserver ceiling: ${round(secretCreatesPerSecond)} Secret creates/s`);
    await createExternalSecrets(env, count, awsSecrets, '1h');
    await tracker.start();
    const names = Array.from({ length: count }, (_, i) => externalSecretName(i));
    const metricDisagreements: string[] = [];
    const checkMetric = async (when: string) => {
      const found = disagreements(callsBetween(env.proxy.calls, 0, Infinity), operatorCallCounts(await operator!.metrics()));
      for (const d of found) console.log(`WARNING ${workload.name} ${when}: the operator's externalsecret_provider_api_calls_count disagrees with the proxy (${d})`);
      metricDisagreements.push(...found.map((d) => `${when}: ${d}`));
    };

    // Cold sync: everything exists before the operator starts.
    say('cold sync');
    const requestsBefore = apiserverRequests(env.controlPlane);
    const coldStart = Date.now();
    operator = await startOperator({ kubeconfig: env.operatorKubeconfig, awsEndpoint: env.proxyEndpoint, ...node, concurrency: settings.concurrency });
    const pid = operator.child.pid!;
    const startupCpuMs = cpuMs(pid);
    const cold = await tracker.waitForAll(names, isReady, phaseTimeoutMs, 'cold sync');
    const coldEnd = cold.completedAt ?? Date.now();
    const coldCpuMs = cpuMs(pid);
    const writes = writesBetween(requestsBefore, apiserverRequests(env.controlPlane));
    const writesPerSync = total(writes) / count;
    const coldSeconds = cold.completedAt === undefined ? undefined : (coldEnd - coldStart) / 1000;
    const coldPerSecond = coldSeconds === undefined ? undefined : count / coldSeconds;
    await checkMetric('after the cold sync');
    const result: WorkloadResult = {
      workload: workload.name, externalSecrets: count, awsSecrets, concurrency: settings.concurrency, nodeFlags: describeNodeFlags(node),
      refreshIntervalSeconds: settings.refreshIntervalSeconds,
      wallSeconds: 0,
      cold: {
        seconds: round(coldSeconds), perSecond: round(coldPerSecond), ready: cold.reached,
        awsCalls: callsBetween(env.proxy.calls, coldStart, coldEnd + 1),
        cpuMsPerExternalSecret: round(coldCpuMs / count), startupCpuMs,
        apiserverWrites: writes, writesPerSync: round(writesPerSync),
      },
      metricDisagreements,
    };
    if (secretCreatesPerSecond !== undefined) {
      const syncsPerSecond = secretCreatesPerSecond / writesPerSync;
      result.ceiling = {
        secretCreatesPerSecond: round(secretCreatesPerSecond), syncsPerSecond: round(syncsPerSecond),
        coldSyncShare: coldPerSecond === undefined ? undefined : round(coldPerSecond / syncsPerSecond),
      };
    }
    if (scale) Object.assign(result, await scalePhases({ env, tracker, operator, names, settings, workload, began, phaseTimeoutMs, checkMetric, say }));
    if (parameters) result.parameters = await runParameters({ env, workload, settings, phaseTimeoutMs, say });
    if (changes) {
      // The changes phase runs its own operator, with the change settings.
      await operator.kill('SIGTERM');
      operator = undefined;
      const refreshCycle = result.periodic?.unchanged.awsCalls;
      result.changes = await runChanges({
        env, tracker, workload, settings, node, phaseTimeoutMs, say, refreshCycleCalls: refreshCycle === undefined ? undefined : total(refreshCycle),
      });
    }
    result.wallSeconds = round((Date.now() - began) / 1000);
    say('done');
    return result;
  } finally {
    await operator?.kill('SIGTERM');
    await tracker.stop();
    await env.stop();
  }
}

interface ScaleContext {
  env: Environment;
  tracker: SyncTracker;
  operator: OperatorChild;
  names: string[];
  settings: BenchSettings;
  workload: Workload;
  began: number;
  phaseTimeoutMs: number;
  checkMetric(when: string): Promise<void>;
  say(line: string): void;
}

/** After the cold sync: idle latency, a forced refresh, the periodic cycles, memory at rest. */
async function scalePhases(ctx: ScaleContext): Promise<Pick<WorkloadResult, 'forced' | 'periodic' | 'memory' | 'latency'>> {
  const { env, tracker, operator, names, settings, say, began, phaseTimeoutMs, checkMetric } = ctx;
  const { externalSecrets: count, awsSecrets } = ctx.workload;
  const intervalMs = settings.refreshIntervalSeconds * 1000;
  const pid = operator.child.pid!;
  const values = new SecretValueWatch(env.kube, NAMESPACE, 'password');
  try {
    say('idle create → Ready latency');
    const latencies = await idleLatencies(env, tracker, settings.latencySamples, awsSecrets);

    say('forced refresh');
    const cpuBeforeForced = cpuMs(pid);
    const forced = await refreshAll(env, tracker, names, { metadata: { annotations: { 'force-sync': String(Date.now()) } } }, phaseTimeoutMs, 'forced refresh');
    const forcedCpuMs = cpuMs(pid) - cpuBeforeForced;
    await checkMetric('after the forced refresh');

    // Periodic: a short interval from now on (itself a spec change, so one more sync of all, not
    // measured), then one interval to settle into the periodic rhythm and observe it, then two
    // measured cycles, from the quietest point of that rhythm.
    say(`refreshInterval ${settings.refreshIntervalSeconds}s`);
    await refreshAll(env, tracker, names, { spec: { refreshInterval: `${settings.refreshIntervalSeconds}s` } }, phaseTimeoutMs, 'refreshInterval change');
    const settling = Date.now();
    await sleep(intervalMs);
    await sleep(Math.max(0, quietestStart(env.proxy.calls, settling, intervalMs, Date.now()) - Date.now()));
    say('periodic cycle, nothing changed');
    const unchanged = await periodicCycle(env, tracker, pid, intervalMs);

    const changedAwsSecrets = Math.max(1, Math.round(awsSecrets * settings.changedShare));
    const rotated = (j: number) => `pw-${j}-rotated-${began}`;
    await values.start();
    let secretsExpected = 0;
    for (let i = 0; i < count; i++) {
      const j = i % awsSecrets;
      if (j < changedAwsSecrets) {
        values.expect(externalSecretName(i), rotated(j));
        secretsExpected++;
      }
    }
    say(`periodic cycle, ${changedAwsSecrets} of ${awsSecrets} AWS secrets changed`);
    for (let j = 0; j < changedAwsSecrets; j++) await putAwsSecret(env, j, rotated(j));
    const rotatedAt = Date.now();
    const changed = await periodicCycle(env, tracker, pid, intervalMs);
    await sleep(ROTATION_GRACE_MS);
    const arrived = values.arrivedBy(rotatedAt + intervalMs + ROTATION_GRACE_MS);
    // A value confirmed just before the change may answer once more (README, "AWS calls"): the next cycle brings the rest.
    if (arrived.count < secretsExpected) await sleep(Math.max(0, rotatedAt + 2 * intervalMs + ROTATION_GRACE_MS - Date.now()));
    const arrivedInTwo = values.arrivedBy(rotatedAt + 2 * intervalMs + ROTATION_GRACE_MS);

    const [rss, peak] = [operator.rss(), operator.peakRss()];
    const heap = heapUsed(await operator.metrics());
    return {
      forced: { seconds: round(forced.seconds), refreshed: forced.refreshed, awsCalls: forced.awsCalls, cpuMsPerExternalSecret: round(forcedCpuMs / count) },
      periodic: {
        unchanged,
        changed: {
          ...changed, changedAwsSecrets, secretsExpected, secretsUpdated: arrived.count, secretsUpdatedInTwoIntervals: arrivedInTwo.count,
          lastUpdateSeconds: arrivedInTwo.lastAt === undefined ? undefined : round((arrivedInTwo.lastAt - rotatedAt) / 1000),
        },
      },
      memory: { rssMiB: round(rss / 2 ** 20), peakRssMiB: round(peak / 2 ** 20), heapUsedMiB: heap === undefined ? undefined : round(heap / 2 ** 20) },
      latency: { samples: latencies.length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) },
    };
  } finally {
    await values.stop();
  }
}

type Environment = Awaited<ReturnType<typeof startEnvironment>>;

/** Patches every ExternalSecret and waits until each is Ready again with a new syncedResourceVersion. */
async function refreshAll(env: Environment, tracker: SyncTracker, names: string[], patch: object, timeoutMs: number, what: string) {
  const before = new Map(names.map((name) => [name, tracker.get(name)?.status?.syncedResourceVersion]));
  const started = Date.now();
  await patchExternalSecrets(env, names.length, patch);
  const outcome = await tracker.waitForAll(names, (es) => isReady(es) && es.status!.syncedResourceVersion !== before.get(es.metadata!.name!), timeoutMs, what);
  const ended = outcome.completedAt ?? Date.now();
  return {
    seconds: outcome.completedAt === undefined ? undefined : (ended - started) / 1000,
    refreshed: outcome.reached,
    awsCalls: callsBetween(env.proxy.calls, started, ended + 1),
  };
}

/** Exactly one refresh interval, from now: the AWS calls in it, how bursty they were, and the operator's CPU. */
async function periodicCycle(env: Environment, tracker: SyncTracker, pid: number, intervalMs: number): Promise<PeriodicCycle> {
  const from = Date.now();
  const cpuBefore = cpuMs(pid);
  await sleep(intervalMs);
  const to = from + intervalMs;
  return {
    awsCalls: callsBetween(env.proxy.calls, from, to),
    refreshed: tracker.refreshedBetween(from, to),
    busiestToMean: round(burstiness(env.proxy.calls, from, to)),
    cpuMs: cpuMs(pid) - cpuBefore,
  };
}

/**
 * ExternalSecrets created one at a time while the operator has nothing else to do, each timed
 * from its create request until the watch shows it Ready; removed afterwards (Secrets too) so
 * they do not count in the later phases.
 */
async function idleLatencies(env: Environment, tracker: SyncTracker, samples: number, awsSecrets: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let k = 0; k < samples; k++) {
    const name = `latency-${k}`;
    const started = Date.now();
    await env.kube.request('POST', externalSecrets.path(NAMESPACE), { body: externalSecret(name, k % awsSecrets, '1h') });
    const outcome = await tracker.waitForAll([name], isReady, 30_000, name);
    if (outcome.completedAt !== undefined) latencies.push(outcome.completedAt - started);
  }
  for (let k = 0; k < samples; k++) {
    await env.kube.request('DELETE', externalSecrets.path(NAMESPACE, `latency-${k}`));
    await env.kube.request('DELETE', secrets.path(NAMESPACE, `latency-${k}`)).catch(() => {});
  }
  return latencies;
}

/** The operator's live JavaScript heap (prom-client's default nodejs_heap_size_used_bytes), when it exports it. */
function heapUsed(metricsText: string): number | undefined {
  const line = metricsText.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes '));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

function round<T extends number | undefined>(n: T): T {
  return (n === undefined ? undefined : Math.round(n * 100) / 100) as T;
}

const seconds = (ms: number) => Math.round(ms / 1000);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

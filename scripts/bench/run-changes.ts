/**
 * The changes phase (issue 12), on a workload's own control plane and moto, after its cold sync
 * (and its scale phases, when they ran): the operator is restarted with an operator-wide change
 * queue (CHANGE_QUEUE_URL, a moto SQS queue) and rolling restarts on (ROLLING_RESTART, with the
 * chart's RBAC for it), every ExternalSecret set to refresh hourly, so that within the phase a
 * change in AWS reaches a Secret only through the queue or the change poll. Then:
 *
 * 1. queue: changes made one at a time (PutSecretValue on a random AWS secret, then its EventBridge
 *    event sent to the queue: scripts/bench/change-queue.ts), each timed from PutSecretValue's
 *    answer until every target Secret of that AWS secret holds the new value (a watch on Secrets);
 * 2. poll cost: the store annotated with a change poll; every AWS call over whole poll intervals
 *    with nothing changing;
 * 3. poll latency: changes at random moments, no event sent, each timed the same way;
 * 4. restarts: some ExternalSecrets opted in with a Deployment each, from the start of the phase;
 *    the restarts over its changes and over refreshes that change nothing (the opt-in's own sync,
 *    then a forced refresh of each).
 *
 * The changes are drawn from a seeded generator, so runs make the same changes.
 */
import { applyChartObjects } from '../../dev/apply.ts';
import { renderChart } from '../../dev/chart.ts';
import type { ExternalSecret } from '../../src/api/generated.ts';
import { ANNOTATION_CHANGE_POLL } from '../../src/changes/store-settings.ts';
import { externalSecrets, secretStores } from '../../src/kube/resources.ts';
import { seededRandom, type RecordedCall } from '../../test/integration/aws-proxy.ts';
import type { OperatorChild } from '../../test/integration/operator-child.ts';
import { total } from './apiserver-requests.ts';
import { callsBetween, operationName, secretsManagerCalls } from './aws-calls.ts';
import { bursts } from './call-rhythm.ts';
import { createChangeQueue } from './change-queue.ts';
import { awsSecretName, BULK_IN_FLIGHT, externalSecretName, NAMESPACE, putAwsSecret, type BenchEnvironment } from './environment.ts';
import { inFlight } from './in-flight.ts';
import { startOperator, type NodeFlags } from './operator.ts';
import { latencySummary } from './percentiles.ts';
import { createDeployments, restartCounts } from './restart-targets.ts';
import type { ChangeLatency, ChangesResult } from './result.ts';
import { SecretValueWatch } from './secret-values.ts';
import { isReady, type SyncTracker } from './sync-tracker.ts';
import type { BenchSettings, ChangesSettings, Workload } from './workloads.ts';

/** The rolling-restart opt-in: `<kind>/<name>` of workloads in the ExternalSecret's namespace. */
const RESTART_ANNOTATION = 'aws-secrets-operator.io/restart';
/** Changing it makes the operator sync an ExternalSecret again (its syncedResourceVersion covers annotations). */
const PHASE_ANNOTATION = 'bench.aws-secrets-operator.io/phase';
/** The ExternalSecrets' refreshInterval in the phase: no periodic refresh falls inside it. */
const REFRESH_INTERVAL_SECONDS = 3600;
/** How long one queued change may take before it counts as not arrived; after this many in a row the queue part stops. */
const QUEUE_TIMEOUT_MS = 10_000;
const QUEUE_MISSES_TO_STOP = 3;
/** Past a poll interval, how long a polled change may still take to land. */
const POLL_GRACE_MS = 15_000;
/** How long the restarts of the last changes may take to show. */
const RESTART_SETTLE_MS = 15_000;

export interface ChangesContext {
  env: BenchEnvironment;
  tracker: SyncTracker;
  workload: Workload;
  settings: BenchSettings;
  node: NodeFlags;
  phaseTimeoutMs: number;
  /** AWS calls of one periodic refresh of all with nothing changed, when the scale phase measured one. */
  refreshCycleCalls: number | undefined;
  say(line: string): void;
}

/** What the phase changes: the AWS secret of each queued change, the polled changes' secrets and moments, the opted-in ExternalSecrets. */
export interface ChangePlan {
  queueSecrets: number[];
  pollSecrets: number[];
  /** From the start of the poll-latency part, sorted. */
  pollOffsetsMs: number[];
  /** AWS secret j's first ExternalSecret (es-j) opts in to restarting Deployment app-j. */
  restartSecrets: number[];
}

export function changePlan(awsSecrets: number, s: ChangesSettings, random: () => number): ChangePlan {
  const queueSecrets = Array.from({ length: s.queueChanges }, () => Math.floor(random() * awsSecrets));
  // Distinct secrets, so that no polled change hides another one in the same poll.
  const shuffled = Array.from({ length: awsSecrets }, (_, j) => j);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
  }
  const pollSecrets = shuffled.slice(0, Math.min(s.pollChanges, awsSecrets));
  const pollOffsetsMs = pollSecrets.map(() => Math.floor(random() * s.pollSpreadSeconds * 1000)).sort((a, b) => a - b);
  // Mostly Deployments whose Secret will change, and two whose Secret never does.
  const changed = [...new Set([...queueSecrets, ...pollSecrets])];
  const unchanged = Array.from({ length: awsSecrets }, (_, j) => j).filter((j) => !changed.includes(j)).slice(0, 2);
  const restartSecrets = [...changed.slice(0, Math.max(0, s.restartTargets - unchanged.length)), ...unchanged];
  return { queueSecrets, pollSecrets, pollOffsetsMs, restartSecrets };
}

export async function runChanges(ctx: ChangesContext): Promise<ChangesResult> {
  const { env, tracker, workload, settings, say } = ctx;
  const s = settings.changes;
  const began = Date.now();
  const { externalSecrets: count, awsSecrets } = workload;
  const names = Array.from({ length: count }, (_, i) => externalSecretName(i));
  /** The target Secrets of AWS secret j: es-i reads secret i mod awsSecrets. */
  const readers = (j: number) => names.filter((_, i) => i % awsSecrets === j);
  const plan = changePlan(awsSecrets, s, seededRandom(12));
  const appOf = (j: number) => `app-${j}`;
  const deployments = plan.restartSecrets.map(appOf);
  /** Data changes made to each AWS secret in the phase (each one waited for). */
  const made = new Map<number, number>();
  const changeMade = (j: number) => made.set(j, (made.get(j) ?? 0) + 1);

  const queue = await createChangeQueue(env);
  const values = new SecretValueWatch(env.kube, NAMESPACE, 'password');
  let operator: OperatorChild | undefined;
  try {
    await values.start();
    await createDeployments(env, deployments, NAMESPACE);
    await applyChartObjects(env.kube, renderChart({ set: ['rollingRestart.enabled=true'] }));
    say(`changes: operator with CHANGE_QUEUE_URL and ROLLING_RESTART; ${deployments.length} ExternalSecrets opted in to restarts`);
    operator = await startOperator({
      kubeconfig: env.operatorKubeconfig, awsEndpoint: env.proxyEndpoint, ...ctx.node, concurrency: settings.concurrency,
      // The SDK may take the endpoint from the queue URL or from AWS_ENDPOINT_URL_SQS: both are the proxy.
      env: { CHANGE_QUEUE_URL: queue.operatorUrl, AWS_ENDPOINT_URL_SQS: env.proxyEndpoint, ROLLING_RESTART: 'true' },
    });
    // Hourly refresh, and the opt-ins: both make every ExternalSecret sync under this operator,
    // which is also the sign that it serves them all (and knows what each reads).
    const synced = new Map(names.map((name) => [name, tracker.get(name)?.status?.syncedResourceVersion]));
    await inFlight(count, BULK_IN_FLIGHT, (i) => env.kube.request('PATCH', externalSecrets.path(NAMESPACE, names[i]!), {
      contentType: 'application/merge-patch+json',
      body: {
        metadata: { annotations: { [PHASE_ANNOTATION]: `changes-${began}`, ...(plan.restartSecrets.includes(i) ? { [RESTART_ANNOTATION]: `deployment/${appOf(i)}` } : {}) } },
        spec: { refreshInterval: `${REFRESH_INTERVAL_SECONDS}s` },
      },
    }));
    const movedOn = (es: ExternalSecret) => isReady(es) && es.status!.syncedResourceVersion !== synced.get(es.metadata!.name!);
    await tracker.waitForAll(names, movedOn, ctx.phaseTimeoutMs, 'changes: sync under the new operator');
    const optedIn = await restartCounts(env, deployments, NAMESPACE);

    say(`changes: ${plan.queueSecrets.length} changes announced on the queue, one at a time`);
    const queueFrom = Date.now();
    const queueLatencies: number[] = [];
    let queueMade = 0;
    let missesInARow = 0;
    for (const [k, j] of plan.queueSecrets.entries()) {
      const value = `pw-${j}-queued-${k}-${began}`;
      const put = await putAwsSecret(env, j, value);
      const changedAt = Date.now();
      const arrival = values.waitFor(readers(j), value, QUEUE_TIMEOUT_MS);
      await queue.sendPutSecretValue(awsSecretName(j), put);
      queueMade++;
      changeMade(j);
      const at = await arrival;
      if (at !== undefined) {
        queueLatencies.push(at - changedAt);
        missesInARow = 0;
      } else if (++missesInARow >= QUEUE_MISSES_TO_STOP) {
        say(`changes: ${QUEUE_MISSES_TO_STOP} queued changes in a row did not arrive within ${QUEUE_TIMEOUT_MS / 1000} s; the queue part stops`);
        break;
      }
    }
    const queueResult = { ...latency(queueMade, queueLatencies), awsCalls: callsBetween(env.proxy.calls, queueFrom, Date.now()) };

    const intervalMs = s.pollSeconds * 1000;
    say(`changes: store annotated with a ${s.pollSeconds}s change poll; ${s.costPolls} polls with nothing changing`);
    const annotatedAt = Date.now();
    await env.kube.request('PATCH', secretStores.path(NAMESPACE, 'aws'), {
      contentType: 'application/merge-patch+json', body: { metadata: { annotations: { [ANNOTATION_CHANGE_POLL]: `${s.pollSeconds}s` } } },
    });
    const firstPoll = await firstSecretsManagerCall(env.proxy.calls, annotatedAt, intervalMs + POLL_GRACE_MS);
    let cost: ChangesResult['poll']['cost'];
    let pollResult: ChangeLatency;
    if (firstPoll === undefined) {
      say(`changes: no Secrets Manager call within ${s.pollSeconds}s + ${POLL_GRACE_MS / 1000}s of the annotation: no poll to measure`);
      cost = {
        intervals: s.costPolls, windowSeconds: 0, polls: 0, awsCalls: {}, callsPerPoll: Number.NaN, pollCallsPerHour: Number.NaN,
        refreshCallsPerHour: undefined, callsPerHour: undefined, sqsCallsPerHour: Number.NaN,
      };
      pollResult = latency(plan.pollSecrets.length, []);
    } else {
      // From the middle of a poll interval, so that the window holds whole polls.
      const from = firstPoll + intervalMs / 2;
      const to = from + s.costPolls * intervalMs;
      await sleep(to - Date.now());
      const awsCalls = callsBetween(env.proxy.calls, from, to);
      const pollCalls = total(secretsManagerCalls(awsCalls));
      const polls = bursts(env.proxy.calls, from, to, intervalMs / 2);
      // The measured rate, extrapolated to an hour; the hourly refresh's share from the scale phase's cycle.
      const pollCallsPerHour = (pollCalls * 3_600_000) / (to - from);
      const refreshCallsPerHour = ctx.refreshCycleCalls === undefined ? undefined : (ctx.refreshCycleCalls * 3600) / REFRESH_INTERVAL_SECONDS;
      cost = {
        intervals: s.costPolls, windowSeconds: (to - from) / 1000, polls,
        awsCalls, callsPerPoll: round(pollCalls / Math.max(1, polls)), pollCallsPerHour: round(pollCallsPerHour),
        refreshCallsPerHour: round(refreshCallsPerHour),
        callsPerHour: refreshCallsPerHour === undefined ? undefined : round(pollCallsPerHour + refreshCallsPerHour),
        sqsCallsPerHour: round((total(awsCalls) - total(secretsManagerCalls(awsCalls))) * 3_600_000 / (to - from)),
      };

      say(`changes: ${plan.pollSecrets.length} changes at random moments over ${s.pollSpreadSeconds} s, for the poll to find`);
      const spreadFrom = Date.now();
      const arrivals: Array<Promise<number | undefined>> = [];
      for (const [n, j] of plan.pollSecrets.entries()) {
        await sleep(spreadFrom + plan.pollOffsetsMs[n]! - Date.now());
        const value = `pw-${j}-polled-${began}`;
        await putAwsSecret(env, j, value);
        const changedAt = Date.now();
        changeMade(j);
        arrivals.push(values.waitFor(readers(j), value, intervalMs + POLL_GRACE_MS).then((at) => (at === undefined ? undefined : at - changedAt)));
      }
      const latencies = (await Promise.all(arrivals)).filter((ms): ms is number => ms !== undefined);
      pollResult = latency(plan.pollSecrets.length, latencies);
    }

    say('changes: restarts');
    const expected = new Map(plan.restartSecrets.map((j) => [appOf(j), made.get(j) ?? 0]));
    const settleBy = Date.now() + RESTART_SETTLE_MS;
    let settled = await restartCounts(env, deployments, NAMESPACE);
    while (deployments.some((d) => settled.get(d)! < expected.get(d)!) && Date.now() < settleBy) {
      await sleep(500);
      settled = await restartCounts(env, deployments, NAMESPACE);
    }
    // A refresh of each that changes nothing; its new syncedResourceVersion says it was processed.
    const optedNames = plan.restartSecrets.map((j) => names[j]!);
    const beforeForced = new Map(optedNames.map((name) => [name, tracker.get(name)?.status?.syncedResourceVersion]));
    await inFlight(optedNames.length, BULK_IN_FLIGHT, (i) => env.kube.request('PATCH', externalSecrets.path(NAMESPACE, optedNames[i]!), {
      contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'force-sync': `changes-${Date.now()}` } } },
    }));
    await tracker.waitForAll(optedNames, (es) => isReady(es) && es.status!.syncedResourceVersion !== beforeForced.get(es.metadata!.name!), ctx.phaseTimeoutMs, 'changes: forced refresh of the opted-in');
    const after = await restartCounts(env, deployments, NAMESPACE);
    const sum = (f: (d: string) => number) => deployments.reduce((n, d) => n + f(d), 0);
    const restarts = {
      deployments: deployments.length,
      dataChanges: sum((d) => expected.get(d)!),
      onChange: sum((d) => settled.get(d)! - optedIn.get(d)!),
      withoutChange: sum((d) => optedIn.get(d)! + after.get(d)! - settled.get(d)!),
      exact: deployments.filter((d) => optedIn.get(d) === 0 && settled.get(d)! - optedIn.get(d)! === expected.get(d) && after.get(d) === settled.get(d)).length,
    };
    say('changes: done');
    return {
      wallSeconds: round((Date.now() - began) / 1000),
      refreshIntervalSeconds: REFRESH_INTERVAL_SECONDS,
      queue: queueResult,
      poll: { ...pollResult, intervalSeconds: s.pollSeconds, cost },
      restarts,
    };
  } finally {
    await operator?.kill('SIGTERM');
    await values.stop();
    queue.close();
  }
}

function latency(changes: number, latencies: number[]): ChangeLatency {
  return { changes, arrived: latencies.length, ...latencySummary(latencies) };
}

/** When the first Secrets Manager call at or after `from` reached the proxy, waiting up to timeoutMs for it. */
async function firstSecretsManagerCall(calls: readonly RecordedCall[], from: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = from + timeoutMs;
  for (;;) {
    const call = calls.find((c) => c.at >= from && operationName(c.action).startsWith('secretsmanager.'));
    if (call) return call.at;
    if (Date.now() > deadline) return undefined;
    await sleep(100);
  }
}

function round<T extends number | undefined>(n: T): T {
  return (n === undefined ? undefined : Math.round(n * 100) / 100) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

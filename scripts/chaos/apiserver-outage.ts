/**
 * `make chaos`: kube-apiserver killed (SIGKILL, etcd kept) during churn, down for
 * OUTAGE seconds, then restarted on the same port. The operator runs as its own
 * process with production settings. Every 2 s each AWS secret gets a new value
 * until the apiserver returns; the figure is the time from the apiserver's restart
 * (and from its /readyz) until every Secret holds the last value written. Target:
 * ≤ 30 s after a 5-minute outage.
 *
 *   node scripts/chaos/apiserver-outage.ts [OUTAGE_SECONDS=300]
 *   CHAOS_EXTERNAL_SECRETS (default 20)
 */
import { createExternalSecrets, holding, putValue, seconds, sleep, startEnvironment, startOperator, until } from './environment.ts';
import type { OperatorChild } from '../../test/integration/operator-child.ts';

const OUTAGE_SECONDS = Number(process.argv[2] ?? process.env.CHAOS_OUTAGE_SECONDS ?? 300);
const COUNT = Number(process.env.CHAOS_EXTERNAL_SECRETS ?? 20);
const NS = 'chaos-outage';

const env = await startEnvironment();
let operator: OperatorChild | undefined;
try {
  // Refreshed every 10 s, so each one fails on the apiserver again and again during the outage.
  await createExternalSecrets(env, NS, COUNT, '10s');
  operator = await startOperator(env);
  await until(async () => (await holding(env, NS, () => 'initial')) === COUNT, 120_000, 'every ExternalSecret to sync');

  let round = 0;
  let churning = true;
  const churn = (async () => {
    while (churning) {
      round++;
      await Promise.all(Array.from({ length: COUNT }, (_, i) => putValue(env, NS, i, `round-${round}`)));
      await sleep(2_000);
    }
  })();
  await sleep(10_000);
  await env.controlPlane.stopApiserver('SIGKILL');
  console.log(`kube-apiserver killed; down for ${OUTAGE_SECONDS} s`);
  await sleep(OUTAGE_SECONDS * 1000);
  churning = false;
  await churn;
  const last = `round-${round}`;

  // Polled from the moment the apiserver is started again: the operator may catch up before /readyz says ready.
  const restarting = Date.now();
  let readyAt = 0;
  const ready = env.controlPlane.startApiserver().then(() => (readyAt = Date.now()));
  let seen = -1;
  await until(async () => {
    const current = await holding(env, NS, () => last);
    if (current !== seen) console.log(`+${seconds(Date.now() - restarting)} s: ${(seen = current)}/${COUNT} Secrets current`);
    return current === COUNT;
  }, 900_000, 'every Secret to hold the last value');
  const converged = Date.now();
  await ready;
  console.log(`kube-apiserver ready after ${seconds(readyAt - restarting)} s; every Secret current after ${seconds(converged - restarting)} s`);

  const metrics = await operator.metrics();
  const sum = (pattern: RegExp) => metrics.split('\n').filter((l) => pattern.test(l)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const result = {
    outageSeconds: OUTAGE_SECONDS,
    externalSecrets: COUNT,
    apiserverReadySeconds: seconds(readyAt - restarting),
    convergeAfterRestartSeconds: seconds(converged - restarting),
    convergeAfterReadySeconds: seconds(Math.max(0, converged - readyAt)),
    syncErrorsKubernetesAPIError: sum(/^aws_secrets_operator_sync_errors_total\{.*reason="KubernetesAPIError"/),
    syncErrorsInternalError: sum(/^aws_secrets_operator_sync_errors_total\{.*reason="InternalError"/),
    watchRestarts: sum(/^aws_secrets_operator_watch_restarts_total\{/),
  };
  console.log(`\n${'figure'.padEnd(34)}value`);
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(34)}${v}`);
  console.log(`\nCHAOS ${JSON.stringify({ scenario: 'apiserver-outage', ...result })}`);
} finally {
  await operator?.kill('SIGTERM');
  await env.stop();
}

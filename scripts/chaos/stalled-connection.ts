/**
 * `make chaos`: every established connection between the operator and the apiserver
 * black-holed (nothing forwarded, nothing closed) while new connections work, as
 * when a NAT entry or a middlebox dies. The operator runs as its own process with
 * production settings, through a TCP proxy. Each round black-holes the connections,
 * at once changes every AWS value and annotates every ExternalSecret, and measures
 * the time until every Secret holds the new value. Target: ≤ 60 s.
 *
 *   node scripts/chaos/stalled-connection.ts
 *   CHAOS_ROUNDS (default 3), CHAOS_EXTERNAL_SECRETS (default 10)
 */
import { TcpProxy } from '../../test/integration/tcp-proxy.ts';
import { createExternalSecrets, holding, kubeconfigVia, putValue, seconds, sleep, startEnvironment, startOperator, until } from './environment.ts';
import type { OperatorChild } from '../../test/integration/operator-child.ts';
import { externalSecrets } from '../../src/kube/resources.ts';

const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 3);
const COUNT = Number(process.env.CHAOS_EXTERNAL_SECRETS ?? 10);
const NS = 'chaos-stall';

const env = await startEnvironment();
const proxy = new TcpProxy('127.0.0.1', Number(new URL(env.controlPlane.server).port));
let operator: OperatorChild | undefined;
try {
  const port = await proxy.start();
  await createExternalSecrets(env, NS, COUNT, '1h');
  operator = await startOperator(env, kubeconfigVia(env.operatorKubeconfig, `https://127.0.0.1:${port}`));
  await until(async () => (await holding(env, NS, () => 'initial')) === COUNT, 120_000, 'every ExternalSecret to sync');

  const recoveries: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // A random moment relative to the connection's PING schedule.
    await sleep(15_000 + Math.random() * 15_000);
    const stalled = proxy.blackhole();
    const start = Date.now();
    const value = `round-${round}`;
    await Promise.all(Array.from({ length: COUNT }, (_, i) => putValue(env, NS, i, value)));
    for (let i = 0; i < COUNT; i++) {
      await env.kube.request('PATCH', externalSecrets.path(NS, `es-${i}`), {
        body: { metadata: { annotations: { 'force-sync': value } } }, contentType: 'application/merge-patch+json',
      });
    }
    await until(async () => (await holding(env, NS, () => value)) === COUNT, 600_000, `round ${round} to apply`);
    recoveries.push(Date.now() - start);
    console.log(`round ${round}: ${stalled} connection(s) black-holed; every change applied after ${seconds(Date.now() - start)} s`);
  }

  const result = {
    externalSecrets: COUNT,
    rounds: ROUNDS,
    recoverySeconds: recoveries.map(seconds),
    maxRecoverySeconds: seconds(Math.max(...recoveries)),
    connectionsOpened: proxy.accepted,
  };
  console.log(`\n${'figure'.padEnd(24)}value`);
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(24)}${Array.isArray(v) ? v.join(', ') : v}`);
  console.log(`\nCHAOS ${JSON.stringify({ scenario: 'stalled-connection', ...result })}`);
} finally {
  await operator?.kill('SIGTERM');
  await proxy.stop();
  await env.stop();
}

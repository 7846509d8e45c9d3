/**
 * `make chaos`: AWS misbehaving for minutes: a share of GetSecretValue calls answered with 500s and
 * throttling (through the fault proxy of the integration tests), while ExternalSecrets refresh and a
 * rotation is made. Prints the AWS calls made per successful sync, how many Secrets were ever seen
 * without their data (target: none), and how long the rotation took to reach every Secret.
 *
 *   node scripts/chaos/aws-faults.ts   CHAOS_FAULT_SECONDS (180), CHAOS_FAULT_RATE (0.3), CHAOS_EXTERNAL_SECRETS (50)
 */
import { AwsProxy } from '../../test/integration/aws-proxy.ts';
import { startOperatorChild, type OperatorChild } from '../../test/integration/operator-child.ts';
import { createExternalSecrets, holding, putValue, seconds, sleep, startEnvironment, until } from './environment.ts';
import { secrets } from '../../src/kube/resources.ts';

const FAULT_SECONDS = Number(process.env.CHAOS_FAULT_SECONDS ?? 180);
const RATE = Number(process.env.CHAOS_FAULT_RATE ?? 0.3);
const COUNT = Number(process.env.CHAOS_EXTERNAL_SECRETS ?? 50);
const NS = 'chaos-aws';

const env = await startEnvironment();
const proxy = new AwsProxy(env.moto.endpoint);
let operator: OperatorChild | undefined;
const watching = new AbortController();
try {
  const endpoint = await proxy.start();
  await createExternalSecrets(env, NS, COUNT, '20s');
  operator = await startOperatorChild({ name: 'chaos-aws', kubeconfig: env.operatorKubeconfig, awsEndpoint: endpoint, env: { LOG_LEVEL: 'info' } });
  await until(async () => (await holding(env, NS, () => 'initial')) === COUNT, 120_000, 'every ExternalSecret to sync');

  // Every version of every Secret the apiserver reports: none may lack its value.
  let emptied = 0;
  let versions = 0;
  const list = await env.kube.get(secrets.path(NS));
  const recorder = (async () => {
    try {
      for await (const e of env.kube.watch(secrets.path(NS), { resourceVersion: list.metadata.resourceVersion }, watching.signal)) {
        if (e.type === 'BOOKMARK') continue;
        versions++;
        if (e.type === 'DELETED' || !e.object.data?.v) emptied++;
      }
    } catch {
      // Aborted at the end.
    }
  })();

  const calls = () => proxy.count('GetSecretValue');
  const syncs = () => operator!.metric(`externalsecret_sync_calls_total{name=`);
  const errors = () => operator!.metric('externalsecret_sync_calls_error{');
  const [calls0, syncs0, errors0] = [calls(), await syncs(), await errors()];
  proxy.chaos({
    actions: ['GetSecretValue'], errorRate: RATE,
    errors: [{ code: 'InternalServiceError', message: 'An error occurred on the server side.', status: 500 }, { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 }],
  });
  const started = Date.now();
  await Promise.all(Array.from({ length: COUNT }, (_, i) => putValue(env, NS, i, 'rotated')));
  const rotated = await until(async () => ((await holding(env, NS, () => 'rotated')) === COUNT ? Date.now() : undefined), FAULT_SECONDS * 1000, 'the rotation to reach every Secret');
  await sleep(Math.max(0, started + FAULT_SECONDS * 1000 - Date.now()));
  proxy.chaos(undefined);
  const successes = (await syncs()) - syncs0 - ((await errors()) - errors0);
  const figures = {
    scenario: 'aws-faults', faultSeconds: FAULT_SECONDS, faultRate: RATE, externalSecrets: COUNT,
    getSecretValueCalls: calls() - calls0, injectedFaults: proxy.injected.get('GetSecretValue') ?? 0, successfulSyncs: successes,
    callsPerSuccess: Math.round(((calls() - calls0) / Math.max(1, successes)) * 100) / 100,
    rotationSeconds: seconds(rotated - started), secretVersionsSeen: versions, secretsSeenWithoutData: emptied,
  };
  console.log(`AWS faults (${RATE * 100} % for ${FAULT_SECONDS} s): ${figures.getSecretValueCalls} GetSecretValue calls for ${successes} successful syncs ` +
    `(${figures.callsPerSuccess} per success); rotation reached all ${COUNT} Secrets in ${figures.rotationSeconds} s; Secrets seen without data: ${emptied}`);
  console.log(`CHAOS ${JSON.stringify(figures)}`);
  watching.abort();
  await recorder;
} finally {
  watching.abort();
  await operator?.kill('SIGTERM');
  await proxy.stop();
  await env.stop();
}

/**
 * `make chaos`: the operator process SIGKILLed (no clean-up, no lease release), as an OOM kill or a
 * lost node would do it. First mid-sync, with a new process started at once: the time until every
 * Secret is synced, and the count of duplicates and orphans (target: none). Then the leader of two
 * replicas: the time until the standby leads and a change made after the kill is applied.
 *
 *   node scripts/chaos/operator-kill.ts   CHAOS_EXTERNAL_SECRETS (default 200)
 */
import { AwsProxy } from '../../test/integration/aws-proxy.ts';
import { startOperatorChild, type OperatorChild } from '../../test/integration/operator-child.ts';
import { createExternalSecrets, holding, putValue, seconds, startEnvironment, until } from './environment.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';

const COUNT = Number(process.env.CHAOS_EXTERNAL_SECRETS ?? 200);
const NS = 'chaos-kill';

const env = await startEnvironment();
const proxy = new AwsProxy(env.moto.endpoint);
const children: OperatorChild[] = [];
const start = async (name: string, extra: Record<string, string> = {}) => {
  const child = await startOperatorChild({ name, kubeconfig: env.operatorKubeconfig, awsEndpoint: endpoint, env: { LOG_LEVEL: 'info', ...extra } });
  children.push(child);
  return child;
};
let endpoint = '';
try {
  endpoint = await proxy.start();
  // AWS answers in 100 ms, so the first process is surely mid-sync when it is killed.
  proxy.chaos({ actions: ['GetSecretValue'], errorRate: 0, errors: [], delayMs: 100 });
  await createExternalSecrets(env, NS, COUNT, '1h');
  const first = await start('first');
  await until(async () => ((await holding(env, NS, () => 'initial')) > 0 ? true : undefined), 60_000, 'the first Secret');
  await first.kill('SIGKILL');
  const killedAt = Date.now();
  const doneAtKill = await holding(env, NS, () => 'initial');
  await start('second');
  const converged = await until(async () => ((await holding(env, NS, () => 'initial')) === COUNT ? Date.now() : undefined), 300_000, 'every Secret after the kill');
  const managed = (await env.kube.get(secrets.path(NS), { labelSelector: 'reconcile.external-secrets.io/managed=true' })).items;
  const names = new Set(Array.from({ length: COUNT }, (_, i) => `es-${i}`));
  const orphans = managed.filter((s: any) => !names.has(s.metadata.name) || s.metadata.ownerReferences?.length !== 1).length;
  await children.pop()!.kill('SIGTERM');
  proxy.chaos(undefined);

  // Two replicas; the leader is killed.
  const env2 = (pod: string) => ({ POD_NAMESPACE: 'aws-secrets-operator', POD_NAME: pod });
  const leader = await start('leader', env2('leader'));
  await until(() => (leader.leads() ? true : undefined), 60_000, 'the first replica to lead');
  const standby = await start('standby', env2('standby'));
  await until(async () => ((await holding(env, NS, () => 'initial')) === COUNT ? true : undefined), 120_000, 'the leader to settle');
  await leader.kill('SIGKILL');
  const leaderKilled = Date.now();
  await putValue(env, NS, 0, 'after-takeover');
  await env.kube.request('PATCH', externalSecrets.path(NS, 'es-0'), {
    body: { metadata: { annotations: { 'force-sync': 'after-takeover' } } }, contentType: 'application/merge-patch+json',
  });
  const leads = await until(() => (standby.leads() ? Date.now() : undefined), 120_000, 'the standby to lead');
  const applied = await until(async () => ((await holding(env, NS, (i) => (i === 0 ? 'after-takeover' : 'initial'))) === COUNT ? Date.now() : undefined), 120_000, 'the change after the takeover');

  const figures = {
    scenario: 'operator-kill', externalSecrets: COUNT, syncedAtKill: doneAtKill, convergeAfterKillSeconds: seconds(converged - killedAt),
    managedSecrets: managed.length, duplicatesOrOrphans: orphans,
    takeoverSeconds: seconds(leads - leaderKilled), changeAppliedAfterLeaderKillSeconds: seconds(applied - leaderKilled),
  };
  console.log(`SIGKILL mid-sync (${doneAtKill}/${COUNT} synced): a new process converged in ${figures.convergeAfterKillSeconds} s; ` +
    `${managed.length} Secrets, ${orphans} duplicates or orphans. Leader SIGKILLed: standby led after ${figures.takeoverSeconds} s, change applied after ${figures.changeAppliedAfterLeaderKillSeconds} s`);
  console.log(`CHAOS ${JSON.stringify(figures)}`);
} finally {
  for (const c of children) await c.kill('SIGKILL');
  await proxy.stop();
  await env.stop();
}

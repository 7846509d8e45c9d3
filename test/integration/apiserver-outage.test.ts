import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { installOperatorPrerequisites } from '../../dev/apply.ts';
import { startControlPlane, type ControlPlane } from '../../dev/control-plane.ts';
import { applyExternalSecret, awsName, createAwsSecrets, readyAs, storeNamespace } from './cases.ts';
import { decode, eventually, readyCondition, startHarness, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';

/**
 * kube-apiserver killed (etcd kept) while ExternalSecrets refresh, AWS values changed
 * during the outage, then the apiserver restarted on the same port. Everything that
 * failed on the apiserver must run again as soon as it serves, not after its own
 * backoff: the queue's backoff here starts at 5 minutes, as a long outage grows it,
 * so only that retry can converge within the deadlines. A control plane of its own,
 * so that killing its apiserver does not disturb the other test files.
 */
const COUNT = 4;
const FIVE_MINUTES = 300_000;
let cp: ControlPlane;
let h: Harness;

beforeAll(async () => {
  cp = await startControlPlane();
  const admin = KubeClient.fromFile(cp.kubeconfig, { verbatimErrors: true });
  try {
    await installOperatorPrerequisites(admin);
  } finally {
    await admin.close();
  }
  const operatorKubeconfig = cp.kubeconfigForServiceAccount('aws-secrets-operator', 'aws-secrets-operator');
  h = await startHarness({
    adminKubeconfig: cp.kubeconfig,
    operatorKube: KubeClient.fromFile(operatorKubeconfig, { probeIntervalMs: 500 }),
    motoEndpoint: inject('motoEndpoint'),
    operator: { concurrency: 4, reconcileBackoff: { initialMs: FIVE_MINUTES, maxMs: FIVE_MINUTES, jitter: 0 } },
  });
}, 180_000);

afterAll(async () => {
  await h?.close();
  await cp?.stop();
});

describe('kube-apiserver killed and restarted during churn', () => {
  it('every ExternalSecret converges on the values written during the outage, once the apiserver is back', async () => {
    const ns = await storeNamespace(h, 'outage');
    const names = Array.from({ length: COUNT }, (_, i) => `es-${i}`);
    const keys = names.map((name) => awsName(name));
    await createAwsSecrets(h, keys.map((name) => ({ name, string: '{"v":"0"}' })));
    // Refreshed every 2 s: each one reads its Secret from the apiserver during the outage, and fails.
    for (const [i, name] of names.entries()) {
      await applyExternalSecret(h, ns, name, { refreshInterval: '2s', data: [{ secretKey: 'v', remoteRef: { key: keys[i]!, property: 'v' } }] });
    }
    for (const name of names) await readyAs(h, ns, name, 'True');

    // Churn: new values in AWS as the apiserver dies, and newer ones while it is down.
    await Promise.all(keys.map((key) => h.putAwsSecret(key, '{"v":"1"}')));
    await cp.stopApiserver('SIGKILL');
    await Promise.all(keys.map((key) => h.putAwsSecret(key, '{"v":"2"}')));
    const apiErrors = (name: string) => metricValue(h.operator.metrics.syncErrorsByReason, { name, namespace: ns, reason: 'KubernetesAPIError' });
    await eventually(async () => (await Promise.all(names.map(apiErrors))).every((n) => n > 0), 'every ExternalSecret to fail on the apiserver', 30_000);

    await cp.startApiserver();
    for (const name of names) {
      await eventually(async () => decode((await h.secret(ns, name))?.data).v === '2', `${name}'s Secret to hold the value written during the outage`, 30_000);
      expect(readyCondition(await readyAs(h, ns, name, 'True'))).toMatchObject({ reason: 'SecretSynced' });
    }
    // A refused connection is the apiserver's failure, not an internal one.
    for (const name of names) expect(await metricValue(h.operator.metrics.syncErrorsByReason, { name, namespace: ns, reason: 'InternalError' })).toBe(0);
  });
});

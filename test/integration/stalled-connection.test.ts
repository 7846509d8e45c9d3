import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyExternalSecret, awsName, createAwsSecrets, readyAs, storeNamespace } from './cases.ts';
import { kubeClientVia, portOf, serverOf } from './apiserver-address.ts';
import { decode, eventually, startHarness, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { externalSecrets } from '../../src/kube/resources.ts';

/**
 * The operator reaches the apiserver only through a TCP proxy that can black-hole
 * every established connection (nothing closed, nothing answered, new connections
 * fine) or reset them all. Its watches and requests share one HTTP/2 connection; an
 * unanswered PING must drop it so that watches and calls move to a new one. The PING
 * interval is shortened here; `make chaos` (scripts/chaos/stalled-connection.ts)
 * measures the recovery with the production settings.
 */
let proxy: TcpProxy;
let h: Harness;

beforeAll(async () => {
  const operatorKubeconfig = inject('operatorKubeconfig');
  proxy = new TcpProxy('127.0.0.1', portOf(serverOf(operatorKubeconfig)));
  const port = await proxy.start();
  const operatorKube = kubeClientVia(operatorKubeconfig, `https://127.0.0.1:${port}`, { pingIntervalMs: 1_000 });
  h = await startHarness({ operatorKube, operator: { concurrency: 4 } });
});
afterAll(async () => {
  await h?.close();
  await proxy?.stop();
});

// The test's own changes go straight to the apiserver, not through the proxy.
const forceSync = (ns: string) =>
  h.kube.request('PATCH', externalSecrets.path(ns, 'es'), {
    body: { metadata: { annotations: { 'force-sync': `${Date.now()}-${Math.random()}` } } },
    contentType: 'application/merge-patch+json',
  });

async function synced(prefix: string) {
  const ns = await storeNamespace(h, prefix);
  const key = awsName(prefix);
  await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
  await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
  await readyAs(h, ns, 'es', 'True');
  return { ns, key };
}

const value = async (ns: string) => decode((await h.secret(ns, 'es'))?.data).v;

describe('a TCP proxy between the operator and the apiserver', () => {
  it('black-holes every established connection: a change still applies, over a new connection', async () => {
    const { ns, key } = await synced('blackhole');
    expect(await value(ns)).toBe('one');
    const accepted = proxy.accepted;
    expect(proxy.blackhole(), 'connections black-holed').toBeGreaterThan(0);
    await h.putAwsSecret(key, '{"v":"two"}');
    await forceSync(ns);
    await eventually(async () => (await value(ns)) === 'two', 'the change made after the black hole', 30_000);
    expect(proxy.accepted, 'connections opened after the black hole').toBeGreaterThan(accepted);
    expect(await metricValue(h.operator.metrics.watchRestarts, { resource: 'externalsecrets', cause: 'error' })).toBeGreaterThan(0);
  });

  it('resets every connection: a change still applies', async () => {
    const { ns, key } = await synced('reset');
    const accepted = proxy.accepted;
    proxy.reset();
    await h.putAwsSecret(key, '{"v":"two"}');
    await forceSync(ns);
    await eventually(async () => (await value(ns)) === 'two', 'the change made after the reset', 30_000);
    expect(proxy.accepted).toBeGreaterThan(accepted);
  });
});

import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { secretIdsRead, type AwsProxy, type RecordedCall } from './aws-proxy.ts';
import { applyExternalSecret, awsName, readyAs } from './cases.ts';
import { awsSecrets, motoIn } from './moto-secrets.ts';
import { decode, eventually, startHarnessBehindProxy, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';

/**
 * The shared fetch engine, seen from AWS: how many calls the operator makes for many
 * ExternalSecrets reading the same secrets. Each case has a region of its own in moto, so
 * its identity (credentials and region) has its own cache and its listings see only its secrets.
 */
let h: Harness;
let proxy: AwsProxy;
let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
beforeAll(async () => ({ h, proxy } = peers = await startHarnessBehindProxy()));
afterAll(async () => peers?.close());
beforeEach(() => proxy.clearFaults());


/** `count` ExternalSecrets, the i-th reading property v of names[i % names.length], then their store: all wake at once. */
async function externalSecretsThenStore(region: string, prefix: string, names: string[], count: number, refreshInterval = '1h'): Promise<string> {
  const ns = await h.namespace(prefix);
  for (let i = 0; i < count; i++) {
    await applyExternalSecret(h, ns, `es-${i}`, { refreshInterval, data: [{ secretKey: 'v', remoteRef: { key: names[i % names.length]!, property: 'v' } }] });
  }
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'SecretsManager', region } } },
  });
  return ns;
}

/** The operator's value reads of these secrets, recorded after `since`. */
const readsOf = (names: string[], since = 0): RecordedCall[] =>
  proxy.calls.slice(since).filter((c) => secretIdsRead(c).some((id) => names.includes(id)));

async function allSynced(ns: string, count: number, value: (i: number) => string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
    await eventually(async () => decode((await h.secret(ns, `es-${i}`))?.data).v === value(i), `es-${i} holds ${value(i)}`);
  }
}

const refreshTimes = async (ns: string, count: number): Promise<string[]> =>
  Promise.all(Array.from({ length: count }, async (_, i) => (await h.externalSecret(ns, `es-${i}`)).status?.refreshTime as string));

describe('one fetch engine for all ExternalSecrets of an identity', () => {
  it('a cold start reads each secret once, in one BatchGetSecretValue for up to 20 secrets', async () => {
    const region = 'eu-west-3';
    const names = await awsSecrets(region, 'cold', 10);
    const since = proxy.calls.length;
    const ns = await externalSecretsThenStore(region, 'fetch-cold', names, 40);
    await allSynced(ns, 40, (i) => `cold-${i % 10}-v1`);

    const reads = readsOf(names, since);
    // Every secret asked for exactly once: the 40 ExternalSecrets share the reads.
    expect(reads.flatMap(secretIdsRead).sort()).toEqual([...names].sort());
    expect(reads.map((c) => c.action)).toEqual(['BatchGetSecretValue']);
    expect(await metricValue(h.operator.metrics.valueReads, { result: 'hit' })).toBeGreaterThan(0);
  });

  it('a periodic refresh with nothing changed confirms the cached values with one listing, then reads only what changed', async () => {
    // 30 cached values: confirming them costs one ListSecrets page, re-reading them two batches.
    const region = 'eu-north-1';
    const names = await awsSecrets(region, 'periodic', 30);
    const ns = await externalSecretsThenStore(region, 'fetch-periodic', names, 30, '2s');
    await allSynced(ns, 30, (i) => `periodic-${i}-v1`);

    const since = proxy.calls.length;
    // Twice: refreshTime has whole seconds (as ESO's), so one cycle may come early enough to be served by the cache alone.
    for (const cycle of ['once', 'twice']) {
      const before = await refreshTimes(ns, 30);
      await eventually(async () => (await refreshTimes(ns, 30)).every((t, i) => t !== before[i]), `every ExternalSecret refreshed ${cycle} more`, 30_000);
    }
    expect(readsOf(names, since), 'no value was read again').toEqual([]);
    expect(proxy.calls.slice(since).filter((c) => c.action === 'ListSecrets').length).toBeGreaterThan(0);
    expect(await metricValue(h.operator.metrics.valueReads, { result: 'confirmed' })).toBeGreaterThan(0);

    // Three secrets change in AWS: their Secrets get the new values, and only they are read.
    const changed = [0, 7, 21];
    const aws = motoIn(region);
    const sinceChange = proxy.calls.length;
    for (const i of changed) await aws.send(new PutSecretValueCommand({ SecretId: names[i], SecretString: JSON.stringify({ v: `periodic-${i}-v2` }) }));
    aws.destroy();
    for (const i of changed) {
      await eventually(async () => decode((await h.secret(ns, `es-${i}`))?.data).v === `periodic-${i}-v2`, `es-${i} gets the rotated value`, 30_000);
    }
    const reread = new Set(readsOf(names, sinceChange).flatMap(secretIdsRead));
    expect([...reread].sort()).toEqual(changed.map((i) => names[i]).sort());
  });

  it('force-sync reads the secret anew although its cached value is within the refresh interval', async () => {
    const region = 'eu-south-1';
    const names = await awsSecrets(region, 'forced', 1);
    const ns = await externalSecretsThenStore(region, 'fetch-forced', names, 2);
    await allSynced(ns, 2, () => 'forced-0-v1');

    const aws = motoIn(region);
    await aws.send(new PutSecretValueCommand({ SecretId: names[0], SecretString: JSON.stringify({ v: 'forced-0-v2' }) }));
    aws.destroy();
    const since = proxy.calls.length;
    await applyExternalSecret(h, ns, 'es-0', { refreshInterval: '1h', data: [{ secretKey: 'v', remoteRef: { key: names[0]!, property: 'v' } }] }, { annotations: { 'force-sync': '1' } });
    await eventually(async () => decode((await h.secret(ns, 'es-0'))?.data).v === 'forced-0-v2', 'the forced ExternalSecret gets the new value');
    expect(readsOf(names, since).length).toBe(1);
  });

  it('a secret that fails in a batch fails only the ExternalSecret that asked for it', async () => {
    const region = 'eu-west-2';
    const names = [...await awsSecrets(region, 'partial', 3), awsName('partial-missing')];
    const since = proxy.calls.length;
    const ns = await externalSecretsThenStore(region, 'fetch-partial', names, 4);
    await allSynced(ns, 3, (i) => `partial-${i}-v1`);
    const failed = await readyAs(h, ns, 'es-3', 'False', 'SecretSyncedError');
    expect(failed.status.conditions[0].message).toContain('AWSSecretNotFound');
    expect(failed.status.conditions[0].message).toContain(names[3]);
    expect(readsOf(names, since).some((c) => c.action === 'BatchGetSecretValue' && secretIdsRead(c).includes(names[3]!))).toBe(true);
  });

  it('an identity refused BatchGetSecretValue reads one secret per call from then on, and says so once', async () => {
    const region = 'ca-central-1';
    const names = await awsSecrets(region, 'nobatch', 4);
    proxy.inject({ action: 'BatchGetSecretValue', when: (p) => (p.SecretIdList ?? []).some((id: string) => names.includes(id)), code: 'AccessDeniedException', message: 'User is not authorized to perform: secretsmanager:BatchGetSecretValue' });
    const fallbacks = await metricValue(h.operator.metrics.fallbacks, { operation: 'BatchGetSecretValue' });
    const since = proxy.calls.length;
    const ns = await externalSecretsThenStore(region, 'fetch-nobatch', names, 8);
    await allSynced(ns, 8, (i) => `nobatch-${i % 4}-v1`);

    const reads = readsOf(names, since);
    expect(reads.filter((c) => c.action === 'BatchGetSecretValue').length).toBe(1);
    expect(reads.filter((c) => c.action === 'GetSecretValue').flatMap(secretIdsRead).sort()).toEqual([...names].sort());
    expect(await metricValue(h.operator.metrics.fallbacks, { operation: 'BatchGetSecretValue' })).toBe(fallbacks + 1);

    // Later reads of the same identity go straight to GetSecretValue.
    const later = proxy.calls.length;
    for (let i = 0; i < 4; i++) {
      await applyExternalSecret(h, ns, `es-${i}`, { refreshInterval: '1h', data: [{ secretKey: 'v', remoteRef: { key: names[i]!, property: 'v' } }] }, { annotations: { 'force-sync': '1' } });
    }
    await eventually(async () => readsOf(names, later).length >= 4 ? true : undefined, 'the forced ExternalSecrets read again');
    expect(readsOf(names, later).every((c) => c.action === 'GetSecretValue')).toBe(true);
    expect(h.logLines.filter((l) => l.includes('BatchGetSecretValue was denied')).length).toBe(1);
  });
});

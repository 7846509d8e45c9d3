import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { AwsProviders, type StoreIdentity } from '../../src/aws/store-providers.ts';
import { ANNOTATION_CHANGE_POLL } from '../../src/changes/store-settings.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { createLogger } from '../../src/log.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { secretIdsRead, type AwsProxy, type RecordedCall } from './aws-proxy.ts';
import { applyExternalSecret, awsName, readyAs } from './cases.ts';
import { awsSecrets, motoIn } from './moto-secrets.ts';
import { decode, eventually, startHarnessBehindProxy, type Harness } from './harness.ts';
import { startOperatorChild } from './operator-child.ts';

/**
 * The change poll (changes/change-poller.ts) seen from AWS and from the Secrets: a store polled
 * every 2 s (tests may go below the 10 s minimum) finds changes made in AWS for the price of one
 * ListSecrets page per poll, or one BatchGetSecretValue per 20 secrets where that is cheaper, and
 * refreshes only the ExternalSecrets whose secrets changed. Each case has a region of its own in
 * moto, so its identity has its own cache and its listings see only its own secrets.
 */
const POLL = '2s';
let h: Harness;
let proxy: AwsProxy;
let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
beforeAll(async () => ({ h, proxy } = peers = await startHarnessBehindProxy({ changePollMinimumMs: 1_000 })));
afterAll(async () => peers?.close());
beforeEach(() => proxy.clearFaults());


async function putValues(region: string, values: Array<[string, string]>): Promise<void> {
  const aws = motoIn(region);
  for (const [name, v] of values) await aws.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify({ v }) }));
  aws.destroy();
}

/** A namespace whose store `aws` is polled every POLL, with ExternalSecret es-i reading property v of names[i] (refreshed hourly). */
async function polledNamespace(region: string, prefix: string, names: string[]): Promise<string> {
  const ns = await h.namespace(prefix);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns, annotations: { [ANNOTATION_CHANGE_POLL]: POLL } },
    spec: { provider: { aws: { service: 'SecretsManager', region } } },
  });
  for (const [i, name] of names.entries()) {
    await applyExternalSecret(h, ns, `es-${i}`, { refreshInterval: '1h', data: [{ secretKey: 'v', remoteRef: { key: name, property: 'v' } }] });
  }
  for (let i = 0; i < names.length; i++) await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');
  return ns;
}

const valueOf = async (ns: string, i: number): Promise<string | undefined> => decode((await h.secret(ns, `es-${i}`))?.data).v;

/** The change polls of a namespace's store finished so far (the poller says each at debug level). */
const pollsOf = (ns: string): number => h.logLines.filter((l) => l.includes('"msg":"change poll"') && l.includes(`"namespace":"${ns}"`)).length;

/**
 * The AWS calls made in `region` over `count` polls of the namespace's store, counted from just
 * after one finished: its polls start an interval apart, so the calls in between are exactly
 * those polls' (and those of the refreshes they asked for).
 */
async function overPolls(ns: string, region: string, count: number): Promise<RecordedCall[]> {
  const first = pollsOf(ns);
  await eventually(async () => pollsOf(ns) > first, `a change poll of ${ns}`);
  const start = pollsOf(ns);
  const since = proxy.calls.length;
  await eventually(async () => pollsOf(ns) >= start + count, `${count} more change polls of ${ns}`);
  return proxy.calls.slice(since).filter((c) => c.region === region);
}

const readsOf = (calls: RecordedCall[], names: string[]): RecordedCall[] => calls.filter((c) => secretIdsRead(c).some((id) => names.includes(id)));

const statusOf = async (ns: string, count: number): Promise<Array<[string, string]>> => Promise.all(Array.from({ length: count }, async (_, i) => {
  const es = await h.externalSecret(ns, `es-${i}`);
  return [es.status?.refreshTime, es.status?.syncedResourceVersion] as [string, string];
}));

describe('change polls', () => {
  it('one ListSecrets page a poll finds what changed in AWS, and only the ExternalSecrets reading it refresh', async () => {
    // 30 secrets: one listing page costs less than the two batches reading them would.
    const region = 'me-south-1';
    const names = await awsSecrets(region, 'listed', 30);
    const ns = await polledNamespace(region, 'poll-listed', names);
    const before = await statusOf(ns, 30);

    const quiet = await overPolls(ns, region, 2);
    expect(quiet.filter((c) => c.action === 'ListSecrets').map((c) => c.params.NextToken), 'one first page a poll, nothing more').toEqual([undefined, undefined]);
    expect(readsOf(quiet, names), 'no value read while nothing changed').toEqual([]);

    const changed = [3, 17];
    const sinceChange = proxy.calls.length;
    await putValues(region, changed.map((i) => [names[i]!, `listed-${i}-v2`]));
    for (const i of changed) await eventually(async () => (await valueOf(ns, i)) === `listed-${i}-v2`, `es-${i} gets the new value`, 20_000);
    // The positive sign that the poll's refreshes are over: a later poll finished.
    await overPolls(ns, region, 1);
    expect(new Set(readsOf(proxy.calls.slice(sinceChange).filter((c) => c.region === region), names).flatMap(secretIdsRead))).toEqual(new Set(changed.map((i) => names[i])));
    const after = await eventually(async () => {
      const now = await statusOf(ns, 30);
      return changed.every((i) => now[i]![0] !== before[i]![0]) ? now : undefined;
    }, 'the changed ExternalSecrets report their refresh');
    for (let i = 0; i < 30; i++) if (!changed.includes(i)) expect(after[i], `es-${i} not refreshed`).toEqual(before[i]);
    expect(await metricValue(h.operator.metrics.changePolls, { outcome: 'changed' })).toBeGreaterThan(0);
  });

  it('reads the secrets in batches where that is cheaper than listing, and a change still reaches its Secret', async () => {
    // 8 secrets: one BatchGetSecretValue a poll, where a listing would cost as much and say less.
    const region = 'af-south-1';
    const names = await awsSecrets(region, 'batched', 8);
    const ns = await polledNamespace(region, 'poll-batched', names);

    const quiet = await overPolls(ns, region, 2);
    expect(quiet.filter((c) => c.action === 'ListSecrets')).toEqual([]);
    const reads = readsOf(quiet, names);
    expect(reads.map((c) => c.action)).toEqual(['BatchGetSecretValue', 'BatchGetSecretValue']);
    expect(reads.map((c) => secretIdsRead(c).sort())).toEqual([[...names].sort(), [...names].sort()]);

    await putValues(region, [[names[5]!, 'batched-5-v2']]);
    await eventually(async () => (await valueOf(ns, 5)) === 'batched-5-v2', 'es-5 gets the new value', 20_000);
    expect(await valueOf(ns, 4)).toBe('batched-4-v1');
  });

  it('an identity refused ListSecrets polls by batch reads instead, and says so once', async () => {
    const region = 'ap-east-1';
    const names = await awsSecrets(region, 'nolist', 30);
    proxy.inject({ action: 'ListSecrets', region, code: 'AccessDeniedException', message: 'User is not authorized to perform: secretsmanager:ListSecrets' });
    const fallbacks = await metricValue(h.operator.metrics.fallbacks, { operation: 'ListSecrets' });
    const ns = await polledNamespace(region, 'poll-nolist', names);

    const quiet = await overPolls(ns, region, 2);
    const reads = readsOf(quiet, names);
    // One refused listing at most (the first poll), then two batches of 20 and 10 a poll.
    expect(reads.every((c) => c.action === 'BatchGetSecretValue')).toBe(true);
    expect(new Set(reads.flatMap(secretIdsRead))).toEqual(new Set(names));
    expect(await metricValue(h.operator.metrics.fallbacks, { operation: 'ListSecrets' })).toBe(fallbacks + 1);
    expect(quiet.filter((c) => c.action === 'ListSecrets')).toEqual([]);

    await putValues(region, [[names[29]!, 'nolist-29-v2']]);
    await eventually(async () => (await valueOf(ns, 29)) === 'nolist-29-v2', 'es-29 gets the new value', 20_000);
  });
});

describe('change polls for dataFrom.find', () => {
  it('a secret created, or changed, in AWS that a find lists reaches the Secret after the next poll', async () => {
    const region = 'ap-northeast-2';
    const prefix = awsName('found');
    const aws = motoIn(region);
    for (const name of ['one', 'two']) await aws.send(new CreateSecretCommand({ Name: `${prefix}/${name}`, SecretString: `${name}-v1` }));
    const ns = await h.namespace('poll-find');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns, annotations: { [ANNOTATION_CHANGE_POLL]: POLL } },
      spec: { provider: { aws: { service: 'SecretsManager', region } } },
    });
    await applyExternalSecret(h, ns, 'found', { refreshInterval: '1h', dataFrom: [{ find: { path: `${prefix}/` } }] });
    await readyAs(h, ns, 'found', 'True', 'SecretSynced');
    const values = async () => Object.values(decode((await h.secret(ns, 'found'))?.data)).sort();
    expect(await values()).toEqual(['one-v1', 'two-v1']);
    // A poll has remembered the account's listing before the changes.
    await overPolls(ns, region, 1);

    await aws.send(new CreateSecretCommand({ Name: `${prefix}/three`, SecretString: 'three-v1' }));
    await aws.send(new PutSecretValueCommand({ SecretId: `${prefix}/two`, SecretString: 'two-v2' }));
    aws.destroy();
    await eventually(async () => JSON.stringify(await values()) === JSON.stringify(['one-v1', 'three-v1', 'two-v2']), 'the Secret holds the new and the changed secret', 20_000);
  });
});

describe('the fetch engine\'s version poll (AwsProviders.pollVersions)', () => {
  /** A fetch engine of its own, so the calls counted are only these polls'. */
  const engine = () => new AwsProviders(h.kube, systemClock, { log: createLogger({ level: 'silent' }) });
  /** This case's calls since `since`: the operator's own polls of earlier cases go on in their regions. */
  const callsIn = (region: string, since: number): RecordedCall[] => proxy.calls.slice(since).filter((c) => c.region === region);
  const storeIn = (region: string): StoreIdentity => ({ kind: 'ClusterSecretStore', name: 'polled', aws: { service: 'SecretsManager', region } });
  const currentVersion = async (region: string, name: string): Promise<string> => {
    const aws = motoIn(region);
    const out = await aws.send(new DescribeSecretCommand({ SecretId: name }));
    aws.destroy();
    return Object.entries(out.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))![0];
  };

  it('polls of one identity from two namespaces at once share one ListSecrets page, and a listing tells deleted and changed secrets', async () => {
    const region = 'ap-south-1';
    const names = await awsSecrets(region, 'engine', 30);
    const providers = engine();
    try {
      const since = proxy.calls.length;
      const [a, b] = await Promise.all([
        providers.pollVersions(storeIn(region), 'ns-a', names.slice(0, 15)),
        providers.pollVersions(storeIn(region), 'ns-b', names.slice(15), true),
      ]);
      // 30 ids all told: one page costs less than the two batches reading them would; alone, 15 would have been read.
      expect(callsIn(region, since).map((c) => c.action)).toEqual(['ListSecrets']);
      expect(a.versions.get(names[0]!)).toEqual({ state: 'current', versionId: await currentVersion(region, names[0]!) });
      expect(b.versions.size).toBe(15);
      // Only the poll for dataFrom.find is given the listing itself.
      expect(a.listed).toBeUndefined();
      expect(new Set(b.listed!.keys())).toEqual(new Set(names));

      const aws = motoIn(region);
      await aws.send(new PutSecretValueCommand({ SecretId: names[1], SecretString: '{"v":"engine-1-v2"}' }));
      await aws.send(new DeleteSecretCommand({ SecretId: names[2] }));
      aws.destroy();
      const later = proxy.calls.length;
      const again = await providers.pollVersions(storeIn(region), 'ns-a', names);
      expect(callsIn(region, later).map((c) => c.action)).toEqual(['ListSecrets']);
      expect(again.versions.get(names[1]!)).toEqual({ state: 'current', versionId: await currentVersion(region, names[1]!) });
      expect(again.versions.get(names[1]!)).not.toEqual(a.versions.get(names[1]!));
      expect(again.versions.get(names[2]!), 'scheduled for deletion').toEqual({ state: 'gone' });
      expect(again.versions.get(names[3]!)).toEqual(a.versions.get(names[3]!));
    } finally {
      providers.destroy();
    }
  });

  it('reads in one batch where that is cheaper, reports what each read held before, and reads ARNs a listing cannot answer', async () => {
    const region = 'eu-central-1';
    const names = await awsSecrets(region, 'engine-read', 25);
    const aws = motoIn(region);
    const created = await aws.send(new DescribeSecretCommand({ SecretId: names[0] }));
    aws.destroy();
    const partialArn = created.ARN!.replace(/-[A-Za-z0-9]{6}$/, '');
    const providers = engine();
    try {
      const since = proxy.calls.length;
      const first = await providers.pollVersions(storeIn(region), 'ns', names.slice(0, 5));
      expect(callsIn(region, since).map((c) => c.action)).toEqual(['BatchGetSecretValue']);
      expect(first.cached.size, 'nothing held before the first read').toBe(0);
      const second = await providers.pollVersions(storeIn(region), 'ns', names.slice(0, 5));
      expect(second.cached.get(names[0]!)).toBe((first.versions.get(names[0]!) as { versionId: string }).versionId);

      // 25 names and a partial ARN: the listing answers the names, a read the ARN.
      const later = proxy.calls.length;
      const mixed = await providers.pollVersions(storeIn(region), 'ns', [...names, partialArn, 'engine-read-never-created']);
      expect(callsIn(region, later).map((c) => c.action)).toEqual(['ListSecrets', 'GetSecretValue']);
      expect(callsIn(region, later)[1]!.params.SecretId).toBe(partialArn);
      expect(mixed.versions.get(partialArn)).toEqual({ state: 'current', versionId: await currentVersion(region, names[0]!), name: names[0] });
      expect(mixed.versions.get('engine-read-never-created')).toEqual({ state: 'gone' });
    } finally {
      providers.destroy();
    }
  });
});

describe('CHANGE_POLL_INTERVAL', () => {
  it('the operator process refuses at start an interval it cannot read or one under 10s, saying so', async () => {
    const start = (value: string) => startOperatorChild({
      name: 'misconfigured-change-poll', kubeconfig: inject('operatorKubeconfig'), awsEndpoint: inject('motoEndpoint'), env: { CHANGE_POLL_INTERVAL: value },
    });
    await expect(start('5s')).rejects.toThrow(/exited before it started:[\s\S]*CHANGE_POLL_INTERVAL: 5s is shorter than the shortest change poll, 10s \(or 0 for none\)/);
    await expect(start('every minute')).rejects.toThrow(/exited before it started:[\s\S]*CHANGE_POLL_INTERVAL: /);
  });
});

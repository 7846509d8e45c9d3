import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { applyExternalSecret, awsName, createAwsSecrets, readyAs, storeNamespace } from './cases.ts';
import { secretIdsRead, type AwsProxy } from './aws-proxy.ts';
import { decode, eventually, operatorCaughtUp, startHarnessBehindProxy, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { ref } from '../../src/kube/object-ref.ts';

// The core of change notifications and change polls: what a change source reports (operator.changes)
// reaches exactly the ExternalSecrets that read the secret, within the source's scope, and they read
// only the changed secret anew. The sources themselves (SQS, the poll) have their own tests.

let h: Harness;
let proxy: AwsProxy;
let close: () => Promise<void>;
beforeAll(async () => ({ h, proxy, close } = await startHarnessBehindProxy()));
afterAll(async () => close?.());

const value = async (ns: string, name: string) => decode((await h.secret(ns, name))?.data).v;
const reads = (name: string, since: number) => proxy.calls.slice(since).filter((c) => secretIdsRead(c).includes(name)).length;

/** An ExternalSecret reading `v` of each key (one data entry per key), synced with value `one`. */
async function reading(ns: string, name: string, keys: string[], spec: Record<string, unknown> = {}) {
  await applyExternalSecret(h, ns, name, { data: keys.map((key, i) => ({ secretKey: i ? `v${i}` : 'v', remoteRef: { key, property: 'v' } })), ...spec });
  return readyAs(h, ns, name, 'True', 'SecretSynced');
}

describe('a secret reported changed in AWS', () => {
  it('refreshes exactly the Periodic ExternalSecrets that read it, reading only that secret anew', async () => {
    const [a, b, c] = [awsName('a'), awsName('b'), awsName('c')];
    await createAwsSecrets(h, [a, b, c].map((name) => ({ name, string: '{"v":"one"}' })));
    const ns = await storeNamespace(h, 'change-core');
    const readsA = await reading(ns, 'reads-a', [a, c]);
    const readsB = await reading(ns, 'reads-b', [b]);
    const onChange = await reading(ns, 'onchange-a', [a], { refreshPolicy: 'OnChange' });
    const once = await reading(ns, 'once-a', [a], { refreshInterval: '0' });
    await h.putAwsSecret(a, '{"v":"two"}');
    await h.putAwsSecret(b, '{"v":"two"}');
    const since = proxy.calls.length;

    // The ExternalSecrets that read it are queued (the OnChange one and the "fetch once" one too: they decline it).
    expect(h.operator.changes.changed([{ name: a }], { kind: 'operator' }, 'queue')).toBe(3);
    await eventually(async () => (await value(ns, 'reads-a')) === 'two', 'reads-a to hold the new value');
    await operatorCaughtUp(h, [readsA, readsB, onChange, once]);
    expect(await value(ns, 'reads-b')).toBe('one');
    expect(await value(ns, 'onchange-a')).toBe('one');
    expect(await value(ns, 'once-a')).toBe('one');
    for (const es of [readsB, onChange, once]) {
      expect((await h.externalSecret(ns, es.metadata.name)).status.refreshTime).toBe(es.status.refreshTime);
    }
    // a was read anew once; c, read by the same ExternalSecret and unchanged, came from the cache.
    expect(reads(a, since)).toBe(1);
    expect(reads(c, since)).toBe(0);
    expect(await metricValue(h.operator.metrics.secretChanges, { source: 'queue', result: 'matched' })).toBeGreaterThanOrEqual(1);
  });

  it('stays within its scope: a store speaks for its own ExternalSecrets, a poll for one namespace, a region for itself', async () => {
    const key = awsName('scoped');
    await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
    const [first, second] = [await storeNamespace(h, 'change-scope-1'), await storeNamespace(h, 'change-scope-2')];
    const inFirst = await reading(first, 'es', [key]);
    const inSecond = await reading(second, 'es', [key]);
    await h.putAwsSecret(key, '{"v":"two"}');

    expect(h.operator.changes.changed([{ name: key, region: 'eu-west-1' }], { kind: 'operator' }, 'queue')).toBe(0);
    expect(h.operator.changes.changed([{ name: key }], { kind: 'store', store: ref('SecretStore', 'other', first) }, 'queue')).toBe(0);
    expect(h.operator.changes.changed([{ name: key, region: 'us-east-1' }], { kind: 'store', store: ref('SecretStore', 'aws', first) }, 'queue')).toBe(1);
    await eventually(async () => (await value(first, 'es')) === 'two', 'the first namespace to hold the new value');
    await operatorCaughtUp(h, [inFirst, inSecond]);
    expect(await value(second, 'es')).toBe('one');
    expect((await h.externalSecret(second, 'es')).status.refreshTime).toBe(inSecond.status.refreshTime);
  });

  it('is found whether the ExternalSecret or the report names the secret by ARN', async () => {
    const key = awsName('by-arn');
    await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
    const arn = (await h.aws.send(new DescribeSecretCommand({ SecretId: key }))).ARN!;
    const ns = await storeNamespace(h, 'change-arn');
    await reading(ns, 'by-arn', [arn]);
    await reading(ns, 'by-name', [key]);
    await h.putAwsSecret(key, '{"v":"two"}');
    // A report by ARN (an event's responseElements.arn) finds both.
    expect(h.operator.changes.changed([{ name: key, arn }], { kind: 'operator' }, 'queue')).toBe(2);
    await eventually(async () => (await value(ns, 'by-arn')) === 'two' && (await value(ns, 'by-name')) === 'two', 'both to hold the new value');
    await h.putAwsSecret(key, '{"v":"three"}');
    // A report by name alone finds the one that reads by ARN too.
    expect(h.operator.changes.changed([{ name: key }], { kind: 'operator' }, 'poll')).toBe(2);
    await eventually(async () => (await value(ns, 'by-arn')) === 'three', 'the ARN reader to hold the newest value');
  });

  it('reaches a dataFrom.find whose pattern matches the name, not one whose pattern does not', async () => {
    const key = awsName('found');
    await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
    const ns = await storeNamespace(h, 'change-find');
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await applyExternalSecret(h, ns, 'matches', { dataFrom: [{ find: { name: { regexp: `^${escaped}$` } } }] });
    await applyExternalSecret(h, ns, 'other', { dataFrom: [{ find: { name: { regexp: '^nothing-here$' } } }] });
    await readyAs(h, ns, 'matches', 'True');
    const other = await readyAs(h, ns, 'other', 'True');
    expect(h.operator.changes.changed([{ name: key }], { kind: 'store', store: ref('SecretStore', 'aws', ns) }, 'queue')).toBe(1);
    await h.putAwsSecret(key, '{"v":"two"}');
    expect(h.operator.changes.changed([{ name: key }], { kind: 'store', store: ref('SecretStore', 'aws', ns) }, 'queue')).toBe(1);
    await eventually(async () => decode((await h.secret(ns, 'matches'))?.data)[key.replaceAll('/', '_')]?.includes('two'), 'the find to hold the new value');
    await operatorCaughtUp(h, [other]);
    expect((await h.externalSecret(ns, 'other')).status.refreshTime).toBe(other.status.refreshTime);
  });

  it('a secret nobody reads changes nothing and is counted as unmatched', async () => {
    const before = await metricValue(h.operator.metrics.secretChanges, { source: 'poll', result: 'unmatched' });
    expect(h.operator.changes.changed([{ name: awsName('nobody') }], { kind: 'operator' }, 'poll')).toBe(0);
    expect(await metricValue(h.operator.metrics.secretChanges, { source: 'poll', result: 'unmatched' })).toBe(before + 1);
  });
});

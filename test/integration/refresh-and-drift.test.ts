import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { decode, eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

/** What users do to refetch at once: change an annotation. Returns the ExternalSecret as written. */
const forceSync = (ns: string, name: string): Promise<any> =>
  h.kube.request('PATCH', externalSecrets.path(ns, name), {
    body: { metadata: { annotations: { 'force-sync': `${Date.now()}-${Math.random()}` } } },
    contentType: 'application/merge-patch+json',
  });

/** An ExternalSecret copying one AWS secret's `v` property, synced once. */
async function synced(prefix: string, spec: Record<string, unknown> = {}) {
  const ns = await storeNamespace(h, prefix);
  const key = awsName(prefix);
  await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
  await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }], ...spec });
  const es = await readyAs(h, ns, 'es', 'True');
  return { ns, key, es };
}

const value = async (ns: string) => decode((await h.secret(ns, 'es'))?.data).v;

/**
 * Waits until `name` has refreshed `count` times since `es` was read: that many more refreshTime
 * values. A refresh is due a second after the last refreshTime (second precision), so each has
 * its own value, and the n-th comes at least n-1 seconds after `es` was synced.
 */
async function refreshesSince(ns: string, name: string, es: any, count: number): Promise<void> {
  const seen = new Set([es.status.refreshTime]);
  await eventually(async () => {
    seen.add((await h.externalSecret(ns, name)).status.refreshTime);
    return seen.size > count;
  }, `${count} more periodic syncs of ${ns}/${name}`);
}

/**
 * The positive sign that refreshes on a timer would have happened by now: a sibling ExternalSecret,
 * reading `key` every second, has synced and refreshed three times, so two seconds have passed on
 * the operator's own timers since, and a one-second timer of an ExternalSecret synced before would
 * have fired. Waited for before asserting that such an ExternalSecret did NOT refetch on a timer.
 */
async function timerRefreshesPassed(ns: string, key: string): Promise<void> {
  await applyExternalSecret(h, ns, 'ticker', { refreshInterval: '1s', data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
  await refreshesSince(ns, 'ticker', await readyAs(h, ns, 'ticker', 'True'), 3);
}

describe('refreshPolicy and refreshInterval', () => {
  // Unset is ESO's default, Periodic; the explicit value must behave the same.
  for (const [name, policy] of [['Periodic refetches every refreshInterval', {}], ['refreshPolicy: Periodic given explicitly refetches every refreshInterval', { refreshPolicy: 'Periodic' }]] as const) {
    it(name, async () => {
      const { ns, key } = await synced(`periodic${'refreshPolicy' in policy ? '-explicit' : ''}`, { refreshInterval: '1s', ...policy });
      await h.putAwsSecret(key, '{"v":"two"}');
      await eventually(async () => (await value(ns)) === 'two', 'the periodic refresh');
    });
  }

  it('a force-sync annotation refetches at once, and only the annotation changed', async () => {
    const { ns, key } = await synced('force');
    await h.putAwsSecret(key, '{"v":"two"}');
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'two', 'the forced sync');
  });

  it('OnChange does not refetch on a timer, only when the ExternalSecret changes', async () => {
    const { ns, key } = await synced('onchange', { refreshPolicy: 'OnChange', refreshInterval: '1s' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await timerRefreshesPassed(ns, key);
    expect(await value(ns)).toBe('one');
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'two', 'the sync after a change');
  });

  it('CreatedOnce fetches once, even when the ExternalSecret changes', async () => {
    const { ns, key } = await synced('createdonce', { refreshPolicy: 'CreatedOnce', refreshInterval: '1s' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await operatorCaughtUp(h, [await forceSync(ns, 'es')]);
    expect(await value(ns)).toBe('one');
    await timerRefreshesPassed(ns, key);
    expect(await value(ns)).toBe('one');
  });

  it('refreshInterval 0 does not refetch on a timer', async () => {
    const { ns, key } = await synced('interval0', { refreshInterval: '0' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await timerRefreshesPassed(ns, key);
    expect(await value(ns)).toBe('one');
  });

  it('a malformed refreshInterval is rejected at apply with a message naming the format', async () => {
    const ns = await storeNamespace(h, 'badinterval');
    const err = await applyExternalSecret(h, ns, 'es', { refreshInterval: 'every hour', data: [{ secretKey: 'v', remoteRef: { key: 'x' } }] }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/refreshInterval/);
  });
});

describe('drift repair', () => {
  it('Owner: a deleted Secret is restored at once', async () => {
    const { ns } = await synced('drift-delete');
    await h.kube.request('DELETE', secrets.path(ns, 'es'));
    await eventually(async () => (await value(ns)) === 'one', 'the restored Secret');
  });

  it('Owner: data edited by hand is restored at once', async () => {
    const { ns } = await synced('drift-edit');
    await h.kube.request('PATCH', secrets.path(ns, 'es'), {
      body: { data: { v: Buffer.from('tampered').toString('base64') } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(async () => (await value(ns)) === 'one', 'the restored value');
  });

  it('Orphan: a deleted Secret waits for the next refresh', async () => {
    const { ns } = await synced('drift-orphan', { target: { creationPolicy: 'Orphan' } });
    const secret = await h.secret(ns, 'es');
    await h.kube.request('DELETE', secrets.path(ns, 'es'));
    await operatorCaughtUp(h, [], [secret]);
    expect(await value(ns)).toBeUndefined();
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'one', 'the Secret after the next sync');
  });
});

describe('status.conditions[].lastTransitionTime', () => {
  it('stays while Ready holds over periodic syncs, and moves when Ready flips', async () => {
    const { ns, es } = await synced('transition', { refreshInterval: '1s' });
    const readyAt = readyCondition(es).lastTransitionTime;
    expect(readyAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Two more syncs: the second is at least a second after the first (second precision).
    await refreshesSince(ns, 'es', es, 2);
    const held = await h.externalSecret(ns, 'es');
    expect(readyCondition(held)).toMatchObject({ status: 'True', lastTransitionTime: readyAt });
    expect(held.status.refreshTime > readyAt, `refreshTime ${held.status.refreshTime} after ${readyAt}`).toBe(true);
    // A spec that cannot sync flips Ready to False.
    await applyExternalSecret(h, ns, 'es', { refreshInterval: '1s', data: [{ secretKey: 'v', remoteRef: { key: awsName('absent') } }] });
    const failed = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const failedAt = readyCondition(failed).lastTransitionTime;
    expect(failedAt >= held.status.refreshTime, `lastTransitionTime ${failedAt} not before ${held.status.refreshTime}`).toBe(true);
    expect(failedAt).not.toBe(readyAt);
    await h.kube.request('DELETE', externalSecrets.path(ns, 'es'));
  });
});

describe('quiet when nothing changed', () => {
  it('a periodic sync with unchanged data writes no Secret and records no Event', async () => {
    const { ns, es } = await synced('quiet', { refreshInterval: '1s' });
    const before = await h.secret(ns, 'es');
    const eventsBefore = await eventsFor(h, ns, 'es');
    expect(eventsBefore.map((e) => e.reason)).toEqual(['Created']);
    // Two more periodic syncs happen.
    await refreshesSince(ns, 'es', es, 2);
    const after = await h.secret(ns, 'es');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(await eventsFor(h, ns, 'es')).toEqual(eventsBefore);
  });

  it('a force-sync annotation is copied to the Secret, as ESO copies the ExternalSecret\'s annotations', async () => {
    const { ns } = await synced('annotation-copy');
    await forceSync(ns, 'es');
    const es = await h.externalSecret(ns, 'es');
    await eventually(async () => (await h.secret(ns, 'es'))?.metadata.annotations?.['force-sync'] === es.metadata.annotations['force-sync'], 'the annotation on the Secret');
  });

  it('a changed value records one Updated Event', async () => {
    const { ns, key } = await synced('updated');
    await h.putAwsSecret(key, '{"v":"two"}');
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'two', 'the new value');
    const events = await eventually(async () => {
      const list = await eventsFor(h, ns, 'es');
      return list.length >= 2 && list;
    }, 'two Events');
    expect(events).toEqual([
      { type: 'Normal', reason: 'Created', message: 'secret created' },
      { type: 'Normal', reason: 'Updated', message: 'secret updated' },
    ]);
  });

  it('a failure records one UpdateFailed Warning however often it is retried', async () => {
    const ns = await storeNamespace(h, 'warn');
    const key = awsName('absent');
    await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key } }] });
    await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    // The first retries come after 1 s and 2 s: wait until both have failed.
    const failures = () => metricValue(h.operator.metrics.syncErrorsByReason, { name: 'es', namespace: ns, reason: 'AWSSecretNotFound' });
    await eventually(async () => (await failures()) >= 3, 'two retries');
    // Events are sent without waiting: the Created Event of the sync once the secret exists comes
    // after any the retries sent, and is the positive sign that those are in.
    await createAwsSecrets(h, [{ name: key, string: 'now here' }]);
    await forceSync(ns, 'es');
    const events = await eventually(async () => {
      const list = await eventsFor(h, ns, 'es');
      return list.some((e) => e.reason === 'Created') && list;
    }, 'the Created Event');
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'UpdateFailed'], ['Normal', 'Created']]);
    expect(events[0]!.message).toContain('AWSSecretNotFound');
  });
});

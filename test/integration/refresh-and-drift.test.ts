import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { decode, eventually, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

const forceSync = (ns: string, name: string) =>
  h.kube.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${name}`, {
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

/** Waits a while and checks that the value stayed the same: used where nothing must happen. */
async function stays(ns: string, expected: string | undefined, ms = 2_500): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    expect(await value(ns)).toBe(expected);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('refreshPolicy and refreshInterval', () => {
  it('Periodic refetches every refreshInterval', async () => {
    const { ns, key } = await synced('periodic', { refreshInterval: '1s' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await eventually(async () => (await value(ns)) === 'two', 'the periodic refresh');
  });

  it('a force-sync annotation refetches at once, and only the annotation changed', async () => {
    const { ns, key } = await synced('force');
    await h.putAwsSecret(key, '{"v":"two"}');
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'two', 'the forced sync');
  });

  it('OnChange does not refetch on a timer, only when the ExternalSecret changes', async () => {
    const { ns, key } = await synced('onchange', { refreshPolicy: 'OnChange', refreshInterval: '1s' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await stays(ns, 'one');
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'two', 'the sync after a change');
  });

  it('CreatedOnce fetches once, even when the ExternalSecret changes', async () => {
    const { ns, key } = await synced('createdonce', { refreshPolicy: 'CreatedOnce', refreshInterval: '1s' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await forceSync(ns, 'es');
    await stays(ns, 'one');
  });

  it('refreshInterval 0 does not refetch on a timer', async () => {
    const { ns, key } = await synced('interval0', { refreshInterval: '0' });
    await h.putAwsSecret(key, '{"v":"two"}');
    await stays(ns, 'one');
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
    await h.kube.request('DELETE', `/api/v1/namespaces/${ns}/secrets/es`);
    await eventually(async () => (await value(ns)) === 'one', 'the restored Secret');
  });

  it('Owner: data edited by hand is restored at once', async () => {
    const { ns } = await synced('drift-edit');
    await h.kube.request('PATCH', `/api/v1/namespaces/${ns}/secrets/es`, {
      body: { data: { v: Buffer.from('tampered').toString('base64') } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(async () => (await value(ns)) === 'one', 'the restored value');
  });

  it('Orphan: a deleted Secret waits for the next refresh', async () => {
    const { ns } = await synced('drift-orphan', { target: { creationPolicy: 'Orphan' } });
    await h.kube.request('DELETE', `/api/v1/namespaces/${ns}/secrets/es`);
    await stays(ns, undefined);
    await forceSync(ns, 'es');
    await eventually(async () => (await value(ns)) === 'one', 'the Secret after the next sync');
  });
});

describe('quiet when nothing changed', () => {
  it('a periodic sync with unchanged data writes no Secret and records no Event', async () => {
    const { ns, es } = await synced('quiet', { refreshInterval: '1s' });
    const before = await h.secret(ns, 'es');
    const eventsBefore = await eventsFor(h, ns, 'es');
    expect(eventsBefore.map((e) => e.reason)).toEqual(['Created']);
    // Two more periodic syncs happen: refreshTime moves (second precision).
    await eventually(async () => {
      const now = await h.externalSecret(ns, 'es');
      return Date.parse(now.status.refreshTime) >= Date.parse(es.status.refreshTime) + 2_000;
    }, 'two more periodic syncs');
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
    await applyExternalSecret(h, ns, 'es', { data: [{ secretKey: 'v', remoteRef: { key: awsName('absent') } }] });
    await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    // The first retries come after 1 s and 2 s: wait for them.
    await new Promise((r) => setTimeout(r, 3_500));
    const events = await eventsFor(h, ns, 'es');
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'UpdateFailed']]);
    expect(events[0]!.message).toContain('AWSSecretNotFound');
  });
});

import { describe, expect, it } from 'vitest';
import type { ExternalSecret } from '../../src/api/generated.ts';
import { withReady } from '../../src/controllers/conditions.ts';
import { nextStatus } from '../../src/controllers/externalsecret/status.ts';

const T0 = Date.parse('2026-12-03T08:00:00Z');
const synced = { status: 'True', reason: 'SecretSynced', message: 'secret synced' } as const;
const failed = { status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider' } as const;

describe('withReady (every kind)', () => {
  it('sets lastTransitionTime to now, at second precision, on the first condition', () => {
    expect(withReady(undefined, synced, T0 + 999)).toEqual([{ type: 'Ready', ...synced, lastTransitionTime: '2026-12-03T08:00:00Z' }]);
  });

  it('keeps lastTransitionTime while the status holds, even when reason and message change (as ESO)', () => {
    const first = withReady(undefined, failed, T0);
    const later = withReady(first, { ...failed, message: 'another failure' }, T0 + 3_600_000);
    expect(later).toEqual([{ type: 'Ready', ...failed, message: 'another failure', lastTransitionTime: '2026-12-03T08:00:00Z' }]);
  });

  it('moves lastTransitionTime when the status flips, both ways', () => {
    const first = withReady(undefined, synced, T0);
    const down = withReady(first, failed, T0 + 61_000);
    expect(down[0]).toMatchObject({ status: 'False', lastTransitionTime: '2026-12-03T08:01:01Z' });
    const up = withReady(down, synced, T0 + 122_000);
    expect(up[0]).toMatchObject({ status: 'True', lastTransitionTime: '2026-12-03T08:02:02Z' });
  });

  it('keeps other condition types in place and replaces only Ready', () => {
    const others = [{ type: 'Other', status: 'True', reason: 'X', message: 'x', lastTransitionTime: '2020-01-01T00:00:00Z' }];
    const out = withReady([...others, { type: 'Ready', status: 'False', lastTransitionTime: '2020-01-01T00:00:00Z' }], synced, T0);
    expect(out).toEqual([...others, { type: 'Ready', ...synced, lastTransitionTime: '2026-12-03T08:00:00Z' }]);
  });

  it('sets a time when the old Ready of the same status has none', () => {
    expect(withReady([{ type: 'Ready', status: 'True' }], synced, T0)[0]!.lastTransitionTime).toBe('2026-12-03T08:00:00Z');
  });
});

describe('ExternalSecret nextStatus: status.conditions[].lastTransitionTime', () => {
  const es = (): ExternalSecret => ({
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'es', namespace: 'ns', generation: 1 },
    spec: { secretStoreRef: { name: 'aws', kind: 'SecretStore' }, data: [{ secretKey: 'k', remoteRef: { key: 'app/db' } }] },
  } as ExternalSecret);

  it('a refresh that stays Ready keeps the time and moves only refreshTime; a failure moves it', () => {
    const e = es();
    e.status = nextStatus(e, synced, T0, { refreshTime: T0, syncedResourceVersion: '1-abc', binding: 'es' });
    const refreshed = nextStatus(e, synced, T0 + 3_600_000, { refreshTime: T0 + 3_600_000, syncedResourceVersion: '1-abc', binding: 'es' });
    expect(refreshed.conditions).toEqual(e.status.conditions);
    expect(refreshed.refreshTime).toBe('2026-12-03T09:00:00Z');
    e.status = refreshed;
    const broken = nextStatus(e, failed, T0 + 3_601_000);
    expect(broken.conditions).toEqual([{ type: 'Ready', ...failed, lastTransitionTime: '2026-12-03T09:00:01Z' }]);
    // A failed sync leaves the last sync's bookkeeping as it was, as ESO does.
    expect(broken.refreshTime).toBe('2026-12-03T09:00:00Z');
  });
});

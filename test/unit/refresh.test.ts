import { describe, expect, it } from 'vitest';
import type { ExternalSecret } from '../../src/api/generated.ts';
import { currentResourceVersion, fetchFreshness, nextRefresh, nextRefreshIn, shouldRefresh, spreadRefresh } from '../../src/controllers/externalsecret/refresh.ts';
import { ReadAheads } from '../../src/controllers/externalsecret/read-ahead.ts';
import { ref } from '../../src/kube/object-ref.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const HOUR = 3_600_000;

function es(spec: Partial<ExternalSecret['spec']> = {}, synced?: { at: number; stale?: boolean }): ExternalSecret {
  const obj: ExternalSecret = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'x', namespace: 'ns', generation: 3, annotations: { a: 'b' } },
    spec: { refreshInterval: '1h', ...spec },
  };
  if (synced) {
    obj.status = {
      refreshTime: new Date(synced.at).toISOString(),
      syncedResourceVersion: synced.stale ? '2-abc' : currentResourceVersion(obj),
    };
  }
  return obj;
}

describe('shouldRefresh', () => {
  it('is true when never synced', () => {
    expect(shouldRefresh(es(), T0)).toBe(true);
  });

  it('is false before the interval has passed and true once it has (Periodic)', () => {
    expect(shouldRefresh(es({}, { at: T0 }), T0 + HOUR - 1)).toBe(false);
    expect(shouldRefresh(es({}, { at: T0 }), T0 + HOUR)).toBe(true);
  });

  it('is true when the spec, labels or annotations changed since the last sync', () => {
    expect(shouldRefresh(es({}, { at: T0, stale: true }), T0 + 1)).toBe(true);
    const annotated = es({}, { at: T0 });
    annotated.metadata.annotations = { a: 'b', 'force-sync': '1732700000' };
    expect(shouldRefresh(annotated, T0 + 1)).toBe(true);
  });

  it('an interval under a second is a second: no tenant can refetch in a tight loop', () => {
    for (const refreshInterval of ['1ns', '1ms', '999ms']) {
      expect(shouldRefresh(es({ refreshInterval }, { at: T0 }), T0 + 999)).toBe(false);
      expect(shouldRefresh(es({ refreshInterval }, { at: T0 }), T0 + 1000)).toBe(true);
      expect(nextRefreshIn(es({ refreshInterval }, { at: T0 }), T0)).toBe(1000);
    }
  });

  it('a negative refreshInterval is no periodic refresh, as in ESO: never a refetch on every status change', () => {
    expect(shouldRefresh(es({ refreshInterval: '-5m' }, { at: T0 }), T0 + 1)).toBe(false);
    expect(shouldRefresh(es({ refreshInterval: '-5m' }, { at: T0 }), T0 + 1000 * HOUR)).toBe(false);
    expect(shouldRefresh(es({ refreshInterval: '-5m' }, { at: T0, stale: true }), T0 + 1)).toBe(true);
    expect(nextRefreshIn(es({ refreshInterval: '-5m' }, { at: T0 }), T0)).toBeUndefined();
  });

  it('refreshInterval 0 fetches once, and again only when the ExternalSecret changes', () => {
    expect(shouldRefresh(es({ refreshInterval: '0' }, { at: T0 }), T0 + 1000 * HOUR)).toBe(false);
    expect(shouldRefresh(es({ refreshInterval: '0' }, { at: T0, stale: true }), T0 + 1)).toBe(true);
  });

  it('OnChange and CreatedOnce never refresh on a timer', () => {
    expect(shouldRefresh(es({ refreshPolicy: 'OnChange' }, { at: T0 }), T0 + 10 * HOUR)).toBe(false);
    expect(shouldRefresh(es({ refreshPolicy: 'CreatedOnce' }, { at: T0 }), T0 + 10 * HOUR)).toBe(false);
    expect(shouldRefresh(es({ refreshPolicy: 'OnChange' }, { at: T0, stale: true }), T0 + 1)).toBe(true);
    expect(shouldRefresh(es({ refreshPolicy: 'CreatedOnce' }, { at: T0, stale: true }), T0 + 1)).toBe(false);
    expect(shouldRefresh(es({ refreshPolicy: 'CreatedOnce' }), T0)).toBe(true);
  });
});

describe('nextRefreshIn', () => {
  it('is the time left until refreshTime + refreshInterval', () => {
    expect(nextRefreshIn(es({ refreshInterval: '30m' }, { at: T0 }), T0 + 10 * 60_000)).toBe(20 * 60_000);
    expect(nextRefreshIn(es({}, { at: T0 }), T0 + 2 * HOUR)).toBe(0);
  });

  it('is undefined when nothing is scheduled', () => {
    expect(nextRefreshIn(es({ refreshInterval: '0s' }, { at: T0 }), T0)).toBeUndefined();
    expect(nextRefreshIn(es({ refreshPolicy: 'CreatedOnce' }, { at: T0 }), T0)).toBeUndefined();
  });

  it('rejects a malformed interval with the Go duration error', () => {
    expect(() => nextRefreshIn(es({ refreshInterval: '1 hour' }), T0)).toThrow(/1 hour/);
  });
});

describe('sync windows gate only the periodic refresh', () => {
  // T0 is Friday 10:00 UTC; the window opens every day at 22:00 for two hours.
  const allowNightly = { syncWindows: { kind: 'allow' as const, windows: [{ schedule: '0 22 * * *', duration: '2h' }] } };
  const OPENS = Date.parse('2026-11-27T22:00:00Z');

  it('a due refresh waits outside an allow window and runs inside it', () => {
    expect(shouldRefresh(es(allowNightly, { at: T0 }), T0 + HOUR)).toBe(false);
    expect(shouldRefresh(es(allowNightly, { at: T0 }), OPENS - 1)).toBe(false);
    expect(shouldRefresh(es(allowNightly, { at: T0 }), OPENS)).toBe(true);
    expect(shouldRefresh(es(allowNightly, { at: T0 }), OPENS + 2 * HOUR)).toBe(true);
    expect(shouldRefresh(es(allowNightly, { at: T0 }), OPENS + 2 * HOUR + 1)).toBe(false);
  });

  it('a first sync, a spec change and a force-sync run outside the windows', () => {
    expect(shouldRefresh(es(allowNightly), T0)).toBe(true);
    expect(shouldRefresh(es(allowNightly, { at: T0, stale: true }), T0 + 1)).toBe(true);
    const forced = es(allowNightly, { at: T0 });
    forced.metadata.annotations = { a: 'b', 'force-sync': '1732700000' };
    expect(shouldRefresh(forced, T0 + 1)).toBe(true);
  });

  it('inside a window the interval still decides', () => {
    expect(shouldRefresh(es(allowNightly, { at: OPENS }), OPENS + HOUR - 1)).toBe(false);
  });

  it('OnChange and CreatedOnce are not affected', () => {
    expect(shouldRefresh(es({ ...allowNightly, refreshPolicy: 'OnChange' }, { at: T0, stale: true }), T0 + 1)).toBe(true);
    expect(shouldRefresh(es({ ...allowNightly, refreshPolicy: 'OnChange' }, { at: T0 }), OPENS)).toBe(false);
  });

  it('the next refresh is moved to the window opening, spread within the first half of the window', () => {
    expect(nextRefresh(es(allowNightly, { at: T0 }), T0 + 1)).toEqual({ waitMs: OPENS - T0 - 1, maxSpreadMs: HOUR });
    // After a refresh inside the window, the next falls due inside it: the rest of the window bounds the spread.
    expect(nextRefresh(es(allowNightly, { at: OPENS }), OPENS, OPENS)).toEqual({ waitMs: HOUR, maxSpreadMs: HOUR / 2 });
    expect(nextRefresh(es({}, { at: T0 }), T0 + 1)).toEqual({ waitMs: HOUR - 1, maxSpreadMs: Infinity });
  });

  it('a deny window moves the next refresh to the first moment after it closes', () => {
    const deny = { syncWindows: { kind: 'deny' as const, windows: [{ schedule: '30 10 * * *', duration: '1h' }] } };
    const closes = Date.parse('2026-11-27T11:30:00Z');
    expect(nextRefresh(es(deny, { at: T0 }), T0)).toEqual({ waitMs: closes + 1 - T0, maxSpreadMs: (Date.parse('2026-11-28T10:30:00Z') - closes - 1) / 2 });
  });

  it('no periodic refresh when the windows never open again, or no interval', () => {
    const never = { syncWindows: { kind: 'allow' as const, windows: [{ schedule: '0 0 30 2 *', duration: '1h' }] } };
    expect(nextRefresh(es(never, { at: T0 }), T0)).toBeUndefined();
    expect(nextRefresh(es({ ...allowNightly, refreshInterval: '0' }, { at: T0 }), T0)).toBeUndefined();
  });
});

describe('spreadRefresh', () => {
  it('pushes a refresh back by up to 10 % of the wait, at most five minutes', () => {
    expect(spreadRefresh(HOUR, 0)).toBe(HOUR);
    expect(spreadRefresh(HOUR, 0.5)).toBe(HOUR + 150_000);
    expect(spreadRefresh(HOUR, 0.999999)).toBeLessThan(HOUR + 300_000);
    expect(spreadRefresh(10_000, 0.5)).toBe(10_500);
    expect(spreadRefresh(0, 0.7)).toBe(0);
  });

  it('stays within the spread it is allowed (the first half of a sync window)', () => {
    expect(spreadRefresh(10 * HOUR, 0.5, 60_000)).toBe(10 * HOUR + 30_000);
    expect(spreadRefresh(10 * HOUR, 0.999, 0)).toBe(10 * HOUR);
  });

  it('spreads refreshes that would all fall due together', () => {
    const due = Array.from({ length: 1000 }, (_, i) => spreadRefresh(HOUR, i / 1000));
    const perMinute = new Map<number, number>();
    for (const ms of due) perMinute.set(Math.floor(ms / 60_000), (perMinute.get(Math.floor(ms / 60_000)) ?? 0) + 1);
    expect(perMinute.size).toBe(5);
    expect(Math.max(...perMinute.values())).toBe(200);
  });
});

describe('fetchFreshness', () => {
  const seen = T0 + 5;
  it('a first sync takes only values read after the operator saw the ExternalSecret', () => {
    expect(fetchFreshness(es(), T0 + 100, seen)).toEqual({ notBefore: seen, fresh: true });
  });

  it('a spec change or force-sync takes only values read after the operator saw it, never a version listing', () => {
    expect(fetchFreshness(es({}, { at: T0, stale: true }), T0 + 100, seen)).toEqual({ notBefore: seen, fresh: true });
    const forced = es({}, { at: T0 });
    forced.metadata.annotations = { a: 'b', 'force-sync': '1' };
    expect(fetchFreshness(forced, T0 + 100, seen)).toEqual({ notBefore: seen, fresh: true });
  });

  it('a periodic refresh takes a value read or confirmed within its own refresh interval', () => {
    expect(fetchFreshness(es({}, { at: T0 }), T0 + HOUR + 7, seen)).toEqual({ notBefore: T0 + 7, fresh: false });
    expect(fetchFreshness(es({ refreshInterval: '10m' }, { at: T0 }), T0 + HOUR, seen)).toEqual({ notBefore: T0 + HOUR - 600_000, fresh: false });
  });

  it('with no refresh interval, the repair of a Secret reads as a first sync would', () => {
    expect(fetchFreshness(es({ refreshInterval: '0' }, { at: T0 }), T0 + HOUR, seen)).toEqual({ notBefore: seen, fresh: true });
  });

  it('never asks for a value from the future when the time it was seen is unknown', () => {
    expect(fetchFreshness(es(), T0 + 100, undefined)).toEqual({ notBefore: T0 + 100, fresh: true });
  });
});

describe('ReadAheads', () => {
  const reading = (name: string, key: string, synced?: { at: number; stale?: boolean }, extra: Partial<ExternalSecret['spec']> = {}): ExternalSecret => {
    const e = es({ secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'v', remoteRef: { key } }], ...extra }, synced);
    e.metadata.name = name;
    return e;
  };
  const store = ref('SecretStore', 'aws', 'ns');

  it('names the default-version secrets of the store\'s ExternalSecrets whose last sync does not cover them, with the prefix and the latest time one was seen', () => {
    const self = reading('self', 'a');
    const fresh = reading('new', 'b');
    const forced = reading('forced', 'c', { at: T0, stale: true });
    const alsoB = reading('also-b', 'b');
    const current = reading('current', 'd', { at: T0 });
    const pinned = reading('pinned', 'e', undefined, { data: [{ secretKey: 'v', remoteRef: { key: 'e', version: 'uuid/1' } }] });
    const elsewhere = reading('elsewhere', 'f');
    elsewhere.metadata.namespace = 'other';
    const seen = new Map<ExternalSecret, number>([[fresh, 1], [forced, 2], [alsoB, 7], [current, 3], [pinned, 4], [elsewhere, 5], [self, 6]]);
    const aheads = new ReadAheads(new ManualClock(), () => [self, fresh, forced, alsoB, current, pinned, elsewhere], (e) => seen.get(e));
    expect([...aheads.for(self, store, 'team/').wanted()]).toEqual([
      { secretId: 'team/a', notBefore: 6 }, { secretId: 'team/b', notBefore: 7 }, { secretId: 'team/c', notBefore: 2 },
    ]);
  });

  it('lists, of an ExternalSecret that reads through several stores, only the entries of the store asked about', () => {
    const other = ref('ClusterSecretStore', 'shared');
    const mixed = reading('mixed', 'through-aws', undefined, {
      data: [
        { secretKey: 'a', remoteRef: { key: 'through-aws' } },
        { secretKey: 'b', remoteRef: { key: 'through-shared' }, sourceRef: { storeRef: { name: 'shared', kind: 'ClusterSecretStore' } } },
        // A sourceRef naming the ExternalSecret's own store is that store.
        { secretKey: 'c', remoteRef: { key: 'also-aws' }, sourceRef: { storeRef: { name: 'aws' } } },
      ],
    });
    // Named by a sourceRef only: its secretStoreRef is another store.
    const viaSource = reading('via-source', 'x', undefined, {
      secretStoreRef: { name: 'shared', kind: 'ClusterSecretStore' },
      data: [{ secretKey: 'v', remoteRef: { key: 'x' } }, { secretKey: 'w', remoteRef: { key: 'y' }, sourceRef: { storeRef: { name: 'aws', kind: 'SecretStore' } } }],
    });
    const aheads = new ReadAheads(new ManualClock(), () => [mixed, viaSource], () => 1);
    expect([...aheads.for(mixed, store, 'p/').wanted()].map((w) => w.secretId)).toEqual(['p/through-aws', 'p/also-aws', 'p/y']);
    expect([...aheads.for(mixed, other, '').wanted()].map((w) => w.secretId)).toEqual(['through-shared', 'x']);
    expect(aheads.for(mixed, store, '').key).not.toBe(aheads.for(mixed, other, '').key);
  });

  it('is the same for every ExternalSecret of one store in one namespace, so a batch asks it once', () => {
    const aheads = new ReadAheads(new ManualClock(), () => [], () => 1);
    const a = reading('a', 'x');
    const b = reading('b', 'y');
    const elsewhere = reading('c', 'z');
    elsewhere.metadata.namespace = 'other';
    expect(aheads.for(a, store, '').key).toBe(aheads.for(b, store, '').key);
    expect(aheads.for(elsewhere, store, '').key).not.toBe(aheads.for(a, store, '').key);
  });

  it('makes a store\'s list at most once a second, and skips ExternalSecrets the operator has not seen', () => {
    const clock = new ManualClock(T0);
    const members = [reading('a', 'x')];
    let made = 0;
    const seen = new Map<ExternalSecret, number>();
    const aheads = new ReadAheads(clock, () => (made++, members), (e) => seen.get(e));
    expect([...aheads.for(members[0]!, store, '').wanted()]).toEqual([]);
    seen.set(members[0]!, T0);
    expect([...aheads.for(members[0]!, store, '').wanted()]).toEqual([]);
    expect(made).toBe(1);
    clock.advance(1_000);
    expect([...aheads.for(members[0]!, store, '').wanted()]).toEqual([{ secretId: 'x', notBefore: T0 }]);
    expect(made).toBe(2);
  });
});

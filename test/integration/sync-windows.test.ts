import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyExternalSecret, awsName, createAwsSecrets, readyAs, storeNamespace } from './cases.ts';
import { decode, eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { ShiftedClock } from '../helpers/shifted-clock.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';

/** The operator's clock: the test sets its time next to a window's edge, its timers run as usual. */
const clock = new ShiftedClock();
let h: Harness;
beforeAll(async () => (h = await startHarness({ operator: { clock } })));
afterAll(async () => h?.close());

const MINUTE = 60_000;

/** The first whole minute at least `leadMs` after the operator's now: where a window can open. */
const minuteAhead = (leadMs: number): number => Math.ceil((clock.now() + leadMs) / MINUTE) * MINUTE;

/** A cron schedule firing every day at the UTC minute of `t`. */
const dailyAt = (t: number): string => `${new Date(t).getUTCMinutes()} ${new Date(t).getUTCHours()} * * *`;

const value = async (ns: string, name = 'es') => decode((await h.secret(ns, name))?.data).v;

/** An ExternalSecret copying one new AWS secret's `v` property, refreshed every second outside windows. */
async function windowed(prefix: string, syncWindows: Record<string, unknown>) {
  const ns = await storeNamespace(h, prefix);
  const key = awsName(prefix);
  await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
  await applyExternalSecret(h, ns, 'es', { refreshInterval: '1s', syncWindows, data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
  return { ns, key, first: await readyAs(h, ns, 'es', 'True') };
}

/** Waits for `name` to have synced at a refreshTime other than `before`'s, and returns it. */
const refreshedSince = (ns: string, name: string, before: any): Promise<any> =>
  eventually(async () => {
    const es = await h.externalSecret(ns, name);
    return es.status?.refreshTime !== before.status.refreshTime ? es : undefined;
  }, `a new sync of ${ns}/${name}`);

describe('syncWindows', () => {
  it('allow: the first sync runs at once; a due refresh waits for the window to open, then runs', async () => {
    const opens = minuteAhead(8_000);
    clock.jumpTo(opens - 8_000);
    const { ns, key, first } = await windowed('window-allow', { kind: 'allow', windows: [{ schedule: dailyAt(opens), duration: '1m' }] });
    expect(Date.parse(first.status.refreshTime), 'the first sync is not held back').toBeLessThan(opens);
    expect(await value(ns)).toBe('one');

    await h.putAwsSecret(key, '{"v":"two"}');
    // Due a second after the first sync, held back until the window opens some seconds later.
    const refreshed = await refreshedSince(ns, 'es', first);
    expect(Date.parse(refreshed.status.refreshTime), 'the periodic refresh ran inside the window').toBeGreaterThanOrEqual(opens);
    await eventually(async () => (await value(ns)) === 'two', 'the refreshed value');
  });

  it('deny: no periodic refresh inside the window, but a force-sync and a spec change run at once', async () => {
    const opened = minuteAhead(0);
    clock.jumpTo(opened + 1_000);
    const { ns, key, first } = await windowed('window-deny', { kind: 'deny', windows: [{ schedule: dailyAt(opened), duration: '1h' }] });
    await h.putAwsSecret(key, '{"v":"two"}');

    // The positive sign that the operator's timers have run: a sibling without windows, reading
    // the same secret every second, has refreshed three more times and holds the new value.
    await applyExternalSecret(h, ns, 'ticker', { refreshInterval: '1s', data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
    let ticker = await readyAs(h, ns, 'ticker', 'True');
    for (let i = 0; i < 3; i++) ticker = await refreshedSince(ns, 'ticker', ticker);
    expect(await value(ns, 'ticker')).toBe('two');
    // And a reconcile of the ExternalSecret itself while its refresh is due: a label on its Secret
    // wakes it (the Secret still holds what it wrote), and the operator has handled that write.
    const poked = await h.kube.request('PATCH', secrets.path(ns, 'es'), {
      body: { metadata: { labels: { poked: 'yes' } } },
      contentType: 'application/merge-patch+json',
    });
    await operatorCaughtUp(h, [poked]);
    const held = await h.externalSecret(ns, 'es');
    expect(held.status.refreshTime, 'no periodic refresh inside the deny window').toBe(first.status.refreshTime);
    expect(await value(ns)).toBe('one');

    await h.kube.request('PATCH', externalSecrets.path(ns, 'es'), {
      body: { metadata: { annotations: { 'force-sync': `${Date.now()}` } } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(async () => (await value(ns)) === 'two', 'the forced sync inside the deny window');

    await h.putAwsSecret(key, '{"v":"three"}');
    await h.kube.request('PATCH', externalSecrets.path(ns, 'es'), { body: { spec: { refreshInterval: '2s' } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => (await value(ns)) === 'three', 'the sync after a spec change inside the deny window');
  });

  it('a schedule that passes the schema but not Go\'s cron parser is Ready=False, naming the field', async () => {
    const ns = await storeNamespace(h, 'window-invalid');
    await applyExternalSecret(h, ns, 'es', {
      syncWindows: { kind: 'allow', windows: [{ schedule: '@daily', duration: '1h' }, { schedule: '0 0 * * 7', duration: '1h' }] },
      data: [{ secretKey: 'v', remoteRef: { key: awsName('never-read'), property: 'v' } }],
    });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    expect(readyCondition(es).message).toMatch(/InvalidSpec.*spec\.syncWindows\.windows\[1\]\.schedule: end of range \(7\) above maximum \(6\)/);
    expect(await h.secret(ns, 'es')).toBeUndefined();
  });

  it('the schema refuses what ESO\'s refuses, and a duration Go cannot read', async () => {
    const ns = await storeNamespace(h, 'window-schema');
    const verdict = async (syncWindows: unknown): Promise<string> => {
      try {
        await applyExternalSecret(h, ns, `v${Math.random().toString(36).slice(2, 8)}`, { syncWindows, data: [{ secretKey: 'v', remoteRef: { key: 'k' } }] });
        return 'accepted';
      } catch (err: any) {
        expect(err.status).toBe(422);
        return err.message;
      }
    };
    expect(await verdict({ kind: 'allow', windows: [{ schedule: '0 9 * *', duration: '1h' }] })).toMatch(/schedule/);
    expect(await verdict({ kind: 'allow', windows: [{ schedule: 'CRON_TZ=Europe/Paris 0 9 * * *', duration: '1h' }] })).toMatch(/schedule/);
    expect(await verdict({ kind: 'allow', windows: [{ schedule: '@reboot', duration: '1h' }] })).toMatch(/schedule/);
    expect(await verdict({ kind: 'allow', windows: [{ schedule: '0 9 * * *', duration: '1 day' }] })).toMatch(/duration in body should match/);
    expect(await verdict({ kind: 'sometimes', windows: [{ schedule: '0 9 * * *', duration: '1h' }] })).toMatch(/Unsupported value: "sometimes"/);
    expect(await verdict({ kind: 'allow', windows: [] })).toMatch(/windows/);
    expect(await verdict({ windows: [{ schedule: '0 9 * * *', duration: '1h' }] })).toMatch(/kind/);
    expect(await verdict({ kind: 'deny', windows: [{ schedule: '0 9 * * *' }] })).toMatch(/duration/);
    expect(await verdict({ kind: 'deny', windows: [{ schedule: '@every 90m', duration: '-1h' }, { schedule: '0 9 * * 1-5', duration: '8h' }] })).toBe('accepted');
  });
  it('a change reported in AWS waits for the window too, then refreshes at once', async () => {
    const opens = minuteAhead(8_000);
    clock.jumpTo(opens - 8_000);
    const ns = await storeNamespace(h, 'window-change');
    const key = awsName('window-change');
    await createAwsSecrets(h, [{ name: key, string: '{"v":"one"}' }]);
    // An hour's interval: only the reported change can refresh it within the test.
    await applyExternalSecret(h, ns, 'es', { refreshInterval: '1h', syncWindows: { kind: 'allow', windows: [{ schedule: dailyAt(opens), duration: '1m' }] }, data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
    const first = await readyAs(h, ns, 'es', 'True');
    await h.putAwsSecret(key, '{"v":"two"}');
    expect(h.operator.changes.changed([{ name: key }], { kind: 'operator' }, 'queue')).toBe(1);
    const refreshed = await refreshedSince(ns, 'es', first);
    expect(Date.parse(refreshed.status.refreshTime), 'the refresh for the change ran inside the window').toBeGreaterThanOrEqual(opens);
    expect(await value(ns)).toBe('two');
  });
});

import { describe, expect, it } from 'vitest';
import type { ExternalSecretSyncWindows } from '../../src/api/generated.ts';
import { MOST_DAYS_SEARCHED, MOST_FIRINGS, MOST_WINDOWS, nextPermission, refreshPermitted, syncWindowsOf, type SyncWindows } from '../../src/controllers/externalsecret/sync-windows.ts';
import { OperatorError } from '../../src/errors.ts';

const at = (iso: string): number => Date.parse(iso);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function windows(kind: 'allow' | 'deny', ...entries: Array<[string, string]>): SyncWindows {
  const block: ExternalSecretSyncWindows = { kind, windows: entries.map(([schedule, duration]) => ({ schedule, duration })) };
  return syncWindowsOf({ syncWindows: block })!;
}

/** ESO's own test window (syncwindow_test.go): every day at 22:00 UTC for two hours. */
const OPEN = at('2026-06-01T22:00:00Z');
const CLOSE = OPEN + 2 * HOUR;

describe('a window is open from each firing for its duration, both ends included (ESO syncwindow_test.go)', () => {
  const allow = windows('allow', ['0 22 * * *', '2h']);
  it.each([
    ['at window open (inclusive)', OPEN, true],
    ['inside window', OPEN + 30 * MINUTE, true],
    ['at window close (inclusive)', CLOSE, true],
    ['one second past window close', CLOSE + 1000, false],
    ['one millisecond past window close', CLOSE + 1, false],
    ['one hour before window opens', OPEN - HOUR, false],
    ['between two consecutive occurrences', OPEN + 5 * HOUR, false],
    ['inside the second occurrence (next day)', OPEN + 24 * HOUR + 30 * MINUTE, true],
  ])('%s', (_name, t, open) => {
    expect(refreshPermitted(allow, t)).toBe(open);
  });
});

describe('refreshPermitted (ESO isPeriodicRefreshAllowedByWindows)', () => {
  const inside = at('2026-06-01T23:00:00Z');
  const outside = at('2026-06-01T20:00:00Z');

  it('no windows, or an empty list, always permit', () => {
    expect(syncWindowsOf({})).toBeUndefined();
    expect(syncWindowsOf({ syncWindows: { kind: 'allow', windows: [] } })).toBeUndefined();
    expect(refreshPermitted(undefined, inside)).toBe(true);
  });

  it('allow: only while a window is open; deny: never while one is', () => {
    expect(refreshPermitted(windows('allow', ['0 22 * * *', '2h']), inside)).toBe(true);
    expect(refreshPermitted(windows('allow', ['0 22 * * *', '2h']), outside)).toBe(false);
    expect(refreshPermitted(windows('deny', ['0 22 * * *', '2h']), inside)).toBe(false);
    expect(refreshPermitted(windows('deny', ['0 22 * * *', '2h']), outside)).toBe(true);
  });

  it('several windows: allow needs any one open, deny blocks on any one open', () => {
    const allow = windows('allow', ['0 9 * * 1-5', '8h'], ['0 22 * * *', '2h']);
    expect(refreshPermitted(allow, at('2026-06-01T10:00:00Z'))).toBe(true); // Monday, business hours
    expect(refreshPermitted(allow, at('2026-06-06T10:00:00Z'))).toBe(false); // Saturday
    expect(refreshPermitted(allow, at('2026-06-06T23:30:00Z'))).toBe(true); // Saturday, nightly window
    const deny = windows('deny', ['0 9 * * 1-5', '8h'], ['0 2 * * 6', '2h']);
    expect(refreshPermitted(deny, at('2026-06-06T03:00:00Z'))).toBe(false);
    expect(refreshPermitted(deny, at('2026-06-06T10:00:00Z'))).toBe(true);
  });

  it('a window longer than its schedule period is open throughout, across occurrences', () => {
    const allow = windows('allow', ['0 * * * *', '90m']);
    for (let m = 0; m < 24 * 60; m += 7) expect(refreshPermitted(allow, OPEN + m * MINUTE + 123)).toBe(true);
  });

  it('a negative duration (Go parses "-1h") never opens', () => {
    expect(refreshPermitted(windows('allow', ['0 22 * * *', '-1h']), OPEN)).toBe(false);
    expect(refreshPermitted(windows('deny', ['0 22 * * *', '-1h']), OPEN)).toBe(true);
  });

  it('a schedule that never fires (February 30th) never opens', () => {
    expect(refreshPermitted(windows('allow', ['0 0 30 2 *', '24h']), at('2028-02-29T12:00:00Z'))).toBe(false);
    expect(refreshPermitted(windows('deny', ['0 0 30 2 *', '24h']), at('2028-02-29T12:00:00Z'))).toBe(true);
  });

  it('@every has no fixed start in robfig: open at every instant when the duration reaches the delay, else never', () => {
    expect(refreshPermitted(windows('allow', ['@every 1h', '1h']), outside)).toBe(true);
    expect(refreshPermitted(windows('allow', ['@every 1h', '59m']), inside)).toBe(false);
    expect(refreshPermitted(windows('deny', ['@every 30m', '1h']), outside)).toBe(false);
  });

  it('descriptors are UTC midnight and friends', () => {
    const daily = windows('allow', ['@daily', '1h']);
    expect(refreshPermitted(daily, at('2026-06-02T00:59:59Z'))).toBe(true);
    expect(refreshPermitted(daily, at('2026-06-02T01:00:01Z'))).toBe(false);
  });
});

describe('syncWindowsOf', () => {
  it('a schedule or duration Go cannot read is InvalidSpec naming the field (ESO ignores the window without a word)', () => {
    const spec = (schedule: string, duration: string) => ({ syncWindows: { kind: 'allow' as const, windows: [{ schedule: '@daily', duration: '1h' }, { schedule, duration }] } });
    const error = (fn: () => unknown): OperatorError => {
      try {
        fn();
      } catch (err) {
        return err as OperatorError;
      }
      throw new Error('no error');
    };
    const badSchedule = error(() => syncWindowsOf(spec('0 0 * * 7', '1h')));
    expect(badSchedule).toBeInstanceOf(OperatorError);
    expect(badSchedule.code).toBe('InvalidSpec');
    expect(badSchedule.message).toBe('spec.syncWindows.windows[1].schedule: end of range (7) above maximum (6): 7');
    const badDuration = error(() => syncWindowsOf(spec('0 22 * * *', '1 hour')));
    expect(badDuration.code).toBe('InvalidSpec');
    expect(badDuration.message).toMatch(/^spec\.syncWindows\.windows\[1\]\.duration: time: .*"1 hour"/);
  });

  it('more than MOST_WINDOWS windows is InvalidSpec (the CRDs cap them too; this holds for one stored before)', () => {
    const many = (n: number) => ({ syncWindows: { kind: 'deny' as const, windows: Array.from({ length: n }, () => ({ schedule: '@daily', duration: '1h' })) } });
    expect(syncWindowsOf(many(MOST_WINDOWS))!.windows).toHaveLength(MOST_WINDOWS);
    expect(() => syncWindowsOf(many(MOST_WINDOWS + 1))).toThrow(new OperatorError('InvalidSpec', `spec.syncWindows.windows: ${MOST_WINDOWS + 1} windows, more than the ${MOST_WINDOWS} this operator takes`));
  });

  it('reads a spec once: the same block gives the same windows', () => {
    const block: ExternalSecretSyncWindows = { kind: 'deny', windows: [{ schedule: '0 2 * * 6', duration: '2h' }] };
    expect(syncWindowsOf({ syncWindows: block })).toBe(syncWindowsOf({ syncWindows: block }));
  });
});

describe('nextPermission', () => {
  it('no windows: now, without end', () => {
    expect(nextPermission(undefined, OPEN)).toEqual({ at: OPEN, forMs: Infinity });
  });

  it('allow, closed: the next opening, for that window duration', () => {
    const allow = windows('allow', ['0 22 * * *', '2h'], ['30 21 * * 6', '10m']);
    expect(nextPermission(allow, at('2026-06-01T12:00:00Z'))).toEqual({ at: OPEN, forMs: 2 * HOUR });
    // Saturday: the 21:30 window opens first.
    expect(nextPermission(allow, at('2026-06-06T12:00:00Z'))).toEqual({ at: at('2026-06-06T21:30:00Z'), forMs: 10 * MINUTE });
  });

  it('allow, open: now, until the window closes', () => {
    expect(nextPermission(windows('allow', ['0 22 * * *', '2h']), OPEN + HOUR)).toEqual({ at: OPEN + HOUR, forMs: HOUR });
  });

  it('allow windows that never open: none', () => {
    expect(nextPermission(windows('allow', ['0 0 30 2 *', '1h'], ['0 22 * * *', '-1h'], ['@every 2h', '1h']), OPEN)).toBeUndefined();
  });

  it('deny, open: the first millisecond after the overlapping windows have all closed, until the next opens', () => {
    const deny = windows('deny', ['0 1 * * *', '2h'], ['0 2 * * *', '2h'], ['0 12 * * *', '1h']);
    const free = at('2026-06-01T04:00:00Z') + 1;
    expect(nextPermission(deny, at('2026-06-01T01:30:00Z'))).toEqual({ at: free, forMs: at('2026-06-01T12:00:00Z') - free });
  });

  it('deny, closed: now, until a window opens; a window that never opens does not end it', () => {
    const t = at('2026-06-01T05:00:00Z');
    expect(nextPermission(windows('deny', ['0 12 * * *', '1h']), t)).toEqual({ at: t, forMs: 7 * HOUR });
    expect(nextPermission(windows('deny', ['0 0 30 2 *', '1h']), t)).toEqual({ at: t, forMs: Infinity });
  });

  it('deny windows that cover all time: a bounded search that answers where it got to, as a time to look again', () => {
    const endless = windows('deny', ['0 * * * *', '90m']);
    const found = nextPermission(endless, OPEN)!;
    expect(found.forMs).toBe(0);
    expect(found.at).toBeGreaterThan(OPEN + (MOST_FIRINGS - 1) * HOUR);
    expect(refreshPermitted(endless, found.at)).toBe(false);
    expect(nextPermission(windows('deny', ['@every 1m', '1h']), OPEN)).toBeUndefined();
  });

  // Review 2c's input: a deny window that leaves no gap, and many that fire only on February 29th. Every
  // firing of the first asks each of the others for its next firing, a year or more of days away.
  const leapDays = (n: number): Array<[string, string]> => Array.from({ length: n }, (_, k): [string, string] => [`${k} 0 29 2 *`, '1m']);

  it('deny: many rarely firing windows end the search on its day budget, past `from`, as a time to look again', () => {
    const from = at('2026-12-03T08:00:00Z');
    const heavy = windows('deny', ['* * * * *', '1m'], ...leapDays(MOST_WINDOWS - 1));
    // Without the rare windows the search runs to the firing bound (the window that fired at 07:59
    // closes at 08:00, so its first step reaches only one millisecond on)...
    const light = nextPermission(windows('deny', ['* * * * *', '1m']), from)!;
    expect(light).toEqual({ at: from + (MOST_FIRINGS - 1) * MINUTE + 1, forMs: 0 });
    // ...with them, whose firings are the same, the day budget stops it sooner.
    const found = nextPermission(heavy, from)!;
    expect(found.forMs).toBe(0);
    expect(found.at).toBeGreaterThan(from);
    expect(found.at).toBeLessThan(light.at);
    expect(refreshPermitted(heavy, found.at)).toBe(false);
  });

  it('the day budget covers MOST_WINDOWS windows that never fire, twice over: an allow search with them still answers none', () => {
    expect(MOST_DAYS_SEARCHED).toBeGreaterThanOrEqual(2 * MOST_WINDOWS * 6 * 366);
    const never = Array.from({ length: MOST_WINDOWS }, (): [string, string] => ['0 0 30 2 *', '1h']);
    expect(nextPermission(windows('allow', ...never), OPEN)).toBeUndefined();
    expect(nextPermission(windows('deny', ...never), OPEN)).toEqual({ at: OPEN, forMs: Infinity });
  });
});

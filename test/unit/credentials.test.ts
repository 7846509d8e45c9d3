import { describe, expect, it } from 'vitest';
import { memoizeCredentials } from '../../src/aws/credentials.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const MINUTE = 60_000;

describe('memoizeCredentials', () => {
  it('shares one fetch between concurrent callers', async () => {
    const clock = new ManualClock(0);
    let fetches = 0;
    const provider = memoizeCredentials(async () => {
      fetches++;
      await new Promise((r) => setImmediate(r));
      return { accessKeyId: `k${fetches}`, secretAccessKey: 's', expiration: new Date(60 * MINUTE) };
    }, clock);
    const results = await Promise.all(Array.from({ length: 10 }, () => provider()));
    expect(fetches).toBe(1);
    expect(new Set(results.map((r) => r.accessKeyId))).toEqual(new Set(['k1']));
  });

  it('reuses credentials until five minutes before they expire, then refreshes', async () => {
    const clock = new ManualClock(0);
    let fetches = 0;
    const provider = memoizeCredentials(async () => {
      fetches++;
      return { accessKeyId: `k${fetches}`, secretAccessKey: 's', expiration: new Date(clock.now() + 60 * MINUTE) };
    }, clock);
    expect((await provider()).accessKeyId).toBe('k1');
    clock.advance(54 * MINUTE);
    expect((await provider()).accessKeyId).toBe('k1');
    clock.advance(1 * MINUTE + 1);
    expect((await provider()).accessKeyId).toBe('k2');
    expect(fetches).toBe(2);
  });

  it('does not cache a failure: the next call tries again', async () => {
    const clock = new ManualClock(0);
    let fetches = 0;
    const provider = memoizeCredentials(async () => {
      fetches++;
      if (fetches === 1) throw new Error('sts down');
      return { accessKeyId: 'k', secretAccessKey: 's' };
    }, clock);
    await expect(provider()).rejects.toThrow('sts down');
    expect((await provider()).accessKeyId).toBe('k');
  });
});

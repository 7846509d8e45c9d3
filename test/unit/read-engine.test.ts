import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import type { FetchedSecret, Freshness } from '../../src/aws/provider.ts';
import { ReadEngine, type BatchAnswer, type ServiceReads } from '../../src/aws/read-engine.ts';
import { ValueCache, valueKey } from '../../src/aws/value-cache.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const WINDOW_MS = 5;
const key = (id: string) => valueKey(id, 'AWSCURRENT');

/** A service of values by id, each also reachable by an ARN; every call is recorded and answered when the test says (a single read with the value as it was when sent). */
function setup() {
  const clock = new ManualClock(1_000_000);
  const values = new Map<string, string>();
  const calls: string[][] = [];
  const pending: Array<() => void> = [];
  let batchFailure: unknown;
  const arnOf = (id: string) => `arn:aws:svc:${id}`;
  const idOf = (asked: string) => asked.replace('arn:aws:svc:', '');
  const service: ServiceReads = {
    batchSize: 3,
    batchWindowMs: WINDOW_MS,
    batchOperation: 'GetParameters',
    readBatch: (ids) => new Promise<BatchAnswer>((resolve, reject) => {
      calls.push(ids);
      pending.push(() => {
        if (batchFailure) return reject(batchFailure);
        const known = ids.filter((asked) => values.has(idOf(asked)));
        resolve({
          // Answered by name and ARN, whichever way it was asked.
          found: known.map((asked) => ({ name: idOf(asked), arn: arnOf(idOf(asked)), secret: { name: idOf(asked), secretString: values.get(idOf(asked)) } })),
          failed: ids.filter((asked) => !values.has(idOf(asked))).map((id) => ({ id, error: new OperatorError('AWSSecretNotFound', `${id} not found`) })),
        });
      });
    }),
    readOne: (id) => new Promise<FetchedSecret>((resolve, reject) => {
      calls.push([`one:${id}`]);
      // The value as it was when the call was sent.
      const value = values.get(idOf(id));
      pending.push(() => (value !== undefined ? resolve({ name: idOf(id), secretString: value }) : reject(new OperatorError('AWSSecretNotFound', 'gone'))));
    }),
    deniedMessage: () => 'denied',
  };
  const engine = new ReadEngine({ role: undefined, values: new ValueCache().identity(), clock, log: pino({ level: 'silent' }) }, service);
  /** Answers every call sent so far, and lets the answers settle. */
  const answer = async () => {
    while (pending.length > 0) pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { clock, values, calls, engine, answer, failBatches: (error: unknown) => (batchFailure = error) };
}

const fresh = (clock: ManualClock): Freshness => ({ notBefore: clock.now(), fresh: true });

describe('ReadEngine', () => {
  it('gives each asker the answer to the id it asked by, name or ARN, and a failure to its own asker only', async () => {
    const { clock, values, calls, engine, answer } = setup();
    values.set('a', 'A');
    values.set('b', 'B');
    const byName = engine.read(key('a'), fresh(clock));
    const byArn = engine.read(key('arn:aws:svc:b'), fresh(clock));
    const missing = engine.read(key('c'), fresh(clock));
    clock.advance(WINDOW_MS);
    await answer();
    expect(calls).toEqual([['a', 'arn:aws:svc:b', 'c']]);
    expect((await byName).secretString).toBe('A');
    expect((await byArn).secretString).toBe('B');
    await expect(missing).rejects.toMatchObject({ code: 'AWSSecretNotFound' });
  });

  it('fails every asker of a throttled batch and keeps their cached values for the next reads', async () => {
    const { clock, values, calls, engine, answer, failBatches } = setup();
    values.set('a', 'A1');
    values.set('b', 'B1');
    const first = [engine.read(key('a'), fresh(clock)), engine.read(key('b'), fresh(clock))];
    clock.advance(WINDOW_MS);
    await answer();
    await Promise.all(first);
    clock.advance(1_000);
    failBatches(new OperatorError('AWSThrottled', 'slow down'));
    const again = [engine.read(key('a'), fresh(clock)), engine.read(key('b'), fresh(clock))];
    clock.advance(WINDOW_MS);
    await answer();
    for (const read of again) await expect(read).rejects.toMatchObject({ code: 'AWSThrottled' });
    expect(calls).toHaveLength(2);
    // Throttling says nothing about the values: a periodic refresh still takes them.
    const periodic: Freshness = { notBefore: clock.now() - 60_000, fresh: false };
    expect((await engine.read(key('a'), periodic)).secretString).toBe('A1');
    expect(calls).toHaveLength(2);
  });

  it('after forget, a call already sent answers its own askers only: a later asker gets a read sent after the change', async () => {
    const { clock, values, calls, engine, answer } = setup();
    values.set('v', 'old');
    const before = engine.read(key('v'), fresh(clock));
    clock.advance(WINDOW_MS);
    expect(calls).toEqual([['one:v']]);
    // AWS changes the value and says so before the call sent answers.
    values.set('v', 'new');
    engine.forget((k) => k === key('v'));
    const after = engine.read(key('v'), { notBefore: clock.now() - 1, fresh: true });
    clock.advance(WINDOW_MS);
    expect(calls).toEqual([['one:v'], ['one:v']]);
    await answer();
    expect((await before).secretString).toBe('old');
    expect((await after).secretString).toBe('new');
    // The call sent before the change did not leave its value in the cache.
    expect((await engine.read(key('v'), { notBefore: clock.now() - 60_000, fresh: false })).secretString).toBe('new');
    expect(calls).toHaveLength(2);
  });
});

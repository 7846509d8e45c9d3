import { GetParameterCommand, GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { fromSsmError } from '../../src/aws/parameter-errors.ts';
import { ParameterFetcher, PARAMETER_BATCH_WINDOW_MS } from '../../src/aws/parameter-fetcher.ts';
import type { Freshness } from '../../src/aws/provider.ts';
import { ValueCache } from '../../src/aws/value-cache.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

/** A stand-in for SSM holding parameters by name, with versions; it records every call. */
class FakeSsm {
  readonly calls: Array<{ action: string; input: any }> = [];
  readonly params = new Map<string, string[]>();
  deny = new Set<string>();

  put(name: string, ...values: string[]): void {
    this.params.set(name, values);
  }

  asClient(): SSMClient {
    return { send: async (command: any) => this.send(command) } as unknown as SSMClient;
  }

  private async send(command: any): Promise<any> {
    const action = command instanceof GetParametersCommand ? 'GetParameters' : command instanceof GetParameterCommand ? 'GetParameter' : 'other';
    this.calls.push({ action, input: command.input });
    if (this.deny.has(action)) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    if (action === 'GetParameters') {
      const names: string[] = command.input.Names;
      expect(names.length).toBeLessThanOrEqual(10);
      return {
        Parameters: names.filter((n) => this.params.has(n)).map((n) => this.answer(n, this.params.get(n)!.length)),
        InvalidParameters: names.filter((n) => !this.params.has(n)),
      };
    }
    const [name, version] = String(command.input.Name).split(':');
    const versions = this.params.get(name!);
    if (!versions) throw Object.assign(new Error('x'), { name: 'ParameterNotFound' });
    const v = version === undefined ? versions.length : Number(version);
    if (!(v >= 1 && v <= versions.length)) throw Object.assign(new Error('x'), { name: 'ParameterVersionNotFound' });
    return { Parameter: this.answer(name!, v) };
  }

  private answer(name: string, version: number): any {
    return { Name: name, Version: version, Value: this.params.get(name)![version - 1], Type: 'String' };
  }
}

function setup() {
  const clock = new ManualClock(1_000_000);
  const ssm = new FakeSsm();
  const fallbacks: string[] = [];
  const fetcher = new ParameterFetcher({
    client: ssm.asClient(), role: undefined, values: new ValueCache().identity(), clock, log: pino({ level: 'silent' }),
    hooks: { onFallback: (op) => fallbacks.push(op) },
  });
  return { clock, ssm, fetcher, fallbacks };
}

const fresh = (clock: ManualClock): Freshness => ({ notBefore: clock.now(), fresh: true });
/** Lets the awaited fake calls settle. */
const settle = () => new Promise((r) => setImmediate(r));

describe('ParameterFetcher', () => {
  it('reads latest-version parameters arriving together in GetParameters of at most 10 names, decrypted', async () => {
    const { clock, ssm, fetcher } = setup();
    const names = Array.from({ length: 23 }, (_, i) => `/app/p${i}`);
    for (const [i, n] of names.entries()) ssm.put(n, `v${i}`);
    const reads = names.map((key) => fetcher.get({ key }, fresh(clock)));
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    const values = await Promise.all(reads);
    expect(values.map((v) => v.secretString)).toEqual(names.map((_, i) => `v${i}`));
    expect(ssm.calls.map((c) => [c.action, c.input.Names.length, c.input.WithDecryption])).toEqual([
      ['GetParameters', 10, true], ['GetParameters', 10, true], ['GetParameters', 3, true],
    ]);
  });

  it('answers a name GetParameters lists as invalid with AWSSecretNotFound, to that asker only', async () => {
    const { clock, ssm, fetcher } = setup();
    ssm.put('/a', 'A');
    const a = fetcher.get({ key: '/a' }, fresh(clock));
    const gone = fetcher.get({ key: '/gone' }, fresh(clock));
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    expect((await a).secretString).toBe('A');
    await expect(gone).rejects.toMatchObject({ code: 'AWSSecretNotFound' });
    expect(ssm.calls).toHaveLength(1);
  });

  it('reads a version or label alone, as name:version, and keeps it apart from the latest value', async () => {
    const { clock, ssm, fetcher } = setup();
    ssm.put('/v', 'one', 'two');
    const first = fetcher.get({ key: '/v', version: '1' }, fresh(clock));
    await settle();
    expect(ssm.calls).toEqual([{ action: 'GetParameter', input: { Name: '/v:1', WithDecryption: true } }]);
    expect((await first).secretString).toBe('one');
    const latest = fetcher.get({ key: '/v' }, fresh(clock));
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    expect((await latest).secretString).toBe('two');
    await expect(fetcher.get({ key: '/v', version: '9' }, fresh(clock))).rejects.toMatchObject({ code: 'AWSVersionNotFound' });
  });

  it('serves a cached value as recent as the asker demands, and joins a read in flight', async () => {
    const { clock, ssm, fetcher } = setup();
    ssm.put('/c', 'x');
    const one = fetcher.get({ key: '/c' }, fresh(clock));
    const joined = fetcher.get({ key: '/c' }, fresh(clock));
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    await Promise.all([one, joined]);
    expect(ssm.calls).toHaveLength(1);
    clock.advance(60_000);
    // A periodic refresh with a 1h interval takes the value read a minute ago.
    await fetcher.get({ key: '/c' }, { notBefore: clock.now() - 3_600_000, fresh: false });
    expect(ssm.calls).toHaveLength(1);
    // A first sync, which needs a value read from now on, does not.
    const again = fetcher.get({ key: '/c' }, fresh(clock));
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    await again;
    expect(ssm.calls).toHaveLength(2);
  });

  it('fills a batch with the parameters other ExternalSecrets of the store will ask for', async () => {
    const { clock, ssm, fetcher } = setup();
    for (const n of ['/r/a', '/r/b', '/r/c']) ssm.put(n, n);
    const asker: Freshness = { ...fresh(clock), alsoWanted: { key: 'ns/store', wanted: () => [{ secretId: '/r/b', notBefore: clock.now() }, { secretId: '/r/c', notBefore: clock.now() }] } };
    const a = fetcher.get({ key: '/r/a' }, asker);
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    await a;
    expect(ssm.calls.map((c) => c.input.Names)).toEqual([['/r/a', '/r/b', '/r/c']]);
    await settle();
    // The others then find theirs in the cache.
    await fetcher.get({ key: '/r/c' }, { notBefore: clock.now() - 1, fresh: true });
    expect(ssm.calls).toHaveLength(1);
  });

  it('fills a periodic refresh\'s batch with cached values as stale as the one re-read: 100 parameters, 10 calls', async () => {
    const { clock, ssm, fetcher } = setup();
    const names = Array.from({ length: 100 }, (_, i) => `/s/p${String(i).padStart(3, '0')}`);
    for (const n of names) ssm.put(n, `${n}=1`);
    const first = names.map((key) => fetcher.get({ key }, fresh(clock)));
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    await Promise.all(first);
    expect(ssm.calls).toHaveLength(10);
    for (const n of names) ssm.put(n, `${n}=2`);
    clock.advance(3_600_000);
    // Each ExternalSecret's periodic refresh (1h interval) comes on its own, one after another.
    const periodic = () => ({ notBefore: clock.now() - 3_600_000 + 1, fresh: false });
    for (const key of names) {
      const read = fetcher.get({ key }, periodic());
      clock.advance(PARAMETER_BATCH_WINDOW_MS);
      expect((await read).secretString).toBe(`${key}=2`);
      await settle();
    }
    const refresh = ssm.calls.slice(10);
    expect(refresh.map((c) => [c.action, c.input.Names.length])).toEqual(Array.from({ length: 10 }, () => ['GetParameters', 10]));
    expect(refresh.flatMap((c) => c.input.Names).sort()).toEqual(names);
  });

  it('refused GetParameters, reads one parameter per call for an hour, and says so once', async () => {
    const { clock, ssm, fetcher, fallbacks } = setup();
    ssm.put('/d1', '1');
    ssm.put('/d2', '2');
    ssm.deny.add('GetParameters');
    const reads = [fetcher.get({ key: '/d1' }, fresh(clock)), fetcher.get({ key: '/d2' }, fresh(clock))];
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    expect((await Promise.all(reads)).map((v) => v.secretString)).toEqual(['1', '2']);
    clock.advance(1_000);
    const later = [fetcher.get({ key: '/d1' }, fresh(clock)), fetcher.get({ key: '/d2' }, fresh(clock))];
    clock.advance(PARAMETER_BATCH_WINDOW_MS);
    await Promise.all(later);
    expect(ssm.calls.map((c) => c.action)).toEqual(['GetParameters', 'GetParameter', 'GetParameter', 'GetParameter', 'GetParameter']);
    expect(fallbacks).toEqual(['GetParameters']);
  });
});

describe('fromSsmError', () => {
  const ctx = { action: 'GetParameter', key: '/p', role: 'arn:aws:iam::1:role/r' };
  const err = (name: string, status = 400) => Object.assign(new Error('AWS says: secret-ish body'), { name, $metadata: { httpStatusCode: status } });

  it('maps SSM errors to reason codes as ESO treats them, never quoting AWS', () => {
    const cases: Array<[string, string]> = [
      ['ParameterNotFound', 'AWSSecretNotFound'],
      ['ParameterVersionNotFound', 'AWSVersionNotFound'],
      ['InvalidResourceId', 'AWSRequestFailed'],
      ['InvalidKeyId', 'AWSDecryptionFailure'],
      ['AccessDeniedException', 'AWSAccessDenied'],
      ['ThrottlingException', 'AWSThrottled'],
    ];
    for (const [name, code] of cases) {
      const mapped = fromSsmError(err(name), ctx);
      expect(mapped).toBeInstanceOf(OperatorError);
      expect([name, mapped.code]).toEqual([name, code]);
      expect(mapped.message).not.toContain('secret-ish body');
    }
    expect(fromSsmError(err('AccessDeniedException'), ctx).message).toContain('grant ssm:GetParameter on it');
    expect(fromSsmError(err('Whatever', 403), ctx).code).toBe('AWSAccessDenied');
    const other = fromSsmError(err('ValidationException'), ctx);
    expect([other.code, other.message]).toEqual(['AWSRequestFailed', 'GetParameter parameter "/p" as arn:aws:iam::1:role/r failed: ValidationException (HTTP 400)']);
    expect(fromSsmError(err('ExpiredTokenException'), ctx).code).toBe('AWSAuthenticationFailed');
  });
});

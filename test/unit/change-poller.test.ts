import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { PolledVersion, PolledVersions } from '../../src/aws/version-listing.ts';
import { changePollIntervalFrom, ChangePoller, type PollOutcome } from '../../src/changes/change-poller.ts';
import type { ChangeScope, SecretChange, StoreReads } from '../../src/changes/secret-change.ts';
import { ANNOTATION_CHANGE_POLL } from '../../src/changes/store-settings.ts';
import type { AnyStore } from '../../src/controllers/secretstore/validate.ts';
import { OperatorError } from '../../src/errors.ts';
import { refKey, type ObjectRef } from '../../src/kube/object-ref.ts';
import { createLogger } from '../../src/log.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const SECOND = 1_000;

function store(name: string, namespace: string | undefined, annotations?: Record<string, string>): AnyStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: namespace ? 'SecretStore' : 'ClusterSecretStore',
    metadata: { name, ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } } },
  } as AnyStore;
}
const refOf = (s: AnyStore): ObjectRef => ({ kind: s.kind, ...(s.metadata.namespace ? { namespace: s.metadata.namespace } : {}), name: s.metadata.name });

const current = (versionId: string, name?: string): PolledVersion => ({ state: 'current', versionId, ...(name ? { name } : {}) });

interface Answer {
  versions?: Record<string, PolledVersion>;
  cached?: Record<string, string>;
  listed?: Record<string, string>;
  failure?: unknown;
}

/** A poller over fake reads, stores and AWS, on a manual clock; each poll is answered from `aws`. */
function setup(options: { defaultMs?: number; random?: number } = {}) {
  const clock = new ManualClock(1_000_000);
  const stores = new Map<string, AnyStore>();
  let reads: StoreReads[] = [];
  const delivered: Array<{ changes: SecretChange[]; scope: ChangeScope }> = [];
  const polls: Array<{ store: string; namespace: string; ids: readonly string[]; namesWanted: boolean; at: number }> = [];
  const outcomes: PollOutcome[] = [];
  const logLines: string[] = [];
  /** What AWS answers the next poll of a namespace with (a function may throw). */
  const aws = new Map<string, Answer | (() => Answer | Promise<Answer>)>();
  const log = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _e, done) { logLines.push(String(chunk)); done(); } }) });
  const poller = new ChangePoller({
    reads: { storeReads: () => reads },
    sink: { changed: (changes, scope) => (delivered.push({ changes: [...changes], scope }), changes.length) },
    store: (ref) => stores.get(refKey(ref)),
    poll: async (s, namespace, ids, namesWanted) => {
      polls.push({ store: s.metadata.name, namespace, ids, namesWanted, at: clock.now() });
      const found = aws.get(namespace) ?? {};
      const answer = typeof found === 'function' ? await found() : found;
      const result: PolledVersions = {
        versions: new Map(Object.entries(answer.versions ?? {})),
        cached: new Map(Object.entries(answer.cached ?? {})),
      };
      if (answer.listed) result.listed = new Map(Object.entries(answer.listed));
      if (answer.failure !== undefined) result.failure = answer.failure;
      return result;
    },
    defaults: { ...(options.defaultMs ? { pollIntervalMs: options.defaultMs } : {}) },
    clock,
    log,
    random: () => options.random ?? 0,
    onPoll: (outcome) => outcomes.push(outcome),
  });
  return {
    clock, poller, delivered, polls, outcomes, logLines, aws,
    addStore(s: AnyStore): ObjectRef {
      stores.set(refKey(refOf(s)), s);
      return refOf(s);
    },
    setReads(next: StoreReads[]) {
      reads = next;
    },
    /** Moves time on and lets the polls it started finish. */
    async advance(ms: number) {
      clock.advance(ms);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

describe('ChangePoller', () => {
  it('reports each secret whose version moved since the last poll, once, scoped to the store and namespace', async () => {
    const t = setup({ defaultMs: 30 * SECOND });
    const ref = t.addStore(store('aws', 'team-a'));
    t.setReads([{ store: ref, namespace: 'team-a', secretIds: ['db', 'api'], finds: false }]);
    t.aws.set('team-a', { versions: { db: current('v1'), api: current('a1') }, cached: { db: 'v1', api: 'a1' } });
    t.poller.start();
    await t.advance(0);
    expect(t.polls.map((p) => p.ids)).toEqual([['db', 'api']]);
    expect(t.delivered).toEqual([]);
    expect(t.outcomes).toEqual(['unchanged']);

    t.aws.set('team-a', { versions: { db: current('v2'), api: current('a1') }, cached: { db: 'v2', api: 'a1' } });
    await t.advance(30 * SECOND);
    expect(t.delivered).toEqual([{ changes: [{ name: 'db', region: 'eu-west-1' }], scope: { kind: 'store', store: ref, namespace: 'team-a' } }]);
    expect(t.outcomes.at(-1)).toBe('changed');

    // Still v2 at the next poll: nothing more to report.
    await t.advance(30 * SECOND);
    expect(t.polls).toHaveLength(3);
    expect(t.delivered).toHaveLength(1);
    t.poller.stop();
  });

  it('compares a first poll with the value the fetch engine holds, and only remembers an id it holds none of', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', 'ns'));
    t.setReads([{ store: ref, namespace: 'ns', secretIds: ['moved', 'uncached'], finds: false }]);
    t.aws.set('ns', { versions: { moved: current('v2'), uncached: current('u1') }, cached: { moved: 'v1' } });
    t.poller.start();
    await t.advance(0);
    expect(t.delivered.map((d) => d.changes)).toEqual([[{ name: 'moved', region: 'eu-west-1' }]]);

    t.aws.set('ns', { versions: { moved: current('v2'), uncached: current('u2') } });
    await t.advance(10 * SECOND);
    expect(t.delivered.map((d) => d.changes)).toEqual([[{ name: 'moved', region: 'eu-west-1' }], [{ name: 'uncached', region: 'eu-west-1' }]]);
    t.poller.stop();
  });

  it('reports a secret that went, and again when it is back, but not while it stays gone', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', 'ns'));
    t.setReads([{ store: ref, namespace: 'ns', secretIds: ['s'], finds: false }]);
    const answers: Answer[] = [
      { versions: { s: current('v1') }, cached: { s: 'v1' } },
      { versions: { s: { state: 'gone' } } },
      { versions: { s: { state: 'gone' } } },
      { versions: { s: current('v9') } },
    ];
    t.aws.set('ns', () => answers.shift()!);
    t.poller.start();
    for (let i = 0; i < 4; i++) await t.advance(i === 0 ? 0 : 10 * SECOND);
    expect(t.polls).toHaveLength(4);
    expect(t.delivered.map((d) => d.changes.map((c) => c.name))).toEqual([['s'], ['s']]);
    expect(t.outcomes).toEqual(['unchanged', 'changed', 'unchanged', 'changed']);
    t.poller.stop();
  });

  it('starts each store at a random point of its first interval, then polls it every interval, all its namespaces together', async () => {
    const t = setup({ defaultMs: 40 * SECOND, random: 0.25 });
    const cluster = t.addStore(store('shared', undefined));
    const own = t.addStore(store('own', 'c', { [ANNOTATION_CHANGE_POLL]: '20s' }));
    t.setReads([
      { store: cluster, namespace: 'a', secretIds: ['x'], finds: false },
      { store: cluster, namespace: 'b', secretIds: ['y'], finds: false },
      { store: own, namespace: 'c', secretIds: ['z'], finds: false },
    ]);
    const start = t.clock.now();
    t.poller.start();
    await t.advance(0);
    expect(t.polls).toEqual([]);
    // In steps, so that each poll finishes before the next is due.
    for (let i = 0; i < 12; i++) await t.advance(5 * SECOND);
    const at = (name: string) => t.polls.filter((p) => p.store === name).map((p) => `${p.namespace}@${(p.at - start) / SECOND}`);
    // A quarter into the first interval, then every interval.
    expect(at('shared')).toEqual(['a@10', 'b@10', 'a@50', 'b@50']);
    expect(at('own')).toEqual(['c@5', 'c@25', 'c@45']);
    t.poller.stop();
    await t.advance(60 * SECOND);
    expect(t.polls).toHaveLength(7);
  });

  it('does not poll a store whose annotation is 0, nor any store when there is no interval, nor reads of pinned versions only, and says once why an annotation is refused', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const off = t.addStore(store('off', 'a', { [ANNOTATION_CHANGE_POLL]: '0' }));
    const bad = t.addStore(store('bad', 'b', { [ANNOTATION_CHANGE_POLL]: '5s' }));
    t.setReads([{ store: off, namespace: 'a', secretIds: ['x'], finds: false }, { store: bad, namespace: 'b', secretIds: ['y'], finds: false }]);
    t.poller.start();
    await t.advance(60 * SECOND);
    expect(t.polls).toEqual([]);
    expect(t.logLines.filter((l) => l.includes('not polling for changes')).length).toBe(1);
    expect(t.logLines.find((l) => l.includes('not polling'))).toContain('shorter than the shortest change poll, 10s');
    t.poller.stop();

    const none = setup();
    none.setReads([{ store: none.addStore(store('plain', 'a')), namespace: 'a', secretIds: ['x'], finds: false }]);
    none.poller.start();
    await none.advance(60 * SECOND);
    expect(none.polls).toEqual([]);
    none.poller.stop();

    // Nothing current read (pinned versions, tags) and no find: nothing to poll.
    const pinned = setup({ defaultMs: 10 * SECOND });
    pinned.setReads([{ store: pinned.addStore(store('aws', 'a')), namespace: 'a', secretIds: [], finds: false }]);
    pinned.poller.start();
    await pinned.advance(60 * SECOND);
    expect(pinned.polls).toEqual([]);
    pinned.poller.stop();
  });

  it('forgets pairs and ids as the reads stop, and polls a pair as it comes', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', undefined));
    t.setReads([{ store: ref, namespace: 'a', secretIds: ['x', 'y'], finds: false }]);
    t.aws.set('a', { versions: { x: current('x1'), y: current('y1') } });
    t.poller.start();
    await t.advance(0);

    t.setReads([{ store: ref, namespace: 'b', secretIds: ['x'], finds: false }]);
    t.aws.set('b', { versions: { x: current('x1') } });
    await t.advance(10 * SECOND);
    expect(t.polls.map((p) => p.namespace)).toEqual(['a', 'b']);

    // y is read again in a, after a was forgotten: its first poll only remembers it.
    t.setReads([{ store: ref, namespace: 'a', secretIds: ['y'], finds: false }]);
    t.aws.set('a', { versions: { y: current('y2') } });
    await t.advance(10 * SECOND);
    expect(t.delivered).toEqual([]);

    // Within a pair too: z stops being read, then is read again, changed meanwhile; only remembered anew.
    const b = (ids: string[]) => t.setReads([{ store: ref, namespace: 'b', secretIds: ids, finds: false }]);
    b(['x', 'z']);
    t.aws.set('b', { versions: { x: current('x1'), z: current('z1') } });
    await t.advance(10 * SECOND);
    b(['x']);
    await t.advance(10 * SECOND);
    b(['x', 'z']);
    t.aws.set('b', { versions: { x: current('x1'), z: current('z2') } });
    await t.advance(10 * SECOND);
    expect(t.delivered).toEqual([]);

    t.setReads([]);
    await t.advance(10 * SECOND);
    expect(t.polls).toHaveLength(6);
    t.poller.stop();
  });

  it('logs a failing poll once until it works again, counts every failure, and still reports what a partial poll learned', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', 'ns'));
    t.setReads([{ store: ref, namespace: 'ns', secretIds: ['a', 'b'], finds: false }]);
    const throttled = new OperatorError('AWSThrottled', 'BatchGetSecretValue the request: throttled by AWS; retrying with backoff');
    const answers: Array<() => Answer> = [
      () => ({ versions: { a: current('a1'), b: current('b1') } }),
      () => { throw throttled; },
      () => { throw throttled; },
      () => ({ versions: { a: current('a2') }, failure: throttled }),
      () => ({ versions: { a: current('a2'), b: current('b1') } }),
    ];
    t.aws.set('ns', () => answers.shift()!());
    t.poller.start();
    for (let i = 0; i < 5; i++) await t.advance(i === 0 ? 0 : 10 * SECOND);
    expect(t.outcomes).toEqual(['unchanged', 'error', 'error', 'error', 'unchanged']);
    expect(t.delivered.map((d) => d.changes.map((c) => c.name))).toEqual([['a']]);
    expect(t.logLines.filter((l) => l.includes('change poll failed')).length).toBe(1);
    expect(t.logLines.find((l) => l.includes('change poll failed'))).toContain('AWSThrottled');
    expect(t.logLines.filter((l) => l.includes('change poll works again')).length).toBe(1);
    t.poller.stop();
  });

  it('does not start a pair\'s poll while its last one is still out, and drops what a poll of a pair gone meanwhile saw', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', 'ns'));
    t.setReads([{ store: ref, namespace: 'ns', secretIds: ['s'], finds: false }]);
    t.aws.set('ns', { versions: { s: current('v1') } });
    t.poller.start();
    await t.advance(0);
    const slow = Promise.withResolvers<Answer>();
    t.aws.set('ns', () => slow.promise);
    for (let i = 0; i < 3; i++) await t.advance(10 * SECOND);
    expect(t.polls).toHaveLength(2);
    // The pair goes before its poll answers: the change that poll saw concerns nobody.
    t.setReads([]);
    await t.advance(10 * SECOND);
    slow.resolve({ versions: { s: current('v2') } });
    await t.advance(0);
    expect(t.delivered).toEqual([]);
    t.poller.stop();
  });

  it('reports to ExternalSecrets that list secrets every secret new, changed or gone since the last listing, and only to them', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', undefined));
    t.setReads([
      { store: ref, namespace: 'finds', secretIds: ['app/a'], finds: true },
      { store: ref, namespace: 'plain', secretIds: ['app/a'], finds: false },
    ]);
    const listing = (listed: Record<string, string>): Answer => ({ versions: { 'app/a': current(listed['app/a']!) }, listed });
    t.aws.set('finds', listing({ 'app/a': '1', 'app/b': '1', other: '1' }));
    t.aws.set('plain', listing({ 'app/a': '1', 'app/b': '1', other: '1' }));
    t.poller.start();
    await t.advance(0);
    expect(t.polls.map((p) => [p.namespace, p.namesWanted])).toEqual([['finds', true], ['plain', false]]);
    expect(t.delivered).toEqual([]);

    const next = { 'app/a': '1', 'app/b': '2', 'app/new': '1' };
    t.aws.set('finds', listing(next));
    t.aws.set('plain', listing(next));
    await t.advance(10 * SECOND);
    expect(t.delivered).toEqual([{
      changes: ['app/b', 'app/new', 'other'].map((name) => ({ name, region: 'eu-west-1' })),
      scope: { kind: 'store', store: ref, namespace: 'finds' },
    }]);

    // A poll answered by reads lists nothing: nothing is new, and the last listing is kept for the next.
    t.aws.set('finds', { versions: { 'app/a': current('1') } });
    await t.advance(10 * SECOND);
    t.aws.set('finds', listing({ ...next, 'app/newer': '1' }));
    await t.advance(10 * SECOND);
    expect(t.delivered.map((d) => d.changes.map((c) => c.name))).toEqual([['app/b', 'app/new', 'other'], ['app/newer']]);
    t.poller.stop();
  });

  it('reports an ARN read with the name AWS gave it and the ARN\'s region', async () => {
    const t = setup({ defaultMs: 10 * SECOND });
    const ref = t.addStore(store('aws', 'ns'));
    const full = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf';
    const partial = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/api';
    t.setReads([{ store: ref, namespace: 'ns', secretIds: [full, partial], finds: false }]);
    t.aws.set('ns', { versions: { [full]: current('1'), [partial]: current('1', 'prod/api') } });
    t.poller.start();
    await t.advance(0);
    t.aws.set('ns', { versions: { [full]: current('2'), [partial]: { state: 'gone' } } });
    await t.advance(10 * SECOND);
    expect(t.delivered[0]!.changes).toEqual([
      { name: 'prod/db', arn: full, region: 'us-west-2' },
      { name: 'prod/api', arn: partial, region: 'us-west-2' },
    ]);
    t.poller.stop();
  });
});

describe('CHANGE_POLL_INTERVAL', () => {
  it('is a Go duration of at least 10s, 0 or unset for none, and anything else is refused', () => {
    expect(changePollIntervalFrom(undefined)).toBeUndefined();
    expect(changePollIntervalFrom('')).toBeUndefined();
    expect(changePollIntervalFrom('0')).toBeUndefined();
    expect(changePollIntervalFrom('30s')).toBe(30_000);
    expect(changePollIntervalFrom('1m30s')).toBe(90_000);
    expect(() => changePollIntervalFrom('5s')).toThrow(/CHANGE_POLL_INTERVAL: 5s is shorter than the shortest change poll, 10s/);
    expect(() => changePollIntervalFrom('soon')).toThrow(/CHANGE_POLL_INTERVAL/);
  });
});

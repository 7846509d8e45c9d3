import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient, type KubeClientOptions } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { Informer, type InformerEvent, type InformerOptions } from '../../src/kube/informer.ts';
import { resourceType } from '../../src/kube/resources.ts';
import { freePort } from '../../dev/free-port.ts';
import { createLogger } from '../../src/log.ts';

/**
 * The informer's supervision against a scripted HTTP server: stalls, errors and
 * expired resourceVersions are hard to provoke on a real apiserver on demand.
 */
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const servers: Server[] = [];
const informers: Informer<any>[] = [];
afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<KubeClient> {
  const server = createServer((req, res) => handler(req, res, new URL(req.url!, 'http://x')));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return clientFor((server.address() as AddressInfo).port);
}

/** A client of http://127.0.0.1:port, whether anything listens there yet or not. */
function clientFor(port: number, options: KubeClientOptions = {}): KubeClient {
  return new KubeClient({ server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: true }, options);
}

const things = resourceType({ apiVersion: 'example.com/v1', kind: 'Thing', plural: 'things', namespaced: true });
const thing = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const list = (res: ServerResponse, rv: string, items: unknown[]) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ metadata: { resourceVersion: rv }, items }));
};
const watchLine = (res: ServerResponse, type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);

function informer(client: KubeClient, restarts: string[], events: Array<[InformerEvent, string]> = [], extra: Partial<InformerOptions> = {}) {
  const i = new Informer<any>(client, things, {
    clock: systemClock,
    log: createLogger({ level: 'silent' }),
    watchTimeoutSeconds: [1, 1],
    stallGraceMs: 300,
    backoff: { initialMs: 10, maxMs: 50, jitter: 0 },
    onRestart: (_r, cause) => restarts.push(cause),
    ...extra,
  });
  i.on((event, o) => events.push([event, o.metadata.name]));
  informers.push(i);
  i.start();
  return i;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Informer supervision', () => {
  it('asks for bookmarks and a server-side timeout, and resumes from the listed resourceVersion', async () => {
    const watches: URL[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', [thing('a', '5')]);
      watches.push(url);
      res.end();
    });
    const i = informer(client, []);
    await i.synced();
    await until(() => watches.length >= 1, 'a watch');
    expect(watches[0]!.searchParams.get('allowWatchBookmarks')).toBe('true');
    expect(watches[0]!.searchParams.get('timeoutSeconds')).toBe('1');
    expect(watches[0]!.searchParams.get('resourceVersion')).toBe('10');
    expect(i.get('ns/a')?.metadata.resourceVersion).toBe('5');
  });

  it('metadataOnly: asks for PartialObjectMetadata lists and watch objects, and takes an empty list\'s `items: null`', async () => {
    const accepts: Array<[string, string | undefined]> = [];
    let listed = 0;
    const client = await serve((req, res, url) => {
      const watching = url.searchParams.get('watch') === 'true';
      accepts.push([watching ? 'watch' : 'list', req.headers.accept]);
      if (watching) {
        watchLine(res, 'ADDED', { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', ...thing('b', '11') });
        return res.end();
      }
      listed++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '10' }, items: null }));
    });
    const events: Array<[InformerEvent, string]> = [];
    const i = informer(client, [], events, { metadataOnly: true });
    await i.synced();
    await until(() => events.length >= 1, 'the watched object');
    expect(listed).toBe(1);
    expect(events[0]).toEqual(['added', 'b']);
    expect(accepts.find(([what]) => what === 'list')?.[1]).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json');
    expect(accepts.find(([what]) => what === 'watch')?.[1]).toBe('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json');
  });

  it('restarts a watch that stays silent past its timeout', async () => {
    let watchCount = 0;
    const restarts: string[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', []);
      watchCount++;
      // Headers, then nothing at all: the stall that client libraries never notice.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    informer(client, restarts);
    await until(() => watchCount >= 2, 'a second watch');
    expect(restarts[0]).toBe('stalled');
  });

  it('restarts with backoff after a failed watch, and keeps the cache', async () => {
    let watchCount = 0;
    const restarts: string[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', [thing('a', '5')]);
      watchCount++;
      res.statusCode = 500;
      res.end('{"kind":"Status","reason":"InternalError","message":"boom"}');
    });
    const i = informer(client, restarts);
    await until(() => watchCount >= 3, 'three watches');
    expect(restarts.slice(0, 2)).toEqual(['error', 'error']);
    expect(i.get('ns/a')).toBeDefined();
  });

  it('relists after 410 Gone and swaps the cache whole, emitting deletions', async () => {
    let lists = 0;
    const restarts: string[] = [];
    const events: Array<[InformerEvent, string]> = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') {
        lists++;
        return lists === 1 ? list(res, '10', [thing('a', '5'), thing('b', '6')]) : list(res, '20', [thing('b', '6'), thing('c', '7')]);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (lists === 1) watchLine(res, 'ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' });
      res.end();
    });
    const i = informer(client, restarts, events);
    await until(() => lists >= 2 && i.get('ns/c') !== undefined, 'a relist');
    expect(restarts[0]).toBe('expired');
    expect(i.get('ns/a')).toBeUndefined();
    // b is unchanged across the relist, so it is not replayed.
    expect(events).toEqual([['added', 'a'], ['added', 'b'], ['added', 'c'], ['deleted', 'a']]);
  });

  it('applies watch events to the cache and skips bookmarks', async () => {
    const events: Array<[InformerEvent, string]> = [];
    let served = false;
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', [thing('a', '5')]);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!served) {
        served = true;
        watchLine(res, 'ADDED', thing('b', '11'));
        watchLine(res, 'MODIFIED', thing('a', '12'));
        watchLine(res, 'BOOKMARK', { metadata: { resourceVersion: '13' } });
        watchLine(res, 'DELETED', thing('b', '14'));
      }
      res.end();
    });
    const i = informer(client, [], events);
    await until(() => events.length >= 4, 'four events');
    expect(events.slice(0, 4)).toEqual([['added', 'a'], ['added', 'b'], ['modified', 'a'], ['deleted', 'b']]);
    expect(i.list().map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('hands handlers the previous copy of a modified object, from a watch event and from a relist', async () => {
    let lists = 0;
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, String(++lists * 10), [thing('a', lists === 1 ? '5' : '7')]);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (lists === 1) {
        watchLine(res, 'MODIFIED', thing('a', '6'));
        watchLine(res, 'ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' });
      }
      res.end();
    });
    const i = informer(client, []);
    const seen: string[] = [];
    i.on((event, o, old) => seen.push(`${event} ${o.metadata.resourceVersion} (was ${old?.metadata.resourceVersion ?? '-'})`));
    await until(() => seen.length >= 3, 'a modification by watch and one by relist');
    expect(seen.slice(0, 3)).toEqual(['added 5 (was -)', 'modified 6 (was 5)', 'modified 7 (was 6)']);
  });
});

describe('Informer: stalls and outages', () => {
  /** The informer's log lines, parsed. */
  function logged(): { lines: any[]; log: ReturnType<typeof createLogger> } {
    const lines: any[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean).map((l) => JSON.parse(l)));
        done();
      },
    });
    return { lines, log: createLogger({ level: 'warn', destination }) };
  }
  const stalls = (lines: any[]) => lines.filter((l) => l.msg === 'watch stalled; restarting').map((l) => l.silentMs);

  it('once the apiserver has sent bookmarks, a watch silent for bookmarkSilenceMs is stalled, long before its timeout', async () => {
    let watchCount = 0;
    const restarts: string[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', []);
      watchCount++;
      res.writeHead(200, { 'content-type': 'application/json' });
      // A bookmark, then nothing: the connection or the apiserver's watch died.
      watchLine(res, 'BOOKMARK', { metadata: { resourceVersion: String(10 + watchCount) } });
    });
    const { lines, log } = logged();
    informer(client, restarts, [], { log, watchTimeoutSeconds: [300, 300], bookmarkSilenceMs: 200 });
    await until(() => watchCount >= 2, 'a second watch');
    expect(restarts[0]).toBe('stalled');
    expect(stalls(lines)[0]).toBe(200);
  });

  it('without bookmarks, only the server-side timeout says a watch stalled', async () => {
    const restarts: string[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', []);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    const { lines, log } = logged();
    informer(client, restarts, [], { log, bookmarkSilenceMs: 50 });
    await until(() => restarts.length >= 1, 'a restart');
    expect(restarts[0]).toBe('stalled');
    // timeoutSeconds 1 plus stallGraceMs 300.
    expect(stalls(lines)[0]).toBe(1_300);
  });

  it('says once that the apiserver serves again after errors, and not on a first list', async () => {
    let watchCount = 0;
    const restarts: string[] = [];
    const recovered: string[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', []);
      watchCount++;
      if (watchCount <= 2) {
        res.statusCode = 503;
        return res.end('{"kind":"Status","reason":"ServiceUnavailable","message":"starting"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    informer(client, restarts, [], { watchTimeoutSeconds: [300, 300], onRecovered: (resource) => recovered.push(resource) });
    await until(() => recovered.length >= 1, 'a recovery');
    expect(watchCount).toBe(3);
    expect(restarts).toEqual(['error', 'error']);
    expect(recovered).toEqual(['things']);
  });

  it('cuts a backoff short when an unreachable apiserver answers again', async () => {
    const port = await freePort();
    const client = clientFor(port, { probeIntervalMs: 50 });
    // Backoff runs on a clock that only moves when told: after the first step, only the apiserver's return can end it.
    const clock = new ManualClock();
    const restarts: string[] = [];
    const recovered: string[] = [];
    const i = informer(client, restarts, [], {
      clock,
      backoff: { initialMs: 10, maxMs: 600_000, jitter: 0 },
      onRecovered: (resource) => recovered.push(resource),
    });
    await until(() => restarts.length === 1, 'a refused list');
    clock.advance(10);
    await until(() => restarts.length === 2, 'a second refused list');
    // The second step is 20 ms: its first 10 ms pass, then it waits for the apiserver.
    clock.advance(10);
    const server = createServer((req, res) => {
      if (!req.url!.includes('watch=true')) return list(res, '10', [thing('a', '5')]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await i.synced();
    expect(i.get('ns/a')).toBeDefined();
    expect(recovered).toEqual(['things']);
    await client.close();
  });
});

describe('Informer: after an outage', () => {
  it('starts its backoff over once the apiserver answers again, even with an error', async () => {
    const port = await freePort();
    const client = clientFor(port, { probeIntervalMs: 60_000 });
    const clock = new ManualClock();
    const restarts: string[] = [];
    const i = informer(client, restarts, [], { clock, backoff: { initialMs: 10, maxMs: 600_000, jitter: 0 } });
    // Moves the clock in small steps until the informer has restarted `n` times.
    const driveUntil = async (n: number) => {
      while (restarts.length < n) {
        clock.advance(5);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    // Refused three times: the next step would be 80 ms.
    await driveUntil(3);
    let lists = 0;
    const server = createServer((req, res) => {
      if (req.url!.includes('watch=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.flushHeaders();
      }
      // Back, with its storage still initializing.
      if (++lists === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end('{"kind":"Status","reason":"TooManyRequests","message":"storage is (re)initializing"}');
      }
      list(res, '10', [thing('a', '5')]);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await driveUntil(4);
    // The first step again: 10 ms, not 160.
    clock.advance(10);
    await i.synced();
    expect(lists).toBe(2);
    await client.close();
  });
});

describe('Informer transform', () => {
  const managed = (name: string, rv: string) => ({
    metadata: { ...thing(name, rv).metadata, annotations: { keep: 'me' }, managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:metadata': {} } }] },
    spec: { big: 'x'.repeat(100) },
  });

  it('by default keeps listed and watched objects without managedFields, and nothing else changes', async () => {
    const events: Array<[InformerEvent, string]> = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', [managed('a', '5')]);
      res.writeHead(200, { 'content-type': 'application/json' });
      watchLine(res, 'ADDED', managed('b', '11'));
    });
    const i = informer(client, [], events);
    await until(() => i.get('ns/b') !== undefined, 'the watched object');
    for (const key of ['ns/a', 'ns/b']) {
      expect(i.get(key)!.metadata.managedFields).toBeUndefined();
      expect(i.get(key)).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { annotations: { keep: 'me' } }, spec: { big: 'x'.repeat(100) } });
    }
    expect(events).toEqual([['added', 'a'], ['added', 'b']]);
  });

  it('keeps what a given transform returns, for handlers too', async () => {
    const seen: any[] = [];
    const client = await serve((_req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return list(res, '10', [managed('a', '5')]);
      res.writeHead(200, { 'content-type': 'application/json' });
      watchLine(res, 'MODIFIED', managed('a', '12'));
    });
    const i = informer(client, [], [], { transform: (o) => ({ kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion } }) });
    i.on((_e, o) => seen.push(o));
    await until(() => i.get('ns/a')?.metadata.resourceVersion === '12', 'the modified object');
    expect(i.get('ns/a')).toEqual({ kind: 'Thing', metadata: { name: 'a', namespace: 'ns', resourceVersion: '12' } });
    expect(seen.at(-1)).toEqual(i.get('ns/a'));
  });
});

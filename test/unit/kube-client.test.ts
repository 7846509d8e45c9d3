import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorError, failedOnApiserver, isRetryable, reasonOf } from '../../src/errors.ts';
import { KubeApiError, KubeClient, KubeUnreachableError, type KubeClientOptions } from '../../src/kube/client.ts';
import { createCertificates } from '../../dev/certificates.ts';
import { freePort } from '../../dev/free-port.ts';
import { TcpProxy } from '../integration/tcp-proxy.ts';

/**
 * How KubeClient reports an apiserver it cannot reach, against local servers: a port
 * nobody listens on, a server that never answers, a connection that goes silent.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(server: string, options: KubeClientOptions = {}, ca?: string): KubeClient {
  const kube = new KubeClient({ server, ...(ca ? { ca: Buffer.from(ca) } : { insecureSkipTlsVerify: true }) }, options);
  cleanups.push(() => kube.close());
  return kube;
}

async function listen(server: Server | Http2SecureServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

const rejection = (p: Promise<unknown>): Promise<any> => p.then(() => {
  throw new Error('expected a rejection');
}, (err) => err);

describe('KubeClient transport failures', () => {
  it('a refused connection is a KubeApiError, so its reason is KubernetesAPIError and it is retried', async () => {
    const port = await freePort();
    const kube = client(`http://127.0.0.1:${port}`, { probeIntervalMs: 60_000 });
    const err = await rejection(kube.get('/api/v1/namespaces/ns/secrets/s'));
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect(err).toMatchObject({ status: 503, reason: 'ServiceUnavailable' });
    expect(err.message).toMatch(/^GET \/api\/v1\/namespaces\/ns\/secrets\/s: apiserver unreachable: .*ECONNREFUSED/);
    expect(reasonOf(err)).toBe('KubernetesAPIError');
    expect(isRetryable(err)).toBe(true);
    expect(kube.reachability.reachable).toBe(false);
  });

  it('a refused watch is a KubeApiError too', async () => {
    const kube = client(`http://127.0.0.1:${await freePort()}`, { probeIntervalMs: 60_000 });
    const err = await rejection(kube.watch('/api/v1/secrets', {}, new AbortController().signal).next());
    expect(reasonOf(err)).toBe('KubernetesAPIError');
  });

  it('no answer within the deadline is a 504 Timeout', async () => {
    const server = createServer(() => {});
    cleanups.push(() => server.closeAllConnections());
    const kube = client(`http://127.0.0.1:${await listen(server)}`, { requestTimeoutMs: 200, probeIntervalMs: 60_000 });
    const err = await rejection(kube.get('/api/v1/namespaces'));
    expect(err).toMatchObject({ status: 504, reason: 'Timeout' });
    expect(err.message).toMatch(/no answer within 200 ms/);
    expect(reasonOf(err)).toBe('KubernetesAPIError');
  });

  it("the caller's own abort is not a transport failure", async () => {
    const server = createServer(() => {});
    cleanups.push(() => server.closeAllConnections());
    const kube = client(`http://127.0.0.1:${await listen(server)}`);
    const abort = new AbortController();
    const pending = rejection(kube.request('GET', '/api/v1/namespaces', { signal: abort.signal }));
    abort.abort();
    expect((await pending).name).toBe('AbortError');
    expect(kube.reachability.reachable).toBe(true);
  });

  it('a connection dropped under a watch fails the watch with a KubeApiError', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}\n', () => req.socket.destroy());
    });
    const kube = client(`http://127.0.0.1:${await listen(server)}`, { probeIntervalMs: 60_000 });
    const events = kube.watch('/api/v1/secrets', {}, new AbortController().signal);
    expect((await events.next()).value).toMatchObject({ type: 'ADDED' });
    const err = await rejection(events.next());
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect(err.message).toMatch(/^WATCH \/api\/v1\/secrets: apiserver unreachable/);
  });

  it('once unreachable, it probes /readyz and wakes waiters when the apiserver is ready', async () => {
    const port = await freePort();
    const kube = client(`http://127.0.0.1:${port}`, { probeIntervalMs: 50 });
    await rejection(kube.get('/version'));
    const paths: string[] = [];
    let readyzAnswers = 0;
    const server = createServer((req, res) => {
      paths.push(req.url!);
      // A restarting apiserver: 403 while RBAC is not loaded, 500 while informers sync, then ready.
      res.statusCode = req.url === '/readyz' ? [403, 500, 200][Math.min(readyzAnswers++, 2)]! : 200;
      res.end('ok');
    });
    // The apiserver returns on the same port.
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    await kube.whenReachable();
    expect(kube.reachability.reachable).toBe(true);
    expect(paths).toEqual(['/readyz', '/readyz', '/readyz']);
  });

  it('what failed on the apiserver, itself or as the cause of another failure, is told apart from the rest', async () => {
    const refused = await rejection(client(`http://127.0.0.1:${await freePort()}`, { probeIntervalMs: 60_000 }).get('/x'));
    expect(failedOnApiserver(refused)).toBe(true);
    expect(failedOnApiserver(new KubeApiError(500, 'InternalError', 'etcd leader changed'))).toBe(true);
    expect(failedOnApiserver(new OperatorError('TokenRequestFailed', 'could not request a token', { cause: refused }))).toBe(true);
    expect(failedOnApiserver(new OperatorError('AWSThrottled', 'rate exceeded'))).toBe(false);
    // A refusal does not change when the apiserver comes back.
    const invalid = new KubeApiError(422, 'Invalid', 'Secret "app" rejected: metadata.labels: invalid value');
    expect(failedOnApiserver(invalid)).toBe(false);
    expect(failedOnApiserver(new OperatorError('TargetRejected', 'the apiserver refused Secret "app"', { cause: invalid }))).toBe(false);
    expect(failedOnApiserver(new KubeApiError(429, 'TooManyRequests', 'storage is (re)initializing'))).toBe(true);
    expect(failedOnApiserver(new TypeError('undefined is not a function'))).toBe(false);
  });
});

describe('KubeClient over HTTP/2', () => {
  let dir: string;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** An HTTP/2 server (as kube-apiserver is) behind a TCP proxy that can black-hole its connections. */
  async function h2Behind(): Promise<{ proxy: TcpProxy; ca: string; port: number }> {
    dir = mkdtempSync(join(tmpdir(), 'kube-client-h2-'));
    const certs = createCertificates(dir);
    const server = createSecureServer({ key: readFileSync(certs.servingKey), cert: readFileSync(certs.servingCert) });
    // The proxy resets the server's side of black-holed connections at the end.
    server.on('sessionError', () => {});
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      if (headers[':path']!.includes('watch=true')) {
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        let rv = 0;
        const tick = setInterval(() => stream.write(`{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"${++rv}"}}}\n`), 50);
        stream.on('close', () => clearInterval(tick));
      } else {
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end('{"kind":"Status"}');
      }
    });
    const upstream = await listen(server);
    const proxy = new TcpProxy('127.0.0.1', upstream);
    const port = await proxy.start();
    cleanups.push(() => proxy.stop());
    return { proxy, ca: readFileSync(certs.caCert, 'utf8'), port };
  }

  it('a connection that stops answering PINGs fails its watches, and the next call opens a new connection', async () => {
    const { proxy, ca, port } = await h2Behind();
    const kube = client(`https://127.0.0.1:${port}`, { pingIntervalMs: 200, probeIntervalMs: 60_000 }, ca);
    const events = kube.watch('/api/v1/secrets', {}, new AbortController().signal);
    await events.next();
    // Watch and request share the connection.
    await kube.get('/api/v1/namespaces');
    expect(proxy.accepted).toBe(1);
    expect(proxy.blackhole()).toBe(1);
    const drained = (async () => {
      for await (const _ of events);
    })();
    const err = await rejection(drained);
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect(err.message).toMatch(/connection unresponsive/);
    expect(await kube.get('/api/v1/namespaces')).toEqual({ kind: 'Status' });
    expect(proxy.accepted).toBe(2);
  });
});

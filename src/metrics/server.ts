import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** /metrics for Prometheus, /healthz for liveness, /readyz once the caches have synced. */
export async function startMetricsServer(registry: Registry, ready: () => boolean, port: number, host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/metrics') {
      // A failed collection is a failed scrape, not a crashed operator.
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      res.end('ok');
    } else if (path === '/readyz') {
      res.writeHead(ready() ? 200 : 503);
      res.end(ready() ? 'ok' : 'caches not synced');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

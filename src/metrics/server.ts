import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from './registry.ts';

/** /metrics for Prometheus, /healthz for liveness, /readyz once the caches have synced. */
export async function startMetricsServer(registry: Registry, ready: () => boolean, port: number, host = '0.0.0.0', collect: () => void = () => {}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/metrics') {
      collect();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(registry.render());
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

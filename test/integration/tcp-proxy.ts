import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

interface Link {
  client: Socket;
  upstream: Socket;
  blackholed: boolean;
}

/**
 * A TCP proxy between the operator and the apiserver that can fail the way networks
 * do: `blackhole()` silently stops forwarding on every connection open at that moment
 * (both directions, nothing closed, bytes read and dropped, as a dead NAT entry or a
 * hung middlebox does), while new connections are forwarded normally; `reset()` kills
 * every connection. TLS passes through untouched, so the apiserver's certificate and
 * the client certificate work as they do without the proxy.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private readonly upstreamHost: string;
  private readonly upstreamPort: number;
  /** Connections accepted since start. */
  accepted = 0;

  constructor(upstreamHost: string, upstreamPort: number) {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
  }

  /** Starts listening on a random loopback port and returns it. */
  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections open now, and how many of them are black-holed. */
  get open(): { total: number; blackholed: number } {
    let blackholed = 0;
    for (const link of this.links) if (link.blackholed) blackholed++;
    return { total: this.links.size, blackholed };
  }

  /** Stops forwarding on every connection open now; returns how many. */
  blackhole(): number {
    for (const link of this.links) link.blackholed = true;
    return this.links.size;
  }

  /** Destroys every open connection with a TCP reset. */
  reset(): void {
    for (const link of this.links) {
      link.client.resetAndDestroy();
      link.upstream.resetAndDestroy();
    }
    this.links.clear();
  }

  async stop(): Promise<void> {
    this.reset();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    const upstream = connect(this.upstreamPort, this.upstreamHost);
    const link: Link = { client, upstream, blackholed: false };
    this.links.add(link);
    const close = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    this.forward(link, client, upstream);
    this.forward(link, upstream, client);
  }

  /** Copies bytes with backpressure, and drops them once the link is black-holed. */
  private forward(link: Link, from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (link.blackholed || to.destroyed) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    // A half-close is forwarded as such, unless the link is black-holed.
    from.on('end', () => {
      if (!link.blackholed) to.end();
    });
  }
}

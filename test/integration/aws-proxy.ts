import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API request as the operator sent it. */
export interface RecordedCall {
  /** e.g. GetSecretValue, AssumeRoleWithWebIdentity. */
  action: string;
  /** The JSON body (Secrets Manager) or the form fields (STS). */
  params: Record<string, any>;
  at: number;
}

/** An AWS error to answer instead of forwarding, as AWS itself would send it. */
export interface Fault {
  action: string;
  /** Only calls whose params match (e.g. { SecretId: 'x' }). */
  when?: (params: Record<string, any>) => boolean;
  code: string;
  message: string;
  status?: number;
  /** Answer this many times, then forward again. */
  times?: number;
}

/**
 * A recording, fault-injecting HTTP proxy in front of moto. moto serves every call;
 * the proxy lets a test see what the operator sent (the web identity token's claims,
 * how many calls) and make AWS answer with errors moto cannot produce on demand
 * (throttling, KMS failures, rejected tokens).
 */
export class AwsProxy {
  readonly calls: RecordedCall[] = [];
  private readonly faults: Fault[] = [];
  private server: Server | undefined;
  private readonly upstream: string;

  constructor(upstream: string) {
    this.upstream = upstream;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      }, (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  count(action: string, when?: (params: Record<string, any>) => boolean): number {
    return this.calls.filter((c) => c.action === action && (!when || when(c.params))).length;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = req.headers['x-amz-target'];
    let action: string;
    let params: Record<string, any>;
    if (typeof target === 'string') {
      action = target.split('.').pop()!;
      params = body.length ? JSON.parse(body.toString('utf8')) : {};
    } else {
      params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      action = params.Action ?? 'Unknown';
    }
    this.calls.push({ action, params, at: Date.now() });

    const fault = this.faults.find((f) => f.action === action && (!f.when || f.when(params)) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      return typeof target === 'string'
        ? { status: fault.status ?? 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Buffer.from(JSON.stringify({ __type: fault.code, message: fault.message })) }
        : {
          status: fault.status ?? 400,
          headers: { 'content-type': 'text/xml' },
          body: Buffer.from(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${fault.message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>`),
        };
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const response = await fetch(`${this.upstream}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding') out[k] = v;
    });
    return { status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) };
  }
}

/** The claims of a JWT (no verification: the apiserver issued it to the operator in this test). */
export function jwtClaims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API request as the operator sent it. */
export interface RecordedCall {
  /** e.g. GetSecretValue, AssumeRoleWithWebIdentity. */
  action: string;
  /** The JSON body (Secrets Manager) or the form fields (STS). */
  params: Record<string, any>;
  at: number;
  /** The region the request was signed for (its credential scope). */
  region?: string;
}

/** The secret ids a value-reading call asked for (GetSecretValue's one, BatchGetSecretValue's list); none for other calls. */
export function secretIdsRead(call: RecordedCall): string[] {
  if (call.action === 'GetSecretValue') return [call.params.SecretId];
  if (call.action === 'BatchGetSecretValue') return call.params.SecretIdList ?? [];
  return [];
}

/** An AWS error to answer instead of forwarding, as AWS itself would send it. */
export interface Fault {
  action: string;
  /** Only calls whose params match (e.g. { SecretId: 'x' }). */
  when?: (params: Record<string, any>) => boolean;
  /** Only calls signed for this region. */
  region?: string;
  code: string;
  message: string;
  status?: number;
  /** Answer this many times, then forward again. */
  times?: number;
}

/** Random trouble on some calls: a share of them fail (500s, throttling) or are slowed down. */
export interface Chaos {
  /** Calls affected; all when absent. */
  actions?: string[];
  /** Share of the calls, in [0, 1], answered with one of `errors` (picked at random). */
  errorRate: number;
  errors: Array<Pick<Fault, 'code' | 'message' | 'status'>>;
  /** Every affected call that is forwarded waits this long first. */
  delayMs?: number;
  /** In [0, 1); seeded by tests that want the same run every time. */
  random?: () => number;
}

/** A small seeded generator (mulberry32), so a chaos run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  private chaosSetting: Chaos | undefined;
  /** Calls answered with an error by chaos(), by action. */
  readonly injected = new Map<string, number>();
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

  /** Turns random trouble on (or off, with undefined). */
  chaos(setting: Chaos | undefined): void {
    this.chaosSetting = setting;
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
    const region = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    this.calls.push({ action, params, at: Date.now(), ...(region ? { region } : {}) });

    const fixed = this.faults.find((f) => f.action === action && (!f.when || f.when(params)) && (!f.region || f.region === region) && (f.times === undefined || f.times > 0));
    if (fixed?.times !== undefined) fixed.times--;
    let fault: Pick<Fault, 'code' | 'message' | 'status'> | undefined = fixed;
    const chaos = this.chaosSetting;
    if (!fault && chaos && (!chaos.actions || chaos.actions.includes(action))) {
      const random = chaos.random ?? Math.random;
      if (random() < chaos.errorRate) {
        fault = chaos.errors[Math.floor(random() * chaos.errors.length)];
        this.injected.set(action, (this.injected.get(action) ?? 0) + 1);
      } else if (chaos.delayMs) {
        await new Promise((r) => setTimeout(r, chaos.delayMs));
      }
    }
    if (fault) {
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

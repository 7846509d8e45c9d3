import { createInterface } from 'node:readline';
import { Agent, request, type Dispatcher } from 'undici';
import { apiErrorParts } from './api-error-message.ts';
import { systemClock, type Clock } from './clock.ts';
import { loadDefaultKubeConfig, loadKubeConfigFiles, type KubeConfig } from './kubeconfig.ts';
import { Reachability } from './reachability.ts';

/** A failed call to the Kubernetes API, carrying the apiserver's Status reason. */
export class KubeApiError extends Error {
  readonly code = 'KubeApiError';
  readonly status: number;
  /** metav1.Status reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, Expired, ... */
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}

/**
 * The apiserver could not be reached: refused or dropped connection, TLS failure, or no
 * answer within the deadline. A 503 (504 for the deadline), as a proxy in front of an
 * unreachable server would answer, so code that retries 5xx retries it too.
 */
export class KubeUnreachableError extends KubeApiError {
  constructor(message: string, timedOut: boolean, cause: unknown) {
    super(timedOut ? 504 : 503, timedOut ? 'Timeout' : 'ServiceUnavailable', message);
    this.name = 'KubeUnreachableError';
    this.cause = cause;
  }
}

export interface KubeClientOptions {
  /**
   * HTTP/2 PING interval. Watches and requests share one HTTP/2 connection; a connection
   * whose PING is still unanswered when the next is due is dropped, failing every stream
   * on it, so a silently dead connection is noticed within two intervals.
   */
  pingIntervalMs?: number;
  /** Deadline of one API call (watches excepted: their own timeout and watchdog govern them). */
  requestTimeoutMs?: number;
  /** How often an unreachable apiserver is probed (GET /readyz). */
  probeIntervalMs?: number;
  clock?: Clock;
  /**
   * Repeat the apiserver's message when it refuses a write, as kubectl does: for an administrator's
   * client (the local environment, tests). Off for the operator, whose refused writes may have
   * carried a secret value that the message quotes (see api-error-message.ts).
   */
  verbatimErrors?: boolean;
}

const PING_INTERVAL_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.status === 404;
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409;
export const isUnreachable = (err: unknown): boolean => err instanceof KubeUnreachableError;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** The Accept header (default JSON), e.g. a metadata-only list (PARTIAL_METADATA_LIST). */
  accept?: string;
}

/**
 * What asks the apiserver for objects' metadata only (PartialObjectMetadata), as client-go's
 * metadata informers do: a list, and the objects of a watch. The data never leaves the apiserver.
 */
export const PARTIAL_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const PARTIAL_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

export interface WatchLine {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

/**
 * A small HTTP client for the Kubernetes API: every request and watch goes through one
 * shared connection pool, authenticated as the kubeconfig (kubeconfig.ts) says.
 */
export class KubeClient {
  readonly config: KubeConfig;
  readonly server: string;
  /** Whether the apiserver answers; informers wait on it after a transport failure. */
  readonly reachability: Reachability;
  private agent: Agent;
  /** The client certificate the agent presents, when an exec plugin issued it. */
  private agentCert: Buffer | undefined;
  private readonly pingIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly verbatimErrors: boolean;

  constructor(config: KubeConfig, options: KubeClientOptions = {}) {
    this.verbatimErrors = options.verbatimErrors ?? false;
    this.config = config;
    this.server = config.server.replace(/\/+$/, '');
    this.pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
    this.agent = this.newAgent(config.cert, config.key);
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.reachability = new Reachability(() => this.answers(), options.clock ?? systemClock, options.probeIntervalMs);
  }

  /** KUBECONFIG, ~/.kube/config or the pod's service account, as kubectl chooses. */
  static fromDefault(options?: KubeClientOptions): KubeClient {
    return new KubeClient(loadDefaultKubeConfig(), options);
  }

  static fromFile(path: string, options?: KubeClientOptions): KubeClient {
    return new KubeClient(loadKubeConfigFiles([path]), options);
  }

  async close(): Promise<void> {
    this.reachability.stop();
    await this.agent.close();
  }

  private newAgent(cert: Buffer | undefined, key: Buffer | undefined): Agent {
    const { ca, insecureSkipTlsVerify, tlsServerName } = this.config;
    return new Agent({
      connect: {
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
        ...(tlsServerName ? { servername: tlsServerName } : {}),
      },
      keepAliveTimeout: 30_000,
      connections: 64,
      h2Options: { pingInterval: this.pingIntervalMs },
    });
  }

  /** Resolves once the apiserver answers again after a transport failure (at once if none), or on abort. */
  whenReachable(signal?: AbortSignal): Promise<void> {
    return this.reachability.whenReachable(signal);
  }

  /**
   * The reachability probe: /readyz answers 200 only once the apiserver can serve, its
   * informers (RBAC's among them) synced; a restarting apiserver refuses calls with 403
   * before that. Where RBAC forbids /readyz, the first call that succeeds says it instead.
   */
  private async answers(): Promise<boolean> {
    const url = this.url('/readyz');
    const response = await request(url, { headers: await this.headers(), dispatcher: this.agent, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body.dump();
    return ok(response.statusCode);
  }

  /**
   * A transport failure as a KubeUnreachableError, recorded for the reachability probe;
   * the caller's own abort is passed through as it is.
   */
  private unreachable(err: unknown, method: string, path: string, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted || err instanceof KubeApiError) return err;
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    const detail = timedOut ? `no answer within ${this.requestTimeoutMs} ms` : transportDetail(err);
    this.reachability.failed();
    return new KubeUnreachableError(`${method} ${path}: apiserver unreachable: ${detail}`, timedOut, err);
  }

  /**
   * The authentication headers of the next request (bearer token, rotated token file,
   * exec plugin; their sources cache them). A client certificate that an exec plugin
   * issued anew replaces the connection pool: a TLS identity is fixed per connection.
   */
  private async headers(): Promise<Record<string, string>> {
    const credentials = await this.config.authenticate?.();
    if (credentials?.cert && !credentials.cert.equals(this.agentCert ?? Buffer.alloc(0))) {
      const old = this.agent;
      this.agent = this.newAgent(credentials.cert, credentials.key);
      this.agentCert = credentials.cert;
      // Requests in flight on the old pool finish there.
      void old.close().catch(() => {});
    }
    return credentials?.authorization ? { authorization: credentials.authorization } : {};
  }

  /** The apiserver's refusal as a KubeApiError; a 401 also makes the credentials be fetched anew (a rotated token). */
  private failed(status: number, text: string, method: string, path: string, mayQuoteWhatWeSent: boolean): KubeApiError {
    if (status === 401) this.config.refused?.();
    return toApiError(status, text, method, path, mayQuoteWhatWeSent);
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const headers = await this.headers();
    headers.accept = options.accept ?? 'application/json';
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body = JSON.stringify(options.body);
    }
    // A request that hangs must not hold a worker forever: every call has a deadline.
    const deadline = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    // undici's request, not fetch: no WHATWG Request, Response, Headers and stream objects per call.
    let status: number;
    let text: string;
    try {
      const response = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: this.agent, signal });
      status = response.statusCode;
      text = await response.body.text();
    } catch (err) {
      throw this.unreachable(err, method, path, options.signal);
    }
    if (!ok(status)) throw this.failed(status, text, method, path, body !== undefined && !this.verbatimErrors);
    this.reachability.served();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = any>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /**
   * Opens a watch and yields its events until the server closes it, the signal
   * aborts, or the connection fails (thrown). `onOpen` runs once the apiserver has
   * accepted the watch. The caller owns timeouts.
   */
  async *watch(path: string, query: RequestOptions['query'], signal: AbortSignal, onOpen?: () => void, accept?: string): AsyncGenerator<WatchLine> {
    const url = this.url(path, { ...query, watch: true });
    const headers = await this.headers();
    if (accept) headers.accept = accept;
    let body: Dispatcher.ResponseData['body'];
    try {
      const response = await request(url, { method: 'GET', headers, dispatcher: this.agent, signal });
      if (!ok(response.statusCode)) throw this.failed(response.statusCode, await response.body.text(), 'WATCH', path, false);
      body = response.body;
    } catch (err) {
      throw this.unreachable(err, 'WATCH', path, signal);
    }
    this.reachability.served();
    onOpen?.();
    // Aborting the request errors the stream; the iteration below already reports failures.
    body.on('error', () => {});
    const lines = createInterface({ input: body, crlfDelay: Infinity });
    const iterator = lines[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<string>;
        try {
          next = await iterator.next();
        } catch (err) {
          // The connection died under the watch (e.g. dropped after an unanswered PING).
          throw this.unreachable(err, 'WATCH', path, signal);
        }
        if (next.done) return;
        if (next.value.trim() === '') continue;
        yield JSON.parse(next.value) as WatchLine;
      }
    } finally {
      lines.close();
      body.destroy();
    }
  }
}

const ok = (status: number): boolean => status >= 200 && status < 300;

/** What failed underneath a transport error: e.g. `connect ECONNREFUSED 127.0.0.1:6443`, `HTTP/2: connection unresponsive`. */
function transportDetail(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  const inner = cause instanceof Error ? cause : err;
  return inner instanceof Error ? inner.message : String(inner);
}

function toApiError(status: number, text: string, method: string, path: string, mayQuoteWhatWeSent: boolean): KubeApiError {
  const { reason, message } = apiErrorParts(text, mayQuoteWhatWeSent);
  return new KubeApiError(status, reason, `${method} ${path}: ${status} ${reason}: ${message}`);
}

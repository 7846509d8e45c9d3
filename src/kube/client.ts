import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { KubeConfig, RequestContext, HttpMethod, bufferFromFileOrString } from '@kubernetes/client-node';
import { Agent, fetch } from 'undici';
import { apiErrorParts } from './api-error-message.ts';

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

/** Deadline of one API call (watches excepted: their own timeout and watchdog govern them). */
const REQUEST_TIMEOUT_MS = 30_000;
const AUTH_HEADERS_TTL_MS = 10_000;

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.status === 404;
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface WatchLine {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

export interface KubeClientOptions {
  /**
   * Repeat the apiserver's message when it refuses a write, as kubectl does: for an administrator's
   * client (the local environment, tests). Off for the operator, whose refused writes may have
   * carried a secret value that the message quotes (see api-error-message.ts).
   */
  verbatimErrors?: boolean;
}

/**
 * A small HTTP client for the Kubernetes API. client-node loads the kubeconfig and
 * authenticates; the requests go through one shared connection pool, because
 * client-node builds a new agent for every request it makes itself.
 */
export class KubeClient {
  readonly config: KubeConfig;
  readonly server: string;
  private readonly agent: Agent;
  private authHeaders: { at: number; headers: Promise<Record<string, string>> } | undefined;
  private readonly verbatimErrors: boolean;

  constructor(config: KubeConfig, options: KubeClientOptions = {}) {
    this.verbatimErrors = options.verbatimErrors ?? false;
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const user = config.getCurrentUser();
    this.config = config;
    this.server = cluster.server.replace(/\/+$/, '');
    const ca = bufferFromFileOrString(cluster.caFile, cluster.caData);
    const cert = bufferFromFileOrString(user?.certFile, user?.certData);
    const key = bufferFromFileOrString(user?.keyFile, user?.keyData);
    this.agent = new Agent({
      connect: {
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      },
      keepAliveTimeout: 30_000,
      connections: 64,
    });
  }

  static fromDefault(options?: KubeClientOptions): KubeClient {
    const config = new KubeConfig();
    config.loadFromDefault();
    return new KubeClient(config, options);
  }

  static fromFile(path: string, options?: KubeClientOptions): KubeClient {
    const config = new KubeConfig();
    config.loadFromFile(path);
    return new KubeClient(config, options);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * The authentication headers (bearer tokens, exec plugins, rotated token files).
   * client-node builds a whole connection agent each time it computes them, so they
   * are reused for a few seconds; its token sources cache for longer than that.
   */
  private async headers(url: string, method: string): Promise<Record<string, string>> {
    const now = Date.now();
    if (!this.authHeaders || now - this.authHeaders.at > AUTH_HEADERS_TTL_MS) {
      const ctx = new RequestContext(url, method as HttpMethod);
      this.authHeaders = {
        at: now,
        headers: this.config.applySecurityAuthentication(ctx).then(() => ctx.getHeaders()),
      };
      this.authHeaders.headers.catch(() => (this.authHeaders = undefined));
    }
    return { ...(await this.authHeaders.headers) };
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const headers = await this.headers(url, method);
    headers.accept = 'application/json';
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body = JSON.stringify(options.body);
    }
    // A request that hangs must not hold a worker forever: every call has a deadline.
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const response = await fetch(url, { method, headers, body, dispatcher: this.agent, signal });
    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, text, method, path, body !== undefined && !this.verbatimErrors);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = any>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /**
   * Opens a watch and yields its events until the server closes it, the signal
   * aborts, or the connection fails (thrown). The caller owns timeouts.
   */
  async *watch(path: string, query: RequestOptions['query'], signal: AbortSignal): AsyncGenerator<WatchLine> {
    const url = this.url(path, { ...query, watch: true });
    const headers = await this.headers(url, 'GET');
    const response = await fetch(url, { method: 'GET', headers, dispatcher: this.agent, signal });
    if (!response.ok || !response.body) throw toApiError(response.status, await response.text(), 'WATCH', path, false);
    const body = Readable.fromWeb(response.body as any);
    // Aborting the request errors the stream; the iteration below already reports failures.
    body.on('error', () => {});
    const lines = createInterface({ input: body, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        yield JSON.parse(line) as WatchLine;
      }
    } finally {
      lines.close();
      body.destroy();
    }
  }
}

function toApiError(status: number, text: string, method: string, path: string, mayQuoteWhatWeSent: boolean): KubeApiError {
  const { reason, message } = apiErrorParts(text, mayQuoteWhatWeSent);
  return new KubeApiError(status, reason, `${method} ${path}: ${status} ${reason}: ${message}`);
}

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { ExecCredentialSource, type ExecConfig } from './exec-credential.ts';

/**
 * Where the apiserver is and who we are to it: what KubeClient needs from a kubeconfig
 * or from the pod's service account. Our own loader, because @kubernetes/client-node
 * loads its whole generated API (about 85 MiB resident) to offer the same.
 */
export interface KubeConfig {
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** A client certificate given in the kubeconfig itself. */
  cert?: Buffer;
  key?: Buffer;
  /** The context's namespace, or the pod's own in a cluster. */
  namespace?: string;
  /** The credentials of the next request. Their sources cache them: call it per request. */
  authenticate?: () => Promise<Credentials>;
  /** The apiserver refused the credentials (401): the next `authenticate` gets fresh ones. */
  refused?: () => void;
}

export interface Credentials {
  authorization?: string;
  /** A client certificate from an exec plugin: it may change when the plugin runs again. */
  cert?: Buffer;
  key?: Buffer;
}

export interface LoadOptions {
  /** Use this context instead of current-context. */
  context?: string;
  /** The clock token files and exec credentials expire on. */
  now?: () => number;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** A token file is re-read this often: the kubelet rotates projected service-account tokens. */
const TOKEN_FILE_MAX_AGE_MS = 60_000;

/**
 * The configuration kubectl would use: the files in KUBECONFIG, else ~/.kube/config,
 * else the pod's service account (KUBERNETES_SERVICE_HOST).
 */
export function loadDefaultKubeConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): KubeConfig {
  if (env.KUBECONFIG) return loadKubeConfigFiles(env.KUBECONFIG.split(delimiter).filter(Boolean), options);
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return loadKubeConfigFiles([home], options);
  if (env.KUBERNETES_SERVICE_HOST) return inClusterConfig(env, SERVICE_ACCOUNT_DIR, options);
  throw new Error('no Kubernetes configuration: set KUBECONFIG, create ~/.kube/config or run in a pod');
}

/**
 * A pod's configuration: the apiserver from KUBERNETES_SERVICE_HOST/PORT, the service
 * account's CA, namespace and token, the token re-read as the kubelet rotates it.
 */
export function inClusterConfig(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR, options: LoadOptions = {}): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
  const token = new TokenFile(join(dir, 'token'), options.now);
  const namespaceFile = join(dir, 'namespace');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(dir, 'ca.crt')),
    namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined,
    authenticate: async () => ({ authorization: `Bearer ${token.read()}` }),
    refused: () => token.expire(),
  };
}

/**
 * Kubeconfig files merged as kubectl merges them: the first file to set current-context,
 * or to name a cluster, user or context, wins; missing files are skipped. File paths in
 * an entry are relative to the directory of the file that holds it.
 */
export function loadKubeConfigFiles(paths: string[], options: LoadOptions = {}): KubeConfig {
  const merged: MergedKubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map() };
  const found = paths.filter((p) => existsSync(p));
  if (found.length === 0) throw new Error(`no kubeconfig file found at ${paths.join(', ')}`);
  for (const path of found) {
    const raw = (parse(readFileSync(path, 'utf8')) ?? {}) as RawKubeconfig;
    const dir = dirname(resolve(path));
    merged.currentContext ??= raw['current-context'] || undefined;
    for (const [entries, into, field] of [[raw.clusters, merged.clusters, 'cluster'], [raw.users, merged.users, 'user'], [raw.contexts, merged.contexts, 'context']] as const) {
      for (const entry of entries ?? []) {
        if (entry?.name !== undefined && !into.has(entry.name)) into.set(entry.name, { ...(entry as any)[field], dir });
      }
    }
  }
  return fromMerged(merged, options, found);
}

interface RawCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface RawUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  'auth-provider'?: { name?: string };
}

interface RawContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface RawKubeconfig {
  'current-context'?: string;
  clusters?: Array<{ name: string; cluster: RawCluster }>;
  users?: Array<{ name: string; user: RawUser }>;
  contexts?: Array<{ name: string; context: RawContext }>;
}

type InDir<T> = T & { dir: string };

interface MergedKubeconfig {
  currentContext?: string;
  clusters: Map<string, InDir<RawCluster>>;
  users: Map<string, InDir<RawUser>>;
  contexts: Map<string, InDir<RawContext>>;
}

function fromMerged(merged: MergedKubeconfig, options: LoadOptions, files: string[]): KubeConfig {
  const contextName = options.context ?? merged.currentContext;
  if (!contextName) throw new Error(`kubeconfig ${files.join(', ')} has no current-context`);
  const context = merged.contexts.get(contextName);
  if (!context) throw new Error(`kubeconfig ${files.join(', ')} has no context "${contextName}"`);
  const cluster = context.cluster !== undefined ? merged.clusters.get(context.cluster) : undefined;
  if (!cluster?.server) throw new Error(`kubeconfig context "${contextName}" has no cluster with a server`);
  if (cluster['proxy-url']) {
    // The HTTP/2 connection and its pings go straight to the apiserver; a proxy in between is not supported.
    throw new Error(`kubeconfig cluster "${context.cluster}": proxy-url is not supported`);
  }
  const user: InDir<RawUser> = (context.user !== undefined ? merged.users.get(context.user) : undefined) ?? { dir: cluster.dir };
  if (user['auth-provider']) {
    throw new Error(`kubeconfig user "${context.user}": auth-provider ${user['auth-provider'].name ?? ''} is not supported; use an exec credential plugin (e.g. kubelogin)`);
  }
  const config: KubeConfig = {
    server: cluster.server,
    ca: fileOrData(cluster.dir, cluster['certificate-authority'], cluster['certificate-authority-data']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'] || undefined,
    cert: fileOrData(user.dir, user['client-certificate'], user['client-certificate-data']),
    key: fileOrData(user.dir, user['client-key'], user['client-key-data']),
    namespace: context.namespace || undefined,
  };
  return { ...config, ...authentication(user, config, options) };
}

/** How a user authenticates per request: exec plugin, token file, token, or basic auth (client-go's order). */
function authentication(user: InDir<RawUser>, cluster: KubeConfig, options: LoadOptions): Pick<KubeConfig, 'authenticate' | 'refused'> {
  if (user.exec) {
    const command = user.exec.command.includes(sep) && !isAbsolute(user.exec.command) ? resolve(user.dir, user.exec.command) : user.exec.command;
    const source = new ExecCredentialSource({ ...user.exec, command }, { ...cluster, insecureSkipTlsVerify: cluster.insecureSkipTlsVerify ?? false }, options.now);
    return {
      authenticate: async () => {
        const { token, cert, key } = await source.credential();
        return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(cert ? { cert, key } : {}) };
      },
      refused: () => source.invalidate(),
    };
  }
  if (user.tokenFile) {
    const file = new TokenFile(resolve(user.dir, user.tokenFile), options.now);
    return { authenticate: async () => ({ authorization: `Bearer ${file.read()}` }), refused: () => file.expire() };
  }
  if (user.token) {
    const authorization = `Bearer ${user.token}`;
    return { authenticate: async () => ({ authorization }) };
  }
  if (user.username !== undefined || user.password !== undefined) {
    const authorization = `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64')}`;
    return { authenticate: async () => ({ authorization }) };
  }
  return {};
}

function fileOrData(dir: string, file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFileSync(resolve(dir, file));
  return undefined;
}

/**
 * A bearer token kept in a file that is rotated under us: read again once the last
 * read is a minute old, as client-go does. A failed re-read keeps the last token.
 */
export class TokenFile {
  private token: string | undefined;
  private readAt = -Infinity;
  private readonly path: string;
  private readonly now: () => number;

  constructor(path: string, now: () => number = Date.now) {
    this.path = path;
    this.now = now;
  }

  read(): string {
    if (this.token === undefined || this.now() - this.readAt >= TOKEN_FILE_MAX_AGE_MS) {
      try {
        this.token = readFileSync(this.path, 'utf8').trim();
        this.readAt = this.now();
      } catch (err) {
        if (this.token === undefined) throw err;
      }
    }
    return this.token;
  }

  /** The next read goes to the file. */
  expire(): void {
    this.readAt = -Infinity;
  }
}

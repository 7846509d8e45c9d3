import { execFile } from 'node:child_process';

/** A kubeconfig user's `exec` stanza: a credential plugin, e.g. `aws eks get-token`. */
export interface ExecConfig {
  command: string;
  args?: string[] | null;
  env?: Array<{ name: string; value: string }> | null;
  apiVersion: string;
  installHint?: string;
  interactiveMode?: string;
  provideClusterInfo?: boolean;
}

/** What a plugin hands back: a bearer token, a client certificate, or both. */
export interface ExecCredential {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

const SUPPORTED = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
const PLUGIN_TIMEOUT_MS = 60_000;

/**
 * Runs a credential plugin and keeps its answer until the expirationTimestamp it gives
 * (for good when it gives none, as client-go does), so the plugin runs once per token,
 * not once per request. Concurrent callers share one run; `invalidate` (after a 401)
 * forces the next call to run the plugin again.
 */
export class ExecCredentialSource {
  private cached: Promise<IssuedCredential> | undefined;
  private readonly exec: ExecConfig;
  private readonly cluster: { server: string; ca?: Buffer; insecureSkipTlsVerify: boolean; tlsServerName?: string };
  private readonly now: () => number;

  constructor(exec: ExecConfig, cluster: ExecCredentialSource['cluster'], now: () => number = Date.now) {
    if (!SUPPORTED.includes(exec.apiVersion)) {
      throw new Error(`exec credential plugin ${exec.command}: apiVersion "${exec.apiVersion}" is not supported (use one of ${SUPPORTED.join(', ')})`);
    }
    if (exec.interactiveMode === 'Always') {
      throw new Error(`exec credential plugin ${exec.command}: interactiveMode Always needs a terminal, which an operator does not have`);
    }
    this.exec = exec;
    this.cluster = cluster;
    this.now = now;
  }

  async credential(): Promise<ExecCredential> {
    let cached = this.cached;
    if (cached && this.now() >= ((await cached.catch(() => undefined))?.expiresAt ?? Infinity)) cached = undefined;
    if (!cached) {
      const run = (cached = this.cached = this.run());
      // A failed run is not kept: the next call tries again.
      run.catch(() => this.cached === run && (this.cached = undefined));
    }
    return (await cached).credential;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async run(): Promise<IssuedCredential> {
    const { command, args, env, apiVersion, provideClusterInfo } = this.exec;
    const spec: Record<string, unknown> = { interactive: false };
    if (provideClusterInfo) {
      spec.cluster = {
        server: this.cluster.server,
        ...(this.cluster.tlsServerName ? { 'tls-server-name': this.cluster.tlsServerName } : {}),
        ...(this.cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(this.cluster.ca ? { 'certificate-authority-data': this.cluster.ca.toString('base64') } : {}),
      };
    }
    const childEnv: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: 'ExecCredential', spec }) };
    for (const { name, value } of env ?? []) childEnv[name] = value;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(command, args ?? [], { env: childEnv, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, out, stderr) => {
        if (!err) return resolve(out);
        const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' && this.exec.installHint ? `; ${this.exec.installHint.trim()}` : '';
        // stderr is the plugin's own diagnostics (never the credential, which it prints on stdout).
        const detail = stderr.trim().split('\n').slice(-3).join(' ');
        reject(new Error(`exec credential plugin ${command} failed: ${err.message.split('\n')[0]}${detail ? `: ${detail}` : ''}${hint}`));
      });
    });
    return parseExecCredential(stdout, apiVersion, command);
  }
}

/** A credential and when it expires (Infinity: when the apiserver refuses it). */
export interface IssuedCredential {
  credential: ExecCredential;
  expiresAt: number;
}

/** The plugin's stdout: an ExecCredential of the apiVersion asked for. */
export function parseExecCredential(stdout: string, apiVersion: string, command: string): IssuedCredential {
  let parsed: any;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    // The output is not quoted: it may be a credential in some other shape.
    throw new Error(`exec credential plugin ${command} did not print an ExecCredential as JSON`);
  }
  if (parsed?.kind !== 'ExecCredential' || parsed.apiVersion !== apiVersion) {
    throw new Error(`exec credential plugin ${command} printed kind "${parsed?.kind}" apiVersion "${parsed?.apiVersion}", expected ExecCredential ${apiVersion}`);
  }
  const status = parsed.status ?? {};
  const credential: ExecCredential = {};
  if (status.token) credential.token = String(status.token);
  if (status.clientCertificateData || status.clientKeyData) {
    if (!status.clientCertificateData || !status.clientKeyData) {
      throw new Error(`exec credential plugin ${command} printed a client certificate without its key, or a key without its certificate`);
    }
    credential.cert = Buffer.from(status.clientCertificateData);
    credential.key = Buffer.from(status.clientKeyData);
  }
  if (!credential.token && !credential.cert) throw new Error(`exec credential plugin ${command} printed neither a token nor a client certificate`);
  const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Infinity;
  if (Number.isNaN(expiresAt)) throw new Error(`exec credential plugin ${command} printed an invalid expirationTimestamp`);
  return { credential, expiresAt };
}

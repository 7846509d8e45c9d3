import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The operator as it runs in a pod: `node src/main.ts` as its own process, so that a test can
 * SIGKILL it, read its peak memory, and see it crash. Its log lines are kept for assertions.
 */
export interface OperatorChild {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: string[];
  readonly metricsPort: number;
  /** Resolves with the exit code, or the signal's name, when the process ends. */
  readonly exited: Promise<number | string | null>;
  metrics(): Promise<string>;
  /** Sum of the samples of a metric whose line starts with `prefix`. */
  metric(prefix: string): Promise<number>;
  leads(): boolean;
  /** The most resident memory the process ever had (Linux's VmHWM), in bytes. */
  peakRss(): number;
  /** Current resident memory (VmRSS), in bytes. */
  rss(): number;
  kill(signal: NodeJS.Signals): Promise<number | string | null>;
}

const root = join(import.meta.dirname, '../..');

export interface OperatorChildOptions {
  name: string;
  kubeconfig: string;
  awsEndpoint: string;
  /** Extra environment (POD_NAMESPACE turns leader election on). */
  env?: Record<string, string>;
  /** Arguments to node before the script, e.g. --max-old-space-size=160. */
  nodeArgs?: string[];
  /** The entry point, from `cwd`: src/main.ts, or the image's build (dist/src/main.js). */
  script?: string;
  /** Where the process runs: the repository's root, or a folder laid out as the image (scripts/image-context.ts). */
  cwd?: string;
  startTimeoutMs?: number;
  /** Also write the process's output to this file, for a closer look. */
  logFile?: string;
}

export async function startOperatorChild(options: OperatorChildOptions): Promise<OperatorChild> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KUBECONFIG: options.kubeconfig,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: options.awsEndpoint,
    AWS_ENDPOINT_URL_STS: options.awsEndpoint,
    AWS_ENDPOINT_URL_SSM: options.awsEndpoint,
    AWS_ENDPOINT_URL_ECR: options.awsEndpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script ?? 'src/main.ts'], { cwd: options.cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const logFile = options.logFile ? createWriteStream(options.logFile) : undefined;
  const collect = (chunk: Buffer) => {
    logFile?.write(chunk);
    output.push(...chunk.toString().split('\n').filter(Boolean));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let metricsPort: number | undefined;
  while (metricsPort === undefined) {
    const line = output.find((l) => l.includes('"metricsPort"'));
    if (line) metricsPort = JSON.parse(line).metricsPort as number;
    else if (ended) throw new Error(`${options.name} exited before it started:\n${output.slice(-20).join('\n')}`);
    else if (Date.now() > deadline) throw new Error(`${options.name} did not start:\n${output.slice(-20).join('\n')}`);
    else await new Promise((r) => setTimeout(r, 100));
  }
  const port = metricsPort;
  const status = (field: string): number => {
    const line = readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
  };
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    name: options.name,
    child,
    output,
    metricsPort: port,
    exited,
    metrics,
    async metric(prefix) {
      return (await metrics()).split('\n').filter((l) => l.startsWith(prefix)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    },
    leads: () => output.some((l) => l.includes('became leader')),
    peakRss: () => status('VmHWM'),
    rss: () => status('VmRSS'),
    async kill(signal) {
      if (!ended) child.kill(signal);
      return exited;
    },
  };
}

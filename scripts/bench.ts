/**
 * `make bench`: sync latency, AWS API cost and memory of the operator process at
 * scale, against a real kube-apiserver + etcd and moto on this machine.
 *
 * BENCH_EXTERNAL_SECRETS (default 1000) ExternalSecrets each read two properties of
 * one of BENCH_AWS_SECRETS (default 100) AWS secrets. The operator runs as its own
 * process (`node src/main.ts`) under its ClusterRole; figures come from its
 * /metrics and from the apiserver. Prints a table and a JSON line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeClient } from '../src/kube/client.ts';
import { applyManifest, installOperatorPrerequisites } from '../dev/apply.ts';
import { startControlPlane } from '../dev/control-plane.ts';
import { startMoto } from '../dev/moto.ts';
import { externalSecrets, secrets } from '../src/kube/resources.ts';

const ES_COUNT = Number(process.env.BENCH_EXTERNAL_SECRETS ?? 1000);
const AWS_COUNT = Number(process.env.BENCH_AWS_SECRETS ?? 100);
const NS = 'bench';
const root = join(import.meta.dirname, '..');

const [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
const kube = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
let operator: ReturnType<typeof spawn> | undefined;
try {
  await installOperatorPrerequisites(kube);
  const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  for (let i = 0; i < AWS_COUNT; i++) {
    await aws.send(new CreateSecretCommand({ Name: `bench/db-${i}`, SecretString: JSON.stringify({ username: `user-${i}`, password: `pw-${i}`, port: 5432 }) }));
  }
  aws.destroy();
  await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: NS },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  });
  const created = Date.now();
  for (let i = 0; i < ES_COUNT; i++) {
    await applyManifest(kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: `es-${i}`, namespace: NS },
      spec: {
        refreshInterval: '1h', secretStoreRef: { name: 'aws' },
        data: ['username', 'password'].map((p) => ({ secretKey: p, remoteRef: { key: `bench/db-${i % AWS_COUNT}`, property: p } })),
      },
    });
  }
  const applySeconds = (Date.now() - created) / 1000;

  // The operator process, as in a pod: its own identity, static AWS keys from the environment.
  const output: string[] = [];
  const started = Date.now();
  const requestsBefore = apiserverRequests();
  operator = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      KUBECONFIG: controlPlane.kubeconfigForServiceAccount('aws-secrets-operator', 'aws-secrets-operator'),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint, AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1',
      METRICS_PORT: '0', LOG_LEVEL: 'info', CONCURRENCY: process.env.CONCURRENCY ?? '16',
      // e.g. --max-old-space-size=96, to find the heap the operator really needs.
      ...(process.env.OPERATOR_NODE_OPTIONS ? { NODE_OPTIONS: process.env.OPERATOR_NODE_OPTIONS } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  operator.stdout!.on('data', (c: Buffer) => output.push(...c.toString().split('\n').filter(Boolean)));
  operator.stderr!.on('data', (c: Buffer) => output.push(...c.toString().split('\n').filter(Boolean)));
  const port = await until(() => {
    const line = output.find((l) => l.includes('"metricsPort"'));
    return line ? (JSON.parse(line).metricsPort as number) : undefined;
  }, 30_000, 'the operator to start');
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  };
  const synced = async (since: number): Promise<number> => {
    const list = await kube.get(externalSecrets.path(NS));
    return list.items.filter((es: any) => es.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')
      && Date.parse(es.status.refreshTime) >= Math.floor(since / 1000) * 1000).length;
  };

  await until(async () => ((await synced(started)) === ES_COUNT ? true : undefined), 600_000, 'every ExternalSecret to sync');
  const firstSyncSeconds = (Date.now() - started) / 1000;
  const firstSyncCpu = cpuSeconds(operator.pid!);
  const firstSyncRequests = requestDelta(requestsBefore, apiserverRequests());
  const firstCalls = await metric('externalsecret_provider_api_calls_count{provider="AWS/SecretsManager",call="GetSecretValue",status="success"}');
  const secretsWritten = (await kube.get(secrets.path(NS), { labelSelector: 'reconcile.external-secrets.io/managed=true' })).items.length;

  // Idle: nothing is due, so nothing may be fetched.
  await sleep(5_000);
  const idleCalls = await metric('externalsecret_provider_api_calls_count{provider="AWS/SecretsManager",call="GetSecretValue",status="success"}') - firstCalls;
  const restingRss = await metric('process_resident_memory_bytes');

  // A forced refresh of every ExternalSecret (an annotation each), as after a rotation.
  const forced = Date.now();
  const cpuBeforeRefresh = cpuSeconds(operator.pid!);
  for (let i = 0; i < ES_COUNT; i++) {
    await kube.request('PATCH', externalSecrets.path(NS, `es-${i}`), {
      body: { metadata: { annotations: { 'force-sync': String(forced) } } }, contentType: 'application/merge-patch+json',
    });
  }
  await until(async () => ((await synced(forced)) === ES_COUNT ? true : undefined), 600_000, 'every ExternalSecret to refresh');
  const refreshSeconds = (Date.now() - forced) / 1000;
  const refreshCpu = cpuSeconds(operator.pid!) - cpuBeforeRefresh;
  const refreshCalls = await metric('externalsecret_provider_api_calls_count{provider="AWS/SecretsManager",call="GetSecretValue",status="success"}') - firstCalls - idleCalls;
  const rss = await metric('process_resident_memory_bytes');
  const heap = await metric('nodejs_heap_size_used_bytes');
  const restarts = await metric('aws_secrets_operator_watch_restarts_total');

  const result = {
    externalSecrets: ES_COUNT, awsSecrets: AWS_COUNT, concurrency: Number(process.env.CONCURRENCY ?? 16),
    secretsWritten, applySeconds,
    firstSyncSeconds, firstSyncPerSecond: round(ES_COUNT / firstSyncSeconds), firstSyncCpuSeconds: round(firstSyncCpu),
    getSecretValuePerExternalSecret: round(firstCalls / ES_COUNT), idleGetSecretValueCalls: idleCalls,
    forcedRefreshSeconds: refreshSeconds, forcedRefreshCpuSeconds: round(refreshCpu), forcedRefreshGetSecretValuePerExternalSecret: round(refreshCalls / ES_COUNT),
    rssMiB: round(rss / 2 ** 20), heapUsedMiB: round(heap / 2 ** 20), watchRestarts: restarts,
    restingRssMiB: round(restingRss / 2 ** 20), peakRssMiB: round(peakRss(operator.pid!) / 2 ** 20),
    // The operator's requests to the apiserver in the first sync, per ExternalSecret, by verb and resource
    // (the benchmark's own polling, LISTs of externalsecrets, left out).
    firstSyncApiserverRequestsPerExternalSecret: Object.fromEntries(
      Object.entries(firstSyncRequests).filter(([k]) => k !== 'LIST externalsecrets')
        .map(([k, v]) => [k, round(v / ES_COUNT)] as const).filter(([, perExternalSecret]) => perExternalSecret > 0)),
  };
  // `BENCH_SIZING=1 make bench` records the figures the Deployment's memory request and limit are sized from.
  if (process.env.BENCH_SIZING) {
    const sizing = { command: 'BENCH_SIZING=1 make bench', externalSecrets: ES_COUNT, restingRssMiB: result.restingRssMiB, peakRssMiB: result.peakRssMiB };
    writeFileSync(join(root, 'deploy/sizing.json'), `${JSON.stringify(sizing, null, 2)}\n`);
  }
  console.log(`\n${'figure'.padEnd(46)}value`);
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(46)}${typeof v === "object" ? JSON.stringify(v) : v}`);
  console.log(`\nBENCH ${JSON.stringify(result)}`);
} finally {
  operator?.kill('SIGTERM');
  await kube.close();
  await Promise.all([controlPlane.stop(), moto.stop()]);
}

/** The most resident memory the process ever had (Linux's VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/**
 * CPU seconds (user and system) the operator process has used: steadier than wall time on a
 * shared machine, where the apiserver and moto compete for the same cores.
 */
function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // In clock ticks of USER_HZ, which Linux fixes at 100 for /proc on every architecture Node runs on.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The apiserver's own count of the requests it served, by verb and resource (its /metrics). */
function apiserverRequests(): Record<string, number> {
  const text = execFileSync(join(controlPlane.binDir, 'kubectl'), ['--kubeconfig', controlPlane.kubeconfig, 'get', '--raw', '/metrics'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (name: string) => new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1] ?? '';
    const subresource = label('subresource');
    const key = `${label('verb')} ${label('resource')}${subresource ? `/${subresource}` : ''}`;
    counts[key] = (counts[key] ?? 0) + Number(line.split(' ').pop());
  }
  return counts;
}

function requestDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(200);
  }
}

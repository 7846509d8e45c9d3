import { CreateSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { parseDuration } from '../../src/go/duration.ts';
import { MIN_REFRESH_INTERVAL_MS } from '../../src/controllers/externalsecret/refresh.ts';
import { reasonCodes } from '../../src/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { applyManifest } from '../../dev/apply.ts';
import { hostileCases, knownHostileCases, withKey, type HostileCase } from './hostile.ts';
import type { OperatorChild } from './operator-child.ts';
import { events, externalSecrets, secrets } from '../../src/kube/resources.ts';

/**
 * One tenant's hostile ExternalSecrets and AWS payloads against an operator process, in one
 * namespace beside a healthy ExternalSecret, a Secret someone else owns, and a carrier of the
 * canary. Shared by the test (a few dozen cases, asserted) and `make chaos` (hundreds, reported).
 * Nothing here sleeps for a fixed time: every wait is for a positive sign, with a deadline.
 */
export interface HostileRunOptions {
  kube: KubeClient;
  aws: SecretsManagerClient;
  operator: OperatorChild;
  namespace: string;
  canary: string;
  seed: number;
  /** Generated cases, tried after the known ones. */
  generated: number;
  batch?: number;
  /** Unique AWS secret names for this run. */
  awsName: (label: string) => string;
}

export interface HostileReport {
  tried: number;
  outcomes: Record<string, number>;
  /** Cases that got no reason code, InternalError, or an unknown one; the operator's death. */
  violations: string[];
  /** Where the canary was found outside the Secrets. */
  leaks: string[];
  /** ExternalSecrets that synced far more often than a backoff allows. */
  spinning: string[];
  healthyRotations: number;
  preciousIntact: boolean;
  carried: boolean;
  restingRss: number;
  peakRss: number;
  growth: string[];
  /** Bytes of data (as base64, as the apiserver sends them) of the Secrets the run left in the namespace. */
  secretBytes: number;
}

const READY_REASONS = ['SecretSynced', 'SecretDeleted', 'SecretMissing'];
/**
 * More syncs than this for one ExternalSecret during a run means a loop: retries back off from 1 s,
 * so they allow a handful, and a periodic refresh at most one per interval (never under 1 s).
 */
const SPIN_ALLOWANCE = 20;

export async function runHostileInputs(o: HostileRunOptions): Promise<HostileReport> {
  const { kube, aws, operator, namespace: ns, canary } = o;
  const es = (name: string) => externalSecrets.path(ns, name);
  const secret = async (name: string) => kube.get(secrets.path(ns, name)).catch(() => undefined);
  const text = (s: any, key: string) => (s?.data?.[key] === undefined ? undefined : Buffer.from(s.data[key], 'base64').toString('utf8'));
  const violations: string[] = [];
  const alive = () => operator.child.exitCode === null && operator.child.signalCode === null;
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!alive()) throw new Error(`the operator exited (${operator.child.exitCode ?? operator.child.signalCode}) waiting for ${what}:\n${operator.output.slice(-8).join('\n')}`);
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (seed ${o.seed})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  });
  await applyManifest(kube, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'precious', namespace: ns }, data: { keep: Buffer.from('mine').toString('base64') } });

  // A healthy tenant in the same namespace: it must keep following rotations throughout.
  const healthyKey = o.awsName('healthy');
  await aws.send(new CreateSecretCommand({ Name: healthyKey, SecretString: JSON.stringify({ password: 'rotation-0' }) }));
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'healthy', namespace: ns },
    spec: { refreshInterval: '1h', secretStoreRef: { name: 'aws' }, data: [{ secretKey: 'password', remoteRef: { key: healthyKey, property: 'password' } }] },
  });
  let rotations = 0;
  const healthyFollows = async () => {
    const value = `rotation-${++rotations}`;
    await aws.send(new PutSecretValueCommand({ SecretId: healthyKey, SecretString: JSON.stringify({ password: value }) }));
    await kube.request('PATCH', es('healthy'), { body: { metadata: { annotations: { 'force-sync': value } } }, contentType: 'application/merge-patch+json' });
    await until(`the healthy Secret to carry ${value}`, async () => (text(await secret('healthy'), 'password') === value ? true : undefined));
  };
  await healthyFollows();

  // The canary really flows through the operator: into a Secret's data, a label and an annotation.
  const carrierKey = o.awsName('carrier');
  await aws.send(new CreateSecretCommand({ Name: carrierKey, SecretString: JSON.stringify({ password: canary }) }));
  await applyManifest(kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'carrier', namespace: ns },
    spec: {
      refreshInterval: '1h', secretStoreRef: { name: 'aws' }, dataFrom: [{ extract: { key: carrierKey } }],
      target: { template: { metadata: { labels: { l: '{{ .password }}' }, annotations: { a: '{{ .password }}' } }, data: { p: '{{ .password }}' } } },
    },
  });
  const carrier = await until('the canary in the carrier Secret', async () => {
    const s = await secret('carrier');
    return text(s, 'p') === canary ? s : undefined;
  });
  const carried = carrier.metadata.labels?.l === canary && carrier.metadata.annotations?.a === canary;

  const restingRss = operator.rss();
  const started = Date.now();
  /** Each case's periodic refresh interval in ms, as the operator applies it (at least 1 s; none when ≤ 0). */
  const intervals = new Map<string, number>();
  /** Batches after which the peak resident memory rose markedly, with what they tried. */
  const growth: string[] = [];
  let highest = operator.peakRss();
  const cases = [...knownHostileCases(canary), ...fc.sample(hostileCases(canary), { seed: o.seed, numRuns: o.generated })];
  const outcomes: Record<string, number> = {};
  const count = (outcome: string) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
  const batch = o.batch ?? 6;

  const applyCase = async (c: HostileCase, i: number): Promise<string | undefined> => {
    const key = o.awsName(`hostile-${i}`);
    await aws.send(new CreateSecretCommand(typeof c.payload === 'string' ? { Name: key, SecretString: c.payload } : { Name: key, SecretBinary: c.payload }));
    const name = `case-${i}`;
    const interval = (() => {
      try {
        return parseDuration(String(c.spec.refreshInterval ?? '1h'));
      } catch {
        return 0;
      }
    })();
    intervals.set(name, interval > 0 ? Math.max(interval, MIN_REFRESH_INTERVAL_MS) : Infinity);
    try {
      await applyManifest(kube, {
        apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace: ns },
        spec: { refreshInterval: '1h', secretStoreRef: { name: 'aws' }, ...withKey(c.spec, key) },
      });
      return name;
    } catch (err) {
      // A schema rejection at apply is a clear error too (what kubectl apply would print).
      const status = (err as { status?: number }).status;
      if (status !== 400 && status !== 422) violations.push(`case-${i} (${c.kind}): apply failed with ${status}: ${(err as Error).message.slice(0, 200)}`);
      return undefined;
    }
  };

  for (let start = 0; start < cases.length; start += batch) {
    const slice = cases.slice(start, start + batch);
    const names = await Promise.all(slice.map((c, j) => applyCase(c, start + j)));
    for (const [j, name] of names.entries()) {
      const c = slice[j]!;
      if (!name) {
        count('refused at apply');
        continue;
      }
      // The positive sign: the operator wrote a Ready condition for it.
      const ready = await until(`a Ready condition on ${name} (${c.kind})`, async () =>
        (await kube.get(es(name))).status?.conditions?.find((x: any) => x.type === 'Ready'));
      const code = ready.status === 'True' ? ready.reason : String(ready.message).split(':')[0]!;
      count(code);
      const ok = ready.status === 'True' ? READY_REASONS.includes(code) : code in reasonCodes && code !== 'InternalError';
      if (!ok) violations.push(`${name} (${c.kind}): Ready=${ready.status} ${ready.reason}: ${String(ready.message).slice(0, 300)}`);
    }
    await healthyFollows();
    const peak = operator.peakRss();
    if (peak > highest + 8 * 2 ** 20) growth.push(`+${Math.round((peak - highest) / 2 ** 20)} MiB peak with ${slice.map((c) => c.kind).join(', ')}`);
    highest = Math.max(highest, peak);
  }

  const metrics = await operator.metrics();
  const elapsedMs = Date.now() - started;
  const spinning = metrics.split('\n')
    .filter((l) => l.startsWith('externalsecret_sync_calls_total{') && l.includes(`namespace="${ns}"`) && !l.includes('name="healthy"'))
    .filter((l) => {
      const interval = intervals.get(/name="([^"]+)"/.exec(l)?.[1] ?? '') ?? Infinity;
      return Number(l.split(' ').pop()) > SPIN_ALLOWANCE + elapsedMs / interval;
    });

  const needles = [canary, Buffer.from(canary).toString('base64'), Buffer.from(canary).toString('base64url')];
  const haystacks: Array<[string, string]> = operator.output.map((l) => ['log', l]);
  for (const e of (await kube.get(events.path(ns))).items) haystacks.push(['event', JSON.stringify(e)]);
  for (const e of (await kube.get(externalSecrets.path(ns))).items) haystacks.push([`status ${e.metadata.name}`, JSON.stringify(e.status)]);
  haystacks.push(['metrics', metrics]);
  const leaks = haystacks.filter(([, t]) => needles.some((n) => t.includes(n))).map(([where, t]) => `${where}: ${t.slice(0, 300)}`);

  const stored = (await kube.get(secrets.path(ns))).items as any[];
  const secretBytes = stored.reduce((sum, s) => sum + Object.values<string>(s.data ?? {}).reduce((n, v) => n + v.length, 0), 0);
  if (!alive()) violations.push(`the operator exited: ${operator.output.slice(-5).join(' | ')}`);
  return {
    tried: cases.length,
    outcomes,
    violations,
    leaks,
    spinning,
    healthyRotations: rotations,
    preciousIntact: text(await secret('precious'), 'keep') === 'mine' && Object.keys((await secret('precious'))?.data ?? {}).length === 1,
    carried,
    restingRss,
    peakRss: operator.peakRss(),
    growth,
    secretBytes,
  };
}

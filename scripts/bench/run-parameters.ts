/**
 * The parameters phase (issue 13), on a workload's control plane and moto, with the operator the
 * scale phases ran: the same shape of workload read through Parameter Store instead of Secrets
 * Manager. One JSON String parameter per AWS secret of the workload; in a namespace of its own, a
 * ParameterStore SecretStore and as many ExternalSecrets as the workload has, each reading
 * `username` and `password` of one parameter (round-robin), refreshing at the bench's interval.
 * Measured: the SSM calls of the cold sync and of whole refresh intervals after it, by operation,
 * counted by the proxy in front of moto; and how many refreshes those intervals held.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { applyManifest } from '../../dev/apply.ts';
import { externalSecrets, secretStores } from '../../src/kube/resources.ts';
import { total } from './apiserver-requests.ts';
import { callsBetween, ssmCalls } from './aws-calls.ts';
import type { BenchEnvironment } from './environment.ts';
import { BULK_IN_FLIGHT } from './environment.ts';
import { inFlight } from './in-flight.ts';
import type { ParametersResult } from './result.ts';
import { isReady, SyncTracker } from './sync-tracker.ts';
import type { BenchSettings, Workload } from './workloads.ts';

export const PARAMETERS_NAMESPACE = 'bench-ssm';
/** Refresh intervals whose calls are counted after the cold sync. */
const CYCLES = 2;

const parameterName = (j: number) => `/bench/ssm/db-${j}`;

export interface ParametersContext {
  env: BenchEnvironment;
  workload: Workload;
  settings: BenchSettings;
  phaseTimeoutMs: number;
  say(line: string): void;
}

export async function runParameters(ctx: ParametersContext): Promise<ParametersResult> {
  const { env, workload, settings, say } = ctx;
  const began = Date.now();
  const { externalSecrets: count, awsSecrets } = workload;
  const interval = settings.refreshIntervalSeconds;
  const ssm = new SSMClient({ region: 'us-east-1', endpoint: env.moto.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const tracker = new SyncTracker(env.kube, PARAMETERS_NAMESPACE);
  try {
    await inFlight(awsSecrets, 4, (j) => ssm.send(new PutParameterCommand({
      Name: parameterName(j), Type: 'String', Value: JSON.stringify({ username: `user-${j}`, password: `pw-${j}`, port: 5432 }),
    })));
    await applyManifest(env.kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PARAMETERS_NAMESPACE } });
    await applyManifest(env.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'ssm', namespace: PARAMETERS_NAMESPACE },
      spec: { provider: { aws: { service: 'ParameterStore', region: 'us-east-1' } } },
    });
    await tracker.start();
    const names = Array.from({ length: count }, (_, i) => `ps-${i}`);
    say(`parameters: ${count} ExternalSecrets over ${awsSecrets} parameters through a ParameterStore store, refreshInterval ${interval}s`);
    const coldStart = Date.now();
    await inFlight(count, BULK_IN_FLIGHT, (i) => env.kube.request('POST', externalSecrets.path(PARAMETERS_NAMESPACE), {
      body: {
        apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: names[i], namespace: PARAMETERS_NAMESPACE },
        spec: {
          refreshInterval: `${interval}s`, secretStoreRef: { name: 'ssm' },
          data: ['username', 'password'].map((p) => ({ secretKey: p, remoteRef: { key: parameterName(i % awsSecrets), property: p } })),
        },
      },
    }));
    const cold = await tracker.waitForAll(names, isReady, ctx.phaseTimeoutMs, 'parameters cold sync');
    const coldEnd = cold.completedAt ?? Date.now();
    const coldCalls = ssmCalls(callsBetween(env.proxy.calls, coldStart, coldEnd + 1));
    say(`parameters: cold sync ${cold.reached}/${count} Ready, SSM calls ${JSON.stringify(coldCalls)}`);

    // Whole intervals, starting one interval after the cold sync's start: every ExternalSecret refreshes once in each.
    const from = coldStart + interval * 1000;
    const to = from + CYCLES * interval * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, to - Date.now())));
    const cycleCalls = ssmCalls(callsBetween(env.proxy.calls, from, to));
    const refreshes = tracker.refreshesBetween(from, to);
    say(`parameters: ${CYCLES} intervals, ${refreshes} refreshes, SSM calls ${JSON.stringify(cycleCalls)}`);
    return {
      externalSecrets: count, parameters: awsSecrets, refreshIntervalSeconds: interval,
      cold: { ready: cold.reached, seconds: cold.completedAt === undefined ? undefined : (coldEnd - coldStart) / 1000, awsCalls: coldCalls },
      periodic: { intervals: CYCLES, refreshes, awsCalls: cycleCalls, callsPerInterval: total(cycleCalls) / CYCLES },
      wallSeconds: Math.round((Date.now() - began) / 1000),
    };
  } finally {
    await tracker.stop();
    ssm.destroy();
    // The phase's ExternalSecrets and store go (the bench's control plane runs no namespace controller to empty a
    // deleted namespace): later phases count only their own AWS calls.
    await env.kube.request('DELETE', externalSecrets.path(PARAMETERS_NAMESPACE)).catch(() => undefined);
    await env.kube.request('DELETE', secretStores.path(PARAMETERS_NAMESPACE, 'ssm')).catch(() => undefined);
  }
}

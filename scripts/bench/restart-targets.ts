/**
 * The workloads of the changes phase's rolling restarts: one Deployment per opted-in
 * ExternalSecret, as apiserver objects only (this control plane runs no controller-manager and no
 * pods, so nothing but the operator changes them). A restart is `kubectl rollout restart`'s patch
 * of the pod template, so the Deployment's metadata.generation counts them: generation 1 is the
 * Deployment as created, each restart adds one.
 */
import type { BenchEnvironment } from './environment.ts';
import { inFlight } from './in-flight.ts';

const deploymentsPath = (namespace: string, name?: string) => `/apis/apps/v1/namespaces/${namespace}/deployments${name ? `/${name}` : ''}`;

export function deployment(name: string, namespace: string) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: {
      replicas: 1, selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
    },
  };
}

export async function createDeployments(env: BenchEnvironment, names: readonly string[], namespace: string): Promise<void> {
  await inFlight(names.length, 8, (i) => env.kube.request('POST', deploymentsPath(namespace), { body: deployment(names[i]!, namespace) }));
}

/** How many times each Deployment was restarted since it was created (its generation − 1). */
export async function restartCounts(env: BenchEnvironment, names: readonly string[], namespace: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, Number((await env.kube.get(deploymentsPath(namespace, name))).metadata.generation) - 1);
  return counts;
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import { serviceAccounts } from '../../src/kube/resources.ts';
import { startOperatorChild, type OperatorChild } from './operator-child.ts';

/**
 * The operator run as the chart's Deployment runs it, as far as a control plane without a kubelet allows: the
 * container's environment as rendered (the downward API resolved as the kubelet would), and a pod's credentials for
 * the chart's ServiceAccount, a bound token from the TokenRequest API in a file, so that the chart's RBAC alone decides
 * what the operator may do.
 */
export async function runAsChartPod(options: {
  name: string;
  admin: KubeClient;
  /** The admin kubeconfig's file: its cluster (server and CA) is the pod's. */
  adminKubeconfig: string;
  /** The chart's Deployment: as rendered, or as the apiserver holds it after helm install. */
  deployment: any;
  awsEndpoint: string;
  /** Where the token and the kubeconfig are written. */
  dir: string;
  /** Settings the test changes on top of the chart's (e.g. a shorter retry). */
  env?: Record<string, string>;
}): Promise<OperatorChild & { kubeconfig: string }> {
  const { deployment, dir } = options;
  const namespace = deployment.metadata.namespace as string;
  const pod = deployment.spec.template.spec;
  const request = await options.admin.request('POST', serviceAccounts.path(namespace, pod.serviceAccountName, 'token'), {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  writeFileSync(join(dir, `${options.name}.token`), request.status.token, { mode: 0o600 });
  const admin = parse(readFileSync(options.adminKubeconfig, 'utf8'));
  const kubeconfig = join(dir, `${options.name}.kubeconfig`);
  writeFileSync(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: admin.clusters,
    users: [{ name: 'pod', user: { tokenFile: `${options.name}.token` } }],
    contexts: [{ name: 'pod', context: { cluster: admin.clusters[0].name, user: 'pod' } }],
    'current-context': 'pod',
  }), { mode: 0o600 });
  const env = containerEnvironment(pod.containers[0], { 'metadata.name': `${deployment.metadata.name}-0`, 'metadata.namespace': namespace });
  const operator = await startOperatorChild({
    name: options.name,
    kubeconfig,
    awsEndpoint: options.awsEndpoint,
    // Any free port: several operators may run on this machine at once.
    env: { ...env, METRICS_PORT: '0', ...options.env },
  });
  return Object.assign(operator, { kubeconfig });
}

/** A container's environment as the kubelet gives it, for the downward API fields the chart uses. */
export function containerEnvironment(container: any, fields: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath as string | undefined;
    if (variable.valueFrom && (field === undefined || fields[field] === undefined)) {
      throw new Error(`the test cannot resolve ${variable.name}'s valueFrom ${JSON.stringify(variable.valueFrom)}`);
    }
    env[variable.name] = field !== undefined ? fields[field]! : String(variable.value ?? '');
  }
  return env;
}

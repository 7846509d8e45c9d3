import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../../src/kube/client.ts';
import type { ControlPlane } from '../../dev/control-plane.ts';
import { startOperatorChild, type OperatorChild } from './operator-child.ts';

/**
 * The operator run as the chart's Deployment runs it, as far as a control plane without a kubelet allows: the
 * container's environment as rendered (the downward API resolved as the kubelet would), and the credentials of a pod of
 * the chart's ServiceAccount, a bound token from the TokenRequest API, so that the chart's RBAC alone decides what the
 * operator may do.
 */
export async function runAsChartPod(options: {
  name: string;
  controlPlane: ControlPlane;
  admin: KubeClient;
  /** The Deployment as the apiserver holds it after helm install. */
  deployment: any;
  awsEndpoint: string;
}): Promise<OperatorChild> {
  const { deployment, controlPlane } = options;
  const namespace = deployment.metadata.namespace as string;
  const pod = deployment.spec.template.spec;
  const podName = `${deployment.metadata.name}-0`;
  const token = await options.admin.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${pod.serviceAccountName}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const kubeconfig = join(controlPlane.dir, `${options.name}.kubeconfig`);
  writeFileSync(kubeconfig, tokenKubeconfig(controlPlane, token.status.token), { mode: 0o600 });
  const env = containerEnvironment(pod.containers[0], { 'metadata.name': podName, 'metadata.namespace': namespace });
  return startOperatorChild({
    name: options.name,
    kubeconfig,
    awsEndpoint: options.awsEndpoint,
    // Any free port: several operators may run on this machine at once. Everything else is the chart's.
    env: { ...env, METRICS_PORT: '0' },
  });
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

function tokenKubeconfig(controlPlane: ControlPlane, token: string): string {
  const ca = readFileSync(controlPlane.certificates.caCert).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: local, cluster: {server: ${JSON.stringify(controlPlane.server)}, certificate-authority-data: ${ca}}}]`,
    `users: [{name: pod, user: {token: ${JSON.stringify(token)}}}]`,
    'contexts: [{name: local, context: {cluster: local, user: pod}}]',
    'current-context: local',
    '',
  ].join('\n');
}

import type { TestProject } from 'vitest/node';
import { KubeClient } from '../../src/kube/client.ts';
import { installOperatorPrerequisites } from '../../dev/apply.ts';
import { startControlPlane } from '../../dev/control-plane.ts';
import { startMoto } from '../../dev/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminKubeconfig: string;
    operatorKubeconfig: string;
    motoEndpoint: string;
  }
}

/**
 * Starts the real peers once: etcd + kube-apiserver and moto. A peer that cannot
 * start fails the run; nothing is skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
  const kube = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
  try {
    await installOperatorPrerequisites(kube);
  } finally {
    await kube.close();
  }
  // The operator authenticates as its ServiceAccount user, so the RBAC of deploy/aws-secrets-operator.yaml is all it may do.
  const operatorKubeconfig = controlPlane.kubeconfigForServiceAccount('aws-secrets-operator', 'aws-secrets-operator');
  project.provide('adminKubeconfig', controlPlane.kubeconfig);
  project.provide('operatorKubeconfig', operatorKubeconfig);
  project.provide('motoEndpoint', moto.endpoint);
  console.log(`test environment: kube-apiserver ${controlPlane.server}, moto ${moto.endpoint}, ready in ${Date.now() - started} ms`);
  return async () => {
    await Promise.all([controlPlane.stop(), moto.stop()]);
  };
}

import { KubeClient, type KubeClientOptions } from '../../src/kube/client.ts';
import { loadKubeConfigFiles } from '../../src/kube/kubeconfig.ts';

/** A kubeconfig's client, reaching the apiserver through another address (e.g. a TCP proxy on 127.0.0.1). */
export function kubeClientVia(kubeconfigPath: string, server: string, options: KubeClientOptions = {}): KubeClient {
  return new KubeClient({ ...loadKubeConfigFiles([kubeconfigPath]), server }, options);
}

/** The port of an https://host:port server address. */
export const portOf = (server: string): number => Number(new URL(server).port);

/** The server address in a kubeconfig file. */
export function serverOf(kubeconfigPath: string): string {
  return loadKubeConfigFiles([kubeconfigPath]).server;
}

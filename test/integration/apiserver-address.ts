import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, type KubeClientOptions } from '../../src/kube/client.ts';

/** A kubeconfig's client, reaching the apiserver through another address (e.g. a TCP proxy on 127.0.0.1). */
export function kubeClientVia(kubeconfigPath: string, server: string, options: KubeClientOptions = {}): KubeClient {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  config.loadFromOptions({
    ...config,
    clusters: config.clusters.map((c) => (c.name === config.getCurrentCluster()!.name ? { ...c, server } : c)),
  });
  return new KubeClient(config, options);
}

/** The port of an https://host:port server address. */
export const portOf = (server: string): number => Number(new URL(server).port);

/** The server address in a kubeconfig file. */
export function serverOf(kubeconfigPath: string): string {
  const config = new KubeConfig();
  config.loadFromString(readFileSync(kubeconfigPath, 'utf8'));
  return config.getCurrentCluster()!.server;
}

import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, isNotFound, type KubeClientOptions } from '../../src/kube/client.ts';
import { secrets } from '../../src/kube/resources.ts';
import { applyManifest } from '../../src/localenv/apply.ts';
import { createLogger } from '../../src/log.ts';
import { Operator, type OperatorOptions } from '../../src/operator.ts';
import type { Harness } from './harness.ts';

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

export interface FixtureOptions {
  adminKubeconfig: string;
  /** The operator's own client (its identity, and whatever path to the apiserver the test needs). */
  operatorKube: KubeClient;
  motoEndpoint: string;
  operator?: Partial<OperatorOptions>;
}

let counter = 0;

/**
 * What harness.ts's startHarness gives, for an operator whose client or options a test
 * chooses: behind a proxy, against a control plane of its own, with other timings.
 * The operator runs in-process; close() stops it and closes both clients.
 */
export async function startOperatorFixture(options: FixtureOptions): Promise<Harness> {
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = options.motoEndpoint;
  process.env.AWS_ENDPOINT_URL_STS = options.motoEndpoint;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  const kube = KubeClient.fromFile(options.adminKubeconfig, { verbatimErrors: true });
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const operator = new Operator({ kube: options.operatorKube, log: createLogger({ level: 'debug', destination }), concurrency: 4, ...options.operator });
  await operator.start();
  const aws = new SecretsManagerClient({ region: 'us-east-1' });
  return {
    kube,
    aws,
    operator,
    logLines,
    async namespace(prefix, labels) {
      const name = `${prefix}-${process.pid}-${++counter}`;
      await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
      return name;
    },
    async createAwsSecret(name, value) {
      await aws.send(new CreateSecretCommand(typeof value === 'string' ? { Name: name, SecretString: value } : { Name: name, SecretBinary: value }));
    },
    async putAwsSecret(name, value) {
      await aws.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    },
    async secret(namespace, name) {
      try {
        return await kube.get(secrets.path(namespace, name));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    externalSecret(namespace, name, apiVersion = 'external-secrets.io/v1') {
      return kube.get(`/apis/${apiVersion}/namespaces/${namespace}/externalsecrets/${name}`);
    },
    async close() {
      await operator.stop();
      aws.destroy();
      await Promise.all([kube.close(), options.operatorKube.close()]);
    },
  };
}

/** The port of an https://host:port server address. */
export const portOf = (server: string): number => Number(new URL(server).port);

/** The server address in a kubeconfig file. */
export function serverOf(kubeconfigPath: string): string {
  const config = new KubeConfig();
  config.loadFromString(readFileSync(kubeconfigPath, 'utf8'));
  return config.getCurrentCluster()!.server;
}

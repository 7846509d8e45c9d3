import { Writable } from 'node:stream';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import { KubeClient, isNotFound } from '../../src/kube/client.ts';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';
import { applyManifest } from '../../dev/apply.ts';
import { createLogger } from '../../src/log.ts';
import { Operator, type OperatorOptions } from '../../src/operator.ts';
import { AwsProxy } from './aws-proxy.ts';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/external-secrets-production';

export interface Harness {
  /** Admin client, for the test's own set-up and assertions. */
  kube: KubeClient;
  aws: SecretsManagerClient;
  operator: Operator;
  /** Every line the operator logged, for assertions on what it must never log. */
  logLines: string[];
  namespace(prefix: string, labels?: Record<string, string>): Promise<string>;
  createAwsSecret(name: string, value: string | Uint8Array): Promise<void>;
  putAwsSecret(name: string, value: string): Promise<void>;
  secret(namespace: string, name: string): Promise<any | undefined>;
  externalSecret(namespace: string, name: string, apiVersion?: string): Promise<any>;
  close(): Promise<void>;
}

let counter = 0;

export interface HarnessOptions {
  /** The AWS endpoint the operator uses (e.g. a fault proxy); default the shared moto. */
  motoEndpoint?: string;
  /** The test's own client; default the shared control plane's admin. */
  adminKubeconfig?: string;
  /** The operator's client: its identity, and whatever path to the apiserver the test needs. */
  operatorKube?: KubeClient;
  operator?: Partial<OperatorOptions>;
}

/**
 * Connects to the peers started by global-setup (or those a test names) and runs the operator
 * in-process under its own ClusterRole. The operator reaches moto only through the AWS SDK's
 * standard endpoint variables.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const motoEndpoint = options.motoEndpoint ?? inject('motoEndpoint');
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = motoEndpoint;
  process.env.AWS_ENDPOINT_URL_STS = motoEndpoint;
  process.env.AWS_ENDPOINT_URL_SQS = motoEndpoint;
  process.env.AWS_ENDPOINT_URL_SSM = motoEndpoint;
  process.env.AWS_ENDPOINT_URL_ECR = motoEndpoint;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';

  const kube = KubeClient.fromFile(options.adminKubeconfig ?? inject('adminKubeconfig'), { verbatimErrors: true });
  const operatorKube = options.operatorKube ?? KubeClient.fromFile(inject('operatorKubeconfig'));
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  const operator = new Operator({ kube: operatorKube, log, concurrency: 8, ...options.operator });
  await operator.start();
  const aws = new SecretsManagerClient({ region: 'us-east-1' });
  const created: string[] = [];

  return {
    kube,
    aws,
    operator,
    logLines,
    async namespace(prefix, labels) {
      const name = `${prefix}-${process.pid}-${++counter}`;
      await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
      created.push(name);
      return name;
    },
    async createAwsSecret(name, value) {
      await aws.send(new CreateSecretCommand(typeof value === 'string' ? { Name: name, SecretString: value } : { Name: name, SecretBinary: value }));
    },
    async putAwsSecret(name, value) {
      await aws.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    },
    secret(namespace, name) {
      return getIfExists(kube, secrets.path(namespace, name));
    },
    externalSecret(namespace, name, apiVersion = 'external-secrets.io/v1') {
      return kube.get(`/apis/${apiVersion}/namespaces/${namespace}/externalsecrets/${name}`);
    },
    async close() {
      await operator.stop();
      await deleteExternalSecrets(kube, created);
      aws.destroy();
      await Promise.all([kube.close(), operatorKube.close()]);
    },
  };
}

/**
 * Removes the ExternalSecrets of a test file's namespaces. No namespace controller runs, so they
 * would stay, and every later file's operator would go on reconciling them (and calling AWS).
 */
/** The object at `path`, or undefined when the apiserver says it does not exist. */
export async function getIfExists(kube: KubeClient, path: string): Promise<any | undefined> {
  try {
    return await kube.get(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function deleteExternalSecrets(kube: KubeClient, namespaces: string[]): Promise<void> {
  for (const ns of namespaces) {
    const list = await kube.get(externalSecrets.path(ns));
    for (const es of list.items) await kube.request('DELETE', externalSecrets.path(ns, es.metadata.name));
  }
}

/** Polls until `probe` returns a value other than undefined/false, or fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
      last = value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/**
 * The positive sign to wait for before asserting that the in-process operator did NOT do something
 * (write, fetch, record): its caches hold each of `seen` at least at that write, and none of `gone`,
 * so it has handled their watch events, and every reconcile those woke has finished. An absence
 * checked after this can fail; one checked after a fixed sleep passes whenever the operator is slow.
 * `seen` and `gone` are ExternalSecrets and managed Secrets or ConfigMaps, as the apiserver returned them.
 */
export async function operatorCaughtUp(h: Harness, seen: any[], gone: any[] = []): Promise<void> {
  const cached = (o: any): any => {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    if (o.kind === 'ExternalSecret') return h.operator.caches.externalSecrets.get(key);
    if (o.kind === 'Secret') return h.operator.caches.managedSecrets.get(key);
    if (o.kind === 'ConfigMap') return h.operator.caches.managedConfigMaps?.get(key);
    throw new Error(`operatorCaughtUp: the operator caches no ${o.kind}`);
  };
  const atLeast = (o: any): boolean => BigInt(cached(o)?.metadata.resourceVersion ?? -1) >= BigInt(o.metadata.resourceVersion);
  await eventually(async () => seen.every(atLeast) && gone.every((o) => cached(o) === undefined), 'the operator to see the writes');
  await Promise.all(h.operator.controllers.map((controller) => controller.idle()));
}

export const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

export const readyCondition = (es: any): any => es?.status?.conditions?.find((c: any) => c.type === 'Ready');

/** The in-process operator with the recording, fault-injecting proxy between it and the shared moto. */
export async function startHarnessBehindProxy(operator?: Partial<OperatorOptions>): Promise<{ h: Harness; proxy: AwsProxy; close(): Promise<void> }> {
  const proxy = new AwsProxy(inject('motoEndpoint'));
  const h = await startHarness({ motoEndpoint: await proxy.start(), ...(operator ? { operator } : {}) });
  return {
    h,
    proxy,
    async close() {
      await h.close();
      await proxy.stop();
    },
  };
}

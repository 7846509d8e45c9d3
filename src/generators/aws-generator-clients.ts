import { ECRClient } from '@aws-sdk/client-ecr';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import type { AwsProviders, StoreIdentity } from '../aws/store-providers.ts';
import type { GeneratorCallHook } from './aws-generator-call.ts';

const MAX_CLIENTS = 256;

interface ClientConfig {
  region: string;
  credentials?: AwsCredentialIdentityProvider;
}

/**
 * The ECR and STS clients the AWS generators sign their calls with: one per service and identity
 * (as the stores' Secrets Manager clients), on the identity's shared, memoized credentials
 * (AwsProviders.sharedCredentialsFor), least recently used dropped past a bound.
 */
export class AwsGeneratorClients {
  private readonly clients = new Map<string, { destroy(): void }>();
  private readonly providers: Pick<AwsProviders, 'sharedCredentialsFor'>;
  /** Every generator call to AWS, by outcome (the operator's metrics). */
  readonly onCall: GeneratorCallHook | undefined;

  constructor(providers: Pick<AwsProviders, 'sharedCredentialsFor'>, onCall?: GeneratorCallHook) {
    this.providers = providers;
    this.onCall = onCall;
  }

  ecr(identity: StoreIdentity, namespace: string): Promise<ECRClient> {
    return this.client('ecr', identity, namespace, (config) => new ECRClient(config));
  }

  sts(identity: StoreIdentity, namespace: string): Promise<STSClient> {
    return this.client('sts', identity, namespace, (config) => new STSClient(config));
  }

  private async client<C extends { destroy(): void }>(service: string, identity: StoreIdentity, namespace: string, make: (config: ClientConfig) => C): Promise<C> {
    const { key, credentials } = await this.providers.sharedCredentialsFor(identity, namespace);
    const cacheKey = `${service} ${key}`;
    let client = this.clients.get(cacheKey) as C | undefined;
    if (client) this.clients.delete(cacheKey); // re-inserted below: most recently used last
    else client = make({ region: identity.aws.region, ...awsClientConfig, ...(credentials ? { credentials } : {}) });
    this.clients.set(cacheKey, client);
    if (this.clients.size > MAX_CLIENTS) {
      const [oldestKey, oldest] = this.clients.entries().next().value!;
      this.clients.delete(oldestKey);
      oldest.destroy();
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

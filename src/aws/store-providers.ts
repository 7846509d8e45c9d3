import { createHash } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Logger } from 'pino';
import type { AwsProvider, SecretKeySelector } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { isNotFound, type KubeClient } from '../kube/client.ts';
import type { Clock } from '../kube/clock.ts';
import { secrets, serviceAccounts } from '../kube/resources.ts';
import { awsClientConfig } from './aws-client-config.ts';
import { memoizeCredentials, StsClients, type StsCallHook } from './credentials.ts';
import type { Freshness, SecretsProvider } from './provider.ts';
import { SecretFetcher, type FetcherHooks } from './secret-fetcher.ts';
import { ParameterFetcher } from './parameter-fetcher.ts';
import { ParameterStoreProvider } from './parameter-store.ts';
import { SecretsManagerProvider } from './secrets-manager.ts';
import { ValueCache } from './value-cache.ts';
import type { PolledVersions } from './version-listing.ts';
import type { SecretChange } from '../changes/secret-change.ts';
import { secretNamesOf } from '../changes/secret-name.ts';

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
const TOKEN_SECONDS = 3600;
const MAX_CLIENTS = 512;

export interface StoreIdentity {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  /** The SecretStore's own namespace; absent for a ClusterSecretStore. */
  namespace?: string;
  aws: AwsProvider;
}

export interface ProviderHooks extends Omit<FetcherHooks, 'onCall'> {
  onStsCall?: StsCallHook;
  onSecretsManagerCall?: (call: string, ok: boolean) => void;
  onParameterStoreCall?: (call: string, ok: boolean) => void;
}

export interface ProvidersOptions {
  log: Logger;
  hooks?: ProviderHooks;
  /** Bound on the bytes of secret values cached across all identities. */
  cacheBytes?: number;
}

/**
 * One identity's clients: its credentials, assumed once and shared by the service clients
 * made on first use (Secrets Manager, Parameter Store), each with its own fetch engine and
 * its own partition of the value cache, so that a parameter and a secret of the same name
 * never answer for each other.
 */
interface IdentityClients {
  /** The identity's description: region, base credentials, roles and their session settings. */
  key: string;
  region: string;
  credentials: AwsCredentialIdentityProvider | undefined;
  role: string | undefined;
  secretsManager?: { client: SecretsManagerClient; fetcher: SecretFetcher };
  parameterStore?: { client: SSMClient; fetcher: ParameterFetcher };
}

/**
 * Builds a SecretsProvider for a store as used from one namespace. Clients and their
 * fetchers (shared reads, cached values) are kept per identity (base credentials, role
 * chain, region), so credentials are fetched once per identity and refreshed ahead of
 * expiry, and values read with one identity can never be served to another.
 */
export class AwsProviders {
  private readonly clients = new Map<string, IdentityClients>();
  private readonly values: ValueCache;
  private readonly log: Logger;
  private readonly sts: StsClients;
  /** The operator pod's own default chain, built on first use by a role assumed with no auth block. */
  private podCredentials: AwsCredentialIdentityProvider | undefined;

  private readonly kube: KubeClient;
  private readonly clock: Clock;
  private readonly hooks: ProviderHooks;

  constructor(kube: KubeClient, clock: Clock, options: ProvidersOptions) {
    this.kube = kube;
    this.clock = clock;
    this.log = options.log;
    this.hooks = options.hooks ?? {};
    this.values = new ValueCache(options.cacheBytes);
    this.sts = new StsClients(this.hooks.onStsCall);
  }

  /** The store's provider for one ExternalSecret's reads; without a Freshness, every value is read anew. */
  async forStore(store: StoreIdentity, namespace: string, freshness?: Freshness): Promise<SecretsProvider> {
    const asked = freshness ?? { notBefore: this.clock.now(), fresh: true };
    if (store.aws.service === 'ParameterStore') return new ParameterStoreProvider(await this.parameterFetcherFor(store, namespace), asked);
    return new SecretsManagerProvider(await this.fetcherFor(store, namespace), asked);
  }

  /** A change poll of secrets read through the store from one namespace, made with the same identity and cache (SecretFetcher.pollVersions). */
  async pollVersions(store: StoreIdentity, namespace: string, secretIds: readonly string[], namesWanted = false): Promise<PolledVersions> {
    // Parameter Store changes are not followed (changes/store-settings.ts): nothing to poll.
    if (store.aws.service === 'ParameterStore') return { versions: new Map(), cached: new Map() };
    return (await this.fetcherFor(store, namespace)).pollVersions(secretIds, namesWanted);
  }

  /** The Secrets Manager fetcher of the identity the store has when used from `namespace`, made on first use. */
  private async fetcherFor(store: StoreIdentity, namespace: string): Promise<SecretFetcher> {
    const entry = await this.identityFor(store, namespace);
    if (!entry.secretsManager) {
      const { region, credentials, role } = entry;
      const client = new SecretsManagerClient({ region, ...awsClientConfig, ...(credentials ? { credentials } : {}) });
      const { onStsCall: _sts, onSecretsManagerCall: onCall, onParameterStoreCall: _ssm, ...hooks } = this.hooks;
      const fetcher = new SecretFetcher({
        client, role, values: this.values.identity(), clock: this.clock, log: this.log, hooks: { ...hooks, onCall },
      });
      entry.secretsManager = { client, fetcher };
    }
    return entry.secretsManager.fetcher;
  }

  /** The Parameter Store fetcher of the identity the store has when used from `namespace`, made on first use. */
  private async parameterFetcherFor(store: StoreIdentity, namespace: string): Promise<ParameterFetcher> {
    const entry = await this.identityFor(store, namespace);
    if (!entry.parameterStore) {
      const { region, credentials, role } = entry;
      const client = new SSMClient({ region, ...awsClientConfig, ...(credentials ? { credentials } : {}) });
      const { onCache, onFallback, onParameterStoreCall: onCall } = this.hooks;
      const fetcher = new ParameterFetcher({
        client, role, values: this.values.identity(), clock: this.clock, log: this.log, hooks: { onCache, onFallback, onCall },
      });
      entry.parameterStore = { client, fetcher };
    }
    return entry.parameterStore.fetcher;
  }

  /** The clients of the identity the store has when used from `namespace`, its credentials made on first use; the least recently used go past MAX_CLIENTS. */
  private async identityFor(store: StoreIdentity, namespace: string): Promise<IdentityClients> {
    const aws = store.aws;
    // validateStore has checked the region and the auth block.
    const region = aws.region!;
    const base = await this.baseCredentials(store, namespace, region);
    const chain = roleChain(aws);
    const cacheKey = JSON.stringify([region, base.identity, chain, aws.externalID ?? '', aws.sessionTags ?? [], aws.transitiveTagKeys ?? []]);

    let entry = this.clients.get(cacheKey);
    if (entry) {
      // Refresh recency for the LRU.
      this.clients.delete(cacheKey);
      this.clients.set(cacheKey, entry);
    } else {
      entry = { key: cacheKey, region, credentials: this.assumeChain(aws, region, base.credentials), role: chain.at(-1) ?? base.role };
      this.clients.set(cacheKey, entry);
      if (this.clients.size > MAX_CLIENTS) {
        const [oldestKey, oldest] = this.clients.entries().next().value!;
        this.clients.delete(oldestKey);
        closeClients(oldest);
      }
    }
    return entry;
  }

  /**
   * The credentials of a store identity as used from `namespace`, for a client of another AWS service
   * (a change queue, a PushSecret's writer, an AWS generator): its base credentials with its roles
   * assumed in turn, memoized and refreshed ahead of expiry, shared by every caller of that identity
   * (one STS exchange serves its Secrets Manager and Parameter Store reads too); undefined for the
   * operator pod's own default chain (no auth block, no role). The base credentials are looked up
   * at each call, so a rotated key or a re-annotated ServiceAccount is a new identity at once. `key`
   * names the identity (region, base credentials, roles). Bounded with the clients (identityFor).
   */
  async sharedCredentialsFor(store: StoreIdentity, namespace: string): Promise<{ key: string; credentials: AwsCredentialIdentityProvider | undefined }> {
    const { key, credentials } = await this.identityFor(store, namespace);
    return { key, credentials };
  }

  /** The store's roles (additionalRoles, then role) assumed in turn from `base`, each memoized and refreshed ahead of expiry. */
  private assumeChain(aws: AwsProvider, region: string, base: AwsCredentialIdentityProvider | undefined): AwsCredentialIdentityProvider | undefined {
    const chain = roleChain(aws);
    let credentials = base;
    chain.forEach((roleArn, i) => {
      const previous = credentials;
      const last = i === chain.length - 1;
      credentials = memoizeCredentials(() => this.sts.assumeRole(region, previous ?? this.defaultCredentials(), roleArn, last ? {
        externalId: aws.externalID, sessionTags: aws.sessionTags, transitiveTagKeys: aws.transitiveTagKeys,
      } : {}), this.clock);
    });
    return credentials;
  }

  /**
   * Secrets reported changed in AWS: every identity's fetch engine in their region (any region for
   * a report without one) reads them anew from now on.
   */
  invalidate(changes: readonly SecretChange[]): void {
    for (const { region, secretsManager } of this.clients.values()) {
      const fetcher = secretsManager?.fetcher;
      if (!fetcher) continue;
      const names = new Set(changes.filter((change) => change.region === undefined || change.region === region).flatMap((change) => [
        change.name, ...(change.arn ? secretNamesOf(change.arn).names : []),
      ]));
      if (names.size) fetcher.invalidate(names);
    }
  }

  /** Roles assumed with no auth block start from the operator pod's own default chain. */
  private defaultCredentials(): AwsCredentialIdentityProvider {
    return (this.podCredentials ??= fromNodeProviderChain());
  }

  destroy(): void {
    for (const entry of this.clients.values()) closeClients(entry);
    this.clients.clear();
    this.sts.destroy();
  }

  /** The identity's stable description (for the cache key) and its credential source. */
  private async baseCredentials(store: StoreIdentity, namespace: string, region: string): Promise<{
    identity: unknown[]; credentials: AwsCredentialIdentityProvider | undefined; role?: string;
  }> {
    const auth = store.aws.auth;
    const jwt = auth?.jwt?.serviceAccountRef;
    if (jwt) {
      const ns = this.referentNamespace(store, jwt.namespace, namespace, 'auth.jwt.serviceAccountRef');
      const sa = await this.getServiceAccount(ns, jwt.name);
      const annotations = sa.metadata?.annotations ?? {};
      const roleArn = annotations[ROLE_ARN_ANNOTATION];
      if (!roleArn) {
        throw new OperatorError('RoleArnMissing', `ServiceAccount ${ns}/${jwt.name} has no "${ROLE_ARN_ANNOTATION}" annotation: annotate it with the IAM role to assume`);
      }
      const audiences = [annotations[AUDIENCE_ANNOTATION] ?? DEFAULT_AUDIENCE, ...(jwt.audiences ?? [])];
      const credentials = memoizeCredentials(async () => {
        const token = await this.requestToken(ns, jwt.name, audiences);
        return this.sts.assumeRoleWithWebIdentity(region, roleArn, token);
      }, this.clock);
      return { identity: ['jwt', ns, jwt.name, sa.metadata?.uid, roleArn, audiences], credentials, role: roleArn };
    }
    if (auth?.secretRef) {
      const ref = auth.secretRef;
      const accessKeyId = await this.readSecretKey(store, ref.accessKeyIDSecretRef, namespace, 'accessKeyIDSecretRef');
      const secretAccessKey = await this.readSecretKey(store, ref.secretAccessKeySecretRef, namespace, 'secretAccessKeySecretRef');
      const sessionToken = ref.sessionTokenSecretRef
        ? await this.readSecretKey(store, ref.sessionTokenSecretRef, namespace, 'sessionTokenSecretRef')
        : undefined;
      const creds: AwsCredentialIdentity = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
      // A digest, not the keys, goes into the cache key; rotated keys make a new identity.
      const digest = createHash('sha256').update(JSON.stringify([accessKeyId, secretAccessKey, sessionToken ?? ''])).digest('hex');
      return { identity: ['static', digest], credentials: async () => creds };
    }
    // No auth block: the operator pod's own default chain (IRSA env vars, instance profile, ...).
    return { identity: ['default'], credentials: undefined };
  }

  /**
   * Where a store's reference to a ServiceAccount or Secret resolves. A SecretStore
   * never reaches outside its own namespace; a ClusterSecretStore reference without a
   * namespace resolves in the ExternalSecret's namespace.
   */
  private referentNamespace(store: StoreIdentity, refNamespace: string | undefined, esNamespace: string, field: string): string {
    if (store.kind === 'SecretStore') {
      if (refNamespace && refNamespace !== store.namespace) {
        throw new OperatorError('InvalidProviderConfig', `SecretStore ${store.namespace}/${store.name}: ${field}.namespace "${refNamespace}" is not allowed; a SecretStore may only reference its own namespace`);
      }
      return store.namespace!;
    }
    return refNamespace ?? esNamespace;
  }

  private async getServiceAccount(namespace: string, name: string): Promise<any> {
    try {
      return await this.kube.get(serviceAccounts.path(namespace, name));
    } catch (err) {
      if (isNotFound(err)) throw new OperatorError('ServiceAccountNotFound', `ServiceAccount ${namespace}/${name} not found`, { cause: err });
      throw err;
    }
  }

  private async requestToken(namespace: string, name: string, audiences: string[]): Promise<string> {
    try {
      const out = await this.kube.request('POST', serviceAccounts.path(namespace, name, 'token'), {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences, expirationSeconds: TOKEN_SECONDS } },
      });
      return out.status.token as string;
    } catch (err) {
      if (isNotFound(err)) throw new OperatorError('ServiceAccountNotFound', `ServiceAccount ${namespace}/${name} not found`, { cause: err });
      throw new OperatorError('TokenRequestFailed', `could not request a token for ServiceAccount ${namespace}/${name}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async readSecretKey(store: StoreIdentity, ref: SecretKeySelector | undefined, esNamespace: string, field: string): Promise<string> {
    if (!ref?.name || !ref.key) {
      throw new OperatorError('InvalidProviderConfig', `${store.kind} ${store.name}: auth.secretRef.${field} needs a name and a key`);
    }
    const ns = this.referentNamespace(store, ref.namespace, esNamespace, `auth.secretRef.${field}`);
    let secret: any;
    try {
      secret = await this.kube.get(secrets.path(ns, ref.name));
    } catch (err) {
      if (isNotFound(err)) throw new OperatorError('CredentialsSecretInvalid', `Secret ${ns}/${ref.name} (auth.secretRef.${field}) not found`, { cause: err });
      throw err;
    }
    const value = secret.data?.[ref.key];
    if (typeof value !== 'string') {
      throw new OperatorError('CredentialsSecretInvalid', `Secret ${ns}/${ref.name} has no key "${ref.key}" (auth.secretRef.${field})`);
    }
    return Buffer.from(value, 'base64').toString('utf8').trim();
  }
}

function closeClients(entry: IdentityClients): void {
  entry.secretsManager?.fetcher.destroy();
  entry.secretsManager?.client.destroy();
  entry.parameterStore?.fetcher.destroy();
  entry.parameterStore?.client.destroy();
}

/** The roles a store's identity assumes in turn: additionalRoles, then role. */
const roleChain = (aws: AwsProvider): string[] => [...(aws.additionalRoles ?? []), ...(aws.role ? [aws.role] : [])];

import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { OperatorError } from '../errors.ts';
import type { Clock } from '../kube/clock.ts';
import { awsClientConfig } from './aws-client-config.ts';
import { awsCall } from './aws-errors.ts';

/** Refresh this long before expiry, so a reconcile never signs with credentials about to lapse. */
const REFRESH_BEFORE_MS = 5 * 60_000;
export const ROLE_SESSION_NAME = 'aws-secrets-operator';

export type StsCallKind = 'AssumeRoleWithWebIdentity' | 'AssumeRole';
export type StsCallHook = (kind: StsCallKind, ok: boolean) => void;

/**
 * Wraps a credential source so that concurrent callers share one fetch and the
 * result is reused until shortly before it expires.
 */
export function memoizeCredentials(fetch: () => Promise<AwsCredentialIdentity>, clock: Clock): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const fresh = current && (!current.expiration || current.expiration.getTime() - REFRESH_BEFORE_MS > clock.now());
    if (fresh) return current!;
    inFlight ??= fetch().then(
      (creds) => ((current = creds), (inFlight = undefined), creds),
      (err) => ((inFlight = undefined), Promise.reject(err)),
    );
    return inFlight;
  };
}

/** One STS client per region, shared by every identity (its calls carry their own credentials). */
export class StsClients {
  private readonly clients = new Map<string, STSClient>();

  private readonly onCall: StsCallHook | undefined;

  constructor(onCall?: StsCallHook) {
    this.onCall = onCall;
  }

  private client(region: string): STSClient {
    let client = this.clients.get(region);
    if (!client) this.clients.set(region, (client = new STSClient({ region, ...awsClientConfig })));
    return client;
  }

  async assumeRoleWithWebIdentity(region: string, roleArn: string, token: string): Promise<AwsCredentialIdentity> {
    // AssumeRoleWithWebIdentity is unsigned: the token is the credential.
    const out = await this.call('AssumeRoleWithWebIdentity', roleArn, () => this.client(region).send(new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn, WebIdentityToken: token, RoleSessionName: ROLE_SESSION_NAME,
    })));
    return toIdentity(out.Credentials, roleArn);
  }

  async assumeRole(region: string, base: AwsCredentialIdentityProvider, roleArn: string, options: AssumeRoleOptions = {}): Promise<AwsCredentialIdentity> {
    // Signed with the previous identity, so a client of its own (rare: the result is memoized).
    const client = new STSClient({ region, credentials: base, ...awsClientConfig });
    try {
      const out = await this.call('AssumeRole', roleArn, () => client.send(new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        ExternalId: options.externalId,
        Tags: options.sessionTags?.map((t) => ({ Key: t.key, Value: t.value })),
        TransitiveTagKeys: options.transitiveTagKeys,
      })));
      return toIdentity(out.Credentials, roleArn);
    } finally {
      client.destroy();
    }
  }

  /** One STS call, counted once by outcome; AWS errors become reason-coded errors naming the role. */
  private call<T>(kind: StsCallKind, roleArn: string, send: () => Promise<T>): Promise<T> {
    return awsCall({ action: kind, role: roleArn }, this.onCall, send);
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

export interface AssumeRoleOptions {
  externalId?: string;
  sessionTags?: Array<{ key: string; value: string }>;
  transitiveTagKeys?: string[];
}

function toIdentity(credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined, role: string): AwsCredentialIdentity {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new OperatorError('AWSAuthenticationFailed', `STS returned no credentials for ${role}`);
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

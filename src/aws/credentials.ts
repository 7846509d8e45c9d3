import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { OperatorError } from '../errors.ts';
import type { Clock } from '../kube/clock.ts';
import { awsClientConfig } from './aws-client-config.ts';
import { fromAwsError } from './aws-errors.ts';

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
    try {
      // AssumeRoleWithWebIdentity is unsigned: the token is the credential.
      const out = await this.client(region).send(new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn, WebIdentityToken: token, RoleSessionName: ROLE_SESSION_NAME,
      }));
      this.onCall?.('AssumeRoleWithWebIdentity', true);
      return toIdentity(out.Credentials, roleArn);
    } catch (error) {
      this.onCall?.('AssumeRoleWithWebIdentity', false);
      if (error instanceof OperatorError) throw error;
      throw fromAwsError(error, { action: 'AssumeRoleWithWebIdentity', role: roleArn });
    }
  }

  async assumeRole(region: string, base: AwsCredentialIdentityProvider, roleArn: string, options: AssumeRoleOptions = {}): Promise<AwsCredentialIdentity> {
    try {
      const client = new STSClient({ region, credentials: base, ...awsClientConfig });
      const out = await client.send(new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        ExternalId: options.externalId,
        Tags: options.sessionTags?.map((t) => ({ Key: t.key, Value: t.value })),
        TransitiveTagKeys: options.transitiveTagKeys,
      }));
      client.destroy();
      this.onCall?.('AssumeRole', true);
      return toIdentity(out.Credentials, roleArn);
    } catch (error) {
      this.onCall?.('AssumeRole', false);
      if (error instanceof OperatorError) throw error;
      throw fromAwsError(error, { action: 'AssumeRole', role: roleArn });
    }
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

import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fromAwsError } from './aws-errors.ts';
import type { FetchedSecret, SecretRef, SecretsProvider } from './provider.ts';

export const DEFAULT_VERSION = 'AWSCURRENT';

/** GetSecretValue against one client (one identity, one region). */
export class SecretsManagerProvider implements SecretsProvider {
  private readonly client: SecretsManagerClient;
  private readonly role: string | undefined;
  private readonly onCall: ((call: string, ok: boolean) => void) | undefined;

  constructor(client: SecretsManagerClient, role: string | undefined, onCall?: (call: string, ok: boolean) => void) {
    this.client = client;
    this.role = role;
    this.onCall = onCall;
  }

  async getSecret(ref: SecretRef): Promise<FetchedSecret> {
    const version = ref.version || DEFAULT_VERSION;
    const byId = version.startsWith('uuid/');
    const command = new GetSecretValueCommand({
      SecretId: ref.key,
      ...(byId ? { VersionId: version.slice('uuid/'.length) } : { VersionStage: version }),
    });
    try {
      const out = await this.client.send(command);
      this.onCall?.('GetSecretValue', true);
      return {
        name: out.Name ?? ref.key,
        versionId: out.VersionId,
        secretString: out.SecretString,
        secretBinary: out.SecretBinary,
      };
    } catch (error) {
      this.onCall?.('GetSecretValue', false);
      throw fromAwsError(error, { action: 'GetSecretValue', key: ref.key, role: this.role });
    }
  }
}

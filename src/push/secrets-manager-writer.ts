import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand,
  SecretsManagerClient, TagResourceCommand, UntagResourceCommand, type GetSecretValueCommandOutput, type Tag,
} from '@aws-sdk/client-secrets-manager';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { AwsSecretsManager, PushSecretData } from '../api/generated.ts';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import { fromAwsError } from '../aws/aws-errors.ts';
import { OperatorError } from '../errors.ts';
import { setJsonProperty } from './json-property.ts';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, secretsManagerMetadata, tagKeysToRemove, tagsNeedUpdate } from './push-metadata.ts';
import { entryValue, type SecretBytes } from './push-value.ts';
import type { AwsCallHook, DeleteOutcome, PushOutcome, RemoteWriter } from './remote-writer.ts';

/** ESO's ClientRequestToken of a secret's first version; later versions get a random UUID. */
export const INITIAL_VERSION = '00000000-0000-0000-0000-000000000001';

export interface SecretsManagerWriterOptions {
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  /** The store's prefix, prepended to every remote key. */
  prefix?: string;
  /** The store's deletion settings (spec.provider.aws.secretsManager). */
  deletion?: AwsSecretsManager;
  /** The role the calls are made as, for messages. */
  role?: string;
  onCall?: AwsCallHook;
  /** New version ids (tests fix them). */
  newVersionId?: () => string;
  /** A client of the tests' own. */
  client?: SecretsManagerClient;
}

/**
 * PushSecret to Secrets Manager, with ESO's calls and rules (providers/v1/aws/secretsmanager):
 * DescribeSecret decides between CreateSecret (tagged managed-by, with the metadata's description,
 * KMS key and tags, version INITIAL_VERSION) and an update of a secret that carries the tag:
 * GetSecretValue, and when the value differs PutSecretValue with a new version id, then the tags
 * brought to the metadata's (UntagResource, TagResource). SecretBinary unless secretPushFormat is
 * string. A property is set inside the current JSON value (json-property.ts).
 */
export class SecretsManagerWriter implements RemoteWriter {
  readonly service = 'SecretsManager' as const;
  private readonly client: SecretsManagerClient;
  private readonly options: SecretsManagerWriterOptions;

  constructor(options: SecretsManagerWriterOptions) {
    this.options = options;
    this.client = options.client ?? new SecretsManagerClient({
      region: options.region, ...awsClientConfig, ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async exists(entry: PushSecretData): Promise<boolean> {
    const name = this.nameOf(entry);
    return (await this.read(name)) !== undefined;
  }

  async push(data: SecretBytes, entry: PushSecretData, at: string): Promise<PushOutcome> {
    const meta = secretsManagerMetadata(entry.metadata, `${at}.metadata`);
    const value = entryValue(data, entry, 'strings', at);
    const name = this.nameOf(entry);
    const property = entry.match.remoteRef.property ?? '';
    const described = await this.call('DescribeSecret', name, () => this.client.send(new DescribeSecretCommand({ SecretId: name })), true);
    const asString = meta.secretPushFormat === 'string';
    if (described === undefined) {
      const first = property ? Buffer.from(setJsonProperty('', property, text(value), at)) : value;
      await this.call('CreateSecret', name, () => this.client.send(new CreateSecretCommand({
        Name: name,
        ...(asString ? { SecretString: text(first) } : { SecretBinary: first }),
        Tags: Object.entries(meta.tags).map(([Key, Value]) => ({ Key, Value })),
        Description: meta.description,
        ClientRequestToken: INITIAL_VERSION,
        KmsKeyId: meta.kmsKeyID,
      })));
      return 'created';
    }
    if (!isManaged(described.Tags)) {
      throw new OperatorError('RemoteSecretNotManaged', 'secret not managed by external-secrets');
    }
    // A secret without versions: its first value, with no comparison.
    const current = Object.keys(described.VersionIdsToStages ?? {}).length === 0 ? undefined : await this.read(name, true);
    const next = property ? Buffer.from(setJsonProperty(current ? payloadOf(current) : '', property, text(value), at)) : value;
    if (current && sameValue(current, next)) return 'unchanged';
    const versionId = current ? (this.options.newVersionId ?? randomUUID)() : INITIAL_VERSION;
    await this.call('PutSecretValue', name, () => this.client.send(new PutSecretValueCommand({
      SecretId: name, ClientRequestToken: versionId, ...(asString ? { SecretString: text(next) } : { SecretBinary: next }),
    })));
    const tags = Object.fromEntries((described.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const stale = tagKeysToRemove(tags, meta.tags);
    if (stale.length) await this.call('UntagResource', name, () => this.client.send(new UntagResourceCommand({ SecretId: name, TagKeys: stale })));
    if (tagsNeedUpdate(tags, meta.tags, true)) {
      await this.call('TagResource', name, () => this.client.send(new TagResourceCommand({
        SecretId: name, Tags: Object.entries(meta.tags).map(([Key, Value]) => ({ Key, Value })),
      })));
    }
    return 'updated';
  }

  async delete(entry: PushSecretData): Promise<DeleteOutcome> {
    const name = this.nameOf(entry);
    const current = await this.read(name);
    if (!current) return 'absent';
    const described = await this.call('DescribeSecret', name, () => this.client.send(new DescribeSecretCommand({ SecretId: name })));
    if (!isManaged(described!.Tags)) return 'unmanaged';
    const { forceDeleteWithoutRecovery, recoveryWindowInDays } = this.options.deletion ?? {};
    if (forceDeleteWithoutRecovery && recoveryWindowInDays) {
      throw new OperatorError('InvalidProviderConfig', 'spec.provider.aws.secretsManager: set forceDeleteWithoutRecovery or recoveryWindowInDays, not both');
    }
    if (recoveryWindowInDays !== undefined && recoveryWindowInDays !== 0 && (recoveryWindowInDays < 7 || recoveryWindowInDays > 30)) {
      throw new OperatorError('InvalidProviderConfig', `spec.provider.aws.secretsManager.recoveryWindowInDays: ${recoveryWindowInDays} is not between 7 and 30`);
    }
    await this.call('DeleteSecret', name, () => this.client.send(new DeleteSecretCommand({
      SecretId: current.ARN ?? name,
      ...(forceDeleteWithoutRecovery ? { ForceDeleteWithoutRecovery: true } : {}),
      ...(recoveryWindowInDays ? { RecoveryWindowInDays: recoveryWindowInDays } : {}),
    })));
    return 'deleted';
  }

  destroy(): void {
    this.client.destroy();
  }

  private nameOf(entry: PushSecretData): string {
    return (this.options.prefix ?? '') + entry.match.remoteRef.remoteKey;
  }

  /** GetSecretValue of the current version; undefined when the secret does not exist (unless `mustExist`). */
  private async read(name: string, mustExist = false): Promise<GetSecretValueCommandOutput | undefined> {
    const send = () => this.client.send(new GetSecretValueCommand({ SecretId: name }));
    return mustExist ? this.call('GetSecretValue', name, send) : this.call('GetSecretValue', name, send, true);
  }

  /** One call, reported to onCall; ResourceNotFoundException is undefined when `absentOk`, any other error reason-coded. */
  private async call<T>(action: string, name: string, send: () => Promise<T>, absentOk: true): Promise<T | undefined>;
  private async call<T>(action: string, name: string, send: () => Promise<T>, absentOk?: false): Promise<T>;
  private async call<T>(action: string, name: string, send: () => Promise<T>, absentOk = false): Promise<T | undefined> {
    try {
      const out = await send();
      this.options.onCall?.('secretsmanager', action, true);
      return out;
    } catch (error) {
      const absent = (error as { name?: string }).name === 'ResourceNotFoundException';
      this.options.onCall?.('secretsmanager', action, false);
      if (absent && absentOk) return undefined;
      throw fromAwsError(error, { action, key: name, ...(this.options.role ? { role: this.options.role } : {}) });
    }
  }
}

const isManaged = (tags: Tag[] | undefined): boolean => (tags ?? []).some((t) => t.Key === MANAGED_BY_TAG && t.Value === MANAGED_BY_VALUE);

/** The current payload as ESO reads it for a merge: SecretBinary when set, else SecretString. */
function payloadOf(current: GetSecretValueCommandOutput): string {
  if (current.SecretBinary !== undefined) return text(current.SecretBinary);
  return current.SecretString ?? '';
}

/** ESO skips the write when either representation already holds exactly these bytes. */
function sameValue(current: GetSecretValueCommandOutput, next: Uint8Array): boolean {
  if (current.SecretBinary !== undefined && Buffer.from(current.SecretBinary).equals(Buffer.from(next))) return true;
  return current.SecretString !== undefined && Buffer.from(current.SecretString, 'utf8').equals(Buffer.from(next));
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

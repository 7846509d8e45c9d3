import {
  AddTagsToResourceCommand, DeleteParameterCommand, GetParameterCommand, ListTagsForResourceCommand, PutParameterCommand,
  RemoveTagsFromResourceCommand, SSMClient, type GetParameterCommandOutput, type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { PushSecretData } from '../api/generated.ts';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import { fromSsmError } from '../aws/parameter-errors.ts';
import { OperatorError } from '../errors.ts';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, parameterStoreMetadata, tagKeysToRemove, tagsNeedUpdate } from './push-metadata.ts';
import { entryValue, type SecretBytes } from './push-value.ts';
import type { AwsCallHook, DeleteOutcome, PushOutcome, RemoteWriter } from './remote-writer.ts';

export interface ParameterStoreWriterOptions {
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  prefix?: string;
  role?: string;
  onCall?: AwsCallHook;
  client?: SSMClient;
}

/**
 * PushSecret to Parameter Store, with ESO's calls and rules (providers/v1/aws/parameterstore):
 * GetParameter (decrypted) decides between a new parameter (PutParameter with the metadata's type,
 * description, KMS key for SecureString, Advanced tier and its policies, and the tags, managed-by
 * included) and an update of one whose tags (ListTagsForResource) say managed-by: external-secrets:
 * when the value differs, PutParameter with Overwrite, then the tags brought to the metadata's
 * (RemoveTagsFromResource, AddTagsToResource). As in ESO, `remoteRef.property` is not used here:
 * the whole parameter is the value.
 */
export class ParameterStoreWriter implements RemoteWriter {
  readonly service = 'ParameterStore' as const;
  private readonly client: SSMClient;
  private readonly options: ParameterStoreWriterOptions;

  constructor(options: ParameterStoreWriterOptions) {
    this.options = options;
    this.client = options.client ?? new SSMClient({
      region: options.region, ...awsClientConfig, ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async exists(entry: PushSecretData): Promise<boolean> {
    return (await this.read(this.nameOf(entry), false)) !== undefined;
  }

  async push(data: SecretBytes, entry: PushSecretData, at: string): Promise<PushOutcome> {
    const meta = parameterStoreMetadata(entry.metadata, `${at}.metadata`);
    const value = Buffer.from(entryValue(data, entry, meta.encodeAsDecoded ? 'strings' : 'base64', at)).toString('utf8');
    const name = this.nameOf(entry);
    const request: PutParameterCommandInput = {
      Name: name,
      Value: value,
      Type: meta.secretType,
      Overwrite: true,
      Description: meta.description,
      ...(meta.secretType === 'SecureString' ? { KeyId: meta.kmsKeyID } : {}),
      ...(meta.tier.type === 'Advanced' ? {
        Tier: 'Advanced',
        ...(meta.tier.policies !== undefined ? { Policies: JSON.stringify(meta.tier.policies) } : {}),
      } : {}),
    };
    const existing = await this.read(name, true);
    if (!existing) {
      // Tags can only come with a new parameter, and AWS refuses them with Overwrite.
      await this.call('PutParameter', name, () => this.client.send(new PutParameterCommand({
        ...request, Overwrite: false, Tags: Object.entries(meta.tags).map(([Key, Value]) => ({ Key, Value })),
      })));
      return 'created';
    }
    const tags = await this.tags(name);
    if (tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) {
      throw new OperatorError('RemoteSecretNotManaged', 'secret not managed by external-secrets');
    }
    if (existing.Parameter?.Value === value) return 'unchanged';
    await this.call('PutParameter', name, () => this.client.send(new PutParameterCommand(request)));
    const stale = tagKeysToRemove(tags, meta.tags);
    if (stale.length) {
      await this.call('RemoveTagsFromResource', name, () => this.client.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: stale })));
    }
    if (tagsNeedUpdate(tags, meta.tags, false)) {
      await this.call('AddTagsToResource', name, () => this.client.send(new AddTagsToResourceCommand({
        ResourceType: 'Parameter', ResourceId: name, Tags: Object.entries(meta.tags).map(([Key, Value]) => ({ Key, Value })),
      })));
    }
    return 'updated';
  }

  async delete(entry: PushSecretData): Promise<DeleteOutcome> {
    const name = this.nameOf(entry);
    if (!(await this.read(name, false))) return 'absent';
    const tags = await this.tags(name);
    if (tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) return 'unmanaged';
    await this.call('DeleteParameter', name, () => this.client.send(new DeleteParameterCommand({ Name: name })));
    return 'deleted';
  }

  destroy(): void {
    this.client.destroy();
  }

  private nameOf(entry: PushSecretData): string {
    return (this.options.prefix ?? '') + entry.match.remoteRef.remoteKey;
  }

  private read(name: string, decrypt: boolean): Promise<GetParameterCommandOutput | undefined> {
    return this.call('GetParameter', name, () => this.client.send(new GetParameterCommand({ Name: name, ...(decrypt ? { WithDecryption: true } : {}) })), true);
  }

  private async tags(name: string): Promise<Record<string, string>> {
    const out = await this.call('ListTagsForResource', name, () => this.client.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name })));
    return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  }

  private async call<T>(action: string, name: string, send: () => Promise<T>, absentOk: true): Promise<T | undefined>;
  private async call<T>(action: string, name: string, send: () => Promise<T>, absentOk?: false): Promise<T>;
  private async call<T>(action: string, name: string, send: () => Promise<T>, absentOk = false): Promise<T | undefined> {
    try {
      const out = await send();
      this.options.onCall?.('ssm', action, true);
      return out;
    } catch (error) {
      const absent = (error as { name?: string }).name === 'ParameterNotFound';
      this.options.onCall?.('ssm', action, false);
      if (absent && absentOk) return undefined;
      throw fromSsmError(error, { action, key: name, ...(this.options.role ? { role: this.options.role } : {}) });
    }
  }
}

import { BatchGetSecretValueCommand, DescribeSecretCommand, ListSecretsCommand, type Filter } from '@aws-sdk/client-secrets-manager';
import { OperatorError } from '../errors.ts';
import { GoRegexpLimitError } from '../go/regexp/regexp.ts';
import { goJsonStringMap } from '../go/json/encode.ts';
import { fromAwsError } from './aws-errors.ts';
import type { FetchedSecret, FindQuery, FoundSink, Freshness, SecretRef, SecretsProvider } from './provider.ts';
import type { SecretFetcher } from './secret-fetcher.ts';

/**
 * Secrets Manager for one identity in one region, as one ExternalSecret sees it: values come
 * through the identity's shared fetcher, as recent as this asker's Freshness demands. The calls
 * made for each feature are ESO's (BatchGetSecretValue and ListSecrets are used only when allowed,
 * to save calls), so an IAM policy written for ESO grants what this needs.
 */
export class SecretsManagerProvider implements SecretsProvider {
  private readonly fetcher: SecretFetcher;
  private readonly freshness: Freshness;

  constructor(fetcher: SecretFetcher, freshness: Freshness) {
    this.fetcher = fetcher;
    this.freshness = freshness;
  }

  getSecret(ref: SecretRef): Promise<FetchedSecret> {
    return this.fetcher.get(ref, this.freshness);
  }

  async getSecretTags(key: string): Promise<string> {
    const out = await this.call('DescribeSecret', key, () => this.fetcher.client.send(new DescribeSecretCommand({ SecretId: key })));
    if (out.DeletedDate) throw new OperatorError('AWSSecretNotFound', `DescribeSecret secret "${key}": the secret is marked for deletion`);
    const tags: Record<string, string> = {};
    for (const tag of out.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    return goJsonStringMap(tags);
  }

  async findSecrets(query: FindQuery, found: FoundSink): Promise<void> {
    const filters: Filter[] = [];
    for (const [key, value] of Object.entries(query.tags ?? {})) {
      filters.push({ Key: 'tag-key', Values: [key] }, { Key: 'tag-value', Values: [value] });
    }
    if (query.path) filters.push({ Key: 'name', Values: [query.path] });
    // `found` is bounded as the secrets arrive: fetching stops at its bound.
    const keep = (name: string | undefined): boolean => {
      if (name === undefined) return false;
      try {
        return !query.nameMatches || query.nameMatches(name);
      } catch (error) {
        if (!(error instanceof GoRegexpLimitError)) throw error;
        throw new OperatorError('UnsupportedField', `find.name.regexp: ${error.message} on a secret name; this operator refuses patterns that costly`, { cause: error });
      }
    };

    if (query.nameMatches && !query.path) {
      // A name pattern without a path: list, then read a page's matches together, so that the
      // fetcher batches them (ESO reads each with GetSecretValue; that is the fallback).
      let nextToken: string | undefined;
      do {
        const page = await this.call('ListSecrets', undefined, () => this.fetcher.client.send(new ListSecretsCommand({ Filters: filters, NextToken: nextToken })));
        const matches = (page.SecretList ?? []).flatMap((entry) => (keep(entry.Name) ? [entry.Name!] : []));
        found.roomFor(matches.length);
        const secrets = await Promise.all(matches.map((name) => this.getSecret({ key: name })));
        secrets.forEach((secret, i) => found.add(matches[i]!, bytesOf(secret)));
        nextToken = page.NextToken;
      } while (nextToken);
      return;
    }

    // With a path or tags, AWS filters and returns values 20 at a time.
    let nextToken: string | undefined;
    do {
      const page = await this.call('BatchGetSecretValue', undefined, () => this.fetcher.client.send(new BatchGetSecretValueCommand({ Filters: filters, NextToken: nextToken })));
      for (const entry of page.SecretValues ?? []) {
        if (!keep(entry.Name)) continue;
        found.add(entry.Name!, bytesOf({ name: entry.Name!, secretString: entry.SecretString, secretBinary: entry.SecretBinary }));
      }
      const failure = page.Errors?.[0];
      if (failure) {
        throw fromAwsError({ name: failure.ErrorCode, message: failure.Message }, { action: 'BatchGetSecretValue', key: failure.SecretId, role: this.fetcher.role });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }

  private call<T>(action: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    return this.fetcher.call(action, key, send);
  }
}

/** A found secret's value: the SecretBinary bytes when set, else the SecretString (as ESO). */
function bytesOf(secret: FetchedSecret): Uint8Array {
  if (secret.secretBinary !== undefined) return secret.secretBinary;
  return Buffer.from(secret.secretString ?? '', 'utf8');
}

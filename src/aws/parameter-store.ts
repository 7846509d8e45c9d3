import { DescribeParametersCommand, GetParametersByPathCommand, ListTagsForResourceCommand, type ParameterStringFilter } from '@aws-sdk/client-ssm';
import { OperatorError, reasonOf } from '../errors.ts';
import { GoRegexpLimitError } from '../go/regexp/regexp.ts';
import { goJsonStringMap } from '../go/json/encode.ts';
import type { ParameterFetcher } from './parameter-fetcher.ts';
import type { FetchedSecret, FindQuery, FoundSink, Freshness, SecretRef, SecretsProvider } from './provider.ts';

/**
 * AWS Systems Manager Parameter Store for one identity in one region, as one ExternalSecret sees
 * it (`provider.aws.service: ParameterStore`). Values come through the identity's shared fetcher
 * (aws/parameter-fetcher.ts), decrypted, as recent as this asker's Freshness demands. The calls
 * are ESO's (GetParameter, GetParametersByPath, DescribeParameters, ListTagsForResource), plus
 * GetParameters to read 10 at a time where ESO reads one by one; refused, it falls back to ESO's.
 * `key` is the parameter's name (the store's prefix applied), `version` a version number or label.
 */
export class ParameterStoreProvider implements SecretsProvider {
  private readonly fetcher: ParameterFetcher;
  private readonly freshness: Freshness;

  constructor(fetcher: ParameterFetcher, freshness: Freshness) {
    this.fetcher = fetcher;
    this.freshness = freshness;
  }

  getSecret(ref: SecretRef): Promise<FetchedSecret> {
    return this.fetcher.get(ref, this.freshness);
  }

  /** The parameter's tags as a JSON object with sorted keys (Go's encoding/json), as ESO's `metadataPolicy: Fetch`. */
  async getSecretTags(key: string): Promise<string> {
    const out = await this.fetcher.call('ListTagsForResource', key, () => this.fetcher.client.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: key })));
    const tags: Record<string, string> = {};
    for (const tag of out.TagList ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    return goJsonStringMap(tags);
  }

  /**
   * `dataFrom.find` as ESO's Parameter Store does it, keys being full parameter names: with
   * `name`, every parameter under `path` (default "/", recursive) whose name matches, read by
   * GetParametersByPath (tags are then ignored, as ESO ignores them); else with `tags`, the
   * parameters DescribeParameters finds with those tags (and under `path`), then their values.
   * A find with only a path is refused, as ESO refuses it.
   */
  async findSecrets(query: FindQuery, found: FoundSink): Promise<void> {
    if (query.nameMatches) return this.findByName(query.nameMatches, query.path ?? '/', found);
    if (query.tags) {
      const filters: ParameterStringFilter[] = Object.entries(query.tags).map(([key, value]) => ({ Key: `tag:${key}`, Option: 'Equals', Values: [value] }));
      return this.describeThenRead(filters, query.path, () => true, found);
    }
    throw new OperatorError('InvalidSpec', 'find on a Parameter Store store needs name.regexp or tags, as in ESO (a path alone selects nothing); add name.regexp ".*" to take every parameter under the path');
  }

  private async findByName(matches: (name: string) => boolean, path: string, found: FoundSink): Promise<void> {
    const keep = nameFilter(matches);
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.fetcher.call('GetParametersByPath', path, () => this.fetcher.client.send(new GetParametersByPathCommand({
          Path: path, Recursive: true, WithDecryption: true, NextToken: nextToken,
        })));
      } catch (error) {
        // ESO's fallback: a role that may not read by path may still describe and read each parameter.
        if (reasonOf(error) === 'AWSAccessDenied' && nextToken === undefined) return this.describeThenRead([], path, keep, found);
        throw error;
      }
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name === undefined || !keep(parameter.Name)) continue;
        found.add(parameter.Name, Buffer.from(parameter.Value ?? '', 'utf8'));
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }

  /** Parameters DescribeParameters lists (filtered, under `path` recursively), each one kept read through the fetcher: 10 per call. */
  private async describeThenRead(filters: ParameterStringFilter[], path: string | undefined, keep: (name: string) => boolean, found: FoundSink): Promise<void> {
    const all = path === undefined ? filters : [...filters, { Key: 'Path', Option: 'Recursive', Values: [path] }];
    let nextToken: string | undefined;
    do {
      const page = await this.fetcher.call('DescribeParameters', undefined, () => this.fetcher.client.send(new DescribeParametersCommand({
        ParameterFilters: all, NextToken: nextToken,
      })));
      const names = (page.Parameters ?? []).flatMap((parameter) => (parameter.Name !== undefined && keep(parameter.Name) ? [parameter.Name] : []));
      found.roomFor(names.length);
      const values = await Promise.all(names.map((name) => this.getSecret({ key: name })));
      values.forEach((value, i) => found.add(names[i]!, Buffer.from(value.secretString ?? '', 'utf8')));
      nextToken = page.NextToken;
    } while (nextToken);
  }
}

/** find.name.regexp on a parameter name; a pattern too costly for the name is refused, as for Secrets Manager. */
function nameFilter(matches: (name: string) => boolean): (name: string) => boolean {
  return (name) => {
    try {
      return matches(name);
    } catch (error) {
      if (!(error instanceof GoRegexpLimitError)) throw error;
      throw new OperatorError('UnsupportedField', `find.name.regexp: ${error.message} on a parameter name; this operator refuses patterns that costly`, { cause: error });
    }
  };
}

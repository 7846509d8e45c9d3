/**
 * The one seam between controllers and a secrets backend. Batching and caching
 * across ExternalSecrets can wrap it without touching the controllers.
 */
export interface SecretsProvider {
  /** One secret value; a missing or deleted secret throws OperatorError AWSSecretNotFound. */
  getSecret(ref: SecretRef): Promise<FetchedSecret>;
  /** The secret's tags as JSON text, as ESO's `metadataPolicy: Fetch` presents them. */
  getSecretTags(key: string): Promise<string>;
  /** `dataFrom.find`: every matching secret's value, by secret name. */
  findSecrets(query: FindQuery): Promise<Map<string, Uint8Array>>;
}

export interface SecretRef {
  /** The secret's name or ARN, store prefix already applied. */
  key: string;
  /** `AWSCURRENT` by default; `uuid/<id>` selects a VersionId, anything else a VersionStage. */
  version?: string;
}

/** The version a SecretRef without one reads. */
export const DEFAULT_VERSION = 'AWSCURRENT';

export interface FetchedSecret {
  name: string;
  versionId?: string;
  secretString?: string;
  secretBinary?: Uint8Array;
}

export interface FindQuery {
  /** find.name.regexp, compiled by the caller. */
  nameMatches?: (name: string) => boolean;
  tags?: Record<string, string>;
  /** find.path: a name prefix, filtered by AWS. */
  path?: string;
}

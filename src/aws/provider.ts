/**
 * The one seam between controllers and a secrets backend. Batching and caching
 * across ExternalSecrets can wrap it without touching the controllers.
 */
export interface SecretsProvider {
  getSecret(ref: SecretRef): Promise<FetchedSecret>;
}

export interface SecretRef {
  /** The secret's name or ARN, store prefix already applied. */
  key: string;
  /** `AWSCURRENT` by default; `uuid/<id>` selects a VersionId, anything else a VersionStage. */
  version?: string;
}

export interface FetchedSecret {
  name: string;
  versionId?: string;
  secretString?: string;
  secretBinary?: Uint8Array;
}

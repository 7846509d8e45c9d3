/**
 * The one seam between controllers and a secrets backend. Behind it, reads are shared
 * across ExternalSecrets (aws/read-engine.ts) as each asker's Freshness allows.
 */
export interface SecretsProvider {
  /** One secret value; a missing or deleted secret throws OperatorError AWSSecretNotFound. */
  getSecret(ref: SecretRef): Promise<FetchedSecret>;
  /** The secret's tags as JSON text, as ESO's `metadataPolicy: Fetch` presents them. */
  getSecretTags(key: string): Promise<string>;
  /** `dataFrom.find`: adds every matching secret's value to `found`, which stops the search at its bounds by throwing. */
  findSecrets(query: FindQuery, found: FoundSink): Promise<void>;
}

export interface SecretRef {
  /** The secret's name or ARN, store prefix already applied. */
  key: string;
  /** `AWSCURRENT` by default; `uuid/<id>` selects a VersionId, anything else a VersionStage. */
  version?: string;
}

/**
 * How recent a value must be for the ExternalSecret asking. A periodic refresh accepts one read
 * (or confirmed unchanged by a version listing) within its refresh interval; a first sync, a
 * spec change or a force-sync accepts only a value read after the operator saw the change.
 */
export interface Freshness {
  /** Serve only a value read, or confirmed current, at or after this time (ms since the epoch). */
  notBefore: number;
  /** Only a read counts, not a listing of versions (ListSecrets is eventually consistent). */
  fresh: boolean;
  /** Default-version secrets that other ExternalSecrets will ask for soon, and how recent they need them: they fill a batch's spare room. */
  alsoWanted?: ReadAhead;
}

export interface ReadAhead {
  /** Askers with the same key name the same secrets (e.g. one store in one namespace): one of them is enough. */
  key: string;
  wanted(): Iterable<{ secretId: string; notBefore: number }>;
}

/** The version a SecretRef without one reads. */
export const DEFAULT_VERSION = 'AWSCURRENT';

export interface FetchedSecret {
  name: string;
  versionId?: string;
  secretString?: string;
  secretBinary?: Uint8Array;
}

/** What a find gathers into, bounded by its owner (sync/find-results.ts): each call throws once past a bound. */
export interface FoundSink {
  /** Call before fetching `count` more secrets' values. */
  roomFor(count: number): void;
  add(name: string, value: Uint8Array): void;
}

export interface FindQuery {
  /** find.name.regexp, compiled by the caller. */
  nameMatches?: (name: string) => boolean;
  tags?: Record<string, string>;
  /** find.path: a name prefix, filtered by AWS. */
  path?: string;
}

import type { ListSecretsCommandOutput } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_VERSION } from './provider.ts';

/** Secrets a ListSecrets page holds at most, and a BatchGetSecretValue call reads at most. */
export const LIST_PAGE_SIZE = 100;
export const BATCH_SIZE = 20;

/** The AWSCURRENT version id of every secret a listing saw, by name and by ARN. */
export type CurrentVersions = Map<string, string>;

/**
 * Change detection by listing, for one identity. AWS secret versions are immutable, so a
 * cached value whose AWSCURRENT version id is still the listed one has not changed: one
 * ListSecrets page confirms 100 cached values at once. Listing pays per page of the whole
 * account, re-reading pays per 20 values, so each round picks the cheaper: it lists only
 * while the account's pages (known from the last complete listing, else bounded by what
 * re-reading would cost) are fewer than the batches re-reading would take.
 */
export class VersionListing {
  /** Pages of the last complete listing. */
  private pages: number | undefined;
  /** A listing stopped after this many pages without reaching the end. */
  private morePagesThan = 0;
  private deniedUntil = -Infinity;

  /**
   * Whether listing can cost fewer calls than re-reading `cached` values in batches; if so, the
   * most pages worth reading. With `namesWanted` (a change poll for dataFrom.find: only a listing
   * tells of the secrets a find may list), listing may cost as many calls as reading, and one
   * page when there is nothing to read.
   */
  budget(cached: number, now: number, namesWanted = false): number {
    if (now < this.deniedUntil) return 0;
    const batches = Math.ceil(cached / BATCH_SIZE);
    const pagesAtLeast = this.pages ?? this.morePagesThan + 1;
    if (namesWanted) return pagesAtLeast <= Math.max(batches, 1) ? Math.max(batches, 1) : 0;
    return pagesAtLeast < batches ? batches - 1 : 0;
  }

  /** ListSecrets was refused: re-read values instead until `until`. */
  denied(until: number): void {
    this.deniedUntil = until;
  }

  /**
   * Lists at most `budget` pages. Returns the current versions, or undefined when the
   * account has more pages than the budget (remembered, so the next round re-reads instead).
   */
  async list(budget: number, page: (token: string | undefined) => Promise<ListSecretsCommandOutput>): Promise<CurrentVersions | undefined> {
    const versions: CurrentVersions = new Map();
    let token: string | undefined;
    for (let pages = 1; ; pages++) {
      const out = await page(token);
      for (const entry of out.SecretList ?? []) {
        const current = Object.entries(entry.SecretVersionsToStages ?? {}).find(([, stages]) => stages.includes(DEFAULT_VERSION))?.[0];
        if (current === undefined) continue;
        if (entry.Name !== undefined) versions.set(entry.Name, current);
        if (entry.ARN !== undefined) versions.set(entry.ARN, current);
      }
      token = out.NextToken;
      if (!token) {
        this.pages = pages;
        return versions;
      }
      if (pages >= budget) {
        this.pages = undefined;
        this.morePagesThan = pages;
        return undefined;
      }
    }
  }
}

/** What a change poll learned of one secret: its current version, or that it can no longer be read (deleted, refused). */
export type PolledVersion = { state: 'current'; versionId: string; name?: string } | { state: 'gone' };

/** A change poll's answer for the ids it was asked about. */
export interface PolledVersions {
  /** Each id whose state is known; an id a passing failure (throttling) left unknown is absent. */
  versions: Map<string, PolledVersion>;
  /** The version each id's cached value had before the poll, where one was cached. */
  cached: Map<string, string>;
  /** Every secret of the account by name, with its current version, when a complete listing answered (for dataFrom.find). */
  listed?: ReadonlyMap<string, string>;
  /** The passing failure that left some ids unknown. */
  failure?: unknown;
}

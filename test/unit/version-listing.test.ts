import { describe, expect, it } from 'vitest';
import type { ListSecretsCommandOutput } from '@aws-sdk/client-secrets-manager';
import { VersionListing } from '../../src/aws/version-listing.ts';

const page = (entries: Array<[string, Record<string, string[]>]>, NextToken?: string): ListSecretsCommandOutput => ({
  $metadata: {},
  SecretList: entries.map(([Name, SecretVersionsToStages]) => ({ Name, ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${Name}-AbCdEf`, SecretVersionsToStages })),
  ...(NextToken ? { NextToken } : {}),
});

describe('VersionListing', () => {
  it('lists only when it can cost fewer calls than re-reading the cached values 20 at a time', () => {
    const listing = new VersionListing();
    expect(listing.budget(20, 0)).toBe(0);
    expect(listing.budget(21, 0)).toBe(1);
    expect(listing.budget(100, 0)).toBe(4);
  });

  it('reads each secret\'s AWSCURRENT version by name and by ARN, and learns the account\'s pages', async () => {
    const listing = new VersionListing();
    const pages = [page([['a', { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT', 'AWSPENDING'] }], ['no-current', { v9: ['AWSPREVIOUS'] }]], 't'), page([['b', { v3: ['AWSCURRENT'] }]])];
    const versions = await listing.list(4, async (token) => pages[token ? 1 : 0]!);
    expect(versions?.get('a')).toBe('v2');
    expect(versions?.get('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf')).toBe('v2');
    expect(versions?.get('b')).toBe('v3');
    expect(versions?.has('no-current')).toBe(false);
    // Two pages known: listing is chosen only where re-reading would take more than two calls.
    expect(listing.budget(40, 0)).toBe(0);
    expect(listing.budget(41, 0)).toBe(2);
  });

  it('stops at its budget in an account with more pages, and re-reads until there are enough cached values to pay for more', async () => {
    const listing = new VersionListing();
    let calls = 0;
    const versions = await listing.list(2, async () => (calls++, page([['x', { v: ['AWSCURRENT'] }]], 'more')));
    expect(versions).toBeUndefined();
    expect(calls).toBe(2);
    expect(listing.budget(60, 0)).toBe(0);
    expect(listing.budget(61, 0)).toBe(3);
  });

  it('lists at the same cost as reading when a change poll wants the names (dataFrom.find), or one page with nothing to read', async () => {
    const listing = new VersionListing();
    expect(listing.budget(5, 0)).toBe(0);
    expect(listing.budget(5, 0, true)).toBe(1);
    expect(listing.budget(0, 0, true)).toBe(1);
    // An account of more than one page: five secrets are read again, as one batch costs less.
    expect(await listing.list(1, async () => page([['x', { v: ['AWSCURRENT'] }]], 'more'))).toBeUndefined();
    expect(listing.budget(5, 0, true)).toBe(0);
    expect(listing.budget(40, 0, true)).toBe(2);
  });

  it('does not list for a while once refused', () => {
    const listing = new VersionListing();
    listing.denied(1_000);
    expect(listing.budget(1_000, 999)).toBe(0);
    expect(listing.budget(1_000, 1_000)).toBe(49);
  });
});

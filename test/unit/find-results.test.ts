import { describe, expect, it } from 'vitest';
import { FoundSecrets, MAX_FIND_SECRETS } from '../../src/sync/find-results.ts';
import { codeOf, thrown } from '../helpers/expect-helpers.ts';

/** What a dataFrom.find gathers is bounded as the secrets arrive, before the next one is fetched. */
describe('FoundSecrets', () => {
  const value = (n: number): Uint8Array => new Uint8Array(n);

  it(`gathers up to ${MAX_FIND_SECRETS} secrets, then refuses to fetch another`, () => {
    const found = new FoundSecrets();
    for (let i = 0; i < MAX_FIND_SECRETS; i++) {
      found.roomFor(1);
      found.add(`s${i}`, value(1));
    }
    const error = thrown(() => found.roomFor(1));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^find matched more than 1000 secrets/);
    expect(codeOf(() => found.add('one-more', value(1)))).toBe('SecretTooLarge');
    // A secret seen again (a later page) replaces itself.
    found.add('s0', value(2));
    expect(found.values.size).toBe(MAX_FIND_SECRETS);
  });

  it('refuses values that add up to more than a Secret holds, at the secret that passes it', () => {
    const found = new FoundSecrets();
    found.add('a', value(600_000));
    found.add('a', value(700_000));
    const error = thrown(() => found.add('b', value(400_000)));
    expect(error.code).toBe('SecretTooLarge');
    expect(error.message).toBe('find: the values of the secrets found would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a Secret');
    expect([...found.values.keys()]).toEqual(['a']);
  });
});

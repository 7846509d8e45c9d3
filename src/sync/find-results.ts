/**
 * What one `dataFrom.find` gathers, bounded as the secrets arrive: at most MAX_FIND_SECRETS
 * secrets, whose values add up to at most what a Secret holds. The provider asks for room
 * before it fetches each secret, so fetching stops at the bound (SecretTooLarge, retried:
 * secrets may be deleted or shrink in AWS).
 */
import { OperatorError } from '../errors.ts';
import { SizeTally } from './secret-size.ts';

/**
 * Secrets one find may gather: each becomes a key of one Secret, and on the ListSecrets path
 * each costs a GetSecretValue call, so a find matching a whole account would make thousands
 * of calls on every refresh.
 */
export const MAX_FIND_SECRETS = 1000;

export class FoundSecrets {
  /** Secret name to value. */
  readonly values = new Map<string, Uint8Array>();
  readonly #size = new SizeTally('find: the values of the secrets found');

  /** Throws SecretTooLarge unless `count` more secrets may be gathered; call it before fetching them. */
  roomFor(count: number): void {
    if (this.values.size + count > MAX_FIND_SECRETS) {
      throw new OperatorError(
        'SecretTooLarge',
        `find matched more than ${MAX_FIND_SECRETS} secrets, the most this operator gathers into one Secret; narrow it (name.regexp, path or tags)`,
      );
    }
  }

  /** Adds a secret's value; throws SecretTooLarge past MAX_FIND_SECRETS secrets or a Secret's worth of values. */
  add(name: string, value: Uint8Array): void {
    if (!this.values.has(name)) this.roomFor(1);
    this.#size.set(name, value.length);
    this.values.set(name, value);
  }
}

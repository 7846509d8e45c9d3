/**
 * The most a Secret can hold, and a running total that fails as soon as assembled data
 * passes it: the data is checked as it grows (dataFrom entry by entry, key by key), so a
 * Secret too large for Kubernetes is refused before it is built, and nothing much larger
 * than it is ever held in memory.
 */
import { OperatorError } from '../errors.ts';

/**
 * Kubernetes' limit on a Secret (core.MaxSecretSize): the sum of the bytes of its values
 * (keys are not counted), checked by the apiserver's validation.
 */
export const MAX_SECRET_BYTES = 1 << 20;

/** Kubernetes' limit on an object's annotations, keys and values together (TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATION_BYTES = 256 << 10;

/**
 * The error for data past `limit`; `what` says which data, e.g. `spec.dataFrom[1]: the data gathered so far`,
 * and `kind` the target it is for (a ConfigMap has the same 1 MiB limit, keys included).
 */
export const secretTooLarge = (what: string, limit = MAX_SECRET_BYTES, kind: 'Secret' | 'ConfigMap' = 'Secret'): OperatorError =>
  new OperatorError('SecretTooLarge', `${what} would be more than ${limit} bytes (${limit >> 10} KiB), the most Kubernetes accepts in a ${kind}`);

/** The total size of a map's values as keys are set, replaced and removed. */
export class SizeTally {
  readonly #limit: number;
  readonly #what: string;
  readonly #kind: 'Secret' | 'ConfigMap';
  readonly #sizes = new Map<string, number>();
  #total = 0;

  /** `what` names the data in the error, e.g. `the Secret's data`; `kind` the target the limit is Kubernetes' for. */
  constructor(what: string, limit = MAX_SECRET_BYTES, kind: 'Secret' | 'ConfigMap' = 'Secret') {
    this.#what = what;
    this.#limit = limit;
    this.#kind = kind;
  }

  get total(): number {
    return this.#total;
  }

  /** Bytes that may still be added. */
  get left(): number {
    return Math.max(0, this.#limit - this.#total);
  }

  /** Records that `key` now holds `bytes`; throws SecretTooLarge when the total passes the limit. */
  set(key: string, bytes: number, at?: string): void {
    this.#total += bytes - (this.#sizes.get(key) ?? 0);
    this.#sizes.set(key, bytes);
    if (this.#total > this.#limit) throw secretTooLarge(at ? `${at}: ${this.#what}` : this.#what, this.#limit, this.#kind);
  }
}

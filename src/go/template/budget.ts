import { Builder } from './builder.ts';
import { LimitError } from './errors.ts';
import { limits } from './limits.ts';
import { systemTimeSource, type TimeSource } from '../time/time.ts';

/**
 * What renders may spend together: evaluation steps, range iterations, parse-tree nodes and
 * work (bytes read, built and parsed; see limits.ts). The caller makes one per ExternalSecret
 * reconcile and passes it to every parse and render, so that a spec with many template keys,
 * many templateFrom items or many keys to transform cannot multiply the bounds. The counters
 * are readable, so tests can check how much work a failing render did. It also carries what
 * the renders of a reconcile share besides the bounds: the clock sprig's `now` reads.
 */
export class RenderBudget {
  /** Where sprig's now (and ago, durationRound of a time) read the time: injected by tests. */
  readonly time: TimeSource;
  #steps = 0;
  #iterations = 0;
  #parseNodes = 0;
  #work = 0;
  #keyIterations = 0;

  constructor(options: { time?: TimeSource } = {}) {
    this.time = options.time ?? systemTimeSource;
  }

  get steps(): number {
    return this.#steps;
  }

  get iterations(): number {
    return this.#iterations;
  }

  get parseNodes(): number {
    return this.#parseNodes;
  }

  get work(): number {
    return this.#work;
  }

  /** Work that may still be done before the bound. */
  get workLeft(): number {
    return Math.max(0, limits.workBytes - this.#work);
  }

  /** Counts one evaluation step; false once past the bound. */
  step(): boolean {
    return ++this.#steps <= limits.steps;
  }

  /** Counts one range iteration; false once past the bound. */
  iterate(): boolean {
    return ++this.#iterations <= limits.rangeIterations;
  }

  /** Counts one parse-tree node; false once past the bound. */
  parseNode(): boolean {
    return ++this.#parseNodes <= limits.parseNodes;
  }

  get keyIterations(): number {
    return this.#keyIterations;
  }

  /** Counts hash iterations a key derivation is about to run; throws LimitError, before it runs, past the bound. */
  deriveKeys(iterations: number): void {
    this.#keyIterations += iterations;
    if (this.#keyIterations > limits.keyDerivationIterations) {
      throw new LimitError(`key derivations need more than the limit of ${limits.keyDerivationIterations} iterations`);
    }
  }

  #slowCrypto = 0;

  /** Counts slow cryptography (see limits.slowCryptoUnits) about to run; throws LimitError, before it runs, past the bound. */
  slowCrypto(units: number, what: string): void {
    this.#slowCrypto += units;
    if (this.#slowCrypto > limits.slowCryptoUnits) {
      throw new LimitError(`${what} would pass the limit of ${limits.slowCryptoUnits} units of slow cryptography (key generation, bcrypt, scrypt) per ExternalSecret`);
    }
  }

  /** Counts bytes of work; throws LimitError once past the bound. */
  charge(bytes: number): void {
    this.#work += bytes;
    if (this.#work > limits.workBytes) throw new LimitError(`functions processed more than the limit of ${limits.workBytes} bytes`);
  }
}

/**
 * One function call's view of the budget: the builders it makes charge the work as they
 * grow, and `built` says how much of the result was charged that way, so the evaluator
 * charges only the rest.
 */
export class CallContext {
  readonly budget: RenderBudget;
  built = 0;
  /** For Go's call builtin: how the template names the function it calls. */
  callee = '';

  constructor(budget: RenderBudget) {
    this.budget = budget;
  }

  /** A string builder bounded by `limit` (stringBytes by default; `exceeded` names it) and by the work left. */
  builder(limit: number = limits.stringBytes, exceeded?: string): Builder {
    return new Builder(limit, this, 0, exceeded);
  }

  /** Charges bytes the call is about to allocate (list elements, parsed JSON, ...). */
  take(bytes: number): void {
    this.built += bytes;
    this.budget.charge(bytes);
  }
}

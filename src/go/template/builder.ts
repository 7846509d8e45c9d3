import { toByteString } from '../bytes.ts';
import type { GoString } from './bytes.ts';
import { LimitError } from './errors.ts';

/** What a builder charges its growth to (a function call's CallContext). */
export interface Meter {
  take(bytes: number): void;
}

/** Small parts are joined into one flat chunk this often. */
const PARTS_PER_CHUNK = 1024;

/** Bytes added between charges to the meter: a work bound is met within this. */
const CHARGE_BATCH = 4096;

/** Size of the buffer single bytes are written into. */
const BLOCK_BYTES = 16 * 1024;

/**
 * Builds one string (a Go string: one char per byte) and fails as soon as it would pass its
 * bound, before the bytes are allocated: a function never finishes a result only for it to be
 * refused. Strings are collected and joined in chunks, and escapes are written byte by byte
 * into a buffer, rather than with `+=`, which in V8 makes one cons-string node (~32 bytes) per
 * append: a 1 MiB string built a rune at a time would hold ~30 MiB, and be slow to make.
 */
export class Builder {
  readonly #limit: number;
  readonly #meter: Meter | undefined;
  readonly #chunks: string[] = [];
  readonly #parts: string[] = [];
  /** Bytes counted against the limit: what this builder holds, plus `start`. */
  #length: number;
  readonly #start: number;
  /** Bytes added but not yet charged to the meter (fewer than CHARGE_BATCH). */
  #uncharged = 0;
  /** The LimitError's message. */
  readonly #exceeded: string;
  #block: Buffer | undefined;
  #blockUsed = 0;

  /**
   * `start` bytes of the limit are taken already (by the builder a scratch() piece goes into);
   * `exceeded` is the message when the limit is hit.
   */
  constructor(limit: number, meter?: Meter, start = 0, exceeded = `result exceeds the limit of ${limit} bytes`) {
    this.#limit = limit;
    this.#meter = meter;
    this.#start = start;
    this.#length = start;
    this.#exceeded = exceeded;
  }

  /** Bytes built so far. */
  get length(): number {
    return this.#length - this.#start;
  }

  /** A LimitError unless `n` more bytes fit; nothing is charged. */
  ensure(n: number): void {
    if (this.#length + n > this.#limit) throw new LimitError(this.#exceeded);
  }

  /** Room for `n` more bytes, charged to the meter, or a LimitError before anything is allocated. */
  reserve(n: number): void {
    this.ensure(n);
    this.#length += n;
    this.#uncharged += n;
    this.#charge();
  }

  /**
   * A builder for a piece that is measured before it is added here (a padded field): bounded
   * by the room left here, and not charged, since adding the piece charges it.
   */
  scratch(): Builder {
    return new Builder(this.#limit, undefined, this.#length, this.#exceeded);
  }

  /** Appends s. */
  add(s: GoString): this {
    const n = s.length;
    if (n === 0) return this;
    this.#count(n);
    this.push(s);
    return this;
  }

  /** Appends one byte: the hot path of escaping loops. */
  byte(c: number): this {
    this.#count(1);
    if (this.#block === undefined || this.#blockUsed === BLOCK_BYTES) this.#newBlock();
    this.#block![this.#blockUsed++] = c;
    return this;
  }

  /** Appends src[from..to]: short runs byte by byte, long ones as one string. */
  bytes(src: Uint8Array, from: number, to: number): this {
    if (to - from > 32) return this.add(toByteString(src.subarray(from, to)));
    for (let k = from; k < to; k++) this.byte(src[k]!);
    return this;
  }

  /** `s` n times, checked and charged before it is made. */
  repeat(s: GoString, n: number): this {
    if (n <= 0 || s.length === 0) return this;
    this.reserve(s.length * n);
    this.push(s.repeat(n));
    return this;
  }

  /** Appends bytes already reserved. */
  push(s: GoString): void {
    this.#flushBlock();
    this.#parts.push(s);
    if (this.#parts.length >= PARTS_PER_CHUNK) {
      this.#chunks.push(this.#parts.join(''));
      this.#parts.length = 0;
    }
  }

  toString(): GoString {
    this.#charge();
    this.#flushBlock();
    if (this.#chunks.length === 0) return this.#parts.join('');
    return this.#chunks.join('') + this.#parts.join('');
  }

  #count(n: number): void {
    if (this.#length + n > this.#limit) throw new LimitError(this.#exceeded);
    this.#length += n;
    this.#uncharged += n;
    if (this.#uncharged >= CHARGE_BATCH) this.#charge();
  }

  #charge(): void {
    const n = this.#uncharged;
    this.#uncharged = 0;
    if (n !== 0) this.#meter?.take(n);
  }

  #newBlock(): void {
    this.#flushBlock();
    this.#block ??= Buffer.allocUnsafe(BLOCK_BYTES);
  }

  #flushBlock(): void {
    if (this.#blockUsed === 0) return;
    const s = this.#block!.toString('latin1', 0, this.#blockUsed);
    this.#blockUsed = 0;
    this.#parts.push(s);
  }
}

/** A builder without a bound, for error messages and callers outside templates. */
export const unbounded = (): Builder => new Builder(Infinity);

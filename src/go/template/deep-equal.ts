/**
 * reflect.DeepEqual on template values, which sprig's has, uniq and without use and which
 * deepEqual is: the same Go type and equal contents. Our int stands for Go's int and int64
 * alike (values.ts), so an int64 from add equals an int literal here where Go says false.
 *
 * Every comparison is charged, scalars included: has, uniq and without compare each item with
 * many others, and `uniq (until 100000)` made 5*10^9 free comparisons (77 s) before scalars were
 * counted.
 */
import { ELEMENT_BYTES } from './sprig.ts';
import { GoMap, GoSlice, SemverVersion, type Evaluated } from './values.ts';

/**
 * `charge` is given ELEMENT_BYTES for each value compared and each list or map element, and the
 * length of two strings of equal length (whose bytes are compared).
 */
export function deepEqual(a: Evaluated, b: Evaluated, charge: (bytes: number) => void): boolean {
  charge(ELEMENT_BYTES);
  if (a === undefined || b === undefined) return a === b || (a ?? null) === (b ?? null);
  if (a instanceof GoSlice) {
    if (!(b instanceof GoSlice) || a.elem !== b.elem || a.items.length !== b.items.length) return false;
    charge(ELEMENT_BYTES * a.items.length);
    return a === b || a.items.every((x, i) => deepEqual(x, b.items[i], charge));
  }
  if (a instanceof GoMap) {
    if (!(b instanceof GoMap) || a.elem !== b.elem || a.entries.size !== b.entries.size) return false;
    charge(ELEMENT_BYTES * a.entries.size);
    if (a === b) return true;
    for (const [k, v] of a.entries) {
      if (!b.entries.has(k) || !deepEqual(v, b.entries.get(k), charge)) return false;
    }
    return true;
  }
  // Pointers are followed: two Versions parsed from the same text are deeply equal.
  if (a instanceof SemverVersion) return b instanceof SemverVersion && a.pointer === b.pointer && a.sameFields(b);
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length) charge(a.length);
  // Scalars and nil: Go's == on the same type (NaN is not equal to itself).
  return typeof a === typeof b && a === b;
}

/**
 * Values distinct under deepEqual, for uniq and without. Scalars are kept in a JavaScript Set,
 * which tells them apart as Go's == on interface values does (a type differs by typeof: int is a
 * bigint, float64 a number; 0 and -0 are one value, as in Go), except NaN, which Go never finds
 * equal, so it is never added or found. Lists, maps, times and certificates are compared one by
 * one with deepEqual, each comparison charged. Each lookup is charged ELEMENT_BYTES.
 */
export class DeepEqualSet {
  readonly #scalars = new Set<unknown>();
  readonly #others: Evaluated[] = [];
  readonly #charge: (bytes: number) => void;

  constructor(charge: (bytes: number) => void) {
    this.#charge = charge;
  }

  has(v: Evaluated): boolean {
    this.#charge(ELEMENT_BYTES);
    const value = v ?? null;
    if (isScalar(value)) return this.#scalars.has(value);
    return this.#others.some((o) => deepEqual(value, o, this.#charge));
  }

  /** Adds `v` (a NaN is not added: nothing is equal to it). */
  add(v: Evaluated): void {
    const value = v ?? null;
    if (!isScalar(value)) this.#others.push(value);
    else if (!Number.isNaN(value)) this.#scalars.add(value);
  }
}

const isScalar = (v: Evaluated): v is string | bigint | number | boolean | null => v === null || typeof v !== 'object';

/**
 * reflect.DeepEqual on template values, which sprig's has, uniq and without use and which
 * deepEqual is: the same Go type and equal contents. Our int stands for Go's int and int64
 * alike (values.ts), so an int64 from add equals an int literal here where Go says false.
 */
import { GoMap, GoSlice, SemverVersion, type Evaluated } from './values.ts';

/** `visit` is charged for each list or map compared. */
export function deepEqual(a: Evaluated, b: Evaluated, visit: (n: number) => void): boolean {
  if (a === undefined || b === undefined) return a === b || (a ?? null) === (b ?? null);
  if (a instanceof GoSlice) {
    if (!(b instanceof GoSlice) || a.elem !== b.elem || a.items.length !== b.items.length) return false;
    visit(a.items.length);
    return a === b || a.items.every((x, i) => deepEqual(x, b.items[i], visit));
  }
  if (a instanceof GoMap) {
    if (!(b instanceof GoMap) || a.elem !== b.elem || a.entries.size !== b.entries.size) return false;
    visit(a.entries.size);
    if (a === b) return true;
    for (const [k, v] of a.entries) {
      if (!b.entries.has(k) || !deepEqual(v, b.entries.get(k), visit)) return false;
    }
    return true;
  }
  // Pointers are followed: two Versions parsed from the same text are deeply equal.
  if (a instanceof SemverVersion) return b instanceof SemverVersion && a.pointer === b.pointer && a.sameFields(b);
  // Scalars and nil: Go's == on the same type (NaN is not equal to itself).
  return typeof a === typeof b && a === b;
}

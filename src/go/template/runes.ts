/**
 * Unicode classes and case mappings of single runes, as Go's unicode package
 * defines them. JS's Unicode tables stand in for Go's; they agree except for
 * code points assigned after Go's Unicode version, which secrets rarely hold.
 */

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;

/** unicode.IsPrint (= strconv.IsPrint): graphic, and the only space is U+0020. */
export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  return printable.test(String.fromCodePoint(r));
}

/** unicode.IsSpace. */
export function isSpace(r: number): boolean {
  switch (r) {
    case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20: case 0x85: case 0xa0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
      return true;
  }
  return r >= 0x2000 && r <= 0x200a;
}

export const isLetter = (r: number): boolean => letter.test(String.fromCodePoint(r));
export const isDigit = (r: number): boolean => digit.test(String.fromCodePoint(r));

/** Go's simple (one rune to one rune) case mappings that JS's full mappings miss. */
const lowerExceptions = new Map([[0x130, 0x69]]);
const titleExceptions = new Map([
  [0x1c4, 0x1c5], [0x1c5, 0x1c5], [0x1c6, 0x1c5],
  [0x1c7, 0x1c8], [0x1c8, 0x1c8], [0x1c9, 0x1c8],
  [0x1ca, 0x1cb], [0x1cb, 0x1cb], [0x1cc, 0x1cb],
  [0x1f1, 0x1f2], [0x1f2, 0x1f2], [0x1f3, 0x1f2],
]);

/** One rune through a JS mapping, kept when JS maps it to several runes. */
function simple(r: number, map: (s: string) => string): number {
  if (r >= 0xd800 && r <= 0xdfff) return r;
  const mapped = [...map(String.fromCodePoint(r))];
  return mapped.length === 1 ? (mapped[0]?.codePointAt(0) ?? r) : r;
}

/**
 * `simple` remembered for the Basic Multilingual Plane (256 KiB, made on first use): asking
 * JS for each rune of a long non-ASCII string is ~20 times slower than a lookup.
 */
function cached(map: (s: string) => string): (r: number) => number {
  let table: Int32Array | undefined;
  return (r) => {
    if (r > 0xffff) return simple(r, map);
    table ??= new Int32Array(0x10000).fill(-1);
    let v = table[r]!;
    if (v < 0) v = table[r] = simple(r, map);
    return v;
  };
}

const upperOf = cached((s) => s.toUpperCase());
const lowerOf = cached((s) => s.toLowerCase());

export const toUpper = (r: number): number => (r < 0x80 ? (r >= 0x61 && r <= 0x7a ? r - 32 : r) : upperOf(r));

export function toLower(r: number): number {
  if (r < 0x80) return r >= 0x41 && r <= 0x5a ? r + 32 : r;
  return lowerExceptions.get(r) ?? lowerOf(r);
}

export const toTitle = (r: number): number => titleExceptions.get(r) ?? toUpper(r);

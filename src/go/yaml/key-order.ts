/**
 * The order go-yaml v2 (sorter.go) writes map keys in, for string keys: rune by rune,
 * letters before other characters, and runs of digits compared as numbers, so "a2" comes
 * before "a10". Hand-written to match toYaml's output byte for byte.
 */
const isLetter = (r: number): boolean => /\p{L}/u.test(String.fromCodePoint(r));
const isDigit = (r: number): boolean => /\p{Nd}/u.test(String.fromCodePoint(r));

/** A key's runes with each one's class, worked out once per key rather than per comparison. */
interface Decorated {
  key: string;
  runes: number[];
  letter: boolean[];
  digit: boolean[];
}

function decorate(key: string): Decorated {
  const runes = Array.from(key, (c) => c.codePointAt(0)!);
  return { key, runes, letter: runes.map(isLetter), digit: runes.map(isDigit) };
}

/** Whether key a sorts before key b (keyList.Less). */
function keyLess(a: Decorated, b: Decorated): boolean {
  const ar = a.runes;
  const br = b.runes;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = a.letter[i]!;
    const bl = b.letter[i]!;
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === 0x30 || br[i] === 0x30) {
      // A zero inside a number (after a non-zero digit) counts as part of it.
      for (let j = i - 1; j >= 0 && a.digit[j]!; j--) {
        if (ar[j] !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    // Go accumulates rune - '0' in an int64, wrapping as it does.
    for (; ai < ar.length && a.digit[ai]!; ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai]! - 0x30));
    for (; bi < br.length && b.digit[bi]!; bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi]! - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}

/**
 * Keys in that order. It is not always a consistent order ("08" < "0b" < "1.2.3" < "08";
 * a digit run past int64 wraps around), and for such key sets Go's own output varies from
 * run to run, as it sorts keys taken in map order; ours is one of its outputs.
 */
export const sortKeys = (keys: Iterable<string>): string[] =>
  Array.from(keys, decorate)
    .sort((a, b) => (keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0))
    .map(({ key }) => key);

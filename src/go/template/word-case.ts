/**
 * huandu/xstrings v1.5.0's ToSnakeCase, ToKebabCase and ToPascalCase (convert.go), which sprig
 * calls snakecase, kebabcase and camelcase. Hand-written to match Go byte for byte: how a string
 * splits into words (runs of upper case, letters, numbers, punctuation, connectors) decides
 * where the connectors go, and invalid UTF-8 is skipped or kept as xstrings does.
 */
import type { Builder } from './builder.ts';
import { decodeRune, encodeRune, RUNE_ERROR, type GoString } from './bytes.ts';
import { isLetter, isSpace, toLower, toUpper } from './runes.ts';

const upper = /^\p{Lu}$/u;
const punct = /^\p{P}$/u;
const number = /^\p{N}$/u;

export const isUpper = (r: number): boolean => upper.test(String.fromCodePoint(r));
const isPunct = (r: number): boolean => punct.test(String.fromCodePoint(r));
const isNumber = (r: number): boolean => number.test(String.fromCodePoint(r));
const isConnector = (r: number): boolean => r === 0x2d || r === 0x5f || isSpace(r);

/** xstrings' isAlphabet: a letter, but not a CJK ideograph. */
function isAlphabet(r: number): boolean {
  if (!isLetter(r)) return false;
  if (r < 0x3400) return true;
  if (r >= 0x4e00 && r <= 0x9fcc) return false;
  if (r >= 0x3400 && r <= 0x4d85) return false;
  if (r >= 0x20000 && r <= 0x2b81d) return false;
  return true;
}

/** What nextWord found. */
const Word = { Invalid: 0, Number: 1, UpperCase: 2, Alphabet: 3, Connector: 4, Punct: 5, Other: 6 } as const;
type Word = number;

/** xstrings' nextValidRune: the next rune that is not invalid UTF-8, and the bytes up to its end; `prev` if none. */
function nextValidRune(s: GoString, from: number, prev: number): [number, number] {
  let size = 0;
  for (let i = from; i < s.length; ) {
    const [r, sz] = decodeRune(s, i);
    size += sz;
    if (r !== RUNE_ERROR) return [r, size];
    i += sz;
  }
  return [prev, size];
}

/** xstrings' nextWord over s[at:]: the word's type, and where it and the rest start and end. */
function nextWord(s: GoString, at: number): [Word, number, number] {
  if (at >= s.length) return [Word.Invalid, at, at];
  let offset = 0;
  let rem = at;
  let [r, size] = nextValidRune(s, rem, RUNE_ERROR);
  offset += size;
  if (r === RUNE_ERROR) return [Word.Invalid, at + offset, at + offset];
  const run = (wt: Word, keep: (r: number) => boolean): [Word, number, number] => {
    rem += size;
    while (rem < s.length) {
      [r, size] = nextValidRune(s, rem, r);
      if (!keep(r)) break;
      offset += size;
      rem += size;
    }
    return [wt, at + offset, rem];
  };
  if (isConnector(r)) return run(Word.Connector, isConnector);
  if (isPunct(r)) return run(Word.Punct, isPunct);
  if (isUpper(r)) {
    rem += size;
    if (rem >= s.length) return [Word.UpperCase, at + offset, rem];
    [r, size] = nextValidRune(s, rem, r);
    if (isUpper(r)) {
      let prevSize = size;
      offset += size;
      rem += size;
      while (rem < s.length) {
        [r, size] = nextValidRune(s, rem, r);
        if (!isUpper(r)) break;
        prevSize = size;
        offset += size;
        rem += size;
      }
      // The last capital of a run before lower case starts the next word ("HTTPServer").
      if (rem < s.length && isAlphabet(r)) {
        offset -= prevSize;
        rem = at + offset;
      }
    } else if (isAlphabet(r)) {
      offset += size;
      rem += size;
      while (rem < s.length) {
        [r, size] = nextValidRune(s, rem, r);
        if (!isAlphabet(r) || isUpper(r)) break;
        offset += size;
        rem += size;
      }
    }
    return [Word.UpperCase, at + offset, rem];
  }
  if (isAlphabet(r)) return run(Word.Alphabet, (c) => isAlphabet(c) && !isUpper(c));
  if (isNumber(r)) return run(Word.Number, isNumber);
  return run(Word.Other, (c) => !(size === 0 || isConnector(c) || isAlphabet(c) || isNumber(c) || isPunct(c)));
}

/** xstrings' toLower: upper-case words and connectors lowered (connectors become `connector`), others as they are. */
function lowerWord(b: Builder, wt: Word, word: GoString, connector: string): void {
  if (wt !== Word.UpperCase && wt !== Word.Connector) {
    b.add(word);
    return;
  }
  for (let i = 0; i < word.length; ) {
    const [r, size] = decodeRune(word, i);
    i += size;
    b.add(isConnector(r) ? connector : encodeRune(isUpper(r) ? toLower(r) : r));
  }
}

/** xstrings' camelCaseToLowerCase (ToSnakeCase with "_", ToKebabCase with "-"). */
export function camelCaseToLowerCase(b: Builder, s: GoString, connector: string): GoString {
  if (s === '') return '';
  let [wt, end, rem]: [Word, number, number] = nextWord(s, 0);
  let start = 0;
  const word = (): GoString => s.slice(start, end);
  // Read through a call: next() changes wt behind TypeScript's narrowing.
  const type = (): Word => wt;
  const next = (): void => {
    start = rem;
    [wt, end, rem] = nextWord(s, rem);
  };
  while (rem < s.length) {
    if (wt !== Word.Connector) lowerWord(b, wt, word(), connector);
    const prev = wt;
    const last = word();
    next();
    switch (prev) {
      case Word.Number:
        while (wt === Word.Alphabet || wt === Word.Number) {
          lowerWord(b, wt, word(), connector);
          next();
        }
        if (wt !== Word.Invalid && wt !== Word.Punct && wt !== Word.Connector) b.add(connector);
        break;
      case Word.Connector:
        lowerWord(b, prev, last, connector);
        break;
      case Word.Punct:
        break;
      default: {
        if (wt !== Word.Number) {
          if (wt !== Word.Connector && wt !== Word.Punct) b.add(connector);
          break;
        }
        if (rem >= s.length) break;
        const number = word();
        next();
        if (type() !== Word.Alphabet) {
          lowerWord(b, Word.Number, number, connector);
          if (type() !== Word.Connector && type() !== Word.Punct) b.add(connector);
          break;
        }
        b.add(connector);
        lowerWord(b, Word.Number, number, connector);
        while (type() === Word.Alphabet || type() === Word.Number) {
          lowerWord(b, type(), word(), connector);
          next();
        }
        if (type() !== Word.Invalid && type() !== Word.Connector && type() !== Word.Punct) b.add(connector);
      }
    }
  }
  lowerWord(b, wt, word(), connector);
  return b.toString();
}

/** xstrings' ToPascalCase (toCamelCase with isBig). */
export function toPascalCase(b: Builder, s: GoString): GoString {
  if (s === '') return '';
  let i = 0;
  let r0 = 0;
  let size = 0;
  let firstUpper = false;
  while (i < s.length) {
    [r0, size] = decodeRune(s, i);
    i += size;
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = toUpper(r0);
      break;
    }
    b.add(encodeRune(r0));
  }
  if (i >= s.length) {
    if (size !== 0) b.add(encodeRune(r0));
    return b.toString();
  }
  while (i < s.length) {
    const r1 = r0;
    [r0, size] = decodeRune(s, i);
    i += size;
    if (isConnector(r0) && isConnector(r1)) {
      b.add(encodeRune(r1));
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = toUpper(r0);
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = toLower(r0);
        else firstUpper = false;
      }
      b.add(encodeRune(r1));
    }
  }
  b.add(encodeRune(r0));
  return b.toString();
}

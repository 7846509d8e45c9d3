/**
 * Go's encoding/json scanner: whether a text is one JSON value by Go's rules (strictly RFC 8259:
 * its numbers and escapes only, nothing after the value, at most 10000 levels deep; bytes that are
 * not UTF-8 are allowed inside strings), and where it stops being valid. It tells a visitor what
 * it reads as it goes, so one pass both checks and decodes; what a visitor built from a text that
 * turns out invalid is thrown away. Iterative, so deep input cannot overflow the stack.
 */
import {
  COLON, COMMA, CR, DIGIT_0, DOT, LBRACE, LBRACK, LF, LOWER_E, LOWER_U, MINUS, PLUS, QUOTE, BSLASH, RBRACE, RBRACK, SPACE,
  TAB, UPPER_E, hexDigit,
} from '../ascii.ts';
import { utf8Encoder } from '../bytes.ts';
import { escapedByte } from './unquote.ts';

export interface JsonVisitor {
  /** A `{` or `[` at `at`. */
  open(at: number): void;
  /** An object member's key: the string literal from..to, quotes included. */
  key(from: number, to: number): void;
  /** A string (quotes included), number, `true`, `false` or `null` at from..to. */
  scalar(from: number, to: number): void;
  /** The innermost open object or array closed; `to` is just after its bracket. */
  close(to: number): void;
}

/** Go's maxNestingDepth. */
export const MAX_DEPTH = 10000;

/** Where the text stops being valid. */
class Invalid {
  readonly at: number;
  constructor(at: number) {
    this.at = at;
  }
}

/** Reads `doc` as one JSON text: -1 if it is valid, else the byte offset where it stops being valid. */
export function scanJson(doc: Uint8Array, visitor: JsonVisitor): number {
  try {
    const end = skipSpace(doc, scanValue(doc, skipSpace(doc, 0), visitor));
    return end === doc.length ? -1 : end;
  } catch (error) {
    if (error instanceof Invalid) return error.at;
    throw error;
  }
}

function skipSpace(doc: Uint8Array, from: number): number {
  let i = from;
  while (i < doc.length && (doc[i] === SPACE || doc[i] === TAB || doc[i] === LF || doc[i] === CR)) i++;
  return i;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= DIGIT_0 && c <= DIGIT_0 + 9;

/** One value starting at `from` (no space before it); returns where it ends. */
function scanValue(doc: Uint8Array, from: number, visitor: JsonVisitor): number {
  // Open containers, innermost last: the closing bracket each one expects.
  const open: number[] = [];
  let i = from;
  for (;;) {
    // A value.
    const c = doc[i];
    if (c === LBRACE || c === LBRACK) {
      if (open.length + 1 > MAX_DEPTH) throw new Invalid(i);
      open.push(c === LBRACE ? RBRACE : RBRACK);
      visitor.open(i);
      i = skipSpace(doc, i + 1);
      if (doc[i] === open.at(-1)) {
        open.pop();
        visitor.close(++i);
      } else {
        if (c === LBRACE) i = scanMemberKey(doc, i, visitor);
        continue;
      }
    } else {
      const end = c === QUOTE ? skipString(doc, i) : c === MINUS || isDigit(c) ? skipNumber(doc, i) : skipLiteral(doc, i);
      visitor.scalar(i, end);
      i = end;
    }
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      if (open.length === 0) return i;
      i = skipSpace(doc, i);
      if (doc[i] === COMMA) {
        i = skipSpace(doc, i + 1);
        if (open.at(-1) === RBRACE) i = scanMemberKey(doc, i, visitor);
        break;
      }
      if (doc[i] !== open.at(-1)) throw new Invalid(i);
      open.pop();
      visitor.close(++i);
    }
  }
}

/** `"key" :` and the space after it. */
function scanMemberKey(doc: Uint8Array, from: number, visitor: JsonVisitor): number {
  if (doc[from] !== QUOTE) throw new Invalid(from);
  const end = skipString(doc, from);
  visitor.key(from, end);
  const i = skipSpace(doc, end);
  if (doc[i] !== COLON) throw new Invalid(i);
  return skipSpace(doc, i + 1);
}

/** A string from its opening quote; returns the index after the closing quote. */
function skipString(doc: Uint8Array, from: number): number {
  for (let i = from + 1; i < doc.length; i++) {
    const c = doc[i]!;
    if (c === QUOTE) return i + 1;
    if (c < SPACE) throw new Invalid(i);
    if (c !== BSLASH) continue;
    const e = doc[++i];
    if (e === LOWER_U) {
      for (let k = 1; k <= 4; k++) if (hexDigit(doc[i + k]) < 0) throw new Invalid(i + k);
      i += 4;
    } else if (e === undefined || escapedByte(e) === 0) {
      throw new Invalid(i);
    }
  }
  throw new Invalid(doc.length);
}

/** RFC 8259 numbers only: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)? */
function skipNumber(doc: Uint8Array, from: number): number {
  let i = from;
  if (doc[i] === MINUS) i++;
  if (doc[i] === DIGIT_0) i++;
  else if (isDigit(doc[i])) while (isDigit(doc[i])) i++;
  else throw new Invalid(i);
  if (doc[i] === DOT) {
    i++;
    if (!isDigit(doc[i])) throw new Invalid(i);
    while (isDigit(doc[i])) i++;
  }
  if (doc[i] === LOWER_E || doc[i] === UPPER_E) {
    i++;
    if (doc[i] === PLUS || doc[i] === MINUS) i++;
    if (!isDigit(doc[i])) throw new Invalid(i);
    while (isDigit(doc[i])) i++;
  }
  return i;
}

const LITERALS = ['true', 'false', 'null'].map((word) => utf8Encoder.encode(word));

function skipLiteral(doc: Uint8Array, from: number): number {
  for (const word of LITERALS) {
    if (doc[from] !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (doc[from + k] !== word[k]) throw new Invalid(from + k);
    return from + word.length;
  }
  throw new Invalid(from);
}

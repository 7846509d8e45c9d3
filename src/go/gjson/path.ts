/**
 * gjson paths: how tidwall/gjson v1.18.0 splits a path into steps (keys with `\\` escapes and `*`/`?`
 * wildcards, array indexes, `#` counts and collections, `|` pipes), and which of its forms compute
 * new JSON, which this operator refuses with PropertyPathError rather than guess.
 */
import {
  AT, BANG, BSLASH, COLON, DIGIT_0, DIGIT_9, DOT, HASH, LBRACE, LBRACK, LPAREN, MINUS, PIPE, PLUS, QMARK, QUOTE, RBRACE,
  RBRACK, RPAREN, STAR,
} from '../ascii.ts';
import { EMPTY, toByteString, utf8Decoder } from '../bytes.ts';

/** The property uses gjson syntax this operator does not evaluate, or is too deep to evaluate. */
export class PropertyPathError extends Error {
  readonly code = 'PropertyPathError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PropertyPathError';
  }
}

/** Deeper than any real property; beyond it we refuse rather than risk the call stack. */
export const MAX_NESTING = 1000;

export function tooDeep(): PropertyPathError {
  return new PropertyPathError('is nested too deeply to evaluate');
}

export function unsupported(path: Uint8Array, feature: string): PropertyPathError {
  const at = JSON.stringify(utf8Decoder.decode(path));
  return new PropertyPathError(`uses ${feature} (at ${at}), gjson syntax this operator does not support`);
}

/**
 * The path gjson walks, after the forms it treats as computations (which we refuse). A path that
 * opens like a multipath but is not one is cut, as gjson does: an unclosed `[`/`{` leaves an empty
 * path, and `[x]rest` leaves `rest`.
 */
export function plainPath(path: Uint8Array): Uint8Array {
  if (path.length < 2) return path;
  const c = path[0]!;
  if (c === AT && startsWithModifier(path)) throw unsupported(path, 'a modifier');
  if (c === BANG && isStaticValue(path)) throw unsupported(path, 'a literal value');
  if (c === LBRACK || c === LBRACE) {
    const end = selectorEnd(path);
    if (end < 0) return EMPTY;
    const rest = path.subarray(end);
    if (rest.length === 0 || rest[0] === PIPE || rest[0] === DOT) throw unsupported(path, 'a multipath');
    return rest;
  }
  if (c === DOT && path[1] === DOT) throw unsupported(path, 'JSON lines');
  return path;
}

const MODIFIERS = new Set([
  'pretty', 'ugly', 'reverse', 'this', 'flatten', 'join', 'valid', 'keys', 'values', 'tostr', 'fromstr',
  'group', 'dig',
]);

/** `@name...` where name (up to `.`, `|` or `:`) is one of gjson's built-in modifiers. */
function startsWithModifier(path: Uint8Array): boolean {
  let end = 1;
  while (end < path.length && path[end] !== DOT && path[end] !== PIPE && path[end] !== COLON) end++;
  return MODIFIERS.has(toByteString(path.subarray(1, end)));
}

/** `!true`, `!false`, `!null`, `!nan`, `!inf` (any case), or `!` before JSON: a constant. */
function isStaticValue(path: Uint8Array): boolean {
  const first = path[1]!;
  if (first === LBRACE || first === LBRACK || first === QUOTE || first === PLUS || first === MINUS) return true;
  if (first >= DIGIT_0 && first <= DIGIT_9) return true;
  let end = 1;
  while (end < path.length && path[end] !== PIPE && path[end] !== DOT) end++;
  const name = goToLower(utf8Decoder.decode(path.subarray(1, end)));
  return name === 'true' || name === 'false' || name === 'null' || name === 'nan' || name === 'inf';
}

/** strings.ToLower for our purpose: only the letters whose lower case is ASCII matter. */
function goToLower(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\u0130') out += 'i';
    else if (ch === '\u212a') out += 'k';
    else if (ch >= 'A' && ch <= 'Z') out += ch.toLowerCase();
    else out += ch;
  }
  return out;
}

/** Where a leading `[...]` or `{...}` selector closes (the index after it), or -1 if it does not. */
function selectorEnd(path: Uint8Array): number {
  let depth = 1;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (c === BSLASH) {
      i++;
    } else if (c === QUOTE) {
      for (i++; i < path.length; i++) {
        if (path[i] === BSLASH) i++;
        else if (path[i] === QUOTE) break;
      }
    } else if (c === LBRACK || c === LPAREN || c === LBRACE) {
      depth++;
    } else if (c === RBRACK || c === RPAREN || c === RBRACE) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** After a `.`, gjson pipes instead of descending when a modifier or multipath follows. */
function pipesAfterDot(rest: Uint8Array): boolean {
  const c = rest[0]!;
  if (c === AT) return startsWithModifier(rest);
  return c === LBRACK || c === LBRACE;
}

/** The first component of a path as an object key. */
export interface KeyStep {
  /** The key, escapes removed. */
  readonly part: Uint8Array;
  /** Whether `part` is a wildcard pattern (an unescaped `*` or `?` was seen). */
  readonly wild: boolean;
  /** The path below this key, when it is followed by `.`. */
  readonly rest?: Uint8Array;
  /** The path applied to this key's value, when it is followed by `|`. */
  readonly pipe?: Uint8Array;
}

export function splitKeyStep(path: Uint8Array): KeyStep {
  const part: number[] = [];
  let wild = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === PIPE) return { part: Uint8Array.from(part), wild, pipe: path.subarray(i + 1) };
    if (c === DOT) {
      const rest = path.subarray(i + 1);
      if (rest.length > 0 && pipesAfterDot(rest)) return { part: Uint8Array.from(part), wild, pipe: rest };
      return { part: Uint8Array.from(part), wild, rest };
    }
    if (c === BSLASH) {
      // The next byte is taken literally (and never as a wildcard); a trailing `\` is dropped.
      i++;
      if (i < path.length) part.push(path[i]!);
      continue;
    }
    if (c === STAR || c === QMARK) wild = true;
    part.push(c);
  }
  return { part: Uint8Array.from(part), wild };
}

/** The first component of a path as an array step. gjson reads escapes only in object keys. */
export interface IndexStep {
  readonly part: Uint8Array;
  /** A `#` appeared: the step counts or collects rather than indexes. */
  readonly hash: boolean;
  /** For `#.key`: the path to take from every element. */
  readonly collect?: Uint8Array;
  readonly rest?: Uint8Array;
  readonly pipe?: Uint8Array;
}

export function splitIndexStep(path: Uint8Array): IndexStep {
  let hash = false;
  let collect: Uint8Array | undefined;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === PIPE) return { part: path.subarray(0, i), hash, collect, pipe: path.subarray(i + 1) };
    if (c === DOT) {
      const rest = path.subarray(i + 1);
      if (!hash && rest.length > 0 && pipesAfterDot(rest)) return { part: path.subarray(0, i), hash, pipe: rest };
      return { part: path.subarray(0, i), hash, collect, rest };
    }
    if (c === HASH) {
      hash = true;
      if (i === 0 && path.length > 1) {
        const next = path[1]!;
        if (next === DOT) collect = path.subarray(2);
        else if (next === LBRACK || next === LPAREN) throw unsupported(path, 'a query');
      }
    }
  }
  return { part: path, hash, collect };
}

/** gjson's parseUint, including its silent 64-bit wrap-around, then converted to a signed index. */
export function arrayIndex(part: Uint8Array): number {
  if (part.length === 0) return -1;
  let n = 0n;
  for (const c of part) {
    if (c < DIGIT_0 || c > DIGIT_9) return -1;
    n = BigInt.asUintN(64, n * 10n + BigInt(c - DIGIT_0));
  }
  // Go converts to int: a wrapped value can turn negative, and then matches nothing.
  const signed = BigInt.asIntN(64, n);
  return signed < 0n || signed > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(signed);
}

/** gjson's splitPossiblePipe: the first `|` outside `.#[...]`/`.#(...)` selectors splits the path. */
export function splitPipe(path: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  if (!path.includes(PIPE)) return undefined;
  if (path[0] === LBRACE) {
    const squashed = squashLength(path.subarray(1));
    if (squashed < path.length - 1) {
      const left = path.subarray(0, squashed + 1);
      if (path[left.length] === PIPE) return [left, path.subarray(left.length + 1)];
    }
    return undefined;
  }
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === BSLASH) {
      i++;
    } else if (c === DOT) {
      if (i === path.length - 1) return undefined;
      if (path[i + 1] === HASH) {
        i += 2;
        if (i === path.length) return undefined;
        const open = path[i];
        if (open === LBRACK || open === LPAREN) {
          const close = open === LBRACK ? RBRACK : RPAREN;
          let depth = 1;
          for (i++; i < path.length; i++) {
            const d = path[i]!;
            if (d === BSLASH) {
              i++;
            } else if (d === open) {
              depth++;
            } else if (d === close) {
              depth--;
              if (depth === 0) break;
            } else if (d === QUOTE) {
              for (i++; i < path.length; i++) {
                if (path[i] === BSLASH) i++;
                else if (path[i] === QUOTE) break;
              }
            }
          }
        }
      }
    } else if (c === PIPE) {
      return [path.subarray(0, i), path.subarray(i + 1)];
    }
  }
  return undefined;
}

/** gjson's squash(): the length of the leading value of `text`, treating its first byte as an opener. */
function squashLength(text: Uint8Array): number {
  let i = 0;
  let depth = 0;
  if (text[0] !== QUOTE) {
    i = 1;
    depth = 1;
  }
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === QUOTE) {
      const from = ++i;
      while (i < text.length && !(text[i] === QUOTE && backslashesBefore(text, i, from) % 2 === 0)) i++;
      if (depth === 0) return i >= text.length ? text.length : i + 1;
    } else if (c === LBRACE || c === LBRACK || c === LPAREN) {
      depth++;
    } else if (c === RBRACE || c === RBRACK || c === RPAREN) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** How many backslashes stand just before `at` (down to `lowest`): an odd count escapes the byte at `at`. */
export function backslashesBefore(bytes: Uint8Array, at: number, lowest: number): number {
  let n = 0;
  for (let j = at - 1; j >= lowest && bytes[j] === BSLASH; j--) n++;
  return n;
}

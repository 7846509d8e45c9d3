/**
 * tidwall/gjson v1.18.0's Get, on UTF-8 bytes: the byte-level scanner that walks a JSON text along a
 * path without validating it, and Result.String(). Positions and lengths are byte offsets, as in Go.
 */
import {
  BSLASH, COMMA, CR, DIGIT_0, DIGIT_9, HASH, LBRACE, LBRACK, LF, LOWER_A, LOWER_F, LOWER_I, LOWER_N, LOWER_T, LOWER_U,
  LOWER_Z, LPAREN, MINUS, PLUS, QUOTE, RBRACE, RBRACK, RPAREN, SPACE, TAB, UPPER_I, UPPER_N, hex4,
} from '../ascii.ts';
import { EMPTY, bytesEqual, toByteString, utf8Encoder } from '../bytes.ts';
import { formatFloat, parseFloat64 } from '../strconv.ts';
import { escapedByte } from '../json/unquote.ts';
import { decodeSurrogates, encodeRune } from '../utf8.ts';
import { wildcardMatch } from './match.ts';
import {
  MAX_NESTING, arrayIndex, backslashesBefore, plainPath, splitIndexStep, splitKeyStep, splitPipe, tooDeep,
} from './path.ts';

export type Kind = 'null' | 'false' | 'true' | 'number' | 'string' | 'json';

/** A value gjson found: its kind, its source text, and for strings the unescaped content. */
export interface Found {
  readonly kind: Kind;
  readonly raw: Uint8Array;
  readonly str?: Uint8Array;
}

/** State of one gjson Get: the value found and the path left after a `|`, if any. */
interface Scan {
  readonly doc: Uint8Array;
  readonly depth: number;
  value: Found | undefined;
  pipe: Uint8Array | undefined;
}

/** gjson.Get(doc, path); undefined when the result would not exist. */
export function lookup(doc: Uint8Array, path: Uint8Array, depth: number): Found | undefined {
  if (depth > MAX_NESTING) throw tooDeep();
  const scan: Scan = { doc, depth, value: undefined, pipe: undefined };
  const target = plainPath(path);
  // gjson starts at the first bracket anywhere in the text, whatever precedes it.
  for (let i = 0; i < doc.length; i++) {
    const c = doc[i]!;
    if (c === LBRACE) {
      scanObject(scan, i + 1, target, depth + 1);
      break;
    }
    if (c === LBRACK) {
      scanArray(scan, i + 1, target, depth + 1);
      break;
    }
  }
  if (scan.pipe !== undefined) return lookup(scan.value?.raw ?? EMPTY, scan.pipe, depth + 1);
  return scan.value;
}

type Step = [next: number, found: boolean];

/** gjson's parseObject: `start` is just after `{`. */
function scanObject(scan: Scan, start: number, path: Uint8Array, level: number): Step {
  if (level > MAX_NESTING) throw tooDeep();
  const { doc } = scan;
  const step = splitKeyStep(path);
  if (step.rest === undefined && step.pipe !== undefined) scan.pipe = step.pipe;
  let i = start;
  while (i < doc.length) {
    let key: StringToken | undefined;
    for (; i < doc.length; i++) {
      const c = doc[i]!;
      if (c === QUOTE) {
        key = readString(doc, i + 1);
        i = key.next;
        break;
      }
      if (c === RBRACE) return [i + 1, false];
    }
    if (key === undefined || !key.closed) return [i, false];

    const content = doc.subarray(key.from, key.end);
    const name = key.escaped ? unescape(content) : content;
    const matches = step.wild ? wildcardMatch(name, step.part) : bytesEqual(name, step.part);
    const hit = matches && step.rest === undefined;

    // The value: anything that cannot start a value (`:`, `,`, stray brackets...) is skipped.
    for (; i < doc.length; i++) {
      const value = scanValue(scan, i, hit, matches && !hit ? step.rest : undefined, level);
      if (value === undefined) continue;
      i = value[0];
      if (value[1] !== 'passed') return [i, value[1] === 'found'];
      break;
    }
  }
  return [i, false];
}

/** gjson's parseArray: `start` is just after `[`; the end of the text counts as `]`. */
function scanArray(scan: Scan, start: number, path: Uint8Array, level: number): Step {
  if (level > MAX_NESTING) throw tooDeep();
  const { doc } = scan;
  const step = splitIndexStep(path);
  const wanted = step.hash ? -1 : arrayIndex(step.part);
  if (step.rest === undefined && step.pipe !== undefined) scan.pipe = step.pipe;
  const counting = step.hash && step.part.length === 1 && step.part[0] === HASH;
  const elementStarts: number[] = [];
  let element = 0;
  let i = start;
  while (i < doc.length + 1) {
    const matches = !step.hash && wanted === element;
    const hit = matches && step.rest === undefined;
    element++;
    if (step.collect !== undefined) elementStarts.push(i);
    for (; i <= doc.length; i++) {
      if (i === doc.length || doc[i] === RBRACK) {
        if (!counting) return [i + 1, false];
        scan.value =
          step.collect === undefined
            ? { kind: 'number', raw: utf8Encoder.encode(String(element - 1)) }
            : collectFromElements(scan, elementStarts, step.collect);
        return [i + 1, true];
      }
      const value = scanValue(scan, i, hit, matches && !hit ? step.rest : undefined, level);
      if (value === undefined) continue;
      i = value[0];
      if (value[1] !== 'passed') return [i, value[1] === 'found'];
      break;
    }
  }
  return [i, false];
}

/**
 * The value starting at i, in an object or array at `level`: passed over, or found (it is the
 * path's value, `hit`, or holds it, when `descend` is the path below it), or the text ended in
 * its string; undefined where no value starts.
 */
function scanValue(
  scan: Scan,
  i: number,
  hit: boolean,
  descend: Uint8Array | undefined,
  level: number,
): ValueStep | undefined {
  const { doc } = scan;
  const c = doc[i]!;
  if (c === QUOTE) {
    const token = readString(doc, i + 1);
    if (!token.closed) return [token.next, 'ended'];
    if (hit) scan.value = stringFound(doc, token);
    return [token.next, hit ? 'found' : 'passed'];
  }
  if (c === LBRACE || c === LBRACK) {
    if (descend === undefined) return settle(scan, hit, 'json', skipContainer(doc, i));
    const [next, found] =
      c === LBRACE ? scanObject(scan, i + 1, descend, level + 1) : scanArray(scan, i + 1, descend, level + 1);
    return [next, found ? 'found' : 'passed'];
  }
  if (startsNumber(doc, i)) return settle(scan, hit, 'number', readNumber(doc, i));
  if (c === LOWER_T || c === LOWER_F || c === LOWER_N) return settle(scan, hit, literalKind(c), readLiteral(doc, i));
  return undefined;
}

type ValueStep = [next: number, outcome: 'passed' | 'found' | 'ended'];

/** A value read: the path's value when `hit`. */
function settle(scan: Scan, hit: boolean, kind: Kind, [next, raw]: [number, Uint8Array]): ValueStep {
  if (!hit) return [next, 'passed'];
  scan.value = { kind, raw };
  return [next, 'found'];
}

/** `#.key`: a JSON array of `key` looked up in every element that has it. */
function collectFromElements(scan: Scan, elementStarts: readonly number[], collect: Uint8Array): Found {
  const { doc } = scan;
  let key = collect;
  const split = splitPipe(key);
  if (split !== undefined) {
    key = split[0];
    scan.pipe = split[1];
  }
  const out: number[] = [LBRACK];
  let count = 0;
  for (let at of elementStarts) {
    while (at < doc.length && (doc[at] === SPACE || doc[at] === TAB || doc[at] === CR || doc[at] === LF)) at++;
    if (at >= doc.length || doc[at] === RBRACK) continue;
    const element = readAny(doc, at);
    if (element === undefined) continue;
    const found = lookup(element.raw, key, scan.depth + 1);
    if (found === undefined) continue;
    if (count > 0) out.push(COMMA);
    for (const b of found.raw) out.push(b);
    count++;
  }
  out.push(RBRACK);
  return { kind: 'json', raw: Uint8Array.from(out) };
}

/** gjson's parseAny, for the elements of a `#.key` collection. */
function readAny(doc: Uint8Array, start: number): Found | undefined {
  for (let i = start; i < doc.length; i++) {
    const c = doc[i]!;
    if (c === LBRACE || c === LBRACK) return { kind: 'json', raw: skipContainer(doc, i)[1] };
    if (c <= SPACE) continue;
    if (c === QUOTE) {
      const token = readString(doc, i + 1);
      return token.closed ? stringFound(doc, token) : undefined;
    }
    if (startsNumber(doc, i)) return { kind: 'number', raw: readNumber(doc, i)[1] };
    if (c === LOWER_T || c === LOWER_F || c === LOWER_N) return { kind: literalKind(c), raw: readLiteral(doc, i)[1] };
  }
  return undefined;
}

/** A string token; `from` is just after the opening quote. */
interface StringToken {
  readonly from: number;
  /** Index of the closing quote (the text's length when unterminated). */
  readonly end: number;
  readonly next: number;
  readonly closed: boolean;
  /** A backslash occurs inside, so the content needs unescaping. */
  readonly escaped: boolean;
}

/** A string ends at the first quote preceded by an even number of backslashes. */
function readString(doc: Uint8Array, from: number): StringToken {
  let escaped = false;
  for (let i = from; i < doc.length; i++) {
    const c = doc[i]!;
    if (c === BSLASH) escaped = true;
    else if (c === QUOTE && (!escaped || backslashesBefore(doc, i, from) % 2 === 0)) {
      return { from, end: i, next: i + 1, closed: true, escaped };
    }
  }
  return { from, end: doc.length, next: doc.length, closed: false, escaped };
}

function stringFound(doc: Uint8Array, token: StringToken): Found {
  const content = doc.subarray(token.from, token.end);
  return { kind: 'string', raw: doc.subarray(token.from - 1, token.next), str: token.escaped ? unescape(content) : content };
}

/**
 * gjson's parseSquash: from an opening bracket to its match, counting `{[(` against `}])` alike and
 * skipping strings. Unbalanced input runs to the end (one past it after an unterminated string).
 */
function skipContainer(doc: Uint8Array, start: number): [next: number, raw: Uint8Array] {
  let depth = 1;
  let i = start + 1;
  while (i < doc.length) {
    const c = doc[i]!;
    if (c === QUOTE) {
      const from = ++i;
      while (i < doc.length && !(doc[i] === QUOTE && backslashesBefore(doc, i, from) % 2 === 0)) i++;
      if (i >= doc.length) return [doc.length + 1, doc.subarray(start)];
    } else if (c === LBRACE || c === LBRACK || c === LPAREN) {
      depth++;
    } else if (c === RBRACE || c === RBRACK || c === RPAREN) {
      depth--;
      if (depth === 0) return [i + 1, doc.subarray(start, i + 1)];
    }
    i++;
  }
  return [i, doc.subarray(start)];
}

/** gjson reads `n` not followed by `u` as a number (`nan`), like `i`, `I`, `N`, `+`, `-` and digits. */
function startsNumber(doc: Uint8Array, i: number): boolean {
  const c = doc[i]!;
  if (c === LOWER_N) return i + 1 < doc.length && doc[i + 1] !== LOWER_U;
  return (
    (c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS || c === PLUS || c === LOWER_I || c === UPPER_I || c === UPPER_N
  );
}

/** A number runs to whitespace, `,`, `]` or `}`, whatever it contains. */
function readNumber(doc: Uint8Array, start: number): [next: number, raw: Uint8Array] {
  for (let i = start + 1; i < doc.length; i++) {
    const c = doc[i]!;
    if (c <= SPACE || c === COMMA || c === RBRACK || c === RBRACE) return [i, doc.subarray(start, i)];
  }
  return [doc.length, doc.subarray(start)];
}

/** A literal is its first byte and the lower-case letters after it: `tru`, `nulls` and `f` count. */
function readLiteral(doc: Uint8Array, start: number): [next: number, raw: Uint8Array] {
  for (let i = start + 1; i < doc.length; i++) {
    const c = doc[i]!;
    if (c < LOWER_A || c > LOWER_Z) return [i, doc.subarray(start, i)];
  }
  return [doc.length, doc.subarray(start)];
}

function literalKind(first: number): Kind {
  if (first === LOWER_T) return 'true';
  if (first === LOWER_F) return 'false';
  return 'null';
}

/**
 * gjson's unescape: standard escapes; `\u` with four hex digits (anything else counts as 0), paired
 * surrogates joined and lone ones replaced by U+FFFD. A control byte or an unknown escape ends the
 * string there.
 */
function unescape(content: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (c < SPACE) break;
    if (c !== BSLASH) {
      out.push(c);
      continue;
    }
    i++;
    if (i >= content.length) break;
    const e = content[i]!;
    const escaped = escapedByte(e);
    if (escaped !== 0) out.push(escaped);
    else if (e === LOWER_U) {
      if (i + 5 > content.length) break;
      // Anything but four hex digits counts as 0 (strconv.ParseUint's value on failure).
      let rune = Math.max(hex4(content, i + 1), 0);
      i += 5;
      if (rune >= 0xd800 && rune < 0xe000 && content.length - i >= 6 && content[i] === BSLASH && content[i + 1] === LOWER_U) {
        rune = decodeSurrogates(rune, Math.max(hex4(content, i + 2), 0));
        i += 6;
      }
      encodeRune(out, out.length, rune);
      i--;
    } else {
      break;
    }
  }
  return Uint8Array.from(out);
}

// Result.String(): what ESO writes.

const TRUE_TEXT = utf8Encoder.encode('true');
const FALSE_TEXT = utf8Encoder.encode('false');

export function resultText(found: Found): Uint8Array {
  switch (found.kind) {
    case 'string':
      return found.str!;
    case 'json':
      return found.raw;
    case 'true':
      return TRUE_TEXT;
    case 'false':
      return FALSE_TEXT;
    case 'null':
      return EMPTY;
    case 'number':
      // Digits with at most a leading minus are kept as written; anything else goes through float64
      // (strconv.ParseFloat, whose error gjson ignores: a malformed number is 0).
      if (isPlainInteger(found.raw)) return found.raw;
      return utf8Encoder.encode(formatFloat(parseFloat64(toByteString(found.raw)) ?? 0, 'f', -1));
  }
}

function isPlainInteger(raw: Uint8Array): boolean {
  for (let i = raw[0] === MINUS ? 1 : 0; i < raw.length; i++) {
    if (raw[i]! < DIGIT_0 || raw[i]! > DIGIT_9) return false;
  }
  return true;
}

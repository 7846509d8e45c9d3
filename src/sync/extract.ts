/**
 * `dataFrom[].extract`: ESO's AWS GetSecretMap (providers/v1/aws/secretsmanager/secretsmanager.go).
 *
 * ESO takes what `data[]` would write for the same remoteRef (the whole SecretString, else the
 * SecretBinary; or the `property` picked by gjson, see property-path.ts) and gives it to Go's
 * encoding/json as a `map[string]json.RawMessage`. So, byte for byte:
 *   - the text must be valid JSON (strictly: RFC 8259 numbers and escapes, nothing after the value,
 *     at most 10000 levels deep); bytes that are not UTF-8 are allowed inside strings;
 *   - it must be an object, or `null`, which gives no keys and no error;
 *   - keys are unescaped as Go does: `\u` escapes decoded, a surrogate escape without its pair and
 *     every byte of invalid UTF-8 become U+FFFD; of duplicate keys the last wins;
 *   - a string value becomes its unescaped text (same rules), `null` the empty value, and any other
 *     value its source text exactly as written: `{"port": 5432, "nested": {"a" : 1}}` gives
 *     `5432` and `{"a" : 1}`, spacing and number spelling untouched (`1.50` stays `1.50`).
 * Keys are returned as they are; conversion, rewrites, validation and decoding come after (rewrite.ts).
 */
import { OperatorError } from '../errors.ts';
import { utf8Decoder, utf8Encoder } from '../go/gjson/chars.ts';
import { decodeRune, pushUtf8 } from '../go/gjson/utf8.ts';
import { extractPropertyBytes, PropertyPathError } from './property-path.ts';

/**
 * The key/value map ESO's GetSecretMap returns for one secret's payload (SecretString, or
 * SecretBinary). `key` names the secret in messages. Throws OperatorError: PropertyNotFound,
 * UnsupportedField (gjson syntax we refuse), DecodingFailed (not JSON, or not an object).
 */
export function extractMap(payload: string | Uint8Array, key: string, property?: string): Record<string, Uint8Array> {
  let doc: Uint8Array;
  const what = property ? `property "${property}" of secret "${key}"` : `secret "${key}"`;
  if (property) {
    let selected: Uint8Array | undefined;
    try {
      selected = extractPropertyBytes(payload, property);
    } catch (error) {
      if (!(error instanceof PropertyPathError)) throw error;
      throw new OperatorError('UnsupportedField', `secret "${key}": ${error.message}`, { cause: error });
    }
    if (selected === undefined) throw new OperatorError('PropertyNotFound', `secret "${key}" has no property "${property}"`);
    doc = selected;
  } else {
    doc = typeof payload === 'string' ? utf8Encoder.encode(payload) : payload;
  }
  const top = parseTopLevel(doc);
  if (typeof top === 'number') {
    throw new OperatorError('DecodingFailed', `${what} is not valid JSON (at byte ${top}); dataFrom.extract needs a JSON object`);
  }
  if (top.kind !== 'object' && top.kind !== 'null') {
    throw new OperatorError('DecodingFailed', `${what} is a JSON ${top.kind}, not an object; dataFrom.extract needs a JSON object`);
  }
  const out: Record<string, Uint8Array> = Object.create(null);
  for (const member of top.members) {
    const name = utf8Decoder.decode(goUnquote(doc.subarray(member.key[0], member.key[1])));
    const [from, to] = member.value;
    const first = doc[from];
    out[name] = first === QUOTE ? goUnquote(doc.subarray(from + 1, to - 1)) : first === LOWER_N ? new Uint8Array(0) : doc.slice(from, to);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A validating JSON scanner with Go's rules, remembering where the top-level members are.

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const LBRACK = 0x5b;
const BSLASH = 0x5c;
const RBRACK = 0x5d;
const LOWER_N = 0x6e;
const LOWER_U = 0x75;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Go's maxNestingDepth. */
const MAX_DEPTH = 10000;

type Range = [from: number, to: number];

interface Member {
  /** The key's content, between its quotes. */
  readonly key: Range;
  /** The value's source text. */
  readonly value: Range;
}

type TopLevel =
  | { readonly kind: 'object'; readonly members: readonly Member[] }
  | { readonly kind: 'null'; readonly members: readonly Member[] }
  | { readonly kind: 'array' | 'string' | 'number' | 'boolean' };

/** Where the scanner would fail. */
class Invalid {
  readonly at: number;
  constructor(at: number) {
    this.at = at;
  }
}

/** The top-level value, or the byte offset where the text stops being valid JSON. */
function parseTopLevel(doc: Uint8Array): TopLevel | number {
  try {
    let i = skipSpace(doc, 0);
    const first = doc[i];
    const members: Member[] = [];
    if (first === LBRACE) {
      i = skipSpace(doc, i + 1);
      if (doc[i] === RBRACE) i++;
      else {
        for (;;) {
          if (doc[i] !== QUOTE) throw new Invalid(i);
          const keyEnd = skipString(doc, i);
          const key: Range = [i + 1, keyEnd - 1];
          i = skipSpace(doc, keyEnd);
          if (doc[i] !== COLON) throw new Invalid(i);
          const from = skipSpace(doc, i + 1);
          const to = skipValue(doc, from, 1);
          members.push({ key, value: [from, to] });
          i = skipSpace(doc, to);
          if (doc[i] === COMMA) {
            i = skipSpace(doc, i + 1);
            continue;
          }
          if (doc[i] !== RBRACE) throw new Invalid(i);
          i++;
          break;
        }
      }
    } else {
      i = skipValue(doc, i, 0);
    }
    if (skipSpace(doc, i) !== doc.length) throw new Invalid(skipSpace(doc, i));
    if (first === LBRACE) return { kind: 'object', members };
    if (first === LOWER_N) return { kind: 'null', members };
    if (first === LBRACK) return { kind: 'array' };
    if (first === QUOTE) return { kind: 'string' };
    return first === MINUS || isDigit(first) ? { kind: 'number' } : { kind: 'boolean' };
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

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** One value starting at `from` (no leading space), at nesting `depth`; returns where it ends. Iterative. */
function skipValue(doc: Uint8Array, from: number, depth: number): number {
  // Open containers, innermost last: the closing bracket each one expects.
  const open: number[] = [];
  let i = from;
  for (;;) {
    // A value.
    const c = doc[i];
    if (c === LBRACE || c === LBRACK) {
      if (depth + open.length + 1 > MAX_DEPTH) throw new Invalid(i);
      open.push(c === LBRACE ? RBRACE : RBRACK);
      i = skipSpace(doc, i + 1);
      if (doc[i] === open.at(-1)) {
        open.pop();
        i++;
      } else {
        if (c === LBRACE) i = skipMemberKey(doc, i);
        continue;
      }
    } else if (c === QUOTE) {
      i = skipString(doc, i);
    } else if (c === MINUS || isDigit(c)) {
      i = skipNumber(doc, i);
    } else {
      i = skipLiteral(doc, i);
    }
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      if (open.length === 0) return i;
      i = skipSpace(doc, i);
      if (doc[i] === COMMA) {
        i = skipSpace(doc, i + 1);
        if (open.at(-1) === RBRACE) i = skipMemberKey(doc, i);
        break;
      }
      if (doc[i] !== open.at(-1)) throw new Invalid(i);
      open.pop();
      i++;
    }
  }
}

/** `"key" :` and the space after it. */
function skipMemberKey(doc: Uint8Array, from: number): number {
  if (doc[from] !== QUOTE) throw new Invalid(from);
  const i = skipSpace(doc, skipString(doc, from));
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
      for (let k = 1; k <= 4; k++) if (hexValue(doc[i + k]) < 0) throw new Invalid(i + k);
      i += 4;
    } else if (e === undefined || !ESCAPES.has(e)) {
      throw new Invalid(i);
    }
  }
  throw new Invalid(doc.length);
}

const ESCAPES = new Map<number, number>([
  [QUOTE, QUOTE], [BSLASH, BSLASH], [0x2f, 0x2f], [0x62, 0x08], [0x66, 0x0c], [LOWER_N, LF], [0x72, CR], [0x74, TAB],
]);

/** RFC 8259 numbers only: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)? */
function skipNumber(doc: Uint8Array, from: number): number {
  let i = from;
  if (doc[i] === MINUS) i++;
  if (doc[i] === 0x30) i++;
  else if (isDigit(doc[i])) while (isDigit(doc[i])) i++;
  else throw new Invalid(i);
  if (doc[i] === DOT) {
    i++;
    if (!isDigit(doc[i])) throw new Invalid(i);
    while (isDigit(doc[i])) i++;
  }
  if (doc[i] === 0x65 || doc[i] === 0x45) {
    i++;
    if (doc[i] === 0x2b || doc[i] === MINUS) i++;
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

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** `\uXXXX` at `at`, or -1 (Go's getu4). */
function u4(s: Uint8Array, at: number): number {
  if (s[at] !== BSLASH || s[at + 1] !== LOWER_U) return -1;
  let n = 0;
  for (let k = 2; k < 6; k++) {
    const d = hexValue(s[at + k]);
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** Go's unquoteBytes on the content of a string the scanner accepted. */
function goUnquote(s: Uint8Array): Uint8Array {
  if (!s.includes(BSLASH) && s.every((c) => c < 0x80)) return s.slice();
  const out: number[] = [];
  for (let r = 0; r < s.length; ) {
    const c = s[r]!;
    if (c === BSLASH) {
      if (s[r + 1] !== LOWER_U) {
        out.push(ESCAPES.get(s[r + 1]!)!);
        r += 2;
        continue;
      }
      let rune = u4(s, r);
      r += 6;
      if (rune >= 0xd800 && rune < 0xe000) {
        // A surrogate pairs with a following low surrogate escape, or becomes U+FFFD alone.
        const low = u4(s, r);
        if (rune < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
          rune = 0x10000 + ((rune - 0xd800) << 10) + (low - 0xdc00);
          r += 6;
        } else {
          rune = 0xfffd;
        }
      }
      pushUtf8(out, rune);
    } else if (c < 0x80) {
      out.push(c);
      r++;
    } else {
      // Valid UTF-8 is copied; each byte of an invalid sequence becomes U+FFFD.
      const [rune, size] = decodeRune(s, r);
      if (size === 1 && rune === 0xfffd) pushUtf8(out, 0xfffd);
      else for (let k = 0; k < size; k++) out.push(s[r + k]!);
      r += size;
    }
  }
  return Uint8Array.from(out);
}

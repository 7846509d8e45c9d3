/**
 * `remoteRef.property`: how ESO's AWS Secrets Manager provider picks one value out of a secret.
 *
 * ESO (providers/v1/aws/secretsmanager/secretsmanager.go: GetSecret, mapSecretToGjson,
 * escapeDotsIfRequired) hands the SecretString, or SecretBinary as text, to tidwall/gjson v1.18.0
 * without validating it first:
 *   1. if the property contains a dot, it asks gjson for the property with every `.` escaped, that is
 *      the whole property as one top-level key; if that exists, it is the answer;
 *   2. otherwise the property is a gjson path: `a.b` nested, `a.0` array index, `\.` an escaped dot,
 *      `*` and `?` wildcards in keys, `a.#` an array's length, `a.#.b` the `b` of every element;
 *   3. the value is gjson's `Result.String()`: a string unescaped; an object or array, and an integer
 *      without sign or fraction, exactly as written; other numbers re-printed by Go's
 *      `strconv.FormatFloat(f, 'f', -1, 64)` (`1.50` becomes `1.5`, `1e3` becomes `1000`);
 *      `true`/`false`; and `null` becomes the empty string.
 *
 * gjson scans without validating, so broken JSON gives whatever its scanner finds, and text without
 * `{` or `[` finds nothing. Manifests written for ESO must produce the same Secret byte for byte, so
 * this file reproduces that scanner on UTF-8 bytes instead of using JSON.parse (which would also
 * re-serialise numbers). Path features that compute new JSON (modifiers such as `@reverse`, queries
 * `#(...)`, multipaths `[a,b]` and `{a,b}`, literals `!true`, JSON lines `..a`) throw
 * PropertyPathError rather than guess.
 */

/** The property uses gjson syntax this operator does not evaluate, or is too deep to evaluate. */
export class PropertyPathError extends Error {
  readonly code = 'PropertyPathError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PropertyPathError';
  }
}

/**
 * The value ESO would write for `property` of a secret whose text is `json`, or undefined when ESO
 * would report "key ... does not exist in secret ...". An empty property means the whole secret, as
 * in ESO. Throws only PropertyPathError.
 */
export function extractProperty(json: string, property: string): string | undefined {
  if (property === '') return json;
  const bytes = extractPropertyBytes(json, property);
  return bytes === undefined ? undefined : utf8Decoder.decode(bytes);
}

/**
 * As extractProperty, on the secret's bytes (SecretBinary is searched as text, like ESO does), and
 * returning the exact bytes ESO would write.
 */
export function extractPropertyBytes(payload: Uint8Array | string, property: string): Uint8Array | undefined {
  const doc = typeof payload === 'string' ? utf8Encoder.encode(payload) : payload;
  if (property === '') return doc.slice();
  try {
    let path = utf8Encoder.encode(property);
    if (property.includes('.')) {
      // ESO's literal-key check: a dotted property that names a top-level key wins over the path.
      const literal = utf8Encoder.encode(property.replaceAll('.', '\\.'));
      if (lookup(doc, literal, 0) !== undefined) path = literal;
    }
    const found = lookup(doc, path, 0);
    return found === undefined ? undefined : resultText(found).slice();
  } catch (error) {
    // The scanner's messages say what is wrong; the user needs to see which property it is.
    if (error instanceof PropertyPathError) throw new PropertyPathError(`property ${JSON.stringify(property)} ${error.message}`);
    if (error instanceof RangeError) {
      // Call stack exhausted by a pathological path; gjson in Go would grow its stack instead.
      throw new PropertyPathError(`property ${JSON.stringify(property)} is too complex to evaluate`, { cause: error });
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The gjson scanner, on bytes. Positions and lengths are byte offsets, as in Go.

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const EMPTY = new Uint8Array(0);

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const QUOTE = 0x22;
const HASH = 0x23;
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const QMARK = 0x3f;
const AT = 0x40;
const UPPER_I = 0x49;
const UPPER_N = 0x4e;
const LBRACK = 0x5b;
const BSLASH = 0x5c;
const RBRACK = 0x5d;
const LOWER_A = 0x61;
const LOWER_B = 0x62;
const LOWER_F = 0x66;
const LOWER_I = 0x69;
const LOWER_N = 0x6e;
const LOWER_R = 0x72;
const LOWER_T = 0x74;
const LOWER_U = 0x75;
const LOWER_Z = 0x7a;
const LBRACE = 0x7b;
const PIPE = 0x7c;
const RBRACE = 0x7d;

/** Deeper than any real property; beyond it we refuse rather than risk the call stack. */
const MAX_NESTING = 1000;

type Kind = 'null' | 'false' | 'true' | 'number' | 'string' | 'json';

/** A value gjson found: its kind, its source text, and for strings the unescaped content. */
interface Found {
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
function lookup(doc: Uint8Array, path: Uint8Array, depth: number): Found | undefined {
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

function tooDeep(): PropertyPathError {
  return new PropertyPathError('is nested too deeply to evaluate');
}

function unsupported(path: Uint8Array, feature: string): PropertyPathError {
  const at = JSON.stringify(utf8Decoder.decode(path));
  return new PropertyPathError(`uses ${feature} (at ${at}), gjson syntax this operator does not support`);
}

/**
 * The path gjson walks, after the forms it treats as computations (which we refuse). A path that
 * opens like a multipath but is not one is cut, as gjson does: an unclosed `[`/`{` leaves an empty
 * path, and `[x]rest` leaves `rest`.
 */
function plainPath(path: Uint8Array): Uint8Array {
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
  return MODIFIERS.has(latin1(path.subarray(1, end)));
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
interface KeyStep {
  /** The key, escapes removed. */
  readonly part: Uint8Array;
  /** Whether `part` is a wildcard pattern (an unescaped `*` or `?` was seen). */
  readonly wild: boolean;
  /** The path below this key, when it is followed by `.`. */
  readonly rest?: Uint8Array;
  /** The path applied to this key's value, when it is followed by `|`. */
  readonly pipe?: Uint8Array;
}

function splitKeyStep(path: Uint8Array): KeyStep {
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
interface IndexStep {
  readonly part: Uint8Array;
  /** A `#` appeared: the step counts or collects rather than indexes. */
  readonly hash: boolean;
  /** For `#.key`: the path to take from every element. */
  readonly collect?: Uint8Array;
  readonly rest?: Uint8Array;
  readonly pipe?: Uint8Array;
}

function splitIndexStep(path: Uint8Array): IndexStep {
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
function arrayIndex(part: Uint8Array): number {
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
      const c = doc[i]!;
      if (c === QUOTE) {
        const token = readString(doc, i + 1);
        i = token.next;
        if (!token.closed) return [i, false];
        if (hit) {
          scan.value = stringFound(doc, token);
          return [i, true];
        }
      } else if (c === LBRACE || c === LBRACK) {
        if (matches && !hit) {
          const [next, found] =
            c === LBRACE ? scanObject(scan, i + 1, step.rest!, level + 1) : scanArray(scan, i + 1, step.rest!, level + 1);
          i = next;
          if (found) return [i, true];
        } else {
          const [next, raw] = skipContainer(doc, i);
          i = next;
          if (hit) {
            scan.value = { kind: 'json', raw };
            return [i, true];
          }
        }
      } else if (startsNumber(doc, i)) {
        const [next, raw] = readNumber(doc, i);
        i = next;
        if (hit) {
          scan.value = { kind: 'number', raw };
          return [i, true];
        }
      } else if (c === LOWER_T || c === LOWER_F || c === LOWER_N) {
        const [next, raw] = readLiteral(doc, i);
        i = next;
        if (hit) {
          scan.value = { kind: literalKind(c), raw };
          return [i, true];
        }
      } else {
        continue;
      }
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
    for (; ; i++) {
      if (i > doc.length) break;
      const c = i === doc.length ? RBRACK : doc[i]!;
      if (c === QUOTE) {
        const token = readString(doc, i + 1);
        i = token.next;
        if (!token.closed) return [i, false];
        if (hit) {
          scan.value = stringFound(doc, token);
          return [i, true];
        }
      } else if (c === LBRACE || c === LBRACK) {
        if (matches && !hit) {
          const [next, found] =
            c === LBRACE ? scanObject(scan, i + 1, step.rest!, level + 1) : scanArray(scan, i + 1, step.rest!, level + 1);
          i = next;
          if (found) return [i, true];
        } else {
          const [next, raw] = skipContainer(doc, i);
          i = next;
          if (hit) {
            scan.value = { kind: 'json', raw };
            return [i, true];
          }
        }
      } else if (c === RBRACK) {
        if (!counting) return [i + 1, false];
        scan.value =
          step.collect === undefined
            ? { kind: 'number', raw: ascii(String(element - 1)) }
            : collectFromElements(scan, elementStarts, step.collect);
        return [i + 1, true];
      } else if (startsNumber(doc, i)) {
        const [next, raw] = readNumber(doc, i);
        i = next;
        if (hit) {
          scan.value = { kind: 'number', raw };
          return [i, true];
        }
      } else if (c === LOWER_T || c === LOWER_F || c === LOWER_N) {
        const [next, raw] = readLiteral(doc, i);
        i = next;
        if (hit) {
          scan.value = { kind: literalKind(c), raw };
          return [i, true];
        }
      } else {
        continue;
      }
      break;
    }
  }
  return [i, false];
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

/** gjson's splitPossiblePipe: the first `|` outside `.#[...]`/`.#(...)` selectors splits the path. */
function splitPipe(path: Uint8Array): [Uint8Array, Uint8Array] | undefined {
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

function backslashesBefore(bytes: Uint8Array, at: number, lowest: number): number {
  let n = 0;
  for (let j = at - 1; j >= lowest && bytes[j] === BSLASH; j--) n++;
  return n;
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
    if (e === BSLASH || e === SLASH || e === QUOTE) out.push(e);
    else if (e === LOWER_B) out.push(0x08);
    else if (e === LOWER_F) out.push(0x0c);
    else if (e === LOWER_N) out.push(LF);
    else if (e === LOWER_R) out.push(CR);
    else if (e === LOWER_T) out.push(TAB);
    else if (e === LOWER_U) {
      if (i + 5 > content.length) break;
      let rune = hex4(content, i + 1);
      i += 5;
      if (rune >= 0xd800 && rune < 0xe000 && content.length - i >= 6 && content[i] === BSLASH && content[i + 1] === LOWER_U) {
        const low = hex4(content, i + 2);
        rune = rune < 0xdc00 && low >= 0xdc00 && low < 0xe000 ? 0x10000 + ((rune - 0xd800) << 10) + (low - 0xdc00) : 0xfffd;
        i += 6;
      }
      pushUtf8(out, rune);
      i--;
    } else {
      break;
    }
  }
  return Uint8Array.from(out);
}

/** Four hex digits as a number; 0 unless all four are hex digits (strconv.ParseUint's failure value). */
function hex4(bytes: Uint8Array, at: number): number {
  let n = 0;
  for (let k = 0; k < 4; k++) {
    const d = hexDigit(bytes[at + k]);
    if (d < 0) return 0;
    n = n * 16 + d;
  }
  return n;
}

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0;
  const lower = c | 0x20;
  if (lower >= LOWER_A && lower <= LOWER_F) return lower - LOWER_A + 10;
  return -1;
}

/** utf8.EncodeRune: surrogates become U+FFFD. */
function pushUtf8(out: number[], rune: number): void {
  const r = rune >= 0xd800 && rune < 0xe000 ? 0xfffd : rune;
  if (r < 0x80) out.push(r);
  else if (r < 0x800) out.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else if (r < 0x10000) out.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  else out.push(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ascii(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Bytes as a string of the same char codes, for ASCII-only parsing. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Wildcard keys: tidwall/match MatchLimit(str, pattern, 10000) on UTF-8 runes. `*` is any run,
// `?` any one rune, `\` makes the next rune literal. The work limit (which makes a too-costly
// match fail rather than hang) is part of the behaviour, so it is kept.

const NO_MATCH = 0;
const MATCH = 1;
const STOPPED = 2;
type MatchResult = typeof NO_MATCH | typeof MATCH | typeof STOPPED;

function wildcardMatch(str: Uint8Array, pattern: Uint8Array): boolean {
  if (pattern.length === 1 && pattern[0] === STAR) return true;
  const budget = { calls: 0, limit: str.length * 10000 };
  return matchFrom(str, pattern, budget) === MATCH;
}

function matchFrom(input: Uint8Array, pattern: Uint8Array, budget: { calls: number; limit: number }): MatchResult {
  if (budget.calls > budget.limit) return STOPPED;
  budget.calls++;
  let str = input;
  let pat = pattern;
  while (pat.length > 0) {
    let wild = false;
    let [pc, ps] = decodeRune(pat, 0);
    const [sc, ss]: [number, number] = str.length > 0 ? decodeRune(str, 0) : [0, 0];
    if (pc === QMARK) {
      if (ss === 0) return NO_MATCH;
    } else if (pc === STAR) {
      while (pat.length > 1 && pat[1] === STAR) pat = pat.subarray(1);
      if (pat.length === 1) return MATCH;
      const trimmed = trimLiteralSuffix(str, pat);
      if (trimmed === undefined) return NO_MATCH;
      [str, pat] = trimmed;
      if (pat.length === 1) return MATCH;
      const inner = matchFrom(str, pat.subarray(1), budget);
      if (inner !== NO_MATCH) return inner;
      if (str.length === 0) return NO_MATCH;
      wild = true;
    } else {
      if (ss === 0) return NO_MATCH;
      if (pc === BSLASH) {
        pat = pat.subarray(ps);
        if (pat.length === 0) return NO_MATCH;
        [pc, ps] = decodeRune(pat, 0);
      }
      if (sc !== pc) return NO_MATCH;
    }
    str = str.subarray(ss);
    if (!wild) pat = pat.subarray(ps);
  }
  return str.length === 0 ? MATCH : NO_MATCH;
}

/** After a `*`: match the pattern's literal tail against the end of str, and drop both. */
function trimLiteralSuffix(input: Uint8Array, pattern: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  let str = input;
  let pat = pattern;
  while (str.length > 0 && pat.length > 1) {
    const [pc, width] = decodeLastRune(pat);
    let ps = width;
    let escaped = false;
    for (let k = 0; ; k++) {
      if (pat[pat.length - ps - k - 1] !== BSLASH) {
        if (k % 2 === 1) {
          escaped = true;
          ps++;
        }
        break;
      }
    }
    if (pc === STAR && !escaped) break;
    const [sc, ss] = decodeLastRune(str);
    if (!((pc === QMARK && !escaped) || pc === sc)) return undefined;
    str = str.subarray(0, str.length - ss);
    pat = pat.subarray(0, pat.length - ps);
  }
  return [str, pat];
}

const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRune: invalid or truncated sequences decode as U+FFFD of width 1. */
function decodeRune(bytes: Uint8Array, at: number): [rune: number, size: number] {
  const b0 = bytes[at];
  if (b0 === undefined) return [RUNE_ERROR, 0];
  if (b0 < 0x80) return [b0, 1];
  let size: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return [RUNE_ERROR, 1];
  if (at + size > bytes.length) return [RUNE_ERROR, 1];
  const b1 = bytes[at + 1]!;
  if (b1 < low || b1 > high) return [RUNE_ERROR, 1];
  let rune = size === 2 ? b0 & 0x1f : size === 3 ? b0 & 0x0f : b0 & 0x07;
  rune = (rune << 6) | (b1 & 0x3f);
  for (let k = 2; k < size; k++) {
    const b = bytes[at + k]!;
    if (b < 0x80 || b > 0xbf) return [RUNE_ERROR, 1];
    rune = (rune << 6) | (b & 0x3f);
  }
  return [rune, size];
}

/** utf8.DecodeLastRune. */
function decodeLastRune(bytes: Uint8Array): [rune: number, size: number] {
  const end = bytes.length;
  if (end === 0) return [RUNE_ERROR, 0];
  const last = bytes[end - 1]!;
  if (last < 0x80) return [last, 1];
  const lowest = Math.max(end - 4, 0);
  let start = end - 1;
  for (start--; start >= lowest; start--) {
    if ((bytes[start]! & 0xc0) !== 0x80) break;
  }
  if (start < 0) start = 0;
  const [rune, size] = decodeRune(bytes.subarray(0, end), start);
  return start + size === end ? [rune, size] : [RUNE_ERROR, 1];
}

// ---------------------------------------------------------------------------------------------
// Result.String(): what ESO writes.

const TRUE_TEXT = ascii('true');
const FALSE_TEXT = ascii('false');

function resultText(found: Found): Uint8Array {
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
      // Digits with at most a leading minus are kept as written; anything else goes through float64.
      return isPlainInteger(found.raw) ? found.raw : ascii(formatGoFloat(parseGoFloat(latin1(found.raw))));
  }
}

function isPlainInteger(raw: Uint8Array): boolean {
  for (let i = raw[0] === MINUS ? 1 : 0; i < raw.length; i++) {
    if (raw[i]! < DIGIT_0 || raw[i]! > DIGIT_9) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Go's strconv.ParseFloat(s, 64), as gjson uses it: the error is ignored, so a malformed number is 0,
// and an overflowing one is ±Inf.

function parseGoFloat(s: string): number {
  const special = goSpecialFloat(s);
  if (special !== undefined) return special[1] === s.length ? special[0] : 0;
  const literal = readGoFloatLiteral(s);
  if (literal === undefined || literal.length !== s.length) return 0;
  const { negative, hex, digits, fractionDigits, exponent } = literal;
  let value: number;
  if (hex) {
    value = scaleBinary(BigInt(`0x${digits}`), exponent - 4 * fractionDigits);
  } else {
    const whole = digits.slice(0, digits.length - fractionDigits) || '0';
    const fraction = digits.slice(digits.length - fractionDigits) || '0';
    value = Number(`${whole}.${fraction}e${exponent}`);
  }
  return negative ? -value : value;
}

/** Infinity (`inf`, `infinity`, any case, optional sign) and NaN (`nan`, any case, no sign). */
function goSpecialFloat(s: string): [value: number, length: number] | undefined {
  if (s.length === 0) return undefined;
  const c = s[0];
  if (c === '+' || c === '-' || c === 'i' || c === 'I') {
    const signLength = c === '+' || c === '-' ? 1 : 0;
    let n = commonPrefixIgnoreCase(s.slice(signLength), 'infinity');
    if (n > 3 && n < 8) n = 3;
    if (n === 3 || n === 8) return [c === '-' ? -Infinity : Infinity, signLength + n];
  } else if ((c === 'n' || c === 'N') && commonPrefixIgnoreCase(s, 'nan') === 3) {
    return [Number.NaN, 3];
  }
  return undefined;
}

function commonPrefixIgnoreCase(s: string, prefix: string): number {
  let n = 0;
  while (n < s.length && n < prefix.length) {
    let code = s.charCodeAt(n);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== prefix.charCodeAt(n)) break;
    n++;
  }
  return n;
}

interface GoFloatLiteral {
  readonly length: number;
  readonly negative: boolean;
  readonly hex: boolean;
  /** Mantissa digits with underscores and the point removed. */
  readonly digits: string;
  /** How many of `digits` follow the point. */
  readonly fractionDigits: number;
  /** Decimal (or, for hex, binary) exponent, clamped as Go clamps it while reading. */
  readonly exponent: number;
}

/** strconv's readFloat: the longest float literal at the start of s, or undefined if there is none. */
function readGoFloatLiteral(s: string): GoFloatLiteral | undefined {
  let i = 0;
  let negative = false;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    negative = true;
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && (s.charCodeAt(i + 1) | 0x20) === 0x78) {
    hex = true;
    i += 2;
  }
  let underscores = false;
  let sawDot = false;
  let digits = '';
  let fractionDigits = 0;
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '_') {
      underscores = true;
    } else if (ch === '.') {
      if (sawDot) break;
      sawDot = true;
    } else if (isDecimalDigit(ch) || (hex && hexDigit(s.charCodeAt(i)) >= 10)) {
      digits += ch;
      if (sawDot) fractionDigits++;
    } else {
      break;
    }
  }
  if (digits.length === 0) return undefined;
  let exponent = 0;
  const exponentMark = hex ? 0x70 : 0x65; // 'p' or 'e', either case
  if (i < s.length && (s.charCodeAt(i) | 0x20) === exponentMark) {
    i++;
    if (i >= s.length) return undefined;
    let sign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      sign = -1;
    }
    if (i >= s.length || !isDecimalDigit(s[i]!)) return undefined;
    let e = 0;
    for (; i < s.length && (isDecimalDigit(s[i]!) || s[i] === '_'); i++) {
      if (s[i] === '_') underscores = true;
      else if (e < 10000) e = e * 10 + (s.charCodeAt(i) - DIGIT_0);
    }
    exponent = e * sign;
  } else if (hex) {
    return undefined;
  }
  if (underscores && !goUnderscoresOk(s.slice(0, i))) return undefined;
  return { length: i, negative, hex, digits, fractionDigits, exponent };
}

function isDecimalDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Underscores may only separate digits (or follow a base prefix). */
function goUnderscoresOk(literal: string): boolean {
  let s = literal;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0') {
    const base = s.charCodeAt(1) | 0x20;
    if (base === 0x62 || base === 0x6f || base === 0x78) {
      i = 2;
      saw = '0';
      hex = base === 0x78;
    }
  }
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (isDecimalDigit(ch) || (hex && hexDigit(s.charCodeAt(i)) >= 10)) {
      saw = '0';
    } else if (ch === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** mantissa × 2^exponent rounded once to float64 (ties to even), as Go's atofHex does. */
function scaleBinary(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const top = mantissa.toString(2).length - 1 + exponent;
  if (top > 1023) return Infinity;
  const lsb = Math.max(top - 52, -1074);
  const shift = lsb - exponent;
  let q: bigint;
  if (shift > 0) {
    const s = BigInt(shift);
    q = mantissa >> s;
    const rem = mantissa - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  } else {
    q = mantissa << BigInt(-shift);
  }
  return timesPowerOfTwo(Number(q), lsb);
}

/** x × 2^e for an integer x < 2^54 whose product is representable (or overflows): exact. */
function timesPowerOfTwo(x: number, e: number): number {
  let value = x;
  let rest = e;
  while (rest > 1000) {
    value *= powerOfTwo(1000);
    rest -= 1000;
  }
  while (rest < -1000) {
    value *= powerOfTwo(-1000);
    rest += 1000;
  }
  return value * powerOfTwo(rest);
}

/** 2^e for -1022 <= e <= 1023, built from its bits so no library rounding is involved. */
function powerOfTwo(e: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(e + 1023) << 52n);
  return view.getFloat64(0);
}

/** strconv.FormatFloat(x, 'f', -1, 64): the shortest digits that round-trip, without exponent. */
function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  // String() gives the shortest round-trip digits; only the layout differs from Go's 'f' format.
  const [mantissa = '', exponentText] = String(Math.abs(x)).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + (exponentText === undefined ? 0 : Number(exponentText));
  const leadingZeros = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leadingZeros);
  point -= leadingZeros;
  digits = digits.replace(/0+$/, '');
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

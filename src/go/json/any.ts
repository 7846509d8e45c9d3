/**
 * Go's json.Unmarshal of an object into a map[string]interface{}, and json.Marshal of what it
 * holds, byte for byte: what ESO's `rewrite.merge` does to secret values (runtime/esutils,
 * RewriteMerge). Reproduced because the merged Secret must hold the bytes ESO writes:
 *   - strings are unquoted as Go does (invalid UTF-8 and lone surrogate escapes become U+FFFD);
 *   - every number becomes a float64 (`1.50` is 1.5, `1e3` is 1000); one out of float64's range
 *     is an error, as in Go (whose message quotes the number; ours does not, as it is secret data);
 *   - of duplicate keys in one object the last wins;
 *   - Marshal sorts object keys by bytes, drops all spacing, writes float64 as ES6 does
 *     (formatJsonFloat) and escapes strings as encoding/json does (HTML characters only when
 *     asked: json.Marshal does, an Encoder with SetEscapeHTML(false) does not).
 * Both directions are iterative, so the deepest JSON the scanner accepts (10000 levels) cannot
 * overflow the stack, and every value decoded is counted, so a small text of many tiny values
 * (`[[],[],...]`) cannot make a large tree unnoticed.
 */
import { COLON, COMMA, LBRACE, LBRACK, LOWER_F, LOWER_N, LOWER_T, QUOTE, RBRACE, RBRACK } from '../ascii.ts';
import { utf8Decoder, utf8Encoder } from '../bytes.ts';
import { sortedByUtf8 } from '../utf8.ts';
import { formatJsonFloat, type ByteWriter, writeJsonString } from './encode.ts';
import { type JsonVisitor, scanJson } from './scanner.ts';
import { unquote } from './unquote.ts';

/** A decoded value: a string's bytes, a float64, a bool, null, a list or an object. */
export type JsonAny = Uint8Array | number | boolean | null | JsonAny[] | JsonObject;

/** A map[string]interface{}: members by key (text: keys are valid UTF-8 once unquoted). */
export class JsonObject {
  readonly members = new Map<string, JsonAny>();
}

/** Why a text did not decode into a map[string]interface{}. */
export class JsonDecodeError extends Error {}

/** Thrown when a decode would make more values than its caller allows. */
export class JsonValueLimitError extends Error {}

/** The Go type name Unmarshal's error gives a top-level value that is not an object. */
const KIND: Record<number, string> = { [LBRACK]: 'array', [QUOTE]: 'string', [LOWER_T]: 'bool', [LOWER_F]: 'bool' };

interface Frame {
  value: JsonAny[] | JsonObject;
  key: string | undefined;
}

class TreeBuilder implements JsonVisitor {
  result: JsonAny = null;
  /** A number out of float64's range was read: Go decodes on and then reports it. */
  outOfRange = false;
  readonly #doc: Uint8Array;
  readonly #stack: Frame[] = [];
  readonly #count: () => void;

  constructor(doc: Uint8Array, count: () => void) {
    this.#doc = doc;
    this.#count = count;
  }

  open(at: number): void {
    this.#count();
    this.#stack.push({ value: this.#doc[at] === LBRACE ? new JsonObject() : [], key: undefined });
  }

  key(from: number, to: number): void {
    this.#stack.at(-1)!.key = utf8Decoder.decode(unquote(this.#doc, from + 1, to - 1));
  }

  scalar(from: number, to: number): void {
    this.#count();
    const c = this.#doc[from];
    if (c === QUOTE) return this.#emit(unquote(this.#doc, from + 1, to - 1).slice());
    if (c === LOWER_N) return this.#emit(null);
    if (c === LOWER_T || c === LOWER_F) return this.#emit(c === LOWER_T);
    // JSON's number syntax is a subset of JavaScript's, and both round to the nearest float64.
    const text = utf8Decoder.decode(this.#doc.subarray(from, to));
    const f = Number(text);
    if (!Number.isFinite(f)) this.outOfRange = true;
    this.#emit(Number.isFinite(f) ? f : 0);
  }

  close(): void {
    this.#emit(this.#stack.pop()!.value);
  }

  #emit(v: JsonAny): void {
    const top = this.#stack.at(-1);
    if (!top) this.result = v;
    else if (top.value instanceof JsonObject) top.value.members.set(top.key!, v);
    else top.value.push(v);
  }
}

/**
 * json.Unmarshal(doc, &m) with m a map[string]interface{}: the object's members, or no members
 * for `null`. Throws JsonDecodeError for text that is not JSON or not an object (or null), and for
 * a number out of float64's range; `count` is called once per value decoded and may throw to stop it.
 */
export function unmarshalObject(doc: Uint8Array, count: () => void = () => {}): JsonObject {
  const builder = new TreeBuilder(doc, count);
  const invalid = scanJson(doc, builder);
  if (invalid >= 0) throw new JsonDecodeError(`not valid JSON (at byte ${invalid})`);
  const top = builder.result;
  if (top === null) return new JsonObject();
  if (!(top instanceof JsonObject)) {
    const first = doc.find((b) => b > 0x20) ?? 0;
    throw new JsonDecodeError(`json: cannot unmarshal ${KIND[first] ?? 'number'} into Go value of type map[string]interface {}`);
  }
  if (builder.outOfRange) throw new JsonDecodeError("json: cannot unmarshal a number out of float64's range into Go value of type float64");
  return top;
}

/** A ByteWriter into a growing buffer that refuses to pass `limit` bytes, before it grows past them. */
export class BoundedBytes implements ByteWriter {
  #out = new Uint8Array(64);
  #length = 0;
  readonly #room: { left: number };

  /** `room.left` is shared by every writer of one budget, and spent as bytes are written. */
  constructor(room: { left: number }) {
    this.#room = room;
  }

  byte(c: number): void {
    this.#reserve(1);
    this.#out[this.#length++] = c;
  }

  bytes(src: Uint8Array, from: number, to: number): void {
    this.#reserve(to - from);
    this.#out.set(src.subarray(from, to), this.#length);
    this.#length += to - from;
  }

  text(s: string): void {
    const b = utf8Encoder.encode(s);
    this.bytes(b, 0, b.length);
  }

  result(): Uint8Array {
    return this.#out.slice(0, this.#length);
  }

  #reserve(n: number): void {
    if (n > this.#room.left) throw new JsonValueLimitError('the encoded JSON would pass its size bound');
    this.#room.left -= n;
    if (this.#length + n <= this.#out.length) return;
    let size = this.#out.length * 2;
    while (size < this.#length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.#out.subarray(0, this.#length));
    this.#out = bigger;
  }
}

/** What is left to write: a value, or a piece of punctuation between values. */
type Task = { value: JsonAny } | { punct: number } | { key: string };

/** json.Marshal(v) into `out` (escapeHTML false: an Encoder with SetEscapeHTML(false)). */
export function marshalAny(v: JsonAny, out: BoundedBytes, escapeHTML: boolean): void {
  const todo: Task[] = [{ value: v }];
  while (todo.length > 0) {
    const task = todo.pop()!;
    if ('punct' in task) {
      out.byte(task.punct);
      continue;
    }
    if ('key' in task) {
      writeJsonString(out, utf8Encoder.encode(task.key), escapeHTML);
      out.byte(COLON);
      continue;
    }
    const value = task.value;
    if (value === null) out.text('null');
    else if (typeof value === 'boolean') out.text(String(value));
    else if (typeof value === 'number') out.text(formatJsonFloat(value));
    else if (value instanceof Uint8Array) writeJsonString(out, value, escapeHTML);
    else {
      // Pushed in reverse, so they are written in order.
      const isObject = value instanceof JsonObject;
      out.byte(isObject ? LBRACE : LBRACK);
      todo.push({ punct: isObject ? RBRACE : RBRACK });
      const parts: Task[][] = isObject
        ? sortedByUtf8([...value.members.keys()]).map((k) => [{ key: k }, { value: value.members.get(k)! }])
        : value.map((item) => [{ value: item }]);
      for (let i = parts.length - 1; i >= 0; i--) {
        todo.push(...parts[i]!.slice().reverse());
        if (i > 0) todo.push({ punct: COMMA });
      }
    }
  }
}

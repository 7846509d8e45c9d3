import { LBRACE, LOWER_F, LOWER_N, LOWER_T, QUOTE } from '../ascii.ts';
import { fromByteString, toByteString } from '../bytes.ts';
import { type JsonVisitor, scanJson } from '../json/scanner.ts';
import { firstToUnquote, unquote } from '../json/unquote.ts';
import type { Meter } from './builder.ts';
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { GoMap, GoSlice, type GoValue } from './values.ts';

/**
 * What the values fromJson makes cost in memory (measured on Node 24), charged as they are
 * made: `[[],[],...]` is 3 bytes of input per list but ~100 bytes of heap, and a map ~260.
 */
const ELEMENT_BYTES = 16;
const LIST_BYTES = 96;
const MAP_BYTES = 256;

interface Frame {
  items: GoValue[] | Map<GoString, GoValue>;
  key: GoString | undefined;
}

/** Builds template values from what the scanner reads; positions in the bytes are positions in the Go string. */
class ValueBuilder implements JsonVisitor {
  result: GoValue = null;
  /** A value nested deeper than a template value may be: the error, once the JSON is known valid. */
  tooDeep: FuncError | undefined;
  readonly #s: GoString;
  readonly #doc: Uint8Array;
  readonly #meter: Meter | undefined;
  readonly #stack: Frame[] = [];

  constructor(s: GoString, doc: Uint8Array, meter: Meter | undefined) {
    this.#s = s;
    this.#doc = doc;
    this.#meter = meter;
  }

  open(at: number): void {
    const isMap = this.#doc[at] === LBRACE;
    this.#meter?.take(isMap ? MAP_BYTES : LIST_BYTES);
    this.#stack.push({ items: isMap ? new Map() : [], key: undefined });
  }

  key(from: number, to: number): void {
    const key = this.#string(from, to);
    this.#meter?.take(key.length);
    this.#stack.at(-1)!.key = key;
  }

  scalar(from: number, to: number): void {
    const c = this.#doc[from];
    if (c === QUOTE) this.#emit(this.#string(from, to));
    else if (c === LOWER_N) this.#emit(null);
    else if (c === LOWER_T || c === LOWER_F) this.#emit(c === LOWER_T);
    else {
      const f = Number(this.#s.slice(from, to));
      this.#emit(Number.isFinite(f) ? f : null);
    }
  }

  close(): void {
    const frame = this.#stack.pop()!;
    let value: GoValue = null;
    try {
      value = frame.items instanceof Map ? new GoMap('any', frame.items) : new GoSlice('any', frame.items);
    } catch (e) {
      if (!(e instanceof FuncError)) throw e;
      this.tooDeep ??= e;
    }
    this.#emit(value);
  }

  /** A string literal's value: its content as it is, unless it needs unquoting. */
  #string(from: number, to: number): GoString {
    if (firstToUnquote(this.#doc, from + 1, to - 1) === to - 1) return this.#s.slice(from + 1, to - 1);
    return toByteString(unquote(this.#doc, from + 1, to - 1));
  }

  /** Places a finished value in the enclosing container, or makes it the result. */
  #emit(v: GoValue): void {
    this.#meter?.take(ELEMENT_BYTES + (typeof v === 'string' ? v.length : 0));
    const top = this.#stack.at(-1);
    if (!top) this.result = v;
    else if (top.items instanceof Map) top.items.set(top.key ?? '', v);
    else top.items.push(v);
  }
}

/**
 * json.Unmarshal into interface{}, as sprig's fromJson uses it: objects become
 * map[string]interface{}, arrays []interface{}, numbers float64. Invalid JSON
 * gives nil (fromJson ignores the error); a number out of float64's range
 * gives nil in its place.
 */
export function fromJson(s: GoString, meter?: Meter): GoValue {
  const doc = fromByteString(s);
  const builder = new ValueBuilder(s, doc, meter);
  if (scanJson(doc, builder) >= 0) return null;
  if (builder.tooDeep) throw builder.tooDeep;
  return builder.result;
}

import type { Meter } from './builder.ts';
import { decodeRune, encodeRune, RUNE_ERROR, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { GoMap, GoSlice, type GoValue } from './values.ts';

/** encoding/json's own nesting limit: deeper input is a syntax error. */
const GO_MAX_DEPTH = 10_000;

/**
 * What the values fromJson makes cost in memory (measured on Node 24), charged as they are
 * made: `[[],[],...]` is 3 bytes of input per list but ~100 bytes of heap, and a map ~260.
 */
const ELEMENT_BYTES = 16;
const LIST_BYTES = 96;
const MAP_BYTES = 256;

class SyntaxError_ extends Error {}

const syntax = (): never => {
  throw new SyntaxError_();
};

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * A JSON string literal's bytes: escapes decoded, bytes that are not UTF-8 replaced by U+FFFD.
 * Plain ASCII runs are sliced, the parts joined once (no `+=` per character).
 */
function readString(s: GoString, start: number): [GoString, number] {
  const parts: string[] = [];
  let i = start + 1;
  for (;;) {
    let j = i;
    for (let c = s.charCodeAt(j); c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c; c = s.charCodeAt(++j));
    if (j > i) parts.push(s.slice(i, j));
    i = j;
    if (i >= s.length) syntax();
    const c = s.charCodeAt(i);
    if (c === 0x22) return [parts.join(''), i + 1];
    if (c < 0x20) syntax();
    if (c === 0x5c) {
      const e = s[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        parts.push(simple[e]!);
        i += 2;
        continue;
      }
      if (e !== 'u') syntax();
      const hex4 = (at: number): number => (/^[0-9a-fA-F]{4}$/.test(s.slice(at, at + 4)) ? parseInt(s.slice(at, at + 4), 16) : -1);
      let r = hex4(i + 2);
      if (r < 0) syntax();
      i += 6;
      if (r >= 0xd800 && r < 0xdc00 && s.startsWith('\\u', i)) {
        const low = hex4(i + 2);
        if (low >= 0xdc00 && low < 0xe000) {
          r = 0x10000 + ((r - 0xd800) << 10) + (low - 0xdc00);
          i += 6;
        }
      }
      parts.push(encodeRune(r)); // a lone surrogate becomes U+FFFD
      continue;
    }
    const [r, size] = decodeRune(s, i);
    parts.push(r === RUNE_ERROR && size === 1 ? encodeRune(RUNE_ERROR) : s.slice(i, i + size));
    i += size;
  }
}

interface Frame {
  items: GoValue[] | Map<GoString, GoValue>;
  key: GoString | undefined;
}

/**
 * json.Unmarshal into interface{}, as sprig's fromJson uses it: objects become
 * map[string]interface{}, arrays []interface{}, numbers float64. Invalid JSON
 * gives nil (fromJson ignores the error); a number out of float64's range
 * gives nil in its place. Iterative, so deep input cannot overflow the stack.
 */
export function fromJson(s: GoString, meter?: Meter): GoValue {
  let tooDeep: FuncError | undefined;
  const close = (frame: Frame): GoValue => {
    try {
      return frame.items instanceof Map ? new GoMap('any', frame.items) : new GoSlice('any', frame.items);
    } catch (e) {
      if (!(e instanceof FuncError)) throw e;
      tooDeep ??= e;
      return null;
    }
  };
  try {
    const stack: Frame[] = [];
    let i = 0;
    const ws = (): void => {
      while (i < s.length && isWs(s.charCodeAt(i))) i++;
    };
    let result: GoValue | undefined;
    // Place a finished value in the enclosing container, or make it the result.
    const emit = (v: GoValue): void => {
      meter?.take(ELEMENT_BYTES + (typeof v === 'string' ? v.length : 0));
      const top = stack.at(-1);
      if (!top) result = v;
      else if (top.items instanceof Map) top.items.set(top.key ?? '', v);
      else top.items.push(v);
    };
    for (;;) {
      // Expect a value.
      ws();
      const c = s[i];
      if (c === '{' || c === '[') {
        if (stack.length >= GO_MAX_DEPTH) syntax();
        meter?.take(c === '{' ? MAP_BYTES : LIST_BYTES);
        stack.push({ items: c === '{' ? new Map() : [], key: undefined });
        i++;
        ws();
        if (s[i] === (c === '{' ? '}' : ']')) {
          i++;
          emit(close(stack.pop()!));
        } else if (c === '{') {
          if (s[i] !== '"') syntax();
          [stack.at(-1)!.key, i] = readString(s, i);
          meter?.take(stack.at(-1)!.key!.length);
          ws();
          if (s[i++] !== ':') syntax();
          continue;
        } else {
          continue;
        }
      } else if (c === '"') {
        const [str, next] = readString(s, i);
        i = next;
        emit(str);
      } else if (s.startsWith('true', i) || s.startsWith('false', i) || s.startsWith('null', i)) {
        const word = s[i] === 't' ? 'true' : s[i] === 'f' ? 'false' : 'null';
        i += word.length;
        emit(word === 'null' ? null : word === 'true');
      } else {
        number.lastIndex = i;
        const m = number.exec(s);
        if (!m) syntax();
        i += m![0].length;
        const f = Number(m![0]);
        emit(Number.isFinite(f) ? f : null);
      }
      // After a value: close containers or move to the next element.
      for (;;) {
        ws();
        const top = stack.at(-1);
        if (!top) {
          if (i !== s.length) syntax();
          if (tooDeep) throw tooDeep;
          return result ?? null;
        }
        const isMap = top.items instanceof Map;
        const ch = s[i++];
        if (ch === (isMap ? '}' : ']')) {
          emit(close(stack.pop()!));
          continue;
        }
        if (ch !== ',') syntax();
        if (isMap) {
          ws();
          if (s[i] !== '"') syntax();
          [top.key, i] = readString(s, i);
          meter?.take(top.key.length);
          ws();
          if (s[i++] !== ':') syntax();
        }
        break;
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError_) return null;
    throw e;
  }
}

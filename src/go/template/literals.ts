import { parseFloat64 } from '../strconv.ts';
import { encodeRune, utf8, type GoString } from './bytes.ts';

/** Literal syntax errors; the parser adds the position. */
export class LiteralError extends Error {}

const invalid = (): never => {
  throw new LiteralError('invalid syntax');
};

const simpleEscapes: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/**
 * One (possibly escaped) character at s[i], as strconv.UnquoteChar reads it:
 * a rune for \u, \U and plain characters, a single byte for \x and octal.
 */
function unquoteChar(s: string, i: number, quote: string): { value: number; byte: boolean; next: number } {
  const c = s[i];
  if (c === undefined || c === quote) return invalid();
  if (c !== '\\') {
    const cp = s.codePointAt(i)!;
    return { value: cp, byte: false, next: i + String.fromCodePoint(cp).length };
  }
  const e = s[i + 1];
  if (e === undefined) return invalid();
  if (e in simpleEscapes) return { value: simpleEscapes[e]!, byte: false, next: i + 2 };
  if (e === "'" || e === '"') {
    if (e !== quote) invalid();
    return { value: e.charCodeAt(0), byte: false, next: i + 2 };
  }
  const digits = (n: number, re: RegExp, radix: number): number => {
    const text = s.slice(i + 2, i + 2 + n);
    return text.length === n && re.test(text) ? parseInt(text, radix) : invalid();
  };
  if (e === 'x') return { value: digits(2, /^[0-9a-fA-F]+$/, 16), byte: true, next: i + 4 };
  if (e === 'u' || e === 'U') {
    const n = e === 'u' ? 4 : 8;
    const r = digits(n, /^[0-9a-fA-F]+$/, 16);
    if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) invalid();
    return { value: r, byte: false, next: i + 2 + n };
  }
  if (e >= '0' && e <= '7') {
    const text = s.slice(i + 1, i + 4);
    const v = text.length === 3 && /^[0-7]+$/.test(text) ? parseInt(text, 8) : invalid();
    if (v > 255) invalid();
    return { value: v, byte: true, next: i + 4 };
  }
  return invalid();
}

/** strconv.Unquote of a "..." or `...` literal, to the bytes it denotes. */
export function unquoteString(text: string): GoString {
  if (text.startsWith('`')) return utf8(text.slice(1, -1).replaceAll('\r', ''));
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; ) {
    const { value, byte, next } = unquoteChar(body, i, '"');
    out += byte ? String.fromCharCode(value) : encodeRune(value);
    i = next;
  }
  return out;
}

/** The rune of a '.' literal. */
export function unquoteCharConstant(text: string): number {
  const { value, next } = unquoteChar(text, 1, "'");
  if (text.slice(next) !== "'") throw new LiteralError(`malformed character constant: ${text}`);
  return value;
}

const intRe = new RegExp(
  `^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$`,
);

/** strconv.ParseInt(text, 0, 64) without the range check: Go's integer literal syntax. */
export function parseInteger(text: string): bigint | undefined {
  if (!intRe.test(text)) return undefined;
  const neg = text.startsWith('-');
  let body = text.replace(/^[+-]/, '').replaceAll('_', '');
  // A leading 0 means octal, as in Go: 017 is 15.
  if (/^0[0-7]+$/.test(body)) body = '0o' + body.slice(1);
  const v = BigInt(body);
  return neg ? -v : v;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** What a number literal can stand for, as Go's parse.NumberNode. */
export interface NumberValue {
  int: bigint | undefined;
  float: number | undefined;
  /** Fits uint64 but not int64: a number text/template cannot print. */
  overflowsInt: boolean;
}

export function parseNumber(text: string): NumberValue {
  if (text.endsWith('i')) throw new LiteralError(`complex number ${JSON.stringify(text)} is not supported`);
  const i = parseInteger(text);
  if (i !== undefined && i >= INT64_MIN && i <= INT64_MAX) return { int: i, float: Number(i), overflowsInt: false };
  if (i !== undefined && i > 0n && i <= UINT64_MAX) return { int: undefined, float: Number(i), overflowsInt: true };
  const f = parseFloat64(text);
  if (f !== undefined && Number.isFinite(f)) {
    if (!/[.eEpP]/.test(text)) throw new LiteralError(`integer overflow: ${JSON.stringify(text)}`);
    const integral = Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63;
    return { int: integral ? BigInt(f) : undefined, float: f, overflowsInt: false };
  }
  throw new LiteralError(`illegal number syntax: ${JSON.stringify(text)}`);
}

import { encodeRune, runeCount, runes, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { formatFloat, goFloat } from './float.ts';
import { quote, quoteRune } from './quote.ts';
import { GoMap, GoSlice, typeName, type GoValue } from './values.ts';

/** The flags, width and precision of one fmt verb. */
export interface Flags {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const plainFlags: Readonly<Flags> = {
  minus: false, plus: false, space: false, zero: false, sharp: false, width: undefined, prec: undefined,
};

const unsupported = (what: string): FuncError => new FuncError(`${what} is not supported by this operator`);

function pad(s: GoString, f: Flags, zeroAllowed = true): GoString {
  if (f.width === undefined) return s;
  const n = f.width - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  return (f.zero && zeroAllowed ? '0' : ' ').repeat(n) + s;
}

/** Go's fmtInteger: precision or a zero flag adds leading zeros after the sign. */
function formatInteger(v: bigint, base: number, f: Flags, upper: boolean, verb: string): GoString {
  const negative = v < 0n;
  if (f.prec === 0 && v === 0n) return pad('', { ...f, zero: false });
  let digits = (negative ? -v : v).toString(base);
  if (upper) digits = digits.toUpperCase();
  let prec = f.prec ?? 0;
  if (f.prec === undefined && f.zero && !f.minus && f.width !== undefined) {
    prec = f.width - (negative || f.plus || f.space ? 1 : 0);
  }
  digits = digits.padStart(prec, '0');
  if (f.sharp) {
    if (base === 2) digits = '0b' + digits;
    else if (base === 8 && !digits.startsWith('0')) digits = '0' + digits;
    else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + digits, f, false);
}

/** An integer as a rune for %c and %q: out of range is U+FFFD, as fmt does. */
const toRune = (v: bigint): number => (v >= 0n && v <= 0x10ffffn ? Number(v) : 0xfffd);

function formatInt(v: bigint, verb: string, f: Flags): GoString | undefined {
  switch (verb) {
    case 'v': case 'd': return formatInteger(v, 10, f, false, verb);
    case 'b': return formatInteger(v, 2, f, false, verb);
    case 'o': case 'O': return formatInteger(v, 8, f, false, verb);
    case 'x': return formatInteger(v, 16, f, false, verb);
    case 'X': return formatInteger(v, 16, f, true, verb);
    case 'c': return pad(encodeRune(toRune(v)), f);
    case 'q':
      if (f.sharp) throw unsupported('printf %#q');
      return pad(quoteRune(toRune(v), f.plus), f);
    case 'U': {
      if (f.sharp) throw unsupported('printf %#U');
      const hex = BigInt.asUintN(64, v).toString(16).toUpperCase().padStart(Math.max(4, f.prec ?? 0), '0');
      return pad(`U+${hex}`, { ...f, zero: false });
    }
  }
  return undefined;
}

function formatFloatVerb(v: number, verb: string, f: Flags): GoString | undefined {
  let fmt: 'e' | 'E' | 'f' | 'g' | 'G';
  let prec: number;
  switch (verb) {
    case 'v': fmt = 'g'; prec = -1; break;
    case 'g': case 'G': fmt = verb; prec = -1; break;
    case 'e': case 'E': case 'f': fmt = verb; prec = 6; break;
    case 'F': fmt = 'f'; prec = 6; break;
    case 'b': case 'x': case 'X': throw unsupported(`printf %${verb} of a float64`);
    default: return undefined;
  }
  if (f.sharp) throw unsupported(`printf %#${verb}`);
  let num = formatFloat(v, fmt, f.prec ?? prec);
  if (!num.startsWith('-') && !num.startsWith('+')) num = (f.plus ? '+' : f.space ? ' ' : '') + num;
  else if (num.startsWith('+') && !f.plus) num = f.space ? ' ' + num.slice(1) : num.slice(1);
  if (/Inf|NaN/.test(num)) return pad(num, f, false);
  if (f.zero && !f.minus && f.width !== undefined && f.width > num.length && /^[-+ ]/.test(num)) {
    return num[0] + '0'.repeat(f.width - num.length) + num.slice(1);
  }
  return pad(num, f);
}

/** At most prec runes of s, as fmt's precision on %s and %q. */
function truncate(s: GoString, f: Flags): GoString {
  if (f.prec === undefined) return s;
  let n = f.prec;
  for (const [, offset] of runes(s)) if (n-- <= 0) return s.slice(0, offset);
  return s;
}

function formatString(s: GoString, verb: string, f: Flags): GoString | undefined {
  switch (verb) {
    case 'v': case 's':
      if (f.sharp && verb === 'v') throw unsupported('printf %#v');
      return pad(truncate(s, f), f);
    case 'q':
      if (f.sharp) throw unsupported('printf %#q');
      return pad(quote(truncate(s, f), f.plus), f);
    case 'x': case 'X': {
      if (f.sharp) throw unsupported(`printf %#${verb}`);
      const bytes = f.prec === undefined ? s : s.slice(0, f.prec);
      const hex = [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0'));
      const out = hex.join(f.space ? ' ' : '');
      return pad(verb === 'X' ? out.toUpperCase() : out, f);
    }
  }
  return undefined;
}

function badVerb(v: GoValue, verb: string, f: Flags): GoString {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', f)})`;
}

/** fmt's formatting of one operand; lists and maps format each element with the same verb. */
export function formatValue(v: GoValue, verb: string, f: Flags = plainFlags, nested = false): GoString {
  if (v === null) {
    if (nested) return '<nil>';
    return verb === 'v' ? pad('<nil>', f) : badVerb(v, verb, f);
  }
  if (v instanceof GoSlice) {
    if (f.sharp && verb === 'v') throw unsupported('printf %#v');
    return '[' + v.items.map((item) => formatValue(item, verb, f, true)).join(' ') + ']';
  }
  if (v instanceof GoMap) {
    if (f.sharp && verb === 'v') throw unsupported('printf %#v');
    const pairs = v.sortedKeys().map((k) => `${formatValue(k, verb, f, true)}:${formatValue(v.entries.get(k) ?? null, verb, f, true)}`);
    return 'map[' + pairs.join(' ') + ']';
  }
  let out: GoString | undefined;
  switch (typeof v) {
    case 'string': out = formatString(v, verb, f); break;
    case 'bigint': out = formatInt(v, verb, f); break;
    case 'number': out = formatFloatVerb(v, verb, f); break;
    case 'boolean': out = verb === 'v' || verb === 't' ? pad(String(v), f) : undefined; break;
  }
  return out ?? badVerb(v, verb, f);
}

/** fmt.Sprint(v): how text/template prints a pipeline's value. */
export function printValue(v: GoValue): GoString {
  switch (typeof v) {
    case 'string': return v;
    case 'bigint': return v.toString();
    case 'number': return goFloat(v);
    case 'boolean': return String(v);
  }
  return formatValue(v, 'v');
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: readonly GoValue[]): GoString {
  let out = '';
  args.forEach((arg, i) => {
    const prev = args[i - 1];
    if (i > 0 && typeof arg !== 'string' && typeof prev !== 'string') out += ' ';
    out += printValue(arg);
  });
  return out;
}

/** fmt.Sprintln: spaces between all operands and a final newline. */
export const sprintln = (args: readonly GoValue[]): GoString => args.map(printValue).join(' ') + '\n';

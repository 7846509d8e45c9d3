/**
 * fmt's formatting of template values (printf's verbs, Sprint, the printing of an action's
 * value), written into a Builder so that a list printed with a wide verb stops at the bound
 * instead of being built first. Widths and precisions are at most 1e6 (fmt's own bound,
 * printf.ts), so one field is small before its padding, and padding is checked before it
 * is made.
 */
import { formatFloat } from '../strconv.ts';
import type { Builder } from './builder.ts';
import { encodeRune, runeCount, runes, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { quoteInto, quoteRune } from './quote.ts';
import { timeString } from '../time/layout.ts';
import { GoMap, GoSlice, GoTime, SemverVersion, SprigCertificate, typeName, type GoValue } from './values.ts';

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

/** Writes a field padded to the width, as fmt's pad; true, so that callers can `return pad(...)`. */
function pad(b: Builder, s: GoString, f: Flags, zeroAllowed = true): true {
  const n = f.width === undefined ? 0 : f.width - runeCount(s);
  if (n <= 0) b.add(s);
  else if (f.minus) b.add(s).repeat(' ', n);
  else b.repeat(f.zero && zeroAllowed ? '0' : ' ', n).add(s);
  return true;
}

/** Go's fmtInteger: precision or a zero flag adds leading zeros after the sign. */
function formatInteger(b: Builder, v: bigint, base: number, f: Flags, upper: boolean, verb: string): true {
  const negative = v < 0n;
  if (f.prec === 0 && v === 0n) return pad(b, '', { ...f, zero: false });
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
  return pad(b, sign + digits, f, false);
}

/** An integer as a rune for %c and %q: out of range is U+FFFD, as fmt does. */
const toRune = (v: bigint): number => (v >= 0n && v <= 0x10ffffn ? Number(v) : 0xfffd);

function formatInt(b: Builder, v: bigint, verb: string, f: Flags): boolean {
  switch (verb) {
    case 'v': case 'd': return formatInteger(b, v, 10, f, false, verb);
    case 'b': return formatInteger(b, v, 2, f, false, verb);
    case 'o': case 'O': return formatInteger(b, v, 8, f, false, verb);
    case 'x': return formatInteger(b, v, 16, f, false, verb);
    case 'X': return formatInteger(b, v, 16, f, true, verb);
    case 'c': return pad(b, encodeRune(toRune(v)), f);
    case 'q':
      if (f.sharp) throw unsupported('printf %#q');
      return pad(b, quoteRune(toRune(v), f.plus), f);
    case 'U': {
      if (f.sharp) throw unsupported('printf %#U');
      const hex = BigInt.asUintN(64, v).toString(16).toUpperCase().padStart(Math.max(4, f.prec ?? 0), '0');
      return pad(b, `U+${hex}`, { ...f, zero: false });
    }
  }
  return false;
}

function formatFloatVerb(b: Builder, v: number, verb: string, f: Flags): boolean {
  let fmt: 'e' | 'E' | 'f' | 'g' | 'G';
  let prec: number;
  switch (verb) {
    case 'v': fmt = 'g'; prec = -1; break;
    case 'g': case 'G': fmt = verb; prec = -1; break;
    case 'e': case 'E': case 'f': fmt = verb; prec = 6; break;
    case 'F': fmt = 'f'; prec = 6; break;
    case 'b': case 'x': case 'X': throw unsupported(`printf %${verb} of a float64`);
    default: return false;
  }
  if (f.sharp) throw unsupported(`printf %#${verb}`);
  let num = formatFloat(v, fmt, f.prec ?? prec);
  if (!num.startsWith('-') && !num.startsWith('+')) num = (f.plus ? '+' : f.space ? ' ' : '') + num;
  else if (num.startsWith('+') && !f.plus) num = f.space ? ' ' + num.slice(1) : num.slice(1);
  if (/Inf|NaN/.test(num)) return pad(b, num, f, false);
  if (f.zero && !f.minus && f.width !== undefined && f.width > num.length && /^[-+ ]/.test(num)) {
    b.add(num[0]!).repeat('0', f.width - num.length).add(num.slice(1));
    return true;
  }
  return pad(b, num, f);
}

/** At most prec runes of s, as fmt's precision on %s and %q. */
function truncate(s: GoString, f: Flags): GoString {
  if (f.prec === undefined) return s;
  let n = f.prec;
  for (const [, offset] of runes(s)) if (n-- <= 0) return s.slice(0, offset);
  return s;
}

/** Bytes as hex digits, with a space between bytes for the space flag; measured before it is made. */
function hexBytes(b: Builder, bytes: GoString, upper: boolean, spaced: boolean): GoString {
  b.ensure(spaced && bytes.length > 0 ? 3 * bytes.length - 1 : 2 * bytes.length);
  let hex = Buffer.from(bytes, 'latin1').toString('hex');
  if (upper) hex = hex.toUpperCase();
  return spaced ? hex.replace(/(..)(?!$)/g, '$1 ') : hex;
}

function formatString(b: Builder, s: GoString, verb: string, f: Flags): boolean {
  switch (verb) {
    case 'v': case 's':
      if (f.sharp && verb === 'v') throw unsupported('printf %#v');
      return pad(b, truncate(s, f), f);
    case 'q': {
      if (f.sharp) throw unsupported('printf %#q');
      if (f.width === undefined) {
        quoteInto(b, truncate(s, f), f.plus);
        return true;
      }
      const field = b.scratch();
      quoteInto(field, truncate(s, f), f.plus);
      return pad(b, field.toString(), f);
    }
    case 'x': case 'X': {
      if (f.sharp) throw unsupported(`printf %#${verb}`);
      return pad(b, hexBytes(b, f.prec === undefined ? s : s.slice(0, f.prec), verb === 'X', f.space), f);
    }
  }
  return false;
}

function badVerb(b: Builder, v: GoValue, verb: string, f: Flags): void {
  if (v === null) {
    b.add(`%!${verb}(<nil>)`);
    return;
  }
  b.add(`%!${verb}(${typeName(v)}=`);
  formatInto(b, v, 'v', f);
  b.add(')');
}

/**
 * fmt's formatting of one operand into `b`; lists and maps format each element with the
 * same verb, so a list is never built whole before the bound is checked.
 */
export function formatInto(b: Builder, v: GoValue, verb: string, f: Flags = plainFlags, nested = false): void {
  if (v === null) {
    if (nested) b.add('<nil>');
    else if (verb === 'v') pad(b, '<nil>', f);
    else badVerb(b, v, verb, f);
    return;
  }
  if (v instanceof GoSlice) {
    if (f.sharp && verb === 'v') throw unsupported('printf %#v');
    b.add('[');
    v.items.forEach((item, i) => {
      if (i > 0) b.add(' ');
      formatInto(b, item, verb, f, true);
    });
    b.add(']');
    return;
  }
  if (v instanceof GoMap) {
    if (f.sharp && verb === 'v') throw unsupported('printf %#v');
    b.add('map[');
    v.sortedKeys().forEach((k, i) => {
      if (i > 0) b.add(' ');
      formatInto(b, k, verb, f, true);
      b.add(':');
      formatInto(b, v.entries.get(k) ?? null, verb, f, true);
    });
    b.add(']');
    return;
  }
  if (v instanceof SprigCertificate) {
    // fmt prints a struct's fields in braces, each with the verb.
    if (f.sharp && verb === 'v') throw unsupported('printf %#v');
    b.add('{');
    formatInto(b, v.cert, verb, f, true);
    b.add(' ');
    formatInto(b, v.key, verb, f, true);
    b.add('}');
    return;
  }
  if (v instanceof SemverVersion) {
    // As for a time: String() for the verbs fmt gives a Stringer; Go prints the private fields for others.
    if ('vsxXq'.includes(verb) && !(f.sharp && verb === 'v')) formatString(b, v.string(), verb, f);
    else throw unsupported(`printf %${f.sharp ? '#' : ''}${verb} of a ${typeName(v)}`);
    return;
  }
  if (v instanceof GoTime) {
    // fmt uses a Stringer's String() for these verbs; for others it prints the struct's private fields.
    if ('vsxXq'.includes(verb) && !(f.sharp && verb === 'v')) formatString(b, timeString(v), verb, f);
    else throw unsupported(`printf %${f.sharp ? '#' : ''}${verb} of a time.Time`);
    return;
  }
  let done = false;
  switch (typeof v) {
    case 'string': done = formatString(b, v, verb, f); break;
    case 'bigint': done = formatInt(b, v, verb, f); break;
    case 'number': done = formatFloatVerb(b, v, verb, f); break;
    case 'boolean': done = verb === 'v' || verb === 't' ? pad(b, String(v), f) : false; break;
  }
  if (!done) badVerb(b, v, verb, f);
}

/** fmt.Sprint(v) into `b`: how text/template prints a pipeline's value. */
export function printInto(b: Builder, v: GoValue): void {
  switch (typeof v) {
    case 'string': b.add(v); return;
    case 'bigint': b.add(v.toString()); return;
    case 'number': b.add(formatFloat(v, 'g', -1)); return; // %v of a float64
    case 'boolean': b.add(String(v)); return;
  }
  formatInto(b, v, 'v');
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(b: Builder, args: readonly GoValue[]): GoString {
  args.forEach((arg, i) => {
    const prev = args[i - 1];
    if (i > 0 && typeof arg !== 'string' && typeof prev !== 'string') b.add(' ');
    printInto(b, arg);
  });
  return b.toString();
}

/** fmt.Sprintln: spaces between all operands and a final newline. */
export function sprintln(b: Builder, args: readonly GoValue[]): GoString {
  args.forEach((arg, i) => {
    if (i > 0) b.add(' ');
    printInto(b, arg);
  });
  return b.add('\n').toString();
}

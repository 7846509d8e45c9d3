import type { Builder } from './builder.ts';
import { decodeRune, encodeRune, type GoString } from './bytes.ts';
import { formatInto, type Flags } from './format.ts';
import { typeName, type GoValue } from './values.ts';

/** Reads a decimal number at i, as fmt's parsenum (bounded so widths stay sane). */
function parseNum(format: GoString, i: number): [value: number | undefined, next: number] {
  let j = i;
  let n = 0;
  while (j < format.length && format[j]! >= '0' && format[j]! <= '9') {
    n = n * 10 + format.charCodeAt(j) - 48;
    if (n > 1e6) return [undefined, j + 1]; // fmt's tooLarge
    j++;
  }
  return j === i ? [undefined, i] : [n, j];
}

/**
 * fmt.Sprintf over template values, with Go's in-band errors: `%!d(string=x)`
 * for a wrong verb, `%!s(MISSING)`, `%!(EXTRA int=1)`, `%!(NOVERB)`. Written
 * into `b`, which stops it at its bound: widths of up to a million per verb, or
 * a list printed with one, fail as they are built.
 */
export function sprintf(b: Builder, format: GoString, args: readonly GoValue[]): GoString {
  let argNum = 0;
  let reordered = false;
  const end = format.length;
  let i = 0;
  while (i < end) {
    const next = format.indexOf('%', i);
    if (next === -1) {
      b.add(format.slice(i));
      break;
    }
    b.add(format.slice(i, next));
    i = next + 1;
    const f: Flags = { minus: false, plus: false, space: false, zero: false, sharp: false, width: undefined, prec: undefined };
    for (; i < end; i++) {
      const c = format[i];
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = true;
      else if (c === '+') f.plus = true;
      else if (c === '-') f.minus = true;
      else if (c === ' ') f.space = true;
      else break;
    }
    let goodArgNum = true;
    // An explicit argument index such as %[2]s.
    const argIndex = (): void => {
      if (format[i] !== '[') return;
      reordered = true;
      const close = format.indexOf(']', i);
      const [n, after] = parseNum(format, i + 1);
      if (close === -1 || after !== close || n === undefined || n < 1 || n > args.length) {
        goodArgNum = false;
        i = close === -1 ? i + 1 : close + 1;
        return;
      }
      argNum = n - 1;
      i = close + 1;
    };
    const intArg = (): number | undefined => {
      const a = args[argNum];
      if (argNum >= args.length || typeof a !== 'bigint' || a > 1_000_000n || a < -1_000_000n) {
        if (argNum < args.length) argNum++;
        return undefined;
      }
      argNum++;
      return Number(a);
    };
    argIndex();
    if (format[i] === '*') {
      i++;
      f.width = intArg();
      if (f.width === undefined) b.add('%!(BADWIDTH)');
      else if (f.width < 0) {
        f.width = -f.width;
        f.minus = true;
      }
    } else {
      [f.width, i] = parseNum(format, i);
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      argIndex();
      if (format[i] === '*') {
        i++;
        f.prec = intArg();
        if (f.prec !== undefined && f.prec < 0) f.prec = undefined;
        if (f.prec === undefined) b.add('%!(BADPREC)');
      } else {
        [f.prec, i] = parseNum(format, i);
        f.prec ??= 0;
      }
    }
    argIndex();
    if (i >= end) {
      b.add('%!(NOVERB)');
      break;
    }
    const [r, size] = decodeRune(format, i);
    i += size;
    const verb = encodeRune(r);
    if (verb === '%') b.add('%');
    else if (!goodArgNum) b.add(`%!${verb}(BADINDEX)`);
    else if (argNum >= args.length) b.add(`%!${verb}(MISSING)`);
    else if (verb === 'T') {
      const a = args[argNum++] ?? null;
      // fmt pads "<nil>" but does not truncate it to the precision.
      formatInto(b, a === null ? '<nil>' : typeName(a), 's', a === null ? { ...f, prec: undefined } : f);
    } else {
      // For %v the + flag means struct field names, which templates do not have.
      if (verb === 'v') f.plus = false;
      formatInto(b, args[argNum++] ?? null, verb, f);
    }
  }
  if (!reordered && argNum < args.length) {
    b.add('%!(EXTRA ');
    args.slice(argNum).forEach((a, k) => {
      if (k > 0) b.add(', ');
      if (a === null) {
        b.add('<nil>');
        return;
      }
      b.add(`${typeName(a)}=`);
      formatInto(b, a, 'v');
    });
    b.add(')');
  }
  return b.toString();
}

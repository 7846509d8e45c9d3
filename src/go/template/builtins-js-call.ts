/**
 * text/template's js and call builtins (funcs.go). js escapes text for a JavaScript string as
 * JSEscapeString does, hand-written to match it byte for byte. call runs a function value, and
 * a template's data here holds none (ESO's is a map[string]string; sprig makes no functions),
 * so call fails as Go does for what it is given: "call of nil" or "non-function .x of type T".
 */
import type { CallContext } from './budget.ts';
import { decodeRune, type GoString } from './bytes.ts';
import { sprint } from './format.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { isPrint } from './runes.ts';
import { typeName, type Evaluated, type GoValue } from './values.ts';

const jsEscapes: Record<number, string> = { 0x5c: '\\\\', 0x27: "\\'", 0x22: '\\"', 0x3c: '\\u003C', 0x3e: '\\u003E', 0x26: '\\u0026', 0x3d: '\\u003D' };

/** template.JSEscapeString, into a bounded builder. */
function jsEscape(ctx: CallContext, s: GoString): GoString {
  const b = ctx.builder();
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(c in jsEscapes) && c >= 0x20 && c < 0x80) continue;
    b.add(s.slice(last, i));
    if (c < 0x80) {
      b.add(jsEscapes[c] ?? `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`);
    } else {
      const [r, size] = decodeRune(s, i);
      b.add(isPrint(r) ? s.slice(i, i + size) : `\\u${r.toString(16).toUpperCase().padStart(4, '0')}`);
      i += size - 1;
    }
    last = i + 1;
  }
  return b.add(s.slice(last)).toString();
}

/** What js escapes: one string as it is, else fmt.Sprint of the arguments (nil as <no value>), as evalArgs. */
function jsText(ctx: CallContext, args: readonly Evaluated[]): GoString {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(ctx.builder(), args.map((a) => (a === null || a === undefined ? '<no value>' : a)) as GoValue[]);
}

export const builtinsJsCall: Record<string, FuncDef> = {
  js: { params: [], variadic: 'any', call: (args, ctx) => jsEscape(ctx, jsText(ctx, args)) },
  call: { params: ['value'], variadic: 'value', call: ([fn], ctx) => {
    if (fn === null || fn === undefined) throw new FuncError('call of nil');
    throw new FuncError(`non-function ${ctx.callee} of type ${typeName(fn)}`);
  } },
};

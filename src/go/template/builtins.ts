/**
 * text/template's own functions (funcs.go): comparison, indexing, printing.
 * `and` and `or` are here for the table but evaluated lazily by the evaluator,
 * as Go does. Go's `slice` is missing on purpose: sprig's replaces it in ESO.
 */
import type { CallContext } from './budget.ts';
import { utf8, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { sprint, sprintln } from './format.ts';
import type { FuncDef } from './func-def.ts';
import { sprintf } from './printf.ts';
import { GoMap, GoSlice, GoTime, isTrue, SemverVersion, SprigCertificate, typeName, type Evaluated, type GoValue } from './values.ts';

type Kind = 'bool' | 'int' | 'float' | 'string' | undefined;

/** Go's basicKind; nil and lists and maps have none. */
function basicKind(v: Evaluated): Kind {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return 'float';
    case 'string': return 'string';
  }
  return undefined;
}

const isNil = (v: Evaluated): boolean => v === undefined || v === null;

function eq(a: Evaluated, ...others: Evaluated[]): boolean {
  if (others.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of others) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (!isNil(a) && !isNil(b)) throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
      continue;
    }
    if (k1 !== undefined) {
      if (a === b) return true;
      continue;
    }
    if (isNil(a) || isNil(b)) {
      if (isNil(a) && isNil(b)) return true;
      continue;
    }
    // Structs compare field by field (a time's location by identity, as Go compares pointers).
    if (a instanceof GoTime && b instanceof GoTime) {
      if (a.sec === b.sec && a.nsec === b.nsec && a.mono === b.mono && a.loc === b.loc) return true;
      continue;
    }
    if (a instanceof SprigCertificate && b instanceof SprigCertificate) {
      if (a.cert === b.cert && a.key === b.key) return true;
      continue;
    }
    if (a instanceof SemverVersion || b instanceof SemverVersion) {
      if (versionsEqual(a as GoValue, b as GoValue)) return true;
      continue;
    }
    // Go prints the value too; it may hold secret data.
    throw new FuncError(`non-comparable type ${typeName(b)}`);
  }
  return false;
}

/** reflect's kind of a value that has no basic kind, as eq compares them. */
const referenceKind = (v: GoValue): string =>
  v instanceof GoSlice ? 'slice' : v instanceof GoMap ? 'map' : v instanceof SemverVersion && v.pointer ? 'ptr' : 'struct';

/**
 * eq where one side is a Version: a pointer equals only itself (two `semver` calls never are eq),
 * a plain Version a Version of the same fields; other structs are never equal to one.
 */
function versionsEqual(a: GoValue, b: GoValue): boolean {
  // Go prints both values too; they may hold secret data.
  if (referenceKind(a) !== referenceKind(b)) throw new FuncError(`non-comparable types ${typeName(a)} and ${typeName(b)}`);
  if (!(a instanceof SemverVersion && b instanceof SemverVersion)) return false;
  return a.pointer ? a === b : b.sameFields(a);
}

function lt(a: Evaluated, b: Evaluated): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === undefined || k2 === undefined) throw new FuncError('invalid type for comparison');
  if (k1 !== k2) throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === 'bool') throw new FuncError('invalid type for comparison');
  return (a as string | number | bigint) < (b as string | number | bigint);
}

/** An index into a list or string: an int, in [0, bound]. */
function indexArg(v: Evaluated, bound: number): number {
  if (typeof v !== 'bigint') {
    throw new FuncError(isNil(v) ? 'cannot index slice/array with nil' : `cannot index slice/array with type ${typeName(v)}`);
  }
  if (v < 0n || v > BigInt(bound)) throw new FuncError(`index out of range: ${v}`);
  return Number(v);
}

function index(item: Evaluated, ...indexes: Evaluated[]): Evaluated {
  if (isNil(item)) throw new FuncError('index of untyped nil');
  let v = item as GoValue;
  for (const i of indexes) {
    if (typeof v === 'string' || v instanceof GoSlice) {
      const n = typeof v === 'string' ? v.length : v.items.length;
      const x = indexArg(i, n);
      // Go checks x <= len, then reflect panics at x == len.
      if (x === n) throw new FuncError(`reflect: ${typeof v === 'string' ? 'string' : 'slice'} index out of range`);
      v = typeof v === 'string' ? BigInt(v.charCodeAt(x)) : (v.items[x] ?? null);
    } else if (v instanceof GoMap) {
      if (isNil(i)) throw new FuncError('value is nil; should be of type string');
      if (typeof i !== 'string') throw new FuncError(`value has type ${typeName(i)}; should be string`);
      const found = v.entries.get(i);
      v = found !== undefined ? found : v.elem === 'string' ? '' : null;
    } else if (v === null) {
      throw new FuncError('index of nil pointer');
    } else {
      throw new FuncError(`can't index item of type ${typeName(indirect(v))}`);
    }
  }
  return v;
}

/** What Go's indirect makes of a pointer before naming its type: the struct it points to. */
const indirect = (v: GoValue): GoValue => (v instanceof SemverVersion && v.pointer ? new SemverVersion(v, v.original, false) : v);

function length(item: Evaluated): bigint {
  if (typeof item === 'string') return BigInt(item.length);
  if (item instanceof GoSlice) return BigInt(item.items.length);
  if (item instanceof GoMap) return BigInt(item.entries.size);
  if (item === null) throw new FuncError('len of nil pointer');
  if (item === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  throw new FuncError(`len of type ${typeName(indirect(item))}`);
}

/** The text html, js and urlquery escape: one string as is, else fmt.Sprint of the rest (bounded). */
function escaperText(ctx: CallContext, args: readonly GoValue[]): GoString {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(ctx.builder(), args.map((a) => (a === null ? utf8('<no value>') : a)));
}

/**
 * Replaces every byte `escape` knows, copying the runs between as slices and escapes byte by
 * byte into one bounded builder: an escape makes a byte up to five times longer.
 */
function escapeBytes(ctx: CallContext, s: GoString, escape: (c: number) => string | undefined): GoString {
  const b = ctx.builder();
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const e = escape(s.charCodeAt(i));
    if (e === undefined) continue;
    if (i > from) b.add(s.slice(from, i));
    for (let k = 0; k < e.length; k++) b.byte(e.charCodeAt(k));
    from = i + 1;
  }
  return b.add(s.slice(from)).toString();
}

const htmlEscapes = new Map<number, string>([[0x22, '&#34;'], [0x27, '&#39;'], [0x26, '&amp;'], [0x3c, '&lt;'], [0x3e, '&gt;'], [0, '\xef\xbf\xbd']]);

/** url.QueryEscape: unreserved bytes stay, space becomes +, the rest %XX. */
function queryEscape(c: number): string | undefined {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e) {
    return undefined;
  }
  return c === 0x20 ? '+' : '%' + c.toString(16).toUpperCase().padStart(2, '0');
}

const value = 'value' as const;
const any = 'any' as const;

export const builtins: Record<string, FuncDef> = {
  // Evaluated lazily by the evaluator; these entries give their arity.
  and: { params: [value], variadic: value, call: () => undefined },
  or: { params: [value], variadic: value, call: () => undefined },
  not: { params: [value], call: ([a]) => !isTrue(a) },
  eq: { params: [value], variadic: value, call: ([a, ...rest]) => eq(a, ...rest) },
  ne: { params: [value, value], call: ([a, b]) => !eq(a, b) },
  lt: { params: [value, value], call: ([a, b]) => lt(a, b) },
  le: { params: [value, value], call: ([a, b]) => lt(a, b) || eq(a, b) },
  gt: { params: [value, value], call: ([a, b]) => !lt(a, b) && !eq(a, b) },
  ge: { params: [value, value], call: ([a, b]) => !lt(a, b) },
  len: { params: [value], call: ([a]) => length(a) },
  index: { params: [value], variadic: value, call: ([a, ...rest]) => index(a, ...rest) },
  print: { params: [], variadic: any, call: (args, ctx) => sprint(ctx.builder(), args as GoValue[]) },
  println: { params: [], variadic: any, call: (args, ctx) => sprintln(ctx.builder(), args as GoValue[]) },
  printf: { params: ['string'], variadic: any, call: ([f, ...args], ctx) => sprintf(ctx.builder(), f as GoString, args as GoValue[]) },
  html: { params: [], variadic: any, call: (args, ctx) => escapeBytes(ctx, escaperText(ctx, args as GoValue[]), (c) => htmlEscapes.get(c)) },
  urlquery: { params: [], variadic: any, call: (args, ctx) => escapeBytes(ctx, escaperText(ctx, args as GoValue[]), queryEscape) },
};

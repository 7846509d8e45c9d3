/**
 * sprig v3.3.0's type functions (reflect.go), deepEqual and deepCopy, and the must* JSON
 * functions that fail where their plain forms return nil or "". Type names are those of the
 * values a template has (values.ts): every integer is an `int` here, where Go has int64 for
 * what sprig's arithmetic returns and []int for until's lists.
 */
import { fromByteString } from '../bytes.ts';
import { scanJson } from '../json/scanner.ts';
import type { CallContext } from './budget.ts';
import { deepEqual } from './deep-equal.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { fromJson } from './json-decode.ts';
import { toJson, toPrettyJson, toRawJson } from './json-encode.ts';
import { ELEMENT_BYTES } from './sprig.ts';
import { GoMap, GoSlice, SemverVersion, typeName, type Evaluated, type GoValue } from './values.ts';

/** fmt's %T. */
const typeOf = (v: Evaluated): string => (v === null || v === undefined ? '<nil>' : typeName(v));

/** reflect.Value.Kind().String(). */
function kindOf(v: Evaluated): string {
  if (v === null || v === undefined) return 'invalid';
  if (v instanceof GoSlice) return 'slice';
  if (v instanceof GoMap) return 'map';
  if (v instanceof SemverVersion) return v.pointer ? 'ptr' : 'struct';
  return typeName(v);
}

/** copystructure.Copy: new lists and maps all the way down (shared parts copied each time they occur), charged as made. */
function deepCopy(ctx: CallContext, v: GoValue): GoValue {
  if (v instanceof GoSlice) {
    ctx.take(ELEMENT_BYTES * (v.items.length + 1));
    return new GoSlice(v.elem, v.items.map((x) => deepCopy(ctx, x)));
  }
  if (v instanceof GoMap) {
    ctx.take(ELEMENT_BYTES * (v.entries.size + 1));
    return new GoMap(v.elem, new Map([...v.entries].map(([k, x]) => [k, deepCopy(ctx, x)])));
  }
  // copystructure cannot set a struct's unexported fields, and all of Version's are: its copy is a zero Version.
  if (v instanceof SemverVersion) return new SemverVersion({ major: 0n, minor: 0n, patch: 0n, pre: '', metadata: '' }, '', v.pointer);
  return v;
}

/**
 * json.Unmarshal's error for invalid JSON: Go's text at the end of the input; elsewhere Go names
 * the character, which may be secret data, so we give its offset instead.
 */
function mustFromJson(s: string, ctx: CallContext): GoValue {
  const doc = fromByteString(s);
  const at = scanJson(doc, { open: () => {}, close: () => {}, key: () => {}, scalar: () => {} });
  if (at === doc.length) throw new FuncError('unexpected end of JSON input');
  if (at >= 0) throw new FuncError(`invalid JSON at offset ${at}`);
  return fromJson(s, ctx);
}

const anyT = 'any' as const;
const s = 'string' as const;
const deepCopyDef: FuncDef = { params: [anyT], call: ([v], ctx) => {
  // copystructure asks reflect for nil's type, which panics.
  if (v === null || v === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  return deepCopy(ctx, v);
} };

export const sprigReflect: Record<string, FuncDef> = {
  typeOf: { params: [anyT], call: ([v]) => typeOf(v) },
  typeIs: { params: [s, anyT], call: ([t, v]) => t === typeOf(v) },
  typeIsLike: { params: [s, anyT], call: ([t, v]) => t === typeOf(v) || `*${t as string}` === typeOf(v) },
  kindOf: { params: [anyT], call: ([v]) => kindOf(v) },
  kindIs: { params: [s, anyT], call: ([t, v]) => t === kindOf(v) },
  deepEqual: { params: [anyT, anyT], call: ([a, b], ctx) => deepEqual(a, b, (bytes) => ctx.take(bytes)) },
  deepCopy: deepCopyDef,
  mustDeepCopy: deepCopyDef,
  mustFromJson: { params: [s], call: ([v], ctx) => mustFromJson(v as string, ctx) },
  mustToJson: { params: [anyT], call: ([v], ctx) => toJson(ctx.builder(), v) },
  mustToPrettyJson: { params: [anyT], call: ([v], ctx) => toPrettyJson(ctx.builder(), v) },
  mustToRawJson: { params: [anyT], call: ([v], ctx) => toRawJson(ctx.builder(), v) },
};

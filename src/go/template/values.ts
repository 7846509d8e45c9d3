import type { GoString } from './bytes.ts';
import { LimitError } from './errors.ts';
import { limits } from './limits.ts';
import { GoTime } from '../time/time.ts';
import { SemverVersion } from './semver-value.ts';

export { GoTime } from '../time/time.ts';
export { SemverVersion } from './semver-value.ts';

/**
 * Go values as templates see them. ESO hands the template a map[string]string,
 * and the functions we implement build only these types:
 *   string  -> GoString (bytes, see bytes.ts)
 *   int     -> bigint (integer literals, len, range indexes)
 *   float64 -> number (every JSON number after fromJson)
 *   bool    -> boolean
 *   nil inside an interface{} (JSON null, a missing dict key) -> null
 *   []string, []interface{} -> GoSlice
 *   map[string]string, map[string]interface{} -> GoMap
 *   time.Time (sprig's now, toDate, dateModify) -> GoTime
 *   sprig's certificate struct {Cert, Key string} (genCA, genSignedCert, ...) -> SprigCertificate
 *   *semver.Version (sprig's semver) and semver.Version (its methods' results) -> SemverVersion
 * The element type matters: a missing key of a map[string]string indexes to
 * "" but of a map[string]interface{} to nil, and sprig's get/keys/hasKey
 * refuse a map[string]string.
 */
export type GoValue = GoString | bigint | number | boolean | null | GoSlice | GoMap | GoTime | SprigCertificate | SemverVersion;

/** sprig's `certificate` struct: a PEM certificate and its PEM private key, read as `.Cert` and `.Key`. */
export class SprigCertificate {
  readonly cert: GoString;
  readonly key: GoString;

  constructor(cert: GoString, key: GoString) {
    this.cert = cert;
    this.key = key;
  }
}

/**
 * What an evaluation yields: a value, or Go's invalid reflect.Value (printed
 * `<no value>`), which is what a pipeline makes of a nil interface.
 */
export type Evaluated = GoValue | undefined;

export type ElemType = 'string' | 'any';

/** Rough bytes a value prints as, counting shared parts each time they would print. */
function sizeOf(v: GoValue): number {
  if (typeof v === 'string') return v.length;
  if (v instanceof SprigCertificate) return v.cert.length + v.key.length + 3;
  // Its String, or its original text (JSON and print give the one, .Original the other).
  if (v instanceof SemverVersion) return v.string().length + v.original.length;
  if (v instanceof GoSlice || v instanceof GoMap) return v.size;
  return 8;
}

/**
 * Depth and printed size of a new list or map, refused when too large: deeper
 * values would overflow the stack when printed, and `list $l $l` nested a few
 * dozen times would print as gigabytes.
 */
function measure(values: Iterable<GoValue>, keys: Iterable<string> = [], bounded = true): { depth: number; size: number } {
  let depth = 1;
  let size = 2;
  for (const v of values) {
    if (v instanceof GoSlice || v instanceof GoMap) depth = Math.max(depth, v.depth + 1);
    size += sizeOf(v) + 1;
  }
  for (const k of keys) size += k.length + 1;
  if (!bounded) return { depth, size };
  if (depth > limits.valueDepth) throw new LimitError(`value nesting exceeds the limit of ${limits.valueDepth}`);
  if (size > limits.valueBytes) throw new LimitError(`value size exceeds the limit of ${limits.valueBytes} bytes`);
  return { depth, size };
}

type Container = GoSlice | GoMap;

const isContainer = (v: unknown): v is Container => v instanceof GoSlice || v instanceof GoMap;

/** Records `parent` as holding each container among `values`, so that a change of depth below can reach it. */
function adopt(parent: Container, values: Iterable<GoValue>): void {
  for (const v of values) if (isContainer(v)) v.parents.push(parent);
}

export class GoSlice {
  readonly elem: ElemType;
  readonly items: readonly GoValue[];
  /** Nesting, kept exact when a map below is changed in place (GoMap.set). */
  depth: number;
  readonly size: number;
  /** The lists and maps built holding this one (see GoMap.set). */
  readonly parents: Container[] = [];

  constructor(elem: ElemType, items: readonly GoValue[]) {
    this.elem = elem;
    this.items = items;
    ({ depth: this.depth, size: this.size } = measure(items));
    adopt(this, items);
  }
}

export class GoMap {
  readonly elem: ElemType;
  readonly entries: ReadonlyMap<GoString, GoValue>;
  /** Nesting, kept exact when this map or one below is changed in place. */
  depth: number;
  /** Printed size of this map's own entries; a change below is not added to it (printing is bounded by its builder). */
  size: number;
  /** The lists and maps built holding this one. */
  readonly parents: Container[] = [];
  #sorted: GoString[] | undefined;

  /**
   * `bounded` false is for the data a template is given (`.`), which no function built: it may
   * be as large as the provider data (bounded by the Secret's size, secret-size.ts).
   */
  constructor(elem: ElemType, entries: ReadonlyMap<GoString, GoValue>, bounded = true) {
    this.elem = elem;
    this.entries = entries;
    ({ depth: this.depth, size: this.size } = measure(entries.values(), entries.keys(), bounded));
    adopt(this, entries.values());
  }

  /** Keys in Go's order for range, fmt and encoding/json: by bytes. */
  sortedKeys(): readonly GoString[] {
    this.#sorted ??= [...this.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.#sorted;
  }

  /**
   * m[key] = value in place, as sprig's set, unset and merge change a Go map that every holder
   * of it sees. Refuses, before changing anything, a value holding this map (Go would build a
   * cycle and overflow its stack printing it) and a change that would nest this map or any
   * list or map holding it past the depth bound. `visit` is charged for each holder walked.
   */
  set(key: GoString, value: GoValue, visit: (n: number) => void): void {
    const raised = new Map<Container, number>();
    if (isContainer(value)) {
      const depth = Math.max(this.depth, value.depth + 1);
      // Every holder of this map, each with the depth it would have: a cycle if the value is one.
      const queue: Container[] = [this];
      const seen = new Set<Container>([this]);
      if (depth > this.depth) raised.set(this, depth);
      while (queue.length > 0) {
        const node = queue.pop()!;
        if (node === value) throw new LimitError('a map cannot hold itself');
        visit(1);
        const d = raised.get(node) ?? node.depth;
        if (d > limits.valueDepth) throw new LimitError(`value nesting exceeds the limit of ${limits.valueDepth}`);
        for (const p of node.parents) {
          if (d + 1 > (raised.get(p) ?? p.depth)) {
            raised.set(p, d + 1);
            queue.push(p);
            seen.add(p);
          } else if (!seen.has(p)) {
            seen.add(p);
            queue.push(p);
          }
        }
      }
    }
    const old = this.entries.get(key);
    const size = this.size + sizeOf(value) + 1 + (old === undefined ? key.length + 1 : -(sizeOf(old) + 1));
    if (size > limits.valueBytes) throw new LimitError(`value size exceeds the limit of ${limits.valueBytes} bytes`);
    for (const [node, d] of raised) node.depth = d;
    this.size = size;
    if (old === undefined) this.#sorted = undefined;
    (this.entries as Map<GoString, GoValue>).set(key, value);
    if (isContainer(value)) value.parents.push(this);
  }

  /** delete(m, key) in place, as sprig's unset. */
  delete(key: GoString): void {
    if ((this.entries as Map<GoString, GoValue>).delete(key)) this.#sorted = undefined;
  }
}

/** The Go type name used in error messages and printf's `%!verb(type=value)`. */
export function typeName(v: Evaluated): string {
  switch (typeof v) {
    case 'string': return 'string';
    case 'bigint': return 'int';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'undefined': return '<nil>';
  }
  if (v === null) return 'interface {}';
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof SprigCertificate) return 'sprig.certificate';
  if (v instanceof SemverVersion) return v.pointer ? '*semver.Version' : 'semver.Version';
  const elem = v.elem === 'string' ? 'string' : 'interface {}';
  return v instanceof GoSlice ? `[]${elem}` : `map[string]${elem}`;
}

/** Go's truth for if, with, and, or, not: the zero value of a type is false. */
export function isTrue(v: Evaluated): boolean {
  switch (typeof v) {
    case 'string': return v.length > 0;
    case 'bigint': return v !== 0n;
    case 'number': return v !== 0;
    case 'boolean': return v;
    case 'undefined': return false;
  }
  if (v === null) return false;
  if (v instanceof GoTime || v instanceof SprigCertificate || v instanceof SemverVersion) return true; // a struct, or a non-nil pointer
  return v instanceof GoSlice ? v.items.length > 0 : v.entries.size > 0;
}

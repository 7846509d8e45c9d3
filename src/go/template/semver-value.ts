/**
 * The value sprig's `semver` returns: Masterminds/semver v3.3.0's Version, and the methods a
 * template calls on it (`.Major`, `.Compare`, `.IncMinor`, ...). Hand-written to match Go byte
 * for byte: which methods a value has depends on Go's method sets, which no library models.
 *
 * `semver` returns a pointer (*semver.Version), which has every method. IncMajor, SetPrerelease
 * and the like return a plain Version, which text/template cannot take the address of: it has
 * only the methods declared on the value (String, Major, ..., not Original, Compare, LessThan).
 * Two pointers are eq only if they are the same one; two plain Versions if their fields are.
 */
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef, Param } from './func-def.ts';
import { compare, SemverError, validateMetadata, validatePrerelease, type Version } from './semver.ts';
import type { Evaluated } from './values.ts';

export class SemverVersion implements Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  /** The text it was parsed from; for a derived Version, its String() with the original's `v` kept. */
  readonly original: GoString;
  /** *semver.Version (what `semver` returns) rather than a semver.Version (what its methods return). */
  readonly pointer: boolean;

  constructor(v: Version, original: GoString, pointer: boolean) {
    ({ major: this.major, minor: this.minor, patch: this.patch, pre: this.pre, metadata: this.metadata } = v);
    this.original = original;
    this.pointer = pointer;
  }

  /** Version.String: the parts, without a `v`. */
  string(): GoString {
    return `${this.major}.${this.minor}.${this.patch}${this.pre === '' ? '' : `-${this.pre}`}${this.metadata === '' ? '' : `+${this.metadata}`}`;
  }

  /** Go's == on two plain Versions: every field. */
  sameFields(o: SemverVersion): boolean {
    return this.major === o.major && this.minor === o.minor && this.patch === o.patch &&
      this.pre === o.pre && this.metadata === o.metadata && this.original === o.original;
  }

  /** A plain Version (what the methods return) with some parts changed, its original rebuilt as Go does. */
  #derive(parts: Partial<Version>): SemverVersion {
    const next: Version = { major: this.major, minor: this.minor, patch: this.patch, pre: this.pre, metadata: this.metadata, ...parts };
    const vPrefix = this.original.startsWith('v') ? 'v' : '';
    return new SemverVersion(next, vPrefix + new SemverVersion(next, '', false).string(), false);
  }

  incPatch(): SemverVersion {
    // A prerelease's next patch is its own release; metadata goes either way.
    return this.#derive({ pre: '', metadata: '', patch: this.pre !== '' ? this.patch : plusOne(this.patch) });
  }

  incMinor(): SemverVersion {
    return this.#derive({ pre: '', metadata: '', patch: 0n, minor: plusOne(this.minor) });
  }

  incMajor(): SemverVersion {
    return this.#derive({ pre: '', metadata: '', patch: 0n, minor: 0n, major: plusOne(this.major) });
  }

  setPrerelease(pre: string): SemverVersion {
    if (pre !== '') validatePrerelease(pre);
    return this.#derive({ pre });
  }

  setMetadata(metadata: string): SemverVersion {
    if (metadata !== '') validateMetadata(metadata);
    return this.#derive({ metadata });
  }
}

/** uint64 arithmetic wraps, as Go's does. */
const plusOne = (n: bigint): bigint => BigInt.asUintN(64, n + 1n);

/** What Go's runtime says when a method reads through a nil *Version (text/template reports the panic). */
const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

/** An argument of type *semver.Version: a pointer, or nil (null). */
function other(o: Evaluated): SemverVersion {
  if (!(o instanceof SemverVersion)) throw new FuncError(NIL_DEREFERENCE);
  return o;
}

/** Go's error from a method returning (Version, error). */
function orError(make: () => SemverVersion): SemverVersion {
  try {
    return make();
  } catch (e) {
    if (e instanceof SemverError) throw new FuncError(e.message);
    throw e;
  }
}

interface Method {
  readonly params: readonly Param[];
  /** Declared on *Version: a plain Version (not addressable in a template) does not have it. */
  readonly pointerOnly: boolean;
  readonly call: (v: SemverVersion, args: readonly Evaluated[]) => Evaluated;
}

const compareWith = (v: SemverVersion, o: Evaluated): number => compare(v, other(o));
const version = 'version' as const;

const methods: ReadonlyMap<string, Method> = new Map<string, Method>([
  ['String', { params: [], pointerOnly: false, call: (v) => v.string() }],
  ['Original', { params: [], pointerOnly: true, call: (v) => v.original }],
  // uint64 in Go; an int here (values.ts has one integer type).
  ['Major', { params: [], pointerOnly: false, call: (v) => v.major }],
  ['Minor', { params: [], pointerOnly: false, call: (v) => v.minor }],
  ['Patch', { params: [], pointerOnly: false, call: (v) => v.patch }],
  ['Prerelease', { params: [], pointerOnly: false, call: (v) => v.pre }],
  ['Metadata', { params: [], pointerOnly: false, call: (v) => v.metadata }],
  ['IncPatch', { params: [], pointerOnly: false, call: (v) => v.incPatch() }],
  ['IncMinor', { params: [], pointerOnly: false, call: (v) => v.incMinor() }],
  ['IncMajor', { params: [], pointerOnly: false, call: (v) => v.incMajor() }],
  ['SetPrerelease', { params: ['string'], pointerOnly: false, call: (v, [p]) => orError(() => v.setPrerelease(p as string)) }],
  ['SetMetadata', { params: ['string'], pointerOnly: false, call: (v, [m]) => orError(() => v.setMetadata(m as string)) }],
  ['LessThan', { params: [version], pointerOnly: true, call: (v, [o]) => compareWith(v, o) < 0 }],
  ['LessThanEqual', { params: [version], pointerOnly: true, call: (v, [o]) => compareWith(v, o) <= 0 }],
  ['GreaterThan', { params: [version], pointerOnly: true, call: (v, [o]) => compareWith(v, o) > 0 }],
  ['GreaterThanEqual', { params: [version], pointerOnly: true, call: (v, [o]) => compareWith(v, o) >= 0 }],
  // Equal checks for nil before comparing: nil is never equal to a Version.
  ['Equal', { params: [version], pointerOnly: true, call: (v, [o]) => v === o || (o instanceof SemverVersion && compare(v, o) === 0) }],
  ['Compare', { params: [version], pointerOnly: true, call: (v, [o]) => BigInt(compareWith(v, o)) }],
  // driver.Valuer: its String() as an interface{}.
  ['Value', { params: [], pointerOnly: false, call: (v) => v.string() }],
]);

/**
 * Methods Go's Version has that return or take []byte or an error value, or change the Version in
 * place (Scan, Unmarshal*): template values here have no []byte or error type, so these are refused
 * by name rather than computed differently.
 */
const unsupported: ReadonlyMap<string, boolean> = new Map([
  ['MarshalJSON', false], ['MarshalText', false], ['UnmarshalJSON', true], ['UnmarshalText', true], ['Scan', true],
]);

export type VersionMethod = { kind: 'method'; def: FuncDef } | { kind: 'unsupported' };

/** The method `name` of `v` as text/template finds it (its method set), with `v` bound, or undefined. */
export function versionMethod(v: SemverVersion, name: string): VersionMethod | undefined {
  const m = methods.get(name);
  if (m !== undefined && (v.pointer || !m.pointerOnly)) return { kind: 'method', def: { params: m.params, call: (args) => m.call(v, args) } };
  const pointerOnly = unsupported.get(name);
  if (pointerOnly !== undefined && (v.pointer || !pointerOnly)) return { kind: 'unsupported' };
  return undefined;
}

/** Go's fields of Version, all unexported: naming one is an error of its own. */
export const versionFields: ReadonlySet<string> = new Set(['major', 'minor', 'patch', 'pre', 'metadata', 'original']);

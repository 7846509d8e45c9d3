/**
 * Masterminds/semver v3.3.0's NewVersion, NewConstraint and Constraints.Check, which sprig's
 * semverCompare is. Hand-written: npm's `semver` reads constraints differently (`1.2` is
 * `>=1.2.0 <1.3.0` here as there, but `~1`, `!=1.x`, `1.2 - 1.4.5` ranges, `,` for AND,
 * prereleases and its error texts are Masterminds' own). Its regular expressions run on the
 * project's RE2 engine, as they do on Go's.
 */
import { GoRegexp, type RegexpBudget } from '../regexp/regexp.ts';

/** Masterminds' error texts, minus the constraint or version segment they quote: either may be secret data. */
export class SemverError extends Error {}

export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  metadata: string;
}

const cvRegex = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?` +
  String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
  String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const semVerRegex = String.raw`v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?` +
  String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
  String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const ops = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;

let compiled: { version: GoRegexp; constraint: GoRegexp; range: GoRegexp; find: GoRegexp; valid: GoRegexp } | undefined;
function regexes(): NonNullable<typeof compiled> {
  compiled ??= {
    version: GoRegexp.compile(`^${semVerRegex}$`),
    constraint: GoRegexp.compile(String.raw`^\s*(${ops})\s*(${cvRegex})\s*$`),
    range: GoRegexp.compile(String.raw`\s*(${cvRegex})\s+-\s+(${cvRegex})\s*`),
    find: GoRegexp.compile(String.raw`(${ops})\s*(${cvRegex})`),
    valid: GoRegexp.compile(String.raw`^(\s*(${ops})\s*(${cvRegex})\s*)((?:\s+|,\s*)(${ops})\s*(${cvRegex})\s*)*$`),
  };
  return compiled;
}

const UINT64_MAX = 2n ** 64n - 1n;
const ALLOWED = /^[0-9A-Za-z-]*$/;
const NUM = /^[0-9]*$/;

/** strconv.ParseUint(s, 10, 64) as NewVersion reports it. */
function parseUint(s: string): bigint {
  const n = BigInt(s);
  if (n > UINT64_MAX) throw new SemverError('Error parsing version segment: strconv.ParseUint: value out of range');
  return n;
}

export function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new SemverError('Version segment starts with 0');
    } else if (!ALLOWED.test(part)) {
      throw new SemverError('Invalid Prerelease string');
    }
  }
}

/** semver.NewVersion: lenient ("v1.2" is 1.2.0). */
export function newVersion(v: string, budget: RegexpBudget): Version {
  const [m] = regexes().version.findAllSubmatch(v, 1, budget);
  if (m === undefined) throw new SemverError('Invalid Semantic Version');
  const version: Version = {
    major: parseUint(m[1]!),
    minor: m[2] ? parseUint(m[2].slice(1)) : 0n,
    patch: m[3] ? parseUint(m[3].slice(1)) : 0n,
    pre: m[5]!,
    metadata: m[8]!,
  };
  if (version.pre !== '') validatePrerelease(version.pre);
  if (version.metadata !== '') validateMetadata(version.metadata);
  return version;
}

export function validateMetadata(m: string): void {
  if (!m.split('.').every((p) => ALLOWED.test(p))) throw new SemverError('Invalid Metadata string');
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return o !== '' ? -1 : 1;
  if (o === '') return 1;
  const uint = (x: string): bigint | undefined => (/^[0-9]+$/.test(x) && BigInt(x) <= UINT64_MAX ? BigInt(x) : undefined);
  const [oi, si] = [uint(o), uint(s)];
  if (oi === undefined && si === undefined) return s > o ? 1 : -1;
  if (oi === undefined) return -1;
  if (si === undefined) return 1;
  return si > oi ? 1 : -1;
}

export function compare(v: Version, o: Version): number {
  const d = cmp(v.major, o.major) || cmp(v.minor, o.minor) || cmp(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  const [sp, op] = [v.pre.split('.'), o.pre.split('.')];
  for (let i = 0; i < Math.max(sp.length, op.length); i++) {
    const r = comparePrePart(sp[i] ?? '', op[i] ?? '');
    if (r !== 0) return r;
  }
  return 0;
}

interface Constraint {
  con: Version;
  op: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (x: string): boolean => x === 'x' || x === '*' || x === 'X';

function parseConstraint(c: string, budget: RegexpBudget): Constraint {
  if (c === '') return { con: { major: 0n, minor: 0n, patch: 0n, pre: '', metadata: '' }, op: '', dirty: true, minorDirty: false, patchDirty: false };
  const [m] = regexes().constraint.findAllSubmatch(c, 1, budget);
  if (m === undefined) throw new SemverError('improper constraint');
  let ver = m[2]!;
  let [dirty, minorDirty, patchDirty] = [false, false, false];
  if (isX(m[3]!) || m[3] === '') {
    ver = `0.0.0${m[6]}`;
    dirty = true;
  } else if (isX(m[4]!.replace(/^\./, '')) || m[4] === '') {
    [minorDirty, dirty] = [true, true];
    ver = `${m[3]}.0.0${m[6]}`;
  } else if (isX(m[5]!.replace(/^\./, '')) || m[5] === '') {
    [dirty, patchDirty] = [true, true];
    ver = `${m[3]}${m[4]}.0${m[6]}`;
  }
  let con: Version;
  try {
    con = newVersion(ver, budget);
  } catch (e) {
    if (e instanceof SemverError) throw new SemverError('constraint Parser Error');
    throw e;
  }
  return { con, op: m[1]!, dirty, minorDirty, patchDirty };
}

/** Each constraint operator's check (Masterminds' reasons for false are not needed: Check drops them). */
function check(v: Version, c: Constraint): boolean {
  const { con } = c;
  if (c.op === '!=') {
    if (c.dirty) {
      if (v.pre !== '' && con.pre === '') return false;
      if (con.major !== v.major) return true;
      if (con.minor !== v.minor && !c.minorDirty) return true;
      if (c.minorDirty) return false;
      if (con.patch !== v.patch && !c.patchDirty) return true;
      if (c.patchDirty) {
        return (v.pre !== '' || con.pre !== '') && prereleaseDiffers(v.pre, con.pre);
      }
    }
    return compare(v, con) !== 0;
  }
  if (v.pre !== '' && con.pre === '') return false;
  switch (c.op) {
    case '>':
      if (!c.dirty) return compare(v, con) === 1;
      if (v.major > con.major) return true;
      if (v.major < con.major || c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compare(v, con) === 1;
    case '<':
      return compare(v, con) < 0;
    case '>=':
    case '=>':
      return compare(v, con) >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return compare(v, con) <= 0;
      if (v.major > con.major) return false;
      return !(v.major === con.major && v.minor > con.minor && !c.minorDirty);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
    default: // "" and "="
      return c.dirty ? tilde(v, c) : compare(v, con) === 0;
  }
}

/** comparePrerelease(a, b) != 0, on the prerelease strings alone. */
function prereleaseDiffers(a: string, b: string): boolean {
  const [sp, op] = [a.split('.'), b.split('.')];
  for (let i = 0; i < Math.max(sp.length, op.length); i++) if (comparePrePart(sp[i] ?? '', op[i] ?? '') !== 0) return true;
  return false;
}

function tilde(v: Version, c: Constraint): boolean {
  const { con } = c;
  if (compare(v, con) < 0) return false;
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== con.major) return false;
  return !(v.minor !== con.minor && !c.minorDirty);
}

function caret(v: Version, c: Constraint): boolean {
  const { con } = c;
  if (compare(v, con) < 0) return false;
  if (con.major > 0n || c.minorDirty) return v.major === con.major;
  if (con.major === 0n && v.major > 0n) return false;
  if (con.minor > 0n || c.patchDirty) return v.minor === con.minor;
  if (con.minor === 0n && v.minor > 0n) return false;
  return con.patch === v.patch;
}

/** rewriteRange: "a - b" becomes ">= a, <= b ". */
function rewriteRange(s: string, budget: RegexpBudget): string {
  let out = s;
  for (const m of regexes().range.findAllSubmatch(s, -1, budget)) {
    const i = out.indexOf(m[0]!);
    if (i >= 0) out = out.slice(0, i) + `>= ${m[1]}, <= ${m[11]} ` + out.slice(i + m[0]!.length);
  }
  return out;
}

/** semver.NewConstraint: OR groups (`||`) of AND constraints (space or comma separated). */
export function newConstraint(c: string, budget: RegexpBudget): Constraint[][] {
  const rewritten = rewriteRange(c, budget);
  return rewritten.split('||').map((part) => {
    if (!regexes().valid.matches(part, budget)) throw new SemverError('improper constraint');
    const found = regexes().find.findAll(part, -1, budget).map(([from, to]) => part.slice(from, to));
    return (found.length > 0 ? found : [part]).map((s) => parseConstraint(s, budget));
  });
}

/** Constraints.Check: some OR group whose constraints all hold. */
export const checkConstraint = (cs: Constraint[][], v: Version): boolean => cs.some((group) => group.every((c) => check(v, c)));

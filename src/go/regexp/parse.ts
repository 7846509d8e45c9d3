/**
 * Go's regexp syntax (RE2, as regexp.Compile reads it: Perl flags, `^`/`$` at the ends of the text
 * unless `(?m)`), parsed into a tree that ./regexp.ts compiles the way Go does.
 *
 * ESO compiles `rewrite[].regexp.source` with Go's regexp.Compile, so a pattern Go rejects must fail
 * here too, and one Go accepts must mean the same thing. The rules below follow Go 1.26's
 * regexp/syntax parser; where JavaScript differs they are spelled out rather than borrowed:
 *   - `\d`, `\s`, `\w`, `\b` and the POSIX classes are ASCII-only; `.` excludes only `\n`;
 *   - no backreferences, lookarounds, possessive or stacked quantifiers (`a**` is an error);
 *   - `{` that does not start a valid `{n}`, `{n,}` or `{n,m}` is a literal; counts are at most 1000;
 *   - `\pN`, `\p{Greek}`, `\P{Lu}`, `\p{^L}`: names as Go 1.26 resolves them (case-insensitive,
 *     `_`, `-` and spaces ignored), which leaves scripts with multi-word names unreachable, as in Go;
 *   - flags `i`, `m`, `s`, `U` in `(?flags)` (to the end of the group) and `(?flags:re)`.
 * Character sets are matched with small JavaScript `v`-mode classes, one code point at a time: with
 * the `i` flag those fold first and complement second, which is what Go does for `(?i)[^k]` or
 * `(?i)\P{Lu}`. A set never backtracks, so matching stays linear.
 * One limit is ours, not Go's: groups nested more than 1000 deep (Go only limits capturing ones)
 * are refused with `unsupported` set, rather than risking the call stack.
 */
import {
  type CharSet,
  MAX_RUNE,
  PERL_CLASSES,
  POSIX_CLASSES,
  anyChar,
  anyCharNotNL,
  charClass,
  codePoint,
  unicodeProperty,
} from './charclass.ts';

export type { CharSet };

/** Go's EmptyOp bits: the zero-width conditions an instruction can require. */
export const EMPTY_BEGIN_LINE = 1;
export const EMPTY_END_LINE = 2;
export const EMPTY_BEGIN_TEXT = 4;
export const EMPTY_END_TEXT = 8;
export const EMPTY_WORD_BOUNDARY = 16;
export const EMPTY_NO_WORD_BOUNDARY = 32;

/** The parsed expression, with Go's operators (OpRepeat is expanded later, as Go's Simplify does). */
export type Node =
  | { readonly op: 'noMatch' }
  | { readonly op: 'empty' }
  | { readonly op: 'char'; readonly set: CharSet }
  | { readonly op: 'assert'; readonly when: number }
  | { readonly op: 'capture'; readonly index: number; readonly sub: Node }
  | { readonly op: 'star' | 'plus' | 'quest'; readonly nonGreedy: boolean; readonly sub: Node }
  | { readonly op: 'repeat'; readonly min: number; readonly max: number; readonly nonGreedy: boolean; readonly sub: Node }
  | { readonly op: 'concat' | 'alternate'; readonly subs: readonly Node[] };

export interface Parsed {
  readonly node: Node;
  /** Names of the capture groups by index; index 0 is the whole match, unnamed groups are ''. */
  readonly names: readonly string[];
}

/** The pattern is not one Go's regexp.Compile accepts (or, if `unsupported`, one this code cannot evaluate). */
export class GoRegexpSyntaxError extends Error {
  /** Go accepts the pattern, but it is beyond what this implementation evaluates. */
  readonly unsupported: boolean;

  constructor(message: string, unsupported = false) {
    super(message);
    this.name = 'GoRegexpSyntaxError';
    this.unsupported = unsupported;
  }
}

interface Flags {
  readonly fold: boolean;
  readonly multiLine: boolean;
  readonly dotNL: boolean;
  readonly nonGreedy: boolean;
}

const MAX_REPEAT = 1000;
/** Go's maxHeight: the deepest parse tree it accepts (non-capturing groups add no level). */
const MAX_HEIGHT = 1000;
/** Group nesting we parse recursively; Go has no limit for non-capturing groups, we stop here. */
const MAX_GROUP_DEPTH = 1000;
/** Go's maxSize: 128 MiB of 40-byte instructions. */
const MAX_SIZE = Math.floor((128 << 20) / 40);
/**
 * Ours: instructions of the compiled program. Each costs ~100 bytes here and is visited for
 * every character in the worst case, and Go's bound (3.3 million) would take ~300 MiB to
 * compile: `a{1000}` repeated 3000 times is 21 KB of source. Real patterns need hundreds.
 */
export const MAX_PROGRAM = 10_000;

export function parseGoRegexp(pattern: string): Parsed {
  if (!pattern.isWellFormed()) throw new GoRegexpSyntaxError('invalid UTF-8');
  const parser = new Parser(pattern);
  const node = parser.alternation(0);
  if (parser.pos < pattern.length) throw new GoRegexpSyntaxError(`unexpected ): \`${pattern}\``);
  if (height(node) > MAX_HEIGHT) throw new GoRegexpSyntaxError('expression nests too deeply');
  const n = size(node);
  if (n > MAX_SIZE) throw new GoRegexpSyntaxError('expression too large');
  if (n > MAX_PROGRAM) throw new GoRegexpSyntaxError(`expression too large for this operator (more than ${MAX_PROGRAM} instructions)`, true);
  return { node, names: parser.names };
}

class Parser {
  readonly src: string;
  pos = 0;
  flags: Flags = { fold: false, multiLine: false, dotNL: false, nonGreedy: false };
  readonly names: string[] = [''];

  constructor(src: string) {
    this.src = src;
  }

  /** Alternatives up to an unmatched `)` (left for the caller) or the end of the pattern. */
  alternation(depth: number): Node {
    if (depth > MAX_GROUP_DEPTH) throw new GoRegexpSyntaxError('groups nest too deeply for this operator', true);
    const alternatives: Node[] = [];
    let items: Node[] = [];
    // The text of the previous token when it was a repetition: Go refuses to stack them.
    let lastRepeat = '';
    while (this.pos < this.src.length) {
      const start = this.pos;
      const c = this.src[this.pos]!;
      let repeat = '';
      if (c === ')') break;
      if (c === '|') {
        alternatives.push(concat(items));
        items = [];
        this.pos++;
      } else if (c === '(') {
        const group = this.group(depth);
        if (group !== undefined) items.push(group);
      } else if (c === '*' || c === '+' || c === '?') {
        this.pos++;
        const op = c === '*' ? 'star' : c === '+' ? 'plus' : 'quest';
        this.repeat(items, lastRepeat, start, (sub, nonGreedy) => ({ op, nonGreedy, sub }));
        repeat = this.src.slice(start, this.pos);
      } else if (c === '{' && this.peekRepeatCounts() !== undefined) {
        const [min, max] = this.repeatCounts()!;
        if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
          throw new GoRegexpSyntaxError(`invalid repeat count: \`${this.src.slice(start, this.pos)}\``);
        }
        this.repeat(items, lastRepeat, start, (sub, nonGreedy) => ({ op: 'repeat', min, max, nonGreedy, sub }));
        repeat = this.src.slice(start, this.pos);
        const node = items.at(-1)!;
        if ((min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
          throw new GoRegexpSyntaxError(`invalid repeat count: \`${repeat}\``);
        }
      } else {
        this.atom(items);
      }
      lastRepeat = repeat;
    }
    alternatives.push(concat(items));
    return alternatives.length === 1 ? alternatives[0]! : { op: 'alternate', subs: alternatives };
  }

  /** `(`: a capture, a named capture, a non-capturing group, or a flag change (no node). */
  private group(depth: number): Node | undefined {
    const start = this.pos;
    const rest = this.src.slice(start);
    if (!rest.startsWith('(?')) {
      this.pos++;
      const index = this.names.push('') - 1;
      return { op: 'capture', index, sub: this.groupBody(depth, start) };
    }
    const named = /^\(\?P?</.exec(rest);
    if (named) {
      const end = rest.indexOf('>');
      if (end < 0) throw new GoRegexpSyntaxError(`invalid named capture: \`${rest}\``);
      const name = rest.slice(named[0].length, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new GoRegexpSyntaxError(`invalid named capture: \`${rest.slice(0, end + 1)}\``);
      this.pos += end + 1;
      const index = this.names.push(name) - 1;
      return { op: 'capture', index, sub: this.groupBody(depth, start) };
    }
    // Flags, then `)` (they apply to the rest of the current group) or `:` (a non-capturing group).
    let { fold, multiLine, dotNL, nonGreedy } = this.flags;
    let negated = false;
    let sawFlag = false;
    for (let i = 2; i < rest.length; i++) {
      const c = rest[i]!;
      const set = !negated;
      if (c === 'i') fold = set;
      else if (c === 'm') multiLine = set;
      else if (c === 's') dotNL = set;
      else if (c === 'U') nonGreedy = set;
      else if (c === '-' && !negated) {
        negated = true;
        sawFlag = false;
        continue;
      } else if ((c === ':' || c === ')') && !(negated && !sawFlag)) {
        this.pos += i + 1;
        const flags = { fold, multiLine, dotNL, nonGreedy };
        if (c === ')') {
          this.flags = flags;
          return undefined;
        }
        const saved = this.flags;
        this.flags = flags;
        const sub = this.groupBody(depth, start);
        this.flags = saved;
        return sub;
      } else {
        throw new GoRegexpSyntaxError(`invalid or unsupported Perl syntax: \`${rest.slice(0, i + 1)}\``);
      }
      sawFlag = true;
    }
    throw new GoRegexpSyntaxError(`invalid or unsupported Perl syntax: \`${rest}\``);
  }

  /** The inside of a group and its `)`; flags set inside do not leak out. */
  private groupBody(depth: number, start: number): Node {
    const saved = this.flags;
    const sub = this.alternation(depth + 1);
    this.flags = saved;
    if (this.src[this.pos] !== ')') throw new GoRegexpSyntaxError(`missing closing ): \`${this.src.slice(start)}\``);
    this.pos++;
    return sub;
  }

  /** Applies a repetition to the last item; its `?` suffix flips greediness. */
  private repeat(items: Node[], lastRepeat: string, start: number, make: (sub: Node, nonGreedy: boolean) => Node): void {
    let nonGreedy = this.flags.nonGreedy;
    if (this.src[this.pos] === '?') {
      this.pos++;
      nonGreedy = !nonGreedy;
    }
    if (lastRepeat !== '') {
      throw new GoRegexpSyntaxError(`invalid nested repetition operator: \`${lastRepeat}${this.src.slice(start, this.pos)}\``);
    }
    const sub = items.pop();
    if (sub === undefined) throw new GoRegexpSyntaxError(`missing argument to repetition operator: \`${this.src.slice(start, this.pos)}\``);
    items.push(make(sub, nonGreedy));
  }

  /** Whether a `{` at pos starts a repetition; if not, Go reads it as a literal. */
  private peekRepeatCounts(): [number, number] | undefined {
    const saved = this.pos;
    const counts = this.repeatCounts();
    this.pos = saved;
    return counts;
  }

  /** `{n}`, `{n,}` or `{n,m}` at pos: the counts (max -1 for none), consuming it; else undefined. */
  private repeatCounts(): [number, number] | undefined {
    const m = /^\{([0-9]+)(?:(,)([0-9]*))?\}/.exec(this.src.slice(this.pos));
    if (!m) return undefined;
    const min = goInt(m[1]!);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : goInt(m[3]!);
    if (min === undefined || max === undefined) return undefined;
    this.pos += m[0].length;
    // A count past Go's parseInt range makes the repetition invalid, not literal.
    return min === -2 || max === -2 ? [-1, -1] : [min, max];
  }

  /** One literal, class, escape or anchor. */
  private atom(items: Node[]): void {
    const c = this.src.codePointAt(this.pos)!;
    const { fold, multiLine, dotNL } = this.flags;
    switch (c) {
      case 0x5e /* ^ */:
        this.pos++;
        items.push({ op: 'assert', when: multiLine ? EMPTY_BEGIN_LINE : EMPTY_BEGIN_TEXT });
        return;
      case 0x24 /* $ */:
        this.pos++;
        items.push({ op: 'assert', when: multiLine ? EMPTY_END_LINE : EMPTY_END_TEXT });
        return;
      case 0x2e /* . */:
        this.pos++;
        items.push({ op: 'char', set: dotNL ? anyChar : anyCharNotNL });
        return;
      case 0x5b /* [ */:
        items.push({ op: 'char', set: this.bracketClass() });
        return;
      case 0x5c /* \ */:
        this.escapeAtom(items);
        return;
      default:
        this.pos += c > 0xffff ? 2 : 1;
        items.push(literal(c, fold));
    }
  }

  private escapeAtom(items: Node[]): void {
    const next = this.src[this.pos + 1];
    const zeroWidth: Record<string, number> = { A: EMPTY_BEGIN_TEXT, z: EMPTY_END_TEXT, b: EMPTY_WORD_BOUNDARY, B: EMPTY_NO_WORD_BOUNDARY };
    if (next !== undefined && next in zeroWidth) {
      this.pos += 2;
      items.push({ op: 'assert', when: zeroWidth[next]! });
      return;
    }
    if (next === 'C') throw new GoRegexpSyntaxError('invalid escape sequence: `\\C`');
    if (next === 'Q') {
      // \Q...\E: literal text, each character its own item.
      const end = this.src.indexOf('\\E', this.pos + 2);
      const text = this.src.slice(this.pos + 2, end < 0 ? undefined : end);
      this.pos = end < 0 ? this.src.length : end + 2;
      for (const ch of text) items.push(literal(ch.codePointAt(0)!, this.flags.fold));
      return;
    }
    const group = this.unicodeClass() ?? this.perlClass();
    if (group !== undefined) {
      items.push({ op: 'char', set: charClass(`[${group}]`, this.flags.fold) });
      return;
    }
    items.push(literal(this.escape(), this.flags.fold));
  }

  /** `[...]`: Go reads `]` first as a literal, `-` anywhere, and nested `[:name:]`, `\p`, `\d`. */
  private bracketClass(): CharSet {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const parts: string[] = [];
    let first = true;
    while (first || this.src[this.pos] !== ']') {
      if (this.pos >= this.src.length) throw new GoRegexpSyntaxError(`missing closing ]: \`${this.src.slice(start)}\``);
      first = false;
      const group = this.posixClass() ?? this.unicodeClass() ?? this.perlClass();
      if (group !== undefined) {
        parts.push(group);
        continue;
      }
      const rangeStart = this.pos;
      const lo = this.classChar(start);
      let hi = lo;
      if (this.src[this.pos] === '-' && this.pos + 1 < this.src.length && this.src[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.classChar(start);
        if (hi < lo) throw new GoRegexpSyntaxError(`invalid character class range: \`${this.src.slice(rangeStart, this.pos)}\``);
      }
      parts.push(lo === hi ? codePoint(lo) : `${codePoint(lo)}-${codePoint(hi)}`);
    }
    this.pos++;
    return charClass(`[${negated ? '^' : ''}${parts.join('')}]`, this.flags.fold);
  }

  private classChar(classStart: number): number {
    if (this.pos >= this.src.length) throw new GoRegexpSyntaxError(`missing closing ]: \`${this.src.slice(classStart)}\``);
    if (this.src[this.pos] === '\\') return this.escape();
    const c = this.src.codePointAt(this.pos)!;
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  /** `[:alpha:]` and `[:^alpha:]` inside a class, as a class fragment. */
  private posixClass(): string | undefined {
    if (!this.src.startsWith('[:', this.pos)) return undefined;
    const end = this.src.indexOf(':]', this.pos + 2);
    if (end < 0) return undefined;
    const name = this.src.slice(this.pos, end + 2);
    const negated = name[2] === '^';
    const ranges = POSIX_CLASSES[negated ? `[:${name.slice(3)}` : name];
    if (ranges === undefined) throw new GoRegexpSyntaxError(`invalid character class range: \`${name}\``);
    this.pos = end + 2;
    return `[${negated ? '^' : ''}${ranges}]`;
  }

  /** `\d`, `\s`, `\w` and their negations, as a class fragment. */
  private perlClass(): string | undefined {
    const name = this.src.slice(this.pos, this.pos + 2);
    const ranges = PERL_CLASSES[name.toLowerCase()];
    if (name[0] !== '\\' || ranges === undefined) return undefined;
    this.pos += 2;
    return name[1] === name[1]!.toUpperCase() ? `[^${ranges}]` : `[${ranges}]`;
  }

  /** `\pL`, `\p{Greek}`, `\P{Lu}`, `\p{^L}`, as a class fragment. */
  private unicodeClass(): string | undefined {
    const s = this.src;
    if (s[this.pos] !== '\\' || (s[this.pos + 1] !== 'p' && s[this.pos + 1] !== 'P')) return undefined;
    let positive = s[this.pos + 1] === 'p';
    let name: string;
    let end: number;
    if (s[this.pos + 2] === '{') {
      const close = s.indexOf('}', this.pos);
      if (close < 0) throw new GoRegexpSyntaxError(`invalid character class range: \`${s.slice(this.pos)}\``);
      name = s.slice(this.pos + 3, close);
      end = close + 1;
    } else {
      if (this.pos + 2 >= s.length) throw new GoRegexpSyntaxError(`invalid character class range: \`${s.slice(this.pos)}\``);
      const c = s.codePointAt(this.pos + 2)!;
      name = String.fromCodePoint(c);
      end = this.pos + 2 + name.length;
    }
    const seq = s.slice(this.pos, end);
    if (name.startsWith('^')) {
      positive = !positive;
      name = name.slice(1);
    }
    const property = unicodeProperty(name);
    if (property === undefined) throw new GoRegexpSyntaxError(`invalid character class range: \`${seq}\``);
    this.pos = end;
    return positive ? property : `[^${property}]`;
  }

  /** Go's parseEscape: one escaped code point (pos is at the backslash). */
  private escape(): number {
    const s = this.src;
    const start = this.pos;
    if (start + 1 >= s.length) throw new GoRegexpSyntaxError('trailing backslash at end of expression');
    const c = s.codePointAt(start + 1)!;
    this.pos = start + 1 + (c > 0xffff ? 2 : 1);
    const bad = (): GoRegexpSyntaxError => new GoRegexpSyntaxError(`invalid escape sequence: \`${s.slice(start, this.pos)}\``);
    const ch = String.fromCodePoint(c);
    if (c < 0x80 && !/[0-9A-Za-z]/.test(ch)) return c;
    if (ch >= '0' && ch <= '7') {
      // Octal, up to three digits; a lone \1-\7 would be a backreference, which Go refuses.
      if (ch !== '0' && !/[0-7]/.test(s[this.pos] ?? '')) throw bad();
      let value = c - 0x30;
      for (let i = 1; i < 3 && /[0-7]/.test(s[this.pos] ?? ''); i++) value = value * 8 + (s.charCodeAt(this.pos++) - 0x30);
      return value;
    }
    if (ch === 'x') {
      if (s[this.pos] === '{') {
        const m = /^\{([0-9A-Fa-f]+)\}/.exec(s.slice(this.pos));
        // Go stops reading as soon as the value passes U+10FFFF.
        if (!m || !/^0*[0-9A-Fa-f]{1,6}$/.test(m[1]!) || Number.parseInt(m[1]!, 16) > MAX_RUNE) {
          this.pos = Math.min(s.length, this.pos + (m?.[0].length ?? 1));
          throw bad();
        }
        this.pos += m[0].length;
        return Number.parseInt(m[1]!, 16);
      }
      const hex = s.slice(this.pos, this.pos + 2);
      this.pos = Math.min(s.length, this.pos + 2);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad();
      return Number.parseInt(hex, 16);
    }
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (ch in simple) return simple[ch]!;
    throw bad();
  }
}

function concat(items: Node[]): Node {
  if (items.length === 0) return { op: 'empty' };
  return items.length === 1 ? items[0]! : { op: 'concat', subs: items };
}

/** Go's parseInt for repeat counts: no leading zeros; past 1e8 it reports -2 (too large). */
function goInt(digits: string): number | undefined {
  if (digits.length >= 2 && digits[0] === '0') return undefined;
  return digits.length > 8 ? -2 : Number(digits);
}

/** Go's repeatIsValid: nested counted repetitions may not multiply beyond n copies. */
function repeatIsValid(node: Node, limit: number): boolean {
  let n = limit;
  if (node.op === 'repeat') {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
  }
  return children(node).every((sub) => repeatIsValid(sub, n));
}

function children(node: Node): readonly Node[] {
  if ('subs' in node) return node.subs;
  if ('sub' in node) return [node.sub];
  return [];
}

/** Go's calcHeight: levels of the parse tree. (Go merges literal runs into one node; close enough.) */
function height(node: Node): number {
  return 1 + children(node).reduce((deepest, sub) => Math.max(deepest, height(sub)), 0);
}

/** Go's calcSize estimate of the compiled program. */
function size(node: Node): number {
  let n: number;
  switch (node.op) {
    case 'capture':
    case 'star':
      n = 2 + size(node.sub);
      break;
    case 'plus':
    case 'quest':
      n = 1 + size(node.sub);
      break;
    case 'concat':
    case 'alternate':
      n = node.subs.reduce((sum, sub) => sum + size(sub), node.op === 'alternate' ? node.subs.length - 1 : 0);
      break;
    case 'repeat': {
      const sub = size(node.sub);
      n = node.max === -1 ? (node.min === 0 ? 2 + sub : 1 + node.min * sub) : node.max * sub + (node.max - node.min);
      break;
    }
    default:
      n = 1;
  }
  return Math.max(1, n);
}

/** One literal character; under `(?i)` it matches its case variants (Go's SimpleFold orbit). */
function literal(c: number, fold: boolean): Node {
  return { op: 'char', set: fold ? charClass(`[${codePoint(c)}]`, true) : (x) => x === c };
}

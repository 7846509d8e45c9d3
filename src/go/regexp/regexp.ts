/**
 * Go's regexp.ReplaceAllString, for `rewrite[].regexp` (ESO: runtime/esutils/utils.go RewriteRegexp).
 *
 * The parsed pattern (./parse.ts) is simplified and compiled to instructions as Go's regexp/syntax
 * does (counted repetitions expanded, `x*` of an empty-matching `x` compiled as `(x+)?`), and run on
 * a Pike VM: threads in priority order, one per instruction and position, so the match is Go's
 * leftmost-first match with Go's submatches (`((a)|b)+` on "ab" captures "a" as group 2, where a
 * JavaScript RegExp would say undefined), and time stays linear in the key: a pattern from one
 * namespace cannot stall the operator by backtracking.
 */
import {
  EMPTY_BEGIN_LINE,
  EMPTY_BEGIN_TEXT,
  EMPTY_END_LINE,
  EMPTY_END_TEXT,
  EMPTY_NO_WORD_BOUNDARY,
  EMPTY_WORD_BOUNDARY,
  type CharSet,
  GoRegexpSyntaxError,
  type Node,
  parseGoRegexp,
} from './parse.ts';

export { GoRegexpSyntaxError };

/** A match or replacement went past its RegexpBudget. */
export class GoRegexpLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoRegexpLimitError';
  }
}

/**
 * What matching may spend: steps (threads the VM follows, and template pieces expanded) and
 * bytes of replacement output, counted as they are spent. One budget can be shared by many
 * calls (every key of a rewrite), so that many keys cannot multiply it.
 */
export class RegexpBudget {
  readonly maxSteps: number;
  readonly maxBytes: number;
  steps = 0;
  bytes = 0;

  constructor(maxSteps: number, maxBytes = Infinity) {
    this.maxSteps = maxSteps;
    this.maxBytes = maxBytes;
  }

  step(): void {
    if (++this.steps > this.maxSteps) throw new GoRegexpLimitError(`matching takes more than the limit of ${this.maxSteps} steps`);
  }

  write(n: number): void {
    this.bytes += n;
    if (this.bytes > this.maxBytes) throw new GoRegexpLimitError(`the result exceeds the limit of ${this.maxBytes} bytes`);
  }
}

/**
 * Steps one call may take unless given a budget. A step costs ~100-150 ns; a simple pattern
 * takes ~5-10 steps a character, so 100,000 (~10-15 ms) is ample for a name or key of a few
 * hundred characters, and refuses only patterns that keep thousands of threads alive.
 */
export const DEFAULT_MATCH_STEPS = 100_000;

/** A replacement template, parsed once: text, and references to groups by index or name. */
type Piece = string | { readonly index: number; readonly name: string };

type Inst =
  | { op: 'fail' }
  | { op: 'match' }
  | { op: 'char'; set: CharSet; out: number }
  | { op: 'alt'; out: number; arg: number }
  | { op: 'empty'; when: number; out: number }
  | { op: 'nop'; out: number }
  | { op: 'capture'; slot: number; out: number };

export class GoRegexp {
  private readonly prog: readonly Inst[];
  private readonly start: number;
  /** Capture group names by index (0 is the whole match; unnamed groups are ''). */
  readonly names: readonly string[];

  private constructor(prog: readonly Inst[], start: number, names: readonly string[]) {
    this.prog = prog;
    this.start = start;
    this.names = names;
  }

  /** regexp.Compile; throws GoRegexpSyntaxError where Go reports an error. */
  static compile(pattern: string): GoRegexp {
    try {
      const parsed = parseGoRegexp(pattern);
      const compiler = new Compiler();
      const frag = compiler.compile(simplify(parsed.node));
      const match = compiler.emit({ op: 'match' });
      compiler.patch(frag.out, match);
      return new GoRegexp(compiler.prog, frag.i, parsed.names);
    } catch (error) {
      // Deep nesting Go would accept can exhaust our call stack: refuse it rather than crash.
      if (error instanceof RangeError) throw new GoRegexpSyntaxError('expression too complex for this operator', true);
      throw error;
    }
  }

  /** re.MatchString(src): an unanchored search, as find.name.regexp uses it. Throws GoRegexpLimitError past the budget. */
  matches(src: string, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): boolean {
    return this.exec(Array.from(src, (ch) => ch.codePointAt(0)!), 0, budget) !== undefined;
  }

  /**
   * re.ReplaceAllString(src, template), with Go's `$1`, `${1}`, `$name`, `${name}` and `$$`.
   * The output is counted against the budget as it is expanded, so `$1$1$1...` stops at the
   * bound rather than after building the key; throws GoRegexpLimitError.
   */
  replaceAll(src: string, template: string, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): string {
    const text = Array.from(src, (ch) => ch.codePointAt(0)!);
    const pieces = parseTemplate(template);
    const chunks: string[] = [];
    let parts: string[] = [];
    const write = (s: string): void => {
      if (s === '') return;
      budget.write(s.length);
      parts.push(s);
      if (parts.length >= 1024) {
        chunks.push(parts.join(''));
        parts = [];
      }
    };
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= text.length) {
      const m = this.exec(text, searchPos, budget);
      if (m === undefined) break;
      const [from, to] = m;
      write(fromCodePoints(text, lastMatchEnd, from!));
      // An empty match right after a match is not replaced (Go's rule, against double replacement).
      if (to! > lastMatchEnd || from === 0) this.expand(pieces, text, m, budget, write);
      lastMatchEnd = to!;
      // Advance at least one character.
      searchPos = Math.max(searchPos + 1, to!);
    }
    write(fromCodePoints(text, lastMatchEnd, text.length));
    return chunks.join('') + parts.join('');
  }

  /** Regexp.Expand of a parsed template; each piece is a step, each group's text is written. */
  private expand(pieces: readonly Piece[], text: readonly number[], m: readonly number[], budget: RegexpBudget, write: (s: string) => void): void {
    // A group's text is made once per match, however often the template names it.
    const groups: (string | undefined)[] = [];
    for (const piece of pieces) {
      budget.step();
      if (typeof piece === 'string') {
        write(piece);
        continue;
      }
      const group = piece.index >= 0 ? piece.index : this.names.findIndex((n, i) => n === piece.name && m[2 * i]! >= 0);
      if (group >= 0 && 2 * group + 1 < m.length && m[2 * group]! >= 0) {
        write((groups[group] ??= fromCodePoints(text, m[2 * group]!, m[2 * group + 1]!)));
      }
    }
  }

  /** Go's NFA (regexp/exec.go, leftmost-first): capture positions of the first match at or after pos. */
  private exec(text: readonly number[], pos: number, budget: RegexpBudget): number[] | undefined {
    const slots = 2 * this.names.length;
    // A queue remembers every instruction it has reached, so a later (lower-priority) path to one is dropped.
    let runq: Queue = { threads: [], seen: new Set() };
    let matched: number[] | undefined;
    for (let at = pos; ; at++) {
      if (runq.threads.length === 0 && matched !== undefined) break;
      if (matched === undefined) {
        // A match starting here ranks below every thread already running.
        const caps = new Array<number>(slots).fill(-1);
        caps[0] = at;
        this.add(runq, this.start, at, caps, emptyContext(text, at), budget);
      }
      const c = at < text.length ? text[at]! : -1;
      const nextq: Queue = { threads: [], seen: new Set() };
      const nextCond = emptyContext(text, at + 1);
      for (const { pc, caps } of runq.threads) {
        const inst = this.prog[pc]!;
        if (inst.op === 'match') {
          matched = caps.slice();
          matched[1] = at;
          // First match wins: lower-priority threads are dropped.
          break;
        }
        if (inst.op === 'char' && c >= 0 && inst.set(c)) this.add(nextq, inst.out, at + 1, caps, nextCond, budget);
      }
      if (at >= text.length) break;
      runq = nextq;
    }
    return matched;
  }

  /** Follows empty transitions from pc in priority order; the first thread to reach an instruction wins. */
  private add(q: Queue, pc0: number, at: number, caps0: number[], cond: number, budget: RegexpBudget): void {
    const stack: Thread[] = [{ pc: pc0, caps: caps0 }];
    while (stack.length > 0) {
      budget.step();
      const { pc, caps } = stack.pop()!;
      if (pc === 0 || q.seen.has(pc)) continue;
      q.seen.add(pc);
      const inst = this.prog[pc]!;
      switch (inst.op) {
        case 'alt':
          // Out before Arg: pushed in reverse.
          stack.push({ pc: inst.arg, caps }, { pc: inst.out, caps });
          break;
        case 'empty':
          if ((inst.when & ~cond) === 0) stack.push({ pc: inst.out, caps });
          break;
        case 'nop':
          stack.push({ pc: inst.out, caps });
          break;
        case 'capture': {
          const copy = caps.slice();
          if (inst.slot < copy.length) copy[inst.slot] = at;
          stack.push({ pc: inst.out, caps: copy });
          break;
        }
        case 'char':
        case 'match':
          q.threads.push({ pc, caps });
          break;
        case 'fail':
          break;
      }
    }
  }
}

interface Thread {
  readonly pc: number;
  readonly caps: number[];
}

interface Queue {
  readonly threads: Thread[];
  readonly seen: Set<number>;
}

/** The text of code points from..to-1, made in slices (no `+=` per character). */
function fromCodePoints(text: readonly number[], from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i += 4096) parts.push(String.fromCodePoint(...text.slice(i, Math.min(to, i + 4096))));
  return parts.join('');
}

/** Replacement templates parsed, so a rewrite over many keys parses its target once. */
const templates = new Map<string, readonly Piece[]>();

/** Regexp.Expand's reading of a template: `$$`, `$name`, `${name}`; a malformed `$` is kept as text. */
function parseTemplate(template: string): readonly Piece[] {
  let pieces = templates.get(template);
  if (pieces !== undefined) return pieces;
  const out: Piece[] = [];
  let text: string[] = [];
  const flush = (): void => {
    const joined = text.join('');
    if (joined !== '') out.push(joined);
    text = [];
  };
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    text.push(rest.slice(0, dollar));
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      text.push('$');
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!ref) {
      // Malformed: the `$` is kept as text.
      text.push('$');
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = ref[1] ?? ref[2]!;
    flush();
    // Digits (no leading zero, at most nine) are a group index; anything else a group name.
    out.push({ index: /^(?:0|[1-9][0-9]{0,8})$/.test(name) ? Number(name) : -1, name });
  }
  text.push(rest);
  flush();
  pieces = out;
  if (templates.size >= 256) templates.delete(templates.keys().next().value!);
  templates.set(template, pieces);
  return pieces;
}

const isWordChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);

/** syntax.EmptyOpContext of the characters around position at (-1 beyond either end). */
function emptyContext(text: readonly number[], at: number): number {
  const before = at > 0 ? text[at - 1]! : -1;
  const after = at < text.length ? text[at]! : -1;
  let op = EMPTY_NO_WORD_BOUNDARY;
  if (before < 0) op |= EMPTY_BEGIN_TEXT | EMPTY_BEGIN_LINE;
  else if (before === 0x0a) op |= EMPTY_BEGIN_LINE;
  if (after < 0) op |= EMPTY_END_TEXT | EMPTY_END_LINE;
  else if (after === 0x0a) op |= EMPTY_END_LINE;
  if (isWordChar(before) !== isWordChar(after)) op ^= EMPTY_WORD_BOUNDARY | EMPTY_NO_WORD_BOUNDARY;
  return op;
}

// ---------------------------------------------------------------------------------------------
// Simplify (regexp/syntax/simplify.go): counted repetitions become copies and nested `?`s.

function simplify(node: Node): Node {
  switch (node.op) {
    case 'capture':
      return { ...node, sub: simplify(node.sub) };
    case 'concat':
    case 'alternate':
      return { ...node, subs: node.subs.map(simplify) };
    case 'star':
    case 'plus':
    case 'quest':
      return simplify1(node.op, node.nonGreedy, simplify(node.sub));
    case 'repeat':
      return simplifyRepeat(node.min, node.max, node.nonGreedy, node.sub);
    default:
      return node;
  }
}

function simplify1(op: 'star' | 'plus' | 'quest', nonGreedy: boolean, sub: Node): Node {
  // Repeating the empty string matches it once; `(?:x*)*` is `x*`.
  if (sub.op === 'empty') return sub;
  if (sub.op === op && sub.nonGreedy === nonGreedy) return sub;
  return { op, nonGreedy, sub };
}

function simplifyRepeat(min: number, max: number, nonGreedy: boolean, node: Node): Node {
  if (min === 0 && max === 0) return { op: 'empty' };
  const sub = simplify(node);
  if (max === -1) {
    if (min === 0) return simplify1('star', nonGreedy, sub);
    if (min === 1) return simplify1('plus', nonGreedy, sub);
    // x{4,} is xxxx+.
    return { op: 'concat', subs: [...Array<Node>(min - 1).fill(sub), simplify1('plus', nonGreedy, sub)] };
  }
  if (min === 1 && max === 1) return sub;
  // x{2,5} is xx(x(x(x)?)?)?
  const prefix: Node[] = Array<Node>(min).fill(sub);
  if (max > min) {
    let suffix = simplify1('quest', nonGreedy, sub);
    for (let i = min + 1; i < max; i++) suffix = simplify1('quest', nonGreedy, { op: 'concat', subs: [sub, suffix] });
    if (prefix.length === 0) return suffix;
    prefix.push(suffix);
  }
  return prefix.length > 0 ? { op: 'concat', subs: prefix } : { op: 'noMatch' };
}

// ---------------------------------------------------------------------------------------------
// Compile (regexp/syntax/compile.go): fragments with lists of holes to patch; pc 0 fails.

/** A hole: the out (or, for alt, arg) field of an instruction, still to be pointed somewhere. */
type Hole = readonly [pc: number, field: 'out' | 'arg'];

interface Frag {
  /** First instruction; 0 means "never matches". */
  readonly i: number;
  readonly out: readonly Hole[];
  readonly nullable: boolean;
}

const FAIL: Frag = { i: 0, out: [], nullable: false };

class Compiler {
  readonly prog: Inst[] = [{ op: 'fail' }];

  emit(inst: Inst): number {
    return this.prog.push(inst) - 1;
  }

  patch(holes: readonly Hole[], target: number): void {
    for (const [pc, field] of holes) (this.prog[pc] as Record<typeof field, number>)[field] = target;
  }

  compile(node: Node): Frag {
    switch (node.op) {
      case 'noMatch':
        return FAIL;
      case 'empty':
        return this.single({ op: 'nop', out: 0 }, true);
      case 'char':
        return this.single({ op: 'char', set: node.set, out: 0 }, false);
      case 'assert':
        return this.single({ op: 'empty', when: node.when, out: 0 }, true);
      case 'capture': {
        const open = this.single({ op: 'capture', slot: 2 * node.index, out: 0 }, true);
        const sub = this.compile(node.sub);
        const close = this.single({ op: 'capture', slot: 2 * node.index + 1, out: 0 }, true);
        return this.cat(this.cat(open, sub), close);
      }
      case 'star':
        return this.star(this.compile(node.sub), node.nonGreedy);
      case 'plus':
        return this.plus(this.compile(node.sub), node.nonGreedy);
      case 'quest':
        return this.quest(this.compile(node.sub), node.nonGreedy);
      case 'concat':
        return node.subs.map((sub) => this.compile(sub)).reduce((f, g) => this.cat(f, g));
      case 'alternate':
        return node.subs.map((sub) => this.compile(sub)).reduce((f, g) => this.alt(f, g));
      case 'repeat':
        throw new Error('repeat survived simplify');
    }
  }

  private single(inst: Inst, nullable: boolean): Frag {
    const i = this.emit(inst);
    return { i, out: [[i, 'out']], nullable };
  }

  private cat(f1: Frag, f2: Frag): Frag {
    if (f1.i === 0 || f2.i === 0) return FAIL;
    this.patch(f1.out, f2.i);
    return { i: f1.i, out: f2.out, nullable: f1.nullable && f2.nullable };
  }

  private alt(f1: Frag, f2: Frag): Frag {
    if (f1.i === 0) return f2;
    if (f2.i === 0) return f1;
    const i = this.emit({ op: 'alt', out: f1.i, arg: f2.i });
    return { i, out: [...f1.out, ...f2.out], nullable: f1.nullable || f2.nullable };
  }

  private quest(f1: Frag, nonGreedy: boolean): Frag {
    const i = nonGreedy ? this.emit({ op: 'alt', out: 0, arg: f1.i }) : this.emit({ op: 'alt', out: f1.i, arg: 0 });
    const hole: Hole = [i, nonGreedy ? 'out' : 'arg'];
    return { i, out: [hole, ...f1.out], nullable: true };
  }

  /** The loop instruction shared by star and plus: it returns to f1 or leaves. */
  private loop(f1: Frag, nonGreedy: boolean): Frag {
    const i = nonGreedy ? this.emit({ op: 'alt', out: 0, arg: f1.i }) : this.emit({ op: 'alt', out: f1.i, arg: 0 });
    this.patch(f1.out, i);
    return { i, out: [[i, nonGreedy ? 'out' : 'arg']], nullable: true };
  }

  private star(f1: Frag, nonGreedy: boolean): Frag {
    // An empty-matching body is compiled as (x+)? to keep Go's priorities (golang.org/issue/46123).
    return f1.nullable ? this.quest(this.plus(f1, nonGreedy), nonGreedy) : this.loop(f1, nonGreedy);
  }

  private plus(f1: Frag, nonGreedy: boolean): Frag {
    return { i: f1.i, out: this.loop(f1, nonGreedy).out, nullable: f1.nullable };
  }
}

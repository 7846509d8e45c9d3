/**
 * Go's regexp, for `rewrite[].regexp` (ESO: runtime/esutils/utils.go RewriteRegexp, ReplaceAllString),
 * `find.name.regexp` and ClusterSecretStore `conditions[].namespaceRegexes` (MatchString).
 *
 * The engine is re2js, a JavaScript port of RE2 built as Go's regexp is: Go's syntax, leftmost-first
 * matches with Go's submatches (`((a)|b)+` on "ab" captures "a" as group 2), and time linear in the
 * text, so a pattern from one namespace cannot stall the operator by backtracking. On top of it:
 *   - ./pattern.ts: Go 1.26's `\p{name}` lookup and repeated group names, and a size estimate that
 *     refuses huge programs before re2js builds them;
 *   - ./expand.ts: Go's Regexp.Expand for the replacement (re2js follows Java's or JavaScript's);
 *   - here, ReplaceAllString's and FindAll's loops (Go's rule for an empty match right after a match),
 *     Split, and a budget.
 * Where we differ from Go:
 *   - Go matches UTF-8 bytes; we match the code points of a JavaScript string. A lone surrogate
 *     (invalid UTF-8 once encoded) is one character that `.` matches and that is copied through,
 *     where Go would see U+FFFD; a pattern that is not well-formed is refused ("invalid UTF-8").
 *     A character outside the BMP is one character, as in Go.
 *   - re2js's Unicode tables are version 17, Go 1.26's 15.0: `\p{...}` classes and case folding
 *     differ for characters assigned since.
 *   - MAX_PROGRAM and the step budgets are ours (Go has neither).
 */
import { MatcherInput, RE2JS, RE2JSSyntaxException } from 're2js';
import { GoRegexpLimitError, GoRegexpSyntaxError } from './errors.ts';
import { expand, parseTemplate, type Template } from './expand.ts';
import { readPattern } from './pattern.ts';

export { GoRegexpLimitError, GoRegexpSyntaxError };

/**
 * Ours: instructions of the compiled program. re2js builds ~5 µs and ~150 bytes an instruction,
 * and Go's bound (3.3 million) would take seconds and hundreds of MiB: `a{1000}` repeated 3000
 * times is 21 KB of source. Real patterns need hundreds. Go's estimate of the size (./pattern.ts)
 * must be within twice this before re2js builds the program; the program itself within this.
 */
export const MAX_PROGRAM = 10_000;

/**
 * What matching may spend: steps and bytes of replacement output, counted as they are spent. One
 * search costs a step per instruction of the program and character of the text it may read (from
 * where it starts to the end), which is the most work RE2's engines do for it, charged before it
 * runs; each piece of a replacement template expanded is a step. One budget can be shared by many
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

  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.maxSteps) throw new GoRegexpLimitError(`matching takes more than the limit of ${this.maxSteps} steps`);
  }

  write(n: number): void {
    this.bytes += n;
    if (this.bytes > this.maxBytes) throw new GoRegexpLimitError(`the result exceeds the limit of ${this.maxBytes} bytes`);
  }
}

/**
 * Steps one call may take unless given a budget. A step takes re2js ~120-170 ns where thousands of
 * threads stay alive (far less for most patterns), so 100,000 is at most ~15 ms: a pattern of 195
 * instructions over an AWS secret name (at most 512 characters), or of 1,500 over a namespace (63).
 */
export const DEFAULT_MATCH_STEPS = 100_000;

export class GoRegexp {
  private readonly re: RE2JS;
  /** Capture group names by index (0 is the whole match; unnamed groups are ''). */
  readonly names: readonly string[];

  /** The pattern as given (Go's Split treats an empty one specially). */
  readonly source: string;

  private constructor(re: RE2JS, names: readonly string[], source: string) {
    this.re = re;
    this.names = names;
    this.source = source;
  }

  /** regexp.Compile; throws GoRegexpSyntaxError where Go reports an error, or (`unsupported`) where we refuse. */
  static compile(pattern: string): GoRegexp {
    if (!pattern.isWellFormed()) throw new GoRegexpSyntaxError('invalid UTF-8');
    const tooLarge = (): GoRegexpSyntaxError =>
      new GoRegexpSyntaxError(`expression too large for this operator (more than ${MAX_PROGRAM} instructions)`, true);
    const { source, names, size } = readPattern(pattern);
    if (size > 2 * MAX_PROGRAM) throw tooLarge();
    let re: RE2JS;
    try {
      re = RE2JS.compile(source);
    } catch (error) {
      // re2js's message is Go's, after Go's own prefix (which InvalidSpec messages add back).
      if (error instanceof RE2JSSyntaxException) {
        const detail = { code: error.getDescription(), offset: offsetOf(pattern, error.getPattern()) };
        throw new GoRegexpSyntaxError(error.message.replace(/^error parsing regexp: /, ''), false, detail);
      }
      // Nesting Go would accept can exhaust the call stack: refuse it rather than crash.
      if (error instanceof RangeError) throw new GoRegexpSyntaxError('expression too complex for this operator', true);
      throw error;
    }
    if (re.programSize() > MAX_PROGRAM) throw tooLarge();
    if (re.groupCount() !== names.length - 1) throw new Error(`regexp groups: re2js counts ${re.groupCount()}, the pattern reader ${names.length - 1}`);
    return new GoRegexp(re, names, pattern);
  }

  /** re.MatchString(src): an unanchored search. Throws GoRegexpLimitError past the budget. */
  matches(src: string, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): boolean {
    budget.step(this.searchCost(src, 0));
    return this.re.test(src);
  }

  /**
   * re.ReplaceAllString(src, template), the template expanded as Go's Regexp.Expand does. The
   * output is counted against the budget as it is written, so `$1$1$1...` stops at the bound
   * rather than after building the key; throws GoRegexpLimitError.
   */
  replaceAll(src: string, template: string, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): string {
    return this.#replace(src, parseTemplate(template), budget);
  }

  /** re.ReplaceAllLiteralString(src, repl): the replacement as it is, without `$` expansion. */
  replaceAllLiteral(src: string, repl: string, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): string {
    return this.#replace(src, [repl], budget);
  }

  #replace(src: string, pieces: Template, budget: RegexpBudget): string {
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
    const step = (): void => budget.step();
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length) {
      const match = this.#search(src, searchPos, budget);
      if (match === undefined) break;
      const [from, to] = match as [number, number];
      write(src.slice(lastMatchEnd, from));
      // An empty match right after a match is not replaced (Go's rule, against double replacement).
      if (to > lastMatchEnd || from === 0) expand(pieces, this.names, src, match, step, write);
      lastMatchEnd = to;
      // Advance at least one character (two UTF-16 units for one outside the BMP).
      const width = (src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
      searchPos = Math.max(searchPos + width, to);
    }
    write(src.slice(lastMatchEnd));
    return chunks.join('') + parts.join('');
  }

  /** One search from pos, charged first: the match's group offsets, or undefined. */
  #search(src: string, pos: number, budget: RegexpBudget): number[] | undefined {
    budget.step(this.searchCost(src, pos));
    const [found, match] = this.re.re2().matchWithGroup(MatcherInput.utf16(src), pos, src.length, UNANCHORED, this.names.length) as [
      boolean,
      number[] | null,
    ];
    return found && match !== null ? match : undefined;
  }

  /**
   * re.FindAllStringIndex(src, n) (n < 0: all): [start, end] of each match, left to right, an
   * empty match right after a match skipped, as Go's allMatches does.
   */
  findAll(src: string, n: number, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): [number, number][] {
    return this.#allMatches(src, n, budget).map((m) => [m[0]!, m[1]!]);
  }

  /** re.FindAllStringSubmatch(src, n): each match and its groups' text ("" for a group that did not take part). */
  findAllSubmatch(src: string, n: number, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): string[][] {
    return this.#allMatches(src, n, budget).map((m) => {
      const groups: string[] = [];
      for (let i = 0; i < m.length; i += 2) groups.push(m[i]! < 0 ? '' : src.slice(m[i], m[i + 1]));
      return groups;
    });
  }

  /** Go's allMatches: the group offsets of each match. */
  #allMatches(src: string, n: number, budget: RegexpBudget): number[][] {
    const limit = n < 0 ? src.length + 1 : n;
    const found: number[][] = [];
    let prevMatchEnd = -1;
    for (let pos = 0; found.length < limit && pos <= src.length; ) {
      const match = this.#search(src, pos, budget);
      if (match === undefined) break;
      const [from, to] = match as [number, number];
      let accept = true;
      if (to === pos) {
        if (from === prevMatchEnd) accept = false;
        pos += pos < src.length && (src.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
      } else {
        pos = to;
      }
      prevMatchEnd = to;
      if (accept) found.push(match);
    }
    return found;
  }

  /** re.Split(src, n): the text between matches, at most n pieces (all if n < 0, none if 0). */
  split(src: string, n: number, budget = new RegexpBudget(DEFAULT_MATCH_STEPS)): string[] | undefined {
    if (n === 0) return undefined;
    if (this.source !== '' && src === '') return [''];
    const pieces: string[] = [];
    let beg = 0;
    let end = 0;
    for (const [from, to] of this.findAll(src, n, budget)) {
      if (n > 0 && pieces.length === n - 1) break;
      end = from;
      if (to !== 0) pieces.push(src.slice(beg, end));
      beg = to;
    }
    if (end !== src.length) pieces.push(src.slice(beg));
    return pieces;
  }

  /** The most work one search from pos can do: each instruction, at each character left. */
  private searchCost(src: string, pos: number): number {
    return this.re.programSize() * (src.length - pos + 1);
  }
}

/**
 * Where the part of the pattern a syntax error quotes starts, in UTF-8 bytes: re2js does not say,
 * so it is found in the text. Most of Go's errors quote the rest of the pattern from where the
 * problem starts (`missing closing ]`); the others quote the first place that fails to parse.
 * Undefined if the part is not in the pattern as written (a `\p{name}` re2js read rewritten).
 */
function offsetOf(pattern: string, expr: string | null): number | undefined {
  if (expr === null) return undefined;
  const at = pattern.endsWith(expr) ? pattern.length - expr.length : pattern.indexOf(expr);
  return at < 0 ? undefined : Buffer.byteLength(pattern.slice(0, at));
}

/** re2js's anchor for a search anywhere at or after the start position (RE2Flags.UNANCHORED). */
const UNANCHORED = 0;

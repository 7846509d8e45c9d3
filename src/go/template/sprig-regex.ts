/**
 * sprig v3.3.0's regular expressions (regex.go) on the project's RE2 engine (../regexp), never
 * JavaScript's. The plain forms fail as regexp.MustCompile panics ("regexp: Compile(`[`): error
 * parsing regexp: ..."), except regexMatch, which says false; the must* forms fail with the
 * error alone; neither quotes the pattern as Go does (see compile). Matching runs on the text's
 * runes (invalid UTF-8 as U+FFFD, see ../regexp).
 *
 * Bounds: each distinct pattern's compile is charged by its size before it is built (see
 * compileCharged); a search is charged before it runs at one step per instruction and character it may
 * read, one call may take REGEXP_STEPS_PER_CALL, and the steps taken are charged to the render's
 * work, so that many calls share one bound.
 */
import { readPattern } from '../regexp/pattern.ts';
import { GoRegexp, GoRegexpLimitError, GoRegexpSyntaxError, MAX_PROGRAM, RegexpBudget } from '../regexp/regexp.ts';
import type { CallContext, RenderBudget } from './budget.ts';
import { toText, utf8, type GoString } from './bytes.ts';
import { FuncError, LimitError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { limits } from './limits.ts';
import { reserveValue } from './sprig.ts';
import { GoSlice } from './values.ts';

/** ~0.15 s of the slowest matching; real patterns over a secret take thousands. */
export const REGEXP_STEPS_PER_CALL = 1_000_000;

/**
 * Work charged per instruction Go estimates a pattern compiles to, before re2js builds it: a
 * compile takes ~1-11 us an instruction (the most for classes of many ranges, `[\p{L}\p{N}]`, and
 * for capture groups), and the render's work is sized at ~50 bytes a microsecond (limits.ts).
 */
export const COMPILE_BYTES_PER_INSTRUCTION = 512;

/**
 * The patterns compiled with each budget, and those that failed: a template that matches in a
 * loop compiles its pattern once (Go recompiles each call; the result is the same), so only
 * distinct patterns cost, and each is charged before it is built.
 */
const compiled = new WeakMap<RenderBudget, Map<GoString, GoRegexp | GoRegexpSyntaxError>>();

function compileCharged(ctx: CallContext, pattern: GoString): GoRegexp | GoRegexpSyntaxError {
  let cache = compiled.get(ctx.budget);
  if (cache === undefined) compiled.set(ctx.budget, (cache = new Map()));
  const known = cache.get(pattern);
  if (known !== undefined) return known;
  ctx.take(pattern.length);
  const text = toText(pattern);
  let result: GoRegexp | GoRegexpSyntaxError;
  try {
    // Go's estimate is refused past 2 * MAX_PROGRAM without building anything.
    ctx.take(COMPILE_BYTES_PER_INSTRUCTION * Math.min(readPattern(text).size, 2 * MAX_PROGRAM));
    result = GoRegexp.compile(text);
  } catch (e) {
    if (!(e instanceof GoRegexpSyntaxError)) throw e;
    result = e;
  }
  cache.set(pattern, result);
  return result;
}

/**
 * regexp.Compile's error; `must` false: MustCompile's panic. Go quotes the pattern, or the part
 * that fails, which can be secret data here ({{ regexMatch .password "x" }}), so we give Go's
 * words and the byte offset instead. Our own refusals are limits.
 */
function compile(ctx: CallContext, pattern: GoString, must: boolean): GoRegexp {
  const result = compileCharged(ctx, pattern);
  if (result instanceof GoRegexp) return result;
  if (result.unsupported) throw new LimitError(result.message);
  const where = result.offset === undefined ? '' : ` at byte ${result.offset} of the pattern`;
  const err = `error parsing regexp: ${result.code ?? result.message}${where}`;
  throw new FuncError(must ? err : `regexp: Compile: ${err}`);
}

/** Runs `f` with a budget of steps and output bytes, charging the steps taken to the render. */
function metered<T>(ctx: CallContext, f: (budget: RegexpBudget) => T): T {
  const budget = new RegexpBudget(Math.min(REGEXP_STEPS_PER_CALL, ctx.budget.workLeft + 1), limits.stringBytes);
  try {
    return f(budget);
  } catch (e) {
    if (e instanceof GoRegexpLimitError) throw new LimitError(`regular expression: ${e.message}`);
    throw e;
  } finally {
    ctx.take(Math.min(budget.steps, REGEXP_STEPS_PER_CALL));
  }
}

/** A list of strings (nil as empty), measured before it is made. */
function stringList(ctx: CallContext, texts: readonly string[] | undefined): GoSlice {
  const items = (texts ?? []).map(utf8);
  reserveValue(ctx, items.length, items.reduce((n, t) => n + t.length, 0));
  return new GoSlice('string', items);
}

function findAll(ctx: CallContext, pattern: GoString, s: GoString, n: bigint, must: boolean): GoSlice {
  const re = compile(ctx, pattern, must);
  const text = toText(s);
  return metered(ctx, (budget) => stringList(ctx, re.findAll(text, Number(n), budget).map(([from, to]) => text.slice(from, to))));
}

function find(ctx: CallContext, pattern: GoString, s: GoString, must: boolean): GoString {
  const re = compile(ctx, pattern, must);
  const text = toText(s);
  return metered(ctx, (budget) => {
    const [m] = re.findAll(text, 1, budget);
    return m === undefined ? '' : utf8(text.slice(m[0], m[1]));
  });
}

function replaceAll(ctx: CallContext, pattern: GoString, s: GoString, repl: GoString, must: boolean, literal: boolean): GoString {
  const re = compile(ctx, pattern, must);
  const [text, r] = [toText(s), toText(repl)];
  return metered(ctx, (budget) => utf8(literal ? re.replaceAllLiteral(text, r, budget) : re.replaceAll(text, r, budget)));
}

function match(ctx: CallContext, pattern: GoString, s: GoString, must: boolean): boolean {
  let re: GoRegexp;
  try {
    re = compile(ctx, pattern, true);
  } catch (e) {
    // regexMatch drops the compile error, but never a bound.
    if (must || e instanceof LimitError) throw e;
    return false;
  }
  return metered(ctx, (budget) => re.matches(toText(s), budget));
}

const s = 'string' as const;
const int = 'int' as const;
const matchDef = (must: boolean): FuncDef => ({ params: [s, s], call: ([p, a], ctx) => match(ctx, p as GoString, a as GoString, must) });
const findAllDef = (must: boolean): FuncDef =>
  ({ params: [s, s, int], call: ([p, a, n], ctx) => findAll(ctx, p as GoString, a as GoString, n as bigint, must) });
const findDef = (must: boolean): FuncDef => ({ params: [s, s], call: ([p, a], ctx) => find(ctx, p as GoString, a as GoString, must) });
const replaceDef = (must: boolean, literal: boolean): FuncDef =>
  ({ params: [s, s, s], call: ([p, a, r], ctx) => replaceAll(ctx, p as GoString, a as GoString, r as GoString, must, literal) });
const splitDef = (must: boolean): FuncDef => ({ params: [s, s, int], call: ([p, a, n], ctx) => {
  const re = compile(ctx, p as GoString, must);
  const text = toText(a as GoString);
  return metered(ctx, (budget) => stringList(ctx, re.split(text, Number(n as bigint), budget)));
} });

/** regexp.QuoteMeta: a backslash before each of \.+*?()|[]{}^$ */
const quoteMeta = (a: GoString): GoString => a.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

export const sprigRegex: Record<string, FuncDef> = {
  regexMatch: matchDef(false),
  mustRegexMatch: matchDef(true),
  regexFindAll: findAllDef(false),
  mustRegexFindAll: findAllDef(true),
  regexFind: findDef(false),
  mustRegexFind: findDef(true),
  regexReplaceAll: replaceDef(false, false),
  mustRegexReplaceAll: replaceDef(true, false),
  regexReplaceAllLiteral: replaceDef(false, true),
  mustRegexReplaceAllLiteral: replaceDef(true, true),
  regexSplit: splitDef(false),
  mustRegexSplit: splitDef(true),
  regexQuoteMeta: { params: [s], call: ([a], ctx) => {
    const b = ctx.builder();
    b.ensure((a as GoString).length + ((a as GoString).match(/[\\.+*?()|[\]{}^$]/g)?.length ?? 0));
    return b.add(quoteMeta(a as GoString)).toString();
  } },
};

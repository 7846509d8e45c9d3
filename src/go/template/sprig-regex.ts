/**
 * sprig v3.3.0's regular expressions (regex.go) on the project's RE2 engine (../regexp), never
 * JavaScript's. The plain forms fail as regexp.MustCompile panics ("regexp: Compile(`[`): error
 * parsing regexp: ..."), except regexMatch, which says false; the must* forms fail with the
 * error alone. Matching runs on the text's runes (invalid UTF-8 as U+FFFD, see ../regexp).
 *
 * Bounds: a search is charged before it runs at one step per instruction and character it may
 * read, one call may take REGEXP_STEPS_PER_CALL, and the steps taken are charged to the render's
 * work, so that many calls share one bound.
 */
import { GoRegexp, GoRegexpLimitError, GoRegexpSyntaxError, RegexpBudget } from '../regexp/regexp.ts';
import type { CallContext } from './budget.ts';
import { toText, utf8, type GoString } from './bytes.ts';
import { FuncError, LimitError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { limits } from './limits.ts';
import { quote } from './quote.ts';
import { reserveValue } from './sprig.ts';
import { GoSlice } from './values.ts';

/** ~0.15 s of the slowest matching; real patterns over a secret take thousands. */
export const REGEXP_STEPS_PER_CALL = 1_000_000;

/** strconv.CanBackquote: one line, no backquote, no control character but tab. */
const canBackquote = (s: string): boolean => !/[`\x00-\x08\x0a-\x1f\x7f\ufeff\ufffd]/.test(s);

/** regexp.Compile's error text; `must` false: MustCompile's panic text. Our own refusals are limits. */
function compile(pattern: GoString, must: boolean): GoRegexp {
  const text = toText(pattern);
  try {
    return GoRegexp.compile(text);
  } catch (e) {
    if (!(e instanceof GoRegexpSyntaxError)) throw e;
    if (e.unsupported) throw new LimitError(e.message);
    const err = `error parsing regexp: ${e.message}`;
    if (must) throw new FuncError(err);
    const quoted = canBackquote(text) ? `\`${pattern}\`` : quote(pattern);
    throw new FuncError(`regexp: Compile(${quoted}): ${err}`);
  }
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
  const re = compile(pattern, must);
  const text = toText(s);
  return metered(ctx, (budget) => stringList(ctx, re.findAll(text, Number(n), budget).map(([from, to]) => text.slice(from, to))));
}

function find(ctx: CallContext, pattern: GoString, s: GoString, must: boolean): GoString {
  const re = compile(pattern, must);
  const text = toText(s);
  return metered(ctx, (budget) => {
    const [m] = re.findAll(text, 1, budget);
    return m === undefined ? '' : utf8(text.slice(m[0], m[1]));
  });
}

function replaceAll(ctx: CallContext, pattern: GoString, s: GoString, repl: GoString, must: boolean, literal: boolean): GoString {
  const re = compile(pattern, must);
  const [text, r] = [toText(s), toText(repl)];
  return metered(ctx, (budget) => utf8(literal ? re.replaceAllLiteral(text, r, budget) : re.replaceAll(text, r, budget)));
}

function match(ctx: CallContext, pattern: GoString, s: GoString, must: boolean): boolean {
  let re: GoRegexp;
  try {
    re = compile(pattern, true);
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
  const re = compile(p as GoString, must);
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

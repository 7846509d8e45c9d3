/**
 * sprig v3.3.0's semverCompare and semver over Masterminds/semver v3.3.0 (semver.ts). semver
 * returns a *semver.Version whose methods (.Major, .Compare, ...) templates call (semver-value.ts).
 */
import { RegexpBudget } from '../regexp/regexp.ts';
import type { CallContext } from './budget.ts';
import type { GoString } from './bytes.ts';
import { toText } from './bytes.ts';
import { FuncError, LimitError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { limits } from './limits.ts';
import { REGEXP_STEPS_PER_CALL } from './sprig-regex.ts';
import { checkConstraint, newConstraint, newVersion, SemverError } from './semver.ts';
import { GoRegexpLimitError } from '../regexp/regexp.ts';
import { SemverVersion } from './semver-value.ts';

/** Runs `parse` with a regular expression budget charged to the call, Masterminds' errors as Go reports them. */
function withBudget<T>(ctx: CallContext, parse: (budget: RegexpBudget) => T): T {
  const budget = new RegexpBudget(Math.min(REGEXP_STEPS_PER_CALL, ctx.budget.workLeft + 1), limits.stringBytes);
  try {
    return parse(budget);
  } catch (e) {
    if (e instanceof SemverError) throw new FuncError(e.message);
    if (e instanceof GoRegexpLimitError) throw new LimitError(`regular expression: ${e.message}`);
    throw e;
  } finally {
    ctx.take(Math.min(budget.steps, REGEXP_STEPS_PER_CALL));
  }
}

const semverCompare = (ctx: CallContext, constraint: GoString, version: GoString): boolean =>
  withBudget(ctx, (budget) => checkConstraint(newConstraint(toText(constraint), budget), newVersion(toText(version), budget)));

/** semver.NewVersion: a pointer that remembers the text it was given (.Original). */
const semver = (ctx: CallContext, version: GoString): SemverVersion =>
  withBudget(ctx, (budget) => new SemverVersion(newVersion(toText(version), budget), version, true));

export const sprigSemver: Record<string, FuncDef> = {
  semver: { params: ['string'], call: ([v], ctx) => semver(ctx, v as GoString) },
  semverCompare: { params: ['string', 'string'], call: ([c, v], ctx) => semverCompare(ctx, c as GoString, v as GoString) },
};

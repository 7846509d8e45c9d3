/**
 * sprig v3.3.0's semverCompare over Masterminds/semver v3.3.0 (semver.ts). sprig's `semver`
 * is not here: it returns a *semver.Version whose fields and methods (.Major, .Compare, ...)
 * templates call, and the values a template has here carry no methods.
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

function semverCompare(ctx: CallContext, constraint: GoString, version: GoString): boolean {
  const budget = new RegexpBudget(Math.min(REGEXP_STEPS_PER_CALL, ctx.budget.workLeft + 1), limits.stringBytes);
  try {
    const cs = newConstraint(toText(constraint), budget);
    return checkConstraint(cs, newVersion(toText(version), budget));
  } catch (e) {
    if (e instanceof SemverError) throw new FuncError(e.message);
    if (e instanceof GoRegexpLimitError) throw new LimitError(`regular expression: ${e.message}`);
    throw e;
  } finally {
    ctx.take(Math.min(budget.steps, REGEXP_STEPS_PER_CALL));
  }
}

export const sprigSemver: Record<string, FuncDef> = {
  semverCompare: { params: ['string', 'string'], call: ([c, v], ctx) => semverCompare(ctx, c as GoString, v as GoString) },
};

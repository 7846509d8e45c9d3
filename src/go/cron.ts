/**
 * Cron schedules as github.com/robfig/cron/v3 reads them with the parser ESO builds for
 * `spec.syncWindows` (Minute | Hour | Dom | Month | Dow | Descriptor): exactly five fields, or
 * one of the descriptors, evaluated in UTC.
 *
 * Hand-written because it must agree with that library on every schedule ESO's schema lets
 * through, and npm's cron parsers (cron-parser, croner) do not: they accept a day of week of 7,
 * `L`, `W`, `#` and a sixth (seconds) field, which robfig refuses, and they combine day of month
 * and day of week by rules of their own. robfig ORs the two unless either is a plain star, and a
 * `*` with a step of 2 or more is not one. Each difference changes when a window is open.
 *
 * robfig's rules kept here: fields split on whitespace, a field is a comma list (empty items
 * dropped), an item is `*` or `?` (both the star), `a`, `a-b`, each with an optional `/step`
 * (`a/step` means `a-max/step`); numbers as strconv.Atoi reads them (a leading `+` is fine);
 * names jan..dec and sun..sat in any case; a schedule that fires in neither of the next five
 * calendar years never fires (Next returns the zero time). `TZ=`/`CRON_TZ=` prefixes cannot
 * pass ESO's five-field pattern, so they are refused here.
 */
import { DurationError, parseDuration } from './duration.ts';

/** A schedule robfig refuses. The message follows robfig's. */
export class CronError extends Error {
  readonly code = 'InvalidCron';

  constructor(message: string) {
    super(message);
    this.name = 'CronError';
  }
}

/** A five-field schedule: which values of each field match, and whether day of month/week was a star. */
export interface FieldSchedule {
  readonly kind: 'fields';
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly daysOfMonth: readonly boolean[];
  readonly months: readonly boolean[];
  readonly daysOfWeek: readonly boolean[];
  /** robfig's star bit on either day field: then both must match, otherwise either may. */
  readonly dayStar: boolean;
}

/** `@every <duration>`: robfig's ConstantDelaySchedule, a delay counted from whenever it is asked. */
export interface EverySchedule {
  readonly kind: 'every';
  /** At least one second, whole seconds (robfig's Every). */
  readonly delayMs: number;
}

export type CronSchedule = FieldSchedule | EverySchedule;

interface Bounds {
  min: number;
  max: number;
  names?: ReadonlyMap<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: new Map(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((n, i) => [n, i + 1])),
};
const DAYS_OF_WEEK: Bounds = { min: 0, max: 6, names: new Map(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((n, i) => [n, i])) };

interface Field {
  values: boolean[];
  star: boolean;
}

/** Parses a schedule as ESO's robfig parser does; throws CronError. */
export function parseCron(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronError('empty spec string');
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    throw new CronError(`a time zone prefix is not accepted (schedules are evaluated in UTC): ${spec}`);
  }
  if (spec.startsWith('@')) return parseDescriptor(spec);
  const fields = spec.split(GO_SPACE).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const minute = parseField(fields[0]!, MINUTES);
  const hour = parseField(fields[1]!, HOURS);
  const dom = parseField(fields[2]!, DAYS_OF_MONTH);
  const month = parseField(fields[3]!, MONTHS);
  const dow = parseField(fields[4]!, DAYS_OF_WEEK);
  return {
    kind: 'fields',
    minutes: minute.values,
    hours: hour.values,
    daysOfMonth: dom.values,
    months: month.values,
    daysOfWeek: dow.values,
    dayStar: dom.star || dow.star,
  };
}

function parseDescriptor(spec: string): CronSchedule {
  const at = (minute: string, hour: string, dom: string, month: string, dow: string) => parseCron(`${minute} ${hour} ${dom} ${month} ${dow}`);
  switch (spec) {
    case '@yearly':
    case '@annually':
      return at('0', '0', '1', '1', '*');
    case '@monthly':
      return at('0', '0', '1', '*', '*');
    case '@weekly':
      return at('0', '0', '*', '*', '0');
    case '@daily':
    case '@midnight':
      return at('0', '0', '*', '*', '*');
    case '@hourly':
      return at('0', '*', '*', '*', '*');
  }
  const every = '@every ';
  if (spec.startsWith(every)) {
    let ms: number;
    try {
      ms = parseDuration(spec.slice(every.length));
    } catch (err) {
      if (err instanceof DurationError) throw new CronError(`failed to parse duration ${spec}: ${err.message}`);
      throw err;
    }
    // robfig's Every: at least a second, rounded down to whole seconds.
    const delayMs = ms < 1000 ? 1000 : ms - (ms % 1000);
    return { kind: 'every', delayMs };
  }
  throw new CronError(`unrecognized descriptor: ${spec}`);
}

function parseField(field: string, bounds: Bounds): Field {
  const result: Field = { values: new Array<boolean>(bounds.max + 1).fill(false), star: false };
  for (const item of field.split(',')) {
    if (item === '') continue;
    parseRange(item, bounds, result);
  }
  return result;
}

function parseRange(expr: string, bounds: Bounds, into: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    // robfig ignores anything after the star's hyphen ("*-5" is "*").
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0]!, bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, bounds);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]!);
    if (single) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new CronError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values[v] = true;
  into.star ||= star;
}

function intOrName(expr: string, bounds: Bounds): number {
  const named = bounds.names?.get(expr.toLowerCase());
  return named ?? atoi(expr);
}

/** strconv.Atoi for what a cron field can hold, refusing negatives as robfig does. */
function atoi(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63 - 1) {
    throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  }
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

/** What Go's strings.Fields splits on (unicode.IsSpace): JavaScript's `\s` differs (U+0085, U+FEFF). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Days a search may still look at, shared by all its firstFiringAtOrAfter calls. */
export interface StepBudget {
  daysLeft: number;
}

/** A search ran out of its StepBudget: the caller answers with what it knows so far. */
export class SearchExhausted extends Error {
  constructor() {
    super('cron search step budget spent');
    this.name = 'SearchExhausted';
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** robfig's Next gives up past the end of the fifth calendar year after the one it starts in. */
const YEARS_SEARCHED = 5;

/**
 * The first time (ms since the epoch, UTC) at or after `at` when a five-field schedule fires, or
 * undefined when it fires neither in `at`'s year nor in the five after it (robfig's zero time).
 * At most six years of days are looked at: a schedule that never fires (February 30th) costs
 * about 2,200 steps, not a loop. A search that asks many times (one per window, per firing) passes
 * one `budget` to all its calls: each day looked at takes one step from it, and a call that finds
 * it spent throws SearchExhausted.
 */
export function firstFiringAtOrAfter(schedule: FieldSchedule, at: number, budget?: StepBudget): number | undefined {
  if (!canFire(schedule)) return undefined;
  // Firings are whole minutes (ESO's parser fixes seconds at 0).
  let t = Math.ceil(at / MINUTE_MS) * MINUTE_MS;
  const limit = Date.UTC(new Date(Math.ceil(at / 1000) * 1000).getUTCFullYear() + YEARS_SEARCHED + 1, 0, 1);
  while (t < limit) {
    if (budget && budget.daysLeft-- <= 0) throw new SearchExhausted();
    const day = new Date(t);
    if (schedule.months[day.getUTCMonth() + 1] && dayMatches(schedule, day)) {
      const midnight = t - (t % DAY_MS);
      for (let minuteOfDay = (t - midnight) / MINUTE_MS; minuteOfDay < 1440; minuteOfDay++) {
        if (schedule.hours[Math.floor(minuteOfDay / 60)] && schedule.minutes[minuteOfDay % 60]) return midnight + minuteOfDay * MINUTE_MS;
      }
    }
    t = t - (t % DAY_MS) + DAY_MS;
  }
  return undefined;
}

/** A field left empty (`,` alone is robfig's empty list) means no time ever matches. */
function canFire(schedule: FieldSchedule): boolean {
  const any = (values: readonly boolean[]) => values.includes(true);
  if (!any(schedule.minutes) || !any(schedule.hours) || !any(schedule.months)) return false;
  return schedule.dayStar ? any(schedule.daysOfMonth) && any(schedule.daysOfWeek) : any(schedule.daysOfMonth) || any(schedule.daysOfWeek);
}

function dayMatches(schedule: FieldSchedule, day: Date): boolean {
  const dom = schedule.daysOfMonth[day.getUTCDate()] === true;
  const dow = schedule.daysOfWeek[day.getUTCDay()] === true;
  return schedule.dayStar ? dom && dow : dom || dow;
}

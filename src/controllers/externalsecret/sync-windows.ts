import type { ExternalSecretSpec } from '../../api/generated.ts';
import { OperatorError } from '../../errors.ts';
import { CronError, firstFiringAtOrAfter, parseCron, SearchExhausted, type CronSchedule, type StepBudget } from '../../go/cron.ts';
import { DurationError, parseDuration } from '../../go/duration.ts';

/**
 * `spec.syncWindows`, as ESO v2.9 reads it: times when a *periodic* refresh may run. Each window
 * opens when its cron schedule fires (UTC) and stays open for its duration, both ends included.
 * `allow`: a periodic refresh runs only while at least one window is open; `deny`: never while
 * any is open. A first sync, a change of spec, labels or annotations (a force-sync among them)
 * and the repair of a Secret edited or deleted by hand are never held back: the windows gate
 * only the refresh that the interval alone would cause.
 */
export interface SyncWindows {
  kind: 'allow' | 'deny';
  windows: SyncWindow[];
}

export interface SyncWindow {
  schedule: CronSchedule;
  /** Negative: the window never opens (Go's ParseDuration accepts `-1h`). */
  durationMs: number;
}

/** When a refresh may next run, from a given time, and for how long it may (Infinity: no end in sight). */
export interface Permission {
  at: number;
  forMs: number;
}

const parsed = new WeakMap<object, SyncWindows>();

/**
 * Most windows one ExternalSecret may have. The CRDs say so too (maxItems); this holds for one
 * stored before they did. Each window costs every search up to six years of days, and the search
 * budget below is sized so that this many always get a full first look.
 */
export const MOST_WINDOWS = 50;

/**
 * The windows of a spec, or undefined when it has none (or an empty list, which ESO treats the
 * same). A schedule or duration ESO's schema lets through but Go cannot read is `InvalidSpec`
 * naming the field: ESO ignores such a window silently, which for `allow` blocks periodic
 * refreshes for good without a word. So is a list longer than MOST_WINDOWS.
 */
export function syncWindowsOf(spec: ExternalSecretSpec): SyncWindows | undefined {
  const block = spec.syncWindows;
  if (!block?.windows?.length) return undefined;
  const known = parsed.get(block);
  if (known) return known;
  if (block.windows.length > MOST_WINDOWS) {
    throw new OperatorError('InvalidSpec', `spec.syncWindows.windows: ${block.windows.length} windows, more than the ${MOST_WINDOWS} this operator takes`);
  }
  const windows = block.windows.map((w, i): SyncWindow => {
    const at = `spec.syncWindows.windows[${i}]`;
    let schedule: CronSchedule;
    try {
      schedule = parseCron(w.schedule);
    } catch (err) {
      if (err instanceof CronError) throw new OperatorError('InvalidSpec', `${at}.schedule: ${err.message}`);
      throw err;
    }
    try {
      return { schedule, durationMs: parseDuration(w.duration) };
    } catch (err) {
      if (err instanceof DurationError) throw new OperatorError('InvalidSpec', `${at}.duration: ${err.message}`);
      throw err;
    }
  });
  const result: SyncWindows = { kind: block.kind === 'deny' ? 'deny' : 'allow', windows };
  parsed.set(block, result);
  return result;
}

/** Whether the windows let a periodic refresh run at `t`. */
export function refreshPermitted(windows: SyncWindows | undefined, t: number): boolean {
  if (!windows) return true;
  const open = windows.windows.some((w) => openUntil(w, t) !== undefined);
  return windows.kind === 'allow' ? open : !open;
}

/**
 * When, at or after `from`, a periodic refresh may next run, and for how long from then; undefined
 * when the windows never permit one again. The search is bounded twice: past MOST_FIRINGS schedule
 * firings (deny windows that overlap without end, e.g. `* * * * *` for `1m`), or once its calls
 * together have looked at MOST_DAYS_SEARCHED days (many windows that fire rarely), it answers the
 * point it reached with `forMs: 0`, a time to look again rather than a permission.
 */
export function nextPermission(windows: SyncWindows | undefined, from: number): Permission | undefined {
  if (!windows) return { at: from, forMs: Infinity };
  const budget: StepBudget = { daysLeft: MOST_DAYS_SEARCHED };
  return windows.kind === 'allow' ? nextAllowed(windows.windows, from, budget) : nextUndenied(windows.windows, from, budget);
}

/** Schedule firings looked at by one search. */
export const MOST_FIRINGS = 2_000;

/**
 * Days one search may look at, across all its schedules: enough for MOST_WINDOWS windows that
 * never fire to be looked at twice over (about 2,200 days each), so the first pass over the
 * windows always completes and a deny search always gets past `from` when it is denied.
 */
export const MOST_DAYS_SEARCHED = 250_000;

function nextAllowed(windows: SyncWindow[], from: number, budget: StepBudget): Permission | undefined {
  let best: Permission | undefined;
  try {
    const openNow = longestOpen(windows, from, budget);
    if (openNow !== undefined) return { at: from, forMs: openNow - from };
    for (const w of windows) {
      if (w.durationMs < 0 || w.schedule.kind === 'every') continue; // never opens (an open @every window would be open now)
      const opens = firstFiringAtOrAfter(w.schedule, from, budget);
      if (opens === undefined) continue;
      if (!best || opens < best.at || (opens === best.at && w.durationMs > best.forMs)) best = { at: opens, forMs: w.durationMs };
    }
  } catch (err) {
    if (!(err instanceof SearchExhausted)) throw err;
    // Out of reach with MOST_WINDOWS windows (the budget covers two full passes over them); should
    // it happen, look again at the best opening found, or a day on rather than at once.
    return { at: best?.at ?? from + DAY_MS, forMs: 0 };
  }
  return best;
}

function nextUndenied(windows: SyncWindow[], from: number, budget: StepBudget): Permission | undefined {
  let t = from;
  try {
    for (let firings = 0; firings < MOST_FIRINGS; firings++) {
      const closes = longestOpen(windows, t, budget);
      if (closes === undefined) return { at: t, forMs: untilNextOpening(windows, t, budget) };
      if (closes === Infinity) return undefined;
      // Closed windows include their last instant: the first free millisecond is the one after.
      t = closes + 1;
    }
  } catch (err) {
    if (!(err instanceof SearchExhausted)) throw err;
  }
  return { at: t, forMs: 0 };
}

const DAY_MS = 86_400_000;

/** The latest close among the windows open at `t` (Infinity: one never closes), or undefined when none is. */
function longestOpen(windows: SyncWindow[], t: number, budget?: StepBudget): number | undefined {
  let latest: number | undefined;
  for (const w of windows) {
    const until = openUntil(w, t, budget);
    if (until !== undefined && (latest === undefined || until > latest)) latest = until;
  }
  return latest;
}

/**
 * When the occurrence of `w` open at `t` closes, or undefined when none is open: the earliest
 * firing within [t - duration, t] opens it. A later firing in that span closes later; callers
 * that need the end of the whole open stretch step on from the close they are given. An `@every`
 * schedule has no fixed start in robfig's library (it fires a delay after whenever it is asked),
 * so it fires within any span as long as its delay: its window is open at every instant when the
 * duration reaches the delay, and never otherwise.
 */
function openUntil(w: SyncWindow, t: number, budget?: StepBudget): number | undefined {
  if (w.durationMs < 0) return undefined;
  if (w.schedule.kind === 'every') return w.schedule.delayMs <= w.durationMs ? Infinity : undefined;
  const opened = firstFiringAtOrAfter(w.schedule, t - w.durationMs, budget);
  return opened !== undefined && opened <= t ? opened + w.durationMs : undefined;
}

/** How long from `t` until a window next opens (Infinity when none will). */
function untilNextOpening(windows: SyncWindow[], t: number, budget: StepBudget): number {
  let soonest = Infinity;
  for (const w of windows) {
    if (w.durationMs < 0 || w.schedule.kind !== 'fields') continue;
    const opens = firstFiringAtOrAfter(w.schedule, t, budget);
    if (opens !== undefined) soonest = Math.min(soonest, opens - t);
  }
  return soonest;
}

/**
 * The timing of AWS calls over a refresh interval: how bursty they are, and where in the
 * periodic rhythm a measuring window should start. Calls of a periodic refresh come in waves
 * (ExternalSecrets synced together refresh together, spread a little each cycle); a window of
 * exactly one interval that starts inside a wave cuts it in two and misses the ExternalSecrets
 * whose next refresh slid past the window's end, so it starts in the quietest stretch instead.
 * A change poll's calls come as one burst per poll, so counting bursts counts polls.
 */
import type { RecordedCall } from '../../test/integration/aws-proxy.ts';
import { operationName } from './aws-calls.ts';

/** Calls in each whole second of [from, from + seconds s). */
function perSecond(calls: readonly RecordedCall[], from: number, seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const call of calls) {
    const second = Math.floor((call.at - from) / 1000);
    if (second >= 0 && second < seconds) counts[second]!++;
  }
  return counts;
}

/**
 * The busiest second's calls over the mean calls per second in [from, to): 1 when calls are
 * spread evenly, the window's length in seconds when they all come at once. Undefined with no calls.
 */
export function burstiness(calls: readonly RecordedCall[], from: number, to: number): number | undefined {
  const counts = perSecond(calls, from, Math.max(1, Math.round((to - from) / 1000)));
  const n = counts.reduce((a, b) => a + b, 0);
  return n === 0 ? undefined : Math.max(...counts) / (n / counts.length);
}

/**
 * Given one interval of calls observed from `from`, the first time at or after `now` at the
 * same phase of the rhythm as the middle of that interval's longest quiet stretch (its seconds
 * with the fewest calls, taken circularly, as the rhythm repeats every interval).
 */
export function quietestStart(calls: readonly RecordedCall[], from: number, intervalMs: number, now: number): number {
  const seconds = Math.max(1, Math.floor(intervalMs / 1000));
  const counts = perSecond(calls, from, seconds);
  const fewest = Math.min(...counts);
  const quiet = (i: number) => counts[((i % seconds) + seconds) % seconds] === fewest;
  // All seconds alike (no calls at all, or a steady stream): any phase will do.
  let best = { start: 0, length: seconds };
  if (counts.some((c) => c !== fewest)) {
    best.length = 0;
    for (let i = 0; i < seconds; i++) {
      if (!quiet(i) || quiet(i - 1)) continue;
      let length = 0;
      while (quiet(i + length)) length++;
      if (length > best.length) best = { start: i, length };
    }
  }
  let at = from + ((best.start + Math.floor(best.length / 2)) % seconds) * 1000;
  while (at < now) at += intervalMs;
  return at;
}

/** Bursts of Secrets Manager calls in [from, to): calls less than `gapMs` apart belong to one. */
export function bursts(calls: readonly RecordedCall[], from: number, to: number, gapMs: number): number {
  let count = 0;
  let last = -Infinity;
  for (const call of calls) {
    if (call.at < from || call.at >= to || !operationName(call.action).startsWith('secretsmanager.')) continue;
    if (call.at - last >= gapMs) count++;
    last = call.at;
  }
  return count;
}

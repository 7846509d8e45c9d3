/**
 * Exponential backoff with jitter. Jitter spreads retries of many keys (or many
 * restarted watches) so that they do not hit the apiserver or AWS in lockstep.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of the delay randomised, e.g. 0.2 gives [0.8d, 1.2d]. */
  readonly jitter: number;
}

export const watchBackoff: BackoffPolicy = { initialMs: 800, maxMs: 30_000, jitter: 0.2 };
export const reconcileBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 300_000, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based); `random` is in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const spread = base * policy.jitter * (2 * random - 1);
  return Math.max(0, Math.round(Math.min(policy.maxMs, base + spread)));
}

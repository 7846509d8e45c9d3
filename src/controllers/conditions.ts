/** The Ready condition every kind reports, shaped like metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface Ready {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/**
 * The conditions with Ready replaced. lastTransitionTime moves only when the status
 * flips, so a steady state writes nothing new.
 */
export function withReady(conditions: ReadonlyArray<{ type?: string; status?: string; lastTransitionTime?: string }> | undefined, ready: Ready, now: number): Condition[] {
  const old = conditions?.find((c) => c.type === 'Ready');
  const lastTransitionTime = old?.status === ready.status && old.lastTransitionTime ? old.lastTransitionTime : iso(now);
  const others = (conditions ?? []).filter((c) => c.type !== 'Ready') as Condition[];
  return [...others, { type: 'Ready', ...ready, lastTransitionTime }];
}

/** metav1.Time has second precision; writing the same precision keeps comparisons exact. */
export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Deep equality that ignores key order, for deciding whether a status write is needed. */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v);
}

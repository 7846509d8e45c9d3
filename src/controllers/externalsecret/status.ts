import type { ExternalSecret } from '../../api/generated.ts';

export type ReadyReason = 'SecretSynced' | 'SecretSyncedError' | 'SecretDeleted' | 'SecretMissing';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export type ExternalSecretStatus = NonNullable<ExternalSecret['status']>;

/**
 * The next status: the Ready condition keeps its lastTransitionTime unless its
 * status flips, so a steady state does not churn the object.
 */
export function nextStatus(
  es: ExternalSecret,
  ready: { status: 'True' | 'False'; reason: ReadyReason; message: string },
  now: number,
  synced?: { refreshTime: number; syncedResourceVersion: string; binding: string },
): ExternalSecretStatus {
  const previous = es.status ?? {};
  const old = (previous.conditions ?? []).find((c) => c.type === 'Ready') as Condition | undefined;
  const transition = old && old.status === ready.status ? old.lastTransitionTime : iso(now);
  const condition: Condition = { type: 'Ready', ...ready, lastTransitionTime: transition };
  const others = (previous.conditions ?? []).filter((c) => c.type !== 'Ready');
  return {
    ...previous,
    conditions: [...others, condition],
    ...(synced ? {
      refreshTime: iso(synced.refreshTime),
      syncedResourceVersion: synced.syncedResourceVersion,
      binding: { name: synced.binding },
    } : {}),
  } as ExternalSecretStatus;
}

/** metav1.Time has second precision; writing the same precision keeps comparisons exact. */
export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function sameStatus(a: ExternalSecretStatus | undefined, b: ExternalSecretStatus): boolean {
  return JSON.stringify(a ?? {}, sortKeys) === JSON.stringify(b, sortKeys);
}

function sortKeys(_key: string, value: unknown): unknown {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : 1)))
    : value;
}

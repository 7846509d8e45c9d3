import type { ExternalSecret } from '../../api/generated.ts';
import { iso, withReady, type Ready } from '../conditions.ts';

export type ReadyReason = 'SecretSynced' | 'SecretSyncedError' | 'SecretDeleted' | 'SecretMissing';
export type ExternalSecretStatus = NonNullable<ExternalSecret['status']>;

/** The next status: a new Ready condition, and the sync bookkeeping when a sync happened. */
export function nextStatus(
  es: ExternalSecret,
  ready: Ready & { reason: ReadyReason },
  now: number,
  synced?: { refreshTime: number; syncedResourceVersion: string; binding: string },
): ExternalSecretStatus {
  const previous = es.status ?? {};
  return {
    ...previous,
    conditions: withReady(previous.conditions, ready, now),
    ...(synced ? {
      refreshTime: iso(synced.refreshTime),
      syncedResourceVersion: synced.syncedResourceVersion,
      binding: { name: synced.binding },
    } : {}),
  } as ExternalSecretStatus;
}

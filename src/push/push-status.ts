/**
 * A PushSecret's status as ESO writes it: the Ready condition with ESO's reasons (Synced, Errored)
 * and messages, refreshTime and syncedResourceVersion of the last push that succeeded, and
 * syncedPushSecrets. Our messages on failure start with the reason code (errors.ts), then ESO's
 * words. Pure.
 */
import type { PushSecret, PushSecretStatus } from '../api/generated.ts';
import { iso, withReady, type Ready } from '../controllers/conditions.ts';
import { syncedResourceVersion } from '../go/hash.ts';
import type { SyncedPushes } from './synced-pushes.ts';

export const REASON_SYNCED = 'Synced';
export const REASON_ERRORED = 'Errored';

/** ESO's message of a push that succeeded. */
export function syncedMessage(ps: PushSecret): string {
  const message = 'PushSecret synced successfully';
  return ps.spec.updatePolicy === 'IfNotExists' ? `${message}. Existing secrets in providers unchanged.` : message;
}

/** What status.syncedResourceVersion says of the PushSecret as it is (ESO's util.GetResourceVersion). */
export const pushResourceVersion = (ps: PushSecret): string =>
  syncedResourceVersion(ps.metadata.generation ?? 0, ps.metadata.labels, ps.metadata.annotations);

/** The status after a push that succeeded at `now`. */
export function syncedStatus(ps: PushSecret, synced: SyncedPushes, now: number): PushSecretStatus {
  return {
    ...ps.status,
    refreshTime: iso(now),
    syncedResourceVersion: pushResourceVersion(ps),
    syncedPushSecrets: synced,
    conditions: withReady(ps.status?.conditions, { status: 'True', reason: REASON_SYNCED, message: syncedMessage(ps) }, now),
  };
}

/** The status after a failure: the condition, and (when given) what is recorded as pushed. */
export function failedStatus(ps: PushSecret, message: string, now: number, synced?: SyncedPushes): PushSecretStatus {
  const ready: Ready = { status: 'False', reason: REASON_ERRORED, message };
  return {
    ...ps.status,
    ...(synced ? { syncedPushSecrets: synced } : {}),
    conditions: withReady(ps.status?.conditions, ready, now),
  };
}

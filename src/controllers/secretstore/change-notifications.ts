import type { QueueHealth } from '../../changes/queue-listener.ts';
import type { StoreChangeSettings } from '../../changes/store-settings.ts';
import { formatDurationNanos } from '../../go/duration.ts';
import { iso, type Condition } from '../conditions.ts';

/** The store condition that says how changes in AWS reach its ExternalSecrets besides their refreshInterval. */
export const CHANGE_NOTIFICATIONS = 'ChangeNotifications';

export interface ChangeNotificationsValue {
  status: 'True' | 'False' | 'Unknown';
  reason: 'QueueReceiving' | 'QueueUnavailable' | 'QueueStarting' | 'Polling' | 'InvalidChangeSettings';
  message: string;
}

/** One queue a store's changes arrive through, and its listener's health (undefined until its first receive answers). */
export interface QueueState {
  url: string;
  health: QueueHealth | undefined;
}

/** What a store's change notifications are, as the queue listeners know them. */
export type StoreChangeState =
  | { kind: 'invalid'; message: string }
  | { kind: 'settings'; settings: StoreChangeSettings; queues: readonly QueueState[] };

/**
 * The condition, pure: False InvalidChangeSettings when an annotation cannot be read; False
 * QueueUnavailable when a queue cannot be read (the ExternalSecrets still refresh at their
 * refreshInterval, and a poll, if any, still runs); True QueueReceiving when every queue is read;
 * Unknown QueueStarting before a queue's first receive has answered; True Polling with a poll
 * and no queue; none when nothing is configured. The Ready condition does not depend on it: a
 * store whose queue is gone still serves its ExternalSecrets.
 */
export function changeNotificationsCondition(state: StoreChangeState): ChangeNotificationsValue | undefined {
  if (state.kind === 'invalid') return { status: 'False', reason: 'InvalidChangeSettings', message: state.message };
  const { settings, queues } = state;
  const poll = settings.pollIntervalMs ? `AWS versions are listed every ${formatDurationNanos(BigInt(settings.pollIntervalMs) * 1_000_000n)}` : undefined;
  if (queues.length === 0) return poll ? { status: 'True', reason: 'Polling', message: poll } : undefined;
  const down = queues.filter((q) => q.health && !q.health.receiving);
  if (down.length) {
    const why = down.map((q) => (q.health as { reason: string; message: string })).map((h) => `${h.reason}: ${h.message}`).join('; ');
    return { status: 'False', reason: 'QueueUnavailable', message: `${why}; ExternalSecrets still refresh at their refreshInterval${poll ? `, and ${poll}` : ''}` };
  }
  const starting = queues.filter((q) => !q.health);
  if (starting.length) {
    return { status: 'Unknown', reason: 'QueueStarting', message: `waiting for the first receive from SQS queue ${starting.map((q) => q.url).join(', ')}` };
  }
  return { status: 'True', reason: 'QueueReceiving', message: `changes arrive from SQS queue ${queues.map((q) => q.url).join(', ')}${poll ? `; ${poll}` : ''}` };
}

/**
 * The conditions with ChangeNotifications set (or removed, given none), placed before Ready so
 * that withReady, which appends Ready, keeps the order steady. lastTransitionTime moves only when
 * the status flips.
 */
export function withChangeNotifications(conditions: ReadonlyArray<{ type?: string; status?: string; lastTransitionTime?: string }> | undefined, value: ChangeNotificationsValue | undefined, now: number): Condition[] {
  const others = (conditions ?? []).filter((c) => c.type !== CHANGE_NOTIFICATIONS) as Condition[];
  if (!value) return others;
  const old = conditions?.find((c) => c.type === CHANGE_NOTIFICATIONS);
  const lastTransitionTime = old?.status === value.status && old.lastTransitionTime ? old.lastTransitionTime : iso(now);
  const condition: Condition = { type: CHANGE_NOTIFICATIONS, ...value, lastTransitionTime };
  const ready = others.findIndex((c) => c.type === 'Ready');
  return ready < 0 ? [...others, condition] : [...others.slice(0, ready), condition, ...others.slice(ready)];
}

import { formatDurationNanos, parseDuration } from '../go/duration.ts';
import type { AnyStore } from '../controllers/secretstore/validate.ts';
import { OperatorError } from '../errors.ts';

/** A store's own SQS queue of EventBridge change events (its URL). */
export const ANNOTATION_CHANGE_QUEUE = 'aws-secrets-operator.io/change-queue-url';
/** A store's change-poll interval, a Go duration (`30s`); `0` turns the operator-wide default off for it. */
export const ANNOTATION_CHANGE_POLL = 'aws-secrets-operator.io/change-poll-interval';

/** The shortest change poll: each poll lists the account's secrets, and AWS rate-limits ListSecrets. */
export const MIN_CHANGE_POLL_MS = 10_000;

/** The operator-wide settings (CHANGE_QUEUE_URL, CHANGE_POLL_INTERVAL). */
export interface ChangeDefaults {
  queueUrl?: string;
  pollIntervalMs?: number;
  /** The shortest poll an annotation may ask for (default MIN_CHANGE_POLL_MS; tests shorten it). */
  minPollIntervalMs?: number;
}

/** How changes in AWS reach one store's ExternalSecrets besides their refreshInterval. */
export interface StoreChangeSettings {
  /** The store's own queue, read with the store's identity. */
  queueUrl?: string;
  /** The change poll's interval (ms), when the store is polled. */
  pollIntervalMs?: number;
}

/**
 * A store's change settings: its annotations, else the operator-wide poll interval. Throws
 * OperatorError InvalidChangeSettings naming the annotation when one cannot be read.
 */
export function storeChangeSettings(store: AnyStore, defaults: ChangeDefaults): StoreChangeSettings {
  const annotations = store.metadata.annotations ?? {};
  const settings: StoreChangeSettings = {};
  const queue = annotations[ANNOTATION_CHANGE_QUEUE];
  if (queue !== undefined && queue !== '') settings.queueUrl = queueUrlFrom(queue, `annotation ${ANNOTATION_CHANGE_QUEUE}`);
  const poll = annotations[ANNOTATION_CHANGE_POLL];
  const pollAnnotated = poll !== undefined && poll !== '';
  const interval = pollAnnotated ? pollIntervalFrom(poll, `annotation ${ANNOTATION_CHANGE_POLL}`, defaults.minPollIntervalMs) : defaults.pollIntervalMs;
  if (store.spec?.provider?.aws?.service === 'ParameterStore') return parameterStoreSettings(settings.queueUrl !== undefined, pollAnnotated && interval !== undefined);
  if (interval) settings.pollIntervalMs = interval;
  return settings;
}

/**
 * Parameter Store changes are not followed: change events and version polls are Secrets
 * Manager's. Such a store is never polled nor listened for, whatever the operator-wide settings;
 * an annotation asking for either is InvalidChangeSettings (the store stays usable, and its
 * ExternalSecrets refresh at their refreshInterval).
 */
function parameterStoreSettings(queueAnnotated: boolean, pollAnnotated: boolean): StoreChangeSettings {
  const asked = [queueAnnotated ? ANNOTATION_CHANGE_QUEUE : undefined, pollAnnotated ? ANNOTATION_CHANGE_POLL : undefined].filter(Boolean);
  if (asked.length) {
    throw new OperatorError('InvalidChangeSettings', `annotation ${asked.join(' and ')}: Parameter Store changes are not followed (change notifications and polls are for Secrets Manager); the ExternalSecrets of this store refresh at their refreshInterval`);
  }
  return {};
}

/** An SQS queue URL: https (http only for a local endpoint such as moto), a host, an account and a queue name. */
export function queueUrlFrom(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OperatorError('InvalidChangeSettings', `${where}: not a URL; give the queue's URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/secret-changes`);
  }
  const parts = url.pathname.split('/').filter(Boolean);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || parts.length !== 2 || url.search || url.hash || url.username || url.password) {
    throw new OperatorError('InvalidChangeSettings', `${where}: not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)`);
  }
  return url.href.replace(/\/$/, '');
}

/** A change-poll interval: a Go duration; 0 means no poll; otherwise at least `minimumMs`. */
export function pollIntervalFrom(value: string, where: string, minimumMs = MIN_CHANGE_POLL_MS): number | undefined {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    throw new OperatorError('InvalidChangeSettings', `${where}: ${(err as Error).message}`);
  }
  if (ms === 0) return undefined;
  if (ms < minimumMs) {
    throw new OperatorError('InvalidChangeSettings', `${where}: ${value} is shorter than the shortest change poll, ${formatDurationNanos(BigInt(minimumMs) * 1_000_000n)} (or 0 for none)`);
  }
  return ms;
}

/** The region of an AWS SQS queue URL's host (sqs.<region>.amazonaws.com, <region>.queue.amazonaws.com), if it names one. */
export function queueRegion(queueUrl: string): string | undefined {
  const host = new URL(queueUrl).hostname;
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}

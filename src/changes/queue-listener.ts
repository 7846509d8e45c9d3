import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { failureMessage, reasonOf, type ReasonCode } from '../errors.ts';
import { backoffDelay, type BackoffPolicy } from '../kube/backoff.ts';
import { sleep, type Clock } from '../kube/clock.ts';
import { readEventBridgeEvent } from './eventbridge-event.ts';
import { queueFailure } from './queue-failure.ts';
import type { ChangeScope, ChangeSink } from './secret-change.ts';

/** SQS's longest long poll: one call a queue per 20 s when nothing happens. */
const WAIT_SECONDS = 20;
const MAX_MESSAGES = 10;
/** After a failure: 1 s doubling to 5 min, jittered, reset by a successful receive. */
export const queueBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 300_000, jitter: 0.2 };
/**
 * Event ids remembered to drop redeliveries (EventBridge and SQS deliver at least once). A
 * redelivery comes within the queue's visibility timeout, after a handful of newer messages.
 */
const SEEN_EVENTS = 10_000;

/** How one message was handled (the metric's outcome label). */
export type MessageOutcome = 'changes' | 'ignored' | 'duplicate' | 'malformed';

/** Whether the queue is being read: true after a successful receive, false with why after a failure. */
export type QueueHealth = { receiving: true } | { receiving: false; reason: ReasonCode; message: string };

export interface QueueListenerOptions {
  queueUrl: string;
  /** A client with the identity that reads the queue; called at start and again after each failure (credentials may have changed). */
  connect: () => Promise<SQSClient>;
  sink: ChangeSink;
  /** For whom the queue speaks: the operator, or the stores that name it (one listener serves every store of one identity). */
  scopes: () => readonly ChangeScope[];
  clock: Clock;
  log: Logger;
  random?: () => number;
  onHealth?: (health: QueueHealth) => void;
  onMessage?: (outcome: MessageOutcome) => void;
}

/**
 * One SQS queue of EventBridge change events, long-polled in a loop: each message read
 * (eventbridge-event.ts), a change handed to the sink (which queues the refreshes at once), and
 * the message deleted only after that; an ignored, duplicate or malformed message is deleted
 * too, so nothing is read twice. The loop never throws: a failure marks the queue unhealthy and
 * retries with backoff on the injected clock.
 */
export class QueueListener {
  readonly queueUrl: string;
  private readonly options: QueueListenerOptions;
  private readonly abort = new AbortController();
  /** Event ids handed to the sink, and message ids logged as malformed, to do neither twice. */
  private readonly seen = new LRUCache<string, true>({ max: SEEN_EVENTS });
  private client: SQSClient | undefined;
  private health: QueueHealth | undefined;
  private running: Promise<void> | undefined;

  constructor(options: QueueListenerOptions) {
    this.options = options;
    this.queueUrl = options.queueUrl;
  }

  /** The queue's health as last seen; undefined before the first receive has answered. */
  currentHealth(): QueueHealth | undefined {
    return this.health;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Ends the loop, cutting a long poll or a backoff short; resolves when it has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.client?.destroy();
    this.client = undefined;
  }

  private async loop(): Promise<void> {
    const { clock, random = Math.random } = this.options;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        this.client ??= await this.options.connect();
        // The first receive after a start or a failure does not wait: it says at once whether the queue can be read.
        const wait = this.health?.receiving ? WAIT_SECONDS : 0;
        const out = await this.client.send(new ReceiveMessageCommand({
          QueueUrl: this.queueUrl, WaitTimeSeconds: wait, MaxNumberOfMessages: MAX_MESSAGES,
        }), { abortSignal: this.abort.signal });
        if (this.abort.signal.aborted) break;
        failures = 0;
        this.setHealth({ receiving: true });
        await this.handle(out.Messages ?? []);
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const failure = queueFailure(err, this.queueUrl);
        const changed = this.setHealth({ receiving: false, reason: failure.code, message: failure.message });
        this.client?.destroy();
        this.client = undefined;
        const delay = backoffDelay(queueBackoff, failures++, random());
        // Once per new failure, not once per retry of the same one.
        this.options.log[changed ? 'warn' : 'debug']({ queue: this.queueUrl, reason: failure.code, retryInMs: delay }, failureMessage(failure));
        await sleep(clock, delay, this.abort.signal);
      }
    }
  }

  /** Reads each message, hands the changes on, then deletes what was handled in one batch. */
  private async handle(messages: Message[]): Promise<void> {
    const handled: Message[] = [];
    for (const message of messages) {
      const outcome = this.read(message);
      if (outcome === undefined) continue;
      this.options.onMessage?.(outcome);
      handled.push(message);
    }
    const entries = handled.filter((m) => m.ReceiptHandle).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
    if (entries.length === 0) return;
    const out = await this.client!.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }), { abortSignal: this.abort.signal });
    for (const failed of out.Failed ?? []) {
      // It comes back after the visibility timeout, and is then dropped as a duplicate.
      this.options.log.warn({ queue: this.queueUrl, messageId: handled[Number(failed.Id)]?.MessageId, code: failed.Code }, 'could not delete a handled change message');
    }
  }

  /** One message: its outcome, or undefined when the sink failed (the message stays, to be read again). */
  private read(message: Message): MessageOutcome | undefined {
    const reading = readEventBridgeEvent(message.Body ?? '');
    if (reading.kind === 'malformed') {
      const key = `message:${message.MessageId}`;
      if (!this.seen.has(key)) {
        this.seen.set(key, true);
        this.options.log.warn({ queue: this.queueUrl, messageId: message.MessageId, why: reading.why }, 'dropped a malformed change message');
      }
      return 'malformed';
    }
    if (reading.kind === 'ignored') {
      this.options.log.debug({ queue: this.queueUrl, messageId: message.MessageId, eventId: reading.eventId, why: reading.why }, 'ignored a change message');
      return 'ignored';
    }
    const key = `event:${reading.eventId}`;
    if (this.seen.has(key)) return 'duplicate';
    try {
      let queued = 0;
      for (const scope of this.options.scopes()) queued += this.options.sink.changed(reading.changes, scope, 'queue');
      this.seen.set(key, true);
      this.options.log.debug({ queue: this.queueUrl, eventId: reading.eventId, secrets: reading.changes.map((c) => c.name), queued }, 'change message handled');
      return 'changes';
    } catch (err) {
      this.options.log.error({ queue: this.queueUrl, messageId: message.MessageId, reason: reasonOf(err), err: (err as Error).message }, 'could not queue the refreshes of a change message; it will be read again');
      return undefined;
    }
  }

  /** Records the health; true when it changed (the stores that show it are then told). */
  private setHealth(health: QueueHealth): boolean {
    const changed = JSON.stringify(health) !== JSON.stringify(this.health);
    this.health = health;
    if (changed) {
      if (health.receiving) this.options.log.info({ queue: this.queueUrl }, 'receiving change messages');
      this.options.onHealth?.(health);
    }
    return changed;
  }
}

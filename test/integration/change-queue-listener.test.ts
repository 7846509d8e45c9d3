import { Writable } from 'node:stream';
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { QueueListener, type MessageOutcome, type QueueHealth } from '../../src/changes/queue-listener.ts';
import type { ChangeScope, ChangeSink, SecretChange } from '../../src/changes/secret-change.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { createLogger } from '../../src/log.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { putSecretValue, rotationSucceeded, secretArn, apiCallEvent, eventId } from '../data/eventbridge-events.ts';
import { eventually } from './harness.ts';

/**
 * The queue listener against moto's SQS, a real peer, with a sink that records what it is given
 * (a pure sink: the change router and the ExternalSecrets are tested in change-queue.test.ts).
 */
let sqs: SQSClient;
const logLines: string[] = [];
const log = createLogger({
  level: 'debug',
  destination: new Writable({ write(chunk, _enc, done) { logLines.push(...String(chunk).split('\n').filter(Boolean)); done(); } }),
});
const listeners: QueueListener[] = [];

beforeAll(() => {
  process.env.AWS_ENDPOINT_URL_SQS = inject('motoEndpoint');
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  sqs = new SQSClient({ region: 'us-east-1' });
});
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
});
afterAll(() => sqs.destroy());

let counter = 0;
async function queue(label: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: `changes-${process.pid}-${++counter}-${label}`, Attributes: attributes }));
  return out.QueueUrl!;
}

const send = (url: string, body: unknown) => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) }));

/** Messages in the queue, visible or being handled: 0 once every message was deleted. */
async function inQueue(url: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

interface Recorded { changes: SecretChange[]; scope: ChangeScope }

function listen(url: string, options: { sink?: ChangeSink; clock?: ManualClock } = {}) {
  const calls: Recorded[] = [];
  const outcomes: MessageOutcome[] = [];
  const health: QueueHealth[] = [];
  const sink: ChangeSink = options.sink ?? { changed: (changes, scope) => (calls.push({ changes: [...changes], scope }), 1) };
  const listener = new QueueListener({
    queueUrl: url,
    connect: async () => new SQSClient({ region: 'us-east-1' }),
    sink,
    scopes: () => [{ kind: 'operator' }],
    clock: options.clock ?? systemClock,
    log,
    random: () => 0.5,
    onHealth: (h) => health.push(h),
    onMessage: (o) => outcomes.push(o),
  });
  listeners.push(listener);
  listener.start();
  return { listener, calls, outcomes, health };
}

describe('queue listener against SQS', () => {
  it('hands a PutSecretValue event to the sink with the secret\'s name, region and ARN, then deletes the message', async () => {
    const url = await queue('put');
    const arn = secretArn('app/db', 'us-east-1', 'Q1w2E3');
    const event = putSecretValue('app/db', arn);
    await send(url, event);
    const { calls, outcomes, health } = listen(url);
    await eventually(async () => calls.length === 1, 'the change at the sink');
    expect(calls[0]).toEqual({ changes: [{ name: 'app/db', region: 'us-east-1', arn }], scope: { kind: 'operator' } });
    await eventually(async () => (await inQueue(url)) === 0, 'the message deleted');
    expect(outcomes).toEqual(['changes']);
    expect(health[0]).toEqual({ receiving: true });
  });

  it('a malformed and an unknown message change nothing and are deleted; the malformed one is logged once, without its body; a valid one after them works', async () => {
    const url = await queue('junk');
    const marker = `body-marker-${Date.now()}`;
    await send(url, `{"not": "json" ${marker}`);
    await send(url, { ...putSecretValue('app/x', secretArn('app/x')), source: 'aws.ssm', marker });
    const { calls, outcomes } = listen(url);
    await eventually(async () => outcomes.length === 2, 'both messages handled');
    expect(calls).toEqual([]);
    expect(outcomes.sort()).toEqual(['ignored', 'malformed']);
    const arn = secretArn('app/after-junk');
    await send(url, rotationSucceeded(arn));
    await eventually(async () => calls.length === 1, 'the valid change after the junk');
    expect(calls[0]!.changes).toEqual([{ name: 'app/after-junk', region: 'us-east-1', arn }]);
    await eventually(async () => (await inQueue(url)) === 0, 'every message deleted');
    const warnings = logLines.filter((l) => l.includes('dropped a malformed change message') && l.includes(url));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, messageId: expect.any(String), why: 'body is not JSON' });
    expect(logLines.filter((l) => l.includes(marker))).toEqual([]);
  });

  it('a duplicate (the same event id delivered twice) reaches the sink once', async () => {
    const url = await queue('dup');
    const event = putSecretValue('app/dup', secretArn('app/dup'));
    await send(url, event);
    await send(url, event);
    const { calls, outcomes } = listen(url);
    await eventually(async () => outcomes.length === 2, 'both deliveries handled');
    // The positive sign that the listener has read past both: a later, distinct event arrives.
    await send(url, putSecretValue('app/after-dup', secretArn('app/after-dup')));
    await eventually(async () => calls.some((c) => c.changes[0]!.name === 'app/after-dup'), 'the later event');
    expect(calls.map((c) => c.changes[0]!.name)).toEqual(['app/dup', 'app/after-dup']);
    expect(outcomes.sort()).toEqual(['changes', 'changes', 'duplicate']);
    await eventually(async () => (await inQueue(url)) === 0, 'every message deleted');
  });

  it('a message is deleted only after the sink returned: one whose refreshes could not be queued is read again', async () => {
    const url = await queue('retry', { VisibilityTimeout: '1' });
    let attempts = 0;
    const names: string[] = [];
    const sink: ChangeSink = {
      changed(changes) {
        if (++attempts === 1) throw new Error('not now');
        names.push(...changes.map((c) => c.name));
        return 1;
      },
    };
    await send(url, apiCallEvent({ eventName: 'UpdateSecret', requestParameters: { secretId: 'app/retry' }, responseElements: null }, eventId()));
    listen(url, { sink });
    await eventually(async () => names.length === 1, 'the change handed over on the second delivery');
    expect(attempts).toBe(2);
    expect(names).toEqual(['app/retry']);
    await eventually(async () => (await inQueue(url)) === 0, 'the message deleted');
  });

  it('a deleted queue: unhealthy with ChangeQueueNotFound, retried on the clock\'s backoff; healthy again once it exists', async () => {
    const url = await queue('gone');
    const clock = new ManualClock(1_000_000);
    const { health, listener } = listen(url, { clock });
    await eventually(async () => health.length === 1, 'the first receive');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await eventually(async () => health.at(-1)?.receiving === false, 'the failure reported', 40_000);
    expect(health.at(-1)).toMatchObject({ receiving: false, reason: 'ChangeQueueNotFound', message: expect.stringContaining(url) });
    expect(clock.dueTimes()).toEqual([clock.now() + 1_000]);
    // Time has not moved: it waits; one second later it tries again, fails, and waits two.
    clock.advance(1_000);
    await eventually(async () => clock.dueTimes()[0] === clock.now() + 2_000, 'the second backoff, doubled');
    await sqs.send(new CreateQueueCommand({ QueueName: new URL(url).pathname.split('/').pop()! }));
    clock.advanceToNextTimer();
    await eventually(async () => health.at(-1)?.receiving === true, 'receiving again');
    expect(listener.currentHealth()).toEqual({ receiving: true });
    expect(health.map((h) => h.receiving)).toEqual([true, false, true]);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { changeNotificationsCondition, withChangeNotifications } from '../../src/controllers/secretstore/change-notifications.ts';

const URL_A = 'https://sqs.eu-west-1.amazonaws.com/123456789012/changes';
const URL_OP = 'https://sqs.eu-west-1.amazonaws.com/123456789012/operator-changes';

describe('changeNotificationsCondition', () => {
  it('none when nothing is configured', () => {
    expect(changeNotificationsCondition({ kind: 'settings', settings: {}, queues: [] })).toBeUndefined();
  });

  it('True Polling with a poll and no queue, the interval as a Go duration', () => {
    expect(changeNotificationsCondition({ kind: 'settings', settings: { pollIntervalMs: 30_000 }, queues: [] }))
      .toEqual({ status: 'True', reason: 'Polling', message: 'AWS versions are listed every 30s' });
    expect(changeNotificationsCondition({ kind: 'settings', settings: { pollIntervalMs: 90_000 }, queues: [] })?.message).toBe('AWS versions are listed every 1m30s');
  });

  it('True QueueReceiving naming the queue (and the poll, if any)', () => {
    expect(changeNotificationsCondition({ kind: 'settings', settings: { queueUrl: URL_A }, queues: [{ url: URL_A, health: { receiving: true } }] }))
      .toEqual({ status: 'True', reason: 'QueueReceiving', message: `changes arrive from SQS queue ${URL_A}` });
    expect(changeNotificationsCondition({ kind: 'settings', settings: { pollIntervalMs: 30_000 }, queues: [{ url: URL_OP, health: { receiving: true } }] })?.message)
      .toBe(`changes arrive from SQS queue ${URL_OP}; AWS versions are listed every 30s`);
  });

  it('False QueueUnavailable with the listener\'s reason, saying the ExternalSecrets still refresh', () => {
    const value = changeNotificationsCondition({
      kind: 'settings', settings: { queueUrl: URL_A },
      queues: [{ url: URL_A, health: { receiving: false, reason: 'ChangeQueueNotFound', message: `SQS queue ${URL_A} does not exist: create it, or correct the queue URL` } }, { url: URL_OP, health: { receiving: true } }],
    });
    expect(value).toEqual({
      status: 'False', reason: 'QueueUnavailable',
      message: `ChangeQueueNotFound: SQS queue ${URL_A} does not exist: create it, or correct the queue URL; ExternalSecrets still refresh at their refreshInterval`,
    });
  });

  it('Unknown QueueStarting before the first receive answers', () => {
    expect(changeNotificationsCondition({ kind: 'settings', settings: { queueUrl: URL_A }, queues: [{ url: URL_A, health: undefined }] }))
      .toMatchObject({ status: 'Unknown', reason: 'QueueStarting' });
  });

  it('False InvalidChangeSettings with the settings\' message', () => {
    expect(changeNotificationsCondition({ kind: 'invalid', message: 'annotation x: not a URL' }))
      .toEqual({ status: 'False', reason: 'InvalidChangeSettings', message: 'annotation x: not a URL' });
  });
});

describe('withChangeNotifications', () => {
  const ready = { type: 'Ready', status: 'True' as const, reason: 'Valid', message: 'store validated', lastTransitionTime: '2026-01-01T00:00:00Z' };

  it('goes before Ready, keeps its transition time while the status holds, and goes away when there is none', () => {
    const first = withChangeNotifications([ready], { status: 'True', reason: 'Polling', message: 'm' }, Date.parse('2026-02-01T00:00:00Z'));
    expect(first.map((c) => c.type)).toEqual(['ChangeNotifications', 'Ready']);
    const same = withChangeNotifications(first, { status: 'True', reason: 'QueueReceiving', message: 'n' }, Date.parse('2026-03-01T00:00:00Z'));
    expect(same[0]).toMatchObject({ reason: 'QueueReceiving', lastTransitionTime: '2026-02-01T00:00:00Z' });
    const flipped = withChangeNotifications(same, { status: 'False', reason: 'QueueUnavailable', message: 'o' }, Date.parse('2026-04-01T00:00:00Z'));
    expect(flipped[0]).toMatchObject({ status: 'False', lastTransitionTime: '2026-04-01T00:00:00Z' });
    expect(withChangeNotifications(flipped, undefined, 0)).toEqual([ready]);
  });
});

import { describe, expect, it } from 'vitest';
import { changeQueueUrlFrom } from '../../src/changes/queue-listeners.ts';

describe('changeQueueUrlFrom (CHANGE_QUEUE_URL)', () => {
  it('unset or empty: no operator-wide queue', () => {
    expect(changeQueueUrlFrom(undefined, 'us-east-1')).toBeUndefined();
    expect(changeQueueUrlFrom('', 'us-east-1')).toBeUndefined();
  });

  it('the region from an AWS queue URL\'s host, else AWS_REGION', () => {
    expect(changeQueueUrlFrom('https://sqs.eu-west-1.amazonaws.com/123456789012/changes', 'us-east-1'))
      .toEqual({ url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/changes', region: 'eu-west-1' });
    expect(changeQueueUrlFrom('http://127.0.0.1:5000/123456789012/changes', 'us-east-1'))
      .toEqual({ url: 'http://127.0.0.1:5000/123456789012/changes', region: 'us-east-1' });
  });

  it('refuses what is no queue URL, and a URL without a region when AWS_REGION is unset', () => {
    expect(() => changeQueueUrlFrom('changes', 'us-east-1')).toThrow(/CHANGE_QUEUE_URL: not a URL/);
    expect(() => changeQueueUrlFrom('https://sqs.eu-west-1.amazonaws.com/changes', 'us-east-1')).toThrow(/not an SQS queue URL/);
    expect(() => changeQueueUrlFrom('http://127.0.0.1:5000/123456789012/changes', undefined)).toThrow(/AWS_REGION is not set/);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, readEventBridgeEvent } from '../../src/changes/eventbridge-event.ts';
import {
  apiCallEvent, deleteSecret, putSecretValue, restoreSecret, rotateSecret, rotationSucceeded, secretArn, updateSecret, updateSecretVersionStage,
} from '../data/eventbridge-events.ts';

const read = (event: unknown) => readEventBridgeEvent(JSON.stringify(event));
const arn = secretArn('prod/db-password', 'eu-west-1', 'Xy12Zq');

describe('readEventBridgeEvent: the calls that change a secret, in the shape AWS records them', () => {
  const named = { name: 'prod/db-password', region: 'eu-west-1', arn };
  const cases: Array<[string, Record<string, unknown>]> = [
    ['PutSecretValue by name', putSecretValue('prod/db-password', arn)],
    ['PutSecretValue by ARN', putSecretValue(arn, arn)],
    ['UpdateSecret', updateSecret('prod/db-password', arn, 'prod/db-password')],
    ['UpdateSecretVersionStage', updateSecretVersionStage('prod/db-password', arn, 'prod/db-password')],
    ['RotateSecret', rotateSecret(arn, arn, 'prod/db-password')],
    ['DeleteSecret', deleteSecret('prod/db-password', arn, 'prod/db-password')],
    ['RestoreSecret', restoreSecret(arn, arn, 'prod/db-password')],
    ['RotationSucceeded (a service event)', rotationSucceeded(arn)],
  ];
  for (const [what, event] of cases) {
    it(`${what}: the secret's name, region and ARN, under the event's id`, () => {
      expect(read(event)).toEqual({ kind: 'changes', eventId: event.id, changes: [named] });
    });
  }

  it('the ARN spelled "aRN", as records before February 2024 did', () => {
    const event = apiCallEvent({ eventName: 'UpdateSecret', requestParameters: { secretId: 'prod/db-password' }, responseElements: { aRN: arn } });
    expect(read(event)).toMatchObject({ kind: 'changes', changes: [named] });
  });

  it('a name with hyphens keeps them: only the ARN\'s six-character suffix goes', () => {
    const hyphenated = secretArn('team-a/api-key-v2', 'us-east-1', 'AbC123');
    expect(read(putSecretValue('team-a/api-key-v2', hyphenated))).toMatchObject({ changes: [{ name: 'team-a/api-key-v2', arn: hyphenated }] });
  });

  it('without a response, the secretId: a name in the record\'s region, a full ARN with its own region and suffix stripped', () => {
    const byName = apiCallEvent({ eventName: 'PutSecretValue', region: 'ap-south-1', requestParameters: { secretId: 'svc/token' }, responseElements: null });
    expect(read(byName)).toMatchObject({ changes: [{ name: 'svc/token', region: 'ap-south-1' }] });
    expect((read(byName) as any).changes[0].arn).toBeUndefined();
    const byArn = apiCallEvent({ eventName: 'PutSecretValue', requestParameters: { secretId: secretArn('svc/token', 'us-west-2') }, responseElements: null });
    expect(read(byArn)).toMatchObject({ changes: [{ name: 'svc/token', region: 'us-west-2', arn: secretArn('svc/token', 'us-west-2') }] });
  });

  it('the event\'s region when the record has no awsRegion and no ARN says one', () => {
    const event = apiCallEvent({ eventName: 'PutSecretValue', region: 'ca-central-1', requestParameters: { secretId: 'svc/token' }, responseElements: null });
    delete (event.detail as any).awsRegion;
    expect(read(event)).toMatchObject({ changes: [{ name: 'svc/token', region: 'ca-central-1' }] });
  });
});

describe('readEventBridgeEvent: valid events it does not act on', () => {
  it('another source', () => {
    expect(read({ ...putSecretValue('a', secretArn('a')), source: 'aws.ssm' })).toMatchObject({ kind: 'ignored', why: expect.stringMatching(/source/) });
  });

  it('a call that reads or does not change the value (GetSecretValue, TagResource, CreateSecret)', () => {
    for (const eventName of ['GetSecretValue', 'TagResource', 'CreateSecret']) {
      const event = apiCallEvent({ eventName, requestParameters: { secretId: 'a' }, responseElements: null });
      expect(read(event)).toMatchObject({ kind: 'ignored', eventId: event.id, why: expect.stringMatching(/eventName/) });
    }
  });

  it('a service event other than RotationSucceeded (RotationFailed), and an API call named like one', () => {
    const failed = rotationSucceeded(secretArn('a'));
    (failed.detail as any).eventName = 'RotationFailed';
    expect(read(failed)).toMatchObject({ kind: 'ignored' });
    const disguised = apiCallEvent({ eventName: 'RotationSucceeded', requestParameters: { secretId: 'a' }, responseElements: null });
    expect(read(disguised)).toMatchObject({ kind: 'ignored' });
  });

  it('another detail-type (Secrets Manager\'s native "Secret Label Updated")', () => {
    expect(read({ ...putSecretValue('a', secretArn('a')), 'detail-type': 'Secret Label Updated' })).toMatchObject({ kind: 'ignored', why: expect.stringMatching(/detail-type/) });
  });

  it('a failed call (errorCode set, no response)', () => {
    const event = apiCallEvent({
      eventName: 'PutSecretValue', requestParameters: { secretId: 'a' }, responseElements: null,
      error: { errorCode: 'AccessDenied', errorMessage: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: secretsmanager:PutSecretValue' },
    });
    expect(read(event)).toMatchObject({ kind: 'ignored', why: expect.stringMatching(/errorCode/) });
  });
});

describe('readEventBridgeEvent: malformed messages, reported by field name only', () => {
  const secretText = 'hunter2-SECRET-MARKER';
  const malformed: Array<[string, string]> = [
    ['not JSON', `{"id": "${secretText}"`],
    ['JSON but not an object', JSON.stringify([secretText])],
    ['no id', JSON.stringify({ source: 'aws.secretsmanager', 'detail-type': 'AWS API Call via CloudTrail', detail: { note: secretText } })],
    ['an id longer than an event id', JSON.stringify({ ...putSecretValue('a', secretArn('a')), id: 'x'.repeat(129) })],
    ['no detail', JSON.stringify({ ...putSecretValue('a', secretArn('a')), detail: secretText })],
    ['no secret named', JSON.stringify(apiCallEvent({ eventName: 'PutSecretValue', requestParameters: { other: secretText }, responseElements: null }))],
    ['a secretId that is not a string', JSON.stringify(apiCallEvent({ eventName: 'PutSecretValue', requestParameters: { secretId: { x: secretText } }, responseElements: null }))],
    ['a response ARN that is no ARN', JSON.stringify(apiCallEvent({ eventName: 'PutSecretValue', requestParameters: { secretId: 'a' }, responseElements: { arn: secretText } }))],
    ['a secretId longer than any ARN', JSON.stringify(apiCallEvent({ eventName: 'PutSecretValue', requestParameters: { secretId: 'x'.repeat(2049) }, responseElements: null }))],
  ];
  for (const [what, body] of malformed) {
    it(`${what}: malformed, the reason naming no value from the message`, () => {
      const reading = readEventBridgeEvent(body);
      expect(reading.kind).toBe('malformed');
      expect((reading as { why: string }).why).not.toContain(secretText);
      expect((reading as { why: string }).why).not.toContain('xxxx');
    });
  }

  it(`a body over ${MAX_BODY_BYTES} bytes is malformed without being parsed`, () => {
    const event = putSecretValue('a', secretArn('a'));
    (event.detail as any).padding = 'p'.repeat(MAX_BODY_BYTES);
    expect(readEventBridgeEvent(JSON.stringify(event))).toEqual({ kind: 'malformed', why: `body longer than ${MAX_BODY_BYTES} bytes` });
  });

  it('a body of exactly the limit is read (multi-byte characters counted as bytes)', () => {
    const event = putSecretValue('a', secretArn('a'));
    const base = Buffer.byteLength(JSON.stringify({ ...event, pad: '' }));
    const room = MAX_BODY_BYTES - base;
    const padded = JSON.stringify({ ...event, pad: `${'é'.repeat(Math.floor(room / 2))}${'e'.repeat(room % 2)}` });
    expect(Buffer.byteLength(padded)).toBe(MAX_BODY_BYTES);
    expect(readEventBridgeEvent(padded).kind).toBe('changes');
    expect(readEventBridgeEvent(`${padded} `).kind).toBe('malformed');
  });
});

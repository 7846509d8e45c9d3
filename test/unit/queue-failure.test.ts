import { describe, expect, it } from 'vitest';
import { queueFailure } from '../../src/changes/queue-failure.ts';
import { OperatorError } from '../../src/errors.ts';

const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/changes';
const body = 'BODY-MARKER <html>proxy says no</html>';
const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(body), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });

describe('queueFailure: a reason code and what to fix, never the body of the answer', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['QueueDoesNotExist', sdkError('QueueDoesNotExist', 400), 'ChangeQueueNotFound', /does not exist/],
    ['the query protocol\'s NonExistentQueue', sdkError('AWS.SimpleQueueService.NonExistentQueue', 400), 'ChangeQueueNotFound', /does not exist/],
    ['AccessDenied', sdkError('AccessDenied', 400), 'AWSAccessDenied', /sqs:ReceiveMessage and sqs:DeleteMessage/],
    ['an unparsed 403', sdkError('Unknown', 403), 'AWSAccessDenied', /access denied/],
    ['throttling', sdkError('RequestThrottled', 400), 'AWSThrottled', /throttled/],
    ['a network failure', Object.assign(new Error(body), { code: 'ECONNREFUSED' }), 'AWSRequestFailed', /no answer from SQS \(ECONNREFUSED\)/],
    ['another error, named with a status', sdkError('InternalError', 500), 'AWSRequestFailed', /InternalError \(HTTP 500\)/],
    ['a name that is not an error code', sdkError('<b>weird</b>', 502), 'AWSRequestFailed', /Error \(HTTP 502\)/],
  ];
  for (const [what, error, code, message] of cases) {
    it(what, () => {
      const failure = queueFailure(error, URL);
      expect(failure.code).toBe(code);
      expect(failure.message).toMatch(message);
      expect(failure.message).toContain(URL);
      expect(failure.message).not.toContain('BODY-MARKER');
      expect(failure.message).not.toContain('weird');
    });
  }

  it('our own credential failures keep a message that names what to fix; those from STS say only their code', () => {
    expect(queueFailure(new OperatorError('ServiceAccountNotFound', 'ServiceAccount ns/reader not found'), URL).message).toBe(`SQS queue ${URL}: ServiceAccount ns/reader not found`);
    const sts = queueFailure(new OperatorError('AWSAuthenticationFailed', `AssumeRoleWithWebIdentity: STS rejected the token: ${body}`), URL);
    expect(sts.code).toBe('AWSAuthenticationFailed');
    expect(sts.message).not.toContain('BODY-MARKER');
  });
});

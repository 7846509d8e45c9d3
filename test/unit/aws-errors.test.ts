import {
  DecryptionFailure, InvalidRequestException, ResourceNotFoundException, SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { ExpiredTokenException, InvalidIdentityTokenException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { fromAwsError } from '../../src/aws/aws-errors.ts';
import { isRetryable } from '../../src/errors.ts';

const meta = { $metadata: { httpStatusCode: 400 } };
const ctx = { action: 'GetSecretValue', key: 'team/db', role: 'arn:aws:iam::123456789012:role/team' };

// The SDK's own exception classes, as the client throws them after parsing AWS's response.
describe('fromAwsError', () => {
  it('names the action and the role for AccessDenied, and says what to grant', () => {
    const err = fromAwsError(new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'User is not authorized', ...meta }), ctx);
    expect(err.code).toBe('AWSAccessDenied');
    expect(err.message).toContain('GetSecretValue');
    expect(err.message).toContain('arn:aws:iam::123456789012:role/team');
    expect(err.message).toContain('grant secretsmanager:GetSecretValue');
  });

  it.each([
    [new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", ...meta }), 'AWSSecretNotFound'],
    [new InvalidRequestException({ message: "You can't perform this operation on the secret because it was marked for deletion.", ...meta }), 'AWSSecretNotFound'],
    [new DecryptionFailure({ message: 'KMS access denied', ...meta }), 'AWSDecryptionFailure'],
    [new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta }), 'AWSThrottled'],
    [new InvalidRequestException({ message: 'Something else is wrong', ...meta }), 'AWSRequestFailed'],
  ])('maps %s to %s', (error, code) => {
    const err = fromAwsError(error, ctx);
    expect(err.code).toBe(code);
    expect(err.message).toContain('team/db');
  });

  it.each([
    new ExpiredTokenException({ message: 'Token expired', ...meta }),
    new InvalidIdentityTokenException({ message: 'Incorrect token audience', ...meta }),
  ])('maps an STS rejection of the web identity token (%s) to AWSAuthenticationFailed, naming the role and what to check', (error) => {
    const err = fromAwsError(error, { action: 'AssumeRoleWithWebIdentity', role: ctx.role });
    expect(err.code).toBe('AWSAuthenticationFailed');
    expect(err.message).toContain(ctx.role);
    expect(err.message).toContain('trust policy');
  });

  it('classifies an error body the SDK could not parse by its HTTP status', () => {
    const unparsable = (status: number) => Object.assign(new SyntaxError('Unexpected token'), { $metadata: { httpStatusCode: status } });
    expect(fromAwsError(unparsable(403), ctx).code).toBe('AWSAccessDenied');
    expect(fromAwsError(unparsable(403), ctx).message).toContain(ctx.role);
    expect(fromAwsError(unparsable(429), ctx).code).toBe('AWSThrottled');
    expect(fromAwsError(unparsable(502), ctx).code).toBe('AWSRequestFailed');
  });

  it('every AWS failure is retried with backoff (a fix in AWS must be picked up)', () => {
    for (const name of ['AccessDeniedException', 'ThrottlingException', 'ResourceNotFoundException', 'DecryptionFailure']) {
      expect(isRetryable(fromAwsError({ name, message: 'x' }, ctx))).toBe(true);
    }
  });
});

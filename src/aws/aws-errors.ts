import { OperatorError } from '../errors.ts';

interface AwsErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Maps an AWS SDK error to a reason code with a message that says what to fix.
 * AWS messages name ARNs and actions, never secret values, so they are kept.
 */
export function fromAwsError(error: unknown, context: AwsErrorContext): OperatorError {
  const e = (error ?? {}) as AwsErrorShape;
  const name = e.name ?? 'Error';
  const awsMessage = e.message ?? String(error);
  const what = context.key ? `secret "${context.key}"` : 'the request';
  const as = context.role ? ` as ${context.role}` : '';
  switch (name) {
    case 'ResourceNotFoundException':
      return new OperatorError('AWSSecretNotFound', `${context.action} ${what}: not found in AWS Secrets Manager (${awsMessage})`, { cause: error });
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
      return new OperatorError('AWSAccessDenied', `${context.action} ${what}${as} was denied: grant secretsmanager:${context.action} on it in the role's IAM policy (${awsMessage})`, { cause: error });
    case 'DecryptionFailure':
      return new OperatorError('AWSDecryptionFailure', `${context.action} ${what}: KMS could not decrypt it; allow kms:Decrypt on its key${as} (${awsMessage})`, { cause: error });
    case 'ThrottlingException':
    case 'Throttling':
    case 'TooManyRequestsException':
    case 'RequestLimitExceeded':
      return new OperatorError('AWSThrottled', `${context.action} ${what}: throttled by AWS; retrying with backoff (${awsMessage})`, { cause: error });
    case 'InvalidRequestException':
    case 'InvalidParameterException':
      // AWS answers a read of a secret pending deletion this way; ESO counts it as "no secret".
      if (/marked for deletion|scheduled for deletion|marked deleted/i.test(awsMessage)) {
        return new OperatorError('AWSSecretNotFound', `${context.action} ${what}: the secret is marked for deletion (${awsMessage})`, { cause: error });
      }
      break;
    case 'ExpiredTokenException':
    case 'ExpiredToken':
    case 'InvalidIdentityTokenException':
    case 'InvalidIdentityToken':
    case 'IDPRejectedClaimException':
    case 'IDPRejectedClaim':
    case 'IDPCommunicationErrorException':
    case 'IDPCommunicationError':
      return new OperatorError('AWSAuthenticationFailed', `${context.action}${as}: STS rejected the token: ${awsMessage}; check the role's trust policy (OIDC provider, audience, ServiceAccount subject)`, { cause: error });
  }
  // An error body the SDK could not parse (a proxy's HTML page, or an emulator's XML) still has its HTTP status.
  const status = e.$metadata?.httpStatusCode;
  if (status === 403) {
    return new OperatorError('AWSAccessDenied', `${context.action} ${what}${as} was denied (HTTP 403): grant secretsmanager:${context.action} on it in the role's IAM policy`, { cause: error });
  }
  if (status === 429) {
    return new OperatorError('AWSThrottled', `${context.action} ${what}: throttled by AWS (HTTP 429); retrying with backoff`, { cause: error });
  }
  return new OperatorError('AWSRequestFailed', `${context.action} ${what}${as} failed: ${name}: ${awsMessage}`, { cause: error });
}

export type AwsErrorContext = { action: string; key?: string; role?: string };

/**
 * One AWS call, reported to `onCall` once by outcome; an AWS error becomes a reason-coded error
 * naming the context (by default fromAwsError; a service with its own errors passes its mapping),
 * one of ours passes as is.
 */
export async function awsCall<A extends string, T>(
  context: AwsErrorContext & { action: A },
  onCall: ((action: A, ok: boolean) => void) | undefined,
  send: () => Promise<T>,
  toError: (error: unknown, context: AwsErrorContext) => OperatorError = fromAwsError,
): Promise<T> {
  try {
    const out = await send();
    onCall?.(context.action, true);
    return out;
  } catch (error) {
    onCall?.(context.action, false);
    if (error instanceof OperatorError) throw error;
    throw toError(error, context);
  }
}

import { OperatorError, type ReasonCode } from '../errors.ts';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Why reading an SQS queue failed, as a reason code and a message saying what to fix. Only the
 * error's code, its HTTP status and the queue's URL are named, never the body of AWS's answer:
 * a queue URL comes from a store annotation, which anyone who may edit the store can point at any
 * host, whose answer would then reach the store's status.
 */
export function queueFailure(error: unknown, queueUrl: string): OperatorError {
  if (error instanceof OperatorError) return ownFailure(error, queueUrl);
  const e = (error ?? {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  const queue = `SQS queue ${queueUrl}`;
  if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
    return new OperatorError('ChangeQueueNotFound', `${queue} does not exist: create it, or correct the queue URL`, { cause: error });
  }
  if (['AccessDenied', 'AccessDeniedException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidSecurity', 'KMS.AccessDeniedException'].includes(name) || status === 403) {
    return new OperatorError('AWSAccessDenied', `${queue}: access denied (${name}); allow sqs:ReceiveMessage and sqs:DeleteMessage on it to the identity that reads it (and kms:Decrypt if the queue is encrypted with a customer key)`, { cause: error });
  }
  if (['ThrottlingException', 'Throttling', 'RequestThrottled', 'OverLimit'].includes(name) || status === 429) {
    return new OperatorError('AWSThrottled', `${queue}: throttled by AWS (${name}); retrying with backoff`, { cause: error });
  }
  if (status === undefined) {
    // No HTTP answer: a network failure (its Node.js code says which) or a timeout.
    const code = typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : name;
    return new OperatorError('AWSRequestFailed', `${queue}: no answer from SQS (${safeName(code)}); retrying with backoff`, { cause: error });
  }
  return new OperatorError('AWSRequestFailed', `${queue}: ${safeName(name)} (HTTP ${status}); retrying with backoff`, { cause: error });
}

/**
 * Our own failures getting credentials that name what to fix (a ServiceAccount, a Secret) keep
 * their message; the others (an STS answer, an apiserver error) are said by code only, as above.
 */
function ownFailure(error: OperatorError, queueUrl: string): OperatorError {
  const ours: ReasonCode[] = ['ServiceAccountNotFound', 'RoleArnMissing', 'CredentialsSecretInvalid', 'InvalidProviderConfig'];
  if (ours.includes(error.code)) return new OperatorError(error.code, `SQS queue ${queueUrl}: ${error.message}`, { cause: error });
  return new OperatorError(error.code, `SQS queue ${queueUrl}: could not get credentials for the identity that reads it (${error.code}); check its role, its trust policy and the operator's logs`, { cause: error });
}

/** An error code as the SDK names it; anything else is not quoted. */
function safeName(name: string): string {
  return /^[A-Za-z0-9_.]{1,64}$/.test(name) ? name : 'Error';
}

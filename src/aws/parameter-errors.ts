import { OperatorError } from '../errors.ts';
import { fromAwsError, type AwsErrorContext } from './aws-errors.ts';

interface SsmErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Maps an SSM (Parameter Store) error to a reason code, naming the call and the parameter and
 * what to fix, never quoting AWS's message. As ESO: only ParameterNotFound is "no secret" (so
 * the deletion policy applies); a missing version, or tags asked of a parameter that does not
 * exist (ListTagsForResource answers InvalidResourceId), are errors whatever the policy.
 * STS's refusals of the identity's token are aws-errors.ts's.
 */
export function fromSsmError(error: unknown, context: AwsErrorContext): OperatorError {
  const e = (error ?? {}) as SsmErrorShape;
  const what = context.key !== undefined ? `parameter "${context.key}"` : 'the request';
  const as = context.role ? ` as ${context.role}` : '';
  switch (e.name) {
    case 'ParameterNotFound':
      return new OperatorError('AWSSecretNotFound', `${context.action} ${what}: not found in AWS Parameter Store`, { cause: error });
    case 'ParameterVersionNotFound':
    case 'ParameterVersionLabelNotFound':
      return new OperatorError('AWSVersionNotFound', `${context.action} ${what}: Parameter Store has no such version or label of the parameter (${e.name})`, { cause: error });
    case 'InvalidResourceId':
      return new OperatorError('AWSRequestFailed', `${context.action} ${what}: Parameter Store knows no parameter of that name (InvalidResourceId); as in ESO, this is an error whatever the deletion policy`, { cause: error });
    case 'InvalidKeyId':
      return new OperatorError('AWSDecryptionFailure', `${context.action} ${what}: the KMS key of this SecureString cannot be used${as}; allow kms:Decrypt on it (InvalidKeyId)`, { cause: error });
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
      return denied(context, what, as, error);
    case 'ThrottlingException':
    case 'Throttling':
    case 'TooManyRequestsException':
      return new OperatorError('AWSThrottled', `${context.action} ${what}: throttled by AWS; retrying with backoff`, { cause: error });
  }
  const status = e.$metadata?.httpStatusCode;
  // STS's refusals of the identity's token or role: aws-errors.ts says what to check.
  const mapped = fromAwsError(error, context);
  if (mapped.code === 'AWSAuthenticationFailed') return mapped;
  if (status === 403) return denied(context, what, as, error);
  if (status === 429) return new OperatorError('AWSThrottled', `${context.action} ${what}: throttled by AWS (HTTP 429); retrying with backoff`, { cause: error });
  return new OperatorError('AWSRequestFailed', `${context.action} ${what}${as} failed: ${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}`, { cause: error });
}

function denied(context: AwsErrorContext, what: string, as: string, error: unknown): OperatorError {
  return new OperatorError('AWSAccessDenied', `${context.action} ${what}${as} was denied: grant ssm:${context.action} on it in the role's IAM policy (and kms:Decrypt on the key of a SecureString)`, { cause: error });
}

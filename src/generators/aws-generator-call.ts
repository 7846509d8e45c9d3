import { OperatorError, type ReasonCode } from '../errors.ts';
import { fromAwsError } from '../aws/aws-errors.ts';

/** The AWS services the generators call; the IAM prefix of their actions. */
export type GeneratorService = 'ecr' | 'sts';
export type GeneratorCallHook = (service: GeneratorService, action: string, ok: boolean) => void;

export interface GeneratorCallContext {
  service: GeneratorService;
  action: string;
  /** Who asked, for messages (`ECRAuthorizationToken team-a/ecr`). */
  generator: string;
  /** The role the call was signed as, if one was assumed. */
  role?: string;
  /** What else than the IAM policy may explain a denial (MFA settings, for STS). */
  deniedHint?: string;
}

/**
 * One generator call to AWS, reported to `onCall` once by outcome. An AWS error becomes a reason-coded
 * error (the codes of aws-errors.ts) whose message names the call, the identity and AWS's error code,
 * never AWS's message: the generated values are credentials, and nothing of a response goes into
 * status, Events or logs. One of ours (credentials that could not be obtained) passes as is.
 */
export async function generatorCall<T>(context: GeneratorCallContext, onCall: GeneratorCallHook | undefined, send: () => Promise<T>): Promise<T> {
  try {
    const out = await send();
    onCall?.(context.service, context.action, true);
    return out;
  } catch (error) {
    onCall?.(context.service, context.action, false);
    if (error instanceof OperatorError) throw error;
    throw generatorAwsError(error, context);
  }
}

/** The reason-coded error for an AWS error of a generator call (see generatorCall). Pure. */
export function generatorAwsError(error: unknown, context: GeneratorCallContext): OperatorError {
  const e = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  // The codes follow the shared mapping; "not found" there means a secret, which a generator never reads.
  const mapped = fromAwsError(error, { action: context.action }).code;
  const code: ReasonCode = mapped === 'AWSSecretNotFound' ? 'AWSRequestFailed' : mapped;
  const call = `${context.generator}: ${context.service}:${context.action}${context.role ? ` as ${context.role}` : ''}`;
  const what = `${name}${status ? `, HTTP ${status}` : ''}`;
  switch (code) {
    case 'AWSAccessDenied':
      return new OperatorError(code, `${call} was denied (${what}): allow ${context.service}:${context.action} in that identity's IAM policy${context.deniedHint ? `; ${context.deniedHint}` : ''}`, { cause: error });
    case 'AWSThrottled':
      return new OperatorError(code, `${call}: throttled by AWS (${what}); retrying with backoff`, { cause: error });
    case 'AWSAuthenticationFailed':
      return new OperatorError(code, `${call}: AWS rejected the credentials (${what})`, { cause: error });
    default:
      return new OperatorError(code, `${call} failed (${what})`, { cause: error });
  }
}

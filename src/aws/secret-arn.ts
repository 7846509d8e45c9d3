/**
 * Secrets Manager ARNs: arn:<partition>:secretsmanager:<region>:<account>:secret:<name>, where
 * AWS's own (full) ARN ends the name with a hyphen and six random characters; a partial ARN,
 * which a SecretId may be, has the name alone.
 */
const ARN = /^arn:[a-z0-9-]+:secretsmanager:([a-z0-9-]*):\d*:secret:(.+)$/;
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** Whether an id is an ARN rather than a name (a secret's name holds no colon). */
export const isSecretArn = (id: string): boolean => id.startsWith('arn:');

/** The region an ARN names, if it is a Secrets Manager ARN that names one. */
export function regionOfSecretArn(arn: string): string | undefined {
  return ARN.exec(arn)?.[1] || undefined;
}

/**
 * The secret name an ARN carries: without the random suffix when `full` (an ARN AWS returned),
 * as written otherwise (a partial ARN's name may itself end like a suffix).
 */
export function nameOfSecretArn(arn: string, full: boolean): string | undefined {
  const name = ARN.exec(arn)?.[2];
  return name !== undefined && full ? name.replace(RANDOM_SUFFIX, '') : name;
}

/**
 * The names a secret id can stand for. An ExternalSecret names a secret by name or by ARN, and
 * a change report by name, ARN or both; they meet on the name. A full ARN ends in the name,
 * a hyphen and six random characters (`…:secret:db/password-AbCdEf`); a partial ARN is the same
 * without them. The two cannot always be told apart (a name may end in `-prod01`), so an ARN
 * stands for both readings: one extra refresh at most, never a missed one.
 */

export interface SecretNames {
  /** The names the id can stand for (one for a plain name). */
  names: string[];
  /** The region an ARN names. */
  region?: string;
}

const ARN = /^arn:[a-z0-9-]+:secretsmanager:([a-z0-9-]*):[0-9]*:secret:(.+)$/;
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** A Secrets Manager ARN's parts. */
export interface SecretArn {
  region?: string;
  /** What follows `secret:`: the name, and in a full ARN AWS's suffix. */
  tail: string;
  /** The tail ends as a full ARN's does (`-` and six characters), so it may be one. */
  suffixed: boolean;
}

/** The parts of a Secrets Manager ARN; undefined for anything else (a name). */
export function secretArnOf(id: string): SecretArn | undefined {
  const arn = ARN.exec(id);
  if (!arn) return undefined;
  const [, region, tail] = arn as unknown as [string, string, string];
  return { ...(region ? { region } : {}), tail, suffixed: RANDOM_SUFFIX.test(tail) && tail.length > 7 };
}

/** The name a full ARN's tail carries: without AWS's suffix. */
export const withoutSuffix = (arn: SecretArn): string => (arn.suffixed ? arn.tail.slice(0, -7) : arn.tail);

export function secretNamesOf(secretId: string): SecretNames {
  const arn = secretArnOf(secretId);
  if (!arn) return { names: [secretId] };
  const names = arn.suffixed ? [withoutSuffix(arn), arn.tail] : [arn.tail];
  return arn.region ? { names, region: arn.region } : { names };
}

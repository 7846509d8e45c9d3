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

export function secretNamesOf(secretId: string): SecretNames {
  const arn = ARN.exec(secretId);
  if (!arn) return { names: [secretId] };
  const [, region, tail] = arn as unknown as [string, string, string];
  const names = RANDOM_SUFFIX.test(tail) && tail.length > 7 ? [tail.slice(0, -7), tail] : [tail];
  return region ? { names, region } : { names };
}

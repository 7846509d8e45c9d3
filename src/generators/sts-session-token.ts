/**
 * ESO's STSSessionToken generator: STS GetSessionToken, as the keys access_key_id, secret_access_key,
 * session_token and expiration (Unix seconds, as ESO formats it).
 */
import { GetSessionTokenCommand, type Credentials } from '@aws-sdk/client-sts';
import type { STSSessionTokenSpec } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { generatorCall } from './aws-generator-call.ts';
import type { AwsGeneratorClients } from './aws-generator-clients.ts';
import { generatorIdentity, generatorName } from './aws-generator-identity.ts';
import { unixSeconds, utf8 } from './generated-value.ts';
import type { GeneratedData, GenerateFn } from './generator.ts';

/** The generator, calling STS with the clients of its identity. */
export function stsSessionToken(clients: AwsGeneratorClients): GenerateFn<STSSessionTokenSpec> {
  return async (spec, use) => {
    const generator = generatorName(use);
    if (spec.auth?.jwt) {
      // As ESO: STS gives no session token to a web identity's (temporary) credentials.
      throw new OperatorError('InvalidProviderConfig', `${generator}: auth.jwt cannot be used for STS session tokens; use auth.secretRef (an IAM user's keys) or the operator's own credentials`);
    }
    const { identity, namespace } = generatorIdentity(spec, use);
    const client = await clients.sts(identity, namespace);
    const parameters = spec.requestParameters;
    const out = await generatorCall({
      service: 'sts', action: 'GetSessionToken', generator, ...(spec.role ? { role: spec.role } : {}),
      ...(parameters?.serialNumber ? { deniedHint: 'check the MFA device serialNumber and tokenCode' } : {}),
    }, clients.onCall, () => client.send(new GetSessionTokenCommand({
      DurationSeconds: parameters?.sessionDuration,
      SerialNumber: parameters?.serialNumber,
      TokenCode: parameters?.tokenCode,
    })));
    return stsTokenData(out.Credentials, generator);
  };
}

/** ESO's keys for STS's credentials. Errors never quote them. Pure. */
export function stsTokenData(credentials: Credentials | undefined, generator: string): GeneratedData {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials ?? {};
  if (AccessKeyId === undefined || SecretAccessKey === undefined || SessionToken === undefined || Expiration === undefined) {
    throw new OperatorError('AWSRequestFailed', `${generator}: STS returned no complete credentials`);
  }
  return {
    access_key_id: utf8(AccessKeyId),
    secret_access_key: utf8(SecretAccessKey),
    session_token: utf8(SessionToken),
    expiration: unixSeconds(Expiration),
  };
}

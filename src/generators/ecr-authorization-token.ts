/**
 * ESO's ECRAuthorizationToken generator: ECR GetAuthorizationToken, as the keys username, password,
 * proxy_endpoint and expires_at. The token's decoding and the keys' formats are ESO's, byte for byte
 * (Go's strict base64, a split on ":" into exactly two parts, Unix seconds), so they are written out.
 */
import { GetAuthorizationTokenCommand, type AuthorizationData } from '@aws-sdk/client-ecr';
import type { ECRAuthorizationTokenSpec } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { decodeBase64, STD_ENCODING } from '../go/base64.ts';
import { generatorCall } from './aws-generator-call.ts';
import type { AwsGeneratorClients } from './aws-generator-clients.ts';
import { generatorIdentity, generatorName } from './aws-generator-identity.ts';
import { unixSeconds, utf8 } from './generated-value.ts';
import type { GeneratedData, GenerateFn } from './generator.ts';

const COLON = 0x3a;

/** The generator, calling ECR with the clients of its identity. */
export function ecrAuthorizationToken(clients: AwsGeneratorClients): GenerateFn<ECRAuthorizationTokenSpec> {
  return async (spec, use) => {
    const generator = generatorName(use);
    if (spec.scope === 'public') {
      // ESO asks ECR Public (ecr-public:GetAuthorizationToken); not implemented here yet.
      throw new OperatorError('UnsupportedField', `${generator}: spec.scope "public" (Amazon ECR Public) is not supported by this operator; omit scope for the account's private registry`);
    }
    const { identity, namespace } = generatorIdentity(spec, use);
    const client = await clients.ecr(identity, namespace);
    const out = await generatorCall({ service: 'ecr', action: 'GetAuthorizationToken', generator, ...(spec.role ? { role: spec.role } : {}) },
      clients.onCall, () => client.send(new GetAuthorizationTokenCommand({})));
    return ecrTokenData(out.authorizationData, generator);
  };
}

/**
 * ESO's keys for ECR's answer: exactly one authorization, its token base64 of `<username>:<password>`.
 * Errors never quote the token. Pure.
 */
export function ecrTokenData(authorizations: AuthorizationData[] | undefined, generator: string): GeneratedData {
  if (authorizations?.length !== 1) {
    throw new OperatorError('AWSRequestFailed', `${generator}: ECR returned ${authorizations?.length ?? 0} authorization tokens; expected 1`);
  }
  const { authorizationToken, proxyEndpoint, expiresAt } = authorizations[0]!;
  if (authorizationToken === undefined || proxyEndpoint === undefined || expiresAt === undefined) {
    throw new OperatorError('AWSRequestFailed', `${generator}: ECR's answer lacks the token, its endpoint or its expiry`);
  }
  const { username, password } = splitToken(authorizationToken, generator);
  return {
    username,
    password,
    proxy_endpoint: utf8(proxyEndpoint),
    expires_at: unixSeconds(expiresAt),
  };
}

/** The token's two parts, split at its only ":" (Go's strings.Split must give exactly two). */
function splitToken(token: string, generator: string): { username: Uint8Array; password: Uint8Array } {
  const decoded = decodeBase64(utf8(token), STD_ENCODING);
  if (typeof decoded === 'number') throw new OperatorError('AWSRequestFailed', `${generator}: ECR's authorization token is not base64`);
  const colon = decoded.indexOf(COLON);
  if (colon < 0 || decoded.indexOf(COLON, colon + 1) >= 0) {
    throw new OperatorError('AWSRequestFailed', `${generator}: ECR's authorization token is not <username>:<password>`);
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

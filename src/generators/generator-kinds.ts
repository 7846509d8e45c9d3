import type { AwsGeneratorClients } from './aws-generator-clients.ts';
import { ecrAuthorizationToken } from './ecr-authorization-token.ts';
import type { GenerateFn } from './generator.ts';
import { passwordGenerator } from './password.ts';
import { stsSessionToken } from './sts-session-token.ts';
import { uuidGenerator } from './uuid.ts';

/** What generator kinds may need from the operator: the AWS generators get credentials as a store does. */
export interface GeneratorDeps {
  /** ECR and STS clients per identity, on the stores' shared credentials. */
  aws: AwsGeneratorClients;
}

/**
 * The generator kinds this operator implements, by kind: one line each. A kind not listed here
 * (ESO's Fake, Webhook, VaultDynamicSecret, ...) is UnsupportedField where it is used, named.
 * Each kind needs its CRD in crds/ (the runner reads the object at that kind's path) and its spec
 * in ClusterGenerator's spec.generator.
 */
export function generatorKinds(deps: GeneratorDeps): Readonly<Record<string, GenerateFn<any>>> {
  return {
    Password: passwordGenerator,
    UUID: uuidGenerator,
    ECRAuthorizationToken: ecrAuthorizationToken(deps.aws),
    STSSessionToken: stsSessionToken(deps.aws),
  };
}

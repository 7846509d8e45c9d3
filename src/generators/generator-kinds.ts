import type { AwsProviders } from '../aws/store-providers.ts';
import type { GenerateFn } from './generator.ts';
import { passwordGenerator } from './password.ts';
import { uuidGenerator } from './uuid.ts';

/** What generator kinds may need from the operator: the AWS generators get credentials as a store does. */
export interface GeneratorDeps {
  aws: AwsProviders;
}

/**
 * The generator kinds this operator implements, by kind: one line each. A kind not listed here
 * (ESO's Fake, Webhook, VaultDynamicSecret, ...) is UnsupportedField where it is used, named.
 * Each kind needs its CRD in crds/ (the runner reads the object at that kind's path) and its spec
 * in ClusterGenerator's spec.generator.
 */
export function generatorKinds(_deps: GeneratorDeps): Readonly<Record<string, GenerateFn<any>>> {
  return {
    Password: passwordGenerator,
    UUID: uuidGenerator,
  };
}

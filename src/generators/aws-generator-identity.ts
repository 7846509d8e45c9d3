import type { GeneratorAwsAuth } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import type { StoreIdentity } from '../aws/store-providers.ts';
import type { GeneratorUse } from './generator.ts';

/** What ESO's AWS generators (ECRAuthorizationToken, STSSessionToken) share: where and as whom they call AWS. */
export interface AwsGeneratorSpec {
  region: string;
  role?: string;
  auth?: GeneratorAwsAuth;
}

/** A generator's identity as a store's, and the namespace its references resolve in. */
export interface GeneratorIdentity {
  identity: StoreIdentity;
  namespace: string;
}

/** How a generator names itself in messages: `ECRAuthorizationToken team-a/ecr`, `ClusterGenerator ecr`. */
export const generatorName = (use: GeneratorUse): string => `${use.kind} ${use.namespace ? `${use.namespace}/` : ''}${use.name}`;

/**
 * Expresses an AWS generator's auth as the identity of a namespaced store, so the stores' rules apply
 * (credentials memoized per identity, refreshed ahead of expiry; static keys read anew each use).
 * Like ESO, the references resolve in one namespace: the generator's own, which is the consumer's
 * (a ClusterGenerator's: the consumer's). ESO ignores a reference's `namespace`; one naming another
 * namespace is refused here rather than silently read elsewhere. With both secretRef and jwt (ESO's
 * own example sets both), secretRef is used, as ESO does. Pure.
 */
export function generatorIdentity(spec: AwsGeneratorSpec, use: GeneratorUse): GeneratorIdentity {
  const name = generatorName(use);
  const namespace = use.namespace ?? use.consumerNamespace;
  if (!spec.region) throw new OperatorError('InvalidProviderConfig', `${name}: spec.region is required`);
  const { secretRef, jwt } = spec.auth ?? {};
  const sameNamespace = (ref: { namespace?: string } | undefined, field: string): void => {
    if (ref?.namespace && ref.namespace !== namespace) {
      throw new OperatorError('InvalidProviderConfig', `${name}: ${field}.namespace "${ref.namespace}" is not allowed; a generator's references resolve in the namespace "${namespace}" only`);
    }
  };
  let auth: GeneratorAwsAuth | undefined;
  if (secretRef) {
    for (const field of ['accessKeyIDSecretRef', 'secretAccessKeySecretRef', 'sessionTokenSecretRef'] as const) {
      const ref = secretRef[field];
      if (!ref && field === 'sessionTokenSecretRef') continue;
      if (!ref?.name || !ref.key) throw new OperatorError('InvalidProviderConfig', `${name}: auth.secretRef.${field} needs a name and a key`);
      sameNamespace(ref, `auth.secretRef.${field}`);
    }
    auth = { secretRef };
  } else if (jwt) {
    if (!jwt.serviceAccountRef?.name) throw new OperatorError('InvalidProviderConfig', `${name}: auth.jwt.serviceAccountRef needs a name`);
    sameNamespace(jwt.serviceAccountRef, 'auth.jwt.serviceAccountRef');
    auth = { jwt };
  }
  return {
    namespace,
    identity: {
      kind: 'SecretStore',
      name: `${use.kind}/${use.name}`,
      namespace,
      // `service` says nothing about credentials; a store identity just needs one.
      aws: { service: 'SecretsManager', region: spec.region, ...(spec.role ? { role: spec.role } : {}), ...(auth ? { auth } : {}) },
    },
  };
}

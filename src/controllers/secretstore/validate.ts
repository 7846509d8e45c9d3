import type { AwsProvider, ClusterSecretStore, SecretStore } from '../../api/generated.ts';
import { OperatorError } from '../../errors.ts';

export type AnyStore = SecretStore | ClusterSecretStore;

/** The AWS services this operator reads (CertificateManager, which ESO 2.9 also knows, is not one). */
const SUPPORTED_SERVICES: readonly string[] = ['SecretsManager', 'ParameterStore'];

export const storeLabel = (store: AnyStore): string =>
  store.kind === 'ClusterSecretStore' ? `ClusterSecretStore "${store.metadata.name}"` : `SecretStore "${store.metadata.namespace}/${store.metadata.name}"`;

/**
 * The store's AWS provider block, checked for what this operator implements.
 * Pure: the store controller reports the result in the store's status, and every
 * ExternalSecret using the store gets the same message.
 */
export function validateStore(store: AnyStore): AwsProvider {
  const label = storeLabel(store);
  const provider = (store.spec?.provider ?? {}) as Record<string, unknown>;
  const others = Object.keys(provider).filter((k) => k !== 'aws');
  if (!provider.aws) {
    const named = others.length ? `spec.provider.${others.join(', spec.provider.')}` : 'no provider';
    throw new OperatorError('UnsupportedProvider', `${label} uses ${named}; this operator supports only spec.provider.aws`);
  }
  if (others.length) {
    throw new OperatorError('InvalidProviderConfig', `${label} sets more than one provider (aws and ${others.join(', ')}); set exactly one`);
  }
  const aws = provider.aws as AwsProvider;
  if (!SUPPORTED_SERVICES.includes(aws.service ?? 'SecretsManager')) {
    throw new OperatorError('UnsupportedProvider', `${label} sets spec.provider.aws.service "${aws.service}"; only SecretsManager and ParameterStore are supported`);
  }
  const unsupported = unsupportedAwsFields(aws);
  if (unsupported.length) throw new OperatorError('UnsupportedField', `${label}: not supported by this operator yet: ${unsupported.join(', ')}`);
  if (!aws.region) throw new OperatorError('InvalidProviderConfig', `${label}: spec.provider.aws.region is required`);
  const jwt = aws.auth?.jwt?.serviceAccountRef;
  const secretRef = aws.auth?.secretRef;
  if (jwt && secretRef) throw new OperatorError('InvalidProviderConfig', `${label}: set only one of auth.jwt and auth.secretRef`);
  if (store.kind === 'SecretStore') {
    // A namespaced store never reaches into another namespace.
    const foreign = [
      ['auth.jwt.serviceAccountRef', jwt?.namespace],
      ['auth.secretRef.accessKeyIDSecretRef', secretRef?.accessKeyIDSecretRef?.namespace],
      ['auth.secretRef.secretAccessKeySecretRef', secretRef?.secretAccessKeySecretRef?.namespace],
      ['auth.secretRef.sessionTokenSecretRef', secretRef?.sessionTokenSecretRef?.namespace],
    ].filter(([, ns]) => ns && ns !== store.metadata.namespace);
    if (foreign.length) {
      throw new OperatorError('InvalidProviderConfig', `${label}: ${foreign.map(([f, ns]) => `${f}.namespace "${ns}"`).join(', ')} not allowed; a SecretStore may only reference its own namespace`);
    }
  }
  if (secretRef && (!secretRef.accessKeyIDSecretRef?.name || !secretRef.secretAccessKeySecretRef?.name)) {
    throw new OperatorError('InvalidProviderConfig', `${label}: auth.secretRef needs accessKeyIDSecretRef and secretAccessKeySecretRef`);
  }
  return aws;
}

/**
 * Fields of the AWS provider that the schema accepts and this operator does not implement,
 * by path: reported like the ExternalSecret's (src/sync/unsupported.ts), never ignored, so no
 * role is assumed without the session tags the store asks for.
 */
export function unsupportedAwsFields(aws: AwsProvider): string[] {
  const found: string[] = [];
  if ((aws.sessionTagsPolicy ?? 'None') !== 'None') found.push(`spec.provider.aws.sessionTagsPolicy: ${aws.sessionTagsPolicy}`);
  if (Object.keys(aws.customSessionTags ?? {}).length) found.push('spec.provider.aws.customSessionTags');
  return found;
}

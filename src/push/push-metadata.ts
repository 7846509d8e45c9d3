/**
 * `data[].metadata` of a PushSecret, as ESO's AWS providers read it (runtime/metadata's
 * ParseMetadataParameters, then each service's constructMetadataWithDefaults): a
 * `kubernetes.external-secrets.io/v1alpha1` `PushSecretMetadata` whose spec the service defines,
 * unknown fields refused, ESO's defaults filled in, and the `managed-by: external-secrets` tag
 * always added (a user may not set it). Pure.
 */
import { OperatorError } from '../errors.ts';

export const METADATA_API_VERSION = 'kubernetes.external-secrets.io/v1alpha1';
export const METADATA_KIND = 'PushSecretMetadata';
export const MANAGED_BY_TAG = 'managed-by';
export const MANAGED_BY_VALUE = 'external-secrets';
/** ESO's default description of what it creates. */
export const DEFAULT_DESCRIPTION = `secret '${MANAGED_BY_TAG}:${MANAGED_BY_VALUE}'`;

/** Secrets Manager: how a secret is created. */
export interface SecretsManagerPushMetadata {
  /** binary: SecretBinary (ESO's default); string: SecretString. */
  secretPushFormat: 'binary' | 'string';
  description: string;
  kmsKeyID: string;
  /** The tags a created secret gets and an updated one is brought to, managed-by included. */
  tags: Record<string, string>;
}

/** Parameter Store: how a parameter is written. */
export interface ParameterStorePushMetadata {
  secretType: 'String' | 'StringList' | 'SecureString';
  kmsKeyID: string;
  tier: { type: 'Standard' | 'Advanced' | 'Intelligent-Tiering'; policies?: unknown };
  /** The whole Secret (no secretKey) as a JSON object of strings rather than of base64 bytes. */
  encodeAsDecoded: boolean;
  tags: Record<string, string>;
  description: string;
}

export function secretsManagerMetadata(raw: unknown, at: string): SecretsManagerPushMetadata {
  const spec = specOf(raw, at, ['secretPushFormat', 'description', 'kmsKeyID', 'tags', 'resourcePolicy']);
  if (spec.resourcePolicy !== undefined) {
    throw new OperatorError('UnsupportedField', `${at}.spec.resourcePolicy: not supported by this operator yet`);
  }
  const format = stringField(spec, 'secretPushFormat', at) || 'binary';
  if (format !== 'binary' && format !== 'string') {
    throw new OperatorError('InvalidSpec', `${at}: failed to parse metadata: invalid secret push format: ${format}`);
  }
  return {
    secretPushFormat: format,
    description: stringField(spec, 'description', at) || DEFAULT_DESCRIPTION,
    kmsKeyID: stringField(spec, 'kmsKeyID', at) || 'alias/aws/secretsmanager',
    tags: tagsOf(spec, at),
  };
}

const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;

export function parameterStoreMetadata(raw: unknown, at: string): ParameterStorePushMetadata {
  const spec = specOf(raw, at, ['secretType', 'kmsKeyID', 'tier', 'encodeAsDecoded', 'tags', 'description']);
  const secretType = stringField(spec, 'secretType', at) || 'String';
  if (!(PARAMETER_TYPES as readonly string[]).includes(secretType)) {
    throw new OperatorError('InvalidSpec', `${at}.spec.secretType: "${secretType}" is not one of ${PARAMETER_TYPES.join(', ')}`);
  }
  const tier = spec.tier === undefined ? {} : objectField(spec.tier, `${at}.spec.tier`, ['type', 'policies']);
  const tierType = stringField(tier, 'type', `${at}.spec.tier`) || 'Standard';
  if (!(TIERS as readonly string[]).includes(tierType)) {
    throw new OperatorError('InvalidSpec', `${at}.spec.tier.type: "${tierType}" is not one of ${TIERS.join(', ')}`);
  }
  if (spec.encodeAsDecoded !== undefined && typeof spec.encodeAsDecoded !== 'boolean') {
    throw new OperatorError('InvalidSpec', `${at}.spec.encodeAsDecoded: must be true or false`);
  }
  return {
    secretType: secretType as ParameterStorePushMetadata['secretType'],
    kmsKeyID: stringField(spec, 'kmsKeyID', at) || 'alias/aws/ssm',
    tier: { type: tierType as ParameterStorePushMetadata['tier']['type'], ...(tier.policies !== undefined ? { policies: tier.policies } : {}) },
    encodeAsDecoded: spec.encodeAsDecoded === true,
    tags: tagsOf(spec, at),
    description: stringField(spec, 'description', at) || DEFAULT_DESCRIPTION,
  };
}

/** The spec of a PushSecretMetadata, or {} without metadata; ESO's apiVersion, kind and field checks. */
function specOf(raw: unknown, at: string, fields: readonly string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  const doc = objectField(raw, at, ['apiVersion', 'kind', 'spec']);
  if (doc.apiVersion !== METADATA_API_VERSION) {
    throw new OperatorError('InvalidSpec', `${at}: unexpected apiVersion ${JSON.stringify(doc.apiVersion ?? '')}, expected "${METADATA_API_VERSION}"`);
  }
  if (doc.kind !== METADATA_KIND) {
    throw new OperatorError('InvalidSpec', `${at}: unexpected kind ${JSON.stringify(doc.kind ?? '')}, expected "${METADATA_KIND}"`);
  }
  return doc.spec === undefined ? {} : objectField(doc.spec, `${at}.spec`, fields);
}

function objectField(value: unknown, at: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OperatorError('InvalidSpec', `${at}: must be an object`);
  const unknown = Object.keys(value).filter((k) => !fields.includes(k));
  if (unknown.length) {
    throw new OperatorError('InvalidSpec', `${at}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${fields.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

function stringField(spec: Record<string, unknown>, field: string, at: string): string {
  const value = spec[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OperatorError('InvalidSpec', `${at}.spec.${field}: must be a string`);
  return value;
}

/** The user's tags with managed-by added; a managed-by of the user's own is refused, as ESO refuses it. */
function tagsOf(spec: Record<string, unknown>, at: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (spec.tags !== undefined && spec.tags !== null) {
    if (typeof spec.tags !== 'object' || Array.isArray(spec.tags)) throw new OperatorError('InvalidSpec', `${at}.spec.tags: must be a map of strings`);
    for (const [key, value] of Object.entries(spec.tags)) {
      if (typeof value !== 'string') throw new OperatorError('InvalidSpec', `${at}.spec.tags.${key}: must be a string`);
      tags[key] = value;
    }
  }
  if (MANAGED_BY_TAG in tags) {
    throw new OperatorError('InvalidSpec', `${at}: error parsing tags in metadata: Cannot specify a '${MANAGED_BY_TAG}' tag`);
  }
  tags[MANAGED_BY_TAG] = MANAGED_BY_VALUE;
  return tags;
}

/** The tag keys on the remote that the desired tags no longer have (ESO's FindTagKeysToRemove). */
export function tagKeysToRemove(current: Record<string, string>, desired: Record<string, string>): string[] {
  return Object.keys(current).filter((key) => !(key in desired));
}

/**
 * Whether the remote's tags need desired's added or changed. For Secrets Manager ESO ignores a
 * missing managed-by here (it cannot be: the secret would have been refused); Parameter Store counts it.
 */
export function tagsNeedUpdate(current: Record<string, string>, desired: Record<string, string>, ignoreManagedBy: boolean): boolean {
  return Object.entries(desired).some(([key, value]) => current[key] !== value && !(ignoreManagedBy && key === MANAGED_BY_TAG));
}

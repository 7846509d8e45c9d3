import type { PushSecretData } from '../api/generated.ts';
import type { SecretBytes } from './push-value.ts';

/** What a push of one entry did to the remote secret. */
export type PushOutcome = 'created' | 'updated' | 'unchanged';

/** What a deletion under deletionPolicy Delete found. */
export type DeleteOutcome = 'deleted' | 'absent' | 'unmanaged';

/**
 * One store's provider as PushSecret writes to it (ESO's SecretsClient PushSecret, DeleteSecret and
 * SecretExists): Secrets Manager or Parameter Store, for one identity, in one region, with the
 * store's prefix prepended to every remote key. Every failure is an OperatorError.
 */
export interface RemoteWriter {
  /** The service, for messages and metrics. */
  readonly service: 'SecretsManager' | 'ParameterStore';
  /** Whether the remote secret of the entry exists (updatePolicy IfNotExists). */
  exists(entry: PushSecretData): Promise<boolean>;
  /**
   * Writes the entry's value from the source Secret's data (push-value.ts), creating the remote secret
   * tagged managed-by: external-secrets, or updating one that carries that tag; one without it is
   * refused (RemoteSecretNotManaged) and left as it is.
   */
  push(data: SecretBytes, entry: PushSecretData, at: string): Promise<PushOutcome>;
  /** Deletes the entry's remote secret if it exists and carries the managed-by tag; others are left alone. */
  delete(entry: PushSecretData): Promise<DeleteOutcome>;
  destroy(): void;
}

/** Told of every AWS call a writer makes, by service and operation. */
export type AwsCallHook = (service: string, operation: string, ok: boolean) => void;

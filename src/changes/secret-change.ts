import type { ObjectRef } from '../kube/object-ref.ts';

/**
 * A secret changed in AWS, as a change source saw it: an EventBridge event read from an SQS
 * queue, or a version listing that found a new current version. Only names travel: the
 * refresh reads the value itself, so a duplicate, late or out-of-order report costs at most
 * one read and never writes an old value.
 */
export interface SecretChange {
  /** The secret's name (an ARN resolved to the name it carries). */
  name: string;
  /** Its region, when the source knows it (an ARN, the event's awsRegion); else any region matches. */
  region?: string;
  /** Its full ARN, when the source knows it. */
  arn?: string;
}

export type ChangeSource = 'queue' | 'poll';

/**
 * Which ExternalSecrets a change may refresh. The operator-wide queue is the operator's own:
 * any ExternalSecret it serves that read the secret in that region. A store's queue or a
 * store's poll speaks only for that store (a namespaced SecretStore belongs to a tenant, whose
 * queue must not reach other tenants' ExternalSecrets); a poll, run per namespace the store is
 * used from, also only for that namespace.
 */
export type ChangeScope =
  | { kind: 'operator' }
  | { kind: 'store'; store: ObjectRef; namespace?: string };

/** Where change sources deliver what they saw. */
export interface ChangeSink {
  /**
   * Queues a refresh of every served ExternalSecret the changes affect, within the scope, and
   * makes the fetch engine read those secrets anew. Returns how many ExternalSecrets were queued;
   * when it returns, the refreshes are queued (a queue message may then be deleted).
   */
  changed(changes: readonly SecretChange[], scope: ChangeScope, source: ChangeSource): number;
}

/** What the served ExternalSecrets of one namespace last read through one store (change polls list these). */
export interface StoreReads {
  /** The SecretStore (with its namespace) or ClusterSecretStore. */
  store: ObjectRef;
  /** The ExternalSecrets' namespace: a ClusterSecretStore's identity can depend on it. */
  namespace: string;
  /** Default-version (AWSCURRENT) reads, as asked (the store's prefix applied): names or ARNs. */
  secretIds: readonly string[];
  /** Some of them list secrets (dataFrom.find): any new or changed secret may matter to them. */
  finds: boolean;
}

/** The reads change polls work from: what each served ExternalSecret read at its last successful sync. */
export interface ReadsByStore {
  storeReads(): Iterable<StoreReads>;
}

import type { ObjectMeta, OwnerReference } from './generated.ts';

// The core Kubernetes kinds the operator reads and writes, as far as it reads them (their paths: kinds.ts).

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    /** Set once the Secret is being deleted; finalizers can hold it there. */
    deletionTimestamp?: string;
    resourceVersion?: string;
    uid?: string;
    managedFields?: Array<{ manager?: string; fieldsV1?: Record<string, any> }>;
    [k: string]: unknown;
  };
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
}

export interface ConfigMap {
  apiVersion?: 'v1';
  kind?: 'ConfigMap';
  metadata: ObjectMeta & { managedFields?: Array<{ manager?: string; fieldsV1?: Record<string, any> }> };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Namespace {
  metadata: ObjectMeta;
}

export interface Lease {
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

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

/** A Deployment, StatefulSet or DaemonSet (apps/v1), as far as a rolling restart reads it. */
export interface Workload {
  metadata: ObjectMeta;
  spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec } };
}

/** The parts of a pod spec that say which Secrets its containers read. */
export interface PodSpec {
  volumes?: Array<{ name: string; secret?: { secretName?: string }; projected?: { sources?: Array<{ secret?: { name?: string } }> } }>;
  containers?: Container[];
  initContainers?: Container[];
}

interface Container {
  env?: Array<{ valueFrom?: { secretKeyRef?: { name?: string } } }>;
  envFrom?: Array<{ secretRef?: { name?: string } }>;
  volumeMounts?: Array<{ name: string }>;
}

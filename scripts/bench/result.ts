import type { CallCounts } from './aws-calls.ts';
import type { RequestCounts } from './apiserver-requests.ts';

/** What one workload measured: the shape of bench/results/latest.json's entries and of bench/baseline.json's. */
export interface WorkloadResult {
  workload: string;
  externalSecrets: number;
  awsSecrets: number;
  concurrency: number;
  /** The node flags the operator ran with, as one line. */
  nodeFlags: string;
  refreshIntervalSeconds: number;
  /** The whole workload, setup included. */
  wallSeconds: number;
  cold: {
    /** Undefined when not every ExternalSecret got Ready in time. */
    seconds: number | undefined;
    perSecond: number | undefined;
    ready: number;
    awsCalls: CallCounts;
    /** CPU of the operator process from its start until every ExternalSecret was Ready, per ExternalSecret. */
    cpuMsPerExternalSecret: number;
    /** Of which: the operator's start, until it listens (loading its modules). */
    startupCpuMs: number;
    apiserverWrites: RequestCounts;
    writesPerSync: number;
  };
  ceiling: {
    /** Secrets a plain loop created per second, BULK_IN_FLIGHT in flight. */
    secretCreatesPerSecond: number;
    /** secretCreatesPerSecond / writesPerSync: the sync rate the apiserver would allow. */
    syncsPerSecond: number;
    /** Cold-sync rate / syncsPerSecond. */
    coldSyncShare: number | undefined;
  };
  forced: { seconds: number | undefined; refreshed: number; awsCalls: CallCounts; cpuMsPerExternalSecret: number };
  periodic: {
    unchanged: PeriodicCycle;
    changed: PeriodicCycle & {
      changedAwsSecrets: number;
      /** Secrets of the changed AWS secrets, and how many held the new value by the cycle's end + grace. */
      secretsExpected: number;
      secretsUpdated: number;
      /** How many held it by the end of the next cycle + grace. */
      secretsUpdatedInTwoIntervals?: number;
      /** From the rotation until the last of them had it (of those that did, within two intervals). */
      lastUpdateSeconds: number | undefined;
    };
  };
  memory: { rssMiB: number; peakRssMiB: number; heapUsedMiB: number | undefined };
  latency: { samples: number; p50Ms: number; p99Ms: number };
  /** Where the operator's externalsecret_provider_api_calls_count and the proxy disagreed. */
  metricDisagreements: string[];
}

export interface PeriodicCycle {
  awsCalls: CallCounts;
  /** ExternalSecrets whose status.refreshTime moved in the cycle. */
  refreshed: number;
  /** Busiest second's AWS calls / mean calls per second; undefined with no calls. */
  busiestToMean: number | undefined;
  cpuMs: number;
}

export interface BenchResults {
  date: string;
  /** The last commit that changed the operator (its sources, packages or image) before this run. */
  operatorCommit: string;
  totalSeconds: number;
  results: WorkloadResult[];
}

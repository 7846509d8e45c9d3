import type { CallCounts } from './aws-calls.ts';
import type { RequestCounts } from './apiserver-requests.ts';

/**
 * What one workload measured: the shape of bench/results/latest.json's entries and of bench/baseline.json's. The
 * cold sync is always measured; a phase not run (BENCH_PHASES) leaves its fields out.
 */
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
  ceiling?: {
    /** Secrets a plain loop created per second, BULK_IN_FLIGHT in flight. */
    secretCreatesPerSecond: number;
    /** secretCreatesPerSecond / writesPerSync: the sync rate the apiserver would allow. */
    syncsPerSecond: number;
    /** Cold-sync rate / syncsPerSecond. */
    coldSyncShare: number | undefined;
  };
  forced?: { seconds: number | undefined; refreshed: number; awsCalls: CallCounts; cpuMsPerExternalSecret: number };
  periodic?: {
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
  memory?: { rssMiB: number; peakRssMiB: number; heapUsedMiB: number | undefined };
  latency?: { samples: number; p50Ms: number; p99Ms: number };
  /** Where the operator's externalsecret_provider_api_calls_count and the proxy disagreed. */
  metricDisagreements: string[];
  /** The changes phase (W1000): AWS change → Secret through the queue and the change poll, the poll's cost, restarts. */
  changes?: ChangesResult;
  /** The parameters phase (W1000): the same workload read through Parameter Store, its SSM calls. */
  parameters?: ParametersResult;
}

export interface ParametersResult {
  externalSecrets: number;
  parameters: number;
  refreshIntervalSeconds: number;
  cold: { ready: number; seconds: number | undefined; awsCalls: CallCounts };
  /** Whole refresh intervals after the cold sync; `refreshes` counts every refresh the watch saw in them. */
  periodic: { intervals: number; refreshes: number; awsCalls: CallCounts; callsPerInterval: number };
  wallSeconds: number;
}

/** How long AWS changes took to reach every target Secret of the changed secret, in ms. */
export interface ChangeLatency {
  /** Changes made (PutSecretValue, one at a time for the queue; at random moments for the poll). */
  changes: number;
  /** Of which every target Secret came to hold the new value in time. */
  arrived: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ChangesResult {
  /** The phase, the operator's restart with the change settings included. */
  wallSeconds: number;
  /** The ExternalSecrets' refreshInterval during the phase: changes reach them only by the queue or the poll. */
  refreshIntervalSeconds: number;
  /** CHANGE_QUEUE_URL on a moto SQS queue; the bench sends the EventBridge event of each PutSecretValue. */
  queue: ChangeLatency & { awsCalls: CallCounts };
  poll: ChangeLatency & {
    intervalSeconds: number;
    /** A window of whole poll intervals with nothing changing. */
    cost: {
      /** Poll intervals the window spans (it starts mid-interval, so it holds this many polls). */
      intervals: number;
      windowSeconds: number;
      /** Polls seen in the window (bursts of Secrets Manager calls): `intervals`, unless the poll's rhythm varies. */
      polls: number;
      /** Every AWS call of the operator in the window, Secrets Manager and SQS. */
      awsCalls: CallCounts;
      /** Secrets Manager calls in the window ÷ the polls seen in it. */
      callsPerPoll: number;
      /** Secrets Manager calls in the window × 1 h ÷ its length. */
      pollCallsPerHour: number;
      /** One periodic refresh of all with nothing changed (the scale phase's cycle) × refreshes per hour at refreshIntervalSeconds. */
      refreshCallsPerHour: number | undefined;
      /** pollCallsPerHour + refreshCallsPerHour: Secrets Manager calls per hour with nothing changing. */
      callsPerHour: number | undefined;
      /** The queue's long polls (SQS calls in the window, per hour), beside it. */
      sqsCallsPerHour: number;
    };
  };
  /** ExternalSecrets opted in to rolling restarts, one Deployment each (apiserver objects; nothing runs them). */
  restarts: {
    deployments: number;
    /** Data changes of the opted-in ExternalSecrets' Secrets (each one waited for). */
    dataChanges: number;
    /** Restarts (pod-template patches: the Deployment's generation) over those changes. */
    onChange: number;
    /** Restarts over refreshes that changed nothing (the opt-in itself, a forced refresh of each). */
    withoutChange: number;
    /** Deployments restarted exactly once per change of their Secret. */
    exact: number;
  };
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

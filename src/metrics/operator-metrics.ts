import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { reasonOf } from '../errors.ts';
import type { ReconcileObserver } from '../kube/controller.ts';
import { processMetrics } from './process-metrics.ts';

// ESO's label sets (without its optional app_kubernetes_io_* labels).
const OBJECT = ['name', 'namespace'] as const;
const CONDITION = ['name', 'namespace', 'condition', 'status'] as const;

export type ObjectLabels = Record<(typeof OBJECT)[number], string>;

/**
 * The metrics ESO users alert on, under ESO's names, types, labels and units, and ours
 * under aws_secrets_operator_ where ESO has none or a poor one. One registry per operator,
 * holding the process's standard metrics too.
 */
export function operatorMetrics() {
  const registry = Registry.merge([processMetrics()]);
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers });
  const externalSecrets = {
    statusCondition: gauge('externalsecret_status_condition', 'The Ready condition of each ExternalSecret', CONDITION),
    reconcileDuration: gauge('externalsecret_reconcile_duration', 'Duration of the last reconcile of each ExternalSecret, in nanoseconds', OBJECT),
  };
  const clusterExternalSecrets = {
    statusCondition: gauge('clusterexternalsecret_status_condition', 'The Ready condition of each ClusterExternalSecret', CONDITION),
    reconcileDuration: gauge('clusterexternalsecret_reconcile_duration', 'Duration of the last reconcile of each ClusterExternalSecret, in nanoseconds', OBJECT),
  };
  // Every controller's reconciles, as the runtime (kube/controller.ts) reports them: ESO has only a
  // per-object gauge of the last one, which no latency objective or error rate can be read from.
  const reconcileSeconds = new Histogram({
    name: 'aws_secrets_operator_reconcile_duration_seconds',
    help: 'Duration of reconciles in seconds, by controller',
    labelNames: ['controller'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const reconciles = counter('aws_secrets_operator_reconcile_total', 'Reconciles by controller and result: success, or the reason code of the failure', ['controller', 'result']);
  /** A controller's observer: ours for every controller, and ESO's per-object gauge of the last duration where ESO has one. */
  const reconcileObserver = (lastDuration?: Gauge<(typeof OBJECT)[number]>): ReconcileObserver => (controller, object, seconds, error) => {
    reconcileSeconds.observe({ controller }, seconds);
    reconciles.inc({ controller, result: error === undefined ? 'success' : reasonOf(error) });
    // ESO's gauge: Go's float64(time.Duration), nanoseconds.
    lastDuration?.set({ name: object.metadata.name, namespace: object.metadata.namespace ?? '' }, Math.round(seconds * 1e9));
  };
  return {
    registry,
    reconcileObserver,
    syncCalls: counter('externalsecret_sync_calls_total', 'Syncs of ExternalSecrets (fetch and write)', OBJECT),
    syncErrors: counter('externalsecret_sync_calls_error', 'Failed syncs of ExternalSecrets', OBJECT),
    // ESO's error counter has no reason; one labelled with it would not match ESO's queries.
    syncErrorsByReason: counter('aws_secrets_operator_sync_errors_total', 'Failed syncs of ExternalSecrets, by reason code', [...OBJECT, 'reason']),
    ...externalSecrets,
    providerCalls: counter('externalsecret_provider_api_calls_count', 'AWS API calls by call and status', ['provider', 'call', 'status']),
    // Changes in AWS (change notifications, change polls): reported, and the ExternalSecrets they refreshed.
    secretChanges: counter('aws_secrets_operator_secret_changes_total', 'Secrets reported changed in AWS, by source (queue, poll) and whether a served ExternalSecret reads them (matched, unmatched)', ['source', 'result']),
    changeRefreshes: counter('aws_secrets_operator_change_refreshes_total', 'ExternalSecret refreshes queued because a secret they read changed in AWS', []),
    // Change notifications read from SQS queues (changes/queue-listener.ts).
    changeQueueMessages: counter('aws_secrets_operator_change_queue_messages_total', 'Messages read from change-notification SQS queues, by outcome: changes (handed on), ignored (an event not acted on), duplicate (an event id seen before), malformed', ['outcome']),
    changeQueueReceiving: gauge('aws_secrets_operator_change_queue_receiving', 'Whether each change-notification SQS queue is being read: 1 after a successful receive, 0 after a failure (its store conditions say why)', ['queue']),
    stsCalls: counter('aws_secrets_operator_sts_calls_total', 'STS calls by kind and outcome', ['kind', 'outcome']),
    // The shared fetch engine (aws/read-engine.ts): how reads were answered, how full batches were, and fallbacks.
    awsCalls: counter('aws_secrets_operator_aws_calls_total', 'AWS API calls by service, operation and outcome', ['service', 'operation', 'outcome']),
    valueReads: counter('aws_secrets_operator_secret_reads_total', 'Secret value reads by ExternalSecrets, by how they were answered: hit (cache), joined (a call in flight), confirmed (a version listing found it unchanged), miss (a new call)', ['result']),
    batchSize: new Histogram({
      name: 'aws_secrets_operator_batch_get_size',
      help: 'Secrets read per BatchGetSecretValue call',
      buckets: [1, 2, 5, 10, 15, 20],
      registers,
    }),
    fallbacks: counter('aws_secrets_operator_aws_fallbacks_total', 'Times an identity was refused BatchGetSecretValue or ListSecrets (Secrets Manager), or GetParameters (Parameter Store), and fell back to reading one by one', ['operation']),
    // Change polls (changes/change-poller.ts): one per store and namespace per interval.
    changePolls: counter('aws_secrets_operator_change_polls_total', 'Change polls of the secrets read through a store from a namespace, by outcome: changed (a secret changed in AWS), unchanged, error', ['outcome']),
    workloadRestarts: counter('aws_secrets_operator_workload_restarts_total', 'Rolling restarts of workloads after the data of a Secret they use changed (ROLLING_RESTART), by kind and outcome: success, or error (a patch that failed, retried)', ['kind', 'outcome']),
    watchRestarts: counter('aws_secrets_operator_watch_restarts_total', 'Watch restarts by resource and cause', ['resource', 'cause']),
    clusterExternalSecrets,
  };
}

export type OperatorMetrics = ReturnType<typeof operatorMetrics>;

/** ESO's per-object gauges of one controller. */
export interface ObjectMetrics {
  statusCondition: Gauge<(typeof CONDITION)[number]>;
  reconcileDuration: Gauge<(typeof OBJECT)[number]>;
}

/** An object is gone: its per-object gauges drop its series (its counters stay, as ESO's do). */
export function forgetObject(metrics: ObjectMetrics, labels: ObjectLabels): void {
  for (const status of ['True', 'False']) metrics.statusCondition.remove({ ...labels, condition: 'Ready', status });
  metrics.reconcileDuration.remove(labels);
}

/**
 * ESO's Ready gauge of an ExternalSecret after a reconcile (1 on the series of the status it has,
 * 0 on the other); a Deleted mark left by an earlier ExternalSecret of that name goes, as in ESO.
 */
export function setExternalSecretReady(metrics: ObjectMetrics, labels: ObjectLabels, ready: boolean): void {
  for (const status of ['True', 'False']) metrics.statusCondition.remove({ ...labels, condition: 'Deleted', status });
  metrics.statusCondition.set({ ...labels, condition: 'Ready', status: 'True' }, ready ? 1 : 0);
  metrics.statusCondition.set({ ...labels, condition: 'Ready', status: 'False' }, ready ? 0 : 1);
}

/**
 * An ExternalSecret is gone. ESO's reconciler, finding it gone, sets a condition of type Deleted
 * (status False, reason SecretDeleted) on a stand-in object that is never written anywhere: its only
 * effect is on this gauge, whose Ready series go and whose
 * `externalsecret_status_condition{condition="Deleted",status="False"}` becomes 1. The same here; the
 * series stays until an ExternalSecret of that name and namespace reports Ready again, as in ESO.
 */
export function markExternalSecretDeleted(metrics: ObjectMetrics, labels: ObjectLabels): void {
  forgetObject(metrics, labels);
  metrics.statusCondition.set({ ...labels, condition: 'Deleted', status: 'False' }, 1);
}

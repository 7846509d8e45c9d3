import { Counter, Gauge, Histogram, Registry } from './registry.ts';

/** The metrics ESO users alert on, under ESO's names, plus our own for STS and watches. */
export function operatorMetrics() {
  const registry = new Registry();
  return {
    registry,
    syncCalls: registry.register(new Counter('externalsecret_sync_calls_total', 'Syncs of ExternalSecrets (fetch and write)')),
    syncErrors: registry.register(new Counter('externalsecret_sync_calls_error', 'Failed syncs of ExternalSecrets, by reason code')),
    statusCondition: registry.register(new Gauge('externalsecret_status_condition', 'The Ready condition of each ExternalSecret')),
    reconcileDuration: registry.register(new Histogram('externalsecret_reconcile_duration', 'Duration of syncs in seconds',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])),
    providerCalls: registry.register(new Counter('externalsecret_provider_api_calls_count', 'AWS API calls by call and status')),
    stsCalls: registry.register(new Counter('aws_secrets_operator_sts_calls_total', 'STS calls by kind and outcome')),
    watchRestarts: registry.register(new Counter('aws_secrets_operator_watch_restarts_total', 'Watch restarts by resource and cause')),
    residentMemory: registry.register(new Gauge('process_resident_memory_bytes', 'Resident memory of the operator process')),
    heapUsed: registry.register(new Gauge('nodejs_heap_used_bytes', 'V8 heap in use')),
  };
}

export type OperatorMetrics = ReturnType<typeof operatorMetrics>;

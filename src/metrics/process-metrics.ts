import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's standard process_* and nodejs_* metrics, registered once per process:
 * they describe the process, not one operator in it, and they start an event-loop delay
 * monitor and a GC observer that prom-client gives no way to stop. Each operator's
 * registry holds these same metric objects, so starting many operators starts nothing more.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}

/** When a PushSecret pushes (ESO's refreshInterval and shouldRefresh), and what of its spec is not served. */
import type { PushSecret } from '../api/generated.ts';
import { MIN_REFRESH_INTERVAL_MS } from '../controllers/externalsecret/refresh.ts';
import { OperatorError } from '../errors.ts';
import { parseDuration } from '../go/duration.ts';
import { pushResourceVersion } from './push-status.ts';

/** spec.refreshInterval in ms: 0 (or negative) pushes only on changes; at least a second otherwise. */
export function refreshIntervalMs(ps: PushSecret): number {
  let interval: number;
  try {
    interval = parseDuration(ps.spec.refreshInterval ?? '1h0m0s');
  } catch (err) {
    throw new OperatorError('InvalidSpec', `spec.refreshInterval: ${(err as Error).message}`);
  }
  return interval <= 0 ? 0 : Math.max(interval, MIN_REFRESH_INTERVAL_MS);
}

/**
 * Whether a push is due by ESO's shouldRefresh: never pushed, or the spec, labels or annotations
 * changed since (syncedResourceVersion), or the interval has passed (never, with interval 0). A
 * PushSecret whose last push failed is due too: its retries come through here.
 */
export function pushDue(ps: PushSecret, now: number, intervalMs: number): boolean {
  const status = ps.status;
  if (!status?.refreshTime || status.syncedResourceVersion !== pushResourceVersion(ps)) return true;
  if (status.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return true;
  if (intervalMs === 0) return false;
  return now >= Date.parse(status.refreshTime) + intervalMs;
}

/** Fields the schema accepts and this operator does not implement yet: reported, never ignored. */
export function unsupportedFields(ps: PushSecret, generators: boolean): string[] {
  const found: string[] = [];
  if (ps.spec.selector.generatorRef && !generators) found.push('spec.selector.generatorRef');
  return found;
}

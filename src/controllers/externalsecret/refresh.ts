import type { ExternalSecret } from '../../api/generated.ts';
import type { Freshness } from '../../aws/provider.ts';
import { parseDuration } from '../../go/duration.ts';
import { syncedResourceVersion } from '../../go/hash.ts';
import { nextPermission, refreshPermitted, syncWindowsOf } from './sync-windows.ts';

/** ESO's CRD default, written as Go prints an hour; the schema fills it in, so this serves only objects that did not come through the apiserver. */
export const DEFAULT_REFRESH_INTERVAL = '1h0m0s';

/**
 * The refresh interval in ms; 0 means "fetch once". A negative interval (the schema accepts
 * `-5m`, as ESO's does) also means no periodic refresh, as ESO treats it: never a refresh on
 * every status change. Throws DurationError on bad input.
 */
export function refreshIntervalMs(es: ExternalSecret): number {
  const interval = parseDuration(es.spec.refreshInterval ?? DEFAULT_REFRESH_INTERVAL);
  return interval <= 0 ? 0 : Math.max(interval, MIN_REFRESH_INTERVAL_MS);
}

/**
 * The shortest periodic refresh. ESO requeues after whatever the spec says, so `1ms` refetches a
 * thousand times a second: one tenant's typo would spend the account's AWS rate limit and the
 * workers every other tenant needs.
 */
export const MIN_REFRESH_INTERVAL_MS = 1_000;

/**
 * What status.syncedResourceVersion must say for the last sync to cover the current object.
 * Remembered per object while its generation, labels and annotations are the same values: the
 * hash is asked for on every reconcile and for every sibling a read-ahead looks at.
 */
export function currentResourceVersion(es: ExternalSecret): string {
  const { generation = 0, labels, annotations } = es.metadata;
  const known = resourceVersions.get(es);
  if (known && known.generation === generation && known.labels === labels && known.annotations === annotations) return known.version;
  const version = syncedResourceVersion(generation, labels, annotations);
  resourceVersions.set(es, { generation, labels, annotations, version });
  return version;
}
const resourceVersions = new WeakMap<ExternalSecret, { generation: number; labels: unknown; annotations: unknown; version: string }>();

/**
 * Whether AWS must be asked again, as ESO decides it: never synced; for Periodic and
 * OnChange, the spec, labels or annotations changed since the last sync (so any
 * annotation change forces a sync); for Periodic, the interval has passed and the
 * sync windows permit a refresh now. CreatedOnce fetches only once. Throws when the
 * interval or a window cannot be read (the reconciler checks both first).
 */
export function shouldRefresh(es: ExternalSecret, now: number): boolean {
  const status = es.status;
  if (!status?.refreshTime || !status.syncedResourceVersion) return true;
  const policy = es.spec.refreshPolicy ?? 'Periodic';
  if (policy === 'CreatedOnce') return false;
  if (syncIsStale(es)) return true;
  if (policy === 'OnChange') return false;
  const interval = refreshIntervalMs(es);
  if (interval === 0) return false;
  return now >= Date.parse(status.refreshTime) + interval && refreshPermitted(syncWindowsOf(es.spec), now);
}

/**
 * Whether a change to a secret in AWS refreshes this ExternalSecret at once: only a Periodic one
 * with an interval. OnChange, CreatedOnce and an interval of 0 ("fetch once") ask to keep what
 * they have until their spec changes, and a change in AWS does not overrule that.
 */
export function refreshesOnAwsChange(es: ExternalSecret): boolean {
  return (es.spec.refreshPolicy ?? 'Periodic') === 'Periodic' && refreshIntervalMs(es) > 0;
}

/** Whether the last sync does not cover the current object: never synced, or its spec, labels or annotations changed since (force-sync among them). */
export function syncIsStale(es: ExternalSecret): boolean {
  const status = es.status;
  return !status?.refreshTime || !status.syncedResourceVersion || status.syncedResourceVersion !== currentResourceVersion(es);
}

/**
 * How recent the values this refresh reads must be. A first sync, a spec change or a
 * force-sync takes only values read after the operator saw that version of the object
 * (`observedAt`), so an AWS change made before a force-sync is always picked up. A periodic
 * refresh (or the repair of an edited Secret) takes a value read within its own refresh
 * interval, so values are shared across ExternalSecrets without any getting one older than
 * its interval allows.
 */
export function fetchFreshness(es: ExternalSecret, now: number, observedAt: number | undefined): Freshness {
  const interval = refreshIntervalMs(es);
  if (syncIsStale(es) || interval === 0) return { notBefore: Math.min(observedAt ?? now, now), fresh: true };
  return { notBefore: now - interval, fresh: false };
}

/**
 * Ms until the next periodic refresh is due by the interval alone, or undefined when none is
 * scheduled. `last` is the refresh it counts from (default: status.refreshTime).
 */
export function nextRefreshIn(es: ExternalSecret, now: number, last?: number): number | undefined {
  const policy = es.spec.refreshPolicy ?? 'Periodic';
  if (policy !== 'Periodic') return undefined;
  const interval = refreshIntervalMs(es);
  if (interval === 0) return undefined;
  const from = last ?? (es.status?.refreshTime ? Date.parse(es.status.refreshTime) : now);
  return Math.max(0, from + interval - now);
}

/** When the next periodic refresh runs: `waitMs` from now, spread by at most `maxSpreadMs`. */
export interface NextRefresh {
  waitMs: number;
  maxSpreadMs: number;
}

/**
 * The next periodic refresh: due by the interval, then moved to when the sync windows next
 * permit one, or undefined when none will run (no periodic refresh, or the windows never open
 * again). Its spread stays within the first half of the time the windows then permit, so a
 * short window is not missed by the spread meant to smooth load.
 */
export function nextRefresh(es: ExternalSecret, now: number, last?: number): NextRefresh | undefined {
  const due = nextRefreshIn(es, now, last);
  if (due === undefined) return undefined;
  const permission = nextPermission(syncWindowsOf(es.spec), now + due);
  if (!permission) return undefined;
  return { waitMs: permission.at - now, maxSpreadMs: permission.forMs / 2 };
}

/** Most a refresh is pushed back to spread load: 10 % of the wait, at most five minutes. */
const MAX_SPREAD_MS = 5 * 60_000;

/**
 * The wait before a periodic refresh, spread by up to 10 % (at most five minutes, and at most
 * `maxSpreadMs`). ExternalSecrets created or synced together, or held back by the same sync
 * window, would otherwise refresh together and hit AWS's rate limits in bursts (ESO #4231).
 * `random` is in [0, 1).
 */
export function spreadRefresh(waitMs: number, random: number, maxSpreadMs = Infinity): number {
  return waitMs + Math.floor(Math.min(waitMs * 0.1, MAX_SPREAD_MS, maxSpreadMs) * random);
}

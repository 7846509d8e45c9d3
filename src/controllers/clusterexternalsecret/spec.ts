import { parseDuration } from '../../go/duration.ts';
import type { ClusterExternalSecret } from '../../api/generated.ts';

/** ESO's controller requeues a ClusterExternalSecret hourly when spec.refreshTime is not set. */
export const DEFAULT_REFRESH_TIME = '1h';

/** Name of the ExternalSecret created in each namespace: spec.externalSecretName, default the CES's name. */
export const externalSecretName = (ces: ClusterExternalSecret): string => ces.spec.externalSecretName || ces.metadata.name;

/**
 * How often namespaces are re-evaluated, in ms; 0 means only on changes. A value
 * the schema let through but Go would not parse falls back to the default.
 */
export function refreshTimeMs(ces: ClusterExternalSecret): number {
  try {
    return Math.max(0, parseDuration(ces.spec.refreshTime ?? DEFAULT_REFRESH_TIME));
  } catch {
    return parseDuration(DEFAULT_REFRESH_TIME);
  }
}

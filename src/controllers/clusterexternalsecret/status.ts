import type { ClusterExternalSecret, ClusterExternalSecretNamespaceFailure, ClusterExternalSecretStatus } from '../../api/generated.ts';
import { withReady, type Ready } from '../conditions.ts';
import { compare } from './namespaces.ts';

/**
 * Ready reasons. ESO 2.x reports only Ready=True, or Ready=False with the message
 * "one or more namespaces failed"; the reasons reuse the condition types of ESO's
 * earlier API (Ready, PartiallyReady, NotReady), so the two cases are told apart.
 */
export type ReadyReason = 'Ready' | 'PartiallyReady' | 'NotReady';
export const NAMESPACES_FAILED = 'one or more namespaces failed';

/** What one reconcile achieved. */
export interface Provisioning {
  externalSecretName: string;
  /** Namespaces where the ExternalSecret is as wanted. */
  provisioned: Iterable<string>;
  /** Namespace -> why it failed (starting with a reason code). */
  failed: ReadonlyMap<string, string>;
}

export function readyOf(p: { provisioned: readonly string[]; failed: ReadonlyMap<string, string> }): Ready & { reason: ReadyReason } {
  if (p.failed.size === 0) {
    return { status: 'True', reason: 'Ready', message: `ExternalSecret provisioned in ${p.provisioned.length} namespace${p.provisioned.length === 1 ? '' : 's'}` };
  }
  return { status: 'False', reason: p.provisioned.length > 0 ? 'PartiallyReady' : 'NotReady', message: NAMESPACES_FAILED };
}

/**
 * The next status, as ESO writes it: the ExternalSecret name, the provisioned
 * namespaces sorted, the failures sorted by namespace, and the Ready condition
 * (its lastTransitionTime moves only when the status flips). Empty lists are
 * left out, as ESO's omitempty does.
 */
export function nextStatus(ces: ClusterExternalSecret, p: Provisioning, now: number): ClusterExternalSecretStatus {
  const provisioned = [...new Set(p.provisioned)].sort(compare);
  const failed: ClusterExternalSecretNamespaceFailure[] = [...p.failed]
    .sort(([a], [b]) => compare(a, b))
    .map(([namespace, reason]) => ({ namespace, reason }));
  const status: ClusterExternalSecretStatus = { externalSecretName: p.externalSecretName };
  if (failed.length) status.failedNamespaces = failed;
  if (provisioned.length) status.provisionedNamespaces = provisioned;
  status.conditions = withReady(ces.status?.conditions, readyOf({ provisioned, failed: p.failed }), now);
  return status;
}

/** A merge patch that sets the status exactly: fields absent from it are removed (null). */
export function statusPatch(status: ClusterExternalSecretStatus): { status: Record<string, unknown> } {
  return {
    status: {
      externalSecretName: status.externalSecretName ?? null,
      provisionedNamespaces: status.provisionedNamespaces ?? null,
      failedNamespaces: status.failedNamespaces ?? null,
      conditions: status.conditions ?? null,
    },
  };
}

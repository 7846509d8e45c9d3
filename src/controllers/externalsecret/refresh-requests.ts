import type { ExternalSecret } from '../../api/generated.ts';
import { refKey, refOf } from '../../kube/object-ref.ts';

/**
 * Refreshes asked for because a secret an ExternalSecret reads changed in AWS (a change
 * notification or a change poll), by the ExternalSecret's queue key, with when they were asked.
 * A request stays until a sync that started after it succeeds: a failed one is retried with the
 * reconcile, so a secret restored after a deletion is picked up as soon as AWS serves it.
 */
export class RefreshRequests {
  private readonly requested = new Map<string, number>();

  request(key: string, at: number): void {
    this.requested.set(key, Math.max(this.requested.get(key) ?? at, at));
  }

  /** When a refresh of this ExternalSecret was asked for, if one is pending. */
  pendingSince(es: ExternalSecret): number | undefined {
    return this.requested.get(refKey(refOf(es)));
  }

  /** A sync that started at `startedAt` succeeded (or the request no longer applies): what was asked before it is done. */
  done(es: ExternalSecret, startedAt: number): void {
    const key = refKey(refOf(es));
    const at = this.requested.get(key);
    if (at !== undefined && at <= startedAt) this.requested.delete(key);
  }

  forget(key: string): void {
    this.requested.delete(key);
  }

  get size(): number {
    return this.requested.size;
  }
}

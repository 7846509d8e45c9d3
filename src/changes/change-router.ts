import type { Logger } from 'pino';
import type { Clock } from '../kube/clock.ts';
import type { ChangeIndex } from './change-index.ts';
import type { ChangeScope, ChangeSink, ChangeSource, SecretChange } from './secret-change.ts';

export interface ChangeRouterDeps {
  index: ChangeIndex;
  /** The fetch engine: reads of these secrets from now on are sent after the change. */
  invalidate(changes: readonly SecretChange[]): void;
  /** Queues a refresh of these ExternalSecrets (queue keys), asked for at `at`. */
  refresh(keys: readonly string[], at: number): void;
  clock: Clock;
  log: Logger;
  onChange?: (source: ChangeSource, matched: boolean) => void;
}

/**
 * Where change notifications and change polls deliver: each change goes to the ExternalSecrets
 * that read that secret (within the scope of the source that saw it), the fetch engine forgets
 * the secret's values, and those ExternalSecrets are queued for a refresh. A change nobody reads
 * costs nothing and invalidates nothing: a tenant's queue cannot make the operator re-read
 * secrets that only others read.
 */
export class ChangeRouter implements ChangeSink {
  private readonly deps: ChangeRouterDeps;

  constructor(deps: ChangeRouterDeps) {
    this.deps = deps;
  }

  changed(changes: readonly SecretChange[], scope: ChangeScope, source: ChangeSource): number {
    const affected = new Set<string>();
    const matched: SecretChange[] = [];
    for (const change of changes) {
      const keys = this.deps.index.affected(change, scope);
      this.deps.onChange?.(source, keys.length > 0);
      if (keys.length === 0) continue;
      matched.push(change);
      for (const key of keys) affected.add(key);
    }
    if (matched.length === 0) return 0;
    this.deps.invalidate(matched);
    this.deps.refresh([...affected], this.deps.clock.now());
    this.deps.log.debug({ source, secrets: matched.length, externalSecrets: affected.size }, 'secrets changed in AWS; refreshing the ExternalSecrets that read them');
    return affected.size;
  }
}

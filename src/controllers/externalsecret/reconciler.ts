import type { Logger } from 'pino';
import type { ExternalSecret } from '../../api/generated.ts';
import type { FetchedSecret, SecretsProvider } from '../../aws/provider.ts';
import type { StoreIdentity } from '../../aws/store-providers.ts';
import { OperatorError, reasonOf } from '../../errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { ReconcileResult } from '../../kube/queue.ts';
import { externalSecrets } from '../../kube/resources.ts';
import { controllerOf, creationPolicy, desiredSecret, targetName, type Secret } from '../../sync/desired-secret.ts';
import { plannedFetches, refId, secretData } from '../../sync/secret-data.ts';
import { unsupportedFields } from '../../sync/unsupported.ts';
import { currentResourceVersion, nextRefreshIn, refreshIntervalMs, shouldRefresh } from './refresh.ts';
import { sameContent } from '../conditions.ts';
import { nextStatus, type ExternalSecretStatus } from './status.ts';
import { resolveStore, type StoreLookup } from './store-resolver.ts';
import { hashMatches, writeTargetSecret } from './target-secret.ts';

export interface ReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  providers: { forStore(store: StoreIdentity, namespace: string): Promise<SecretsProvider> };
  stores: StoreLookup;
  externalSecret(key: string): ExternalSecret | undefined;
  /** The cached Secret the operator manages at namespace/name, if any. */
  managedSecret(namespace: string, name: string): Secret | undefined;
  onSync?: (es: ExternalSecret, outcome: 'ok' | 'error', reason: string, durationMs: number) => void;
}

/**
 * Brings one ExternalSecret's target Secret and status in line with AWS. It sees
 * only the current object, never the event that woke it, so it is idempotent.
 */
export class ExternalSecretReconciler {
  private readonly deps: ReconcilerDeps;

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const es = this.deps.externalSecret(key);
    // Deleted: with creationPolicy Owner the garbage collector removes the Secret.
    if (!es || es.metadata.deletionTimestamp) return {};
    const { clock } = this.deps;
    const now = clock.now();

    let interval: number;
    try {
      interval = refreshIntervalMs(es);
    } catch (err) {
      await this.fail(es, new OperatorError('InvalidSpec', `spec.refreshInterval: ${(err as Error).message}`), now);
      return {};
    }
    if (!shouldRefresh(es, now) && this.targetIsValid(es)) {
      return { requeueAfter: nextRefreshIn(es, now) };
    }

    const started = clock.now();
    try {
      const unsupported = unsupportedFields(es.spec);
      if (unsupported.length) {
        throw new OperatorError('UnsupportedField', `not supported by this operator yet: ${unsupported.join(', ')}`);
      }
      const store = resolveStore(es, this.deps.stores);
      const provider = await this.deps.providers.forStore(store, es.metadata.namespace!);
      const prefix = store.aws.prefix ?? '';
      const fetched = await this.fetchAll(provider, plannedFetches(es.spec, prefix));
      const data = secretData(es.spec, fetched, prefix);
      const desired = desiredSecret(es, data);
      const outcome = creationPolicy(es) === 'None' ? 'unchanged' : await writeTargetSecret(this.deps.kube, es, desired);
      if (outcome === 'created') this.deps.events.normal(es, 'Created', `Created Secret "${desired.metadata.name}"`);
      if (outcome === 'updated') this.deps.events.normal(es, 'Updated', `Updated Secret "${desired.metadata.name}"`);
      await this.writeStatus(es, nextStatus(es, { status: 'True', reason: 'SecretSynced', message: 'Secret was synced' }, now, {
        refreshTime: now,
        syncedResourceVersion: currentResourceVersion(es),
        binding: desired.metadata.name,
      }));
      this.deps.onSync?.(es, 'ok', 'SecretSynced', clock.now() - started);
      this.deps.log.debug({ externalSecret: key, outcome }, 'synced');
    } catch (err) {
      this.deps.onSync?.(es, 'error', reasonOf(err), clock.now() - started);
      await this.fail(es, err, now);
      throw err;
    }
    const policy = es.spec.refreshPolicy ?? 'Periodic';
    return policy === 'Periodic' && interval > 0 ? { requeueAfter: interval } : {};
  }

  /** One GetSecretValue per distinct secret and version, however many items read it. */
  private async fetchAll(provider: SecretsProvider, refs: ReturnType<typeof plannedFetches>): Promise<Map<string, FetchedSecret>> {
    const entries = await Promise.all(refs.map(async (ref) => [refId(ref), await provider.getSecret(ref)] as const));
    return new Map(entries);
  }

  /** The target Secret exists unedited, so a not-yet-due ExternalSecret needs no fetch. */
  private targetIsValid(es: ExternalSecret): boolean {
    if (creationPolicy(es) !== 'Owner') return true;
    const secret = this.deps.managedSecret(es.metadata.namespace!, targetName(es));
    if (!secret) return false;
    return controllerOf(secret.metadata)?.uid === es.metadata.uid && hashMatches(secret);
  }

  /** Records a failure on the ExternalSecret; the queue's error policy decides about retries. */
  private async fail(es: ExternalSecret, err: unknown, now: number): Promise<void> {
    const code = reasonOf(err);
    const message = `${code}: ${err instanceof Error ? err.message : String(err)}`;
    const status = nextStatus(es, { status: 'False', reason: 'SecretSyncedError', message }, now);
    const changed = await this.writeStatus(es, status);
    // One Warning per distinct failure, not one per retry.
    if (changed) this.deps.events.warning(es, 'UpdateFailed', message);
    this.deps.log.warn({ externalSecret: `${es.metadata.namespace}/${es.metadata.name}`, reason: code, err: message }, 'sync failed');
  }

  private async writeStatus(es: ExternalSecret, status: ExternalSecretStatus): Promise<boolean> {
    if (sameContent(es.status, status)) return false;
    try {
      await this.deps.kube.request('PATCH', externalSecrets.path(es.metadata.namespace, es.metadata.name, 'status'), {
        body: { status },
        contentType: 'application/merge-patch+json',
      });
    } catch (err) {
      this.deps.log.warn({ externalSecret: `${es.metadata.namespace}/${es.metadata.name}`, err: (err as Error).message }, 'could not write status');
      return false;
    }
    // The cache catches up through the watch; keep this copy current for the next read.
    es.status = status;
    return true;
  }
}

import type { Logger } from 'pino';
import type { ExternalSecret } from '../../api/generated.ts';
import { LABEL_MANAGED, LABEL_MANAGED_VALUE } from '../../api/well-known.ts';
import type { Freshness, SecretsProvider } from '../../aws/provider.ts';
import type { StoreIdentity } from '../../aws/store-providers.ts';
import { failureMessage, OperatorError, reasonOf } from '../../errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { ReconcileResult } from '../../kube/queue.ts';
import { externalSecrets } from '../../kube/resources.ts';
import type { ConfigMap, Secret } from '../../api/core.ts';
import { configMapHashMatches } from '../../sync/desired-configmap.ts';
import { targetKind, type TargetKind } from '../../sync/target-kind.ts';
import { controllerOf, creationPolicy, targetName, type RenderedTarget } from '../../sync/desired-secret.ts';
import type { StoreKey } from '../../sync/entry-store.ts';
import { planFetches, planGenerations } from '../../sync/fetch-plan.ts';
import type { GeneratorRunner } from '../../generators/generator.ts';
import { assembleProviderData } from '../../sync/provider-data.ts';
import { renderTarget, renderTransform } from '../../sync/render-target.ts';
import { timeSourceOf } from '../../go/time/time.ts';
import { unsupportedFields } from '../../sync/unsupported.ts';
import { sameContent, type Ready } from '../conditions.ts';
import { runFetches } from './fetch.ts';
import type { ReadAheads } from './read-ahead.ts';
import { currentResourceVersion, fetchFreshness, nextRefresh, refreshesOnAwsChange, refreshIntervalMs, shouldRefresh, spreadRefresh, type NextRefresh } from './refresh.ts';
import type { RefreshRequests } from './refresh-requests.ts';
import { readsOfPlan, type ChangeIndex } from '../../changes/change-index.ts';
import { refKey, refOf } from '../../kube/object-ref.ts';
import { nextStatus, type ExternalSecretStatus, type ReadyReason } from './status.ts';
import { atStore, resolveStores, type StoreLookup } from './store-resolver.ts';
import { holdsEsoFinalizer, releaseEsoFinalizer } from './eso-finalizer.ts';
import { nextPermission, refreshPermitted, syncWindowsOf } from './sync-windows.ts';
import { deleteOrphanedConfigMaps, deleteTargetConfigMap, writeTargetConfigMap } from './target-configmap.ts';
import { deleteOrphanedSecrets, deleteTargetSecret, hashMatches, writeTargetSecret } from './target-secret.ts';
import type { TargetObject, WriteResult } from './target-write.ts';
import { readTemplateSources } from './template-sources.ts';

export interface ReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  providers: { forStore(store: StoreIdentity, namespace: string, freshness?: Freshness): Promise<SecretsProvider> };
  stores: StoreLookup;
  /** When the operator first saw this version of the object (its cache received it). */
  observedAt(es: ExternalSecret): number | undefined;
  /** What the other ExternalSecrets of a store will read next. */
  readAheads: ReadAheads;
  /** The cached Secrets the operator manages in a namespace (managed label), by name. */
  managedSecret(namespace: string, name: string): Secret | undefined;
  /** The cached managed Secrets that carry this ExternalSecret's owner label. */
  createdBy(es: ExternalSecret): Secret[];
  /**
   * The cached ConfigMaps the operator manages (managed label): by name, and those that carry this
   * ExternalSecret's owner label. Absent unless generic targets are allowed (UNSAFE_ALLOW_GENERIC_TARGETS):
   * then an ExternalSecret with spec.target.manifest is GenericTargetsDisabled, and no ConfigMap is touched.
   */
  configMaps?: {
    managed(namespace: string, name: string): ConfigMap | undefined;
    createdBy(es: ExternalSecret): ConfigMap[];
  };
  onSync?: (es: ExternalSecret, outcome: 'ok' | 'error', reason: string) => void;
  /** Restarts the workloads that use a target Secret whose data a write changed (rollout-restart.ts). */
  restarts?: { secretDataChanged(es: ExternalSecret, secret: Secret): Promise<void> };
  /** Refreshes asked for by changes in AWS (change notifications, change polls). */
  refreshRequests?: RefreshRequests;
  /** Where what each ExternalSecret reads is recorded, so that changes in AWS find it. */
  changeIndex?: ChangeIndex;
  /** In [0, 1); spreads periodic refreshes. */
  random?: () => number;
  /** Runs dataFrom[].sourceRef.generatorRef: anew at every refresh, never cached. */
  generators?: GeneratorRunner;
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

  async reconcile(es: ExternalSecret): Promise<ReconcileResult> {
    // Being deleted: with creationPolicy Owner the garbage collector removes the Secret. ESO's finalizer,
    // left from before a move, would hold the ExternalSecret forever: do ESO's cleanup and let it go.
    if (es.metadata.deletionTimestamp) {
      if (!holdsEsoFinalizer(es)) return {};
      const kind = this.targetKindOrNone(es);
      if (await releaseEsoFinalizer(this.deps.kube, es, kind)) {
        this.deps.events.normal(es, 'Deleted', `${this.opsOf(kind!).noun} deleted due to DeletionPolicy=Delete`);
      }
      return {};
    }
    const { clock } = this.deps;
    const now = clock.now();

    try {
      refreshIntervalMs(es);
    } catch (err) {
      await this.fail(es, new OperatorError('InvalidSpec', `spec.refreshInterval: ${(err as Error).message}`), now);
      return {};
    }
    try {
      syncWindowsOf(es.spec);
    } catch (err) {
      await this.fail(es, err, now);
      return {};
    }
    const random = this.deps.random ?? Math.random;
    const requeueFor = (next: NextRefresh | undefined): ReconcileResult => next === undefined ? {} : { requeueAfter: spreadRefresh(next.waitMs, random(), next.maxSpreadMs) };
    const changed = this.changeRequest(es, now);
    if (changed !== 'now' && !shouldRefresh(es, now) && this.targetIsValid(es)) {
      const next = requeueFor(nextRefresh(es, now));
      // A change held back by a sync window runs when the windows next permit a refresh.
      if (changed === undefined || (next.requeueAfter !== undefined && next.requeueAfter <= changed.waitMs)) return next;
      return { requeueAfter: changed.waitMs };
    }
    const requeue = requeueFor(nextRefresh(es, now, now));

    try {
      const ready = await this.sync(es, now);
      await this.writeStatus(es, nextStatus(es, ready, now, {
        refreshTime: now,
        syncedResourceVersion: currentResourceVersion(es),
        binding: ready.reason === 'SecretMissing' ? es.status?.binding?.name ?? '' : targetName(es),
      }));
      this.deps.onSync?.(es, 'ok', ready.reason);
      this.deps.refreshRequests?.done(es, now);
      return requeue;
    } catch (err) {
      this.deps.onSync?.(es, 'error', reasonOf(err));
      await this.fail(es, err, now);
      throw err;
    }
  }

  /** Fetches, assembles, renders and writes; returns the Ready condition to report. */
  private async sync(es: ExternalSecret, now: number): Promise<Ready & { reason: ReadyReason }> {
    const { kube, events } = this.deps;
    const unsupported = unsupportedFields(es.spec);
    if (unsupported.length) throw new OperatorError('UnsupportedField', `not supported by this operator yet: ${unsupported.join(', ')}`);
    const kind = targetKind(es, this.deps.configMaps !== undefined);
    const ops = this.opsOf(kind);
    const stores = resolveStores(es, this.deps.stores);
    const prefixes = new Map([...stores].map(([key, { identity }]) => [key, identity.aws.prefix ?? '']));
    const freshness = fetchFreshness(es, now, this.deps.observedAt(es));
    // Every store's provider at once (a jwt store reads its ServiceAccount); the first failure in the spec's order is reported.
    const settled = await Promise.allSettled([...stores].map(async ([key, { ref, identity, namedAt }]) => {
      try {
        return [key, await this.deps.providers.forStore(identity, es.metadata.namespace!, {
          ...freshness, alsoWanted: this.deps.readAheads.for(es, ref, prefixes.get(key)!),
        })] as const;
      } catch (err) {
        throw atStore(namedAt, err);
      }
    }));
    const providers = new Map<StoreKey, SecretsProvider>();
    for (const outcome of settled) {
      if (outcome.status === 'rejected') throw outcome.reason;
      providers.set(...outcome.value);
    }
    const plan = planFetches(es.spec, prefixes);
    this.deps.changeIndex?.record(refKey(refOf(es)), es.metadata.namespace!, readsOfPlan(
      [...stores].map(([key, { ref, identity }]) => [key, { ref, region: identity.aws.region!, service: identity.aws.service }] as const), plan,
    ));
    // Generator runs are not in the plan the change index records: no change in AWS refreshes them.
    const generations = planGenerations(es.spec);
    if (generations.length && !this.deps.generators) throw new OperatorError('InternalError', 'generators are not wired into this reconciler');
    const results = await runFetches(providers, [...plan, ...generations], this.deps.generators && { runner: this.deps.generators, namespace: es.metadata.namespace! });
    const { data, missing } = assembleProviderData(es.spec, results, prefixes, renderTransform);
    for (const message of missing) events.normal(es, 'MissingProviderSecret', message);

    const policy = creationPolicy(es);
    if (Object.keys(data).length === 0) {
      const deletionPolicy = es.spec.target?.deletionPolicy ?? 'Retain';
      if (deletionPolicy === 'Delete') {
        if (policy !== 'Owner') {
          throw new OperatorError('InvalidSpec', `could not delete secret: creationPolicy=${policy} is not Owner; deletionPolicy Delete needs creationPolicy Owner`);
        }
        if (await ops.deleteTarget(es)) {
          events.normal(es, 'Deleted', `${ops.noun} deleted due to DeletionPolicy=Delete`);
        }
        return { status: 'True', reason: 'SecretDeleted', message: 'secret deleted due to DeletionPolicy=Delete' };
      }
      if (deletionPolicy === 'Retain') {
        return { status: 'True', reason: 'SecretSynced', message: 'secret retained due to DeletionPolicy=Retain' };
      }
      // Merge: write the Secret with no provider data.
    }

    const rendered = renderTarget(es, data, await readTemplateSources(kube, es), kind, timeSourceOf(this.deps.clock));
    if (policy === 'Owner') {
      // What this ExternalSecret created and no longer targets, of either kind (the target's kind may have changed).
      for (const orphanKind of ['Secret', 'ConfigMap'] as const) {
        const each = this.opsOf(orphanKind);
        for (const orphan of await each.deleteOrphans(es, orphanKind === kind ? targetName(es) : undefined)) {
          events.normal(es, 'Deleted', `${each.noun} deleted because it was orphaned: "${orphan}"`);
        }
      }
    }
    const { outcome, dataChanged } = await ops.write(es, rendered);
    if (outcome === 'missing') {
      return { status: 'True', reason: 'SecretMissing', message: `${ops.noun} will not be created due to CreationPolicy=Merge` };
    }
    if (outcome === 'created') events.normal(es, 'Created', `${ops.noun} created`);
    if (outcome === 'updated') events.normal(es, 'Updated', `${ops.noun} updated`);
    if (dataChanged && kind === 'Secret') await this.deps.restarts?.secretDataChanged(es, dataChanged as Secret);
    this.deps.log.debug({ externalSecret: `${es.metadata.namespace}/${es.metadata.name}`, outcome }, 'synced');
    return { status: 'True', reason: 'SecretSynced', message: 'secret synced' };
  }

  /**
   * A refresh asked for by a change in AWS: 'now', or when the sync windows next permit one, or
   * undefined when none is pending. A request this ExternalSecret does not take (its refresh
   * policy keeps what it has) is dropped.
   */
  private changeRequest(es: ExternalSecret, now: number): 'now' | { waitMs: number } | undefined {
    const requests = this.deps.refreshRequests;
    if (requests?.pendingSince(es) === undefined) return undefined;
    if (!refreshesOnAwsChange(es)) {
      requests.done(es, Infinity);
      return undefined;
    }
    const windows = syncWindowsOf(es.spec);
    if (refreshPermitted(windows, now)) return 'now';
    const permission = nextPermission(windows, now);
    if (!permission) {
      requests.done(es, Infinity);
      return undefined;
    }
    return { waitMs: permission.at - now };
  }

  /**
   * The target Secret still holds what this ExternalSecret wrote, so a refresh that
   * is not due can be skipped. As in ESO, Orphan is not checked (it waits for the
   * next refresh) and None writes nothing to check.
   */
  private targetIsValid(es: ExternalSecret): boolean {
    const policy = creationPolicy(es);
    if (policy === 'Orphan' || policy === 'None') return true;
    if (es.status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'SecretMissing') return true;
    const kind = this.targetKindOrNone(es);
    if (!kind) return false; // the sync reports it
    const ops = this.opsOf(kind);
    const target = ops.cached(es.metadata.namespace!, targetName(es));
    if (!target || target.metadata.labels?.[LABEL_MANAGED] !== LABEL_MANAGED_VALUE) return false;
    if (policy === 'Owner' && controllerOf(target.metadata)?.uid !== es.metadata.uid) return false;
    return ops.hashMatches(target);
  }

  /** What the reconciler does with a target of that kind: picked once, used for every step. */
  private opsOf(kind: TargetKind): TargetOps {
    const { kube } = this.deps;
    if (kind === 'ConfigMap') {
      return {
        noun: 'ConfigMap',
        cached: (namespace, name) => this.deps.configMaps?.managed(namespace, name),
        hashMatches: (target) => configMapHashMatches(target as ConfigMap),
        write: (es, rendered) => writeTargetConfigMap(kube, es, rendered, this.deps.configMaps?.managed(es.metadata.namespace!, targetName(es))),
        deleteTarget: (es) => deleteTargetConfigMap(kube, es),
        deleteOrphans: (es, keep) => deleteOrphanedConfigMaps(kube, es, this.deps.configMaps?.createdBy(es) ?? [], keep),
      };
    }
    return {
      // ESO's "secret" for a Secret.
      noun: 'secret',
      cached: (namespace, name) => this.deps.managedSecret(namespace, name),
      hashMatches: (target) => hashMatches(target as Secret),
      write: (es, rendered) => writeTargetSecret(kube, es, rendered, this.deps.managedSecret(es.metadata.namespace!, targetName(es))),
      deleteTarget: (es) => deleteTargetSecret(kube, es),
      deleteOrphans: (es, keep) => deleteOrphanedSecrets(kube, es, this.deps.createdBy(es), keep),
    };
  }

  /** The target's kind; undefined for a spec.target.manifest this operator does not write (the sync reports it). */
  private targetKindOrNone(es: ExternalSecret): TargetKind | undefined {
    try {
      return targetKind(es, this.deps.configMaps !== undefined);
    } catch {
      return undefined;
    }
  }

  /** Records a failure on the ExternalSecret; the queue's error policy decides about retries. */
  private async fail(es: ExternalSecret, err: unknown, now: number): Promise<void> {
    const code = reasonOf(err);
    const message = failureMessage(err);
    const changed = await this.writeStatus(es, nextStatus(es, { status: 'False', reason: 'SecretSyncedError', message }, now));
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

/** The reconciler's steps for one target kind. */
interface TargetOps {
  /** How Events and conditions name the target: ESO's "secret" for a Secret, the kind otherwise. */
  noun: string;
  /** The managed object of that name in the operator's cache. */
  cached(namespace: string, name: string): TargetObject | undefined;
  /** The target still holds the data hashed when it was written (nobody edited it). */
  hashMatches(target: TargetObject): boolean;
  write(es: ExternalSecret, rendered: RenderedTarget): Promise<WriteResult>;
  /** deletionPolicy Delete: whether a target was deleted. */
  deleteTarget(es: ExternalSecret): Promise<boolean>;
  /** What this ExternalSecret created of this kind other than `keep`; returns the names deleted. */
  deleteOrphans(es: ExternalSecret, keep: string | undefined): Promise<string[]>;
}

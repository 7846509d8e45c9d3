import type { Logger } from 'pino';
import type { PushSecret, PushSecretData, PushSecretStatus } from '../api/generated.ts';
import type { StoreIdentity } from '../aws/store-providers.ts';
import { sameContent } from '../controllers/conditions.ts';
import type { ControllerClass } from '../controllers/controller-class.ts';
import { spreadRefresh } from '../controllers/externalsecret/refresh.ts';
import { failureMessage, OperatorError, reasonOf } from '../errors.ts';
import type { GeneratorRunner } from '../generators/generator.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Clock } from '../kube/clock.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { ReconcileResult } from '../kube/queue.ts';
import { removeFinalizers } from '../kube/remove-finalizers.ts';
import { pushSecrets } from '../kube/resources.ts';
import { failedStatus, REASON_ERRORED, REASON_SYNCED, syncedStatus } from './push-status.ts';
import { applyPushTemplate } from './push-template.ts';
import { readPushSources, sourceFingerprint, wrap, type SourceVersion } from './push-sources.ts';
import { pushDue, refreshIntervalMs, unsupportedFields } from './push-refresh.ts';
import { checkDataToStoreRefs, entriesForStore } from './data-to.ts';
import { renderTransform } from '../sync/render-target.ts';
import { resolvePushStores, type PushStore, type PushStoreLookup } from './push-stores.ts';
import { validateStore } from '../controllers/secretstore/validate.ts';
import type { SecretBytes } from './push-value.ts';
import type { RemoteWriter } from './remote-writer.ts';
import { mergeSynced, remoteRefKey, staleEntries, storeOfKey, withoutDeleted, type StaleEntry, type SyncedPushes } from './synced-pushes.ts';
import { checkConditions } from '../controllers/externalsecret/store-resolver.ts';

/** ESO's finalizer, on a PushSecret with deletionPolicy Delete: its remote secrets go before it does. */
export const PUSH_SECRET_FINALIZER = 'pushsecret.externalsecrets.io/finalizer';

export interface PushReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  stores: PushStoreLookup;
  controllerClass?: ControllerClass;
  /** A writer for a store's provider, with the store's identity as used from `namespace`. */
  writerFor(identity: StoreIdentity, namespace: string): Promise<RemoteWriter>;
  /** Runs selector.generatorRef; absent until generators are served. */
  generators?: GeneratorRunner;
  /** In [0, 1); spreads periodic pushes. */
  random?: () => number;
  /**
   * The Secrets a PushSecret's selector.secret selects (by name or labels) as the operator's cache
   * holds them now, name and resourceVersion; undefined for a generator.
   */
  cachedSources?(ps: PushSecret): SourceVersion[] | undefined;
}

/** What one push did, for the Event and the log. */
interface PushCounts { written: number; unchanged: number; deleted: number }

/**
 * Brings one PushSecret's remote secrets in line with its source, as ESO's PushSecret reconciler:
 * with deletionPolicy Delete its finalizer first, then the source read, every entry pushed to every
 * store, what the last push wrote and this one no longer does deleted (Delete), and the status
 * written. It sees only the current object, so it is idempotent; unchanged values are not written.
 */
export class PushSecretReconciler {
  private readonly deps: PushReconcilerDeps;
  /**
   * The source Secrets' versions each PushSecret last pushed (sourceFingerprint), by PushSecret: a
   * push not due by ESO's rule (pushDue) still runs when a Secret changed, came or went since. Empty
   * after a restart, so every PushSecret of a Secret pushes once then.
   */
  private readonly pushedSource = new Map<string, string>();

  constructor(deps: PushReconcilerDeps) {
    this.deps = deps;
  }

  async reconcile(ps: PushSecret): Promise<ReconcileResult> {
    const { kube, clock } = this.deps;
    const finalizers = ps.metadata.finalizers ?? [];
    const held = finalizers.includes(PUSH_SECRET_FINALIZER);
    if (ps.metadata.deletionTimestamp) {
      if (!held) return {};
      const now = clock.now();
      const counts: PushCounts = { written: 0, unchanged: 0, deleted: 0 };
      try {
        await this.deleteStale(ps, staleEntries(ps.status?.syncedPushSecrets, {}), ps.status?.syncedPushSecrets ?? {}, counts);
      } catch (err) {
        await this.fail(ps, err, now, 'Failed to Delete Secrets from Provider: ');
        throw err;
      }
      await removeFinalizers(kube, pushSecrets.path(ps.metadata.namespace, ps.metadata.name), finalizers, [PUSH_SECRET_FINALIZER]);
      this.deps.log.info({ pushSecret: nameOf(ps), deleted: counts.deleted }, 'remote secrets deleted; finalizer removed');
      return {};
    }
    const deletionPolicy = ps.spec.deletionPolicy ?? 'None';
    if (deletionPolicy === 'Delete' && !held) await this.addFinalizer(ps);
    if (deletionPolicy !== 'Delete' && held) {
      await removeFinalizers(kube, pushSecrets.path(ps.metadata.namespace, ps.metadata.name), finalizers, [PUSH_SECRET_FINALIZER]);
    }

    const now = clock.now();
    let interval: number;
    try {
      interval = refreshIntervalMs(ps);
      checkDataToStoreRefs(ps);
      const unsupported = unsupportedFields(ps, this.deps.generators !== undefined);
      if (unsupported.length) throw new OperatorError('UnsupportedField', `not supported by this operator yet: ${unsupported.join(', ')}`);
    } catch (err) {
      await this.fail(ps, err, now);
      return {};
    }
    const random = this.deps.random ?? Math.random;
    const cached = this.deps.cachedSources?.(ps);
    const sourceChanged = cached !== undefined && this.pushedSource.get(nameOf(ps)) !== sourceFingerprint(cached);
    if (!pushDue(ps, now, interval) && !sourceChanged) {
      // ESO's shouldRefresh: nothing changed and the interval has not passed (a generator is not run again either).
      const waitMs = Date.parse(ps.status!.refreshTime!) + interval - now;
      return interval > 0 ? { requeueAfter: spreadRefresh(Math.max(waitMs, 0), random()) } : {};
    }
    let stores: PushStore[];
    try {
      const resolved = resolvePushStores(ps, this.deps.stores, this.deps.controllerClass);
      // Every store is another controller's (CONTROLLER_CLASS): ESO's removeUnmanagedStores leaves it to that one.
      if (resolved.stores.length === 0 && resolved.foreign > 0) return {};
      stores = resolved.stores;
    } catch (err) {
      await this.fail(ps, err, now);
      throw err;
    }
    const counts: PushCounts = { written: 0, unchanged: 0, deleted: 0 };
    let sources: SecretBytes[];
    let pushedVersions: SourceVersion[] | undefined;
    try {
      const read = await readPushSources(this.deps, ps);
      pushedVersions = read.versions;
      sources = [];
      for (const data of read.sources) sources.push(await applyPushTemplate(kube, clock, ps, data));
    } catch (err) {
      const previous = ps.status?.syncedPushSecrets ?? {};
      if (reasonOf(err) === 'SourceSecretNotFound' && deletionPolicy === 'Delete' && Object.keys(previous).length) {
        // ESO's handleSourceSecretDeleted: with deletionPolicy Delete, what was pushed goes with its source.
        try {
          await this.deleteStale(ps, staleEntries(previous, {}), previous, counts);
        } catch (cleanup) {
          await this.fail(ps, cleanup, now, 'failed to cleanup provider secrets: ');
          throw cleanup;
        }
        this.deps.log.info({ pushSecret: nameOf(ps), deleted: counts.deleted }, 'source Secret gone; remote secrets deleted');
        await this.fail(ps, err, now, '', {});
        throw err;
      }
      await this.fail(ps, err, now);
      throw err;
    }

    const synced: SyncedPushes = {};
    try {
      // Several selected Secrets push in name order: the last one's value stays, as in ESO.
      for (const store of stores) for (const data of sources) await this.pushToStore(ps, store, data, synced, counts);
    } catch (err) {
      await this.fail(ps, err, now, '', mergeSynced(synced, ps.status?.syncedPushSecrets));
      throw err;
    }
    if (deletionPolicy === 'Delete') {
      const stale = staleEntries(ps.status?.syncedPushSecrets, synced);
      try {
        await this.deleteStale(ps, stale, mergeSynced(synced, ps.status?.syncedPushSecrets), counts);
      } catch (err) {
        await this.fail(ps, err, now, 'Failed to Delete Secrets from Provider: ');
        throw err;
      }
    }
    if (pushedVersions) this.pushedSource.set(nameOf(ps), sourceFingerprint(pushedVersions));
    const status = syncedStatus(ps, synced, now);
    const changedCondition = readyOf(ps.status)?.status !== 'True' || readyOf(ps.status)?.message !== readyOf(status)?.message;
    await this.writeStatus(ps, status);
    if (changedCondition || counts.written || counts.deleted) this.deps.events.normal(ps, REASON_SYNCED, readyOf(status)?.message ?? '');
    this.deps.log.debug({ pushSecret: nameOf(ps), stores: stores.length, ...counts }, 'pushed');
    return interval > 0 ? { requeueAfter: spreadRefresh(interval, random()) } : {};
  }

  /** A PushSecret gone: its record of the last push goes too. */
  forget(ps: PushSecret): void {
    this.pushedSource.delete(nameOf(ps));
  }

  /** Every entry to one store, recording each in `synced` as it is done (IfNotExists: an existing remote counts as done). */
  private async pushToStore(ps: PushSecret, store: PushStore, data: SecretBytes, synced: SyncedPushes, counts: PushCounts): Promise<void> {
    let writer: RemoteWriter;
    try {
      writer = await this.deps.writerFor(store.identity, ps.metadata.namespace!);
    } catch (err) {
      throw wrap(err, `set secret failed: could not get secrets client for store ${store.identity.name}: `);
    }
    const done: Record<string, PushSecretData> = (synced[store.key] ??= {});
    try {
      let entries;
      try {
        entries = entriesForStore(ps, { kind: store.identity.kind, name: store.identity.name, labels: store.labels }, data, renderTransform);
      } catch (err) {
        throw wrap(err, 'set secret failed: ');
      }
      for (const { entry, at, data: bundle } of entries) {
        try {
          if (ps.spec.updatePolicy === 'IfNotExists' && await writer.exists(entry)) {
            done[remoteRefKey(entry)] = entry;
            counts.unchanged++;
            continue;
          }
          const outcome = await writer.push(bundle ?? data, entry, at);
          done[remoteRefKey(entry)] = entry;
          if (outcome === 'unchanged') counts.unchanged++;
          else counts.written++;
        } catch (err) {
          const key = entry.match.secretKey ?? '';
          throw wrap(err, `set secret failed: could not write remote ref ${key} to target secretstore ${store.identity.name}: `);
        }
      }
    } finally {
      writer.destroy();
    }
  }

  /** deletionPolicy Delete: each stale entry's remote secret, store by store; `recorded` is what status keeps if this fails part-way. */
  private async deleteStale(ps: PushSecret, stale: StaleEntry[], recorded: SyncedPushes, counts: PushCounts): Promise<void> {
    const deleted: StaleEntry[] = [];
    const byStore = Map.groupBy(stale, (s) => s.store);
    try {
      for (const [key, entries] of byStore) {
        const writer = await this.deps.writerFor(this.storeOfKey(ps, key), ps.metadata.namespace!);
        try {
          for (const s of entries) {
            const outcome = await writer.delete(s.entry);
            if (outcome === 'deleted') counts.deleted++;
            deleted.push(s);
          }
        } finally {
          writer.destroy();
        }
      }
    } catch (err) {
      // What was deleted is no longer recorded; the rest is, to be deleted on the next try.
      ps.status = { ...ps.status, syncedPushSecrets: withoutDeleted(recorded, deleted) };
      throw err;
    }
  }

  /** A store named in status.syncedPushSecrets, which the spec may no longer name: looked up and checked again. */
  private storeOfKey(ps: PushSecret, key: string): StoreIdentity {
    const namespace = ps.metadata.namespace!;
    const { kind, name } = storeOfKey(key);
    const { cluster } = this.deps.stores;
    if (kind === 'ClusterSecretStore') {
      const store = cluster?.clusterSecretStore(name);
      if (!store) throw new OperatorError('StoreNotFound', `could not get secrets client for store ${key}: ClusterSecretStore "${name}" not found`);
      checkConditions(store, namespace, cluster!);
      return { kind, name, aws: validateStore({ ...store, kind }) };
    }
    const store = this.deps.stores.secretStore(namespace, name);
    if (!store) throw new OperatorError('StoreNotFound', `could not get secrets client for store ${key}: SecretStore "${name}" not found in namespace "${namespace}"`);
    return { kind, name, namespace, aws: validateStore({ ...store, kind }) };
  }

  /** ESO's finalizer added, once, by a JSON patch that fails if the list moved meanwhile. */
  private async addFinalizer(ps: PushSecret): Promise<void> {
    const finalizers = ps.metadata.finalizers;
    const body = finalizers
      ? [{ op: 'test', path: '/metadata/finalizers', value: finalizers }, { op: 'add', path: '/metadata/finalizers/-', value: PUSH_SECRET_FINALIZER }]
      : [{ op: 'test', path: '/metadata/resourceVersion', value: ps.metadata.resourceVersion }, { op: 'add', path: '/metadata/finalizers', value: [PUSH_SECRET_FINALIZER] }];
    const updated = await this.deps.kube.request('PATCH', pushSecrets.path(ps.metadata.namespace, ps.metadata.name), { body, contentType: 'application/json-patch+json' });
    ps.metadata.finalizers = updated.metadata.finalizers;
  }

  /** Records a failure: Ready False with the reason code and ESO's words, a Warning once per distinct failure. */
  private async fail(ps: PushSecret, err: unknown, now: number, prefix = '', synced?: SyncedPushes): Promise<void> {
    const code = reasonOf(err);
    const detail = failureMessage(err).slice(code.length + 2);
    const message = `${code}: ${prefix}${detail}`;
    const changed = await this.writeStatus(ps, failedStatus(ps, message, now, synced ?? ps.status?.syncedPushSecrets));
    if (changed) this.deps.events.warning(ps, REASON_ERRORED, message);
    this.deps.log.warn({ pushSecret: nameOf(ps), reason: code, err: message }, 'push failed');
  }

  private async writeStatus(ps: PushSecret, status: PushSecretStatus): Promise<boolean> {
    if (sameContent(ps.status, status)) return false;
    try {
      // The whole status replaced: syncedPushSecrets entries that went must go (a merge patch would keep them).
      await this.deps.kube.request('PATCH', pushSecrets.path(ps.metadata.namespace, ps.metadata.name, 'status'), {
        body: [{ op: 'add', path: '/status', value: status }],
        contentType: 'application/json-patch+json',
      });
    } catch (err) {
      this.deps.log.warn({ pushSecret: nameOf(ps), err: (err as Error).message }, 'could not write status');
      return false;
    }
    ps.status = status;
    return true;
  }
}

const nameOf = (ps: PushSecret): string => `${ps.metadata.namespace}/${ps.metadata.name}`;
const readyOf = (status: PushSecretStatus | undefined) => status?.conditions?.find((c) => c.type === 'Ready');


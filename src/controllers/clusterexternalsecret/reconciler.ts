import type { Logger } from 'pino';
import type { ClusterExternalSecret, ClusterExternalSecretStatus, ExternalSecret } from '../../api/generated.ts';
import { failureMessage, isRetryable, OperatorError, reasonOf } from '../../errors.ts';
import { KubeApiError, isConflict, isNotFound, type KubeClient } from '../../kube/client.ts';
import { orphansDependents, removeFinalizers } from '../../kube/remove-finalizers.ts';
import type { Clock } from '../../kube/clock.ts';
import type { ReconcileResult } from '../../kube/queue.ts';
import { clusterExternalSecrets, externalSecrets } from '../../kube/resources.ts';
import type { ObjectMetrics } from '../../metrics/operator-metrics.ts';
import { sameContent } from '../conditions.ts';
import { controllingCes, desiredExternalSecret, sameExternalSecret } from './external-secret.ts';
import { ESO_CES_FINALIZER, holdsEsoCesFinalizer, namespaceFinalizerOf, releaseNamespace } from './eso-finalizers.ts';
import { SelectorError } from '../../kube/label-selector.ts';
import { selectedNamespaces, type NamespaceInfo } from './namespaces.ts';
import { externalSecretName, refreshTimeMs } from './spec.ts';
import { nextStatus, statusPatch } from './status.ts';

export type ClusterExternalSecretMetrics = ObjectMetrics;

export interface ClusterExternalSecretReconcilerDeps {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  namespaces(): NamespaceInfo[];
  /** The cached ExternalSecret at namespace/name, if any. */
  externalSecret(namespace: string, name: string): ExternalSecret | undefined;
  /** The cached ExternalSecrets whose controller is the ClusterExternalSecret of this name. */
  ownedExternalSecrets(cesName: string): ExternalSecret[];
  metrics?: ClusterExternalSecretMetrics;
}

/** An ExternalSecret of the wanted name exists and another (or nobody) controls it: ESO leaves it alone. */
const notOwned = (namespace: string, name: string): OperatorError =>
  // ESO's words first, so what users grep for still matches.
  new OperatorError('ExternalSecretNotOwned', `external secret already exists in namespace: ExternalSecret "${namespace}/${name}" is not controlled by this ClusterExternalSecret`);

/** The apiserver refused the ExternalSecret itself (400, 422): a retry would send the same. */
function refusedAsDerived(err: unknown): unknown {
  if (!(err instanceof KubeApiError) || (err.status !== 400 && err.status !== 422)) return err;
  return new OperatorError('ExternalSecretRejected', `check spec.externalSecretSpec and spec.externalSecretMetadata: ${err.message}`, { cause: err });
}

const isAlreadyExists = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';

/**
 * Keeps one ExternalSecret per selected namespace, as ESO's ClusterExternalSecret
 * controller does, and reports the outcome in the status. It sees only the current
 * object: what to delete comes from the ExternalSecrets this ClusterExternalSecret
 * controls, so nothing is left behind if a status write was lost.
 */
export class ClusterExternalSecretReconciler {
  private readonly deps: ClusterExternalSecretReconcilerDeps;

  constructor(deps: ClusterExternalSecretReconcilerDeps) {
    this.deps = deps;
  }

  async reconcile(ces: ClusterExternalSecret): Promise<ReconcileResult> {
    // Being deleted: its ExternalSecrets carry it as controller owner, so the garbage collector removes them.
    // ESO's finalizer, left from before a move, would hold it forever: do ESO's cleanup and let it go.
    if (ces.metadata.deletionTimestamp) {
      if (holdsEsoCesFinalizer(ces)) await this.releaseEsoFinalizer(ces);
      return {};
    }
    return this.sync(ces);
  }

  /**
   * ESO's cleanup (eso-finalizers.ts), on what this operator may touch: the ExternalSecrets this
   * ClusterExternalSecret controls are deleted (unless the deletion orphans dependents), ESO's
   * finalizer for it comes off every Namespace that carries it (ESO: those in provisionedNamespaces
   * only), then ESO's finalizer comes off the ClusterExternalSecret, alone.
   */
  private async releaseEsoFinalizer(ces: ClusterExternalSecret): Promise<void> {
    const { kube, log } = this.deps;
    const name = ces.metadata.name;
    if (!orphansDependents(ces.metadata)) {
      for (const es of this.deps.ownedExternalSecrets(name)) await this.delete(es, 'deleted ExternalSecret of a deleted ClusterExternalSecret');
    }
    const held = this.deps.namespaces().filter((ns) => ns.metadata.finalizers?.includes(namespaceFinalizerOf(name)));
    for (const ns of held) await releaseNamespace(kube, ns, [name]);
    await removeFinalizers(kube, clusterExternalSecrets.path(undefined, name), ces.metadata.finalizers ?? [], [ESO_CES_FINALIZER]);
    log.info({ clusterExternalSecret: name, namespaces: held.map((ns) => ns.metadata.name) }, "took ESO's finalizers off a deleted ClusterExternalSecret and its namespaces");
  }

  private async sync(ces: ClusterExternalSecret): Promise<ReconcileResult> {
    const now = this.deps.clock.now();
    const esName = externalSecretName(ces);
    let selected: NamespaceInfo[];
    try {
      selected = selectedNamespaces(ces, this.deps.namespaces());
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      // As ESO: reported under the namespace "unknown"; nothing is created or deleted until the spec changes.
      await this.writeStatus(ces, nextStatus(ces, {
        externalSecretName: esName,
        provisioned: ces.status?.provisionedNamespaces ?? [],
        failed: new Map([['unknown', failureMessage(new OperatorError('InvalidNamespaceSelector', err.message))]]),
      }, now));
      return {};
    }

    const failed = new Map<string, string>();
    let retry: unknown;
    const fail = (namespace: string, err: unknown) => {
      failed.set(namespace, failureMessage(err));
      // The first retryable failure is thrown after the status write; the others wait for a change or the refresh.
      if (isRetryable(err)) retry ??= err;
      this.deps.log.warn({ clusterExternalSecret: ces.metadata.name, namespace, reason: reasonOf(err), err: failureMessage(err) }, 'namespace failed');
    };

    // Its ExternalSecrets under an old name, or in namespaces no longer selected, go.
    const wanted = new Set(selected.map((ns) => ns.metadata.name));
    for (const es of this.deps.ownedExternalSecrets(ces.metadata.name)) {
      const namespace = es.metadata.namespace!;
      if (es.metadata.name === esName && wanted.has(namespace)) continue;
      try {
        await this.delete(es);
      } catch (err) {
        fail(namespace, err);
      }
    }

    const provisioned: string[] = [];
    for (const ns of selected) {
      // A terminating namespace is neither provisioned nor failed (ESO).
      if (ns.metadata.deletionTimestamp) continue;
      try {
        await this.apply(ces, ns.metadata.name, esName);
        provisioned.push(ns.metadata.name);
      } catch (err) {
        fail(ns.metadata.name, refusedAsDerived(err));
      }
    }

    const status = nextStatus(ces, { externalSecretName: esName, provisioned, failed }, now);
    await this.writeStatus(ces, status);
    if (retry) throw retry;
    const interval = refreshTimeMs(ces);
    return interval > 0 ? { requeueAfter: interval } : {};
  }

  /** Creates or updates the ExternalSecret in one namespace; no write when nothing changed. */
  private async apply(ces: ClusterExternalSecret, namespace: string, name: string): Promise<'created' | 'updated' | 'unchanged'> {
    const { kube } = this.deps;
    let live = this.deps.externalSecret(namespace, name);
    if (!live) {
      try {
        await kube.request('POST', externalSecrets.path(namespace), { body: desiredExternalSecret(ces, namespace) });
        this.deps.log.info({ clusterExternalSecret: ces.metadata.name, namespace, externalSecret: name }, 'created ExternalSecret');
        return 'created';
      } catch (err) {
        // The cache had not seen it yet: decide on the live object.
        if (!isAlreadyExists(err)) throw err;
        live = await kube.get<ExternalSecret>(externalSecrets.path(namespace, name));
      }
    }
    if (controllingCes(live) !== ces.metadata.name) throw notOwned(namespace, name);
    const desired = desiredExternalSecret(ces, namespace, live);
    if (sameExternalSecret(live, desired)) return 'unchanged';
    // The live resourceVersion makes this a compare-and-swap: a concurrent change gives 409 and a retry.
    await kube.request('PUT', externalSecrets.path(namespace, name), { body: desired });
    this.deps.log.info({ clusterExternalSecret: ces.metadata.name, namespace, externalSecret: name }, 'updated ExternalSecret');
    return 'updated';
  }

  /**
   * Deletes exactly this ExternalSecret (uid precondition); already gone, or replaced meanwhile by
   * another of that name (the precondition fails), counts as done: the reconcile that follows sees it.
   */
  private async delete(es: ExternalSecret, why = 'deleted ExternalSecret no longer wanted'): Promise<void> {
    const { namespace, name, uid } = es.metadata;
    try {
      await this.deps.kube.request('DELETE', externalSecrets.path(namespace, name), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', ...(uid ? { preconditions: { uid } } : {}) },
      });
      this.deps.log.info({ namespace, externalSecret: name }, why);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async writeStatus(ces: ClusterExternalSecret, status: ClusterExternalSecretStatus): Promise<void> {
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const labels = { name: ces.metadata.name, namespace: '', condition: 'Ready' };
    this.deps.metrics?.statusCondition.set({ ...labels, status: 'True' }, ready ? 1 : 0);
    this.deps.metrics?.statusCondition.set({ ...labels, status: 'False' }, ready ? 0 : 1);
    if (sameContent(ces.status, status)) return;
    await this.deps.kube.request('PATCH', clusterExternalSecrets.path(undefined, ces.metadata.name, 'status'), {
      body: statusPatch(status),
      contentType: 'application/merge-patch+json',
    });
    // The cache catches up through the watch; keep this copy current for the next read.
    ces.status = status;
  }
}

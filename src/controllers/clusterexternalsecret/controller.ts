import type { Logger } from 'pino';
import type { Namespace } from '../../api/core.ts';
import type { ClusterExternalSecret, ExternalSecret } from '../../api/generated.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import { objectKey, type Informer, type KubeObject } from '../../kube/informer.ts';
import { WorkQueue } from '../../kube/queue.ts';
import { forgetObject } from '../../metrics/operator-metrics.ts';
import { canonicalJson } from '../conditions.ts';
import { controllingCes } from './external-secret.ts';
import { selectsNamespace } from './namespaces.ts';
import { ClusterExternalSecretReconciler, type ClusterExternalSecretMetrics } from './reconciler.ts';
import { externalSecretName } from './spec.ts';

/** Index of ExternalSecrets by the name of the ClusterExternalSecret that controls them. */
export const BY_CES_OWNER = 'clusterExternalSecret';

export interface ClusterExternalSecretInformers {
  clusterExternalSecrets: Informer<ClusterExternalSecret>;
  externalSecrets: Informer<ExternalSecret>;
  namespaces: Informer<Namespace>;
}

const metadataVersion = (o: { metadata: { generation?: number; labels?: object; annotations?: object } }): string =>
  `${o.metadata.generation ?? 0}/${canonicalJson(o.metadata.labels ?? {})}/${canonicalJson(o.metadata.annotations ?? {})}`;

/**
 * Turns watch events into ClusterExternalSecret keys. Handlers only enqueue; status
 * writes (ours, and the ExternalSecret controller's) wake nothing.
 */
export function wireClusterExternalSecretEvents(
  informers: ClusterExternalSecretInformers,
  queue: WorkQueue,
  onDeleted: (ces: ClusterExternalSecret) => void = () => {},
): void {
  const { clusterExternalSecrets, externalSecrets, namespaces } = informers;
  externalSecrets.addIndex(BY_CES_OWNER, (es) => {
    const owner = controllingCes(es);
    return owner ? [owner] : [];
  });

  // The ClusterExternalSecret itself: spec, labels or annotations (force-sync), not its status.
  const cesSeen = new Map<string, string>();
  clusterExternalSecrets.on((event, ces) => {
    const key = objectKey(ces);
    if (event === 'deleted') {
      cesSeen.delete(key);
      queue.forget(key);
      onDeleted(ces);
      return;
    }
    const version = metadataVersion(ces);
    if (cesSeen.get(key) === version) return;
    cesSeen.set(key, version);
    queue.add(key);
  });

  // Its ExternalSecrets: edited, re-owned or deleted by someone else. Only owned ones are tracked.
  const esSeen = new Map<string, { version: string; owner: string | undefined }>();
  externalSecrets.on((event, es) => {
    const key = objectKey(es);
    const before = esSeen.get(key);
    const owner = controllingCes(es);
    if (event === 'deleted') {
      esSeen.delete(key);
      if (owner) queue.add(owner);
      // A foreign ExternalSecret that blocked a namespace is gone: that namespace can be provisioned now.
      for (const ces of clusterExternalSecrets.list()) {
        if (externalSecretName(ces) === es.metadata.name && ces.status?.failedNamespaces?.some((f) => f.namespace === es.metadata.namespace)) {
          queue.add(ces.metadata.name);
        }
      }
      return;
    }
    if (!owner && !before) return;
    const version = `${metadataVersion(es)}/${canonicalJson(es.metadata.ownerReferences ?? [])}`;
    if (before?.version === version) return;
    if (owner) esSeen.set(key, { version, owner });
    else esSeen.delete(key);
    if (owner) queue.add(owner);
    if (before?.owner && before.owner !== owner) queue.add(before.owner);
  });

  // Namespaces: created, deleted, relabelled or terminating. Wakes the ClusterExternalSecrets that select
  // it now, and those that have (or failed) an ExternalSecret there, so a namespace that stops matching
  // loses its ExternalSecret at once rather than at the next refresh.
  const nsSeen = new Map<string, string>();
  namespaces.on((event, ns) => {
    const name = ns.metadata.name;
    if (event === 'deleted') nsSeen.delete(name);
    else {
      const version = canonicalJson([ns.metadata.labels ?? {}, ns.metadata.deletionTimestamp ?? null]);
      if (nsSeen.get(name) === version) return;
      nsSeen.set(name, version);
    }
    for (const ces of clusterExternalSecrets.list()) {
      const concerned = selectsNamespace(ces, ns)
        || ces.status?.provisionedNamespaces?.includes(name)
        || ces.status?.failedNamespaces?.some((f) => f.namespace === name)
        || externalSecrets.byIndex(BY_CES_OWNER, ces.metadata.name).some((es) => es.metadata.namespace === name);
      if (concerned) queue.add(ces.metadata.name);
    }
  });
}

export interface ClusterExternalSecretControllerOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  metrics: ClusterExternalSecretMetrics;
  informers: ClusterExternalSecretInformers;
  concurrency?: number;
}

/** The ClusterExternalSecret controller: its queue, event wiring and reconciler. start() once caches are synced. */
export function clusterExternalSecretController(options: ClusterExternalSecretControllerOptions): { queue: WorkQueue; start(): void } {
  const { kube, clock, log, informers, metrics } = options;
  const queue = new WorkQueue({
    clock,
    concurrency: options.concurrency ?? 4,
    onError: (key, error, retryIn) => log.debug({ clusterExternalSecret: key, retryInMs: retryIn, err: (error as Error)?.message }, 'reconcile failed'),
  });
  wireClusterExternalSecretEvents(informers, queue, (ces) => forgetObject(metrics, { name: ces.metadata.name, namespace: '' }));
  const reconciler = new ClusterExternalSecretReconciler({
    kube,
    clock,
    log,
    metrics,
    clusterExternalSecret: (name) => informers.clusterExternalSecrets.get(name),
    namespaces: () => informers.namespaces.list(),
    externalSecret: (namespace, name) => informers.externalSecrets.get(`${namespace}/${name}`),
    ownedExternalSecrets: (cesName) => informers.externalSecrets.byIndex(BY_CES_OWNER, cesName),
  });
  return { queue, start: () => queue.start((key) => reconciler.reconcile(key)) };
}

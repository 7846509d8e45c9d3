import type { Logger } from 'pino';
import type { Secret, Workload } from '../../api/core.ts';
import type { ExternalSecret } from '../../api/generated.ts';
import { failureMessage, type ReasonCode } from '../../errors.ts';
import type { BackoffPolicy } from '../../kube/backoff.ts';
import { isNotFound, type KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { WorkQueue } from '../../kube/queue.ts';
import { daemonSets, deployments, statefulSets, type ResourceType } from '../../kube/resources.ts';
import { onOffSetting } from '../on-off-setting.ts';
import {
  ANNOTATION_RESTART, RESTARTED_AT, restartedAt, restartReason, restartRequestOf, WORKLOAD_KINDS, workloadKey,
  type ChangedSecret, type WorkloadKind,
} from '../../sync/restart-targets.ts';

/**
 * Rolling restarts of the workloads that use a target Secret, after a write changed its data
 * (sync/restart-targets.ts says which). The workloads are found by listing the namespace's
 * Deployments, StatefulSets and DaemonSets when a restart is due, not watched: nothing is held
 * in memory between changes. Each is patched as `kubectl rollout restart` patches it, once per
 * change: what fails stays pending in memory and is retried with backoff until done (a change
 * arriving meanwhile joins it: one restart covers both), and what is done is never repeated.
 */

const ROLLING_RESTART = 'ROLLING_RESTART';

/** ROLLING_RESTART: unset, empty or "false" is off, "true" is on; anything else is refused at start. */
export function rollingRestartFrom(value: string | undefined): boolean {
  return onOffSetting(ROLLING_RESTART, value, 'restart no workloads', 'restarts the workloads that use a Secret when its data changes');
}

const RESOURCES: Record<WorkloadKind, ResourceType> = { Deployment: deployments, StatefulSet: statefulSets, DaemonSet: daemonSets };
/** Workloads per page of a list: a namespace of thousands is read in steps. */
const PAGE_SIZE = 500;
/** Restarts (lists and patches) under way at once. */
const CONCURRENCY = 4;

export interface RolloutRestartOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  /** ROLLING_RESTART: off, nothing is listed or patched, and an ExternalSecret that asks for restarts is told why not. */
  enabled: boolean;
  /** Counts each patch: success, or error (retried). */
  onRestart?: (kind: WorkloadKind, outcome: 'success' | 'error') => void;
  backoff?: BackoffPolicy;
}

/** A workload to patch for a change, and why. */
interface Target {
  kind: WorkloadKind;
  name: string;
  uid?: string;
  because: string;
  /** Its restartedAt annotation when last read. */
  seen?: string;
  /** The value a failed patch tried to write: a retry first checks whether it landed after all. */
  attempted?: string;
}

/** The restart one ExternalSecret's change of its Secret asks for, until every workload is patched. */
interface Pending {
  es: ExternalSecret;
  secret: ChangedSecret;
  /** The workloads its annotation names (`Kind/name`). */
  named: Set<string>;
  /** The namespace is yet to be listed for the latest change. */
  toList: boolean;
  targets: Map<string, Target>;
  /** A Warning was recorded for this pending restart: one per restart, not one per retry. */
  reported: boolean;
}

export class RolloutRestarts {
  private readonly options: RolloutRestartOptions;
  private readonly pending = new Map<string, Pending>();
  /** The reconciles waiting for the next run of a key to finish. */
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly queue: WorkQueue;
  private stopped = false;

  constructor(options: RolloutRestartOptions) {
    this.options = options;
    this.queue = new WorkQueue({
      clock: options.clock,
      concurrency: CONCURRENCY,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onError: (key, error, retryInMs) => options.log.warn({ restart: key, err: failureMessage(error), retryInMs }, 'rolling restart failed; retrying'),
    });
    this.queue.start((key) => this.runWaited(key));
  }

  /**
   * A write of this ExternalSecret changed its target Secret's data (from what the operator last
   * wrote): restarts the workloads that use it. Resolves once the first attempt has finished;
   * failures are reported and retried in the background, never thrown: the Secret is synced.
   */
  async secretDataChanged(es: ExternalSecret, secret: Secret): Promise<void> {
    const { events, enabled } = this.options;
    const annotation = es.metadata.annotations?.[ANNOTATION_RESTART];
    if (!enabled) {
      if (annotation?.trim()) {
        warn(events, es, 'RollingRestartDisabled', `Secret "${secret.metadata.name}" changed and annotation ${ANNOTATION_RESTART} asks for restarts, `
          + `but rolling restarts are off: nothing was restarted; start the operator with ${ROLLING_RESTART}=true (Helm chart value rollingRestart.enabled=true)`);
      }
      return;
    }
    const request = restartRequestOf(annotation);
    if (request.problems.length) warn(events, es, 'InvalidRestartTarget', `annotation ${ANNOTATION_RESTART}: ${request.problems.join('; ')}; the other entries are used`);
    const key = `${es.metadata.namespace}/${es.metadata.name}/${secret.metadata.name}`;
    // A restart still pending for an earlier change takes this one's view; the workloads it has yet to patch stay.
    const latest = { es, secret: { name: secret.metadata.name, annotations: secret.metadata.annotations }, named: request.named, toList: true, reported: false };
    this.pending.set(key, Object.assign(this.pending.get(key) ?? { targets: new Map<string, Target>() }, latest));
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      this.waiters.set(key, [...this.waiters.get(key) ?? [], resolve]);
      this.queue.add(key);
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    for (const resolve of [...this.waiters.values()].flat()) resolve();
    this.waiters.clear();
  }

  /** One run of a key; the reconciles that were waiting before it began learn that it finished. */
  private async runWaited(key: string): Promise<{}> {
    const waiting = this.waiters.get(key) ?? [];
    this.waiters.delete(key);
    try {
      await this.run(key);
      return {};
    } finally {
      for (const resolve of waiting) resolve();
    }
  }

  /** Lists (when the latest change has not been) and patches what is left; throws to be retried. */
  private async run(key: string): Promise<void> {
    const pending = this.pending.get(key);
    if (!pending) return;
    if (pending.toList) {
      // Cleared first: a change arriving while the list is read asks for another list.
      pending.toList = false;
      try {
        await this.find(pending);
      } catch (err) {
        pending.toList = true;
        this.report(pending, `could not list the Deployments, StatefulSets and DaemonSets of namespace "${pending.es.metadata.namespace}": ${failureMessage(err)}; retrying`);
        throw err;
      }
    }
    let failure: unknown;
    for (const [targetKey, target] of pending.targets) {
      try {
        await this.restart(pending, target);
        pending.targets.delete(targetKey);
      } catch (err) {
        failure ??= err;
        this.options.onRestart?.(target.kind, 'error');
        this.report(pending, `could not restart ${target.kind} "${target.name}" after Secret "${pending.secret.name}" changed: ${failureMessage(err)}; retrying`);
      }
    }
    if (failure !== undefined) throw failure;
    if (!pending.toList && pending.targets.size === 0) this.pending.delete(key);
  }

  /** Lists the namespace's workloads page by page and keeps those to restart; reports named ones that are not there. */
  private async find(pending: Pending): Promise<void> {
    const namespace = pending.es.metadata.namespace!;
    const seen = new Set<string>();
    for (const kind of WORKLOAD_KINDS) {
      let next: string | undefined;
      do {
        const page = await this.options.kube.get<{ items: Workload[]; metadata: { continue?: string } }>(RESOURCES[kind].path(namespace), { limit: PAGE_SIZE, continue: next });
        for (const workload of page.items) {
          const key = workloadKey(kind, workload.metadata.name);
          seen.add(key);
          const because = restartReason(kind, workload, pending.secret, pending.named);
          if (!because) continue;
          // A target still pending from an earlier change is replaced: this change's restart covers both.
          pending.targets.set(key, {
            kind, name: workload.metadata.name, uid: workload.metadata.uid, because, seen: workload.spec?.template?.metadata?.annotations?.[RESTARTED_AT],
          });
        }
        next = page.metadata.continue || undefined;
      } while (next);
    }
    const missing = [...pending.named].filter((key) => !seen.has(key));
    if (missing.length) {
      warn(this.options.events, pending.es, 'InvalidRestartTarget',
        `annotation ${ANNOTATION_RESTART} names what namespace "${namespace}" does not hold: ${missing.map(quoteWorkload).join(', ')}; the other workloads are restarted`);
    }
  }

  /** kubectl rollout restart's patch of one workload, and the Events that say why. */
  private async restart(pending: Pending, target: Target): Promise<void> {
    const { kube, clock, log } = this.options;
    const path = RESOURCES[target.kind].path(pending.es.metadata.namespace, target.name);
    let current = target.seen;
    if (target.attempted !== undefined) {
      // A retry: the failed patch may have been applied before its answer was lost.
      let live: Workload;
      try {
        live = await kube.get<Workload>(path);
      } catch (err) {
        if (isNotFound(err)) return this.gone(pending, target);
        throw err;
      }
      current = live.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
      if (current === target.attempted) return this.restarted(pending, target);
    }
    const value = restartedAt(clock.now(), current);
    target.attempted = value;
    try {
      await kube.request('PATCH', path, {
        body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: value } } } } },
        contentType: 'application/strategic-merge-patch+json',
      });
    } catch (err) {
      if (isNotFound(err)) return this.gone(pending, target);
      throw err;
    }
    log.info({ externalSecret: `${pending.es.metadata.namespace}/${pending.es.metadata.name}`, workload: `${target.kind}/${target.name}`, restartedAt: value }, 'restarted');
    this.restarted(pending, target);
  }

  private restarted(pending: Pending, target: Target): void {
    const { es, secret } = pending;
    const workload = { apiVersion: 'apps/v1', kind: target.kind, metadata: { name: target.name, namespace: es.metadata.namespace!, ...(target.uid ? { uid: target.uid } : {}) } };
    this.options.events.normal(es, 'Restarted', `${target.kind} "${target.name}" restarted: the data of Secret "${secret.name}" changed (${target.because})`);
    this.options.events.normal(workload, 'Restarted', `restarted: the data of Secret "${secret.name}" changed, written by ExternalSecret "${es.metadata.name}" (${target.because})`);
    this.options.onRestart?.(target.kind, 'success');
  }

  /** Deleted since it was listed: nothing to restart. */
  private gone(pending: Pending, target: Target): void {
    this.options.log.info({ externalSecret: `${pending.es.metadata.namespace}/${pending.es.metadata.name}`, workload: `${target.kind}/${target.name}` }, 'workload to restart is gone');
  }

  /** One Warning per pending restart, however often it is retried. */
  private report(pending: Pending, message: string): void {
    if (pending.reported) return;
    pending.reported = true;
    warn(this.options.events, pending.es, 'RestartFailed', message);
  }
}

/** A Warning whose reason is a reason code of errors.ts. */
const warn = (events: EventRecorder, es: ExternalSecret, code: ReasonCode, message: string): void => events.warning(es, code, message);

const quoteWorkload = (key: string): string => {
  const [kind, name] = key.split('/') as [string, string];
  return `${kind} "${name}"`;
};

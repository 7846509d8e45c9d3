import { hostname } from 'node:os';
import { KubeClient } from './kube/client.ts';
import { systemClock } from './kube/clock.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { createLogger } from './log.ts';
import { startMetricsServer } from './metrics/server.ts';
import { Operator } from './operator.ts';
import { allowGenericTargetsFrom } from './controllers/generic-targets.ts';
import { watchNamespaceFrom } from './controllers/watch-namespace.ts';
import { controllerClassFrom } from './controllers/controller-class.ts';
import { changeQueueUrlFrom } from './changes/queue-listeners.ts';
import { changePollIntervalFrom } from './changes/change-poller.ts';
import { rollingRestartFrom } from './controllers/externalsecret/rollout-restart.ts';

// Entry point: wiring only.
const log = createLogger();
const concurrency = Number(process.env.CONCURRENCY ?? 16);

if (!process.env.KUBECONFIG && !process.env.KUBERNETES_SERVICE_HOST) {
  // The local environment (dev/) is loaded only when there is no cluster to talk to, and never in production: the
  // image does not hold it, and a missing module's stack trace would not tell the user what to do.
  const local = process.env.NODE_ENV === 'production' ? undefined : await import('../dev/demo.ts').catch(unlessAbsent);
  if (!local) {
    log.fatal('no cluster to talk to: set KUBECONFIG, or run in a cluster (KUBERNETES_SERVICE_HOST); the local environment of `make run` is not part of this build');
    process.exit(1);
  }
  await local.runLocal(log);
} else {
  let watchNamespace: string | undefined;
  let controllerClass: string | undefined;
  let allowGenericTargets: boolean;
  let changeQueue: ReturnType<typeof changeQueueUrlFrom>;
  let changePollIntervalMs: number | undefined;
  let rollingRestart: boolean;
  try {
    watchNamespace = watchNamespaceFrom(process.env.WATCH_NAMESPACE);
    controllerClass = controllerClassFrom(process.env.CONTROLLER_CLASS);
    allowGenericTargets = allowGenericTargetsFrom(process.env.UNSAFE_ALLOW_GENERIC_TARGETS);
    changeQueue = changeQueueUrlFrom(process.env.CHANGE_QUEUE_URL, process.env.AWS_REGION);
    changePollIntervalMs = changePollIntervalFrom(process.env.CHANGE_POLL_INTERVAL);
    rollingRestart = rollingRestartFrom(process.env.ROLLING_RESTART);
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }
  const kube = KubeClient.fromDefault();
  const cacheBytes = process.env.VALUE_CACHE_BYTES ? Number(process.env.VALUE_CACHE_BYTES) : undefined;
  const operator = new Operator({ kube, log, concurrency, watchNamespace, controllerClass, allowGenericTargets, changeQueue, changePollIntervalMs, rollingRestart, ...(cacheBytes !== undefined ? { cacheBytes } : {}) });
  // In a pod (POD_NAMESPACE from the downward API), replicas elect a leader; only it reconciles.
  const electionNamespace = process.env.LEADER_ELECTION_NAMESPACE ?? process.env.POD_NAMESPACE;
  const elector = electionNamespace && process.env.LEADER_ELECTION !== 'false'
    // The Lease's name: one per installation, so that two installs in one namespace do not elect one leader between them.
    ? new LeaderElector({ kube, clock: systemClock, log, namespace: electionNamespace, name: process.env.LEADER_ELECTION_ID || 'aws-secrets-operator', identity: process.env.POD_NAME ?? hostname() })
    : undefined;
  // A standby replica is ready (it serves its purpose by waiting); the leader once its caches have synced.
  const ready = () => (elector && !elector.isLeader() ? true : operator.isReady());
  const server = await startMetricsServer(operator.metrics.registry, ready, Number(process.env.METRICS_PORT ?? 8080), '0.0.0.0');
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    await elector?.stop();
    await server.close();
    await operator.stop();
    await kube.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  log.info({ server: kube.server, metricsPort: server.port, leaderElection: Boolean(elector), watchNamespace: watchNamespace ?? null, controllerClass: controllerClass ?? null, allowGenericTargets, changeQueue: changeQueue?.url ?? null, changePollIntervalMs: changePollIntervalMs ?? null, rollingRestart }, 'starting');
  if (elector) {
    // Lost leadership ends the process, as controller-runtime does: the pod restarts as a standby.
    await elector.run(() => operator.start(), () => void stop(1));
  } else {
    await operator.start();
  }
}

/** Undefined when the local environment's own module is absent (a production build), else the error again. */
function unlessAbsent(err: { code?: string; url?: string }): undefined {
  if (err.code === 'ERR_MODULE_NOT_FOUND' && /\/dev\/demo\.[jt]s$/.test(err.url ?? '')) return undefined;
  throw err;
}

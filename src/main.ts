import { KubeClient } from './kube/client.ts';
import { runLocal } from './localenv/demo.ts';
import { createLogger } from './log.ts';
import { startMetricsServer } from './metrics/server.ts';
import { Operator } from './operator.ts';

// Entry point: wiring only.
const log = createLogger();
const concurrency = Number(process.env.CONCURRENCY ?? 16);

if (!process.env.KUBECONFIG && !process.env.KUBERNETES_SERVICE_HOST) {
  await runLocal(log);
} else {
  const kube = KubeClient.fromDefault();
  const operator = new Operator({ kube, log, concurrency });
  const server = await startMetricsServer(operator.metrics.registry, () => operator.isReady(), Number(process.env.METRICS_PORT ?? 8080));
  const stop = async () => {
    await server.close();
    await operator.stop();
    await kube.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log.info({ server: kube.server, metricsPort: server.port }, 'starting');
  await operator.start();
}

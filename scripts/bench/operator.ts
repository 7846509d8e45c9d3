/**
 * The operator as production runs it: `node <the image's flags>` on the image's build (`make build`:
 * dist/src/main.js, the sources with their types stripped ahead) in its own process,
 * under its ServiceAccount's RBAC, NODE_ENV=production as the image sets it, one replica (no
 * leader election).
 */
import { defaultDeployment } from '../../dev/chart.ts';
import { imageCommand } from '../../test/helpers/image-command.ts';
import { startOperatorChild, type OperatorChild } from '../../test/integration/operator-child.ts';

/** Arguments to node before the script, and NODE_OPTIONS. */
export interface NodeFlags {
  args: string[];
  nodeOptions: string;
}

/**
 * Node's flags for the operator. BENCH_NODE_OPTIONS, when set (even empty), replaces them all
 * (as NODE_OPTIONS), to try other heap settings. Otherwise production's: the flags the
 * Dockerfile's CMD gives node, and NODE_OPTIONS if the Deployment sets it. A pod's memory limit
 * is what `--max-old-space-size-percentage` takes its share of; the bench runs outside any
 * container (where it would take a share of the whole machine), so it gives node the size that
 * share comes to under the Deployment's limit.
 */
export function productionNodeFlags(env: NodeJS.ProcessEnv = process.env): NodeFlags {
  if (env.BENCH_NODE_OPTIONS !== undefined) return { args: [], nodeOptions: env.BENCH_NODE_OPTIONS };
  const container = deploymentContainer();
  const limitMiB = mebibytes(container?.resources?.limits?.memory);
  const args = imageCommand().args.map((arg) => {
    const percentage = /^--max-old-space-size-percentage=(\d+(?:\.\d+)?)$/.exec(arg)?.[1];
    return percentage !== undefined && limitMiB !== undefined ? `--max-old-space-size=${Math.floor((limitMiB * Number(percentage)) / 100)}` : arg;
  });
  const nodeOptions = (container?.env ?? []).find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value ?? '';
  return { args, nodeOptions };
}



function deploymentContainer(): any {
  return defaultDeployment().spec.template.spec.containers[0];
}

/** A Kubernetes memory quantity (e.g. 640Mi, 1Gi, 500M) in MiB. */
function mebibytes(quantity: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity ?? '');
  if (!m) return undefined;
  const bytes = Number(m[1]) * { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9, '': 1 }[m[2] ?? '']!;
  return bytes / 2 ** 20;
}

/** The flags as one line, for the log and the results. */
export const describeNodeFlags = (node: NodeFlags): string =>
  [...node.args, ...(node.nodeOptions ? [`NODE_OPTIONS=${JSON.stringify(node.nodeOptions)}`] : [])].join(' ') || '(no flags)';

/** `env`: settings besides production's defaults (the changes phase's queue and rolling restarts). */
export function startOperator(options: NodeFlags & { kubeconfig: string; awsEndpoint: string; concurrency: number; env?: Record<string, string> }): Promise<OperatorChild> {
  return startOperatorChild({
    name: 'bench-operator',
    kubeconfig: options.kubeconfig,
    awsEndpoint: options.awsEndpoint,
    nodeArgs: options.args,
    script: imageCommand().builtScript,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      CONCURRENCY: String(options.concurrency),
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
      ...options.env,
    },
  });
}

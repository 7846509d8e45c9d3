/**
 * The operator as production runs it: `node src/main.ts` in its own process, under its
 * ServiceAccount's RBAC, NODE_ENV=production as the image sets it, one replica (no leader
 * election), with the node options production uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startOperatorChild, type OperatorChild } from '../../test/integration/operator-child.ts';

const root = join(import.meta.dirname, '../..');

/**
 * NODE_OPTIONS for the operator: BENCH_NODE_OPTIONS when set (even empty), else the production
 * setting, read from where production takes it: the Deployment's container env
 * (deploy/operator.yaml), else the image's `ENV NODE_OPTIONS=` (Dockerfile). Setting heap
 * limits in either place is enough for the bench to measure the operator with them.
 */
export function operatorNodeOptions(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BENCH_NODE_OPTIONS !== undefined) return env.BENCH_NODE_OPTIONS;
  const deployment = parseAllDocuments(readFileSync(join(root, 'deploy/operator.yaml'), 'utf8')).map((d) => d.toJS())
    .find((d) => d?.kind === 'Deployment');
  const containerEnv: { name: string; value?: string }[] = deployment?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  const fromDeployment = containerEnv.find((e) => e.name === 'NODE_OPTIONS')?.value;
  if (fromDeployment !== undefined) return fromDeployment;
  const fromImage = /^ENV\s+NODE_OPTIONS=(?:"([^"]*)"|(\S*))/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  return fromImage?.[1] ?? fromImage?.[2] ?? '';
}

export function startOperator(options: { kubeconfig: string; awsEndpoint: string; nodeOptions: string; concurrency: number }): Promise<OperatorChild> {
  return startOperatorChild({
    name: 'bench-operator',
    kubeconfig: options.kubeconfig,
    awsEndpoint: options.awsEndpoint,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      CONCURRENCY: String(options.concurrency),
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    },
  });
}

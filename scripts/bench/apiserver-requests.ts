import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ControlPlane } from '../../dev/control-plane.ts';

/** Requests the apiserver served, by `VERB resource[/subresource]`, from its own apiserver_request_total. */
export type RequestCounts = Record<string, number>;

export function apiserverRequests(controlPlane: ControlPlane): RequestCounts {
  const text = execFileSync(join(controlPlane.binDir, 'kubectl'), ['--kubeconfig', controlPlane.kubeconfig, 'get', '--raw', '/metrics'],
    { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const counts: RequestCounts = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (name: string) => new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1] ?? '';
    const subresource = label('subresource');
    const key = `${label('verb')} ${label('resource')}${subresource ? `/${subresource}` : ''}`;
    counts[key] = (counts[key] ?? 0) + Number(line.split(' ').pop());
  }
  return counts;
}

const READS = new Set(['GET', 'LIST', 'WATCH']);

/**
 * The writes between two readings, by verb and resource. Leases are left out: with leader
 * election off (one replica, as the bench runs it) only the apiserver's own heartbeat writes them.
 */
export function writesBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  return Object.fromEntries(Object.entries(after)
    .filter(([key]) => !READS.has(key.split(' ')[0]!) && !key.endsWith(' leases'))
    .map(([key, n]) => [key, n - (before[key] ?? 0)] as const)
    .filter(([, n]) => n > 0));
}

export const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * The bench's view of the ExternalSecrets' status, from a watch (the operator's own informer
 * code): it says when every one of a set has reached a state without polling the apiserver,
 * whose LISTs of thousands of objects would weigh on the very figures being measured.
 */
import pino from 'pino';
import type { ExternalSecret } from '../../src/api/generated.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { Informer } from '../../src/kube/informer.ts';
import { externalSecrets } from '../../src/kube/resources.ts';

export const isReady = (es: ExternalSecret): boolean =>
  Boolean(es.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && es.status.syncedResourceVersion);

interface Waiter {
  pending: Set<string>;
  done: (es: ExternalSecret) => boolean;
  finish: () => void;
}

export interface WaitOutcome {
  /** When the last one got there (Date.now()), or undefined when the wait timed out. */
  completedAt: number | undefined;
  reached: number;
}

export class SyncTracker {
  private readonly informer: Informer<ExternalSecret & { metadata: { name: string } }>;
  private readonly namespace: string;
  private readonly waiters = new Set<Waiter>();
  /** When each ExternalSecret's status.refreshTime last moved, as the watch saw it. */
  private readonly refreshes: { name: string; at: number }[] = [];

  constructor(kube: KubeClient, namespace: string) {
    this.namespace = namespace;
    this.informer = new Informer(kube, externalSecrets, { clock: systemClock, log: pino({ level: 'warn' }) });
    this.informer.on((event, es, old) => {
      if (es.metadata.namespace !== this.namespace) return;
      if (event === 'modified' && es.status?.refreshTime && es.status.refreshTime !== old?.status?.refreshTime) {
        this.refreshes.push({ name: es.metadata.name, at: Date.now() });
      }
      for (const waiter of this.waiters) {
        if (waiter.pending.has(es.metadata.name) && waiter.done(es)) {
          waiter.pending.delete(es.metadata.name);
          if (waiter.pending.size === 0) waiter.finish();
        }
      }
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get(name: string): ExternalSecret | undefined {
    return this.informer.get(`${this.namespace}/${name}`);
  }

  /** How many distinct ExternalSecrets had their refreshTime move in [from, to). */
  /** How many refreshes (moves of a refreshTime) the watch saw in [from, to), counting each ExternalSecret's every one. */
  refreshesBetween(from: number, to: number): number {
    return this.refreshes.filter((r) => r.at >= from && r.at < to).length;
  }

  refreshedBetween(from: number, to: number): number {
    return new Set(this.refreshes.filter((r) => r.at >= from && r.at < to).map((r) => r.name)).size;
  }

  /** Resolves when every named ExternalSecret satisfies `done`, or at the timeout; logs progress while waiting. */
  async waitForAll(names: readonly string[], done: (es: ExternalSecret) => boolean, timeoutMs: number, what: string): Promise<WaitOutcome> {
    const pending = new Set(names.filter((name) => {
      const es = this.get(name);
      return !es || !done(es);
    }));
    if (pending.size === 0) return { completedAt: Date.now(), reached: names.length };
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const waiter: Waiter = { pending, done, finish };
    this.waiters.add(waiter);
    const progress = setInterval(() => console.log(`  … ${what}: ${names.length - pending.size}/${names.length}`), 15_000);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    try {
      await Promise.race([finished, timedOut]);
    } finally {
      clearInterval(progress);
      clearTimeout(timer);
      this.waiters.delete(waiter);
    }
    const reached = names.length - pending.size;
    if (pending.size > 0) console.log(`  ! ${what}: timed out after ${Math.round(timeoutMs / 1000)} s with ${reached}/${names.length}`);
    return { completedAt: pending.size === 0 ? Date.now() : undefined, reached };
  }
}

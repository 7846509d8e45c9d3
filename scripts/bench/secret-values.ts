/**
 * When each target Secret came to hold an expected value, from a watch: says whether a rotation
 * reached every Secret of the changed AWS secrets, and when the last one got it. The time is when
 * the bench saw the watch event (Date.now()), the watch's own delay included.
 */
import pino from 'pino';
import type { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { Informer, type KubeObject } from '../../src/kube/informer.ts';
import { secrets } from '../../src/kube/resources.ts';

type Secret = KubeObject & { data?: Record<string, string> };

/** Someone waiting for one Secret to hold one value. */
interface Waiter {
  value: string;
  arrived: (at: number) => void;
}

export class SecretValueWatch {
  private readonly informer: Informer<Secret>;
  /** Secret name → the value its `key` must come to hold. */
  private readonly expected = new Map<string, string>();
  /** Secret name → when it was first seen holding it. */
  private readonly arrived = new Map<string, number>();
  /** Secret name → those waiting for it (waitFor). */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly namespace: string;
  private readonly key: string;

  constructor(kube: KubeClient, namespace: string, key: string) {
    this.namespace = namespace;
    this.key = key;
    this.informer = new Informer<Secret>(kube, secrets, { clock: systemClock, log: pino({ level: 'warn' }) });
    this.informer.on((event, secret) => {
      const { name } = secret.metadata;
      if (event === 'deleted' || secret.metadata.namespace !== namespace) return;
      const now = Date.now();
      for (const waiter of this.waiters.get(name) ?? []) if (this.holds(secret, waiter.value)) waiter.arrived(now);
      if (this.arrived.has(name)) return;
      const want = this.expected.get(name);
      if (want !== undefined && this.holds(secret, want)) this.arrived.set(name, now);
    });
  }

  private holds(secret: Secret, value: string): boolean {
    return Buffer.from(secret.data?.[this.key] ?? '', 'base64').toString() === value;
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** From now on, `name` is expected to come to hold `value`. */
  expect(name: string, value: string): void {
    this.expected.set(name, value);
  }

  /** How many expected values had arrived by `at`, and when the last of those arrived. */
  arrivedBy(at: number): { count: number; lastAt: number | undefined } {
    const times = [...this.arrived.values()].filter((t) => t <= at);
    return { count: times.length, lastAt: times.length ? Math.max(...times) : undefined };
  }

  /**
   * Resolves when every named Secret holds `value` (call it before the change can arrive): with the
   * time the last of them was seen holding it, or undefined when that did not happen within timeoutMs.
   */
  async waitFor(names: readonly string[], value: string, timeoutMs: number): Promise<number | undefined> {
    const registered: Array<[string, Waiter]> = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const arrivals = names.map((name) => new Promise<number>((resolve) => {
        const waiter: Waiter = { value, arrived: resolve };
        const current = this.informer.get(`${this.namespace}/${name}`);
        if (current && this.holds(current, value)) resolve(Date.now());
        const set = this.waiters.get(name) ?? new Set();
        set.add(waiter);
        this.waiters.set(name, set);
        registered.push([name, waiter]);
      }));
      const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
      const times = await Promise.race([Promise.all(arrivals), timedOut]);
      return times === undefined ? undefined : Math.max(...times);
    } finally {
      clearTimeout(timer);
      for (const [name, waiter] of registered) {
        const set = this.waiters.get(name)!;
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(name);
      }
    }
  }
}

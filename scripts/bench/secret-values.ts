/**
 * When each target Secret came to hold an expected value, from a watch: says whether a rotation
 * reached every Secret of the changed AWS secrets, and when the last one got it.
 */
import pino from 'pino';
import type { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { Informer, type KubeObject } from '../../src/kube/informer.ts';
import { secrets } from '../../src/kube/resources.ts';

type Secret = KubeObject & { data?: Record<string, string> };

export class SecretValueWatch {
  private readonly informer: Informer<Secret>;
  /** Secret name → the value its `key` must come to hold. */
  private readonly expected = new Map<string, string>();
  /** Secret name → when it was first seen holding it. */
  private readonly arrived = new Map<string, number>();

  constructor(kube: KubeClient, namespace: string, key: string) {
    this.informer = new Informer<Secret>(kube, secrets, { clock: systemClock, log: pino({ level: 'warn' }) });
    this.informer.on((event, secret) => {
      const { name } = secret.metadata;
      if (event === 'deleted' || secret.metadata.namespace !== namespace || this.arrived.has(name)) return;
      const want = this.expected.get(name);
      if (want !== undefined && Buffer.from(secret.data?.[key] ?? '', 'base64').toString() === want) this.arrived.set(name, Date.now());
    });
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
}

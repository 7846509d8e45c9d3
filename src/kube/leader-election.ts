import type { Logger } from 'pino';
import { isConflict, isNotFound, type KubeClient } from './client.ts';
import { sleep, type Clock } from './clock.ts';
import { leases } from './resources.ts';
import type { Lease, LeaseSpec } from '../api/core.ts';

export interface LeaderElectionOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  namespace: string;
  name: string;
  /** This replica's identity, e.g. the pod name. */
  identity: string;
  /** How long a lease holds without renewal. */
  leaseDurationMs?: number;
  /** A leader that cannot renew for this long steps down. */
  renewDeadlineMs?: number;
  /** How often to try to acquire or renew. */
  retryPeriodMs?: number;
  random?: () => number;
}

/**
 * Leader election on a coordination.k8s.io Lease, with client-go's rules: a lease
 * is taken over only after it went unrenewed for its duration as observed on this
 * replica's own clock (so clock skew between replicas does not matter), and a
 * leader that cannot renew within the renew deadline steps down.
 */
export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'random'>> & { random: () => number };
  private readonly abort = new AbortController();
  private observed: { record: string; at: number } | undefined;
  private leading = false;

  constructor(options: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, random: Math.random, ...options };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Waits until this replica leads, calls onStarted, renews until it cannot (or
   * until stop), then calls onStopped. Resolves when leadership ended.
   */
  async run(onStarted: () => void | Promise<void>, onStopped: () => void): Promise<void> {
    const { clock, log, retryPeriodMs, renewDeadlineMs } = this.o;
    while (!this.abort.signal.aborted && !(await this.tryAcquireOrRenew())) {
      await sleep(clock, retryPeriodMs * (1 + 0.2 * this.o.random()), this.abort.signal);
    }
    if (this.abort.signal.aborted) return;
    this.leading = true;
    log.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, 'became leader');
    await onStarted();
    let lastRenew = clock.now();
    while (!this.abort.signal.aborted) {
      await sleep(clock, retryPeriodMs, this.abort.signal);
      if (this.abort.signal.aborted) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = clock.now();
      } else if (clock.now() - lastRenew >= renewDeadlineMs) {
        log.error({ lease: `${this.o.namespace}/${this.o.name}` }, 'lost leadership: could not renew the lease');
        break;
      }
    }
    this.leading = false;
    onStopped();
  }

  /** Stops renewing and, when leading, releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.o.kube.get(leases.path(this.o.namespace, this.o.name));
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 };
      await this.o.kube.request('PUT', leases.path(this.o.namespace, this.o.name), { body: lease });
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'could not release the lease');
    }
  }

  /** One attempt; true when this replica holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, clock, namespace, name, identity } = this.o;
    const now = new Date(clock.now()).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
    const durationSeconds = Math.ceil(this.o.leaseDurationMs / 1000);
    try {
      let lease: Lease;
      try {
        lease = await kube.get(leases.path(namespace, name));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await kube.request('POST', leases.path(namespace), {
          body: {
            apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      // Expiry is judged on our own clock, from when we last saw the record change.
      const record = JSON.stringify(spec);
      if (this.observed?.record !== record) this.observed = { record, at: clock.now() };
      const held = spec.holderIdentity && spec.holderIdentity !== identity;
      const expired = this.observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 <= clock.now();
      if (held && !expired) return false;
      const takeover = spec.holderIdentity !== identity;
      lease.spec = {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: takeover ? now : spec.acquireTime ?? now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takeover && spec.holderIdentity ? 1 : 0),
      };
      // The resourceVersion makes this a compare-and-swap: of two replicas racing, one wins.
      await kube.request('PUT', leases.path(namespace, name), { body: lease });
      this.observed = { record: JSON.stringify(lease.spec), at: clock.now() };
      return true;
    } catch (err) {
      if (!isConflict(err)) this.o.log.warn({ err: (err as Error).message }, 'leader election attempt failed');
      return false;
    }
  }
}

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { createLogger } from '../../src/log.ts';
import { eventually } from './harness.ts';

/** Two replicas' electors on one Lease, as the operator's ServiceAccount (so the Role is proven too). */
const clients: KubeClient[] = [];
const electors: LeaderElector[] = [];
let admin: KubeClient;
beforeAll(() => {
  admin = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
  clients.push(admin);
});
afterAll(async () => {
  for (const e of electors) await e.stop();
  for (const c of clients) await c.close().catch(() => {});
});

/** How often the electors try to acquire, and how long a lease holds without renewal. */
const RETRY_PERIOD_MS = 100;
const LEASE_DURATION_MS = 1_000;
/**
 * A replica's tries are at least RETRY_PERIOD_MS apart on its own clock, so after this many a
 * lease its leader had stopped renewing would have expired in its eyes and been taken: the
 * positive sign that a standby stays one because the leader renews.
 */
const TRIES_PAST_EXPIRY = LEASE_DURATION_MS / RETRY_PERIOD_MS + 2;

function elector(lease: string, identity: string, client = KubeClient.fromFile(inject('operatorKubeconfig'))) {
  clients.push(client);
  const e = new LeaderElector({
    kube: client, clock: systemClock, log: createLogger({ level: 'silent' }),
    namespace: 'aws-secrets-operator', name: lease, identity,
    leaseDurationMs: LEASE_DURATION_MS, renewDeadlineMs: 700, retryPeriodMs: RETRY_PERIOD_MS,
  });
  electors.push(e);
  const state = { started: false, stopped: false, done: undefined as Promise<void> | undefined };
  state.done = e.run(() => void (state.started = true), () => void (state.stopped = true));
  return { e, state, client };
}

/** Records the holder a replica finds on each read of the lease (one a try) through `client`. */
function leaseReads(client: KubeClient): string[] {
  const holders: string[] = [];
  const get = client.get.bind(client);
  client.get = async (...args: Parameters<KubeClient['get']>) => {
    const lease = await get(...args);
    holders.push(lease.spec?.holderIdentity ?? '');
    return lease;
  };
  return holders;
}

/** Replica B, started while replica A leads, once it has tried past a lease duration; with the holders it found. */
async function standbyPastExpiry(lease: string) {
  const client = KubeClient.fromFile(inject('operatorKubeconfig'));
  const holders = leaseReads(client);
  const b = elector(lease, 'replica-b', client);
  await eventually(async () => holders.length >= TRIES_PAST_EXPIRY, 'replica-b to try past a lease duration');
  return { ...b, holders };
}

describe('leader election', () => {
  it('one replica leads; the other takes over at once when the leader releases the lease', async () => {
    const lease = `le-release-${process.pid}`;
    const a = elector(lease, 'replica-a');
    await eventually(async () => a.state.started, 'replica-a to lead');
    const b = await standbyPastExpiry(lease);
    expect(b.state.started).toBe(false);
    expect(b.e.isLeader()).toBe(false);
    expect(new Set(b.holders)).toEqual(new Set(['replica-a']));
    await a.e.stop();
    await eventually(async () => b.state.started, 'replica-b to take over', 3_000);
    const held = await admin.get(`/apis/coordination.k8s.io/v1/namespaces/aws-secrets-operator/leases/${lease}`);
    expect(held.spec.holderIdentity).toBe('replica-b');
    expect(held.spec.leaseTransitions).toBe(0);
  });

  it('a leader that cannot renew steps down, and the lease is taken over after it expires', async () => {
    const lease = `le-expiry-${process.pid}`;
    const a = elector(lease, 'replica-a');
    await eventually(async () => a.state.started, 'replica-a to lead');
    const b = await standbyPastExpiry(lease);
    expect(b.state.started).toBe(false);
    expect(new Set(b.holders)).toEqual(new Set(['replica-a']));
    // Replica A loses the apiserver: its renewals fail from now on.
    await a.client.close();
    await eventually(async () => a.state.stopped, 'replica-a to step down', 3_000);
    await eventually(async () => b.state.started, 'replica-b to take over', 3_000);
    const held = await admin.get(`/apis/coordination.k8s.io/v1/namespaces/aws-secrets-operator/leases/${lease}`);
    expect(held.spec.holderIdentity).toBe('replica-b');
    expect(held.spec.leaseTransitions).toBe(1);
  });
});

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

function elector(lease: string, identity: string, client = KubeClient.fromFile(inject('operatorKubeconfig'))) {
  clients.push(client);
  const e = new LeaderElector({
    kube: client, clock: systemClock, log: createLogger({ level: 'silent' }),
    namespace: 'aws-secrets-operator', name: lease, identity,
    leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 100,
  });
  electors.push(e);
  const state = { started: false, stopped: false, done: undefined as Promise<void> | undefined };
  state.done = e.run(() => void (state.started = true), () => void (state.stopped = true));
  return { e, state, client };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leader election', () => {
  it('one replica leads; the other takes over at once when the leader releases the lease', async () => {
    const lease = `le-release-${process.pid}`;
    const a = elector(lease, 'replica-a');
    await eventually(async () => a.state.started, 'replica-a to lead');
    const b = elector(lease, 'replica-b');
    await pause(1_500);
    expect(b.state.started).toBe(false);
    expect(b.e.isLeader()).toBe(false);
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
    const b = elector(lease, 'replica-b');
    await pause(500);
    expect(b.state.started).toBe(false);
    // Replica A loses the apiserver: its renewals fail from now on.
    await a.client.close();
    await eventually(async () => a.state.stopped, 'replica-a to step down', 3_000);
    await eventually(async () => b.state.started, 'replica-b to take over', 3_000);
    const held = await admin.get(`/apis/coordination.k8s.io/v1/namespaces/aws-secrets-operator/leases/${lease}`);
    expect(held.spec.holderIdentity).toBe('replica-b');
    expect(held.spec.leaseTransitions).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalSecrets, secrets } from '../../src/kube/resources.ts';
import { secretIdsRead, seededRandom, type AwsProxy } from './aws-proxy.ts';
import { applyExternalSecret, awsName, createAwsSecrets, readyAs, storeNamespace } from './cases.ts';
import { decode, eventually, readyCondition, startHarnessBehindProxy, type Harness } from './harness.ts';

/**
 * AWS misbehaving for a while: half the value reads (GetSecretValue, BatchGetSecretValue) answered with a 500 or a throttling
 * error, the rest slowed down. A rotation made meanwhile must still reach every Secret, and no
 * Secret may lose data at any moment: a failed fetch keeps what was written.
 */
let h: Harness;
let proxy: AwsProxy;
const COUNT = 6;
/** The calls that read secret values: the fetch engine batches reads that arrive together. */
const VALUE_READS = ['GetSecretValue', 'BatchGetSecretValue'];

let peers: Awaited<ReturnType<typeof startHarnessBehindProxy>> | undefined;
beforeAll(async () => ({ h, proxy } = peers = await startHarnessBehindProxy()));
afterAll(async () => peers?.close());

/** Every version of every Secret in the namespace the apiserver reported, from a watch. */
async function recordSecrets(ns: string, seen: Array<{ type: string; name: string; data: Record<string, string> }>, signal: AbortSignal) {
  const list = await h.kube.get(secrets.path(ns));
  try {
    for await (const event of h.kube.watch(secrets.path(ns), { resourceVersion: list.metadata.resourceVersion }, signal)) {
      if (event.type === 'BOOKMARK') continue;
      seen.push({ type: event.type, name: event.object.metadata.name, data: decode(event.object.data) });
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

describe('AWS faults', () => {
  it('500s, throttling and slow answers delay a rotation but never empty a Secret', async () => {
    const ns = await storeNamespace(h, 'aws-faults');
    const keys = Array.from({ length: COUNT }, (_, i) => awsName(`db-${i}`));
    await createAwsSecrets(h, keys.map((name) => ({ name, string: JSON.stringify({ password: 'before' }) })));
    for (const [i, key] of keys.entries()) {
      await applyExternalSecret(h, ns, `es-${i}`, { data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] });
    }
    for (let i = 0; i < COUNT; i++) await readyAs(h, ns, `es-${i}`, 'True', 'SecretSynced');

    const seen: Array<{ type: string; name: string; data: Record<string, string> }> = [];
    const watching = new AbortController();
    const recorder = recordSecrets(ns, seen, watching.signal);
    proxy.chaos({
      actions: VALUE_READS,
      errorRate: 0.5,
      errors: [
        { code: 'InternalServiceError', message: 'An error occurred on the server side.', status: 500 },
        { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
      ],
      delayMs: 150,
      random: seededRandom(7),
    });
    try {
      const callsBefore = proxy.calls.length;
      for (const key of keys) await h.putAwsSecret(key, JSON.stringify({ password: 'after' }));
      for (let i = 0; i < COUNT; i++) {
        await h.kube.request('PATCH', externalSecrets.path(ns, `es-${i}`), {
          body: { metadata: { annotations: { 'force-sync': 'rotation' } } }, contentType: 'application/merge-patch+json',
        });
      }
      for (let i = 0; i < COUNT; i++) {
        await eventually(async () => decode((await h.secret(ns, `es-${i}`))?.data).password === 'after', `es-${i} to carry the rotated value`, 60_000);
        // Ready follows the last attempt; it ends True once the value is through.
        await eventually(async () => readyCondition(await h.externalSecret(ns, `es-${i}`))?.status === 'True', `es-${i} Ready=True`, 60_000);
      }
      // The faults really happened, and were retried past: more secrets asked for than there are.
      expect(VALUE_READS.reduce((n, action) => n + (proxy.injected.get(action) ?? 0), 0)).toBeGreaterThan(0);
      const asked = proxy.calls.slice(callsBefore).flatMap(secretIdsRead);
      expect(asked.filter((id: string) => keys.includes(id)).length).toBeGreaterThan(COUNT);
    } finally {
      proxy.chaos(undefined);
      watching.abort();
      await recorder;
    }
    // Every Secret the watch saw held a password, before or after: never none, and none was deleted.
    expect(seen.length).toBeGreaterThanOrEqual(COUNT);
    expect(seen.filter((s) => s.type === 'DELETED' || !['before', 'after'].includes(s.data.password ?? ''))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { OperatorError, reasonCodes, type ReasonCode } from '../../src/errors.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { Controller, type PrimarySource } from '../../src/kube/controller.ts';
import { objectKey, type InformerHandler, type KubeObject } from '../../src/kube/informer.ts';
import { ref, refFromKey, refKey, refOf } from '../../src/kube/object-ref.ts';
import {
  anyOf, deletionStarted, generationChanged, labelsChanged, ownerReferencesChanged, specOrMetadataChanged, type Change,
} from '../../src/kube/predicates.ts';
import * as resources from '../../src/kube/resources.ts';
import { createLogger } from '../../src/log.ts';

interface Thing extends KubeObject {
  kind: string;
  metadata: KubeObject['metadata'] & { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

/** An in-memory cache that emits what an Informer emits (the previous copy with a modification). */
class Cache<T extends KubeObject> implements PrimarySource<T> {
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly objects = new Map<string, T>();
  readonly resource: resources.ResourceType;

  constructor(resource: resources.ResourceType) {
    this.resource = resource;
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  put(object: T): void {
    const old = this.objects.get(objectKey(object));
    this.objects.set(objectKey(object), object);
    for (const handler of this.handlers) handler(old ? 'modified' : 'added', object, old);
  }

  remove(object: T): void {
    this.objects.delete(objectKey(object));
    for (const handler of this.handlers) handler('deleted', object);
  }
}

const thing = (kind: string, name: string, namespace: string | undefined, meta: Partial<Thing['metadata']> = {}): Thing =>
  ({ kind, metadata: { name, ...(namespace ? { namespace } : {}), generation: 1, ...meta } });
const es = (name: string, meta: Partial<Thing['metadata']> = {}) => thing('ExternalSecret', name, 'ns', meta);
const modified = <T>(old: T, object: T): Change<T> => ({ type: 'modified', object, old });
const settle = () => new Promise((r) => setImmediate(r));

/** A controller over in-memory caches, recording what it reconciles. */
function harness(reconcile: (object: Thing) => Promise<{ requeueAfter?: number }> = async () => ({})) {
  const clock = new ManualClock(0);
  const reconciled: string[] = [];
  const observed: Array<{ controller: string; name: string; seconds: number; error?: unknown }> = [];
  const controller = new Controller<Thing>({
    name: 'test', clock, log: createLogger({ level: 'silent' }), concurrency: 2,
    observe: (name, object, seconds, error) => observed.push({ controller: name, name: object.metadata.name, seconds, ...(error ? { error } : {}) }),
  });
  const run = async (object: Thing) => {
    reconciled.push(`${object.kind}/${object.metadata.name}`);
    return reconcile(object);
  };
  return { clock, reconciled, observed, controller: controller.reconciles(run) };
}

describe('predicates', () => {
  it('let creations and deletions through and filter modifications on what they name', () => {
    const before = es('a', { labels: { a: '1', b: '2' } });
    for (const p of [generationChanged, labelsChanged, specOrMetadataChanged, deletionStarted, ownerReferencesChanged]) {
      expect(p({ type: 'added', object: before })).toBe(true);
      expect(p({ type: 'deleted', object: before })).toBe(true);
      // A status write: same generation and metadata.
      expect(p(modified(before, { ...before, metadata: { ...before.metadata, resourceVersion: '2' } }))).toBe(false);
    }
    expect(generationChanged(modified(before, es('a', { generation: 2 })))).toBe(true);
    // Key order is not a change.
    expect(labelsChanged(modified(before, es('a', { labels: { b: '2', a: '1' } })))).toBe(false);
    expect(labelsChanged(modified(before, es('a', { labels: { a: '1' } })))).toBe(true);
    expect(labelsChanged(modified(es('a'), es('a', { labels: {} })))).toBe(false);
    expect(specOrMetadataChanged(modified(before, es('a', { labels: before.metadata.labels, annotations: { 'external-secrets.io/force-sync': '1' } })))).toBe(true);
    expect(deletionStarted(modified(before, es('a', { labels: before.metadata.labels, deletionTimestamp: '2026-01-01T00:00:00Z' })))).toBe(true);
    expect(ownerReferencesChanged(modified(before, es('a', { labels: before.metadata.labels, ownerReferences: [{ name: 'x' }] })))).toBe(true);
    expect(anyOf(generationChanged, labelsChanged)(modified(before, es('a', { labels: { c: '3' } })))).toBe(true);
  });
});

describe('ObjectRef', () => {
  it('reads back from its key exactly, with no namespace for a cluster-scoped object', () => {
    for (const r of [ref('SecretStore', 'aws', 'team-a'), ref('ClusterSecretStore', 'aws'), ref('ExternalSecret', 'a/b"c', 'ns')]) {
      expect(refFromKey(refKey(r))).toEqual(r);
    }
    expect(refOf(thing('ClusterSecretStore', 'aws', undefined))).toEqual({ kind: 'ClusterSecretStore', name: 'aws' });
    expect(refKey(ref('SecretStore', 'aws', 'x'))).not.toBe(refKey(ref('ClusterSecretStore', 'aws')));
  });
});

describe('Controller', () => {
  it('reconciles its kind on changes that pass the predicate, never on its own status writes', async () => {
    const h = harness();
    const cache = new Cache<Thing>(resources.externalSecrets);
    h.controller.for(cache, specOrMetadataChanged).start();
    const a = es('a');
    cache.put(a);
    await settle();
    cache.put({ ...a, status: { refreshTime: 'now' } } as Thing);
    await settle();
    cache.put(es('a', { generation: 2 }));
    await settle();
    expect(h.reconciled).toEqual(['ExternalSecret/a', 'ExternalSecret/a']);
  });

  it('maps a watched kind to the objects it concerns, and routes each reference to its own kind', async () => {
    const h = harness();
    const stores = new Cache<Thing>(resources.secretStores);
    const clusterStores = new Cache<Thing>(resources.clusterSecretStores);
    const secrets = new Cache<Thing>(resources.secrets);
    h.controller.for(stores).for(clusterStores)
      .watches(secrets, ({ object }) => [ref('ClusterSecretStore', object.metadata.labels!.store!)], labelsChanged);
    stores.put(thing('SecretStore', 'aws', 'ns'));
    clusterStores.put(thing('ClusterSecretStore', 'aws', undefined));
    h.controller.start();
    await settle();
    expect(h.reconciled.sort()).toEqual(['ClusterSecretStore/aws', 'SecretStore/aws']);

    h.reconciled.length = 0;
    const secret = thing('Secret', 's', 'ns', { labels: { store: 'aws' } });
    secrets.put(secret);
    await settle();
    secrets.put({ ...secret, metadata: { ...secret.metadata, resourceVersion: '9' } });
    await settle();
    expect(h.reconciled).toEqual(['ClusterSecretStore/aws']);
  });

  it('does not reconcile an object deleted before its turn, and runs the deletion hooks', async () => {
    const h = harness();
    const cache = new Cache<Thing>(resources.externalSecrets);
    const deleted: string[] = [];
    h.controller.for(cache).onDeleted((o) => deleted.push(o.metadata.name));
    const a = es('a');
    cache.put(a);
    cache.remove(a);
    h.controller.start();
    await h.controller.idle();
    expect(h.reconciled).toEqual([]);
    expect(deleted).toEqual(['a']);
  });

  it('retries a failure by the retry table of errors.ts: a retried code after its backoff, another not at all', async () => {
    const codes: Record<string, ReasonCode> = { throttled: 'AWSThrottled', invalid: 'InvalidSpec' };
    expect([reasonCodes.AWSThrottled.retry, reasonCodes.InvalidSpec.retry]).toEqual([true, false]);
    const h = harness(async (o) => {
      throw new OperatorError(codes[o.metadata.name]!, 'failed');
    });
    const cache = new Cache<Thing>(resources.externalSecrets);
    h.controller.for(cache).start();
    cache.put(es('throttled'));
    cache.put(es('invalid'));
    await h.controller.idle();
    expect(h.reconciled.sort()).toEqual(['ExternalSecret/invalid', 'ExternalSecret/throttled']);

    // The first retry comes after reconcileBackoff's first step (1 s, jittered by 20 %).
    h.clock.advance(1_200);
    await h.controller.idle();
    expect(h.reconciled.filter((r) => r.endsWith('/throttled'))).toHaveLength(2);
    h.clock.advance(3_600_000);
    await h.controller.idle();
    expect(h.reconciled.filter((r) => r.endsWith('/invalid'))).toHaveLength(1);
  });

  it('reports each reconcile it runs to its observer: how long on the injected clock, and the failure', async () => {
    const failure = new OperatorError('AWSThrottled', 'failed');
    let h: ReturnType<typeof harness>;
    h = harness(async (o) => {
      h.clock.advance(o.metadata.name === 'slow' ? 2_500 : 10);
      if (o.metadata.name === 'failing') throw failure;
      return {};
    });
    const cache = new Cache<Thing>(resources.externalSecrets);
    h.controller.for(cache).start();
    cache.put(es('slow'));
    await h.controller.idle();
    cache.put(es('failing'));
    await h.controller.idle();
    expect(h.observed).toEqual([
      { controller: 'test', name: 'slow', seconds: 2.5 },
      { controller: 'test', name: 'failing', seconds: 0.01, error: failure },
    ]);
  });

  it('retries at once, and names by reference, what failed in a way the caller matches', async () => {
    const h = harness(async (o) => {
      throw new OperatorError(o.metadata.name === 'api' ? 'KubernetesAPIError' : 'AWSAccessDenied', 'failed');
    });
    const cache = new Cache<Thing>(resources.clusterSecretStores);
    h.controller.for(cache).start();
    cache.put(thing('ClusterSecretStore', 'api', undefined));
    cache.put(thing('ClusterSecretStore', 'aws', undefined));
    await h.controller.idle();
    const retried = h.controller.retryFailedNow((error) => (error as OperatorError).code === 'KubernetesAPIError');
    expect(retried).toEqual([{ kind: 'ClusterSecretStore', name: 'api' }]);
    await h.controller.idle();
    expect(h.reconciled.filter((r) => r.endsWith('/api'))).toHaveLength(2);
    expect(h.reconciled.filter((r) => r.endsWith('/aws'))).toHaveLength(1);
  });
});

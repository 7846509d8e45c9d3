import { describe, expect, it } from 'vitest';
import type { ClusterExternalSecret, ExternalSecretSpec } from '../../src/api/generated.ts';
import {
  controllerClassFrom, servesClusterExternalSecret, servesExternalSecret, servesStore, storeRefsOf,
} from '../../src/controllers/controller-class.ts';
import type { AnyStore } from '../../src/controllers/secretstore/validate.ts';
import { Controller, type PrimarySource } from '../../src/kube/controller.ts';
import { objectKey, type InformerHandler, type KubeObject } from '../../src/kube/informer.ts';
import { ref, type ObjectRef } from '../../src/kube/object-ref.ts';
import * as resources from '../../src/kube/resources.ts';
import { createLogger } from '../../src/log.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const storeOf = (kind: 'SecretStore' | 'ClusterSecretStore', name: string, controller?: string, namespace?: string): AnyStore => ({
  apiVersion: 'external-secrets.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { ...(controller !== undefined ? { controller } : {}), provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
} as AnyStore);

/** A lookup over these stores, by reference. */
const lookup = (...stores: AnyStore[]) => (r: ObjectRef): AnyStore | undefined =>
  stores.find((s) => s.kind === r.kind && s.metadata.name === r.name && s.metadata.namespace === r.namespace);

describe('CONTROLLER_CLASS', () => {
  it('unset or empty: no class', () => {
    expect(controllerClassFrom(undefined)).toBeUndefined();
    expect(controllerClassFrom('')).toBeUndefined();
  });

  it('takes any class name a store can carry', () => {
    for (const name of ['aws', 'team-a/prod', 'Class_1.x', 'a'.repeat(253)]) expect(controllerClassFrom(name)).toBe(name);
  });

  it('refuses what is surely a typo, naming the setting', () => {
    for (const bad of [' aws', 'aws ', 'a\nb', 'a\tb', 'a'.repeat(254)]) {
      expect(() => controllerClassFrom(bad), JSON.stringify(bad)).toThrow(`CONTROLLER_CLASS ${JSON.stringify(bad)} is not a class name`);
    }
  });
});

describe('servesStore', () => {
  it("without a class, serves the stores without spec.controller only (ESO's default class)", () => {
    expect(servesStore(storeOf('SecretStore', 's'), undefined)).toBe(true);
    expect(servesStore(storeOf('SecretStore', 's', ''), undefined)).toBe(true);
    expect(servesStore(storeOf('SecretStore', 's', 'aws'), undefined)).toBe(false);
  });

  it('with a class, serves the stores naming exactly it, not the unclassed ones (ESO, beside it, serves those)', () => {
    expect(servesStore(storeOf('ClusterSecretStore', 's', 'aws'), 'aws')).toBe(true);
    expect(servesStore(storeOf('ClusterSecretStore', 's'), 'aws')).toBe(false);
    expect(servesStore(storeOf('ClusterSecretStore', 's', 'AWS'), 'aws')).toBe(false);
    expect(servesStore(storeOf('ClusterSecretStore', 's', 'other'), 'aws')).toBe(false);
  });
});

describe('storeRefsOf', () => {
  it('names secretStoreRef and every sourceRef.storeRef, SecretStores in the namespace given', () => {
    const spec = {
      secretStoreRef: { name: 'main' },
      data: [{ secretKey: 'a', remoteRef: { key: 'a' }, sourceRef: { storeRef: { name: 'other', kind: 'ClusterSecretStore' } } }, { secretKey: 'b', remoteRef: { key: 'b' } }],
      dataFrom: [{ sourceRef: { storeRef: { name: 'third', kind: 'SecretStore' } } }, { sourceRef: { generatorRef: { kind: 'Password', name: 'p' } } }],
    } as ExternalSecretSpec;
    expect(storeRefsOf(spec, 'team')).toEqual([ref('SecretStore', 'main', 'team'), ref('ClusterSecretStore', 'other'), ref('SecretStore', 'third', 'team')]);
  });
});

describe('servesExternalSecret', () => {
  const mine = storeOf('SecretStore', 'mine', 'aws', 'team');
  const eso = storeOf('SecretStore', 'eso', undefined, 'team');
  const stores = lookup(mine, eso, storeOf('ClusterSecretStore', 'shared', 'aws'));
  const refs = (...names: string[]) => names.map((n) => (n === 'shared' ? ref('ClusterSecretStore', n) : ref('SecretStore', n, 'team')));

  it('serves one whose stores are all of the class', () => {
    expect(servesExternalSecret(refs('mine'), stores, 'aws')).toBe(true);
    expect(servesExternalSecret(refs('mine', 'shared'), stores, 'aws')).toBe(true);
  });

  it('leaves one alone when any store it names is of another class, as ESO', () => {
    expect(servesExternalSecret(refs('eso'), stores, 'aws')).toBe(false);
    expect(servesExternalSecret(refs('mine', 'eso'), stores, 'aws')).toBe(false);
    expect(servesExternalSecret(refs('eso'), stores, undefined)).toBe(true);
    expect(servesExternalSecret(refs('mine'), stores, undefined)).toBe(false);
  });

  it('a missing store: served without a class (reported StoreNotFound, as ESO), left to ESO with one unless another store is of the class', () => {
    expect(servesExternalSecret(refs('missing'), stores, undefined)).toBe(true);
    expect(servesExternalSecret(refs('missing'), stores, 'aws')).toBe(false);
    expect(servesExternalSecret(refs('missing', 'mine'), stores, 'aws')).toBe(true);
    expect(servesExternalSecret([], stores, 'aws')).toBe(false);
  });
});

describe('servesClusterExternalSecret', () => {
  const ces = (secretStoreRef: { name: string; kind?: string }): ClusterExternalSecret => ({
    apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name: 'c' },
    spec: { externalSecretSpec: { secretStoreRef } as ExternalSecretSpec, namespaces: ['a', 'b'] },
  } as ClusterExternalSecret);
  const stores = lookup(
    storeOf('ClusterSecretStore', 'mine', 'aws'), storeOf('ClusterSecretStore', 'eso'),
    storeOf('SecretStore', 'per-ns', 'aws', 'a'), storeOf('SecretStore', 'per-ns', 'aws', 'b'),
    storeOf('SecretStore', 'mixed', 'aws', 'a'), storeOf('SecretStore', 'mixed', undefined, 'b'),
  );

  it('without a class, every one is served, as ESO whose ClusterExternalSecret controller ignores classes', () => {
    expect(servesClusterExternalSecret(ces({ name: 'eso', kind: 'ClusterSecretStore' }), ['a'], stores, undefined)).toBe(true);
    expect(servesClusterExternalSecret(ces({ name: 'mine', kind: 'ClusterSecretStore' }), ['a'], stores, undefined)).toBe(true);
  });

  it('with a class, by the ClusterSecretStore its template names, whatever the namespaces', () => {
    expect(servesClusterExternalSecret(ces({ name: 'mine', kind: 'ClusterSecretStore' }), ['a'], stores, 'aws')).toBe(true);
    expect(servesClusterExternalSecret(ces({ name: 'mine', kind: 'ClusterSecretStore' }), [], stores, 'aws')).toBe(true);
    expect(servesClusterExternalSecret(ces({ name: 'eso', kind: 'ClusterSecretStore' }), ['a'], stores, 'aws')).toBe(false);
    expect(servesClusterExternalSecret(ces({ name: 'gone', kind: 'ClusterSecretStore' }), ['a'], stores, 'aws')).toBe(false);
  });

  it('with a class, by the SecretStores of that name in the selected namespaces: one at least, none of another class', () => {
    expect(servesClusterExternalSecret(ces({ name: 'per-ns' }), ['a', 'b', 'c'], stores, 'aws')).toBe(true);
    expect(servesClusterExternalSecret(ces({ name: 'mixed' }), ['a'], stores, 'aws')).toBe(true);
    expect(servesClusterExternalSecret(ces({ name: 'mixed' }), ['a', 'b'], stores, 'aws')).toBe(false);
    expect(servesClusterExternalSecret(ces({ name: 'per-ns' }), ['c'], stores, 'aws')).toBe(false);
  });
});

interface Thing extends KubeObject { kind: string; served: boolean }

/** A one-object cache, enough to queue and read back a Thing. */
class OneCache implements PrimarySource<Thing> {
  readonly resource = resources.externalSecrets;
  private readonly handlers: InformerHandler<Thing>[] = [];
  private readonly objects = new Map<string, Thing>();
  on(handler: InformerHandler<Thing>): void {
    this.handlers.push(handler);
  }
  get(key: string): Thing | undefined {
    return this.objects.get(key);
  }
  put(object: Thing): void {
    const old = this.objects.get(objectKey(object));
    this.objects.set(objectKey(object), object);
    for (const handler of this.handlers) handler(old ? 'modified' : 'added', object, old);
  }
}

describe('Controller.serves', () => {
  it('does not reconcile an object it does not serve, judged on the object as it is when its turn comes', async () => {
    const cache = new OneCache();
    const reconciled: string[] = [];
    const controller = new Controller<Thing>({ name: 't', clock: new ManualClock(0), log: createLogger({ level: 'silent' }), concurrency: 1 })
      .for(cache)
      .serves((t) => t.served)
      .reconciles(async (t) => {
        reconciled.push(t.metadata.name);
        return {};
      });
    controller.start();
    const thing = (served: boolean, rv: string): Thing => ({ kind: 'ExternalSecret', served, metadata: { name: 'x', namespace: 'ns', resourceVersion: rv } });
    cache.put(thing(false, '1'));
    await controller.idle();
    expect(reconciled).toEqual([]);
    // Now served (its store moved to the class): queued again, it is reconciled.
    cache.put(thing(true, '2'));
    await controller.idle();
    expect(reconciled).toEqual(['x']);
    controller.stop();
  });
});

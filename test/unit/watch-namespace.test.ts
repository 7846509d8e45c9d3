import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { informersOf } from '../../src/controllers/caches.ts';
import { watchNamespaceFrom } from '../../src/controllers/watch-namespace.ts';
import { KubeClient } from '../../src/kube/client.ts';
import * as resources from '../../src/kube/resources.ts';
import { createLogger } from '../../src/log.ts';
import { Operator } from '../../src/operator.ts';

describe('WATCH_NAMESPACE', () => {
  it('unset or empty: the whole cluster', () => {
    expect(watchNamespaceFrom(undefined)).toBeUndefined();
    expect(watchNamespaceFrom('')).toBeUndefined();
  });

  it('takes a namespace name (a DNS-1123 label, up to 63 characters)', () => {
    for (const name of ['team-a', 'a', '0', 'x1-2-y', 'a'.repeat(63)]) expect(watchNamespaceFrom(name)).toBe(name);
  });

  it('refuses anything else, with a message naming the setting and the rule', () => {
    for (const bad of ['Team', 'team_a', '-team', 'team-', 'team.a', ' team', 'team ', 'a,b', 'a'.repeat(64), '*']) {
      expect(() => watchNamespaceFrom(bad), bad).toThrow(`WATCH_NAMESPACE ${JSON.stringify(bad)} is not a namespace name: a DNS-1123 label`);
    }
  });
});

describe('inNamespace', () => {
  it("lists and watches a namespaced kind in one namespace; an object's path is unchanged", () => {
    const scoped = resources.inNamespace(resources.externalSecrets, 'team-a');
    expect(scoped.listPath()).toBe('/apis/external-secrets.io/v1/namespaces/team-a/externalsecrets');
    expect(resources.inNamespace(resources.secrets, 'team-a').listPath()).toBe('/api/v1/namespaces/team-a/secrets');
    expect(scoped.path('team-a', 'db', 'status')).toBe(resources.externalSecrets.path('team-a', 'db', 'status'));
    expect(scoped.kind).toBe('ExternalSecret');
  });

  it('refuses a cluster-scoped kind', () => {
    expect(() => resources.inNamespace(resources.clusterSecretStores, 'team-a')).toThrow('ClusterSecretStore is cluster-scoped');
  });
});

/** An apiserver with nothing in it, recording each path the operator lists or watches; watches stay open. */
const servers: Server[] = [];
const operators: Operator[] = [];
afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.stop()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function emptyApiserver(): Promise<{ kube: KubeClient; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    paths.push(`${req.method} ${url.pathname}${url.searchParams.get('watch') === 'true' ? ' (watch)' : ''}`);
    res.setHeader('content-type', 'application/json');
    if (url.searchParams.get('watch') === 'true') res.flushHeaders();
    else res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kube = new KubeClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, insecureSkipTlsVerify: true });
  return { kube, paths };
}

async function started(watchNamespace?: string, allowGenericTargets?: boolean): Promise<{ operator: Operator; paths: string[] }> {
  const { kube, paths } = await emptyApiserver();
  const operator = new Operator({ kube, log: createLogger({ level: 'silent' }), watchNamespace, allowGenericTargets });
  operators.push(operator);
  expect(operator.isReady()).toBe(false);
  await operator.start();
  // Every informer has listed and opened its watch.
  const informers = informersOf(operator.caches).length;
  const deadline = Date.now() + 10_000;
  while (paths.filter((p) => p.endsWith('(watch)')).length < informers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return { operator, paths: [...new Set(paths)].sort() };
}

describe('the operator per scope', () => {
  it('watching one namespace: only its ExternalSecrets, SecretStores and managed Secrets, no cluster-scoped kind or controller, and ready once those synced', async () => {
    const { operator, paths } = await started('team-a');
    expect(operator.caches.cluster).toBeUndefined();
    expect(operator.controllers.map((c) => c.name)).toEqual(['externalsecret', 'secretstore']);
    expect(operator.isReady()).toBe(true);
    // The discovery of PushSecret's API version (this apiserver serves no PushSecret, so none is watched).
    expect(paths).toEqual([
      'GET /api/v1/namespaces/team-a/secrets',
      'GET /api/v1/namespaces/team-a/secrets (watch)',
      'GET /apis/external-secrets.io/v1/namespaces/team-a/externalsecrets',
      'GET /apis/external-secrets.io/v1/namespaces/team-a/externalsecrets (watch)',
      'GET /apis/external-secrets.io/v1/namespaces/team-a/secretstores',
      'GET /apis/external-secrets.io/v1/namespaces/team-a/secretstores (watch)',
      'GET /apis/external-secrets.io/v1alpha1',
    ]);
  });

  it('unset: the whole cluster, with the cluster-scoped kinds, the ClusterExternalSecret controller and the one for ESO\'s Namespace finalizers', async () => {
    const { operator, paths } = await started();
    expect(operator.controllers.map((c) => c.name)).toEqual(['externalsecret', 'secretstore', 'clusterexternalsecret', 'eso-namespace-finalizers']);
    expect(operator.isReady()).toBe(true);
    expect(paths.filter((p) => !p.endsWith('(watch)'))).toEqual([
      'GET /api/v1/namespaces',
      'GET /api/v1/secrets',
      'GET /apis/external-secrets.io/v1/clusterexternalsecrets',
      'GET /apis/external-secrets.io/v1/clustersecretstores',
      'GET /apis/external-secrets.io/v1/externalsecrets',
      'GET /apis/external-secrets.io/v1/secretstores',
      'GET /apis/external-secrets.io/v1alpha1',
    ]);
  });

  it('generic targets allowed: the managed ConfigMaps are listed and watched too, through the managed label (by default no ConfigMap request is made)', async () => {
    const { operator, paths } = await started(undefined, true);
    expect(operator.caches.managedConfigMaps).toBeDefined();
    expect(paths.filter((p) => p.includes('configmaps'))).toEqual([
      'GET /api/v1/configmaps',
      'GET /api/v1/configmaps (watch)',
    ]);
    const { paths: scoped } = await started('team-a', true);
    expect(scoped.filter((p) => p.includes('configmaps'))).toEqual([
      'GET /api/v1/namespaces/team-a/configmaps',
      'GET /api/v1/namespaces/team-a/configmaps (watch)',
    ]);
  });
});

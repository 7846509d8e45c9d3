import { describe, expect, it } from 'vitest';
import type { ClusterExternalSecret, ExternalSecret } from '../../src/api/generated.ts';
import { ANNOTATION_FORCE_SYNC, controllingCes, desiredExternalSecret, ownerReference, sameExternalSecret } from '../../src/controllers/clusterexternalsecret/external-secret.ts';
import { compileSelector, SelectorError } from '../../src/kube/label-selector.ts';
import { selectedNamespaces, selectsNamespace, type NamespaceInfo } from '../../src/controllers/clusterexternalsecret/namespaces.ts';
import { externalSecretName, refreshTimeMs } from '../../src/controllers/clusterexternalsecret/spec.ts';
import { NAMESPACES_FAILED, nextStatus, statusPatch } from '../../src/controllers/clusterexternalsecret/status.ts';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const spec = { secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' as const }, data: [{ secretKey: 'k', remoteRef: { key: 'app/db' } }] };

function ces(extra: Partial<ClusterExternalSecret['spec']> = {}, metadata: Partial<ClusterExternalSecret['metadata']> = {}): ClusterExternalSecret {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterExternalSecret',
    metadata: { name: 'shared', uid: 'ces-uid', generation: 1, ...metadata },
    spec: { externalSecretSpec: structuredClone(spec), ...extra },
  };
}
const ns = (name: string, labels?: Record<string, string>, terminating = false): NamespaceInfo =>
  ({ metadata: { name, labels, ...(terminating ? { deletionTimestamp: '2026-11-27T09:00:00Z' } : {}) } });
const names = (list: NamespaceInfo[]) => list.map((n) => n.metadata.name);

describe('compileSelector', () => {
  it('ANDs matchLabels and matchExpressions; an empty selector matches everything', () => {
    const m = compileSelector({ matchLabels: { team: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] });
    expect(m({ team: 'a', env: 'prod' })).toBe(true);
    expect(m({ team: 'a', env: 'dev' })).toBe(false);
    expect(m({ env: 'prod' })).toBe(false);
    expect(compileSelector({})({})).toBe(true);
  });

  it('implements NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    expect(compileSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] })({})).toBe(true);
    expect(compileSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] })({ env: 'prod' })).toBe(false);
    expect(compileSelector({ matchExpressions: [{ key: 'env', operator: 'Exists' }] })({ env: '' })).toBe(true);
    expect(compileSelector({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] })({ env: '' })).toBe(false);
  });

  it('rejects what the apiserver rejects', () => {
    expect(() => compileSelector({ matchExpressions: [{ key: 'env', operator: 'Equals', values: ['x'] }] })).toThrow(SelectorError);
    expect(() => compileSelector({ matchExpressions: [{ key: 'env', operator: 'In', values: [] }] })).toThrow(/at least one value/);
    expect(() => compileSelector({ matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }] })).toThrow(/takes no values/);
    expect(() => compileSelector({ matchLabels: { 'bad key!': 'x' } })).toThrow(/invalid label key/);
    expect(() => compileSelector({ matchLabels: { 'example.com/team': 'x y' } })).toThrow(/invalid label value/);
    expect(() => compileSelector({ matchLabels: { 'example.com/team': '' } })).not.toThrow();
  });
});

describe('selectedNamespaces', () => {
  const all = [ns('c', { team: 'a' }), ns('a', { team: 'b' }), ns('b', { env: 'prod' }), ns('d')];

  it('ORs namespaceSelectors, the deprecated namespaceSelector and namespaces, sorted and without duplicates', () => {
    const c = ces({
      namespaceSelector: { matchLabels: { team: 'a' } },
      namespaceSelectors: [{ matchLabels: { env: 'prod' } }, { matchLabels: { team: 'a' } }],
      namespaces: ['d'],
    });
    expect(names(selectedNamespaces(c, all))).toEqual(['b', 'c', 'd']);
  });

  it('selects nothing without selectors, everything with an empty selector', () => {
    expect(selectedNamespaces(ces(), all)).toEqual([]);
    expect(names(selectedNamespaces(ces({ namespaceSelectors: [{}] }), all))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('throws SelectorError for an invalid selector', () => {
    expect(() => selectedNamespaces(ces({ namespaceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Nope' }] }] }), all)).toThrow(SelectorError);
  });

  it('selectsNamespace routes events and treats an invalid selector as selecting nothing', () => {
    const c = ces({ namespaceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Nope' }] }, { matchLabels: { team: 'a' } }], namespaces: ['x'] });
    expect(selectsNamespace(c, ns('c', { team: 'a' }))).toBe(true);
    expect(selectsNamespace(c, ns('x'))).toBe(true);
    expect(selectsNamespace(c, ns('a', { team: 'b' }))).toBe(false);
  });
});

describe('spec defaults', () => {
  it('names the ExternalSecret after the ClusterExternalSecret unless externalSecretName is set', () => {
    expect(externalSecretName(ces())).toBe('shared');
    expect(externalSecretName(ces({ externalSecretName: 'db' }))).toBe('db');
  });

  it('re-evaluates hourly by default (ESO), at refreshTime otherwise, never for 0', () => {
    expect(refreshTimeMs(ces())).toBe(3_600_000);
    expect(refreshTimeMs(ces({ refreshTime: '1m' }))).toBe(60_000);
    expect(refreshTimeMs(ces({ refreshTime: '0' }))).toBe(0);
    expect(refreshTimeMs(ces({ refreshTime: 'soon' }))).toBe(3_600_000);
  });
});

describe('desiredExternalSecret', () => {
  it('has the name, metadata, spec and controller owner ESO gives it', () => {
    const c = ces({ externalSecretName: 'db', externalSecretMetadata: { labels: { app: 'x' }, annotations: { note: 'y' } } });
    const es = desiredExternalSecret(c, 'team-a');
    expect(es).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: 'db',
        namespace: 'team-a',
        labels: { app: 'x' },
        annotations: { note: 'y' },
        ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', name: 'shared', uid: 'ces-uid', controller: true, blockOwnerDeletion: true }],
      },
      spec,
    });
    expect(controllingCes(es)).toBe('shared');
    es.spec.data![0]!.secretKey = 'changed';
    expect(c.spec.externalSecretSpec.data![0]!.secretKey).toBe('k');
  });

  it('mirrors the force-sync annotation of the ClusterExternalSecret, and removes it when the CES has none', () => {
    const forced = desiredExternalSecret(ces({}, { annotations: { [ANNOTATION_FORCE_SYNC]: '42', other: 'not copied' } }), 'n');
    expect(forced.metadata.annotations).toEqual({ [ANNOTATION_FORCE_SYNC]: '42' });
    const plain = desiredExternalSecret(ces({ externalSecretMetadata: { annotations: { [ANNOTATION_FORCE_SYNC]: 'x', keep: '1' } } }), 'n');
    expect(plain.metadata.annotations).toEqual({ keep: '1' });
  });

  it('over a live object: replaces labels, annotations and spec, keeps other owners and server fields, drops status', () => {
    const live: ExternalSecret = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: 'shared', namespace: 'n', uid: 'es-uid', resourceVersion: '7', labels: { stale: '1' }, annotations: { old: '1' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' },
          { apiVersion: 'external-secrets.io/v1beta1', kind: 'ClusterExternalSecret', name: 'shared', uid: 'old-uid', controller: true },
        ],
      },
      spec: { secretStoreRef: { name: 'other' } },
      status: { refreshTime: '2026-11-27T09:00:00Z' },
    };
    const next = desiredExternalSecret(ces(), 'n', live);
    expect(next.metadata.resourceVersion).toBe('7');
    expect(next.metadata.uid).toBe('es-uid');
    expect(next.metadata.labels).toBeUndefined();
    expect(next.metadata.annotations).toBeUndefined();
    expect(next.metadata.ownerReferences).toEqual([live.metadata.ownerReferences![0], ownerReference(ces())]);
    expect(next.spec).toEqual(spec);
    expect(next).not.toHaveProperty('status');
    expect(sameExternalSecret(live, next)).toBe(false);
    expect(sameExternalSecret({ ...next, status: { refreshTime: 'x' } }, desiredExternalSecret(ces(), 'n', next))).toBe(true);
  });

  it('controllingCes: only a controller reference to a ClusterExternalSecret of the API group counts', () => {
    const with_ = (refs: any[]): ExternalSecret => ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', ownerReferences: refs }, spec: {} });
    expect(controllingCes(with_([{ apiVersion: 'external-secrets.io/v1beta1', kind: 'ClusterExternalSecret', name: 'a', uid: 'u', controller: true }]))).toBe('a');
    expect(controllingCes(with_([{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', name: 'a', uid: 'u' }]))).toBeUndefined();
    expect(controllingCes(with_([{ apiVersion: 'example.com/v1', kind: 'ClusterExternalSecret', name: 'a', uid: 'u', controller: true }]))).toBeUndefined();
    expect(controllingCes(with_([]))).toBeUndefined();
  });
});

describe('nextStatus', () => {
  it('all provisioned: Ready=True, provisionedNamespaces sorted, no failedNamespaces', () => {
    const s = nextStatus(ces(), { externalSecretName: 'shared', provisioned: ['b', 'a'], failed: new Map() }, T0);
    expect(s).toEqual({
      externalSecretName: 'shared',
      provisionedNamespaces: ['a', 'b'],
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'ExternalSecret provisioned in 2 namespaces', lastTransitionTime: '2026-11-27T10:00:00Z' }],
    });
  });

  it('some failed: PartiallyReady; all failed: NotReady; with ESO message and sorted failures', () => {
    const failed = new Map([['z', 'ExternalSecretNotOwned: x'], ['c', 'KubernetesAPIError: y']]);
    const partial = nextStatus(ces(), { externalSecretName: 's', provisioned: ['a'], failed }, T0);
    expect(partial.failedNamespaces).toEqual([{ namespace: 'c', reason: 'KubernetesAPIError: y' }, { namespace: 'z', reason: 'ExternalSecretNotOwned: x' }]);
    expect(partial.conditions).toEqual([expect.objectContaining({ status: 'False', reason: 'PartiallyReady', message: NAMESPACES_FAILED })]);
    const none = nextStatus(ces(), { externalSecretName: 's', provisioned: [], failed }, T0);
    expect(none.conditions).toEqual([expect.objectContaining({ status: 'False', reason: 'NotReady' })]);
    expect(none).not.toHaveProperty('provisionedNamespaces');
  });

  it('keeps lastTransitionTime while the status holds, moves it when it flips', () => {
    const c = ces();
    c.status = nextStatus(c, { externalSecretName: 's', provisioned: ['a'], failed: new Map() }, T0);
    const same = nextStatus(c, { externalSecretName: 's', provisioned: ['a'], failed: new Map() }, T0 + 60_000);
    expect(same).toEqual(c.status);
    const flipped = nextStatus(c, { externalSecretName: 's', provisioned: [], failed: new Map([['a', 'x']]) }, T0 + 60_000);
    expect(flipped.conditions![0]!.lastTransitionTime).toBe('2026-11-27T10:01:00Z');
  });

  it('the status patch clears what the status no longer has', () => {
    expect(statusPatch({ externalSecretName: 's', conditions: [] })).toEqual({
      status: { externalSecretName: 's', provisionedNamespaces: null, failedNamespaces: null, conditions: [] },
    });
  });
});

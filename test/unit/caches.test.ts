import { describe, expect, it } from 'vitest';
import { namespaceAsRead } from '../../src/controllers/caches.ts';

describe('the Namespace cache', () => {
  it("keeps a Namespace's name, labels, other annotations and deletionTimestamp, without kubectl's last-applied copy or managedFields", () => {
    const ns = namespaceAsRead({
      metadata: {
        name: 'team', labels: { env: 'prod' }, deletionTimestamp: '2030-01-01T00:00:00Z',
        annotations: { owner: 'ann', 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1"}' },
        managedFields: [{ manager: 'kubectl' }],
      },
    } as any);
    expect(ns).toEqual({ metadata: { name: 'team', labels: { env: 'prod' }, deletionTimestamp: '2030-01-01T00:00:00Z', annotations: { owner: 'ann' } } });
  });
});

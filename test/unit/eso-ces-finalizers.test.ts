import { describe, expect, it } from 'vitest';
import type { ClusterExternalSecret } from '../../src/api/generated.ts';
import { cesNamesHeldBy, ESO_CES_FINALIZER, holdsEsoCesFinalizer, namespaceFinalizerOf } from '../../src/controllers/clusterexternalsecret/eso-finalizers.ts';

const ces = (finalizers?: string[]) => ({ metadata: { name: 'shared', finalizers }, spec: {} }) as ClusterExternalSecret;

describe("ESO's ClusterExternalSecret finalizers", () => {
  it('are the names ESO 2.x writes: one on the ClusterExternalSecret, one per ClusterExternalSecret on each Namespace', () => {
    expect(ESO_CES_FINALIZER).toBe('externalsecrets.external-secrets.io/clusterexternalsecret-cleanup');
    expect(namespaceFinalizerOf('db-shared')).toBe('externalsecrets.external-secrets.io/ces-db-shared');
    expect(holdsEsoCesFinalizer(ces(['example.com/x', ESO_CES_FINALIZER]))).toBe(true);
    expect(holdsEsoCesFinalizer(ces(['example.com/x']))).toBe(false);
    expect(holdsEsoCesFinalizer(ces())).toBe(false);
  });

  it("read back from a Namespace's finalizers: the ClusterExternalSecret names, and nothing of other controllers", () => {
    expect(cesNamesHeldBy([
      'kubernetes', namespaceFinalizerOf('a'), 'example.com/ces-b', 'externalsecrets.external-secrets.io/externalsecret-cleanup',
      namespaceFinalizerOf('with.dots-and-dashes'), ESO_CES_FINALIZER,
    ])).toEqual(['a', 'with.dots-and-dashes']);
    expect(cesNamesHeldBy(undefined)).toEqual([]);
  });
});

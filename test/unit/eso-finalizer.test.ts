import { describe, expect, it } from 'vitest';
import type { ExternalSecret } from '../../src/api/generated.ts';
import { cleanupDeletesTarget, ESO_CLEANUP_FINALIZER, holdsEsoFinalizer } from '../../src/controllers/externalsecret/eso-finalizer.ts';

const es = (target: Record<string, unknown>, finalizers?: string[]): ExternalSecret => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'es', namespace: 'ns', uid: 'u1', finalizers },
  spec: { secretStoreRef: { name: 'aws' }, target, data: [{ secretKey: 'a', remoteRef: { key: 'k' } }] },
} as ExternalSecret);

describe("ESO's cleanup finalizer", () => {
  it('is the name ESO 2.x writes', () => {
    expect(ESO_CLEANUP_FINALIZER).toBe('externalsecrets.external-secrets.io/externalsecret-cleanup');
    expect(holdsEsoFinalizer(es({}, ['example.com/x', ESO_CLEANUP_FINALIZER]))).toBe(true);
    expect(holdsEsoFinalizer(es({}, ['example.com/x']))).toBe(false);
    expect(holdsEsoFinalizer(es({}))).toBe(false);
  });

  it.each<[Record<string, string>, boolean, string]>([
    [{}, false, 'Retain (the default): the garbage collector removes an owned Secret'],
    [{ deletionPolicy: 'Retain' }, false, 'Retain'],
    [{ deletionPolicy: 'Merge' }, false, 'Merge'],
    [{ deletionPolicy: 'Delete' }, true, 'Delete with creationPolicy Owner (the default)'],
    [{ deletionPolicy: 'Delete', creationPolicy: 'Owner' }, true, 'Delete with Owner'],
    [{ deletionPolicy: 'Delete', creationPolicy: 'Orphan' }, false, 'Delete with Orphan: the Secret is not the ExternalSecret\'s'],
  ])('deletes the target for %j: %s (%s)', (target, deletes, _why) => {
    expect(cleanupDeletesTarget(es(target, [ESO_CLEANUP_FINALIZER]))).toBe(deletes);
  });

  it('keeps the target when the deletion asked to orphan the dependents (kubectl delete --cascade=orphan)', () => {
    expect(cleanupDeletesTarget(es({ deletionPolicy: 'Delete' }, ['orphan', ESO_CLEANUP_FINALIZER]))).toBe(false);
  });
});

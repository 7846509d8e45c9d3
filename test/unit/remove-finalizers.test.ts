import { describe, expect, it } from 'vitest';
import { orphansDependents, removeFinalizersPatch } from '../../src/kube/remove-finalizers.ts';

const ESO = 'externalsecrets.external-secrets.io/externalsecret-cleanup';

describe('removeFinalizersPatch', () => {
  it('takes one entry off by its index, guarded by a test of that entry, leaving the others where they are', () => {
    expect(removeFinalizersPatch(['example.com/a', ESO, 'example.com/b'], [ESO])).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: ESO },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizersPatch([ESO], [ESO])).toEqual([
      { op: 'test', path: '/metadata/finalizers/0', value: ESO },
      { op: 'remove', path: '/metadata/finalizers/0' },
    ]);
  });

  it('takes several off: every index tested first, then removed from the last down so each still points where it did', () => {
    const list = ['ns/ces-a', 'kubernetes.io/x', 'ns/ces-b', 'ns/ces-c'];
    const patch = removeFinalizersPatch(list, ['ns/ces-c', 'ns/ces-a']);
    expect(patch).toEqual([
      { op: 'test', path: '/metadata/finalizers/0', value: 'ns/ces-a' },
      { op: 'test', path: '/metadata/finalizers/3', value: 'ns/ces-c' },
      { op: 'remove', path: '/metadata/finalizers/3' },
      { op: 'remove', path: '/metadata/finalizers/0' },
    ]);
    // Applied in order, the removals leave exactly the others, in their order.
    const after = [...list];
    for (const op of patch) if (op.op === 'remove') after.splice(Number(op.path.split('/').pop()), 1);
    expect(after).toEqual(['kubernetes.io/x', 'ns/ces-b']);
  });

  it('refuses to build a patch that removes nothing', () => {
    expect(() => removeFinalizersPatch(['example.com/a'], [ESO])).toThrow(/none of .* is among the finalizers/);
    expect(() => removeFinalizersPatch([], [ESO])).toThrow(/none of/);
  });
});

describe('orphansDependents', () => {
  it("is the garbage collector's orphan finalizer, put there by kubectl delete --cascade=orphan", () => {
    expect(orphansDependents({ finalizers: ['orphan', ESO] })).toBe(true);
    expect(orphansDependents({ finalizers: ['foregroundDeletion', ESO] })).toBe(false);
    expect(orphansDependents({})).toBe(false);
  });
});

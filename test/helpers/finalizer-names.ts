/**
 * Finalizer names, and whether the apiserver accepts them in a Secret's metadata.finalizers.
 * test/unit/finalizers.test.ts checks sync/finalizers.ts against it, and
 * test/integration/target.test.ts checks it against the real apiserver: so our check agrees
 * with the apiserver, not only with our reading of its source.
 */
export const finalizerNames: Array<[name: string, accepted: boolean]> = [
  ['example.com/cleanup', true],
  ['actions.github.com/cleanup-protection', true],
  ['kubernetes', true],
  ['orphan', true],
  ['foregroundDeletion', true],
  ['example.com/MyName', true],
  ['x/my.name_1', true],
  ['Kubernetes', false],
  ['foregrounddeletion', false],
  ['MyName', false],
  ['my.name_1', false],
  ['a', false],
  ['a.b-c.example/Z', true],
  [`example.com/${'n'.repeat(63)}`, true],
  [`${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(61)}/n`, true],
  ['', false],
  ['/cleanup', false],
  ['example.com/', false],
  ['example.com/a/b', false],
  ['Example.com/cleanup', false],
  ['example_com/cleanup', false],
  ['-example.com/cleanup', false],
  ['example.com/-cleanup', false],
  ['example.com/cleanup-', false],
  ['example.com/clean up', false],
  ['example.com/cleanup\n', false],
  ['example.com/clean:up', false],
  ['example.com/naïve', false],
  [`example.com/${'n'.repeat(64)}`, false],
  [`${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(62)}/n`, false],
  ['..example.com/n', false],
];

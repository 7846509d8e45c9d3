import { describe, expect, it } from 'vitest';
import type { ExternalSecretSpec } from '../../src/api/generated.ts';
import { unsupportedFields } from '../../src/sync/unsupported.ts';

const spec = (target: ExternalSecretSpec['target']): ExternalSecretSpec =>
  ({ secretStoreRef: { name: 's' }, data: [{ secretKey: 'k', remoteRef: { key: 'x' } }], target } as ExternalSecretSpec);

describe('unsupportedFields', () => {
  it('reports finalizers for the target Secret (accepted by the schema, as by ESO, but not written): never silently ignored', () => {
    expect(unsupportedFields(spec({ template: { metadata: { finalizers: ['example.com/keep'] } } }))).toEqual(['spec.target.template.metadata.finalizers']);
    expect(unsupportedFields(spec({ template: { metadata: { finalizers: [], labels: { a: 'b' } } } }))).toEqual([]);
  });
});

import type { ExternalSecretSpec } from '../api/generated.ts';

/**
 * Fields of ESO's ExternalSecret that this operator accepts in its schema but does
 * not implement. Each is reported by path in the Ready condition rather than
 * silently ignored, so nobody gets a Secret that differs from what ESO would write.
 * `sourceRef.storeRef` is implemented (sync/entry-store.ts), and so is
 * `dataFrom[].sourceRef.generatorRef` (src/generators/). `data[].sourceRef.generatorRef` is not:
 * ESO's own API marks it deprecated and not implemented there.
 */
export function unsupportedFields(spec: ExternalSecretSpec): string[] {
  const found: string[] = [];
  (spec.data ?? []).forEach((item, i) => {
    const ref = item.sourceRef?.generatorRef;
    if (ref) {
      found.push(`spec.data[${i}].sourceRef.generatorRef (${ref.kind} "${ref.name}": a generator cannot fill one key of spec.data, as in ESO, where it is deprecated and not implemented; use spec.dataFrom[].sourceRef.generatorRef)`);
    }
  });
  return found;
}

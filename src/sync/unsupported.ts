import type { ExternalSecretSpec, GeneratorRef } from '../api/generated.ts';

/**
 * Fields of ESO's ExternalSecret that this operator accepts in its schema but does
 * not implement. Each is reported by path in the Ready condition rather than
 * silently ignored, so nobody gets a Secret that differs from what ESO would write.
 * `sourceRef.storeRef` is implemented (sync/entry-store.ts); `sourceRef.generatorRef`,
 * ESO's generators, is not.
 */
export function unsupportedFields(spec: ExternalSecretSpec): string[] {
  const found: string[] = [];
  const generator = (at: string, ref: GeneratorRef): string => `${at}.sourceRef.generatorRef (generators are not implemented: ${ref.kind} "${ref.name}")`;
  (spec.dataFrom ?? []).forEach((entry, i) => {
    if (entry.sourceRef?.generatorRef) found.push(generator(`spec.dataFrom[${i}]`, entry.sourceRef.generatorRef));
  });
  (spec.data ?? []).forEach((item, i) => {
    if (item.sourceRef?.generatorRef) found.push(generator(`spec.data[${i}]`, item.sourceRef.generatorRef));
  });
  return found;
}

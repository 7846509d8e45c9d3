import type { ExternalSecretSpec } from '../api/generated.ts';

/**
 * Fields of ESO's ExternalSecret that this operator accepts in its schema but does
 * not implement. Each is reported by path in the Ready condition rather than
 * silently ignored, so nobody gets a Secret that differs from what ESO would write.
 */
export function unsupportedFields(spec: ExternalSecretSpec): string[] {
  const found: string[] = [];
  (spec.dataFrom ?? []).forEach((entry, i) => {
    const at = `spec.dataFrom[${i}]`;
    if (entry.sourceRef) found.push(`${at}.sourceRef`);
  });
  (spec.data ?? []).forEach((item, i) => {
    if (item.sourceRef) found.push(`spec.data[${i}].sourceRef`);
  });
  return found;
}

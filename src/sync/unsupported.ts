import type { ExternalSecretSpec } from '../api/generated.ts';

/**
 * Fields of ESO's ExternalSecret that this operator accepts in its schema but does
 * not implement. Each is reported by path in the Ready condition rather than
 * silently ignored, so nobody gets a Secret that differs from what ESO would write.
 */
export function unsupportedFields(spec: ExternalSecretSpec): string[] {
  const found: string[] = [];
  if (spec.syncWindows) found.push('spec.syncWindows');
  (spec.target?.template?.templateFrom ?? []).forEach((from, i) => {
    if ((from.valuesDecodingStrategy ?? 'None') !== 'None') found.push(`spec.target.template.templateFrom[${i}].valuesDecodingStrategy`);
  });
  (spec.dataFrom ?? []).forEach((entry, i) => {
    const at = `spec.dataFrom[${i}]`;
    if (entry.sourceRef) found.push(`${at}.sourceRef`);
    if (entry.extract?.nullBytePolicy === 'Fail' || entry.find?.nullBytePolicy === 'Fail') found.push(`${at} nullBytePolicy: Fail`);
    (entry.rewrite ?? []).forEach((r, j) => r.merge && found.push(`${at}.rewrite[${j}].merge`));
  });
  (spec.data ?? []).forEach((item, i) => {
    if (item.sourceRef) found.push(`spec.data[${i}].sourceRef`);
    if (item.remoteRef.nullBytePolicy === 'Fail') found.push(`spec.data[${i}].remoteRef.nullBytePolicy: Fail`);
  });
  return found;
}

import type { ExternalSecretSpec } from '../api/generated.ts';

/**
 * Fields of ESO's ExternalSecret that this operator accepts in its schema but does
 * not implement yet. Each is reported by path in the Ready condition rather than
 * silently ignored, so nobody gets a Secret that differs from what ESO would write.
 */
export function unsupportedFields(spec: ExternalSecretSpec): string[] {
  const found: string[] = [];
  if (spec.dataFrom?.length) found.push('spec.dataFrom');
  if (spec.syncWindows) found.push('spec.syncWindows');
  if (spec.target?.template) found.push('spec.target.template');
  if (spec.target?.manifest) found.push('spec.target.manifest');
  if ((spec.target?.deletionPolicy ?? 'Retain') !== 'Retain') found.push(`spec.target.deletionPolicy: ${spec.target!.deletionPolicy}`);
  if (spec.target?.creationPolicy === 'Merge') found.push('spec.target.creationPolicy: Merge');
  (spec.data ?? []).forEach((item, i) => {
    const at = `spec.data[${i}]`;
    if (item.sourceRef) found.push(`${at}.sourceRef`);
    const ref = item.remoteRef;
    if ((ref.decodingStrategy ?? 'None') !== 'None') found.push(`${at}.remoteRef.decodingStrategy: ${ref.decodingStrategy}`);
    if ((ref.conversionStrategy ?? 'Default') !== 'Default') found.push(`${at}.remoteRef.conversionStrategy: ${ref.conversionStrategy}`);
    if ((ref.metadataPolicy ?? 'None') !== 'None') found.push(`${at}.remoteRef.metadataPolicy: ${ref.metadataPolicy}`);
    if (ref.nullBytePolicy === 'Fail') found.push(`${at}.remoteRef.nullBytePolicy: Fail`);
  });
  return found;
}

import type { ExternalSecret } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';

/** The kinds an ExternalSecret's target can be: a Secret, or a ConfigMap through ESO's generic targets. */
export type TargetKind = 'Secret' | 'ConfigMap';

/**
 * The kind spec.target.manifest asks for; a Secret when there is none. ESO writes any namespaced
 * kind there (behind its --unsafe-allow-generic-targets flag); this operator writes ConfigMaps, and
 * takes `v1` Secret as the Secret it writes anyway. Any other kind is refused by name, not retried:
 * writing arbitrary kinds would need RBAC over them and a schema for where the data goes. Pure.
 */
export function targetKind(es: ExternalSecret): TargetKind {
  const manifest = es.spec.target?.manifest;
  if (!manifest) return 'Secret';
  const { apiVersion, kind } = manifest;
  if (apiVersion === 'v1' && (kind === 'ConfigMap' || kind === 'Secret')) return kind;
  throw new OperatorError('UnsupportedTargetKind', `spec.target.manifest: kind "${kind}" of apiVersion "${apiVersion}" is not a target this operator writes; `
    + 'it writes a Secret (no manifest) or a ConfigMap (apiVersion: v1, kind: ConfigMap)');
}

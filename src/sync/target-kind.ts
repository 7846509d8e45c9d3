import type { ExternalSecret, ExternalSecretSpec } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';

/** The kinds an ExternalSecret's target can be: a Secret, or a ConfigMap through ESO's generic targets. */
export type TargetKind = 'Secret' | 'ConfigMap';

/**
 * The kind spec.target.manifest asks for; a Secret when there is none. Pure.
 *
 * As in ESO, any manifest at all (a v1 Secret included) is a generic target, written only when the
 * operator allows them (UNSAFE_ALLOW_GENERIC_TARGETS, ESO's --unsafe-allow-generic-targets); else it
 * is GenericTargetsDisabled. ESO then writes any namespaced kind; this operator writes ConfigMaps, and
 * takes `v1` Secret as the Secret it writes anyway. Any other kind is refused by name: writing
 * arbitrary kinds would need RBAC over them and a schema for where the data goes. Neither is retried.
 */
export function targetKind(es: ExternalSecret, allowGenericTargets: boolean): TargetKind {
  const manifest = es.spec.target?.manifest;
  if (!manifest) return 'Secret';
  const { apiVersion, kind } = manifest;
  if (!allowGenericTargets) {
    throw new OperatorError('GenericTargetsDisabled', `generic targets are disabled: spec.target.manifest (kind "${kind}" of apiVersion "${apiVersion}") `
      + 'needs the operator started with UNSAFE_ALLOW_GENERIC_TARGETS=true (Helm chart value genericTargets.enabled=true; '
      + "ESO's --unsafe-allow-generic-targets); remove spec.target.manifest to write a Secret");
  }
  if (apiVersion === 'v1' && (kind === 'ConfigMap' || kind === 'Secret')) return kind;
  throw new OperatorError('UnsupportedTargetKind', `spec.target.manifest: kind "${kind}" of apiVersion "${apiVersion}" is not a target this operator writes; `
    + 'it writes a Secret (no manifest) or a ConfigMap (apiVersion: v1, kind: ConfigMap)');
}

/**
 * The kind a spec's target names, for the words of a message only (nothing is checked): a ConfigMap
 * for a v1 ConfigMap manifest, else a Secret. Pure.
 */
export const targetKindNamed = (spec: ExternalSecretSpec): TargetKind =>
  (spec.target?.manifest?.apiVersion === 'v1' && spec.target.manifest.kind === 'ConfigMap' ? 'ConfigMap' : 'Secret');

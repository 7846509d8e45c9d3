/**
 * UNSAFE_ALLOW_GENERIC_TARGETS: whether ExternalSecrets may write something other than a Secret
 * (spec.target.manifest), as ESO's --unsafe-allow-generic-targets flag says. Off by default, as in
 * ESO: a ConfigMap is not encrypted at rest, and with the setting off the operator neither watches
 * nor writes ConfigMaps, so its RBAC needs no more than `get` on them (templateFrom).
 */
import { onOffSetting } from './on-off-setting.ts';

/** The setting's value: unset, empty or "false" is off, "true" is on; anything else is refused at start. */
export function allowGenericTargetsFrom(value: string | undefined): boolean {
  return onOffSetting('UNSAFE_ALLOW_GENERIC_TARGETS', value, 'write Secrets only', 'lets spec.target.manifest write ConfigMaps');
}

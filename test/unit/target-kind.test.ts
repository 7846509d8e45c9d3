import { describe, expect, it } from 'vitest';
import type { ExternalSecret, ManifestReference } from '../../src/api/generated.ts';
import { OperatorError } from '../../src/errors.ts';
import { allowGenericTargetsFrom } from '../../src/controllers/generic-targets.ts';
import { targetKind } from '../../src/sync/target-kind.ts';

const externalSecret = (manifest?: ManifestReference): ExternalSecret => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace: 'default', uid: 'es-uid-1' },
  spec: { target: { name: 'app-config', ...(manifest ? { manifest } : {}) } },
});

/** The OperatorError `run` throws. */
function failure(run: () => unknown): OperatorError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(OperatorError);
    return err as OperatorError;
  }
  throw new Error('expected an OperatorError');
}

describe('targetKind with generic targets allowed', () => {
  it('no manifest is a Secret; v1 ConfigMap and v1 Secret are those kinds', () => {
    expect(targetKind(externalSecret(), true)).toBe('Secret');
    expect(targetKind(externalSecret({ apiVersion: 'v1', kind: 'ConfigMap' }), true)).toBe('ConfigMap');
    expect(targetKind(externalSecret({ apiVersion: 'v1', kind: 'Secret' }), true)).toBe('Secret');
  });

  it.each([
    ['argoproj.io/v1alpha1', 'Application'],
    ['apps/v1', 'Deployment'],
    ['v2', 'ConfigMap'],
    ['v1', 'configmap'],
  ])('%s %s is UnsupportedTargetKind (not retried), naming the kind', (apiVersion, kind) => {
    const err = failure(() => targetKind(externalSecret({ apiVersion, kind }), true));
    expect(err.code).toBe('UnsupportedTargetKind');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`kind "${kind}" of apiVersion "${apiVersion}"`);
  });
});

describe('targetKind with generic targets not allowed (the default, as ESO without --unsafe-allow-generic-targets)', () => {
  it('no manifest is still a Secret', () => {
    expect(targetKind(externalSecret(), false)).toBe('Secret');
  });

  it.each([
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['argoproj.io/v1alpha1', 'Application'],
  ])('any manifest (%s %s) is GenericTargetsDisabled, not retried, naming the setting, the chart value and ESO\'s flag', (apiVersion, kind) => {
    const err = failure(() => targetKind(externalSecret({ apiVersion, kind }), false));
    expect(err.code).toBe('GenericTargetsDisabled');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`generic targets are disabled: spec.target.manifest (kind "${kind}" of apiVersion "${apiVersion}") needs the operator `
      + 'started with UNSAFE_ALLOW_GENERIC_TARGETS=true (Helm chart value genericTargets.enabled=true; ESO\'s --unsafe-allow-generic-targets); '
      + 'remove spec.target.manifest to write a Secret');
  });
});

describe('UNSAFE_ALLOW_GENERIC_TARGETS', () => {
  it('unset, empty or "false" is off; "true" is on', () => {
    expect(allowGenericTargetsFrom(undefined)).toBe(false);
    expect(allowGenericTargetsFrom('')).toBe(false);
    expect(allowGenericTargetsFrom('false')).toBe(false);
    expect(allowGenericTargetsFrom('true')).toBe(true);
  });

  it('refuses anything else at start, naming the setting and the values it takes', () => {
    for (const bad of ['yes', 'TRUE', '1', ' true', 'on']) {
      expect(() => allowGenericTargetsFrom(bad), bad).toThrow(`UNSAFE_ALLOW_GENERIC_TARGETS ${JSON.stringify(bad)} is neither "true" nor "false"`);
    }
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configMaps } from '../../src/kube/resources.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { eventually, getIfExists, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { startOperatorChild } from './operator-child.ts';

/** The operator as installed by default: generic targets not allowed, under the default chart's RBAC. */
let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(async () => h?.close());

describe('generic targets off (the default, as ESO without --unsafe-allow-generic-targets)', () => {
  it('an ExternalSecret with a ConfigMap target is Ready=False GenericTargetsDisabled, naming the setting and the chart value; no ConfigMap or Secret is written', async () => {
    const ns = await storeNamespace(h, 'gt-off');
    const key = awsName('gt-off');
    await createAwsSecrets(h, [{ name: key, string: JSON.stringify({ username: 'dbadmin' }) }]);
    await applyExternalSecret(h, ns, 'es', {
      data: [{ secretKey: 'username', remoteRef: { key, property: 'username' } }],
      target: { manifest: { apiVersion: 'v1', kind: 'ConfigMap' } },
    });
    const es = await readyAs(h, ns, 'es', 'False', 'SecretSyncedError');
    const message = 'GenericTargetsDisabled: generic targets are disabled: spec.target.manifest (kind "ConfigMap" of apiVersion "v1") needs the operator '
      + 'started with UNSAFE_ALLOW_GENERIC_TARGETS=true (Helm chart value genericTargets.enabled=true; ESO\'s --unsafe-allow-generic-targets); '
      + 'remove spec.target.manifest to write a Secret';
    expect(readyCondition(es).message).toBe(message);
    await eventually(async () => (await eventsFor(h, ns, 'es')).some((e) => e.type === 'Warning' && e.reason === 'UpdateFailed' && e.message === message),
      'the UpdateFailed Event');
    // The operator has handled the ExternalSecret (its status says so, and its cache holds that version): nothing was written.
    await operatorCaughtUp(h, [es]);
    expect(await getIfExists(h.kube, configMaps.path(ns, 'es'))).toBeUndefined();
    expect(await h.secret(ns, 'es')).toBeUndefined();
    expect(h.operator.caches.managedConfigMaps).toBeUndefined();
  });

  it('the operator process refuses at start an UNSAFE_ALLOW_GENERIC_TARGETS other than true or false, saying so', async () => {
    await expect(startOperatorChild({ name: 'misconfigured-generic-targets', kubeconfig: inject('operatorKubeconfig'), awsEndpoint: inject('motoEndpoint'), env: { UNSAFE_ALLOW_GENERIC_TARGETS: 'yes' } }))
      .rejects.toThrow(/exited before it started:[\s\S]*UNSAFE_ALLOW_GENERIC_TARGETS \\"yes\\" is neither \\"true\\" nor \\"false\\"/);
  });
});

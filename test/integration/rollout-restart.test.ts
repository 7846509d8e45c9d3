import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { renderChart } from '../../dev/chart.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { daemonSets, deployments, statefulSets, type ResourceType } from '../../src/kube/resources.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { chartIdentity } from './generic-targets-identity.ts';
import { decode, eventually, operatorCaughtUp, readyCondition, startHarness, type Harness } from './harness.ts';
import { startOperatorChild } from './operator-child.ts';

/**
 * Rolling restarts (ROLLING_RESTART) against the real apiserver and moto. No controller-manager runs: the Deployments,
 * StatefulSets and DaemonSets simply exist, and a restart shows as kubectl's restartedAt annotation on the pod
 * template and the generation the apiserver moved by one.
 */
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const RESTART = 'aws-secrets-operator.io/restart';
const RESOURCES: Record<string, ResourceType> = { Deployment: deployments, StatefulSet: statefulSets, DaemonSet: daemonSets };

interface WorkloadSpec {
  annotations?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  /** Extra fields of the container. */
  container?: Record<string, unknown>;
  volumes?: unknown[];
}

async function workload(h: Harness, kind: string, ns: string, name: string, spec: WorkloadSpec = {}): Promise<void> {
  const labels = { app: name };
  await applyManifest(h.kube, {
    apiVersion: 'apps/v1', kind, metadata: { name, namespace: ns, ...(spec.annotations ? { annotations: spec.annotations } : {}) },
    spec: {
      selector: { matchLabels: labels },
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      template: {
        metadata: { labels, ...(spec.podAnnotations ? { annotations: spec.podAnnotations } : {}) },
        spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1', ...spec.container }], ...(spec.volumes ? { volumes: spec.volumes } : {}) },
      },
    },
  });
}

/** A workload's generation and restartedAt annotation, as the apiserver has them. */
async function restartState(h: Harness, kind: string, ns: string, name: string): Promise<{ generation: number; restartedAt?: string }> {
  const live = await h.kube.get(RESOURCES[kind]!.path(ns, name));
  return { generation: live.metadata.generation, restartedAt: live.spec.template.metadata?.annotations?.[RESTARTED_AT] };
}

const envFromDb = { envFrom: [{ secretRef: { name: 'db' } }] };
const envKeyDb = { env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] };

/** Changes the ExternalSecret's force-sync annotation and waits for the sync it causes (syncedResourceVersion moved, Ready). */
async function forceSync(h: Harness, ns: string, name: string, value: string): Promise<any> {
  const before = await h.externalSecret(ns, name);
  await h.kube.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${name}`, {
    body: { metadata: { annotations: { 'force-sync': value } } }, contentType: 'application/merge-patch+json',
  });
  return eventually(async () => {
    const es = await h.externalSecret(ns, name);
    return es.status?.syncedResourceVersion !== before.status?.syncedResourceVersion && readyCondition(es)?.status === 'True' ? es : undefined;
  }, `ExternalSecret ${ns}/${name} synced after force-sync ${value}`);
}

describe('rolling restarts on (ROLLING_RESTART=true, under the chart\'s RBAC for rollingRestart.enabled=true)', () => {
  let h: Harness;
  beforeAll(async () => {
    const admin = KubeClient.fromFile(inject('adminKubeconfig'), { verbatimErrors: true });
    try {
      const { kube } = await chartIdentity(admin, inject('adminKubeconfig'), 'aso-rolling-restart', ['rollingRestart.enabled=true']);
      h = await startHarness({ operatorKube: kube, operator: { rollingRestart: true } });
    } finally {
      await admin.close();
    }
  });
  afterAll(async () => h?.close());

  it('a data change restarts exactly the named and the Reloader-annotated workloads of the namespace, each once; no restart on create, on a refresh without change, on a label change or on a repair', async () => {
    const ns = await storeNamespace(h, 'rr');
    const other = await h.namespace('rr-other');
    const key = awsName('rr');
    await createAwsSecrets(h, [{ name: key, string: JSON.stringify({ password: 'one' }) }]);
    const dbVolume = { volumes: [{ name: 'creds', secret: { secretName: 'db' } }], container: { volumeMounts: [{ name: 'creds', mountPath: '/etc/db' }] } };
    const restarted: Array<[string, string, string]> = [
      ['Deployment', 'web', `named in the ExternalSecret's annotation ${RESTART}`],
      ['StatefulSet', 'cache', `named in the ExternalSecret's annotation ${RESTART}`],
      ['DaemonSet', 'agent', `named in the ExternalSecret's annotation ${RESTART}`],
      ['Deployment', 'listed', 'its annotation secret.reloader.stakater.com/reload'],
      ['Deployment', 'auto', 'its annotation reloader.stakater.com/auto'],
      ['StatefulSet', 'searched', 'its annotation reloader.stakater.com/search (the Secret has reloader.stakater.com/match)'],
      ['DaemonSet', 'pod-template', 'its annotation secret.reloader.stakater.com/auto'],
    ];
    const untouched: Array<[string, string]> = [
      ['Deployment', 'plain'], ['Deployment', 'auto-elsewhere'], ['Deployment', 'excluded'], ['StatefulSet', 'other-list'],
    ];
    await workload(h, 'Deployment', ns, 'web');
    await workload(h, 'StatefulSet', ns, 'cache');
    await workload(h, 'DaemonSet', ns, 'agent');
    await workload(h, 'Deployment', ns, 'listed', { annotations: { 'secret.reloader.stakater.com/reload': 'cache-creds, db' } });
    await workload(h, 'Deployment', ns, 'auto', { annotations: { 'reloader.stakater.com/auto': 'true' }, container: envKeyDb });
    await workload(h, 'StatefulSet', ns, 'searched', { annotations: { 'reloader.stakater.com/search': 'true' }, container: envFromDb });
    await workload(h, 'DaemonSet', ns, 'pod-template', { podAnnotations: { 'secret.reloader.stakater.com/auto': 'true' }, ...dbVolume });
    // Uses the Secret without asking; asks for every Secret it uses but not this one; excludes it; lists another.
    await workload(h, 'Deployment', ns, 'plain', { container: envFromDb });
    await workload(h, 'Deployment', ns, 'auto-elsewhere', { annotations: { 'reloader.stakater.com/auto': 'true' }, container: { envFrom: [{ secretRef: { name: 'other' } }] } });
    await workload(h, 'Deployment', ns, 'excluded', { annotations: { 'reloader.stakater.com/auto': 'true', 'secrets.exclude.reloader.stakater.com/reload': 'db' }, container: envFromDb });
    await workload(h, 'StatefulSet', ns, 'other-list', { annotations: { 'secret.reloader.stakater.com/reload': 'db2' }, container: envFromDb });
    // Same names and annotations in another namespace: never touched.
    await workload(h, 'Deployment', other, 'web', { annotations: { 'secret.reloader.stakater.com/reload': 'db' }, container: envFromDb });
    await workload(h, 'Deployment', other, 'auto', { annotations: { 'reloader.stakater.com/auto': 'true' }, container: envKeyDb });
    const everything: Array<[string, string, string]> = [...restarted.map(([kind, name]) => [kind, ns, name] as [string, string, string]),
      ...untouched.map(([kind, name]) => [kind, ns, name] as [string, string, string]), ['Deployment', other, 'web'], ['Deployment', other, 'auto']];
    const states = async () => Object.fromEntries(await Promise.all(everything.map(async ([kind, n, name]) => [`${n}/${kind}/${name}`, await restartState(h, kind, n, name)])));
    const initial = await states();
    for (const state of Object.values(initial)) expect(state).toEqual({ generation: 1, restartedAt: undefined });
    const successes = async () => Object.fromEntries(await Promise.all(['Deployment', 'StatefulSet', 'DaemonSet'].map(async (kind) =>
      [kind, await metricValue(h.operator.metrics.workloadRestarts, { kind, outcome: 'success' })])));
    const before = await successes();

    // Created: no restart (the first sync's reconcile, restarts included, has finished once its status is written).
    await applyExternalSecret(h, ns, 'db', {
      data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }],
      target: { template: { metadata: { annotations: { 'reloader.stakater.com/match': 'true' } } } },
    }, { annotations: { [RESTART]: 'deployment/web, sts/cache ,DS/agent, deployment/absent, pod/x' } });
    const created = await readyAs(h, ns, 'db', 'True', 'SecretSynced');
    expect(decode((await h.secret(ns, 'db')).data)).toEqual({ password: 'one' });
    await operatorCaughtUp(h, [created]);
    expect(await states()).toEqual(initial);
    // The entry that names no kind is reported at each data change; this was the first write, no change yet.
    expect((await eventsFor(h, ns, 'db')).filter((e) => e.type === 'Warning')).toEqual([]);

    // The data changes in AWS: each chosen workload is patched once, as kubectl rollout restart patches it.
    await h.putAwsSecret(key, JSON.stringify({ password: 'two' }));
    const changeStart = Date.now();
    await forceSync(h, ns, 'db', 'rotation-1');
    expect(decode((await h.secret(ns, 'db')).data)).toEqual({ password: 'two' });
    const afterChange = await states();
    for (const [kind, name] of restarted) {
      const state = afterChange[`${ns}/${kind}/${name}`]!;
      expect(state.generation, `${kind} ${name}`).toBe(2);
      expect(state.restartedAt, `${kind} ${name}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(state.restartedAt!)).toBeGreaterThanOrEqual(Math.floor(changeStart / 1000) * 1000);
    }
    for (const [kind, name] of untouched) expect(afterChange[`${ns}/${kind}/${name}`], `${kind} ${name}`).toEqual({ generation: 1, restartedAt: undefined });
    expect(afterChange[`${other}/Deployment/web`]).toEqual({ generation: 1, restartedAt: undefined });
    expect(afterChange[`${other}/Deployment/auto`]).toEqual({ generation: 1, restartedAt: undefined });
    expect(await successes()).toEqual({ Deployment: before.Deployment + 3, StatefulSet: before.StatefulSet + 2, DaemonSet: before.DaemonSet + 2 });

    // Events: on the ExternalSecret and on each workload, saying which Secret changed and why that workload.
    const esEvents = await eventually(async () => {
      const list = await eventsFor(h, ns, 'db');
      return list.filter((e) => e.reason === 'Restarted').length === restarted.length && list.some((e) => e.reason === 'InvalidRestartTarget' && e.message.includes('absent')) ? list : undefined;
    }, 'the Restarted and InvalidRestartTarget Events of the ExternalSecret');
    expect(esEvents.filter((e) => e.reason === 'Restarted').map((e) => `${e.type} ${e.message}`).sort()).toEqual(
      restarted.map(([kind, name, why]) => `Normal ${kind} "${name}" restarted: the data of Secret "db" changed (${why})`).sort());
    expect(esEvents.filter((e) => e.type === 'Warning').map((e) => `${e.reason}: ${e.message}`)).toEqual([
      `InvalidRestartTarget: annotation ${RESTART}: entry "pod/x" names no kind that can be restarted: deployment (deploy), statefulset (sts) or daemonset (ds); the other entries are used`,
      `InvalidRestartTarget: annotation ${RESTART} names what namespace "${ns}" does not hold: Deployment "absent"; the other workloads are restarted`,
    ]);
    for (const [kind, name, why] of restarted) {
      const workloadEvents = await eventually(async () => {
        const list = (await eventsFor(h, ns, name)).filter((e) => e.reason === 'Restarted');
        return list.length ? list : undefined;
      }, `the Restarted Event of ${kind} ${name}`);
      expect(workloadEvents, `${kind} ${name}`).toEqual([{ type: 'Normal', reason: 'Restarted', message: `restarted: the data of Secret "db" changed, written by ExternalSecret "db" (${why})` }]);
    }

    // A refresh that reads the same data: nothing restarted.
    await forceSync(h, ns, 'db', 'rotation-2');
    expect(await states()).toEqual(afterChange);

    // Only the Secret's labels change (the template's): the Secret is written, nothing restarted.
    const relabelled = await applyExternalSecret(h, ns, 'db', {
      data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }],
      target: { template: { metadata: { annotations: { 'reloader.stakater.com/match': 'true' }, labels: { tier: 'db' } } } },
    }, { annotations: { [RESTART]: 'deployment/web, sts/cache ,DS/agent, deployment/absent, pod/x', 'force-sync': 'rotation-2' } });
    const labelled = await eventually(async () => {
      const s = await h.secret(ns, 'db');
      return s?.metadata.labels?.tier === 'db' ? s : undefined;
    }, 'the Secret relabelled');
    await operatorCaughtUp(h, [relabelled, labelled]);
    expect(await states()).toEqual(afterChange);

    // A hand edit of the data is repaired: the data the operator wrote comes back, and that is no change of it.
    await h.kube.request('PATCH', `/api/v1/namespaces/${ns}/secrets/db`, {
      body: { data: { password: Buffer.from('edited').toString('base64') } }, contentType: 'application/merge-patch+json',
    });
    const repaired = await eventually(async () => {
      const s = await h.secret(ns, 'db');
      return decode(s.data).password === 'two' && s.metadata.resourceVersion !== labelled.metadata.resourceVersion ? s : undefined;
    }, 'the Secret repaired');
    await operatorCaughtUp(h, [await h.externalSecret(ns, 'db'), repaired]);
    expect(await states()).toEqual(afterChange);
    expect(await successes()).toEqual({ Deployment: before.Deployment + 3, StatefulSet: before.StatefulSet + 2, DaemonSet: before.DaemonSet + 2 });
  });

  it('end to end: a change in AWS reported to the operator (its ChangeSink, as the queue and the poll report) updates the Secret and restarts its workloads once; a report with no change restarts nothing', async () => {
    const ns = await storeNamespace(h, 'rr-e2e');
    const key = awsName('rr-e2e');
    await createAwsSecrets(h, [{ name: key, string: JSON.stringify({ password: 'one' }) }]);
    await workload(h, 'Deployment', ns, 'api', { annotations: { 'reloader.stakater.com/auto': 'true' }, container: envKeyDb });
    await applyExternalSecret(h, ns, 'db', { data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] });
    const synced = await readyAs(h, ns, 'db', 'True', 'SecretSynced');
    await h.putAwsSecret(key, JSON.stringify({ password: 'two' }));
    expect(h.operator.changes.changed([{ name: key }], { kind: 'operator' }, 'queue')).toBe(1);
    const restarted = await eventually(async () => {
      const state = await restartState(h, 'Deployment', ns, 'api');
      return state.restartedAt ? state : undefined;
    }, 'api restarted after the change in AWS');
    expect(restarted.generation).toBe(2);
    expect(decode((await h.secret(ns, 'db')).data)).toEqual({ password: 'two' });
    // Reported again with nothing new in AWS: a sync that reads the same data (counted by ESO's sync metric), no restart.
    const syncs = () => metricValue(h.operator.metrics.syncCalls, { name: 'db', namespace: ns });
    const before = await syncs();
    expect(h.operator.changes.changed([{ name: key }], { kind: 'operator' }, 'poll')).toBe(1);
    await eventually(async () => (await syncs()) > before, 'the sync the second report asked for');
    await operatorCaughtUp(h, [await h.externalSecret(ns, 'db')]);
    expect(await restartState(h, 'Deployment', ns, 'api')).toEqual(restarted);
    expect(synced.status.syncedResourceVersion).toBe((await h.externalSecret(ns, 'db')).status.syncedResourceVersion);
  });

  it('a restart the apiserver refuses is reported once per change and retried until done, a second change joining it, then never repeated', async () => {
    const ns = await storeNamespace(h, 'rr-retry');
    const key = awsName('rr-retry');
    await createAwsSecrets(h, [{ name: key, string: JSON.stringify({ password: 'one' }) }]);
    await workload(h, 'Deployment', ns, 'steady');
    await workload(h, 'Deployment', ns, 'flaky');
    // A ValidatingAdmissionPolicy refuses any update of Deployment "flaky" in this namespace while it is bound.
    const policy = `rr-deny-flaky-${process.pid}`;
    const admission = '/apis/admissionregistration.k8s.io/v1';
    await h.kube.request('POST', `${admission}/validatingadmissionpolicies`, {
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: policy },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments'] }] },
          validations: [{ expression: "object.metadata.name != 'flaky'", message: 'flaky is frozen' }],
        },
      },
    });
    await h.kube.request('POST', `${admission}/validatingadmissionpolicybindings`, {
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: policy },
        spec: { policyName: policy, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } },
      },
    });
    try {
      // The positive sign that the policy is in force: the apiserver refuses an edit of flaky.
      await eventually(async () => (await h.kube.request('PATCH', deployments.path(ns, 'flaky'), {
        body: { metadata: { labels: { probe: String(Date.now()) } } }, contentType: 'application/merge-patch+json',
      }).then(() => false, (err) => err.status === 422 || err.status === 403)), 'the admission policy to refuse updates of flaky');

      await applyExternalSecret(h, ns, 'db', { data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] },
        { annotations: { [RESTART]: 'deploy/steady,deploy/flaky' } });
      await readyAs(h, ns, 'db', 'True', 'SecretSynced');
      await h.putAwsSecret(key, JSON.stringify({ password: 'two' }));
      await forceSync(h, ns, 'db', 'rotation-1');
      // The sync is done and steady restarted; flaky was refused, and that is said once, however often it is retried.
      expect(await restartState(h, 'Deployment', ns, 'steady')).toMatchObject({ generation: 2 });
      expect((await restartState(h, 'Deployment', ns, 'flaky')).restartedAt).toBeUndefined();
      const failed = await eventually(async () => {
        const list = (await eventsFor(h, ns, 'db')).filter((e) => e.reason === 'RestartFailed');
        return list.length ? list : undefined;
      }, 'the RestartFailed Event');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.type).toBe('Warning');
      expect(failed[0]!.message).toMatch(/^could not restart Deployment "flaky" after Secret "db" changed: KubernetesAPIError: [\s\S]*; retrying$/);
      expect(await metricValue(h.operator.metrics.workloadRestarts, { kind: 'Deployment', outcome: 'error' })).toBeGreaterThanOrEqual(1);

      // A second change while flaky's restart is pending: steady restarts again; flaky's pending restart covers both.
      await h.putAwsSecret(key, JSON.stringify({ password: 'three' }));
      await forceSync(h, ns, 'db', 'rotation-2');
      expect(await restartState(h, 'Deployment', ns, 'steady')).toMatchObject({ generation: 3 });
      expect(await restartState(h, 'Deployment', ns, 'flaky')).toEqual({ generation: 1, restartedAt: undefined });
    } finally {
      await h.kube.request('DELETE', `${admission}/validatingadmissionpolicybindings/${policy}`);
      await h.kube.request('DELETE', `${admission}/validatingadmissionpolicies/${policy}`);
    }
    // The policy gone, a retry gets through: flaky is restarted, once.
    const flaky = await eventually(async () => {
      const state = await restartState(h, 'Deployment', ns, 'flaky');
      return state.restartedAt ? state : undefined;
    }, 'flaky restarted by a retry', 30_000);
    expect(flaky.generation).toBe(2);
    await eventually(async () => (await eventsFor(h, ns, 'flaky')).some((e) => e.reason === 'Restarted'), 'the Restarted Event of flaky');
    // Another sync without a data change: neither is patched again.
    await forceSync(h, ns, 'db', 'rotation-3');
    expect(await restartState(h, 'Deployment', ns, 'flaky')).toEqual(flaky);
    expect((await restartState(h, 'Deployment', ns, 'steady')).generation).toBe(3);
    // One Warning per change that found flaky refused, however many retries.
    expect((await eventsFor(h, ns, 'db')).filter((e) => e.reason === 'RestartFailed')).toHaveLength(2);
    expect((await eventsFor(h, ns, 'flaky')).filter((e) => e.reason === 'Restarted')).toHaveLength(1);
  });
});

describe('rolling restarts off (the default)', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(async () => h?.close());

  it('an ExternalSecret that asks for restarts gets one Warning per data change, and nothing is patched', async () => {
    const ns = await storeNamespace(h, 'rr-off');
    const key = awsName('rr-off');
    await createAwsSecrets(h, [{ name: key, string: JSON.stringify({ password: 'one' }) }]);
    await workload(h, 'Deployment', ns, 'web', { annotations: { 'secret.reloader.stakater.com/reload': 'db' }, container: envFromDb });
    await applyExternalSecret(h, ns, 'db', { data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] }, { annotations: { [RESTART]: 'deployment/web' } });
    await readyAs(h, ns, 'db', 'True', 'SecretSynced');
    await h.putAwsSecret(key, JSON.stringify({ password: 'two' }));
    await forceSync(h, ns, 'db', 'rotation-1');
    const warning = await eventually(async () => (await eventsFor(h, ns, 'db')).find((e) => e.reason === 'RollingRestartDisabled'), 'the RollingRestartDisabled Event');
    expect(warning).toEqual({
      type: 'Warning', reason: 'RollingRestartDisabled',
      message: `Secret "db" changed and annotation ${RESTART} asks for restarts, but rolling restarts are off: nothing was restarted; `
        + 'start the operator with ROLLING_RESTART=true (Helm chart value rollingRestart.enabled=true)',
    });
    // No data change: no Warning; the data changing again: one more.
    await forceSync(h, ns, 'db', 'rotation-2');
    await h.putAwsSecret(key, JSON.stringify({ password: 'three' }));
    await forceSync(h, ns, 'db', 'rotation-3');
    await eventually(async () => (await eventsFor(h, ns, 'db')).filter((e) => e.reason === 'RollingRestartDisabled').length === 2, 'the second RollingRestartDisabled Event');
    await operatorCaughtUp(h, [await h.externalSecret(ns, 'db')]);
    expect((await eventsFor(h, ns, 'db')).filter((e) => e.reason === 'RollingRestartDisabled')).toHaveLength(2);
    expect(await restartState(h, 'Deployment', ns, 'web')).toEqual({ generation: 1, restartedAt: undefined });
  });

  it('the operator process refuses at start a ROLLING_RESTART other than true or false, saying so', async () => {
    await expect(startOperatorChild({ name: 'misconfigured-rolling-restart', kubeconfig: inject('operatorKubeconfig'), awsEndpoint: inject('motoEndpoint'), env: { ROLLING_RESTART: 'yes' } }))
      .rejects.toThrow(/exited before it started:[\s\S]*ROLLING_RESTART \\"yes\\" is neither \\"true\\" nor \\"false\\"/);
  });
});

describe('the chart', () => {
  it('rollingRestart.enabled sets ROLLING_RESTART and grants get, list and patch on the three workload kinds, in both scopes; off, neither', () => {
    const appsRules = (rendered: any[]) => rendered.filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role')
      .flatMap((role) => role.rules).filter((rule: any) => rule.apiGroups.includes('apps'));
    const setting = (rendered: any[]) => rendered.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].env
      .filter((e: any) => e.name === 'ROLLING_RESTART');
    for (const scope of [[], ['scope.namespace=team-a']]) {
      const off = parseManifests(renderChart({ set: ['crds.install=false', ...scope] }));
      expect(setting(off)).toEqual([]);
      expect(appsRules(off)).toEqual([]);
      const on = parseManifests(renderChart({ set: ['crds.install=false', 'rollingRestart.enabled=true', ...scope] }));
      expect(setting(on)).toEqual([{ name: 'ROLLING_RESTART', value: 'true' }]);
      expect(appsRules(on)).toEqual([{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get', 'list', 'patch'] }]);
      // Events on the workloads: the events rule covers every namespace the operator serves.
      const role = on.find((m) => m.kind === 'ClusterRole' || m.kind === 'Role');
      expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['events'], verbs: ['create'] });
    }
  });
});

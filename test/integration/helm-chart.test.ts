import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyManifest, installCrds, parseManifests } from '../../dev/apply.ts';
import { CHART_DIR, DEPLOY_MANIFEST, helm, renderChart, renderDeployManifest, runHelm, valueArgs, type RenderOptions } from '../../dev/chart.ts';
import { startControlPlane, type ControlPlane } from '../../dev/control-plane.ts';
import { applySeedExample, DEMO_SECRET_JSON } from '../../dev/demo.ts';
import { CRD_DIR, loadCrds } from '../../scripts/generate-types.ts';
import { startMoto, type Moto } from '../../dev/moto.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { runAsChartPod } from './chart-pod.ts';
import { changedValue, merged, prerequisites, valuesKeys, withValue } from './chart-values.ts';
import { decode, eventually, getIfExists, readyCondition } from './harness.ts';
import type { OperatorChild } from './operator-child.ts';

/**
 * The Helm chart (deploy/helm/aws-secrets-operator) against real peers. helm, built from its Go module, lints and
 * renders it; a kube-apiserver of this file's own validates every object by a server-side dry run and takes helm
 * install, upgrade and uninstall (the chart's CRDs and ClusterRoles would collide with the suite's shared control
 * plane); the operator then runs as the chart's Deployment runs it, with the rendered environment and a token of the
 * chart's ServiceAccount, so that the chart's RBAC alone says what it may do, in both scopes.
 */
const DEFAULT_VALUES = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
/** The non-default set the issue names (namespace scope, no CRDs, ServiceMonitor, two replicas, extra env), and more. */
const NON_DEFAULT: RenderOptions = {
  release: 'team',
  namespace: 'aso-team',
  set: [
    'scope.namespace=team-a', 'crds.install=false', 'serviceMonitor.enabled=true', 'replicaCount=2',
    'extraEnv[0].name=VALUE_CACHE_BYTES', 'extraEnv[0].value=8388608', 'grafanaDashboard.enabled=true',
    'networkPolicy.enabled=true', 'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111122223333:role/secrets-reader',
    'nodeSelector.kubernetes\\.io/os=linux', 'priorityClassName=system-cluster-critical',
  ],
};

let controlPlane: ControlPlane;
let moto: Moto;
let admin: KubeClient;
let work: string;
const operators: OperatorChild[] = [];

beforeAll(async () => {
  helm();
  [controlPlane, moto] = await Promise.all([startControlPlane(), startMoto()]);
  admin = KubeClient.fromFile(controlPlane.kubeconfig, { verbatimErrors: true });
  work = mkdtempSync(join(tmpdir(), 'aso-chart-'));
});
afterAll(async () => {
  for (const operator of operators) await operator.kill('SIGTERM');
  await admin?.close();
  await Promise.all([controlPlane?.stop(), moto?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** helm against this file's control plane, its state kept out of $HOME. */
const helmHere = (args: string[]): string => runHelm(args, {
  PATH: process.env.PATH, HOME: work, KUBECONFIG: controlPlane.kubeconfig,
  HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config'), HELM_DATA_HOME: join(work, 'data'),
});

function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync(join(controlPlane.binDir, 'kubectl'), ['--kubeconfig', controlPlane.kubeconfig, '--cache-dir', join(work, 'kube-cache'), ...args], { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  } catch (err: any) {
    throw new Error(`kubectl ${args[0]} failed: ${err.stderr || err.message}`);
  }
}

const helmError = (options: RenderOptions): string => {
  try {
    renderChart(options);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`helm template accepted ${JSON.stringify(options.set)}`);
};

async function namespace(name: string): Promise<void> {
  await applyManifest(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

describe('the chart, rendered by helm', () => {
  it('passes helm lint --strict, with its default values and with a non-default set', () => {
    expect(helmHere(['lint', '--strict', CHART_DIR])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(helmHere(['lint', '--strict', CHART_DIR, '--namespace', NON_DEFAULT.namespace!, ...valueArgs(NON_DEFAULT)])).toMatch(/0 chart\(s\) failed/);
  });

  it('is exactly what deploy/aws-secrets-operator.yaml holds (make manifests)', () => {
    expect(readFileSync(DEPLOY_MANIFEST, 'utf8')).toBe(renderDeployManifest());
  });

  it('renders crds/ (one copy) with the keep policy, so helm uninstall leaves every ExternalSecret', () => {
    const rendered = parseManifests(renderChart()).filter((m) => m.kind === 'CustomResourceDefinition');
    const files = loadCrds(CRD_DIR) as any[];
    // ESO's four kinds, PushSecret, and the generators this operator implements.
    expect(files.map((crd) => crd.metadata.name).sort()).toEqual([
      'clusterexternalsecrets.external-secrets.io', 'clustergenerators.generators.external-secrets.io', 'clustersecretstores.external-secrets.io',
      'ecrauthorizationtokens.generators.external-secrets.io', 'externalsecrets.external-secrets.io', 'passwords.generators.external-secrets.io',
      'pushsecrets.external-secrets.io', 'secretstores.external-secrets.io', 'stssessiontokens.generators.external-secrets.io',
      'uuids.generators.external-secrets.io',
    ]);
    expect(rendered.map((crd) => crd.metadata.name).sort()).toEqual(files.map((crd) => crd.metadata.name).sort());
    for (const crd of rendered) {
      expect(crd.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      expect(crd.spec).toEqual(files.find((f) => f.metadata.name === crd.metadata.name)!.spec);
    }
    expect(parseManifests(renderChart({ set: ['crds.install=false'] })).filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
  });

  it('documents every values key with a comment line', () => {
    const keys = valuesKeys(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
    expect(keys.length).toBeGreaterThan(40);
    expect(keys.filter((k) => !k.documented).map((k) => k.path.join('.'))).toEqual([]);
  });

  it('changes what it renders for every values key (a key that does nothing is a defect)', () => {
    const leaves = valuesKeys(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')).filter((k) => !k.branch);
    const inert: string[] = [];
    leaves.forEach((key, i) => {
      const base = merged(DEFAULT_VALUES, prerequisites(key));
      const changed = withValue(base, key.path, changedValue(key));
      const files = [join(work, `base-${i}.yaml`), join(work, `changed-${i}.yaml`)];
      writeFileSync(files[0]!, JSON.stringify(base));
      writeFileSync(files[1]!, JSON.stringify(changed));
      if (renderChart({ valueFiles: [files[0]!] }) === renderChart({ valueFiles: [files[1]!] })) inert.push(key.path.join('.'));
    });
    expect(leaves.length).toBeGreaterThan(40);
    expect(inert).toEqual([]);
  });

  it('genericTargets: off by default (no UNSAFE_ALLOW_GENERIC_TARGETS, ConfigMaps get only); on, the setting and the ConfigMap rule, in both scopes', () => {
    const configMapRules = (rendered: any[]) => rendered.filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role')
      .flatMap((role) => role.rules).filter((rule: any) => rule.resources.includes('configmaps'));
    const setting = (rendered: any[]) => rendered.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].env
      .filter((e: any) => e.name === 'UNSAFE_ALLOW_GENERIC_TARGETS');
    const off = parseManifests(renderChart({ set: ['crds.install=false'] }));
    expect(setting(off)).toEqual([]);
    expect(configMapRules(off)).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    for (const scope of [[], ['scope.namespace=team-a']]) {
      const on = parseManifests(renderChart({ set: ['crds.install=false', 'genericTargets.enabled=true', ...scope] }));
      expect(setting(on)).toEqual([{ name: 'UNSAFE_ALLOW_GENERIC_TARGETS', value: 'true' }]);
      expect(configMapRules(on)).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] }]);
    }
    expect(helmError({ set: ['genericTargets.enabled=yes'] })).toMatch(/genericTargets/);
  });

  it('refuses a misspelt key or a wrong type through values.schema.json', () => {
    expect(helmError({ set: ['imagee.tag=1.0.0'] })).toMatch(/imagee/);
    expect(helmError({ set: ['serviceAccount.anotations.a=b'] })).toMatch(/anotations/);
    expect(helmError({ set: ['replicaCount=two'] })).toMatch(/replicaCount/);
    expect(helmError({ set: ['logLevel=verbose'] })).toMatch(/logLevel/);
    expect(helmError({ set: ['scope.namespace=Team_A'] })).toMatch(/scope/);
    expect(helmError({ set: ['controllerClass=aws '] })).toMatch(/controllerClass/);
  });
});

describe('the chart on the real apiserver', () => {
  beforeAll(async () => {
    // The Prometheus Operator's own CRD, so the apiserver validates the ServiceMonitor.
    const serviceMonitorCrd = execFileSync(join(import.meta.dirname, '../../scripts/servicemonitor-crd.sh'), { encoding: 'utf8' }).trim();
    await installCrds(admin, dirname(serviceMonitorCrd));
    for (const name of ['aws-secrets-operator', 'aso-team', 'team-a']) await namespace(name);
  });

  it('takes every object of the default and the non-default rendering (server-side dry run)', () => {
    for (const options of [{}, NON_DEFAULT]) {
      const rendered = renderChart(options);
      const out = kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=helm-chart-test', '-f', '-'], rendered);
      const objects = parseManifests(rendered);
      expect(out.trim().split('\n').filter((l) => l.endsWith('serverside-applied (server dry run)'))).toHaveLength(objects.length);
    }
    expect(parseManifests(renderChart(NON_DEFAULT)).map((m) => m.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceMonitor']);
  });
});

const externalSecret = (ns: string, name: string) => admin.get(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${name}`);
const exists = async (path: string) => (await getIfExists(admin, path)) !== undefined;
const synced = (ns: string, name: string) => eventually(async () => {
  const es = await externalSecret(ns, name);
  return readyCondition(es)?.reason === 'SecretSynced' ? es : undefined;
}, `${ns}/${name} synced by the chart's operator`);
/** What the operator may not do shows as 403s from the apiserver; none may appear in its log. */
const forbidden = (operator: OperatorChild) => operator.output.filter((l) => /forbidden|\b403\b/i.test(l));

async function startChartOperator(name: string, release: string, ns: string): Promise<OperatorChild> {
  const deployment = await admin.get(`/apis/apps/v1/namespaces/${ns}/deployments/${release}-aws-secrets-operator`);
  const operator = await runAsChartPod({ name, admin, adminKubeconfig: controlPlane.kubeconfig, deployment, awsEndpoint: moto.endpoint, dir: work });
  operators.push(operator);
  return operator;
}

async function stopOperator(operator: OperatorChild): Promise<void> {
  expect(await operator.kill('SIGTERM')).toBe(0);
}

describe('helm install, upgrade and uninstall, with the operator under the chart\'s identity', () => {
  beforeAll(async () => {
    const aws = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await aws.send(new CreateSecretCommand({ Name: 'myapp/production/database', SecretString: DEMO_SECRET_JSON }));
    aws.destroy();
  });

  it('cluster scope: installs, syncs the seed example under the chart\'s ClusterRole, upgrades, and uninstalls leaving CRDs and ExternalSecrets', async () => {
    const notes = helmHere(['install', 'cluster', CHART_DIR, '--namespace', 'aso-cluster', '--create-namespace']);
    // NOTES.txt: what to apply next, and how to check it.
    expect(notes).toMatch(/kind: SecretStore[\s\S]*kind: ExternalSecret[\s\S]*kubectl get secretstores,externalsecrets -A/);
    const operator = await startChartOperator('chart-cluster', 'cluster', 'aso-cluster');
    await applySeedExample(admin);
    await synced('production', 'db-credentials');
    expect(decode((await admin.get('/api/v1/namespaces/production/secrets/db-credentials')).data)).toEqual({ username: 'dbadmin', password: 'S3cur3P@ssw0rd!' });
    // Two replicas by default: the pod elected itself through the chart's leader-election Role.
    await eventually(async () => operator.leads(), 'the operator leads');
    // The release's own Lease: two installs in one namespace elect apart.
    expect((await admin.get('/apis/coordination.k8s.io/v1/namespaces/aso-cluster/leases/cluster-aws-secrets-operator')).spec.holderIdentity)
      .toBe('cluster-aws-secrets-operator-0');
    expect(forbidden(operator)).toEqual([]);
    await stopOperator(operator);

    helmHere(['upgrade', 'cluster', CHART_DIR, '--namespace', 'aso-cluster', '--reuse-values', '--set', 'logLevel=debug', '--set', 'concurrency=4']);
    const env = (await admin.get('/apis/apps/v1/namespaces/aso-cluster/deployments/cluster-aws-secrets-operator')).spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'CONCURRENCY', value: '4' }]));
    expect(helmHere(['status', 'cluster', '--namespace', 'aso-cluster'])).toMatch(/REVISION: 2/);

    helmHere(['uninstall', 'cluster', '--namespace', 'aso-cluster']);
    expect(await exists('/apis/apps/v1/namespaces/aso-cluster/deployments/cluster-aws-secrets-operator')).toBe(false);
    expect(await exists('/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-aws-secrets-operator')).toBe(false);
    expect(await exists('/api/v1/namespaces/aso-cluster/serviceaccounts/cluster-aws-secrets-operator')).toBe(false);
    for (const crd of ['externalsecrets', 'secretstores', 'clustersecretstores', 'clusterexternalsecrets']) {
      expect(await exists(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}.external-secrets.io`)).toBe(true);
    }
    expect((await externalSecret('production', 'db-credentials')).metadata.name).toBe('db-credentials');
    expect(await exists('/api/v1/namespaces/production/secrets/db-credentials')).toBe(true);
  });

  it('namespace scope: syncs in its namespace under the chart\'s Role and touches nothing elsewhere', async () => {
    // First the copy it must leave alone, so that a sync in its own namespace later proves it had the chance.
    await applySeedExample(admin, 'staging');
    helmHere(['install', 'team', CHART_DIR, '--namespace', 'aso-team', '--create-namespace', '--set', 'scope.namespace=production', '--set', 'crds.install=false']);
    const untouched = await externalSecret('staging', 'db-credentials');
    const operator = await startChartOperator('chart-namespace', 'team', 'aso-team');
    await applySeedExample(admin, 'production', 'db-credentials-scoped');
    const es = await synced('production', 'db-credentials-scoped');
    expect(es.status.syncedResourceVersion).toBeTruthy();

    const staging = await externalSecret('staging', 'db-credentials');
    expect(staging.metadata.resourceVersion).toBe(untouched.metadata.resourceVersion);
    expect(staging.status).toBeUndefined();
    expect(await exists('/api/v1/namespaces/staging/secrets/db-credentials')).toBe(false);
    expect(forbidden(operator)).toEqual([]);
    await stopOperator(operator);
    helmHere(['uninstall', 'team', '--namespace', 'aso-team']);
    expect(await exists('/apis/rbac.authorization.k8s.io/v1/namespaces/production/roles/team-aws-secrets-operator')).toBe(false);
  });
});

describe('installing over CRDs another release left behind (as after uninstalling ESO with its CRDs kept)', () => {
  it('is refused without --take-ownership, and adopts them with it, every ExternalSecret kept', async () => {
    // The CRDs are those of the "cluster" release, uninstalled above and kept by their resource policy.
    const before = await externalSecret('production', 'db-credentials');
    expect(() => helmHere(['install', 'adopter', CHART_DIR, '--namespace', 'aso-adopter', '--create-namespace'])).toThrow(/invalid ownership metadata/);
    helmHere(['install', 'adopter', CHART_DIR, '--namespace', 'aso-adopter', '--create-namespace', '--take-ownership']);
    const crd = await admin.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/externalsecrets.external-secrets.io');
    expect(crd.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'adopter', 'helm.sh/resource-policy': 'keep' });
    expect((await externalSecret('production', 'db-credentials')).metadata.uid).toBe(before.metadata.uid);
    const operator = await startChartOperator('chart-adopter', 'adopter', 'aso-adopter');
    await admin.request('PATCH', '/apis/external-secrets.io/v1/namespaces/production/externalsecrets/db-credentials', {
      body: { metadata: { annotations: { 'force-sync': 'adopted' } } }, contentType: 'application/merge-patch+json',
    });
    await eventually(async () => {
      const es = await externalSecret('production', 'db-credentials');
      return es.status?.syncedResourceVersion !== before.status?.syncedResourceVersion && readyCondition(es)?.reason === 'SecretSynced';
    }, 'db-credentials synced again by the new release\'s operator');
    expect(forbidden(operator)).toEqual([]);
    await stopOperator(operator);
    helmHere(['uninstall', 'adopter', '--namespace', 'aso-adopter']);
  });
});

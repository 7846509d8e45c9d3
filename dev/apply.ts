import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../src/kube/client.ts';
import { kindOf } from '../src/api/kinds.ts';
import { customResourceDefinitions, resourceType } from '../src/kube/resources.ts';
import { sleep, systemClock } from '../src/kube/clock.ts';
import { DEFAULT_RELEASE, DEPLOY_MANIFEST } from './chart.ts';

export const FIELD_MANAGER = 'aws-secrets-operator-local';

/** Path of a manifest's object, from its apiVersion and kind. */
export function objectPath(manifest: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  const info = kindOf(manifest.apiVersion, manifest.kind);
  if (!info) throw new Error(`no resource mapping for ${manifest.apiVersion} ${manifest.kind} in src/api/kinds.ts`);
  return resourceType(info, manifest.apiVersion).path(manifest.metadata.namespace, manifest.metadata.name);
}

export function parseManifests(text: string): any[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d && typeof d === 'object');
}

/** Server-side apply, as `kubectl apply --server-side` does it. */
export async function applyManifest(kube: KubeClient, manifest: any): Promise<any> {
  return kube.request('PATCH', objectPath(manifest), {
    body: manifest,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: FIELD_MANAGER, force: true },
  });
}

export async function applyManifests(kube: KubeClient, text: string): Promise<any[]> {
  const out = [];
  for (const manifest of parseManifests(text)) out.push(await applyManifest(kube, manifest));
  return out;
}

/** Applies every CRD in a folder and waits until the apiserver serves them. */
export async function installCrds(kube: KubeClient, dir: string): Promise<void> {
  const crds = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((file) => parseManifests(readFileSync(join(dir, file), 'utf8')));
  for (const crd of crds) await applyManifest(kube, crd);
  await waitForCrds(kube, crds.map((crd) => crd.metadata.name));
}

async function waitForCrds(kube: KubeClient, names: string[]): Promise<void> {
  for (const name of names) {
    for (let i = 0; ; i++) {
      const crd = await kube.get(customResourceDefinitions.path(undefined, name));
      if (crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True')) break;
      if (i > 300) throw new Error(`CRD ${name} not established`);
      await sleep(systemClock, 100);
    }
  }
}

/** Kinds of the chart that only a kubelet gives meaning to. */
const POD_KINDS = new Set(['Deployment', 'PodDisruptionBudget']);

/**
 * The chart's objects from a rendering (`helm template`), applied as helm would create them, except the kinds only a
 * kubelet gives meaning to (this control plane runs no pods; the operator runs beside it). Returns the Deployment, which
 * says how to run the operator.
 */
export async function applyChartObjects(kube: KubeClient, rendered: string): Promise<{ deployment: any }> {
  const manifests = parseManifests(rendered);
  const applied = manifests.filter((m) => !POD_KINDS.has(m.kind));
  for (const manifest of applied) await applyManifest(kube, manifest);
  await waitForCrds(kube, applied.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => m.metadata.name));
  return { deployment: manifests.find((m) => m.kind === 'Deployment') };
}

/** What a cluster needs before the operator can run in it: its namespace, then deploy/aws-secrets-operator.yaml's objects. */
export async function installOperatorPrerequisites(kube: KubeClient): Promise<void> {
  await applyManifest(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_RELEASE.namespace } });
  await applyChartObjects(kube, readFileSync(DEPLOY_MANIFEST, 'utf8'));
}

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kindOf } from '../src/api/kinds.js';
import { customResourceDefinitions, resourceType } from '../src/kube/resources.js';
import { sleep, systemClock } from '../src/kube/clock.js';
export const FIELD_MANAGER = 'aws-secrets-operator-local';
/** Path of a manifest's object, from its apiVersion and kind. */
export function objectPath(manifest) {
    const info = kindOf(manifest.apiVersion, manifest.kind);
    if (!info)
        throw new Error(`no resource mapping for ${manifest.apiVersion} ${manifest.kind} in src/api/kinds.ts`);
    return resourceType(info, manifest.apiVersion).path(manifest.metadata.namespace, manifest.metadata.name);
}
export function parseManifests(text) {
    return parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d && typeof d === 'object');
}
/** Server-side apply, as `kubectl apply --server-side` does it. */
export async function applyManifest(kube, manifest) {
    return kube.request('PATCH', objectPath(manifest), {
        body: manifest,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: FIELD_MANAGER, force: true },
    });
}
export async function applyManifests(kube, text) {
    const out = [];
    for (const manifest of parseManifests(text))
        out.push(await applyManifest(kube, manifest));
    return out;
}
/** Applies every CRD in a folder and waits until the apiserver serves them. */
export async function installCrds(kube, dir) {
    const names = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
        for (const crd of parseManifests(readFileSync(join(dir, file), 'utf8'))) {
            await applyManifest(kube, crd);
            names.push(crd.metadata.name);
        }
    }
    for (const name of names) {
        for (let i = 0;; i++) {
            const crd = await kube.get(customResourceDefinitions.path(undefined, name));
            if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
                break;
            if (i > 300)
                throw new Error(`CRD ${name} not established`);
            await sleep(systemClock, 100);
        }
    }
}
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What a cluster needs before the operator can run in it: the CRDs of crds/, its namespace and its RBAC (deploy/). */
export async function installOperatorPrerequisites(kube) {
    await installCrds(kube, join(repoRoot, 'crds'));
    await applyManifests(kube, readFileSync(join(repoRoot, 'deploy/namespace.yaml'), 'utf8'));
    await applyManifests(kube, readFileSync(join(repoRoot, 'deploy/rbac.yaml'), 'utf8'));
}

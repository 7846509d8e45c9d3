import { expect } from 'vitest';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_OWNER } from '../../src/api/well-known.ts';
import { applyManifest } from '../../dev/apply.ts';
import { dataHash, objectHash } from '../../src/go/hash.ts';
import { eventually, readyCondition, type Harness } from './harness.ts';
import { events } from '../../src/kube/resources.ts';

/** An AWS secret a case needs, created in moto before the ExternalSecret. */
export interface AwsSecret {
  name: string;
  string?: string;
  binary?: Uint8Array;
  tags?: Record<string, string>;
}

export interface SecretExpectation {
  /** Every key and its exact bytes (strings are UTF-8). */
  data: Record<string, string | Uint8Array>;
  type?: string;
  /** Labels beyond the managed/created-by pair the operator always writes. */
  labels?: Record<string, string>;
  /** Annotations beyond the data-hash. */
  annotations?: Record<string, string>;
  /** creationPolicy Owner: created-by label and controller ownerReference (default true). */
  owned?: boolean;
  immutable?: boolean;
  /** metadata.finalizers, in order (default none). */
  finalizers?: string[];
}

let counter = 0;

/** A namespace with a SecretStore `aws` (default credential chain, moto) and optional store fields. */
export async function storeNamespace(h: Harness, prefix: string, aws: Record<string, unknown> = {}): Promise<string> {
  const ns = await h.namespace(prefix);
  await applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', ...aws } } },
  });
  return ns;
}

/** A unique AWS secret name for a case, so cases never share state in moto. */
export const awsName = (label: string): string => `cases/${process.pid}/${++counter}/${label}`;

export async function createAwsSecrets(h: Harness, secrets: AwsSecret[]): Promise<void> {
  const { CreateSecretCommand } = await import('@aws-sdk/client-secrets-manager');
  for (const s of secrets) {
    await h.aws.send(new CreateSecretCommand({
      Name: s.name,
      ...(s.binary ? { SecretBinary: s.binary } : { SecretString: s.string ?? '' }),
      ...(s.tags ? { Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
    }));
  }
}

export async function applyExternalSecret(h: Harness, ns: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Promise<any> {
  return applyManifest(h.kube, {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret',
    metadata: { name, namespace: ns, ...metadata },
    spec: { refreshInterval: '1h', secretStoreRef: { name: 'aws', kind: 'SecretStore' }, ...spec },
  });
}

/** Waits for the ExternalSecret's Ready condition to reach a status (and reason), and returns the ExternalSecret. */
export async function readyAs(h: Harness, ns: string, name: string, status: 'True' | 'False', reason?: string): Promise<any> {
  return eventually(async () => {
    const es = await h.externalSecret(ns, name);
    const c = readyCondition(es);
    return c?.status === status && (!reason || c.reason === reason) ? es : undefined;
  }, `ExternalSecret ${ns}/${name} Ready=${status}${reason ? ` (${reason})` : ''}`);
}

const bytes = (v: string | Uint8Array): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));

/**
 * Asserts the whole Secret: keys and bytes, type, labels, annotations and owner, as
 * ESO would have written them for the same manifest.
 */
export function expectSecret(secret: any, es: any, want: SecretExpectation): void {
  expect(secret, 'the target Secret exists').toBeDefined();
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')]));
  const wantData = Object.fromEntries(Object.entries(want.data).map(([k, v]) => [k, bytes(v)]));
  expect(data).toEqual(wantData);
  expect(secret.type).toBe(want.type ?? 'Opaque');
  const owned = want.owned ?? true;
  expect(secret.metadata.labels ?? {}).toEqual({
    [LABEL_MANAGED]: 'true',
    ...(owned ? { [LABEL_OWNER]: objectHash(`${es.metadata.namespace}/${es.metadata.name}`) } : {}),
    ...want.labels,
  });
  expect(secret.metadata.annotations ?? {}).toEqual({
    [ANNOTATION_DATA_HASH]: dataHash(Object.fromEntries(Object.entries(wantData).map(([k, v]) => [k, new Uint8Array(v)]))),
    ...want.annotations,
  });
  if (owned) {
    expect(secret.metadata.ownerReferences).toEqual([{
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: es.metadata.name, uid: es.metadata.uid, controller: true, blockOwnerDeletion: true,
    }]);
  } else {
    expect(secret.metadata.ownerReferences).toBeUndefined();
  }
  expect(Boolean(secret.immutable)).toBe(Boolean(want.immutable));
  expect(secret.metadata.finalizers ?? []).toEqual(want.finalizers ?? []);
}

/** The Events recorded for an object, oldest first. */
export async function eventsFor(h: Harness, ns: string, name: string): Promise<Array<{ type: string; reason: string; message: string }>> {
  const list = await h.kube.get(events.path(ns), { fieldSelector: `involvedObject.name=${name}` });
  return list.items
    // resourceVersion orders writes exactly; timestamps have one-second precision.
    .sort((a: any, b: any) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e: any) => ({ type: e.type, reason: e.reason, message: e.message }));
}

import type { ExternalSecret } from '../../api/generated.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_VALUE } from '../../api/well-known.ts';
import { OperatorError } from '../../errors.ts';
import { isNotFound, type KubeClient } from '../../kube/client.ts';
import { secrets } from '../../kube/resources.ts';
import { controllerOf, creationPolicy, type Secret } from '../../sync/desired-secret.ts';
import { dataHash } from '../../sync/go-hash.ts';
import { canonicalJson } from '../conditions.ts';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Whether an existing Secret may be written by this ExternalSecret. Another
 * ExternalSecret's Secret is never touched; a Secret this operator did not create
 * is written into only with creationPolicy Merge.
 */
export function checkOwnership(es: ExternalSecret, live: Secret): void {
  const owner = controllerOf(live.metadata);
  if (owner && owner.uid !== es.metadata.uid) {
    if (owner.kind === 'ExternalSecret') {
      throw new OperatorError('TargetOwnedByAnother', `target Secret "${live.metadata.name}" is owned by another ExternalSecret "${owner.name}"; choose another spec.target.name`);
    }
    throw new OperatorError('TargetNotManaged', `target Secret "${live.metadata.name}" is controlled by ${owner.kind} "${owner.name}"; choose another spec.target.name`);
  }
  const policy = creationPolicy(es);
  const ours = owner?.uid === es.metadata.uid || live.metadata.labels?.[LABEL_MANAGED] === LABEL_MANAGED_VALUE;
  if (!ours && policy !== 'Merge') {
    throw new OperatorError('TargetNotManaged', `target Secret "${live.metadata.name}" already exists and is not managed by an ExternalSecret; delete it, choose another spec.target.name, or set spec.target.creationPolicy: Merge to write into it`);
  }
}

/** The live Secret with the desired content laid over it; other labels and annotations are kept. */
export function mergeInto(live: Secret, desired: Secret): Secret {
  return {
    ...live,
    metadata: {
      ...live.metadata,
      labels: { ...live.metadata.labels, ...desired.metadata.labels },
      annotations: { ...live.metadata.annotations, ...desired.metadata.annotations },
      ...(desired.metadata.ownerReferences ? { ownerReferences: mergeOwners(live, desired) } : {}),
    },
    type: live.type ?? desired.type,
    data: desired.data,
    ...(desired.immutable ? { immutable: true } : {}),
  };
}

function mergeOwners(live: Secret, desired: Secret): Secret['metadata']['ownerReferences'] {
  const ours = desired.metadata.ownerReferences ?? [];
  const others = (live.metadata.ownerReferences ?? []).filter((ref) => !ours.some((o) => o.uid === ref.uid));
  return [...others, ...ours];
}

/** True when the Secret's data still matches the hash written with it: nobody edited it by hand. */
export function hashMatches(secret: Secret): boolean {
  const decoded: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) decoded[k] = Buffer.from(v, 'base64');
  return secret.metadata.annotations?.[ANNOTATION_DATA_HASH] === dataHash(decoded);
}

/** Reads, compares and writes the target Secret; no write when nothing changed. */
export async function writeTargetSecret(kube: KubeClient, es: ExternalSecret, desired: Secret): Promise<WriteOutcome> {
  const { namespace, name } = desired.metadata;
  let live: Secret | undefined;
  try {
    live = await kube.get<Secret>(secrets.path(namespace, name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!live) {
    await kube.request('POST', secrets.path(namespace), { body: desired });
    return 'created';
  }
  checkOwnership(es, live);
  const next = mergeInto(live, desired);
  if (sameSecret(live, next)) return 'unchanged';
  // The live resourceVersion makes this a compare-and-swap: a concurrent edit gives 409 and a retry.
  await kube.request('PUT', secrets.path(namespace, name), { body: next });
  return 'updated';
}

function sameSecret(a: Secret, b: Secret): boolean {
  return canonicalJson(a.data) === canonicalJson(b.data)
    && canonicalJson(a.metadata.labels) === canonicalJson(b.metadata.labels)
    && canonicalJson(a.metadata.annotations) === canonicalJson(b.metadata.annotations)
    && canonicalJson(a.metadata.ownerReferences) === canonicalJson(b.metadata.ownerReferences)
    && (a.type ?? 'Opaque') === (b.type ?? 'Opaque')
    && Boolean(a.immutable) === Boolean(b.immutable);
}

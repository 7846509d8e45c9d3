import type { ClusterExternalSecret } from '../../api/generated.ts';
import type { KubeClient } from '../../kube/client.ts';
import { removeFinalizers } from '../../kube/remove-finalizers.ts';
import { namespaces } from '../../kube/resources.ts';

/**
 * ESO 2.x's ClusterExternalSecret finalizers, which only ESO takes off. ESO puts the first on every
 * ClusterExternalSecret; on deletion its cleanup deletes the ExternalSecrets it made and takes the
 * second off their namespaces, then takes the first off. The second, one per ClusterExternalSecret,
 * goes on every Namespace it writes an ExternalSecret into; ESO takes it off when the namespace is
 * being deleted (if the ClusterExternalSecret still selects it) or the ClusterExternalSecret is
 * (if the namespace is in its status.provisionedNamespaces), and never when the namespace merely
 * stops matching (ESO issues #5426, #6677). After a move from ESO they stay, and with ESO gone each
 * deletion would wait forever. This operator never puts them on (the garbage collector removes what
 * a ClusterExternalSecret owns); it takes them off for what it serves (eso-namespace-controller.ts,
 * reconciler.ts).
 */
export const ESO_CES_FINALIZER = 'externalsecrets.external-secrets.io/clusterexternalsecret-cleanup';

const NAMESPACE_FINALIZER_PREFIX = 'externalsecrets.external-secrets.io/ces-';

/** ESO's finalizer on the Namespaces a ClusterExternalSecret of this name wrote into. */
export const namespaceFinalizerOf = (cesName: string): string => `${NAMESPACE_FINALIZER_PREFIX}${cesName}`;

export const holdsEsoCesFinalizer = (ces: ClusterExternalSecret): boolean => ces.metadata.finalizers?.includes(ESO_CES_FINALIZER) ?? false;

/** The names of the ClusterExternalSecrets whose ESO finalizer is among a Namespace's finalizers. */
export const cesNamesHeldBy = (finalizers: readonly string[] | undefined): string[] =>
  (finalizers ?? []).filter((f) => f.startsWith(NAMESPACE_FINALIZER_PREFIX)).map((f) => f.slice(NAMESPACE_FINALIZER_PREFIX.length));

/** Takes ESO's finalizers of these ClusterExternalSecrets off a Namespace, and nothing else. */
export async function releaseNamespace(kube: KubeClient, ns: { metadata: { name: string; finalizers?: string[] } }, cesNames: readonly string[]): Promise<void> {
  await removeFinalizers(kube, namespaces.path(undefined, ns.metadata.name), ns.metadata.finalizers ?? [], cesNames.map(namespaceFinalizerOf));
}

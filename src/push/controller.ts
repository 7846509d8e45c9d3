import type { Logger } from 'pino';
import type { PushSecret } from '../api/generated.ts';
import type { Secret } from '../api/core.ts';
import type { AwsProviders, StoreIdentity } from '../aws/store-providers.ts';
import type { Caches } from '../controllers/caches.ts';
import { servesStore, storeLookup, type ControllerClass } from '../controllers/controller-class.ts';
import type { AnyStore } from '../controllers/secretstore/validate.ts';
import type { GeneratorRunner } from '../generators/generator.ts';
import type { BackoffPolicy } from '../kube/backoff.ts';
import { isNotFound, type KubeClient } from '../kube/client.ts';
import type { Clock } from '../kube/clock.ts';
import { Controller, type Mapper, type ReconcileObserver } from '../kube/controller.ts';
import type { EventRecorder } from '../kube/events.ts';
import { cacheKey, Informer, objectKey, type InformerOptions, type KubeObject } from '../kube/informer.ts';
import { compileSelector, SelectorError } from '../kube/label-selector.ts';
import { ref, refKey, refOf, type ObjectRef } from '../kube/object-ref.ts';
import { anyOf, deletionStarted, generationChanged, labelsChanged, specOrMetadataChanged } from '../kube/predicates.ts';
import * as resources from '../kube/resources.ts';
import { ParameterStoreWriter } from './parameter-store-writer.ts';
import { PushSecretReconciler } from './reconciler.ts';
import type { AwsCallHook, RemoteWriter } from './remote-writer.ts';
import { SecretsManagerWriter } from './secrets-manager-writer.ts';

const BY_SOURCE = 'source';
const BY_NAMED_STORE = 'namedStore';

export interface PushSecretControllerOptions {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  providers: Pick<AwsProviders, 'sharedCredentialsFor'>;
  informerOptions: InformerOptions;
  watchNamespace?: string;
  controllerClass?: ControllerClass;
  concurrency: number;
  backoff?: BackoffPolicy;
  observe?: ReconcileObserver;
  onAwsCall?: AwsCallHook;
  generators?: GeneratorRunner;
}

/** The PushSecret controller and the caches only it reads, for the operator to start with the others. */
export interface PushSecretControl {
  controller: Controller<PushSecret>;
  pushSecrets: Informer<PushSecret>;
  /** Secrets' metadata only (PartialObjectMetadata: their data never reaches the operator): what wakes the PushSecrets that push them. */
  sourceSecrets: Informer<Secret & KubeObject>;
  /** Both caches, as the operator starts, awaits and stops every informer. */
  informers: Informer<KubeObject>[];
}

/**
 * The PushSecret controller. A PushSecret is pushed when its spec, labels or annotations change, when
 * the Secret it selects changes (a cache of every Secret's metadata, never their data: the reconcile
 * reads the one Secret it pushes), when a store it names or selects changes, and every
 * refreshInterval. Controller class and WATCH_NAMESPACE are honoured as for ExternalSecrets.
 */
export function pushSecretController(caches: Caches, options: PushSecretControllerOptions): PushSecretControl {
  const { kube, clock, log, events, watchNamespace, controllerClass } = options;
  const served = (type: resources.ResourceType) => (watchNamespace === undefined ? type : resources.inNamespace(type, watchNamespace));
  const pushSecrets = new Informer<PushSecret>(kube, served(resources.pushSecrets), options.informerOptions);
  const sourceSecrets = new Informer<Secret & KubeObject>(kube, served(resources.secrets), { ...options.informerOptions, metadataOnly: true, transform: metadataOnly });
  pushSecrets
    .addIndex(BY_SOURCE, (ps) => (ps.spec.selector?.secret?.name ? [cacheKey(ps.metadata.namespace, ps.spec.selector.secret.name)] : []))
    .addIndex(BY_NAMED_STORE, (ps) => (ps.spec.secretStoreRefs ?? []).filter((r) => r.name && !r.labelSelector).map((r) => refKey(namedStore(r.kind, r.name!, ps.metadata.namespace))));

  const { secretStores, cluster } = caches;
  const lookup = storeLookup(secretStores, cluster);
  const reconciler = new PushSecretReconciler({
    kube, clock, log, events, controllerClass,
    stores: {
      secretStore: (ns, name) => secretStores.get(cacheKey(ns, name)),
      secretStores: (ns) => secretStores.list().filter((s) => s.metadata.namespace === ns),
      ...(cluster ? {
        cluster: {
          clusterSecretStore: (name) => cluster.clusterSecretStores.get(name),
          clusterSecretStores: () => cluster.clusterSecretStores.list(),
          namespaceLabels: (ns) => cluster.namespaces.get(ns)?.metadata.labels,
        },
      } : {}),
    },
    writerFor: (identity, namespace) => writerFor(options, identity, namespace),
    cachedSources: (ps) => selectedSecrets(ps).map((secret) => ({ name: secret.metadata.name, resourceVersion: secret.metadata.resourceVersion })),
    ...(options.generators ? { generators: options.generators } : {}),
  });

  // A PushSecret is another controller's when every store it names exists and is of another class.
  const isServed = (ps: PushSecret): boolean => {
    const named = (ps.spec.secretStoreRefs ?? []).filter((r) => r.name && !r.labelSelector).map((r) => lookup(namedStore(r.kind, r.name!, ps.metadata.namespace)));
    return named.length === 0 || named.some((s) => s === undefined || servesStore(s, controllerClass));
  };
  const selecting = (kind: string): PushSecret[] => pushSecrets.list().filter((ps) => (ps.spec.secretStoreRefs ?? []).some((r) => r.labelSelector && (r.kind ?? 'SecretStore') === kind));
  const usersOf: Mapper<AnyStore> = ({ object: store }) => {
    const kind = store.kind ?? (store.metadata.namespace ? 'SecretStore' : 'ClusterSecretStore');
    const named = pushSecrets.byIndex(BY_NAMED_STORE, refKey(ref(kind, store.metadata.name, store.metadata.namespace)));
    const selected = selecting(kind).filter((ps) => kind === 'ClusterSecretStore' || ps.metadata.namespace === store.metadata.namespace);
    return [...new Set([...named, ...selected])].map(refOf);
  };
  // The PushSecrets that name a Secret, and those whose label selector selects it now or did before the change.
  const pushing: Mapper<KubeObject> = ({ object: secret, old }) => {
    const named = pushSecrets.byIndex(BY_SOURCE, objectKey(secret));
    const labelled = pushSecrets.list().filter((ps) => ps.metadata.namespace === secret.metadata.namespace
      && [secret, old].some((s) => s && selects(ps, s.metadata.labels ?? {})));
    return [...new Set([...named, ...labelled])].map(refOf);
  };
  /** The cached Secrets a PushSecret's selector.secret selects; none for a generator. */
  function selectedSecrets(ps: PushSecret): Array<Secret & KubeObject> {
    const namespace = ps.metadata.namespace!;
    const name = ps.spec.selector?.secret?.name;
    if (name) return [sourceSecrets.get(cacheKey(namespace, name))].filter((s) => s !== undefined);
    if (!ps.spec.selector?.secret?.selector) return [];
    return sourceSecrets.list().filter((s) => s.metadata.namespace === namespace && selects(ps, s.metadata.labels ?? {}));
  }

  const controller = new Controller<PushSecret>({
    name: 'pushsecret', clock, log, concurrency: options.concurrency, backoff: options.backoff, ...(options.observe ? { observe: options.observe } : {}),
  })
    // A deletion under way wakes it too: its finalizer's cleanup is due.
    .for(pushSecrets, anyOf(specOrMetadataChanged, deletionStarted))
    .watches(sourceSecrets, pushing)
    .watches(secretStores, usersOf, anyOf(generationChanged, labelsChanged));
  if (cluster) controller.watches(cluster.clusterSecretStores, usersOf, anyOf(generationChanged, labelsChanged));
  controller.onDeleted((ps) => reconciler.forget(ps)).serves(isServed).reconciles((ps) => reconciler.reconcile(ps));
  return { controller, pushSecrets, sourceSecrets, informers: [pushSecrets, sourceSecrets] as unknown as Informer<KubeObject>[] };
}

/** Whether selector.secret.selector selects these labels; a selector that cannot be read selects nothing (the reconcile reports it). */
function selects(ps: PushSecret, labels: Record<string, string>): boolean {
  const selector = ps.spec.selector?.secret?.selector;
  if (!selector || ps.spec.selector.secret?.name) return false;
  try {
    return compileSelector(selector)(labels);
  } catch (err) {
    if (err instanceof SelectorError) return false;
    throw err;
  }
}

/** Whether the API serves PushSecrets (their CRD is installed): discovery, which every identity may read. */
export async function pushSecretsServed(kube: KubeClient): Promise<boolean> {
  const { apiVersion, plural } = resources.pushSecrets;
  try {
    const list = await kube.get<{ resources?: Array<{ name: string }> }>(`/apis/${apiVersion}`);
    return (list.resources ?? []).some((r) => r.name === plural);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

function namedStore(kind: string | undefined, name: string, namespace: string | undefined): ObjectRef {
  return kind === 'ClusterSecretStore' ? ref('ClusterSecretStore', name) : ref('SecretStore', name, namespace);
}

/** What the source cache keeps of a Secret: enough to find the PushSecrets it wakes, never its data. */
function metadataOnly(secret: Secret & KubeObject): Secret & KubeObject {
  const { name, namespace, resourceVersion, uid, labels } = secret.metadata;
  return { metadata: { name, namespace, resourceVersion, uid, labels } } as Secret & KubeObject;
}

/** A writer for the store's service, signing with its identity's shared credentials as used from `namespace` (looked up at each push, so a rotated key applies at once). */
async function writerFor(options: PushSecretControllerOptions, identity: StoreIdentity, namespace: string): Promise<RemoteWriter> {
  const { aws } = identity;
  const { credentials } = await options.providers.sharedCredentialsFor(identity, namespace);
  const role = aws.role ?? aws.additionalRoles?.at(-1);
  const common = {
    region: aws.region!,
    ...(credentials ? { credentials } : {}),
    ...(aws.prefix ? { prefix: aws.prefix } : {}),
    ...(role ? { role } : {}),
    ...(options.onAwsCall ? { onCall: options.onAwsCall } : {}),
  };
  if (aws.service === 'ParameterStore') return new ParameterStoreWriter(common);
  return new SecretsManagerWriter({ ...common, ...(aws.secretsManager ? { deletion: aws.secretsManager } : {}) });
}

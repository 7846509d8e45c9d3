import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Logger } from 'pino';
import type { AwsProvider } from '../api/generated.ts';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import type { StoreIdentity } from '../aws/store-providers.ts';
import type { Caches } from '../controllers/caches.ts';
import { servesStore, type ControllerClass } from '../controllers/controller-class.ts';
import type { QueueState, StoreChangeState } from '../controllers/secretstore/change-notifications.ts';
import { storeLabel, validateStore, type AnyStore } from '../controllers/secretstore/validate.ts';
import { OperatorError, reasonOf } from '../errors.ts';
import type { Clock } from '../kube/clock.ts';
import type { InformerEvent } from '../kube/informer.ts';
import { refKey, refOf, type ObjectRef } from '../kube/object-ref.ts';
import { QueueListener, type MessageOutcome, type QueueHealth } from './queue-listener.ts';
import type { ChangeScope, ChangeSink } from './secret-change.ts';
import { ANNOTATION_CHANGE_QUEUE, queueRegion, queueUrlFrom, storeChangeSettings, type ChangeDefaults } from './store-settings.ts';

/**
 * CHANGE_QUEUE_URL: the operator's own queue, read with the operator pod's own credentials (the
 * SDK's default chain: IRSA, instance profile), in the region its URL names, else AWS_REGION.
 * Unset or empty: none. A value that is no SQS queue URL, or names no region with AWS_REGION
 * unset, is refused at start.
 */
export function changeQueueUrlFrom(value: string | undefined, awsRegion: string | undefined): { url: string; region: string } | undefined {
  if (value === undefined || value === '') return undefined;
  let url: string;
  try {
    url = queueUrlFrom(value, 'CHANGE_QUEUE_URL');
  } catch (err) {
    throw new Error((err as Error).message);
  }
  const region = queueRegion(url) ?? (awsRegion || undefined);
  if (!region) throw new Error(`CHANGE_QUEUE_URL ${JSON.stringify(value)} names no region (it is not an sqs.<region>.amazonaws.com URL) and AWS_REGION is not set: set AWS_REGION`);
  return { url, region };
}

export interface QueueListenersOptions {
  caches: Caches;
  providers: { sharedCredentialsFor(store: StoreIdentity, namespace: string): Promise<{ credentials: AwsCredentialIdentityProvider | undefined }> };
  sink: ChangeSink;
  clock: Clock;
  log: Logger;
  controllerClass?: ControllerClass;
  /** The operator-wide settings; the queue with its region (changeQueueUrlFrom). */
  defaults: ChangeDefaults;
  operatorQueue?: { url: string; region: string };
  /** A queue's health changed: these stores' ChangeNotifications condition is due again. */
  onStoresAffected: (stores: readonly ObjectRef[]) => void;
  onMessage?: (outcome: MessageOutcome) => void;
  /** A queue's health, for the gauge; undefined when its listener stopped. */
  onQueueHealth?: (queueUrl: string, receiving: boolean | undefined) => void;
}

interface StoreListener {
  listener: QueueListener;
  /** The stores whose annotation names this queue with this identity, by refKey. */
  stores: Map<string, ObjectRef>;
}

/**
 * Which queues are read: the operator-wide one, and each served store's change-queue-url
 * annotation, read with the store's own identity. A queue read by two listeners would split its
 * messages between them, so there is one listener per (queue URL, identity), speaking for every
 * store that names it with that identity. Listeners start and stop as the stores' annotations
 * change (the store informers), and each health change wakes the stores that show it.
 */
export class QueueListeners {
  private readonly options: QueueListenersOptions;
  private readonly listeners = new Map<string, StoreListener>();
  /** Each store's listener key, by the store's refKey. */
  private readonly assigned = new Map<string, string>();
  private operatorListener: QueueListener | undefined;
  private started = false;

  constructor(options: QueueListenersOptions) {
    this.options = options;
    const onStore = (type: InformerEvent, store: AnyStore) => {
      if (this.started) this.sync(type === 'deleted' ? undefined : store, store);
    };
    options.caches.secretStores.on(onStore);
    options.caches.cluster?.clusterSecretStores.on(onStore);
  }

  /** Call once the caches have synced: starts the operator's queue and every served store's. */
  start(): void {
    this.started = true;
    const { operatorQueue } = this.options;
    if (operatorQueue) {
      this.operatorListener = this.listener(operatorQueue.url, async () => new SQSClient({ region: operatorQueue.region, ...awsClientConfig }), () => [{ kind: 'operator' }], () => this.servedStores().map(refOf));
      this.operatorListener.start();
    }
    for (const store of this.servedStores()) this.sync(store, store);
  }

  async stop(): Promise<void> {
    this.started = false;
    const all = [...this.listeners.values()].map((l) => l.listener);
    if (this.operatorListener) all.push(this.operatorListener);
    this.listeners.clear();
    this.assigned.clear();
    await Promise.all(all.map((l) => l.stop()));
  }

  /** What the store's ChangeNotifications condition reports. */
  stateOf(store: AnyStore): StoreChangeState {
    let settings;
    try {
      settings = storeChangeSettings(store, this.options.defaults);
    } catch (err) {
      return { kind: 'invalid', message: (err as Error).message };
    }
    // Parameter Store changes are not followed, not even from the operator-wide queue (store-settings.ts).
    if (store.spec?.provider?.aws?.service === 'ParameterStore') return { kind: 'settings', settings, queues: [] };
    const queues: QueueState[] = [];
    if (settings.queueUrl) {
      const wanted = this.wanted(store);
      if (wanted.kind === 'invalid') return { kind: 'invalid', message: wanted.message };
      if (wanted.kind === 'unusable') {
        queues.push({ url: settings.queueUrl, health: { receiving: false, reason: wanted.reason, message: `${storeLabel(store)} is not valid (see its Ready condition), so its queue is not read` } });
      } else {
        const current = this.listeners.get(this.assigned.get(refKey(refOf(store))) ?? '');
        queues.push({ url: settings.queueUrl, health: current?.listener.currentHealth() });
      }
    }
    if (this.operatorListener) queues.push({ url: this.operatorListener.queueUrl, health: this.operatorListener.currentHealth() });
    return { kind: 'settings', settings, queues };
  }

  private servedStores(): AnyStore[] {
    const { caches, controllerClass } = this.options;
    const stores: AnyStore[] = [...caches.secretStores.list(), ...(caches.cluster?.clusterSecretStores.list() ?? [])];
    return stores.filter((s) => servesStore(s, controllerClass) && !s.metadata.deletionTimestamp);
  }

  /** Moves one store to the listener its annotation and identity call for now (none when deleted, unserved or not configured). */
  private sync(store: AnyStore | undefined, seen: AnyStore): void {
    const ref = refOf(seen);
    const key = refKey(ref);
    const wanted = store && servesStore(store, this.options.controllerClass) && !store.metadata.deletionTimestamp ? this.wanted(store) : { kind: 'none' as const };
    const next = wanted.kind === 'listen' ? wanted.key : undefined;
    const previous = this.assigned.get(key);
    if (previous === next) return;
    if (previous !== undefined) {
      this.assigned.delete(key);
      const old = this.listeners.get(previous);
      old?.stores.delete(key);
      if (old && old.stores.size === 0) {
        this.listeners.delete(previous);
        this.options.onQueueHealth?.(old.listener.queueUrl, undefined);
        void old.listener.stop();
      }
    }
    if (wanted.kind !== 'listen') return;
    this.assigned.set(key, wanted.key);
    let entry = this.listeners.get(wanted.key);
    if (!entry) {
      const stores = new Map<string, ObjectRef>();
      const listener = this.listener(
        wanted.url,
        () => this.connect(stores, wanted.region),
        () => [...stores.values()].map((s): ChangeScope => ({ kind: 'store', store: s })),
        () => [...stores.values()],
      );
      entry = { listener, stores };
      this.listeners.set(wanted.key, entry);
      entry.stores.set(key, ref);
      listener.start();
    } else {
      entry.stores.set(key, ref);
    }
  }

  /** The listener a store's annotation calls for: its queue and identity, or why there is none. */
  private wanted(store: AnyStore):
    | { kind: 'none' }
    | { kind: 'invalid'; message: string }
    | { kind: 'unusable'; reason: ReturnType<typeof reasonOf> }
    | { kind: 'listen'; key: string; url: string; region: string } {
    let url: string | undefined;
    try {
      url = storeChangeSettings(store, this.options.defaults).queueUrl;
    } catch {
      return { kind: 'none' };
    }
    if (!url) return { kind: 'none' };
    let aws: AwsProvider;
    try {
      aws = validateStore(store);
    } catch (err) {
      return { kind: 'unusable', reason: reasonOf(err) };
    }
    if (store.kind === 'ClusterSecretStore') {
      const field = namespaceDependentField(aws);
      if (field) {
        return {
          kind: 'invalid',
          message: `${storeLabel(store)}: annotation ${ANNOTATION_CHANGE_QUEUE}: the store's credentials depend on the ExternalSecret's namespace (${field} is not set), so no one identity can read the queue; set ${field}, or use the operator-wide queue (CHANGE_QUEUE_URL)`,
        };
      }
    }
    // The identity as the store describes it: two stores with the same description read as one.
    const identity = [store.kind === 'SecretStore' ? store.metadata.namespace : '', aws.region, aws.auth ?? null, aws.role ?? '', aws.additionalRoles ?? [], aws.externalID ?? '', aws.sessionTags ?? [], aws.transitiveTagKeys ?? []];
    return { kind: 'listen', key: JSON.stringify([url, identity]), url, region: aws.region! };
  }

  /** A client with the identity of the stores that name the queue (all alike: any of them will do). */
  private async connect(stores: Map<string, ObjectRef>, region: string): Promise<SQSClient> {
    const { caches } = this.options;
    const ref = stores.values().next().value;
    const store: AnyStore | undefined = ref?.kind === 'ClusterSecretStore'
      ? caches.cluster?.clusterSecretStores.get(ref.name)
      : ref && caches.secretStores.get(`${ref.namespace}/${ref.name}`);
    if (!store) throw new OperatorError('InternalError', 'the store that names this queue is gone');
    const identity: StoreIdentity = {
      kind: store.kind as StoreIdentity['kind'], name: store.metadata.name,
      ...(store.kind === 'SecretStore' ? { namespace: store.metadata.namespace } : {}), aws: validateStore(store),
    };
    const { credentials } = await this.options.providers.sharedCredentialsFor(identity, store.metadata.namespace ?? '');
    return new SQSClient({ region, ...awsClientConfig, ...(credentials ? { credentials } : {}) });
  }

  private listener(url: string, connect: () => Promise<SQSClient>, scopes: () => ChangeScope[], affected: () => ObjectRef[]): QueueListener {
    const { sink, clock, log, onMessage, onQueueHealth, onStoresAffected } = this.options;
    return new QueueListener({
      queueUrl: url, connect, sink, scopes, clock, log,
      ...(onMessage ? { onMessage } : {}),
      onHealth: (health: QueueHealth) => {
        onQueueHealth?.(url, health.receiving);
        onStoresAffected(affected());
      },
    });
  }
}

/**
 * A ClusterSecretStore reference without a namespace resolves in the ExternalSecret's namespace
 * (store-providers.ts), so such a store has no one identity to read a queue with.
 */
function namespaceDependentField(aws: AwsProvider): string | undefined {
  const jwt = aws.auth?.jwt?.serviceAccountRef;
  if (jwt && !jwt.namespace) return 'spec.provider.aws.auth.jwt.serviceAccountRef.namespace';
  const secretRef = aws.auth?.secretRef;
  for (const field of ['accessKeyIDSecretRef', 'secretAccessKeySecretRef', 'sessionTokenSecretRef'] as const) {
    if (secretRef?.[field] && !secretRef[field]!.namespace) return `spec.provider.aws.auth.secretRef.${field}.namespace`;
  }
  return undefined;
}

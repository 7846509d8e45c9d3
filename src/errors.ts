/**
 * Every failure the operator reports, of any kind, has a stable reason code. The code is
 * the metric label and the Warning Event's reason, and it starts the Ready condition's
 * message (a store's Ready reason is the code itself, a ClusterExternalSecret's failed
 * namespace starts with it); this one table says which codes are retried with backoff. A
 * code that is not retried waits for a change to the object or to what it reads (its
 * store, its Secret, its namespaces).
 */
export const reasonCodes = {
  /** The referenced SecretStore or ClusterSecretStore does not exist (yet). */
  StoreNotFound: { retry: true },
  /** The store cannot be used from this namespace (ClusterSecretStore conditions). */
  StoreNotAllowed: { retry: false },
  /**
   * The ExternalSecret names a ClusterSecretStore, and the operator serves one namespace only
   * (WATCH_NAMESPACE), where it reads no cluster-scoped kind. ESO, its cluster store reconciler
   * off, skips such an ExternalSecret without a word; this says why nothing happens. Not retried:
   * only a change to the spec (or to the operator's setting, which restarts it) can fix it.
   */
  ClusterSecretStoreDisabled: { retry: false },
  /** The store's provider or service is not one this operator implements. */
  UnsupportedProvider: { retry: false },
  /** A field of the ExternalSecret or store is set that this operator does not implement. */
  UnsupportedField: { retry: false },
  /** The store's provider block is invalid (e.g. no region). */
  InvalidProviderConfig: { retry: false },
  /** The ExternalSecret's spec is invalid in a way the schema could not catch. */
  InvalidSpec: { retry: false },
  /** The ServiceAccount named by auth.jwt.serviceAccountRef does not exist (yet). */
  ServiceAccountNotFound: { retry: true },
  /** The ServiceAccount has no eks.amazonaws.com/role-arn annotation. */
  RoleArnMissing: { retry: true },
  /** The Secret holding static credentials is missing or lacks a key. */
  CredentialsSecretInvalid: { retry: true },
  /** The TokenRequest API refused to issue a token. */
  TokenRequestFailed: { retry: true },
  /** STS refused the web identity token or the role. */
  AWSAuthenticationFailed: { retry: true },
  /** AWS denied the call (IAM policy). */
  AWSAccessDenied: { retry: true },
  /** The AWS secret (or the requested version) does not exist or is marked for deletion. */
  AWSSecretNotFound: { retry: true },
  /**
   * The requested version or label of a Parameter Store parameter does not exist
   * (ParameterVersionNotFound). Unlike a missing parameter (AWSSecretNotFound) it is an error
   * whatever the deletion policy, as in ESO. Retried: the version may be written yet.
   */
  AWSVersionNotFound: { retry: true },
  /** KMS could not decrypt the secret. */
  AWSDecryptionFailure: { retry: true },
  /** AWS throttled the call. */
  AWSThrottled: { retry: true },
  /** Any other AWS error, including network failures. */
  AWSRequestFailed: { retry: true },
  /** The fetched secret has no such property. */
  PropertyNotFound: { retry: true },
  /**
   * A fetched value cannot be decoded as the spec asks: not base64 for decodingStrategy Base64 or
   * Base64URL (of data, dataFrom or templateFrom's valuesDecodingStrategy), not a JSON object for
   * dataFrom.extract or rewrite.merge, or holding NUL bytes under nullBytePolicy Fail. Retried:
   * the value in AWS can be fixed.
   */
  DecodingFailed: { retry: true },
  /**
   * dataFrom produced a key a Secret cannot hold, or two keys that collide. Retried, although the
   * usual fix is a rewrite in the spec: the keys come from AWS, and an error that is not retried
   * would never notice a key renamed there (a spec change triggers a reconcile anyway).
   */
  InvalidSecretKey: { retry: true },
  /**
   * A ClusterExternalSecret's ExternalSecret name is taken in a namespace by one it does not control
   * (ESO's "external secret already exists in namespace"). Not retried: the other one must go first,
   * and its deletion wakes the ClusterExternalSecret.
   */
  ExternalSecretNotOwned: { retry: false },
  /**
   * The apiserver refused the ExternalSecret a ClusterExternalSecret derives (400 or 422): its
   * externalSecretSpec or externalSecretMetadata must change.
   */
  ExternalSecretRejected: { retry: false },
  /** A ClusterExternalSecret's namespaceSelector(s) cannot be parsed; ESO reports it under the namespace "unknown". */
  InvalidNamespaceSelector: { retry: false },
  /**
   * spec.target.manifest is set and the operator does not allow generic targets
   * (UNSAFE_ALLOW_GENERIC_TARGETS, the chart's genericTargets.enabled), as ESO without its
   * --unsafe-allow-generic-targets flag. Not retried: only a change to the spec (or to the
   * setting, which restarts the operator) can fix it.
   */
  GenericTargetsDisabled: { retry: false },
  /**
   * A store's change-notification annotations cannot be read (a queue URL, a poll interval). The
   * store stays usable: its ExternalSecrets refresh at their refreshInterval; the store's
   * ChangeNotifications condition says why. Not retried: only a change to the annotation helps.
   */
  InvalidChangeSettings: { retry: false },
  /**
   * A change-notification SQS queue (CHANGE_QUEUE_URL, or a store's change-queue-url annotation)
   * does not exist. Its listener retries with backoff (1 s doubling to 5 min) until it does; the
   * ExternalSecrets refresh at their refreshInterval meanwhile.
   */
  ChangeQueueNotFound: { retry: true },
  /**
   * spec.target.manifest names a kind this operator does not write (it writes Secrets and, as ESO's
   * generic targets, ConfigMaps). Not retried: only a change to the spec can fix it.
   */
  UnsupportedTargetKind: { retry: false },
  /** The target (Secret or ConfigMap) is controlled by another ExternalSecret. */
  TargetOwnedByAnother: { retry: false },
  /** The target exists and was not created by this operator; only creationPolicy Merge or CreateOrMerge may write into it. */
  TargetNotManaged: { retry: false },
  /** The target (Secret or ConfigMap) is immutable and its data would change. */
  TargetImmutable: { retry: false },
  /** A template could not be parsed or rendered (a missing key may appear in AWS later, so retried). */
  TemplateFailed: { retry: true },
  /**
   * A template went past a bound of src/go/template/limits.ts (the size of a string, value or
   * output; evaluation steps, range iterations, work; parse-tree nodes, nesting). Not retried: the
   * bounds are far above what real templates need, so the template must change, and a retry
   * would only spend the same CPU again.
   */
  TemplateLimitExceeded: { retry: false },
  /**
   * The Secret would hold more data than Kubernetes allows (1 MiB, the sum of its values), or
   * dataFrom gathered more than that (find results, decoded values, rewritten keys) before it
   * could be assembled; checked as the data grows, before anything larger is built. Retried:
   * the data in AWS may shrink.
   */
  SecretTooLarge: { retry: true },
  /**
   * The apiserver refused the Secret as rendered (422 Invalid): e.g. a template made a label value
   * or key that Kubernetes does not allow. The refused fields are named, never the values. Retried:
   * the values come from AWS, which may change.
   */
  TargetRejected: { retry: true },
  /** A templateFrom ConfigMap or Secret is missing or lacks a key. */
  TemplateSourceInvalid: { retry: true },
  /**
   * Rolling restarts (ROLLING_RESTART, controllers/externalsecret/rollout-restart.ts) never fail a
   * sync: the Secret is written; these are the reasons of Warning Events on the ExternalSecret.
   * RollingRestartDisabled: its annotation aws-secrets-operator.io/restart asks for restarts, and
   * they are off (recorded at each change of the Secret's data, nothing patched).
   */
  RollingRestartDisabled: { retry: false },
  /** An entry of aws-secrets-operator.io/restart is not <kind>/<name>, or names a workload its namespace does not hold; the others are used. */
  InvalidRestartTarget: { retry: false },
  /** Listing or patching the workloads to restart failed: retried with backoff until done (one Warning per restart). */
  RestartFailed: { retry: true },
  /**
   * PushSecret (src/push/). SourceSecretNotFound: selector.secret names a Secret its namespace does
   * not hold (ESO's "could not get source secret"); its creation wakes the PushSecret, so not retried.
   */
  SourceSecretNotFound: { retry: false },
  /** A data[].match.secretKey the source Secret lacks; a change to the Secret wakes the PushSecret. */
  SourceKeyNotFound: { retry: false },
  /**
   * The remote secret or parameter exists without the tag managed-by: external-secrets: it is not
   * overwritten (ESO's "secret not managed by external-secrets"). Retried with backoff: the tag may be
   * added in AWS, which no watch sees.
   */
  RemoteSecretNotManaged: { retry: true },
  /**
   * Generators (generators.external-secrets.io, src/generators/). GeneratorNotFound: the generator a
   * generatorRef names does not exist (yet) in the ExternalSecret's namespace, or as a ClusterGenerator.
   * InvalidGeneratorSpec: the generator's spec cannot be used (go-password's rules, secretKeys, a
   * ClusterGenerator without the spec of its kind). Both retried: the fix is to the generator, which
   * the operator does not watch. ClusterGeneratorDisabled: a generatorRef names a ClusterGenerator
   * and the operator serves one namespace (WATCH_NAMESPACE), where it reads no cluster-scoped kind;
   * not retried, as ClusterSecretStoreDisabled.
   */
  GeneratorNotFound: { retry: true },
  InvalidGeneratorSpec: { retry: true },
  ClusterGeneratorDisabled: { retry: false },
  /** A call to the Kubernetes API failed. */
  KubernetesAPIError: { retry: true },
  /** A bug or an unexpected failure: retried, and worth a report. */
  InternalError: { retry: true },
} as const satisfies Record<string, { retry: boolean }>;

export type ReasonCode = keyof typeof reasonCodes;

/** Base class of every error the operator raises on purpose. */
export class OperatorError extends Error {
  readonly code: ReasonCode;

  constructor(code: ReasonCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code;
    this.code = code;
  }

  get retryable(): boolean {
    return reasonCodes[this.code].retry;
  }
}

/** The reason code for any thrown value. */
export function reasonOf(error: unknown): ReasonCode {
  if (error instanceof OperatorError) return error.code;
  if (error instanceof Error && (error as { code?: unknown }).code === 'KubeApiError') return 'KubernetesAPIError';
  return 'InternalError';
}

/**
 * The apiserver could not serve the call (unreachable, 5xx, 429, or 401/403 as a restarting
 * apiserver answers before its authorizers are loaded), itself or as the cause of another
 * failure (e.g. a TokenRequest that could not be made): worth retrying at once when it serves
 * again. Another refusal (a 422 of a rendered Secret, a 404, a 409) is not: the apiserver's
 * return changes nothing about it.
 */
export function failedOnApiserver(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 8; depth++, e = e.cause) {
    if (reasonOf(e) === 'KubernetesAPIError') {
      const status = (e as { status?: unknown }).status;
      return typeof status !== 'number' || status >= 500 || [401, 403, 429].includes(status);
    }
  }
  return false;
}

/** How a failure reads in a status, an Event or a log line: its reason code, then what happened. */
export function failureMessage(error: unknown): string {
  return `${reasonOf(error)}: ${error instanceof Error ? error.message : String(error)}`;
}

/** The one error policy: whether a failed reconcile is retried with backoff, from the table above. */
export function isRetryable(error: unknown): boolean {
  return reasonCodes[reasonOf(error)].retry;
}

/** Label and annotation names that ESO users and tooling already rely on. */
export const LABEL_MANAGED = 'reconcile.external-secrets.io/managed';
export const LABEL_MANAGED_VALUE = 'true';
/** Hash of `<namespace>/<name>` of the ExternalSecret that owns the Secret (creationPolicy Owner). */
export const LABEL_OWNER = 'reconcile.external-secrets.io/created-by';
export const ANNOTATION_DATA_HASH = 'reconcile.external-secrets.io/data-hash';

/** The garbage collector's finalizer on an object deleted with `--cascade=orphan`: its dependents are to stay. */
export const FINALIZER_ORPHAN = 'orphan';

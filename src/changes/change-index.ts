import { refKey, type ObjectRef } from '../kube/object-ref.ts';
import { DEFAULT_VERSION } from '../aws/provider.ts';
import type { FindSpec, StoreFetch } from '../sync/fetch-plan.ts';
import { compileGoRegexp } from '../sync/rewrite.ts';
import { secretNamesOf } from './secret-name.ts';
import type { ChangeScope, ReadsByStore, SecretChange, StoreReads } from './secret-change.ts';

/** What one ExternalSecret reads through one store, as planned at its last sync. */
export interface ReadThroughStore {
  store: ObjectRef;
  /** The store's region: a change in another region is not this read's. */
  region: string;
  /** Values (any version) and tags read, as asked (the store's prefix applied). */
  secretIds: readonly string[];
  /** Default-version (AWSCURRENT) value reads among them: what a change poll compares. */
  currentIds: readonly string[];
  finds: readonly FindSpec[];
}

interface Reads {
  namespace: string;
  stores: readonly ReadThroughStore[];
}

/**
 * What each served ExternalSecret reads, as planned at its last sync, found by secret name: a
 * change report reaches exactly the ExternalSecrets that read that secret, without a scan. It is
 * recorded whether the sync then succeeds or not (a restored secret must refresh the
 * ExternalSecret that failed when it went) and goes with the ExternalSecret. A dataFrom.find cannot be looked up by
 * name: it is matched as AWS would list it (name pattern, path prefix; a tag filter alone may
 * match any name, so it always does).
 */
export class ChangeIndex implements ReadsByStore {
  private readonly reads = new Map<string, Reads>();
  private readonly byName = new Map<string, Set<string>>();
  /** ExternalSecrets with a dataFrom.find. */
  private readonly finders = new Set<string>();

  /** Records what the ExternalSecret (by its queue key) reads, replacing what it read before. */
  record(key: string, namespace: string, stores: readonly ReadThroughStore[]): void {
    const before = this.reads.get(key);
    if (before && sameReads(before, namespace, stores)) return;
    this.forget(key);
    this.reads.set(key, { namespace, stores });
    for (const read of stores) {
      for (const id of read.secretIds) {
        for (const name of secretNamesOf(id).names) {
          let keys = this.byName.get(name);
          if (!keys) this.byName.set(name, (keys = new Set()));
          keys.add(key);
        }
      }
      if (read.finds.length) this.finders.add(key);
    }
  }

  forget(key: string): void {
    const reads = this.reads.get(key);
    if (!reads) return;
    this.reads.delete(key);
    this.finders.delete(key);
    for (const read of reads.stores) {
      for (const id of read.secretIds) {
        for (const name of secretNamesOf(id).names) {
          const keys = this.byName.get(name);
          keys?.delete(key);
          if (keys?.size === 0) this.byName.delete(name);
        }
      }
    }
  }

  /** The ExternalSecrets (queue keys) a change reaches within the scope. */
  affected(change: SecretChange, scope: ChangeScope): string[] {
    const names = new Set([change.name, ...(change.arn ? secretNamesOf(change.arn).names : [])]);
    const region = change.region ?? (change.arn ? secretNamesOf(change.arn).region : undefined);
    const found: string[] = [];
    const candidates = new Set<string>(this.finders);
    for (const name of names) for (const key of this.byName.get(name) ?? []) candidates.add(key);
    for (const key of candidates) {
      const reads = this.reads.get(key)!;
      if (scope.kind === 'store' && scope.namespace !== undefined && reads.namespace !== scope.namespace) continue;
      const hit = reads.stores.some((read) =>
        (scope.kind === 'operator' || refKey(read.store) === refKey(scope.store))
        && (region === undefined || region === read.region)
        && (read.secretIds.some((id) => secretNamesOf(id).names.some((n) => names.has(n))) || read.finds.some((find) => [...names].some((n) => findMayList(find, n)))));
      if (hit) found.push(key);
    }
    return found;
  }

  /** Per store and namespace, the current-version reads of its ExternalSecrets, for change polls. */
  *storeReads(): Iterable<StoreReads> {
    const grouped = new Map<string, { store: ObjectRef; namespace: string; ids: Set<string>; finds: boolean }>();
    for (const reads of this.reads.values()) {
      for (const read of reads.stores) {
        const group = `${refKey(read.store)}\u0000${reads.namespace}`;
        let entry = grouped.get(group);
        if (!entry) grouped.set(group, (entry = { store: read.store, namespace: reads.namespace, ids: new Set(), finds: false }));
        for (const id of read.currentIds) entry.ids.add(id);
        if (read.finds.length) entry.finds = true;
      }
    }
    for (const { store, namespace, ids, finds } of grouped.values()) yield { store, namespace, secretIds: [...ids], finds };
  }

  /** ExternalSecrets recorded. */
  get size(): number {
    return this.reads.size;
  }
}

/**
 * Whether a dataFrom.find could list a secret of that name: its pattern matches, the name starts
 * with its path (AWS's name filter, taken without case to err on the side of a refresh); tags
 * cannot be told from a name. A pattern that fails to compile or to run matches (the sync reports it).
 */
function findMayList(find: FindSpec, name: string): boolean {
  if (find.path !== undefined && !name.toLowerCase().startsWith(find.path.toLowerCase())) return false;
  if (find.nameRegexp === undefined) return true;
  try {
    return compileGoRegexp(find.nameRegexp, 'find.name.regexp').matches(name);
  } catch {
    return true;
  }
}

function sameReads(before: Reads, namespace: string, stores: readonly ReadThroughStore[]): boolean {
  return before.namespace === namespace && JSON.stringify(before.stores) === JSON.stringify(stores);
}

/**
 * What an ExternalSecret reads through each of its stores, from its fetch plan (sync/fetch-plan.ts):
 * the stores by their key in the plan, with the reference, region and AWS service of each. Reads
 * through a Parameter Store store are left out: its parameter names are not Secrets Manager names,
 * so a change event or poll of a secret must never refresh them (their changes are not followed).
 */
export function readsOfPlan(stores: Iterable<readonly [string, { ref: ObjectRef; region: string; service?: string }]>, plan: readonly StoreFetch[]): ReadThroughStore[] {
  const reads: ReadThroughStore[] = [];
  for (const [key, { ref, region, service }] of stores) {
    if (service === 'ParameterStore') continue;
    const secretIds: string[] = [];
    const currentIds: string[] = [];
    const finds: FindSpec[] = [];
    for (const fetch of plan) {
      if (fetch.store !== key) continue;
      if (fetch.kind === 'find') finds.push(fetch.find);
      else if (fetch.kind === 'tags') secretIds.push(fetch.key);
      else {
        secretIds.push(fetch.ref.key);
        if (fetch.ref.version === DEFAULT_VERSION) currentIds.push(fetch.ref.key);
      }
    }
    reads.push({ store: ref, region, secretIds: [...new Set(secretIds)], currentIds: [...new Set(currentIds)], finds });
  }
  return reads;
}

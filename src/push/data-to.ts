/**
 * spec.dataTo, as ESO expands it (pkg/controllers/pushsecret: expandDataTo and its helpers): for each
 * store, the dataTo entries that target it (by storeRef name and kind, or a label selector of stores
 * of that kind); each entry's keys converted (conversionStrategy), matched against `match.regexp`
 * (Go's regexp, unanchored; empty: all), renamed by its rewrites (sync/rewrite.ts, ESO's order), and
 * each one pushed to a remote key of its own name, with the entry's metadata. Explicit `data` entries
 * win over dataTo ones for the same source key; two entries writing one remote location are an error,
 * as in ESO. In the bundle mode (`remoteKey`) the matched keys go to that one remote secret as a JSON
 * object, as a `data` entry without secretKey pushes a whole Secret.
 * Pure.
 */
import type { PushSecret, PushSecretData, PushSecretDataTo, PushSecretStoreRef } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { compileSelector, SelectorError } from '../kube/label-selector.ts';
import { GoRegexpLimitError } from '../go/regexp/regexp.ts';
import { compileGoRegexp, rewriteKeys, type TransformRenderer } from '../sync/rewrite.ts';
import { convertedData, type SecretBytes } from './push-value.ts';

/** A store as dataTo matches it. */
export interface DataToStore {
  kind: string;
  name: string;
  labels: Record<string, string>;
}

/** ESO's validateDataToStoreRefs: every dataTo storeRef by name must be one of secretStoreRefs (of its kind). */
export function checkDataToStoreRefs(ps: PushSecret): void {
  (ps.spec.dataTo ?? []).forEach((d, i) => {
    const ref = d.storeRef;
    if (!ref) throw new OperatorError('InvalidSpec', `dataTo[${i}]: storeRef is required`);
    if (!ref.name && !ref.labelSelector) throw new OperatorError('InvalidSpec', `dataTo[${i}]: storeRef must have name or labelSelector`);
    if (ref.name && !ps.spec.secretStoreRefs.some((s) => kindOf(s) === kindOf(ref) && (s.name === ref.name || s.labelSelector))) {
      throw new OperatorError('InvalidSpec', `dataTo[${i}]: storeRef "${ref.name}" not found in secretStoreRefs`);
    }
  });
}

const kindOf = (ref: PushSecretStoreRef): string => ref.kind || 'SecretStore';

/**
 * An entry to push, where the spec says it (for messages), and for a bundle (dataTo remoteKey) the
 * matched keys it pushes as one JSON object instead of the whole Secret.
 */
export interface PlacedEntry { entry: PushSecretData; at: string; data?: SecretBytes }

/** The entries a store gets from one source's data: dataTo's expansion, then the explicit data. */
export function entriesForStore(ps: PushSecret, store: DataToStore, data: SecretBytes, render: TransformRenderer): PlacedEntry[] {
  const explicit = (ps.spec.data ?? []).map((entry, i) => ({ entry, at: `spec.data[${i}]` }));
  const expanded: PlacedEntry[] = [];
  const remoteFrom = new Map<string, string>();
  (ps.spec.dataTo ?? []).forEach((dataTo, i) => {
    if (!targets(dataTo, store, i)) return;
    if (dataTo.remoteKey) {
      const bundle = bundleOf(dataTo, data, `dataTo[${i}]`);
      if (bundle) expanded.push({ ...bundle, at: `spec.dataTo[${i}]` });
      return;
    }
    for (const entry of expand(dataTo, data, render, `dataTo[${i}]`)) {
      const remote = entry.match.remoteRef.remoteKey;
      const other = remoteFrom.get(remote);
      if (other !== undefined) {
        throw new OperatorError('InvalidSpec', `dataTo[${i}]: duplicate remote key "${remote}" from source key "${entry.match.secretKey}" (conflicts with ${other})`);
      }
      remoteFrom.set(remote, `dataTo[${i}]:${entry.match.secretKey}`);
      expanded.push({ entry, at: `spec.dataTo[${i}]` });
    }
  });
  // Explicit data wins for a source key both name.
  const explicitKeys = new Set(explicit.map(({ entry }) => entry.match.secretKey ?? ''));
  const entries = [...expanded.filter(({ entry }) => !explicitKeys.has(entry.match.secretKey ?? '')), ...explicit];
  const seen = new Map<string, string>();
  for (const { entry: e } of entries) {
    const location = JSON.stringify([e.match.remoteRef.remoteKey, e.match.remoteRef.property ?? '']);
    const other = seen.get(location);
    if (other !== undefined) {
      throw new OperatorError('InvalidSpec', `duplicate remote location "${e.match.remoteRef.remoteKey}"${e.match.remoteRef.property ? ` property "${e.match.remoteRef.property}"` : ''}: `
        + `source keys "${other}" and "${e.match.secretKey ?? ''}" both push to it`);
    }
    seen.set(location, e.match.secretKey ?? '');
  }
  return entries;
}

/** ESO's dataToMatchesStore: a name (with its kind) takes precedence over a label selector. */
function targets(dataTo: PushSecretDataTo, store: DataToStore, i: number): boolean {
  const ref = dataTo.storeRef;
  if (!ref) return false;
  if (kindOf(ref) !== store.kind) return false;
  if (ref.name) return ref.name === store.name;
  if (!ref.labelSelector) return false;
  try {
    return compileSelector(ref.labelSelector)(store.labels);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new OperatorError('InvalidSpec', `dataTo[${i}]: invalid labelSelector: ${err.message}`);
  }
}

/**
 * The bundle mode: the matched keys (after conversionStrategy) as one entry that pushes them to
 * `remoteKey` as a JSON object, as an entry without secretKey pushes a whole Secret; none when no key
 * matches (nothing is pushed, as for the per-key mode).
 */
function bundleOf(dataTo: PushSecretDataTo, data: SecretBytes, at: string): { entry: PushSecretData; data: SecretBytes } | undefined {
  const converted = convertedData(data, dataTo.conversionStrategy, at);
  const matched = matchedKeys(dataTo, converted, at);
  if (matched.length === 0) return undefined;
  return {
    entry: {
      match: { remoteRef: { remoteKey: dataTo.remoteKey! } },
      ...(dataTo.metadata !== undefined ? { metadata: dataTo.metadata } : {}),
      conversionStrategy: 'None',
    },
    // Already converted: the entry's own strategy is None so that it is not applied twice.
    data: Object.fromEntries(matched.map((key) => [key, converted[key]!])),
  };
}

/** One dataTo entry's keys, matched and renamed, as data entries (in key order, for a stable status). */
function expand(dataTo: PushSecretDataTo, data: SecretBytes, render: TransformRenderer, at: string): PushSecretData[] {
  const converted = convertedData(data, dataTo.conversionStrategy, at);
  const matched = matchedKeys(dataTo, converted, at).sort();
  // Each key carries its own name as its value through the rewrites, so the result maps remote to source keys.
  const named = Object.fromEntries(matched.map((key) => [key, Buffer.from(key, 'utf8')]));
  const renamed = rewriteKeys(named, dataTo.rewrite ?? [], render, `${at}.rewrite`);
  if (Object.hasOwn(renamed, '')) {
    throw new OperatorError('InvalidSpec', `${at}: empty remote key produced for source key "${Buffer.from(renamed['']!).toString('utf8')}"`);
  }
  return Object.entries(renamed).map(([remoteKey, source]) => ({
    match: { secretKey: Buffer.from(source).toString('utf8'), remoteRef: { remoteKey } },
    ...(dataTo.metadata !== undefined ? { metadata: dataTo.metadata } : {}),
    conversionStrategy: dataTo.conversionStrategy ?? 'None',
  }));
}

/** The keys `match.regexp` matches (Go's regexp, unanchored; none set: all); a pattern too costly to run is refused. */
function matchedKeys(dataTo: PushSecretDataTo, data: SecretBytes, at: string): string[] {
  const pattern = dataTo.match?.regexp ? compileGoRegexp(dataTo.match.regexp, `${at}.match.regexp`) : undefined;
  try {
    return Object.keys(data).filter((key) => !pattern || pattern.matches(key));
  } catch (error) {
    if (!(error instanceof GoRegexpLimitError)) throw error;
    throw new OperatorError('UnsupportedField', `${at}.match.regexp: ${error.message} on a key; this operator refuses patterns that costly`, { cause: error });
  }
}

import type { PodSpec, Workload } from '../api/core.ts';
import { GoRegexp } from '../go/regexp/regexp.ts';

/**
 * Which workloads a rolling restart touches when a target Secret's data changed (pure): those the
 * ExternalSecret names in its aws-secrets-operator.io/restart annotation, and those Stakater
 * Reloader's annotations select, so that Reloader can be removed. Reloader's rules are restated here
 * to decide as Reloader v1.4 does (its master branch: ShouldReload, then the container search of
 * handler/upgrade.go), quirks included; each quirk is named where it is kept.
 */

/** The ExternalSecret's opt-in: a comma-separated list of `<kind>/<name>`, in its own namespace. */
export const ANNOTATION_RESTART = 'aws-secrets-operator.io/restart';
/** Entries of the annotation read; more are reported and dropped. */
const MAX_ENTRIES = 50;

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** The names kubectl accepts for each kind (singular, plural, short), in any case, optionally with the group. */
const KIND_NAMES: Record<string, WorkloadKind> = {
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment',
  statefulset: 'StatefulSet', statefulsets: 'StatefulSet', sts: 'StatefulSet',
  daemonset: 'DaemonSet', daemonsets: 'DaemonSet', ds: 'DaemonSet',
};
const GROUP_SUFFIX = /\.(v1\.)?apps$/;

/** apimachinery's IsDNS1123Subdomain: what the apiserver accepts as a workload's name. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_MAX = 253;

/** What the annotation asks for: workload keys (`Kind/name`), and why each entry that could not be read was dropped. */
export interface RestartRequest {
  named: Set<string>;
  problems: string[];
}

export const workloadKey = (kind: WorkloadKind, name: string): string => `${kind}/${name}`;

/**
 * Reads the annotation. Empty entries (a trailing comma) are skipped; an entry that is not
 * `<kind>/<name>` is reported and the others are used. At most 50 entries are read, walking the
 * text entry by entry, so a huge value costs no more than its first 50 entries.
 */
export function restartRequestOf(annotation: string | undefined): RestartRequest {
  const request: RestartRequest = { named: new Set(), problems: [] };
  if (!annotation) return request;
  let entries = 0;
  for (let start = 0; start <= annotation.length;) {
    const comma = annotation.indexOf(',', start);
    const end = comma === -1 ? annotation.length : comma;
    const entry = annotation.slice(start, end).trim();
    start = end + 1;
    if (entry === '') continue;
    if (++entries > MAX_ENTRIES) {
      request.problems.push(`more than ${MAX_ENTRIES} entries: only the first ${MAX_ENTRIES} are used`);
      break;
    }
    const read = readEntry(entry);
    if (typeof read === 'string') request.problems.push(`entry ${quote(entry)} ${read}`);
    else request.named.add(workloadKey(read.kind, read.name));
  }
  return request;
}

/** The workload an entry names, or why it names none. */
function readEntry(entry: string): { kind: WorkloadKind; name: string } | string {
  const parts = entry.split('/');
  if (parts.length !== 2) return 'is not <kind>/<name> (e.g. deployment/web)';
  const [kindName, name] = parts.map((p) => p.trim()) as [string, string];
  const kind = KIND_NAMES[kindName.toLowerCase().replace(GROUP_SUFFIX, '')];
  if (!kind) return 'names no kind that can be restarted: deployment (deploy), statefulset (sts) or daemonset (ds)';
  if (name.length > SUBDOMAIN_MAX || !SUBDOMAIN.test(name)) {
    return `has no valid name: a lowercase DNS subdomain of at most ${SUBDOMAIN_MAX} characters (letters, digits, '-' and '.')`;
  }
  return { kind, name };
}

const quote = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s);

/** The changed Secret, as its annotations say whether Reloader's rules may pick it. */
export interface ChangedSecret {
  name: string;
  annotations?: Record<string, string>;
}

/**
 * Why this workload is restarted for the change, or undefined: named by the ExternalSecret, or
 * selected by a Reloader annotation (which one, so the Event can say).
 */
export function restartReason(kind: WorkloadKind, workload: Workload, secret: ChangedSecret, named: ReadonlySet<string>): string | undefined {
  if (named.has(workloadKey(kind, workload.metadata.name))) return `named in the ExternalSecret's annotation ${ANNOTATION_RESTART}`;
  const rule = reloaderRule(workload, secret);
  return rule && `its annotation ${rule}`;
}

// Reloader's annotations (its defaults; Reloader can rename them by flag, which this does not follow).
const RELOAD = 'secret.reloader.stakater.com/reload';
const AUTO = 'reloader.stakater.com/auto';
const SECRET_AUTO = 'secret.reloader.stakater.com/auto';
const SEARCH = 'reloader.stakater.com/search';
const MATCH = 'reloader.stakater.com/match';
const IGNORE = 'reloader.stakater.com/ignore';
const EXCLUDE = 'secrets.exclude.reloader.stakater.com/reload';

/** Which of Reloader's annotations restarts the workload for this Secret, or undefined. */
function reloaderRule(workload: Workload, secret: ChangedSecret): string | undefined {
  if (secret.annotations?.[IGNORE] === 'true') return undefined;
  const own = workload.metadata.annotations ?? {};
  // Reloader reads the pod template's annotations only when the workload has none of these four
  // (present at all, whatever the value); the exclusion list it reads from the workload alone.
  const annotations = [RELOAD, AUTO, SECRET_AUTO, SEARCH].some((key) => key in own) ? own : workload.spec?.template?.metadata?.annotations ?? {};
  const excluded = own[EXCLUDE];
  if (excluded !== undefined && excluded.split(',').some((name) => name.trim() === secret.name)) return undefined;
  const podSpec = workload.spec?.template?.spec;
  // Auto is decided first and alone: a workload with auto on that does not use the Secret is not
  // restarted, even when its reload list names the Secret (Reloader returns before reading the list).
  for (const key of [AUTO, SECRET_AUTO]) {
    if (goParseBool(annotations[key])) return usesSecret(podSpec, secret.name) ? key : undefined;
  }
  if (reloadListMatches(annotations[RELOAD] ?? '', secret.name)) return RELOAD;
  if (annotations[SEARCH] === 'true' && secret.annotations?.[MATCH] === 'true' && usesSecret(podSpec, secret.name)) return `${SEARCH} (the Secret has ${MATCH})`;
  return undefined;
}

/** Go's strconv.ParseBool, true side: what Reloader takes for "true" (an error counts as false). */
const goParseBool = (value: string | undefined): boolean => value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);

/**
 * Reloader's reload list: each comma-separated item, trimmed, is a Go regexp anchored as `^item$`
 * and searched for in the Secret's name (so `a|b` reads as `^a` or `b$`, as in Reloader). An item
 * that is not a valid Go regexp matches nothing (Reloader's regexp.MustCompile panics on it).
 */
function reloadListMatches(list: string, name: string): boolean {
  for (const item of list.split(',')) {
    try {
      if (GoRegexp.compile(`^${item.trim()}$`).matches(name)) return true;
    } catch {
      // Invalid, or past this operator's bounds on a pattern: no match.
    }
  }
  return false;
}

/**
 * Reloader's test of a pod template using the Secret: the first volume that holds it (as a secret
 * volume or a projected source) is mounted by a container or an init container, or a container or
 * init container reads it in env (valueFrom.secretKeyRef) or envFrom (secretRef).
 */
function usesSecret(spec: PodSpec | undefined, name: string): boolean {
  const containers = [...spec?.containers ?? [], ...spec?.initContainers ?? []];
  const volume = spec?.volumes?.find((v) => v.secret?.secretName === name || v.projected?.sources?.some((s) => s.secret?.name === name));
  if (volume && containers.some((c) => c.volumeMounts?.some((m) => m.name === volume.name))) return true;
  return containers.some((c) => c.env?.some((e) => e.valueFrom?.secretKeyRef?.name === name) || c.envFrom?.some((e) => e.secretRef?.name === name));
}

/** kubectl rollout restart's annotation on the pod template: a change of it rolls the pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * The annotation's value, as kubectl writes it: the time in Go's time.RFC3339 (whole seconds) in the
 * operator's zone, UTC as in its image (`2026-12-03T10:14:02Z`). When the workload already holds
 * that second or a later one (two changes within a second), one second after it: a value equal to
 * the one there would change nothing, and restart nothing.
 */
export function restartedAt(nowMs: number, current: string | undefined): string {
  let seconds = Math.floor(nowMs / 1000);
  const previous = current === undefined ? NaN : Date.parse(current);
  if (Number.isFinite(previous) && Math.floor(previous / 1000) >= seconds) seconds = Math.floor(previous / 1000) + 1;
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

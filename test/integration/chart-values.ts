import { isMap, parseDocument, type YAMLMap } from 'yaml';

/**
 * The chart's values.yaml as documentation and as input: every key, whether a comment line documents it, and for each
 * leaf a value that differs from its default, so a test can show that the key changes what the chart renders.
 */
export interface ValuesKey {
  path: string[];
  value: unknown;
  documented: boolean;
  /** A map whose keys are listed themselves (its own change is theirs). */
  branch: boolean;
}

export function valuesKeys(text: string): ValuesKey[] {
  const keys: ValuesKey[] = [];
  const walk = (map: YAMLMap, path: string[]) => {
    map.items.forEach((pair, i) => {
      const key = pair.key as any;
      // A comment above a nested map's first key belongs to the map in the YAML tree.
      const documented = Boolean(key.commentBefore?.trim() || (i === 0 && map.commentBefore?.trim()));
      const value = pair.value as any;
      const branch = isMap(value) && value.items.length > 0;
      keys.push({ path: [...path, String(key.value)], value: value?.toJSON?.() ?? value?.value ?? null, documented, branch });
      if (branch) walk(value, [...path, String(key.value)]);
    });
  };
  const doc = parseDocument(text);
  walk(doc.contents as YAMLMap, []);
  return keys;
}

/**
 * A value other than the default, valid for the key: booleans and tri-states flip, numbers grow, and strings, lists
 * and maps take a sample from this table, written like a user's (a leaf with no sample fails the test: add one).
 */
const SAMPLES: Record<string, unknown> = {
  nameOverride: 'secrets',
  fullnameOverride: 'platform-secrets',
  'image.repository': 'registry.example.com/aws-secrets-operator',
  'image.tag': '9.9.9',
  'image.digest': `sha256:${'ab'.repeat(32)}`,
  'image.pullPolicy': 'Always',
  imagePullSecrets: [{ name: 'regcred' }],
  'serviceAccount.name': 'secrets-reader',
  'serviceAccount.annotations': { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/secrets-reader' },
  'scope.namespace': 'team-a',
  controllerClass: 'aws',
  'changeNotifications.queueUrl': 'https://sqs.us-east-1.amazonaws.com/111122223333/secret-changes',
  'changeNotifications.pollInterval': '30s',
  logLevel: 'debug',
  extraEnv: [{ name: 'VALUE_CACHE_BYTES', value: '8388608' }],
  'resources.requests.cpu': '250m',
  'resources.requests.memory': '300Mi',
  'resources.limits.memory': '512Mi',
  'podSecurityContext.seccompProfile.type': 'Localhost',
  'securityContext.capabilities.drop': ['ALL', 'NET_RAW'],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }] } } },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'aws-secrets-operator' } } }],
  priorityClassName: 'system-cluster-critical',
  podAnnotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
  podLabels: { team: 'platform' },
  'metrics.service.annotations': { 'prometheus.io/scrape': 'true' },
  'serviceMonitor.additionalLabels': { release: 'kube-prometheus-stack' },
  'serviceMonitor.interval': '15s',
  'serviceMonitor.scrapeTimeout': '5s',
  'grafanaDashboard.label': 'grafana_dashboards',
  'grafanaDashboard.labelValue': 'security',
  'grafanaDashboard.annotations': { grafana_folder: 'Security' },
  'networkPolicy.egressPorts': [443],
  'networkPolicy.egressTo': [{ ipBlock: { cidr: '10.0.0.0/8' } }],
  'networkPolicy.dns.namespaceSelector.matchLabels.kubernetes.io/metadata.name': 'dns',
  'networkPolicy.dns.podSelector.matchLabels.k8s-app': 'coredns',
  'networkPolicy.metricsFrom': [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
};

export function changedValue(key: ValuesKey): unknown {
  const name = key.path.join('.');
  if (name in SAMPLES) return SAMPLES[name];
  if (typeof key.value === 'boolean') return !key.value;
  if (key.value === null) return false;
  if (typeof key.value === 'number') return key.value + 1;
  throw new Error(`no sample value for ${name} (test/integration/chart-values.ts)`);
}

/** What a key needs switched on before it can show: the settings of a feature that is off by default. */
export function prerequisites(key: ValuesKey): Record<string, unknown> {
  const [feature, second] = key.path;
  // The CRDs are most of the rendering and depend on no other key: leaving them out makes each comparison quicker.
  if (feature !== 'crds') return merged({ crds: { install: false } }, featurePrerequisites(key));
  return {};
}

function featurePrerequisites(key: ValuesKey): Record<string, unknown> {
  const [feature, second] = key.path;
  const own = key.path.at(-1) === 'enabled' && key.path.length <= 3;
  if (own) return {};
  // Without its own ServiceAccount the chart must be told which one to use.
  if (feature === 'serviceAccount' && second === 'create') return { serviceAccount: { name: 'existing-sa' } };
  if (feature === 'serviceMonitor' || feature === 'grafanaDashboard' || feature === 'networkPolicy') return { [feature]: { enabled: true } };
  if (feature === 'metrics' && second === 'service') return { metrics: { service: { enabled: true } } };
  return {};
}

/** `base` with the value at `path` replaced (copies along the path; the rest is shared). */
export function withValue(base: any, path: string[], value: unknown): any {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  return { ...base, [head]: withValue(base?.[head], rest, value) };
}

/** Deep merge of plain objects, `over` winning. */
export function merged(base: any, over: any): any {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: any = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merged(base[k], v);
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

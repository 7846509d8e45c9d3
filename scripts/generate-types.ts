// Generates src/api/generated.ts (TypeScript types for the external-secrets.io API) from crds/*.yaml.
// Usage: npm run generate. The unit test test/unit/api-types.test.ts fails when the output is stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const API_GROUP = 'external-secrets.io';
/** ESO's generators (Password, ECRAuthorizationToken, ...) live in their own group. */
export const GENERATORS_GROUP = 'generators.external-secrets.io';
const GROUPS = [API_GROUP, GENERATORS_GROUP];

export interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface CrdVersion { name: string; served: boolean; storage: boolean; schema?: { openAPIV3Schema?: Schema } }
export interface Crd {
  apiVersion: string;
  kind: string;
  spec: { group: string; scope: string; names: { kind: string; plural: string }; versions: CrdVersion[] };
}

/** Kinds in the order their types appear in the output; other kinds follow alphabetically. */
const KIND_ORDER = ['ExternalSecret', 'SecretStore', 'ClusterSecretStore', 'ClusterExternalSecret'];

/**
 * Interface names for object schemas, keyed by `<parent interface>.<property>` (`[]` marks array
 * items) or `*.<property>` for any parent. Unlisted objects get `<parent><Property>`; objects that
 * map to the same name must have identical properties (the generator throws otherwise).
 */
const NAMES: Record<string, string> = {
  'ClusterSecretStore.spec': 'SecretStoreSpec',
  'ClusterSecretStore.status': 'SecretStoreStatus',
  'ClusterExternalSecretSpec.externalSecretSpec': 'ExternalSecretSpec',
  'ClusterExternalSecretSpec.externalSecretMetadata': 'ExternalSecretMetadata',
  'ClusterExternalSecretStatus.failedNamespaces[]': 'ClusterExternalSecretNamespaceFailure',
  'ExternalSecretSpec.target': 'ExternalSecretTarget',
  'ExternalSecretSpec.syncWindows': 'ExternalSecretSyncWindows',
  'ExternalSecretSpec.data[]': 'ExternalSecretData',
  'ExternalSecretSpec.dataFrom[]': 'ExternalSecretDataFrom',
  'ExternalSecretSyncWindows.windows[]': 'ExternalSecretSyncWindow',
  'ExternalSecretTarget.template': 'ExternalSecretTemplate',
  'ExternalSecretTarget.manifest': 'ManifestReference',
  'ExternalSecretTemplate.templateFrom[]': 'TemplateFrom',
  'TemplateFrom.configMap': 'TemplateRef',
  'TemplateFrom.secret': 'TemplateRef',
  'ExternalSecretData.sourceRef': 'StoreSourceRef',
  'ExternalSecretDataFrom.find': 'ExternalSecretFind',
  'ExternalSecretDataFrom.rewrite[]': 'ExternalSecretRewrite',
  'ExternalSecretDataFrom.sourceRef': 'StoreGeneratorSourceRef',
  'ExternalSecretFind.name': 'FindName',
  'ExternalSecretStatus.binding': 'LocalObjectReference',
  'SecretStoreSpec.conditions[]': 'ClusterSecretStoreCondition',
  'SecretStoreSpec.provider': 'SecretStoreProvider',
  'SecretStoreSpec.retrySettings': 'SecretStoreRetrySettings',
  'SecretStoreProvider.aws': 'AwsProvider',
  'AwsProvider.auth': 'AwsAuth',
  'AwsProvider.sessionTags[]': 'AwsSessionTag',
  'AwsProvider.secretsManager': 'AwsSecretsManager',
  'AwsAuth.jwt': 'AwsJwtAuth',
  'LabelSelector.matchExpressions[]': 'LabelSelectorRequirement',
  // The AWS generators (ECRAuthorizationToken, STSSessionToken) share one auth block; its references resolve
  // in the consumer's namespace, so their namespace fields say something else than a store's.
  'ECRAuthorizationTokenSpec.auth': 'GeneratorAwsAuth',
  'STSSessionTokenSpec.auth': 'GeneratorAwsAuth',
  'GeneratorAwsAuth.secretRef': 'GeneratorAwsAuthSecretRef',
  'GeneratorAwsAuth.jwt': 'GeneratorAwsJwtAuth',
  'GeneratorAwsAuthSecretRef.accessKeyIDSecretRef': 'GeneratorSecretKeySelector',
  'GeneratorAwsAuthSecretRef.secretAccessKeySecretRef': 'GeneratorSecretKeySelector',
  'GeneratorAwsAuthSecretRef.sessionTokenSecretRef': 'GeneratorSecretKeySelector',
  'GeneratorAwsJwtAuth.serviceAccountRef': 'GeneratorServiceAccountSelector',
  'STSSessionTokenSpec.requestParameters': 'STSSessionTokenRequestParameters',
  '*.conditions[]': 'StatusCondition',
  '*.secretStoreRef': 'SecretStoreRef',
  '*.storeRef': 'SecretStoreRef',
  '*.generatorRef': 'GeneratorRef',
  '*.remoteRef': 'RemoteRef',
  '*.extract': 'RemoteRef',
  '*.accessKeyIDSecretRef': 'SecretKeySelector',
  '*.secretAccessKeySecretRef': 'SecretKeySelector',
  '*.sessionTokenSecretRef': 'SecretKeySelector',
  '*.serviceAccountRef': 'ServiceAccountSelector',
  '*.namespaceSelector': 'LabelSelector',
  '*.namespaceSelectors[]': 'LabelSelector',
  // PushSecret (v1alpha1): its own store and remote references, ESO's names for its types.
  'PushSecretSpec.secretStoreRefs[]': 'PushSecretStoreRef',
  'PushSecretSpec.data[]': 'PushSecretData',
  'PushSecretSpec.dataTo[]': 'PushSecretDataTo',
  'PushSecretSpec.selector': 'PushSecretSelector',
  'PushSecretSpec.template': 'ExternalSecretTemplate',
  'PushSecretSelector.secret': 'PushSecretSecret',
  'PushSecretSecret.selector': 'LabelSelector',
  'PushSecretData.match': 'PushSecretMatch',
  'PushSecretMatch.remoteRef': 'PushSecretRemoteRef',
  'PushSecretDataTo.storeRef': 'PushSecretStoreRef',
  'PushSecretStoreRef.labelSelector': 'LabelSelector',
  'PushSecretStatus.syncedPushSecrets{}{}': 'PushSecretData',
  // ClusterGenerator's spec.generator holds each generator kind's own spec.
  'ClusterGeneratorSpec.generator': 'GeneratorSpec',
  'GeneratorSpec.passwordSpec': 'PasswordSpec',
  'GeneratorSpec.ecrAuthorizationTokenSpec': 'ECRAuthorizationTokenSpec',
  'GeneratorSpec.stsSessionTokenSpec': 'STSSessionTokenSpec',
};

const HEADER = `// generated by scripts/generate-types.ts from crds/*.yaml; do not edit.
// After changing a CRD, run \`npm run generate\`.
`;

const OBJECT_META = `/** The subset of Kubernetes ObjectMeta the operator reads and writes. */
export interface ObjectMeta {
  /** Always set on objects read from the API server. */
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  /** What holds a deletion: ESO's cleanup finalizer may be among them (eso-finalizer.ts). */
  finalizers?: string[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}
`;

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const singular = (s: string) => (s.endsWith('s') ? s.slice(0, -1) : s);
const quoteKey = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
const literal = (v: unknown) => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v));

function docComment(text: string | undefined, indent: string): string {
  if (!text) return '';
  const lines = text.trim().replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

class Emitter {
  readonly bodies = new Map<string, string>();
  readonly order: string[] = [];

  /** Emits (once) the interface for an object schema with properties and returns its name. */
  object(name: string, schema: Schema): string {
    const first = !this.bodies.has(name);
    if (first) this.order.push(name); // parents before the types they use
    if (first) this.bodies.set(name, '');
    const required = new Set(schema.required ?? []);
    let body = '';
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      const type = this.type(prop, name, key);
      body += docComment(prop.description, '  ') + `  ${quoteKey(key)}${required.has(key) ? '' : '?'}: ${type};\n`;
    }
    if (schema['x-kubernetes-preserve-unknown-fields']) body += '  /** Fields not modelled here are kept as they are. */\n  [key: string]: unknown;\n';
    if (first) this.bodies.set(name, body);
    else if (this.bodies.get(name) !== body) {
      throw new Error(`two different schemas map to the interface name ${name}; give one another name in NAMES`);
    }
    return name;
  }

  /** The TypeScript type of `schema`, found at property `key` of interface `parent`. */
  type(schema: Schema, parent: string, key: string): string {
    let t: string;
    if (schema['x-kubernetes-int-or-string']) t = 'number | string';
    else if (schema.enum) t = schema.enum.map(literal).join(' | ');
    else if (schema.type === 'string') t = 'string';
    else if (schema.type === 'integer' || schema.type === 'number') t = 'number';
    else if (schema.type === 'boolean') t = 'boolean';
    else if (schema.type === 'array') {
      if (!schema.items) throw new Error(`${parent}.${key}: array without items`);
      const item = this.type(schema.items, parent, `${key}[]`);
      t = /[| ]/.test(item) ? `(${item})[]` : `${item}[]`;
    } else if (schema.type === 'object' && schema.properties) {
      const auto = parent + pascal(key.endsWith('[]') ? singular(key.slice(0, -2)) : key);
      t = this.object(NAMES[`${parent}.${key}`] ?? NAMES[`*.${key}`] ?? auto, schema);
    } else if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
      t = `Record<string, ${this.type(schema.additionalProperties, parent, `${key}{}`)}>`;
    } else if (schema.type === 'object' || schema['x-kubernetes-preserve-unknown-fields']) t = 'Record<string, unknown>';
    else throw new Error(`${parent}.${key}: unsupported schema type ${String(schema.type)}`);
    return schema.nullable ? `${t} | null` : t;
  }
}

/** Renders src/api/generated.ts from parsed CustomResourceDefinition documents. Pure. */
export function renderTypes(crdDocs: unknown[]): string {
  const crds = crdDocs.map((doc) => {
    const crd = doc as Crd;
    if (crd?.kind !== 'CustomResourceDefinition' || !GROUPS.includes(crd.spec?.group)) {
      throw new Error(`not a CustomResourceDefinition of ${GROUPS.join(' or ')}: ${JSON.stringify(doc).slice(0, 120)}`);
    }
    return crd;
  });
  const rank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  crds.sort((a, b) => rank(a.spec.names.kind) - rank(b.spec.names.kind) || a.spec.names.kind.localeCompare(b.spec.names.kind));

  const emitter = new Emitter();
  let info = '';
  let resources = '';
  for (const crd of crds) {
    const { kind, plural } = crd.spec.names;
    const storage = crd.spec.versions.filter((v) => v.storage);
    const root = storage[0]?.schema?.openAPIV3Schema;
    if (storage.length !== 1 || !root) throw new Error(`${kind}: needs exactly one storage version with a schema`);
    const served = crd.spec.versions.filter((v) => v.served).map((v) => literal(v.name));
    info += `  ${kind}: { apiVersion: '${crd.spec.group}/${storage[0]!.name}', kind: '${kind}', plural: '${plural}', `
      + `namespaced: ${crd.spec.scope === 'Namespaced'}, storageVersion: '${storage[0]!.name}', servedVersions: [${served.join(', ')}] },\n`;
    const fields: string[] = [];
    for (const part of ['spec', 'status']) {
      const schema = root.properties?.[part];
      if (!schema) continue;
      fields.push(`  ${part}${part === 'spec' ? '' : '?'}: ${emitter.type(schema, kind, part)};`);
    }
    resources += docComment(root.description, '')
      + `export interface ${kind} {\n  apiVersion: string;\n  kind: string;\n  metadata: ObjectMeta;\n${fields.join('\n')}\n}\n\n`;
  }

  const interfaces = emitter.order.map((name) => `export interface ${name} {\n${emitter.bodies.get(name)}}\n`);
  return [
    HEADER,
    `export const API_GROUP = '${API_GROUP}';\nexport const GENERATORS_GROUP = '${GENERATORS_GROUP}';\n`,
    `/** Names, scope and versions of each kind, from the CRDs (src/api/kinds.ts adds the core kinds). */\nexport const crdKinds = {\n${info}} as const;\n`,
    OBJECT_META,
    resources.trimEnd() + '\n',
    interfaces.join('\n'),
  ].join('\n');
}

/** Parses every CustomResourceDefinition in the *.yaml files of `dir`, in file-name order. */
export function loadCrds(dir: string): unknown[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  return files.flatMap((f) => parseAllDocuments(readFileSync(`${dir}/${f}`, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${f}: ${d.errors[0]!.message}`);
    return d.toJS() as unknown;
  })).filter((d) => (d as { kind?: string } | null)?.kind === 'CustomResourceDefinition');
}

export const CRD_DIR = fileURLToPath(new URL('../crds', import.meta.url));
export const OUTPUT = fileURLToPath(new URL('../src/api/generated.ts', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUTPUT, renderTypes(loadCrds(CRD_DIR)));
  console.log(`wrote ${OUTPUT}`);
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { API_GROUP, CRD_DIR, GENERATORS_GROUP, loadCrds, OUTPUT, renderTypes, type Crd } from '../../scripts/generate-types.ts';
import { crdKinds } from '../../src/api/generated.ts';
import { schemaAt, structuralProblems, validate, type JsonSchema } from '../helpers/schema-check.ts';
import { CLUSTER_GENERATOR_SPEC_FIELDS } from '../../src/generators/runner.ts';

const crds = loadCrds(CRD_DIR) as Crd[];
const KINDS = ['ClusterExternalSecret', 'ClusterSecretStore', 'ExternalSecret', 'SecretStore'];
/** ESO's v1alpha1 kinds of external-secrets.io served besides the four (their own checks below). */
const ALPHA_KINDS = ['PushSecret'];
/** ESO's AWS generators (generators.external-secrets.io), served as v1alpha1 only, as ESO serves them. */
const AWS_GENERATOR_KINDS = ['ECRAuthorizationToken', 'STSSessionToken'];

function crd(kind: string): Crd {
  const found = crds.find((c) => c.spec.names.kind === kind);
  if (!found) throw new Error(`no CRD for ${kind} in crds/`);
  return found;
}

function schema(kind: string, version = 'v1'): JsonSchema {
  const found = crd(kind).spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!found) throw new Error(`${kind} ${version} has no schema`);
  return found as JsonSchema;
}

const SEED = fileURLToPath(new URL('../../examples/eks-external-secrets.yaml', import.meta.url));
const seedDocs = parseAllDocuments(readFileSync(SEED, 'utf8')).map((d) => d.toJS() as { apiVersion: string; kind: string });

describe('src/api/generated.ts', () => {
  it('is what scripts/generate-types.ts makes of crds/*.yaml', () => {
    const actual = readFileSync(OUTPUT, 'utf8');
    expect(actual, 'src/api/generated.ts is stale: run `npm run generate` and commit the result').toBe(renderTypes(crds));
  });

  it('does not depend on the order of the CRD documents', () => {
    expect(renderTypes([...crds].reverse())).toBe(renderTypes(crds));
  });

  it('describes each kind as the CRDs do', () => {
    expect(Object.keys(crdKinds).filter((k) => crdKinds[k as keyof typeof crdKinds].apiVersion.startsWith(`${API_GROUP}/`)).sort()).toEqual([...KINDS, ...ALPHA_KINDS].sort());
    for (const kind of KINDS) {
      const c = crd(kind);
      expect(crdKinds[kind as keyof typeof crdKinds]).toMatchObject({
        kind, plural: c.spec.names.plural, namespaced: c.spec.scope === 'Namespaced', storageVersion: 'v1',
      });
    }
  });

  it('rejects documents that are not CRDs of the API group', () => {
    expect(() => renderTypes([{ kind: 'ConfigMap' }])).toThrow(/not a CustomResourceDefinition/);
  });
});

/**
 * The v1 schema as v1beta1 serves it: one difference, as in ESO's own CRDs. ESO's v1beta1 keeps the
 * Data/Annotations/Labels enum on templateFrom[].target, and its v1 takes any string there (a path,
 * for generic targets), refused for a Secret target by a rule (ESO's webhook). That rule and the
 * bounds that keep it within CEL's cost budget (maxItems, maxLength) exist in v1 only.
 */
function withV1beta1TemplateTarget(kind: string, v1: unknown): unknown {
  const copy = structuredClone(v1) as { openAPIV3Schema: JsonSchema };
  const spec = kind === 'ClusterExternalSecret' ? 'spec.externalSecretSpec' : kind === 'ExternalSecret' ? 'spec' : undefined;
  if (!spec) return copy;
  const target = schemaAt(copy.openAPIV3Schema, `${spec}.target`) as JsonSchema & { 'x-kubernetes-validations': { rule: string }[] };
  const isTemplateTargetRule = (r: { rule: string }) => r.rule.includes('templateFrom.all(f');
  expect(target['x-kubernetes-validations'].filter(isTemplateTargetRule)).toHaveLength(1);
  target['x-kubernetes-validations'] = target['x-kubernetes-validations'].filter((r) => !isTemplateTargetRule(r));
  const templateFrom = schemaAt(copy.openAPIV3Schema, `${spec}.target.template.templateFrom`)!;
  delete templateFrom.maxItems;
  const item = templateFrom.items!.properties!['target']!;
  delete item.maxLength;
  item.description = 'Where the rendered output goes: Data, Annotations or Labels.';
  item.enum = ['Data', 'Annotations', 'Labels'];
  return copy;
}

describe('crds/*.yaml', () => {
  it('define exactly the four ESO kinds, and ESO\'s v1alpha1 PushSecret', () => {
    expect(crds.filter((c) => c.spec.group === API_GROUP).map((c) => c.spec.names.kind).sort()).toEqual([...KINDS, ...ALPHA_KINDS].sort());
  });

  it.each(KINDS)('%s: serves v1 (storage) and v1beta1 with one schema', (kind) => {
    const c = crd(kind) as Crd & { metadata: { name: string }; spec: Record<string, unknown> };
    expect(c.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(c.spec.group).toBe(API_GROUP);
    expect(c.metadata.name).toBe(`${c.spec.names.plural}.${API_GROUP}`);
    const versions = c.spec.versions as (Crd['spec']['versions'][number] & Record<string, unknown>)[];
    expect(versions.map((v) => v.name).sort()).toEqual(['v1', 'v1beta1']);
    expect(versions.every((v) => v.served)).toBe(true);
    expect(versions.filter((v) => v.storage).map((v) => v.name)).toEqual(['v1']);
    expect((c.spec.conversion as { strategy?: string } | undefined)?.strategy ?? 'None').toBe('None');
    const [v1, v1beta1] = [versions.find((v) => v.name === 'v1')!, versions.find((v) => v.name === 'v1beta1')!];
    expect(v1beta1.schema, 'v1beta1 and v1 must share one schema (there is no conversion webhook), but for templateFrom[].target')
      .toEqual(withV1beta1TemplateTarget(kind, v1.schema));
    expect(v1beta1.additionalPrinterColumns).toEqual(v1.additionalPrinterColumns);
    for (const v of versions) expect(v.subresources).toEqual({ status: {} });
    expect((c.spec.names as { categories?: string[] }).categories).toContain('external-secrets');
  });

  it.each(KINDS)('%s: schema is structural, its defaults validate and its CEL rules explain themselves', (kind) => {
    expect(structuralProblems(schema(kind))).toEqual([]);
  });

  it('share the ExternalSecret spec with ClusterExternalSecret and the store spec between store kinds', () => {
    expect(schemaAt(schema('ClusterExternalSecret'), 'spec.externalSecretSpec')).toEqual(schemaAt(schema('ExternalSecret'), 'spec'));
    expect(schema('ClusterSecretStore').properties?.spec).toEqual(schema('SecretStore').properties?.spec);
  });

  it('carry ESO\'s names, enums and defaults', () => {
    const es = schema('ExternalSecret');
    const facts: [string, { enum?: unknown[]; default?: unknown }][] = [
      ['spec.refreshInterval', { default: '1h0m0s' }],
      ['spec.refreshPolicy', { enum: ['Periodic', 'OnChange', 'CreatedOnce'] }],
      ['spec.secretStoreRef.kind', { enum: ['SecretStore', 'ClusterSecretStore'], default: 'SecretStore' }],
      ['spec.target.creationPolicy', { enum: ['Owner', 'Orphan', 'Merge', 'None', 'CreateOrMerge'], default: 'Owner' }],
      ['spec.target.deletionPolicy', { enum: ['Retain', 'Delete', 'Merge'], default: 'Retain' }],
      ['spec.target.template.engineVersion', { default: 'v2' }],
      ['spec.target.template.mergePolicy', { enum: ['Replace', 'Merge'], default: 'Replace' }],
      ['spec.data[].remoteRef.decodingStrategy', { enum: ['None', 'Base64', 'Base64URL', 'Auto'], default: 'None' }],
      ['spec.data[].remoteRef.conversionStrategy', { enum: ['Default', 'Unicode'], default: 'Default' }],
      ['spec.data[].remoteRef.metadataPolicy', { enum: ['None', 'Fetch'], default: 'None' }],
      ['spec.dataFrom[].extract.decodingStrategy', { enum: ['None', 'Base64', 'Base64URL', 'Auto'], default: 'None' }],
    ];
    for (const [path, expected] of facts) expect(schemaAt(es, path), path).toMatchObject(expected);
    for (const path of ['spec.data[].sourceRef', 'spec.dataFrom[].sourceRef', 'spec.dataFrom[].find.name.regexp', 'spec.dataFrom[].find.tags',
      'spec.dataFrom[].find.path', 'spec.dataFrom[].rewrite[].regexp.source', 'spec.dataFrom[].rewrite[].transform.template',
      'spec.target.template.templateFrom[].literal', 'status.refreshTime', 'status.syncedResourceVersion', 'status.binding.name']) {
      expect(schemaAt(es, path), path).toBeDefined();
    }
    const aws = schemaAt(schema('SecretStore'), 'spec.provider.aws');
    expect(aws?.required).toEqual(expect.arrayContaining(['region', 'service']));
    expect(aws?.properties?.service?.enum).toEqual(expect.arrayContaining(['SecretsManager', 'ParameterStore']));
    expect(schemaAt(schema('SecretStore'), 'spec.provider')?.['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(schemaAt(schema('SecretStore'), 'spec.refreshInterval')?.type).toBe('integer');
    expect(schemaAt(schema('ClusterSecretStore'), 'spec.conditions[].namespaceRegexes')?.type).toBe('array');
  });
});

describe('PushSecret (crds/external-secrets.io_pushsecrets.yaml)', () => {
  const ps = () => schema('PushSecret', 'v1alpha1');

  it('is served as ESO serves it: v1alpha1 only (storage), status subresource, ESO\'s names and printer columns', () => {
    const c = crd('PushSecret') as Crd & { metadata: { name: string }; spec: Record<string, any> };
    expect(c.metadata.name).toBe('pushsecrets.external-secrets.io');
    expect(c.spec.group).toBe(API_GROUP);
    expect(c.spec.scope).toBe('Namespaced');
    expect(c.spec.names).toMatchObject({ kind: 'PushSecret', listKind: 'PushSecretList', plural: 'pushsecrets', singular: 'pushsecret', shortNames: ['ps'], categories: ['external-secrets'] });
    expect(c.spec.versions.map((v: any) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    const [v1alpha1] = c.spec.versions as unknown as Array<Record<string, unknown>>;
    expect(v1alpha1!.subresources).toEqual({ status: {} });
    expect(v1alpha1!.additionalPrinterColumns).toEqual([
      { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
      { name: 'Last Sync', type: 'date', jsonPath: '.status.refreshTime' },
    ]);
    expect(crdKinds.PushSecret).toMatchObject({ apiVersion: 'external-secrets.io/v1alpha1', plural: 'pushsecrets', namespaced: true, servedVersions: ['v1alpha1'] });
  });

  it('has a structural schema', () => {
    expect(structuralProblems(ps())).toEqual([]);
  });

  it('carries ESO\'s names, enums, defaults and required fields', () => {
    const facts: [string, { enum?: unknown[]; default?: unknown; minProperties?: number; maxProperties?: number }][] = [
      ['spec.refreshInterval', { default: '1h0m0s' }],
      ['spec.updatePolicy', { enum: ['Replace', 'IfNotExists'], default: 'Replace' }],
      ['spec.deletionPolicy', { enum: ['Delete', 'None'], default: 'None' }],
      ['spec.secretStoreRefs[].kind', { enum: ['SecretStore', 'ClusterSecretStore'], default: 'SecretStore' }],
      ['spec.data[].conversionStrategy', { enum: ['None', 'ReverseUnicode'], default: 'None' }],
      ['spec.dataTo[].conversionStrategy', { enum: ['None', 'ReverseUnicode'], default: 'None' }],
      ['spec.selector', { minProperties: 1, maxProperties: 1 }],
      ['spec.selector.generatorRef.apiVersion', { default: 'generators.external-secrets.io/v1alpha1' }],
      ['spec.template.engineVersion', { default: 'v2' }],
    ];
    for (const [path, expected] of facts) expect(schemaAt(ps(), path), path).toMatchObject(expected);
    expect(schemaAt(ps(), 'spec')?.required).toEqual(['secretStoreRefs', 'selector']);
    expect(schemaAt(ps(), 'spec.data[]')?.required).toEqual(['match']);
    expect(schemaAt(ps(), 'spec.data[].match')?.required).toEqual(['remoteRef']);
    expect(schemaAt(ps(), 'spec.data[].match.remoteRef')?.required).toEqual(['remoteKey']);
    expect(schemaAt(ps(), 'spec.data[].metadata')?.['x-kubernetes-preserve-unknown-fields']).toBe(true);
    for (const path of ['spec.secretStoreRefs[].labelSelector.matchLabels', 'spec.selector.secret.name', 'spec.selector.secret.selector',
      'spec.data[].match.remoteRef.property', 'spec.dataTo[].remoteKey', 'status.refreshTime', 'status.syncedResourceVersion', 'status.syncedPushSecrets',
      'status.conditions[].reason']) {
      expect(schemaAt(ps(), path), path).toBeDefined();
    }
    // The template is the ExternalSecret's, so one engine renders both.
    expect(schemaAt(ps(), 'spec.template')?.properties).toEqual(schemaAt(schema('ExternalSecret'), 'spec.target.template')?.properties);
  });

  it('accepts ESO\'s documentation manifest and refuses a bad enum, a missing remoteKey and an unknown field', () => {
    const [doc] = parseAllDocuments(readFileSync(new URL('../data/eso-docs/aws-sm-push-secret-with-metadata.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
    expect(validate(doc, ps())).toEqual([]);
    const bad = structuredClone(doc);
    bad.spec.updatePolicy = 'Sometimes';
    delete bad.spec.data[0].match.remoteRef.remoteKey;
    bad.spec.bogus = true;
    expect(validate(bad, ps())).toEqual([
      'spec.data[0].match.remoteRef.remoteKey: required',
      'spec.updatePolicy: unsupported value "Sometimes"; supported: "Replace", "IfNotExists"',
      'spec.bogus: unknown field',
    ]);
  });
});

// Generators (generators.external-secrets.io): the kinds this operator implements, and ClusterGenerator.
const GENERATOR_KINDS = ['ClusterGenerator', 'Password', 'UUID'];
const generatorSchema = (kind: string): JsonSchema => schema(kind, 'v1alpha1');

describe('crds/*.yaml: generators', () => {
  it.each(GENERATOR_KINDS)('%s: served as v1alpha1 only (storage), as ESO serves it, in the generators group', (kind) => {
    const c = crd(kind) as Crd & { metadata: { name: string } };
    expect(c.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(c.spec.group).toBe(GENERATORS_GROUP);
    expect(c.metadata.name).toBe(`${c.spec.names.plural}.${GENERATORS_GROUP}`);
    expect(c.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    expect(c.spec.scope).toBe(kind === 'ClusterGenerator' ? 'Cluster' : 'Namespaced');
    expect((c.spec.names as { categories?: string[] }).categories).toEqual(['external-secrets', 'external-secrets-generators']);
    expect(crdKinds[kind as keyof typeof crdKinds]).toMatchObject({ apiVersion: `${GENERATORS_GROUP}/v1alpha1`, plural: c.spec.names.plural });
  });

  it.each(GENERATOR_KINDS)('%s: schema is structural and its defaults validate', (kind) => {
    expect(structuralProblems(generatorSchema(kind))).toEqual([]);
  });

  it('carry ESO\'s Password names and defaults', () => {
    const spec = schemaAt(generatorSchema('Password'), 'spec')!;
    expect(Object.keys(spec.properties!).sort()).toEqual(['allowRepeat', 'digits', 'encoding', 'length', 'noUpper', 'secretKeys', 'symbolCharacters', 'symbols']);
    expect(spec.properties!['length']).toMatchObject({ type: 'integer', default: 24 });
    expect(spec.properties!['noUpper']).toMatchObject({ type: 'boolean', default: false });
    expect(spec.properties!['allowRepeat']).toMatchObject({ type: 'boolean', default: false });
    expect(spec.properties!['encoding']).toMatchObject({ enum: ['base64', 'base64url', 'base32', 'hex', 'raw'], default: 'raw' });
    expect(spec.required).toEqual(['length', 'noUpper', 'allowRepeat']);
  });

  it('ClusterGenerator: spec.kind takes ESO\'s kinds, and spec.generator holds exactly one spec, each implemented kind\'s the standalone kind\'s spec', () => {
    const spec = schemaAt(generatorSchema('ClusterGenerator'), 'spec')!;
    expect(spec.required).toEqual(['kind', 'generator']);
    expect(spec.properties!['kind']!.enum).toEqual(['ACRAccessToken', 'BeyondtrustWorkloadCredentialsDynamicSecret', 'CloudsmithAccessToken', 'ECRAuthorizationToken',
      'Fake', 'GCRAccessToken', 'GithubAccessToken', 'QuayAccessToken', 'Password', 'SSHKey', 'STSSessionToken', 'UUID', 'VaultDynamicSecret', 'Webhook', 'Grafana', 'MFA']);
    const generator = spec.properties!['generator']!;
    expect(generator).toMatchObject({ minProperties: 1, maxProperties: 1 });
    for (const [kind, field] of Object.entries(CLUSTER_GENERATOR_SPEC_FIELDS)) {
      expect(spec.properties!['kind']!.enum, kind).toContain(kind);
      const own = crds.some((c) => c.spec.names.kind === kind) ? generatorSchema(kind).properties!['spec'] : undefined;
      // A kind this operator serves: the very schema of its own CRD. Any other: kept as written, for ESO's manifests.
      expect(generator.properties![field], field).toEqual(own ?? expect.objectContaining({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
    }
    expect(Object.keys(generator.properties!).sort()).toEqual(Object.values(CLUSTER_GENERATOR_SPEC_FIELDS).sort());
  });
});

describe('crds/*.yaml: the AWS generators', () => {
  it.each(AWS_GENERATOR_KINDS)('%s: served as v1alpha1 (storage) of generators.external-secrets.io, namespaced, as ESO serves it', (kind) => {
    const c = crd(kind) as Crd & { metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown> };
    expect(c.spec.group).toBe(GENERATORS_GROUP);
    expect(c.metadata.name).toBe(`${c.spec.names.plural}.${GENERATORS_GROUP}`);
    expect(c.spec.scope).toBe('Namespaced');
    expect(c.spec.names.plural).toBe(kind.toLowerCase() + 's');
    expect((c.spec.names as { categories?: string[] }).categories).toEqual(['external-secrets', 'external-secrets-generators']);
    const versions = c.spec.versions as (Crd['spec']['versions'][number] & Record<string, unknown>)[];
    expect(versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    expect(versions[0]!.subresources).toEqual({ status: {} });
    expect(crdKinds[kind as keyof typeof crdKinds]).toMatchObject({ apiVersion: `${GENERATORS_GROUP}/v1alpha1`, storageVersion: 'v1alpha1', servedVersions: ['v1alpha1'] });
    expect(c.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'aws-secrets-operator' });
  });

  it.each(AWS_GENERATOR_KINDS)('%s: schema is structural', (kind) => {
    expect(structuralProblems(schema(kind, 'v1alpha1'))).toEqual([]);
  });

  it('carry ESO\'s field names: region (required), role, auth (secretRef, jwt.serviceAccountRef), ECR scope, STS requestParameters', () => {
    const ecr = schema('ECRAuthorizationToken', 'v1alpha1');
    const sts = schema('STSSessionToken', 'v1alpha1');
    for (const s of [ecr, sts]) {
      expect(schemaAt(s, 'spec')?.required).toEqual(['region']);
      for (const path of ['spec.region', 'spec.role', 'spec.auth.secretRef.accessKeyIDSecretRef.name', 'spec.auth.secretRef.secretAccessKeySecretRef.key',
        'spec.auth.secretRef.sessionTokenSecretRef.namespace', 'spec.auth.jwt.serviceAccountRef.audiences']) {
        expect(schemaAt(s, path), path).toBeDefined();
      }
      expect(schemaAt(s, 'spec.auth.jwt.serviceAccountRef')?.required).toEqual(['name']);
      // ESO's own example sets both secretRef and jwt: no rule may refuse that.
      expect(schemaAt(s, 'spec.auth')?.['x-kubernetes-validations']).toBeUndefined();
    }
    expect(schemaAt(ecr, 'spec.scope')).toMatchObject({ type: 'string' });
    expect(schemaAt(ecr, 'spec.scope')?.enum).toBeUndefined();
    expect(schemaAt(sts, 'spec.requestParameters.sessionDuration')).toMatchObject({ type: 'integer', format: 'int64' });
    expect(schemaAt(sts, 'spec.requestParameters.serialNumber')).toMatchObject({ type: 'string' });
    expect(schemaAt(sts, 'spec.requestParameters.tokenCode')).toMatchObject({ type: 'string' });
    expect(validate({ apiVersion: `${GENERATORS_GROUP}/v1alpha1`, kind: 'STSSessionToken', metadata: {}, spec: { regoin: 'x' } }, sts))
      .toEqual(['spec.region: required', 'spec.regoin: unknown field']);
  });
});

describe('the seed manifests (examples/eks-external-secrets.yaml)', () => {
  it.each(seedDocs.map((d) => [`${d.kind} ${d.apiVersion}`, d] as const))('%s validates against the served schema', (_name, doc) => {
    const [group, version] = doc.apiVersion.split('/');
    expect(group).toBe(API_GROUP);
    const served = crd(doc.kind).spec.versions.find((v) => v.name === version);
    expect(served?.served, `${doc.apiVersion} ${doc.kind} must be served`).toBe(true);
    expect(validate(doc, schema(doc.kind, version))).toEqual([]);
  });

  it('would be rejected with a bad enum, a missing required field or an unknown field (the validator is not vacuous)', () => {
    const es = structuredClone(seedDocs.find((d) => d.kind === 'ExternalSecret')) as unknown as {
      spec: { target: Record<string, unknown>; data: Record<string, unknown>[]; bogus?: boolean };
    };
    es.spec.target.creationPolicy = 'Sometimes';
    delete es.spec.data[0]!.secretKey;
    es.spec.bogus = true;
    expect(validate(es, schema('ExternalSecret'))).toEqual([
      'spec.target.creationPolicy: unsupported value "Sometimes"; supported: "Owner", "Orphan", "Merge", "None", "CreateOrMerge"',
      'spec.data[0].secretKey: required',
      'spec.bogus: unknown field',
    ]);
    const store = structuredClone(seedDocs.find((d) => d.kind === 'SecretStore')) as unknown as { spec: { provider: Record<string, unknown> } };
    store.spec.provider.vault = { server: 'https://vault.example.com' };
    expect(validate(store, schema('SecretStore')), 'other providers are kept (preserve-unknown-fields), but only one may be set')
      .toEqual(['spec.provider: more than 1 fields']);
  });
});

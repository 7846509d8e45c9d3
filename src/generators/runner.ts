import type { ClusterGenerator, GeneratorRef } from '../api/generated.ts';
import { GENERATORS_GROUP } from '../api/generated.ts';
import { kinds, type KindInfo } from '../api/kinds.ts';
import { OperatorError } from '../errors.ts';
import { isNotFound, type KubeClient } from '../kube/client.ts';
import { resourceType } from '../kube/resources.ts';
import type { GeneratedData, GenerateFn, GeneratorRunner, GeneratorUse } from './generator.ts';

/** The field of ClusterGenerator's spec.generator that holds each kind's spec, as ESO names it. */
export const CLUSTER_GENERATOR_SPEC_FIELDS: Readonly<Record<string, string>> = {
  ACRAccessToken: 'acrAccessTokenSpec',
  BeyondtrustWorkloadCredentialsDynamicSecret: 'beyondtrustWorkloadCredentialsDynamicSecretSpec',
  CloudsmithAccessToken: 'cloudsmithAccessTokenSpec',
  ECRAuthorizationToken: 'ecrAuthorizationTokenSpec',
  Fake: 'fakeSpec',
  GCRAccessToken: 'gcrAccessTokenSpec',
  GithubAccessToken: 'githubAccessTokenSpec',
  QuayAccessToken: 'quayAccessTokenSpec',
  Password: 'passwordSpec',
  SSHKey: 'sshKeySpec',
  STSSessionToken: 'stsSessionTokenSpec',
  UUID: 'uuidSpec',
  VaultDynamicSecret: 'vaultDynamicSecretSpec',
  Webhook: 'webhookSpec',
  Grafana: 'grafanaSpec',
  MFA: 'mfaSpec',
};

export interface KubeGeneratorRunnerOptions {
  kube: KubeClient;
  /** The implemented kinds (generator-kinds.ts). */
  kinds: Readonly<Record<string, GenerateFn<any>>>;
  /** False when the operator serves one namespace (WATCH_NAMESPACE): it reads no cluster-scoped kind, ClusterGenerator included. */
  clusterGenerators: boolean;
}

/**
 * Runs a generatorRef as ESO does: a namespaced generator is read from the namespace of the
 * object using it (never another: no namespace can run another's generator), a ClusterGenerator
 * by name, its spec.kind choosing the kind and spec.generator.<kind>Spec the spec; then that
 * kind's GenerateFn runs, anew at every call. The object is read from the apiserver at each use
 * (a GET, no informer): a generator runs when an ExternalSecret refreshes, and its spec must be
 * the one of that moment.
 */
export class KubeGeneratorRunner implements GeneratorRunner {
  private readonly options: KubeGeneratorRunnerOptions;

  constructor(options: KubeGeneratorRunnerOptions) {
    this.options = options;
  }

  async generate(namespace: string, ref: GeneratorRef): Promise<GeneratedData> {
    const apiVersion = ref.apiVersion || `${GENERATORS_GROUP}/v1alpha1`;
    if (!apiVersion.startsWith(`${GENERATORS_GROUP}/`)) {
      throw new OperatorError('InvalidSpec', `generatorRef.apiVersion "${apiVersion}": generators are served in the API group ${GENERATORS_GROUP} (e.g. ${GENERATORS_GROUP}/v1alpha1)`);
    }
    if (ref.kind === 'ClusterGenerator') return this.generateCluster(namespace, ref.name, apiVersion);
    const generate = this.implemented(ref.kind, `${ref.kind} "${ref.name}"`);
    const info = this.kindInfo(ref.kind, apiVersion);
    const object = await this.read(info, apiVersion, namespace, ref.name, `${ref.kind} "${ref.name}" in namespace "${namespace}"`);
    const use: GeneratorUse = { kind: ref.kind, name: ref.name, namespace, consumerNamespace: namespace };
    return generate((object as { spec?: unknown }).spec ?? {}, use);
  }

  private async generateCluster(namespace: string, name: string, apiVersion: string): Promise<GeneratedData> {
    if (!this.options.clusterGenerators) {
      // Only the watched namespace's objects reach here, so `namespace` is the one it watches.
      throw new OperatorError('ClusterGeneratorDisabled', `ClusterGenerator "${name}" is not served: this operator watches only namespace "${namespace}" `
        + '(WATCH_NAMESPACE) and reads no ClusterGenerator in that mode; use a generator of this namespace');
    }
    const described = `ClusterGenerator "${name}"`;
    const object = await this.read(this.kindInfo('ClusterGenerator', apiVersion), apiVersion, undefined, name, described) as ClusterGenerator;
    const kind = object.spec?.kind;
    const generate = this.implemented(kind, `${described} (spec.kind ${kind})`);
    const field = CLUSTER_GENERATOR_SPEC_FIELDS[kind]!;
    const spec = (object.spec.generator as Record<string, unknown> | undefined)?.[field];
    if (spec === undefined) {
      throw new OperatorError('InvalidGeneratorSpec', `${described}: spec.kind is ${kind}, so spec.generator must hold ${field}; it holds ${Object.keys(object.spec.generator ?? {}).join(', ') || 'nothing'}`);
    }
    return generate(spec, { kind: 'ClusterGenerator', name, consumerNamespace: namespace });
  }

  private implemented(kind: string, described: string): GenerateFn<any> {
    const generate = Object.hasOwn(this.options.kinds, kind) ? this.options.kinds[kind] : undefined;
    if (!generate) {
      throw new OperatorError('UnsupportedField', `${described}: generators of kind ${kind} are not implemented by this operator (it implements ${Object.keys(this.options.kinds).join(', ')})`);
    }
    return generate;
  }

  private kindInfo(kind: string, apiVersion: string): KindInfo {
    const info = (kinds as Record<string, KindInfo>)[kind];
    if (!info || !info.apiVersion.startsWith(`${GENERATORS_GROUP}/`)) throw new OperatorError('InternalError', `generator kind ${kind} has no CRD among the operator's kinds`);
    const served = (info as { servedVersions?: readonly string[] }).servedVersions ?? [];
    const version = apiVersion.slice(GENERATORS_GROUP.length + 1);
    if (!served.includes(version)) {
      throw new OperatorError('InvalidSpec', `generatorRef.apiVersion "${apiVersion}": ${kind} is served as ${served.map((v) => `${GENERATORS_GROUP}/${v}`).join(', ')}`);
    }
    return info;
  }

  private async read(info: KindInfo, apiVersion: string, namespace: string | undefined, name: string, described: string): Promise<unknown> {
    try {
      return await this.options.kube.get(resourceType(info, apiVersion).path(namespace, name));
    } catch (err) {
      if (isNotFound(err)) throw new OperatorError('GeneratorNotFound', `${described} not found`, { cause: err });
      throw err;
    }
  }
}

/**
 * A PushSecret's source, as ESO's resolveSecrets reads it: the Secret selector.secret names, the
 * Secrets its label selector selects, or what its generatorRef generates; and the versions of the
 * Secrets read, so that a change to them can be told from a push that is merely not due.
 */
import type { PushSecret } from '../api/generated.ts';
import { OperatorError, reasonOf } from '../errors.ts';
import type { GeneratorRunner } from '../generators/generator.ts';
import { isNotFound, type KubeClient } from '../kube/client.ts';
import { compileSelector, SelectorError } from '../kube/label-selector.ts';
import { secrets } from '../kube/resources.ts';
import type { SecretBytes } from './push-value.ts';

/** What reading a PushSecret's source needs. */
export interface SourceDeps {
  kube: KubeClient;
  generators?: GeneratorRunner;
  /** The Secrets selector.secret selects, as the operator's cache holds them now; undefined for a generator. */
  cachedSources?(ps: PushSecret): SourceVersion[] | undefined;
}

/**
 * The source's data: of the Secret selector.secret names, or of each Secret its labelSelector
 * selects (in name order), decoded, with their resourceVersions; only Secrets of the PushSecret's
 * own namespace. Or what selector.generatorRef generates now (ESO generates anew at each push: a
 * Password generator pushes a new password every refreshInterval).
 */
export async function readPushSources(deps: SourceDeps, ps: PushSecret): Promise<{ sources: SecretBytes[]; versions?: SourceVersion[] }> {
  const generatorRef = ps.spec.selector.generatorRef;
  if (generatorRef) {
    if (!deps.generators) throw new OperatorError('UnsupportedField', 'not supported by this operator yet: spec.selector.generatorRef');
    try {
      return { sources: [await deps.generators.generate(ps.metadata.namespace!, generatorRef)] };
    } catch (err) {
      throw wrap(err, `could not resolve secret from generator ref ${generatorRef.kind}/${generatorRef.name}: `);
    }
  }
  const namespace = ps.metadata.namespace!;
  const name = ps.spec.selector.secret?.name;
  if (name) {
    const secret = await readSecret(deps.kube, namespace, name);
    if (!secret) throw new OperatorError('SourceSecretNotFound', `could not get source secret: Secret "${name}" not found in namespace "${namespace}"`);
    return { sources: [decoded(secret)], versions: [versionOf(secret)] };
  }
  const selector = ps.spec.selector.secret?.selector;
  if (!selector) throw new OperatorError('InvalidSpec', 'spec.selector: set secret.name, secret.selector or generatorRef');
  try {
    compileSelector(selector);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new OperatorError('InvalidSpec', `spec.selector.secret.selector: ${err.message}`);
  }
  // The cache says which Secrets the selector selects; each is read whole, and one gone meanwhile is skipped.
  const selected = (deps.cachedSources?.(ps) ?? []).map((s) => s.name).sort();
  const secrets = (await Promise.all(selected.map((n) => readSecret(deps.kube, namespace, n)))).filter((s) => s !== undefined);
  return { sources: secrets.map(decoded), versions: secrets.map(versionOf) };
}

async function readSecret(kube: KubeClient, namespace: string, name: string): Promise<SourceSecret | undefined> {
  try {
    return await kube.get(secrets.path(namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A source Secret as the cache holds it: enough to tell whether it changed since the last push. */
export interface SourceVersion { name: string; resourceVersion?: string }

/** The sources' versions in one comparable string (order-free). */
export const sourceFingerprint = (versions: readonly SourceVersion[]): string =>
  versions.map((v) => `${v.name}@${v.resourceVersion ?? ''}`).sort().join(',');

interface SourceSecret { metadata: { name: string; resourceVersion?: string }; data?: Record<string, string> }

const versionOf = (secret: SourceSecret): SourceVersion => ({ name: secret.metadata.name, ...(secret.metadata.resourceVersion ? { resourceVersion: secret.metadata.resourceVersion } : {}) });

function decoded(secret: SourceSecret): SecretBytes {
  const data: Record<string, Uint8Array> = Object.create(null);
  for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, 'base64');
  return data;
}

/** An error with ESO's context before its message, its reason code kept. */
export function wrap(err: unknown, prefix: string): OperatorError {
  const code = reasonOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new OperatorError(code, `${prefix}${detail}`, { cause: err });
}

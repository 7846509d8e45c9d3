import type { GeneratorRef } from '../api/generated.ts';

/** What a generator produced: its keys and their values, as ESO's generator of that kind names them. */
export type GeneratedData = Record<string, Uint8Array>;

/**
 * Runs ESO's generators (generators.external-secrets.io) for the objects that use them: an
 * ExternalSecret's `dataFrom[].sourceRef.generatorRef` and a PushSecret's `selector.generatorRef`.
 * Each call generates anew (a new password, a new ECR token): callers decide when, by their
 * refresh rules.
 */
export interface GeneratorRunner {
  /**
   * Runs the generator `ref` names, as used by an object in `namespace`: a generator of that
   * kind in that namespace, or a ClusterGenerator. Throws an OperatorError with a reason code.
   */
  generate(namespace: string, ref: GeneratorRef): Promise<GeneratedData>;
}

/** Where a generator resource is used: for messages, and for where its credential references resolve. */
export interface GeneratorUse {
  /** The resource's kind and name as the consumer named it (`ClusterGenerator` for one). */
  kind: string;
  name: string;
  /** The generator resource's own namespace; undefined for a ClusterGenerator. */
  namespace?: string;
  /** The namespace of the ExternalSecret or PushSecret using it. */
  consumerNamespace: string;
}

/** One generator kind's work: its spec (as the CRD's schema admitted it) in, its keys out. Throws OperatorError. */
export type GenerateFn<Spec = unknown> = (spec: Spec, use: GeneratorUse) => Promise<GeneratedData>;

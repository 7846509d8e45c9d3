import { GetParameterCommand, GetParametersCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import { OperatorError } from '../errors.ts';
import { awsCall } from './aws-errors.ts';
import { fromSsmError } from './parameter-errors.ts';
import { DEFAULT_VERSION, type FetchedSecret, type Freshness, type SecretRef } from './provider.ts';
import { ReadEngine, type BatchAnswer, type ReadEngineOptions, type ReadHooks } from './read-engine.ts';
import { valueKey, type IdentityValues } from './value-cache.ts';

export interface ParameterFetcherHooks extends Pick<ReadHooks, 'onCache' | 'onFallback'> {
  onCall?: (action: string, ok: boolean) => void;
}

export interface ParameterFetcherOptions extends ReadEngineOptions {
  client: SSMClient;
  /** The identity's own partition of the value cache, apart from its Secrets Manager values. */
  values: IdentityValues;
  hooks?: ParameterFetcherHooks;
}

/** GetParameters takes at most 10 names. */
export const PARAMETER_BATCH_SIZE = 10;
export const PARAMETER_BATCH_WINDOW_MS = 5;

/**
 * Every read of Parameter Store values made with one identity's credentials, through the
 * shared read engine (read-engine.ts): reads of the same name and version share a call in
 * flight; values are served from the identity's cache while they are as recent as the asker's
 * Freshness demands; default-version reads arriving within a few milliseconds share one
 * GetParameters (10 names, decrypted), its spare room filled with the parameters the store's
 * other ExternalSecrets are about to ask for, then with cached values as stale as those being
 * re-read. A parameter with a version (`name:3`, `name:label`) is read alone with
 * GetParameter, as ESO reads every one. Secrets Manager's version listings and change polls
 * (secret-fetcher.ts) have no counterpart here: Parameter Store changes are not followed.
 */
export class ParameterFetcher {
  readonly client: SSMClient;
  readonly role: string | undefined;
  private readonly hooks: ParameterFetcherHooks;
  private readonly engine: ReadEngine;

  constructor(options: ParameterFetcherOptions) {
    this.client = options.client;
    this.role = options.role;
    this.hooks = options.hooks ?? {};
    this.engine = new ReadEngine(options, {
      batchSize: PARAMETER_BATCH_SIZE,
      batchWindowMs: PARAMETER_BATCH_WINDOW_MS,
      batchOperation: 'GetParameters',
      readBatch: (names) => this.readBatch(names),
      readOne: (name, version) => this.readOne(name, version),
      deniedMessage: () => 'GetParameters was denied: reading parameters one by one (GetParameter) for an hour; grant ssm:GetParameters to cut AWS calls',
    });
  }

  /** A parameter's value; `version` DEFAULT_VERSION (or none) reads the latest. */
  get(ref: SecretRef, freshness: Freshness): Promise<FetchedSecret> {
    return this.engine.read(valueKey(ref.key, ref.version || DEFAULT_VERSION), freshness);
  }

  /** Makes one SSM call with this identity, reported and mapped like every other. */
  call<T>(action: string, name: string | undefined, send: () => Promise<T>): Promise<T> {
    return awsCall({ action, key: name, role: this.role }, this.hooks.onCall, send, fromSsmError);
  }

  /** The identity's client is going: reads still waiting for a batch fail (their reconciles retry), cached values go. */
  destroy(): void {
    this.engine.destroy();
  }

  /** One GetParameters of latest values, decrypted. */
  private async readBatch(names: string[]): Promise<BatchAnswer> {
    const out = await this.call('GetParameters', undefined, () => this.client.send(new GetParametersCommand({ Names: names, WithDecryption: true })));
    return {
      // A parameter found only by its ARN is named by it.
      found: (out.Parameters ?? []).map((parameter) => ({ name: parameter.Name, arn: parameter.ARN, secret: fetched(parameter, parameter.ARN ?? '') })),
      // GetParameters names each parameter it could not find; GetParameter would have answered ParameterNotFound.
      failed: (out.InvalidParameters ?? []).map((name) => ({
        id: name,
        error: fromSsmError({ name: 'ParameterNotFound' }, { action: 'GetParameter', key: name, role: this.role }),
      })),
    };
  }

  private async readOne(name: string, version: string): Promise<FetchedSecret> {
    // ESO's selector: `name:version` (a number or a label).
    const selector = version === DEFAULT_VERSION ? name : `${name}:${version}`;
    const out = await this.call('GetParameter', selector, () => this.client.send(new GetParameterCommand({ Name: selector, WithDecryption: true })));
    if (out.Parameter?.Value === undefined) {
      throw new OperatorError('AWSRequestFailed', `GetParameter parameter "${selector}": AWS answered without a value`);
    }
    return fetched(out.Parameter, name);
  }
}

/** A parameter as GetParameter or GetParameters returns it: its value as is (a StringList stays comma-separated, a SecureString decrypted). */
function fetched(parameter: Parameter, asked: string): FetchedSecret {
  return {
    name: parameter.Name ?? asked,
    ...(parameter.Version !== undefined ? { versionId: String(parameter.Version) } : {}),
    secretString: parameter.Value ?? '',
  };
}

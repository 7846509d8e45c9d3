import { describe, expect, it } from 'vitest';
import { ChangeIndex, readsOfPlan } from '../../src/changes/change-index.ts';
import { ANNOTATION_CHANGE_POLL, ANNOTATION_CHANGE_QUEUE, storeChangeSettings } from '../../src/changes/store-settings.ts';
import { ref } from '../../src/kube/object-ref.ts';
import { planFetches } from '../../src/sync/fetch-plan.ts';
import { OperatorError } from '../../src/errors.ts';

/** Parameter Store changes are not followed: how the change machinery keeps away from such stores. */
const store = (service: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'external-secrets.io/v1', kind: 'SecretStore',
  metadata: { namespace: 'n', name: 's', annotations },
  spec: { provider: { aws: { service, region: 'us-east-1' } } },
}) as any;
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/changes';

describe('storeChangeSettings for a Parameter Store store', () => {
  it('is never polled nor listened for under the operator-wide settings', () => {
    const defaults = { pollIntervalMs: 60_000, queueUrl: QUEUE };
    expect(storeChangeSettings(store('ParameterStore'), defaults)).toEqual({});
    // The same defaults poll a Secrets Manager store: the difference is the service.
    expect(storeChangeSettings(store('SecretsManager'), defaults)).toEqual({ pollIntervalMs: 60_000 });
  });

  it('asked by annotation to follow changes, is InvalidChangeSettings naming the annotations', () => {
    const asks: Array<Record<string, string>> = [{ [ANNOTATION_CHANGE_POLL]: '30s' }, { [ANNOTATION_CHANGE_QUEUE]: QUEUE }];
    for (const annotations of asks) {
      let error: unknown;
      try {
        storeChangeSettings(store('ParameterStore', annotations), {});
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OperatorError);
      expect((error as OperatorError).code).toBe('InvalidChangeSettings');
      expect((error as OperatorError).message).toContain(Object.keys(annotations)[0]);
      expect((error as OperatorError).message).toContain('Parameter Store changes are not followed');
    }
    // A poll turned off ("0") asks for nothing.
    expect(storeChangeSettings(store('ParameterStore', { [ANNOTATION_CHANGE_POLL]: '0' }), { pollIntervalMs: 60_000 })).toEqual({});
  });
});

describe('readsOfPlan with a Parameter Store store', () => {
  it('records no read through it, so a Secrets Manager change of the same name reaches only the Secrets Manager reader', () => {
    const spec = {
      secretStoreRef: { name: 'params' },
      data: [
        { secretKey: 'a', remoteRef: { key: 'db' } },
        { secretKey: 'b', remoteRef: { key: 'db' }, sourceRef: { storeRef: { name: 'secrets' } } },
      ],
      dataFrom: [{ find: { name: { regexp: '.*' } } }],
    } as any;
    const stores = [
      ['', { ref: ref('SecretStore', 'params', 'n'), region: 'us-east-1', service: 'ParameterStore' }],
      ['SecretStore/secrets', { ref: ref('SecretStore', 'secrets', 'n'), region: 'us-east-1', service: 'SecretsManager' }],
    ] as const;
    const plan = planFetches(spec, new Map(stores.map(([key]) => [key, ''])));
    const reads = readsOfPlan(stores, plan);
    expect(reads.map((r) => r.store.name)).toEqual(['secrets']);
    const index = new ChangeIndex();
    index.record('ps-reader', 'n', readsOfPlan([stores[0]], plan));
    index.record('both', 'n', reads);
    expect(index.affected({ name: 'db' }, { kind: 'operator' })).toEqual(['both']);
    expect([...index.storeReads()].map((r) => r.store.name)).toEqual(['secrets']);
  });
});

import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { applyManifest } from '../../dev/apply.ts';
import { ANNOTATION_CHANGE_QUEUE } from '../../src/changes/store-settings.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { apiCallEvent, putSecretValue } from '../data/eventbridge-events.ts';
import { applyExternalSecret, awsName, createAwsSecrets, eventsFor, readyAs, storeNamespace } from './cases.ts';
import { decode, eventually, operatorCaughtUp, startHarness, type Harness } from './harness.ts';

// Change notifications end to end: EventBridge events (in the shape AWS delivers them, test/data)
// sent to moto's SQS, read by the operator's queue listeners, refresh the ExternalSecrets that read
// the changed secret, and the stores' ChangeNotifications condition says how changes arrive.

let h: Harness;
let sqs: SQSClient;
let operatorQueue: string;
let counter = 0;

const queueName = (label: string) => `changes-${process.pid}-${++counter}-${label}`;

beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL_SQS = inject('motoEndpoint');
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  sqs = new SQSClient({ region: 'us-east-1' });
  operatorQueue = (await sqs.send(new CreateQueueCommand({ QueueName: queueName('operator') }))).QueueUrl!;
  h = await startHarness({ operator: { changeQueue: { url: operatorQueue, region: 'us-east-1' } } });
});
afterAll(async () => {
  await h?.close();
  sqs?.destroy();
});

const send = (url: string, body: unknown) => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) }));
const value = async (ns: string, name: string) => decode((await h.secret(ns, name))?.data).v;
const arnOf = async (name: string) => (await h.aws.send(new DescribeSecretCommand({ SecretId: name }))).ARN!;

async function inQueue(url: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

/** An ExternalSecret reading `v` of one AWS secret, synced with value `one`. */
async function reading(ns: string, name: string, key: string) {
  await applyExternalSecret(h, ns, name, { data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
  return readyAs(h, ns, name, 'True', 'SecretSynced');
}

async function secrets(...labels: string[]): Promise<string[]> {
  const names = labels.map(awsName);
  await createAwsSecrets(h, names.map((name) => ({ name, string: '{"v":"one"}' })));
  return names;
}

const changeCondition = async (ns: string | undefined, name: string) => {
  const path = ns ? `/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/${name}` : `/apis/external-secrets.io/v1/clustersecretstores/${name}`;
  return (await h.kube.get(path)).status?.conditions?.find((c: any) => c.type === 'ChangeNotifications');
};

describe('the operator-wide queue (CHANGE_QUEUE_URL)', () => {
  it('an event for secret A refreshes exactly the ExternalSecrets reading A, not one reading B, and the message is deleted', async () => {
    const [a, b] = await secrets('queue-a', 'queue-b');
    const ns = await storeNamespace(h, 'queue-exact');
    const readsA = await reading(ns, 'reads-a', a!);
    const readsB = await reading(ns, 'reads-b', b!);
    await h.putAwsSecret(a!, '{"v":"two"}');
    await h.putAwsSecret(b!, '{"v":"two"}');
    await send(operatorQueue, putSecretValue(a!, await arnOf(a!)));

    await eventually(async () => (await value(ns, 'reads-a')) === 'two', 'the ExternalSecret reading A to hold the new value');
    await eventually(async () => (await inQueue(operatorQueue)) === 0, 'the message deleted');
    await operatorCaughtUp(h, [readsA, readsB]);
    expect(await value(ns, 'reads-b')).toBe('one');
    expect((await h.externalSecret(ns, 'reads-b')).status.refreshTime).toBe(readsB.status.refreshTime);
  });

  it('malformed and unknown messages change nothing and are deleted; a valid message after them still works', async () => {
    const [a, c] = await secrets('junk-a', 'junk-c');
    const ns = await storeNamespace(h, 'queue-junk');
    const readsA = await reading(ns, 'reads-a', a!);
    const readsC = await reading(ns, 'reads-c', c!);
    await h.putAwsSecret(a!, '{"v":"two"}');
    await h.putAwsSecret(c!, '{"v":"two"}');
    const arnA = await arnOf(a!);
    const malformedBefore = await metricValue(h.operator.metrics.changeQueueMessages, { outcome: 'malformed' });
    const ignoredBefore = await metricValue(h.operator.metrics.changeQueueMessages, { outcome: 'ignored' });
    await send(operatorQueue, `{"id": "not closed", "secret": "${a}"`);
    await send(operatorQueue, { ...putSecretValue(a!, arnA), source: 'aws.ssm' });
    await send(operatorQueue, apiCallEvent({
      eventName: 'PutSecretValue', requestParameters: { secretId: a }, responseElements: null, error: { errorCode: 'AccessDenied', errorMessage: 'denied' },
    }));
    await send(operatorQueue, putSecretValue(c!, await arnOf(c!)));

    await eventually(async () => (await value(ns, 'reads-c')) === 'two', 'the valid message to refresh its ExternalSecret');
    await eventually(async () => (await inQueue(operatorQueue)) === 0, 'every message deleted');
    await operatorCaughtUp(h, [readsA, readsC]);
    expect(await value(ns, 'reads-a')).toBe('one');
    expect((await h.externalSecret(ns, 'reads-a')).status.refreshTime).toBe(readsA.status.refreshTime);
    expect(await metricValue(h.operator.metrics.changeQueueMessages, { outcome: 'malformed' })).toBe(malformedBefore + 1);
    expect(await metricValue(h.operator.metrics.changeQueueMessages, { outcome: 'ignored' })).toBe(ignoredBefore + 2);
    expect(h.logLines.filter((l) => l.includes('dropped a malformed change message'))).toHaveLength(1);
    expect(h.logLines.filter((l) => l.includes('not closed'))).toEqual([]);
  });

  it('a duplicate (the same event id delivered twice) refreshes once', async () => {
    const [d, e] = await secrets('dup-d', 'dup-e');
    const ns = await storeNamespace(h, 'queue-dup');
    await reading(ns, 'reads-d', d!);
    await reading(ns, 'reads-e', e!);
    await h.putAwsSecret(d!, '{"v":"two"}');
    await h.putAwsSecret(e!, '{"v":"two"}');
    const changesBefore = await metricValue(h.operator.metrics.secretChanges, { source: 'queue', result: 'matched' });
    const refreshesBefore = await metricValue(h.operator.metrics.changeRefreshes, {});
    const duplicatesBefore = await metricValue(h.operator.metrics.changeQueueMessages, { outcome: 'duplicate' });
    const event = putSecretValue(d!, await arnOf(d!));
    await send(operatorQueue, event);
    await send(operatorQueue, event);
    // The positive sign that both deliveries were read: a later event's refresh, and an empty queue.
    await send(operatorQueue, putSecretValue(e!, await arnOf(e!)));
    await eventually(async () => (await value(ns, 'reads-e')) === 'two' && (await value(ns, 'reads-d')) === 'two', 'both ExternalSecrets refreshed');
    await eventually(async () => (await inQueue(operatorQueue)) === 0, 'every message deleted');
    expect(await metricValue(h.operator.metrics.secretChanges, { source: 'queue', result: 'matched' })).toBe(changesBefore + 2);
    expect(await metricValue(h.operator.metrics.changeRefreshes, {})).toBe(refreshesBefore + 2);
    expect(await metricValue(h.operator.metrics.changeQueueMessages, { outcome: 'duplicate' })).toBe(duplicatesBefore + 1);
  });

  it('every served store shows it: ChangeNotifications True QueueReceiving', async () => {
    const ns = await storeNamespace(h, 'queue-shown');
    await eventually(async () => (await changeCondition(ns, 'aws'))?.reason === 'QueueReceiving', 'the condition');
    expect(await changeCondition(ns, 'aws')).toMatchObject({ status: 'True', message: `changes arrive from SQS queue ${operatorQueue}` });
    const store = await h.kube.get(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/aws`);
    expect(store.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Valid' });
  });
});

describe('a store\'s own queue (annotation aws-secrets-operator.io/change-queue-url)', () => {
  it('refreshes the store\'s ExternalSecrets; the queue deleted makes the condition False QueueUnavailable, recreated True again', async () => {
    const name = queueName('store');
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const ns = await h.namespace('queue-store');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns, annotations: { [ANNOTATION_CHANGE_QUEUE]: url } },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    const [key] = await secrets('store-queue');
    await reading(ns, 'es', key!);
    await eventually(async () => (await changeCondition(ns, 'aws'))?.reason === 'QueueReceiving', 'the store\'s queue read');
    expect((await changeCondition(ns, 'aws')).message).toBe(`changes arrive from SQS queue ${url}, ${operatorQueue}`);

    await h.putAwsSecret(key!, '{"v":"two"}');
    await send(url, putSecretValue(key!, await arnOf(key!)));
    await eventually(async () => (await value(ns, 'es')) === 'two', 'the refresh from the store\'s queue');

    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const down = await eventually(async () => {
      const c = await changeCondition(ns, 'aws');
      return c?.reason === 'QueueUnavailable' ? c : undefined;
    }, 'the condition to say the queue is unavailable', 45_000);
    expect(down).toMatchObject({ status: 'False' });
    expect(down.message).toBe(`ChangeQueueNotFound: SQS queue ${url} does not exist: create it, or correct the queue URL; ExternalSecrets still refresh at their refreshInterval`);
    const store = await h.kube.get(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/aws`);
    expect(store.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Valid' });

    expect(await eventsFor(h, ns, 'aws')).toContainEqual({ type: 'Warning', reason: 'QueueUnavailable', message: down.message });

    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await eventually(async () => (await changeCondition(ns, 'aws'))?.reason === 'QueueReceiving', 'the condition True again', 45_000);

    // The annotation removed: the store's listener stops, and the store shows the operator-wide queue only.
    await h.kube.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/aws`, {
      body: { metadata: { annotations: { [ANNOTATION_CHANGE_QUEUE]: null } } }, contentType: 'application/merge-patch+json',
    });
    await eventually(async () => (await changeCondition(ns, 'aws'))?.message === `changes arrive from SQS queue ${operatorQueue}`, 'the store queue gone from the condition');
    expect(await metricValue(h.operator.metrics.changeQueueReceiving, { queue: url })).toBe(0);
  }, 120_000);

  it('two stores naming one queue with one identity share its reader: an event refreshes the ExternalSecrets of both', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName('shared') }))).QueueUrl!;
    const ns = await h.namespace('queue-shared');
    for (const name of ['first', 'second']) {
      await applyManifest(h.kube, {
        apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name, namespace: ns, annotations: { [ANNOTATION_CHANGE_QUEUE]: url } },
        spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
      });
    }
    const [key] = await secrets('shared-queue');
    for (const name of ['first', 'second']) {
      await applyExternalSecret(h, ns, name, { secretStoreRef: { name, kind: 'SecretStore' }, data: [{ secretKey: 'v', remoteRef: { key, property: 'v' } }] });
      await readyAs(h, ns, name, 'True', 'SecretSynced');
      await eventually(async () => (await changeCondition(ns, name))?.reason === 'QueueReceiving', `store ${name} reading the queue`);
    }
    await h.putAwsSecret(key!, '{"v":"two"}');
    await send(url, putSecretValue(key!, await arnOf(key!)));
    await eventually(async () => (await value(ns, 'first')) === 'two' && (await value(ns, 'second')) === 'two', 'both stores\' ExternalSecrets refreshed');
    await eventually(async () => (await inQueue(url)) === 0, 'the message deleted');
  });

  it('an annotation that is no queue URL: False InvalidChangeSettings', async () => {
    const ns = await h.namespace('queue-invalid');
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'aws', namespace: ns, annotations: { [ANNOTATION_CHANGE_QUEUE]: 'secret-changes' } },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    });
    await eventually(async () => (await changeCondition(ns, 'aws'))?.reason === 'InvalidChangeSettings', 'the condition');
    expect((await changeCondition(ns, 'aws')).status).toBe('False');
  });

  it('a ClusterSecretStore whose credentials depend on the ExternalSecret\'s namespace: False InvalidChangeSettings naming the field', async () => {
    const name = `queue-css-${process.pid}`;
    await applyManifest(h.kube, {
      apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore',
      metadata: { name, annotations: { [ANNOTATION_CHANGE_QUEUE]: 'https://sqs.us-east-1.amazonaws.com/123456789012/changes' } },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'reader' } } } } } },
    });
    try {
      await eventually(async () => (await changeCondition(undefined, name))?.reason === 'InvalidChangeSettings', 'the condition');
      expect((await changeCondition(undefined, name)).message).toContain('spec.provider.aws.auth.jwt.serviceAccountRef.namespace is not set');
    } finally {
      await h.kube.request('DELETE', `/apis/external-secrets.io/v1/clustersecretstores/${name}`);
    }
  });
});
